//! Apply: pending revisions run against a target database, safely.
//!
//! Input: a plans [`crate::plan::History`] and a connection. Output: the database at the
//! head revision, with one history row per revision. Every run holds a session advisory
//! lock; each revision runs in one transaction together with its history row; a revision
//! that cannot (`transaction: none`) runs in groups with its progress recorded, so a rerun
//! resumes where it stopped.
//!
//! [`Migrator`] is the entry point, for the CLI and for applications alike; [`fleet`]
//! runs it on many databases.

mod down;
pub mod fleet;
pub mod history;
mod lock;
mod run;
pub mod rehearse;
pub mod sizes;
pub mod trash;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio_postgres::Client;

use crate::connect::DbUrl;
use crate::error::{Error, Result};
use crate::parse::ScriptStatement;
use crate::plan::{History, Revision, RevisionId};
use crate::render::Hazard;

pub use history::Applied;

pub use crate::introspect::HISTORY_SCHEMA;

/// How `apply` behaves.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Stop after this revision (it and its ancestors are applied); `None`: the head.
    pub to: Option<RevisionId>,
    /// Run everything pending in one transaction and roll it back.
    pub dry_run: bool,
    /// How long to wait for another run's lock.
    pub lock_wait: Duration,
    /// `lock_timeout` for every statement.
    pub lock_timeout: Duration,
    /// `statement_timeout` for every statement (`None`: no limit).
    pub statement_timeout: Option<Duration>,
    /// How many times a revision that hit `lock_timeout` is retried.
    pub lock_retries: u32,
    /// The first pause before a retry; doubled each time.
    pub retry_backoff: Duration,
    /// Go on even when the live schema drifted from the recorded one.
    pub allow_drift: bool,
    /// A server where the applied revisions may be replayed in a scratch database to
    /// show what drifted (else drift is reported by fingerprint only).
    pub dev_server: Option<DbUrl>,
    /// Gated hazards (`data-loss`, `table-rewrite`, `authz`, `replication`) the
    /// operator accepts.
    pub allow_hazards: BTreeSet<Hazard>,
    /// Set by another task to stop the run between revisions: the revision running
    /// finishes, no further one starts, and [`Report::stopped_before`] names it (how a
    /// fleet stops the targets in flight after a failure).
    pub stop: Option<Arc<AtomicBool>>,
}

/// Hazards a revision may only be applied with when the operator names them.
pub const GATED_HAZARDS: [Hazard; 4] = [
    Hazard::DataLoss,
    Hazard::TableRewrite,
    Hazard::Authz,
    Hazard::Replication,
];

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            to: None,
            dry_run: false,
            lock_wait: Duration::from_secs(60),
            lock_timeout: Duration::from_secs(5),
            statement_timeout: None,
            lock_retries: 3,
            retry_backoff: Duration::from_secs(1),
            allow_drift: false,
            dev_server: None,
            allow_hazards: BTreeSet::new(),
            stop: None,
        }
    }
}

/// How `rollback` behaves.
#[derive(Clone, Debug)]
pub struct RollbackOptions {
    /// Roll back to this revision (it stays applied); `None`: only the newest revision.
    pub to: Option<RevisionId>,
    /// Roll back not-reversible revisions too.
    pub force: bool,
    /// As for apply.
    pub lock_wait: Duration,
    /// As for apply.
    pub lock_timeout: Duration,
    /// As for apply.
    pub statement_timeout: Option<Duration>,
    /// As for apply.
    pub allow_drift: bool,
    /// As for apply.
    pub dev_server: Option<DbUrl>,
}

impl Default for RollbackOptions {
    fn default() -> Self {
        let a = ApplyOptions::default();
        RollbackOptions {
            to: None,
            force: false,
            lock_wait: a.lock_wait,
            lock_timeout: a.lock_timeout,
            statement_timeout: None,
            allow_drift: false,
            dev_server: None,
        }
    }
}

/// What happened to one revision in a run.
#[derive(Clone, Debug, Serialize)]
pub struct Done {
    /// The revision's id.
    pub id: RevisionId,
    /// Its message.
    pub message: String,
    /// Statements run.
    pub statements: usize,
    /// How long it took.
    pub duration_ms: u64,
    /// Attempts it took (more than one after lock timeouts).
    pub attempts: u32,
    /// Whether it resumed a revision an earlier run left half done.
    pub resumed: bool,
}

