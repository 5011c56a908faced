//! The planning workflow as library calls: a project is a desired schema (`schema/`),
//! a plans directory (`plans/`) and settings; `plan`, `check`, `merge` and `heads`
//! return plain data (a revision to write, findings, a conflict report) that the
//! command line only formats.
//!
//! Stage: the top of the library, above `plan`, `devdb` and `apply`. Reads files, and
//! a database or a dev server only where the settings name one (exact mode); writes a
//! file only when asked to ([`Planned::write`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use schemaplan::project::Project;
//! let dir = tempfile::tempdir()?;
//! std::fs::create_dir(dir.path().join("schema"))?;
//! std::fs::write(
//!     dir.path().join("schema/users.sql"),
//!     "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);",
//! )?;
//! // No database configured: schema/ and plans/ are read offline.
//! let project = Project::open(dir.path())?;
//! let runtime = tokio::runtime::Runtime::new()?;
//! let report = runtime.block_on(project.plan("create users"))?;
//! let revision = report.revision.expect("plans/ is empty, so there is a revision");
//! assert!(revision.text.contains("CREATE TABLE public.users"));
//! revision.write()?;
//! // Planned and written: the pull-request gate passes.
//! let check = runtime.block_on(project.check(false))?;
//! assert!(check.findings.is_empty());
//! # Ok(())
//! # }
//! ```

pub mod check;
pub mod config;
pub mod init;
pub mod merge;
pub mod plan;
pub mod revision;
pub mod source;

use std::path::{Path, PathBuf};

use crate::connect::DbUrl;
use crate::devdb::cluster::LocalCluster;
use crate::error::{Error, Result};
use crate::model::{Access, Catalog, PrivilegeMode, SchemaFilter};
use crate::parse::SchemaInput;
use crate::render::mermaid::Rename;

pub use check::{CheckReport, Finding};
pub use merge::{Analysis, MergeReport};
pub use plan::PlanReport;
pub use revision::{
    adjust_access, creation_changes, creation_plan, plan_changes, plan_up_with_renames,
    plan_with_renames, Planned,
};
pub use source::{Mode, Source};

/// What a revision changes, as data a reviewer's picture is drawn from
/// ([`crate::render::mermaid::change_diagram`]): the schema before and after it, read
/// the same way, and the table and column renames it carries out.
#[derive(Clone, Debug, Default)]
pub struct SchemaChange {
    /// The schema before the revision.
    pub before: Catalog,
    /// The schema after it.
    pub after: Catalog,
    /// Its renames of tables and columns, in order.
    pub renames: Vec<Rename>,
}

/// Which way schema files and plans are read (`--mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModeChoice {
    /// Exact when a database is configured or compared, else offline.
    #[default]
    Auto,
    /// Always in memory.
    Offline,
    /// Always on a PostgreSQL server.
    Exact,
}

/// Settings every operation of a project reads.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How schema files and plans are read.
    pub mode: ModeChoice,
    /// A server where scratch databases may be created (exact mode).
    pub dev_url: Option<DbUrl>,
    /// The target database, when one is configured (makes `auto` exact, and is the dev
    /// server of last resort before a throwaway cluster).
    pub database: Option<DbUrl>,
    /// Which schemas are looked at.
    pub filter: SchemaFilter,
    /// Online DDL forms (indexes built CONCURRENTLY, constraints added NOT VALID then
    /// validated); off for a maintenance window.
    pub online: bool,
    /// Recoverable drops: a dropped table is held in `schemaplan_trash` and the down
    /// section restores it with its rows (`plan --recoverable`).
    pub recoverable: bool,
    /// How grants and revokes are planned (`--privileges`).
    pub privileges: PrivilegeMode,
    /// Every object's owner is managed (`--manage-owners`): objects whose owner the
    /// desired schema does not name are owned by the role running the plan.
    pub manage_owners: bool,
}

