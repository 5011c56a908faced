//! Sources: what a command-line SRC names (a database URL, a schema file or directory, a
//! plans directory) read into a [`Catalog`], in the chosen [`Mode`].
//!
//! A database is always introspected. Schema files and plans are interpreted in memory
//! (offline) or loaded into scratch databases on a dev server and introspected (exact:
//! PostgreSQL itself normalizes them). Both sides of a diff must be read the same way.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::connect::{is_database_url, DbUrl};
use crate::error::{Error, Result};
use crate::introspect::live_catalog;
use crate::model::{Catalog, SchemaFilter};
use crate::parse::SchemaInput;
use crate::plan::{self, Revision};

/// How schema files and plans become a Catalog.
#[allow(
    clippy::large_enum_variant,
    reason = "a handful live at a time; boxing the URL would only add a deref at every match"
)]
#[derive(Clone, Debug)]
pub enum Mode {
    /// Loaded into scratch databases on this server and introspected: PostgreSQL
    /// normalizes.
    Exact(DbUrl),
    /// Interpreted in memory ([`crate::offline`]): no server at all.
    Offline {
        /// The server the statements are read as running on (`target_version`;
        /// `None`: the newest syntax, renames as servers before PostgreSQL 18 make them).
        target_version: Option<u32>,
    },
}

impl Mode {
    /// For messages: `offline mode` / `exact mode (dev server db:5432)`.
    pub fn describe(&self) -> String {
        match self {
            Mode::Offline { .. } => "offline mode (no database)".to_string(),
            Mode::Exact(u) => format!("exact mode (dev server {}:{})", u.host(), u.port()),
        }
    }
}

/// A place a schema comes from.
#[allow(
    clippy::large_enum_variant,
    reason = "a handful live at a time; boxing the URL would only add a deref at every match"
)]
#[derive(Clone, Debug)]
pub enum Source {
    /// A live database.
    Database(DbUrl),
    /// Schema files (a file or a directory of them) and SQLAlchemy models.
    Files(SchemaInput),
    /// A directory of revision files, replayed.
    Plans(PathBuf),
}

impl Source {
    /// Understands a SRC argument: a URL (any accepted form) or an existing path.
    pub fn parse(arg: &str) -> Result<Source> {
        if is_database_url(arg) {
            return Ok(Source::Database(DbUrl::parse(arg)?));
        }
        let path = Path::new(arg);
        if path.exists() {
            if is_plans_dir(path) {
                return Ok(Source::Plans(path.to_path_buf()));
            }
            return Ok(Source::Files(path.into()));
        }
        Err(Error::BadSource {
            source_arg: arg.to_string(),
        })
    }

    /// The database URL, for a database source.
    pub fn database(&self) -> Option<&DbUrl> {
        match self {
            Source::Database(u) => Some(u),
            Source::Files(_) | Source::Plans(_) => None,
        }
    }

    /// Whether reading it needs a dev server (schema files, plans).
    pub fn needs_dev(&self) -> bool {
        !matches!(self, Source::Database(_))
    }

    /// The source as a Catalog in the given mode. A database is always introspected, so
    /// comparing it is only meaningful in exact mode (the caller sees to that).
    pub async fn load(&self, mode: &Mode, filter: &SchemaFilter) -> Result<Catalog> {
        let mut catalog = match (self, mode) {
            (Source::Database(url), _) => live_catalog(&url.connect().await?).await?,
            (Source::Files(input), Mode::Exact(server)) => {
                crate::devdb::load_catalog(server, input).await?
            }
            (Source::Files(input), Mode::Offline { .. }) => {
                crate::offline::interpret_source(input)?
            }
            (Source::Plans(dir), mode) => replay(plan::dir::load(dir)?.in_order(), mode).await?,
        };
        filter.apply(&mut catalog);
        Ok(catalog)
    }
}

/// Names the source for messages, without any password.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Database(u) => f.write_str(&u.redacted()),
            Source::Files(input) => write!(f, "{input}"),
            Source::Plans(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The schema some revisions build, run in the order given (a whole history in DAG
/// order, a branch, or two branches one after the other), in the given mode.
pub async fn replay<'a>(
    revisions: impl IntoIterator<Item = &'a Revision>,
    mode: &Mode,
) -> Result<Catalog> {
    let scripts = plan::up_scripts(revisions)?;
    match mode {
        Mode::Exact(server) => crate::devdb::run_scripts(&scripts, server).await,
        Mode::Offline { target_version } => {
            crate::offline::interpret_scripts(&scripts, *target_version)
        }
    }
}

/// Whether a directory holds revision files rather than schema files: its `.sql` files
/// start with the revision marker.
pub fn is_plans_dir(path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        p.extension().is_some_and(|x| x == "sql")
            && std::fs::read_to_string(&p).is_ok_and(|t| {
                crate::parse::strip_bom(&t).lines().next() == Some(plan::file::MAGIC)
            })
    })
}
