//! Sources: what a command-line SRC names (a database URL, a `.sql` file or a directory
//! of them, a plans directory) turned into a [`Catalog`].
//!
//! A database is introspected. Schema files are loaded into a scratch database on the
//! dev server (exact mode: PostgreSQL itself normalizes them), a plans directory's
//! revisions are replayed there in DAG order, and that is introspected, then dropped.
//! Both sides of a diff are therefore made by the same normalizer.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::connect::{is_database_url, DbUrl};
use crate::devdb::{self, DevDatabase};
use crate::error::{Error, Result};
use crate::introspect::introspect;
use crate::model::Catalog;
use crate::parse::ScriptStatement;
use crate::plan::{self, History, Revision};

/// How schema files and plans become a Catalog.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Loaded into scratch databases on this server and introspected: PostgreSQL
    /// normalizes.
    Exact(DbUrl),
    /// Interpreted in memory ([`crate::offline`]): no server at all.
    Offline,
}

impl Mode {
    /// For messages: `offline mode` / `exact mode (dev server db:5432)`.
    pub fn describe(&self) -> String {
        match self {
            Mode::Offline => "offline mode (no database)".to_string(),
            Mode::Exact(u) => format!("exact mode (dev server {}:{})", u.host(), u.port()),
        }
    }
}

/// A source as a Catalog in the given mode. A database is always introspected, so
/// comparing it is only meaningful in exact mode (the caller sees to that).
pub async fn load_in(source: &Source, mode: &Mode, filter: &SchemaFilter) -> Result<Catalog> {
    match (source, mode) {
        (Source::Database(_), _) => load(source, None, filter).await,
        (_, Mode::Exact(server)) => load(source, Some(server), filter).await,
        (Source::Files(path), Mode::Offline) => {
            let mut catalog = crate::offline::interpret_source(path)?;
            filter.apply(&mut catalog);
            Ok(catalog)
        }
        (Source::Plans(dir), Mode::Offline) => {
            let mut catalog = crate::offline::replay(&plan::dir::load(dir)?)?;
            filter.apply(&mut catalog);
            Ok(catalog)
        }
    }
}

/// The schema some revisions build, in the order given, in the given mode.
pub async fn replay_in<'a>(
    revisions: impl IntoIterator<Item = &'a Revision>,
    mode: &Mode,
) -> Result<Catalog> {
    match mode {
        Mode::Exact(server) => replay_revisions(revisions, server).await,
        Mode::Offline => {
            let mut catalog = Catalog::new_database();
            for r in revisions {
                crate::offline::interpret_script(&mut catalog, &r.up()?)?;
            }
            Ok(catalog)
        }
    }
}

/// A place a schema comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A live database.
    Database(DbUrl),
    /// A `.sql` file or a directory of them.
    Files(PathBuf),
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
            return Ok(Source::Files(path.to_path_buf()));
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
}

/// Names the source for messages, without any password.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Database(u) => f.write_str(&u.redacted()),
            Source::Files(p) | Source::Plans(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Which schemas a command looks at (`--schema`, `--exclude-schema`).
#[derive(Clone, Debug, Default)]
pub struct SchemaFilter {
    /// Only these schemas, when not empty.
    pub include: Vec<String>,
    /// Never these.
    pub exclude: Vec<String>,
}

impl SchemaFilter {
    /// Whether a schema passes the filter.
    pub fn keeps(&self, schema: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|s| s == schema))
            && !self.exclude.iter().any(|s| s == schema)
    }

    /// Applies the filter to a catalog.
    pub fn apply(&self, catalog: &mut Catalog) {
        if !self.include.is_empty() || !self.exclude.is_empty() {
            catalog.retain_schemas(|s| self.keeps(s));
        }
    }
}

/// Reads a source into a catalog. Files need `dev`, a server on which a scratch
/// database can be created.
pub async fn load(source: &Source, dev: Option<&DbUrl>, filter: &SchemaFilter) -> Result<Catalog> {
    let mut catalog = match source {
        Source::Database(url) => crate::apply::live_catalog(&url.connect().await?).await?,
        Source::Files(path) => {
            let server = dev.ok_or(Error::NoDevDatabase)?;
            let scratch = devdb::load_source(server, path).await?;
            let result = async {
                let client = scratch.url().connect().await?;
                introspect(&client).await
            }
            .await;
            scratch.drop_database().await?;
            result?
        }
        Source::Plans(dir) => {
            let server = dev.ok_or(Error::NoDevDatabase)?;
            replay(&plan::dir::load(dir)?, server).await?
        }
    };
    filter.apply(&mut catalog);
    Ok(catalog)
}

/// The schema that a plans directory's revisions build: their up sections run in DAG
/// order on a new scratch database, which is then introspected and dropped.
pub async fn replay(history: &History, server: &DbUrl) -> Result<Catalog> {
    replay_revisions(history.in_order(), server).await
}

/// The schema that some revisions build, run in the order given (a branch, or two
/// branches one after the other).
pub async fn replay_revisions<'a>(
    revisions: impl IntoIterator<Item = &'a Revision>,
    server: &DbUrl,
) -> Result<Catalog> {
    let scripts = revisions
        .into_iter()
        .map(Revision::up)
        .collect::<Result<Vec<_>>>()?;
    run_scripts(&scripts, server).await
}

/// The schema some scripts build, run one after the other on a new scratch database,
/// which is then introspected and dropped.
pub async fn run_scripts(scripts: &[Vec<ScriptStatement>], server: &DbUrl) -> Result<Catalog> {
    let scratch = DevDatabase::create(server).await?;
    let result = async {
        for script in scripts {
            scratch.run_script(script).await?;
        }
        let client = scratch.url().connect().await?;
        introspect(&client).await
    }
    .await;
    scratch.drop_database().await?;
    result
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
            && std::fs::read_to_string(&p)
                .is_ok_and(|t| t.lines().next() == Some(plan::file::MAGIC))
    })
}