impl Settings {
    /// How plans treat privileges and owners.
    pub fn access(&self) -> Access {
        Access {
            privileges: self.privileges,
            manage_owners: self.manage_owners,
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            mode: ModeChoice::Auto,
            dev_url: None,
            database: None,
            filter: SchemaFilter::default(),
            online: true,
            recoverable: false,
            privileges: PrivilegeMode::default(),
            manage_owners: false,
        }
    }
}

/// A schema-as-code project: where its desired schema and its plans are, and its
/// settings.
#[derive(Clone, Debug)]
pub struct Project {
    /// The desired schema: schema files (a file or a directory of them) and compiled
    /// SQLAlchemy models.
    pub desired: SchemaInput,
    /// The plans directory.
    pub plans: PathBuf,
    /// Settings.
    pub settings: Settings,
}

/// How a project's files are being read: the mode, and the throwaway cluster started
/// for it if any (stopped by [`Reader::finish`]).
pub struct Reader {
    /// The mode in effect.
    pub mode: Mode,
    cluster: Option<LocalCluster>,
}

impl Reader {
    /// Offline, for the server `target_version` names: nothing to start or stop.
    pub fn offline(target_version: Option<u32>) -> Reader {
        Reader {
            mode: Mode::Offline { target_version },
            cluster: None,
        }
    }

    /// Stops the throwaway cluster, if one was started.
    pub async fn finish(self) -> Result<()> {
        if let Some(c) = self.cluster {
            stop_cluster(c).await?;
        }
        Ok(())
    }
}

/// A server's major version and its version string (`15`, `15.14 (Debian ...)`).
pub async fn server_version(client: &tokio_postgres::Client) -> Result<(u32, String)> {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version')",
            &[],
        )
        .await
        .map_err(|e| Error::Database {
            context: "reading the server version".to_string(),
            message: e.to_string(),
        })?;
    let (number, version): (i32, String) = (row.get(0), row.get(1));
    Ok(((number / 10000) as u32, version))
}

/// A dev server and the throwaway cluster started for it, if any.
pub struct DevServer {
    /// Where scratch databases may be created.
    pub url: DbUrl,
    cluster: Option<LocalCluster>,
}

impl DevServer {
    /// Stops the throwaway cluster, if one was started.
    pub async fn finish(self) -> Result<()> {
        if let Some(c) = self.cluster {
            stop_cluster(c).await?;
        }
        Ok(())
    }
}

async fn stop_cluster(c: LocalCluster) -> Result<()> {
    tokio::task::spawn_blocking(move || c.stop())
        .await
        .map_err(|e| Error::Refused {
            message: format!("stopping the throwaway cluster: {e}"),
        })
}

impl Project {
    /// The project at `root` (a directory): `root/schema` and `root/plans`, default
    /// settings.
    pub fn open(root: impl AsRef<Path>) -> Result<Project> {
        let root = root.as_ref();
        let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
        if !meta.is_dir() {
            return Err(Error::io(
                root,
                std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
            ));
        }
        Ok(Project {
            desired: root.join("schema").into(),
            plans: root.join("plans"),
            settings: Settings::default(),
        })
    }

    /// The server to load schema files into: the dev URL, else `fallback` (a database
    /// the command works on), else the target's server, else a throwaway cluster
    /// started from the local PostgreSQL binaries.
    pub async fn dev_server(&self, fallback: Option<&DbUrl>) -> Result<DevServer> {
        let s = &self.settings;
        if let Some(u) = s.dev_url.as_ref().or(fallback).or(s.database.as_ref()) {
            return Ok(DevServer {
                url: u.clone(),
                cluster: None,
            });
        }
        tracing::info!("no dev database configured: starting a throwaway PostgreSQL cluster");
        let cluster = tokio::task::spawn_blocking(LocalCluster::start)
            .await
            .map_err(|e| Error::Refused {
                message: format!("starting a throwaway cluster: {e}"),
            })??;
        tracing::info!("throwaway cluster from {}", cluster.bin().display());
        Ok(DevServer {
            url: cluster.url().clone(),
            cluster: Some(cluster),
        })
    }