/// What a run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Revisions applied (or rolled back), in the order they ran.
    pub done: Vec<Done>,
    /// Whether everything was rolled back at the end (`--dry-run`).
    pub dry_run: bool,
    /// A dry run stops before a revision that cannot run inside a transaction; a run
    /// told to stop ([`ApplyOptions::stop`]) before the next revision.
    pub stopped_before: Option<RevisionId>,
    /// Drift that `--allow-drift` let through, one change per line.
    pub drift_allowed: Option<String>,
    /// What the user must know about the result (a forced rollback's lost data).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Hooks for progress display; every method has a do-nothing default.
pub trait Observer {
    /// The revisions about to run, in order (before the first starts).
    fn pending(&mut self, _revisions: &[&Revision]) {}
    /// A revision is about to run `statements` statements.
    fn revision_started(&mut self, _revision: &Revision, _statements: usize) {}
    /// A statement is about to run.
    fn statement_started(&mut self, _statement: &ScriptStatement) {}
    /// A statement finished.
    fn statement_finished(&mut self, _statement: &ScriptStatement, _elapsed: Duration) {}
    /// A revision finished.
    fn revision_finished(&mut self, _done: &Done) {}
    /// Waiting: for the lock, or before retrying after a lock timeout.
    fn waiting(&mut self, _why: &str) {}
}

/// An observer that shows nothing (tracing still logs).
pub struct Silent;
impl Observer for Silent {}

/// A database's state relative to plans/.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// Every history row, oldest first.
    pub applied: Vec<Applied>,
    /// Applied revisions no applied revision follows: where the database is.
    pub current: Vec<RevisionId>,
    /// Revisions plans/ has that the database has not applied, in apply order.
    pub pending: Vec<RevisionId>,
    /// A revision run outside a transaction that stopped part way, and how many of its
    /// statements are done.
    pub partial: Option<(RevisionId, i32)>,
    /// A revision whose down section (outside a transaction) stopped part way, and how
    /// many of its statements are done; `rollback` resumes it.
    pub rolling_back: Option<(RevisionId, i32)>,
    /// Applied revisions plans/ does not have.
    pub unknown: Vec<RevisionId>,
    /// Applied revisions whose file changed since.
    pub edited: Vec<RevisionId>,
    /// Whether the live schema differs from the one recorded after the last applied
    /// revision (`None`: nothing applied yet, or a revision is half done).
    pub drift: Option<bool>,
    /// The live schema's fingerprint.
    pub live_fingerprint: String,
}

/// Runs the revisions of a plans directory against databases: what an application
/// embeds to bring its database up to date at start-up or in a deploy job, with the
/// same lock, checks, hazard gate and report as `schemaplan apply`.
///
/// ```no_run
/// # async fn f() -> schemaplan::Result<()> {
/// use schemaplan::apply::Migrator;
/// // DATABASE_URL from the environment or .env, SQLAlchemy forms accepted.
/// let client = schemaplan::connect::connect_from_env().await?;
/// let report = Migrator::from_dir("plans")?.apply(&client).await?;
/// println!("{} revision(s) applied", report.done.len());
/// # Ok(()) }
/// ```
pub struct Migrator {
    history: History,
    dir: PathBuf,
    options: ApplyOptions,
    /// The tenant schema it manages (see [`Migrator::for_tenant`]); `None`: the
    /// database.
    tenant: Option<String>,
}