    /// Refuses a dev server older than `target_version`: exact mode reads the schema
    /// the way the dev server does, which would not be the target's way.
    async fn check_dev_version(&self, dev: &DbUrl) -> Result<()> {
        let Some(target) = self.desired.target_version else {
            return Ok(());
        };
        let (major, version) = server_version(&dev.connect().await?).await?;
        if major >= target {
            return Ok(());
        }
        Err(Error::Refused {
            message: format!(
                "the dev server {} runs PostgreSQL {version}, older than target_version = \
                 {target}: exact mode reads the schema the way the dev server does; point \
                 SCHEMAPLAN_DEV_URL at a PostgreSQL {target} server, set target_version = \
                 {major}, or plan with --mode offline",
                dev.redacted()
            ),
        })
    }

    /// How schema files and plans are read; `compared` is a database the operation
    /// compares with (which forces exact mode: a diff compares catalogs made by the
    /// same normalizer).
    pub async fn reader(&self, compared: Option<&DbUrl>) -> Result<Reader> {
        let s = &self.settings;
        let configured = s.dev_url.is_some() || s.database.is_some() || compared.is_some();
        match s.mode {
            ModeChoice::Offline if compared.is_some() => Err(Error::Refused {
                message: "--mode offline cannot compare with a live database: both sides of \
                          a diff must be read the same way; drop --mode offline or compare \
                          files with files"
                    .to_string(),
            }),
            ModeChoice::Offline => Ok(Reader::offline(self.desired.target_version)),
            ModeChoice::Auto if !configured => Ok(Reader::offline(self.desired.target_version)),
            ModeChoice::Auto | ModeChoice::Exact => {
                let dev = self.dev_server(compared).await?;
                if let Err(e) = self.check_dev_version(&dev.url).await {
                    dev.finish().await?;
                    return Err(e);
                }
                Ok(Reader {
                    mode: Mode::Exact(dev.url),
                    cluster: dev.cluster,
                })
            }
        }
    }

    /// The plans directory read as a DAG (an empty history when it does not exist).
    pub fn history(&self) -> Result<crate::plan::History> {
        let mut history = crate::plan::dir::load(&self.plans)?;
        if let Some((template, _)) = &self.desired.template_schema {
            // Every statement of a tenant project's revisions must be one the rewrite
            // can prove (a hand-edited revision too): refused here, as at apply.
            let mut probe = history.clone();
            probe.set_tenancy(Some(&crate::plan::Tenancy {
                template: template.clone(),
                tenant: Some(crate::parse::tenant::PROBE.to_string()),
            }));
            for r in probe.in_order() {
                r.up()?;
                r.down()?;
            }
            history.set_tenancy(Some(&crate::plan::Tenancy {
                template: template.clone(),
                tenant: None,
            }));
        }
        Ok(history)
    }

    /// The desired schema as a source (refusing a database or a plans directory).
    pub fn desired_source(&self) -> Result<Source> {
        for path in &self.desired.paths {
            let source = Source::parse(&path.display().to_string())?;
            if !matches!(source, Source::Files(_)) {
                return Err(Error::Refused {
                    message: format!(
                        "--desired must be a .sql file or a directory of schema files, not {source}"
                    ),
                });
            }
        }
        Ok(Source::Files(self.desired.clone()))
    }

    /// Runs `op` with a reader for this project, then stops what the reader started,
    /// whether `op` succeeded or not.
    async fn with_reader<T>(&self, op: impl AsyncFnOnce(&Reader) -> Result<T>) -> Result<T> {
        let reader = self.reader(None).await?;
        let result = op(&reader).await;
        reader.finish().await?;
        result
    }
}