impl Migrator {
    /// Reads every revision in `dir`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrator> {
        let dir = dir.as_ref();
        Ok(Migrator {
            history: crate::plan::dir::load(dir)?,
            dir: dir.to_path_buf(),
            options: ApplyOptions::default(),
            tenant: None,
        })
    }

    /// Revisions embedded in the program as (file name, text), so a deployed binary
    /// needs no plans/ folder: see [`crate::embed_plans!`] and
    /// [`crate::build::embed_plans`].
    ///
    /// ```
    /// let plans: &[(&str, &str)] = &[];
    /// let migrator = schemaplan::apply::Migrator::from_embedded(plans).unwrap();
    /// assert!(migrator.history().is_empty());
    /// ```
    pub fn from_embedded(files: &[(&str, &str)]) -> Result<Migrator> {
        let label = PathBuf::from("plans (embedded)");
        let texts = files
            .iter()
            .map(|(name, text)| (label.join(name), text.to_string()))
            .collect();
        Ok(Migrator {
            history: crate::plan::dir::assemble(&label, texts)?,
            dir: label,
            options: ApplyOptions::default(),
            tenant: None,
        })
    }

    /// Wraps revisions already read; `label` names where they came from in messages.
    pub fn new(history: History, label: impl Into<PathBuf>) -> Migrator {
        Migrator {
            history,
            dir: label.into(),
            options: ApplyOptions::default(),
            tenant: None,
        }
    }

    /// The same revisions, written for schema `template`, run in tenant schema `tenant`
    /// instead: every statement is rewritten through its parse tree
    /// ([`crate::parse::tenant`]), the first revision starts by creating the schema
    /// when it is missing, and the history, the lock and the drift check are the
    /// tenant schema's own (`schemaplan.tenant_revisions`; a lock per schema; only that
    /// schema is read). A statement the rewrite cannot prove is refused when the
    /// revision's statements are read, before anything runs.
    pub fn for_tenant(&self, template: &str, tenant: &str) -> Migrator {
        let mut history = self.history.clone();
        history.set_tenancy(Some(&crate::plan::Tenancy {
            template: template.to_string(),
            tenant: Some(tenant.to_string()),
        }));
        Migrator {
            history,
            dir: self.dir.clone(),
            options: self.options.clone(),
            tenant: Some(tenant.to_string()),
        }
    }

    /// The tenant schema it manages; `None`: the database.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// Whose history it reads and writes.
    fn ledger(&self) -> history::Ledger<'_> {
        history::Ledger {
            tenant: self.tenant.as_deref(),
        }
    }

    /// The live schema it manages: the database's, or the tenant schema's.
    async fn live(&self, client: &Client, in_transaction: bool) -> Result<crate::model::Catalog> {
        crate::introspect::live_schema(client, self.tenant.as_deref(), in_transaction).await
    }

    /// The options [`Migrator::apply`] uses (default: [`ApplyOptions::default`]).
    ///
    /// ```
    /// use schemaplan::apply::{ApplyOptions, Migrator};
    /// use std::time::Duration;
    /// let migrator = Migrator::from_embedded(&[]).unwrap().with_options(ApplyOptions {
    ///     lock_wait: Duration::from_secs(300),
    ///     ..ApplyOptions::default()
    /// });
    /// # let _ = migrator;
    /// ```
    pub fn with_options(mut self, options: ApplyOptions) -> Migrator {
        self.options = options;
        self
    }

    /// The revisions.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The plans directory (or label).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The revision with this id, or with an id starting with it when only one does
    /// (ids are long; `apply --to 20261105` is enough when unambiguous).
    pub fn resolve(&self, id: &str) -> Result<&Revision> {
        if let Some(r) = self.history.get(&RevisionId(id.to_string())) {
            return Ok(r);
        }
        let matches: Vec<&Revision> = self
            .history
            .in_order()
            .filter(|r| r.id.0.starts_with(id))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            many => Err(Error::UnknownRevision {
                id: id.to_string(),
                dir: self.dir.display().to_string(),
                candidates: many.iter().map(|r| r.id.0.clone()).collect(),
            }),
        }
    }

    /// The applied revisions no applied revision follows: where the database is. Reads
    /// the history table only (no introspection, unlike [`Migrator::status`]).
    pub async fn current(&self, client: &Client) -> Result<Vec<RevisionId>> {
        Ok(current_heads(
            &history::read(client, self.ledger()).await?,
            &self.history,
        ))
    }

    /// Where a database stands: applied, pending, drift. Reads only; takes no lock.
    pub async fn status(&self, client: &Client) -> Result<Status> {
        let applied = history::read(client, self.ledger()).await?;
        let live = self.live(client, false).await?;
        let live_fingerprint = live.fingerprint();
        let ids: BTreeSet<RevisionId> = applied.iter().map(|a| RevisionId(a.id.clone())).collect();
        let partial = applied
            .iter()
            .find(|a| !a.complete())
            .map(|a| (RevisionId(a.id.clone()), a.statements_done.unwrap_or(0)));
        let rolling_back = applied
            .iter()
            .find_map(|a| a.rollback_done.map(|n| (RevisionId(a.id.clone()), n)));
        let complete: BTreeSet<RevisionId> = applied
            .iter()
            .filter(|a| a.complete())
            .map(|a| RevisionId(a.id.clone()))
            .collect();
        let pending = self
            .history
            .in_order()
            .filter(|r| !complete.contains(&r.id))
            .map(|r| r.id.clone())
            .collect();
        let unknown = ids
            .iter()
            .filter(|id| self.history.get(id).is_none())
            .cloned()
            .collect();
        let edited = applied
            .iter()
            .filter(|a| {
                self.history
                    .get(&RevisionId(a.id.clone()))
                    .is_some_and(|r| r.actual_checksum() != a.checksum)
            })
            .map(|a| RevisionId(a.id.clone()))
            .collect();
        let drift = match (
            partial.is_some() || rolling_back.is_some(),
            last_fingerprint(&applied),
        ) {
            (false, Some(recorded)) => Some(recorded != live_fingerprint),
            _ => None,
        };
        Ok(Status {
            current: current_heads(&applied, &self.history),
            applied,
            pending,
            partial,
            rolling_back,
            unknown,
            edited,
            drift,
            live_fingerprint,
        })
    }

    /// Applies every pending revision with the migrator's options, showing nothing
    /// (each revision and statement is still logged through `tracing`).
    pub async fn apply(&self, client: &Client) -> Result<Report> {
        self.apply_with(client, &self.options, &mut Silent).await
    }

    /// Applies pending revisions (all, or up to `opts.to`), telling `observer` as it
    /// goes. See the module docs.
    pub async fn apply_with(
        &self,
        client: &Client,
        opts: &ApplyOptions,
        observer: &mut dyn Observer,
    ) -> Result<Report> {
        let lock = lock::acquire(client, self.tenant(), opts.lock_wait, observer).await?;
        let result = run::apply(self, client, opts, observer).await;
        lock.release(client).await;
        result
    }

    /// Rolls back the newest applied revision, or every one after `opts.to` (or
    /// finishes a rollback that stopped part way): refused for a not-reversible revision
    /// unless forced, rehearsed in a transaction first, resumable. See `down.rs`.
    pub async fn rollback(
        &self,
        client: &Client,
        opts: &RollbackOptions,
        observer: &mut dyn Observer,
    ) -> Result<Report> {
        let lock = lock::acquire(client, self.tenant(), opts.lock_wait, observer).await?;
        let result = down::rollback(self, client, opts, observer).await;
        lock.release(client).await;
        result
    }

    /// Records `rev` and its ancestors as applied without running them (adopting a
    /// database whose schema already is what they build; Alembic's `stamp`). The live
    /// schema's fingerprint is recorded with them.
    pub async fn stamp(
        &self,
        client: &Client,
        rev: &RevisionId,
        lock_wait: Duration,
    ) -> Result<Vec<RevisionId>> {
        let lock = lock::acquire(client, self.tenant(), lock_wait, &mut Silent).await?;
        let result = run::stamp(self, client, rev).await;
        lock.release(client).await;
        result
    }
}

/// The fingerprint recorded after the last complete revision.
fn last_fingerprint(applied: &[Applied]) -> Option<&str> {
    applied
        .iter()
        .rev()
        .find(|a| a.complete())
        .and_then(|a| a.fingerprint.as_deref())
}

/// Applied revisions that no other applied revision names as a parent.
fn current_heads(applied: &[Applied], history: &History) -> Vec<RevisionId> {
    let done: BTreeSet<RevisionId> = applied
        .iter()
        .filter(|a| a.complete())
        .map(|a| RevisionId(a.id.clone()))
        .collect();
    let mut covered = BTreeSet::new();
    for id in &done {
        match history.get(id) {
            Some(r) => covered.extend(r.parents.iter().cloned()),
            None => {
                if let Some(a) = applied.iter().find(|a| a.id == id.0) {
                    covered.extend(a.parents.iter().map(|p| RevisionId(p.clone())));
                }
            }
        }
    }
    done.into_iter()
        .filter(|id| !covered.contains(id))
        .collect()
}

/// A duration as PostgreSQL's settings take it.
fn pg_duration(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}
