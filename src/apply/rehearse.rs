//! `apply --rehearse`: the pending revisions run on a copy of the target first.
//!
//! Input: a migrator, the target's URL (copied with `CREATE DATABASE ... TEMPLATE`) or
//! the URL of a copy the user restored. Output: a [`Rehearsal`]: each pending
//! revision applied to the copy, one at a time, with each statement's duration and the
//! tables it rewrote (their `relfilenode` changed) and the locks blocking writes that
//! its session held (`pg_locks`, sampled from a second session); then every one of them
//! rolled back
//! through its down section, and whether the copy's schema came back to its starting
//! fingerprint. A copy schemaplan made is dropped at the end, whatever happened. The
//! target itself is only read from (as the template).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use tokio_postgres::Client;

use super::history::db;
use super::{ApplyOptions, Migrator, Observer, RollbackOptions, Silent, GATED_HAZARDS};
use crate::connect::DbUrl;
use crate::error::{Error, Result};
use crate::model::Ident;
use crate::parse::ScriptStatement;

/// What a rehearsal found.
#[derive(Clone, Debug, Serialize)]
pub struct Rehearsal {
    /// The database rehearsed on (its URL without the password).
    pub copy: String,
    /// Whether schemaplan made the copy (and dropped it after).
    pub made_copy: bool,
    /// The copy's schema fingerprint before anything ran.
    pub start_fingerprint: String,
    /// Each pending revision as it ran on the copy, in order.
    pub revisions: Vec<RevisionRun>,
    /// Why applying stopped, if it did (the rest was not rehearsed).
    pub apply_error: Option<String>,
    /// How many revisions were rolled back.
    pub rolled_back: usize,
    /// Why the rollback stopped, if it did.
    pub rollback_error: Option<String>,
    /// The copy's schema fingerprint after the rollback.
    pub end_fingerprint: String,
}

impl Rehearsal {
    /// Whether everything applied, rolled back, and ended where it started.
    pub fn converged(&self) -> bool {
        self.apply_error.is_none()
            && self.rollback_error.is_none()
            && self.start_fingerprint == self.end_fingerprint
    }
}

/// One revision applied on the copy.
#[derive(Clone, Debug, Serialize)]
pub struct RevisionRun {
    /// Its id.
    pub id: String,
    /// Its message.
    pub message: String,
    /// Its statements, in order, with how long each took.
    pub statements: Vec<StatementRun>,
    /// How long the whole revision took, in milliseconds.
    pub duration_ms: u64,
    /// Tables (and materialized views) whose storage it replaced: rewritten.
    pub rewrote: Vec<String>,
    /// Locks that block writes which its session was seen holding (`pg_locks`
    /// sampled from a second session while it ran).
    pub locks: Vec<LockHeld>,
}

/// A lock a revision's session was seen holding.
#[derive(Clone, Debug, Serialize)]
pub struct LockHeld {
    /// The relation (`public.users`).
    pub relation: String,
    /// `AccessExclusiveLock`, `ShareLock`, ...
    pub mode: String,
    /// From the first to the last sample that saw it, plus one sampling interval, in
    /// milliseconds (a lock taken in a transaction is held until it commits).
    pub ms: u64,
    /// The statement (its index in the revision's statements) running when it was
    /// first seen: the one that took it.
    pub statement: usize,
}

/// How often `pg_locks` is sampled while a revision runs.
const SAMPLE_EVERY: Duration = Duration::from_millis(5);

// Relation locks that block writes, granted to one session, on user relations.
const LOCKS: &str = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), l.mode \
     FROM pg_locks AS l JOIN pg_class AS c ON c.oid = l.relation \
     JOIN pg_namespace AS n ON n.oid = c.relnamespace \
     WHERE l.pid = $1 AND l.granted AND l.locktype = 'relation' \
     AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock') \
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemaplan') \
     AND n.nspname NOT LIKE 'pg\\_toast%'";

/// Samples the locks `pid` holds until told to stop; returns each (relation, mode)
/// with how long it was seen and the statement running (`running`, the number of
/// statements finished) when it first was.
async fn sample_locks(
    url: DbUrl,
    pid: i32,
    running: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> Result<Vec<LockHeld>> {
    type Seen = (std::time::Instant, std::time::Instant, usize);
    let client = url.connect().await?;
    let mut seen: BTreeMap<(String, String), Seen> = BTreeMap::new();
    loop {
        let now = std::time::Instant::now();
        let statement = running.load(std::sync::atomic::Ordering::SeqCst);
        for r in client
            .query(LOCKS, &[&pid])
            .await
            .map_err(|e| db("sampling pg_locks", &e))?
        {
            seen.entry((r.get(0), r.get(1)))
                .and_modify(|(_, last, _)| *last = now)
                .or_insert((now, now, statement));
        }
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(SAMPLE_EVERY) => {}
        }
    }
    Ok(seen
        .into_iter()
        .map(|((relation, mode), (first, last, statement))| LockHeld {
            relation,
            mode,
            ms: (last - first + SAMPLE_EVERY).as_millis() as u64,
            statement,
        })
        .collect())
}

/// One statement run on the copy.
#[derive(Clone, Debug, Serialize)]
pub struct StatementRun {
    /// Its first line, shortened.
    pub sql: String,
    /// Its line in the revision file.
    pub line: usize,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
    /// The locks blocking writes it took (first seen while it ran).
    pub locks: Vec<LockHeld>,
}

/// Records each statement's duration, and how many have finished for the lock sampler.
#[derive(Default)]
struct Timings {
    runs: Vec<StatementRun>,
    finished: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Observer for Timings {
    fn statement_finished(&mut self, statement: &ScriptStatement, elapsed: Duration) {
        let first = statement.sql.lines().next().unwrap_or("").trim();
        let mut sql: String = first.chars().take(100).collect();
        if sql.len() < statement.sql.trim().len() {
            sql.push_str(" ...");
        }
        self.runs.push(StatementRun {
            sql,
            line: statement.location.line,
            duration_ms: elapsed.as_secs_f64() * 1000.0,
            locks: Vec::new(),
        });
        self.finished
            .store(self.runs.len(), std::sync::atomic::Ordering::SeqCst);
    }
}

/// Rehearses the pending revisions on `copy`, or on a copy of `target` made for the
/// purpose (and dropped after).
pub async fn rehearse(
    migrator: &Migrator,
    target: &DbUrl,
    copy: Option<&DbUrl>,
    opts: &ApplyOptions,
) -> Result<Rehearsal> {
    let Some(url) = copy else {
        let url = make_copy(target).await?;
        let result = rehearse_on(migrator, &url, opts, true).await;
        let dropped = drop_copy(target, &url).await;
        let rehearsal = result?;
        dropped?;
        return Ok(rehearsal);
    };
    rehearse_on(migrator, url, opts, false).await
}

/// A database on the target's server to rehearse on, connected to the maintenance
/// database (a template may have no other session while it is copied).
async fn admin(target: &DbUrl) -> Result<Client> {
    maintenance(target).connect().await
}

/// The maintenance database of the target's server (`postgres`, or `template1` when the
/// target is `postgres`).
fn maintenance(target: &DbUrl) -> DbUrl {
    target.with_dbname(if target.dbname() == "postgres" {
        "template1"
    } else {
        "postgres"
    })
}

async fn make_copy(target: &DbUrl) -> Result<DbUrl> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let name = format!("schemaplan_rehearse_{}_{millis}", std::process::id());
    let client = admin(target).await?;
    let sql = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        Ident(&name),
        Ident(&target.dbname())
    );
    // Registered before it exists: a Ctrl-C right after CREATE DATABASE returns must
    // still drop it (through the target's server, never the copy itself).
    crate::devdb::register_scratch(&name, &maintenance(target));
    client.batch_execute(&sql).await.map_err(|e| {
        let why = match e.as_db_error() {
            Some(d) => d.message().to_string(),
            None => e.to_string(),
        };
        Error::Refused {
            message: format!(
                "cannot copy {} to rehearse on ({why}): CREATE DATABASE ... TEMPLATE needs \
                 the CREATEDB privilege and no other session connected to the database; \
                 restore a copy yourself and pass --rehearse-url URL",
                target.redacted()
            ),
        }
    })?;
    tracing::info!("rehearsing on {name}, a copy of {}", target.redacted());
    Ok(target.with_dbname(&name))
}

async fn drop_copy(target: &DbUrl, copy: &DbUrl) -> Result<()> {
    crate::devdb::drop_registered(&copy.dbname(), &maintenance(target)).await
}

// Tables and materialized views outside the system and schemaplan's own schemas, with
// their storage (a rewrite gives a table a new relfilenode).
const STORAGE: &str =
    "SELECT c.oid::int8, quote_ident(n.nspname) || '.' || quote_ident(c.relname), \
     c.relfilenode::int8 \
     FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN \
     ('pg_catalog', 'information_schema', 'schemaplan', 'schemaplan_trash') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

async fn storage(client: &Client) -> Result<BTreeMap<i64, (String, i64)>> {
    Ok(client
        .query(STORAGE, &[])
        .await
        .map_err(|e| db("reading table storage", &e))?
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect())
}

async fn rehearse_on(
    migrator: &Migrator,
    url: &DbUrl,
    opts: &ApplyOptions,
    made_copy: bool,
) -> Result<Rehearsal> {
    let client = url.connect().await?;
    let start_fingerprint = migrator.live(&client, false).await?.fingerprint();
    let pending = migrator.status(&client).await?.pending;
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .map_err(|e| db("reading the session's pid", &e))?
        .get(0);
    // On a copy, every hazard may run: the point is to see what it does.
    let mut apply = opts.clone();
    apply.dry_run = false;
    apply.allow_hazards.extend(GATED_HAZARDS);
    let mut revisions = Vec::new();
    let mut apply_error = None;
    for id in pending {
        if revisions
            .last()
            .is_some_and(|r: &RevisionRun| opts.to.as_ref().is_some_and(|to| to.0 == r.id))
        {
            break;
        }
        let before = storage(&client).await?;
        let mut timings = Timings::default();
        apply.to = Some(id.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let sampler = tokio::spawn(sample_locks(
            url.clone(),
            pid,
            timings.finished.clone(),
            stopped,
        ));
        let report = migrator.apply_with(&client, &apply, &mut timings).await;
        let _ = stop.send(());
        let locks = match sampler.await {
            Ok(Ok(locks)) => locks,
            Ok(Err(e)) => {
                tracing::warn!("lock sampling failed: {e}");
                Vec::new()
            }
            Err(e) => {
                tracing::warn!("lock sampling failed: {e}");
                Vec::new()
            }
        };
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                apply_error = Some(format!("{id}: {e}"));
                break;
            }
        };
        let after = storage(&client).await?;
        let rewrote = after
            .iter()
            .filter(|(oid, (_, node))| before.get(oid).is_some_and(|(_, old)| old != node))
            .map(|(_, (name, _))| name.clone())
            .collect();
        let done = report.done.iter().find(|d| d.id == id);
        let mut statements = timings.runs;
        for l in &locks {
            if let Some(s) = statements.get_mut(l.statement) {
                s.locks.push(l.clone());
            }
        }
        revisions.push(RevisionRun {
            message: done.map(|d| d.message.clone()).unwrap_or_default(),
            duration_ms: done.map(|d| d.duration_ms).unwrap_or_default(),
            id: id.0,
            statements,
            rewrote,
            locks,
        });
    }
    // Back through the down sections, newest first, one revision at a time.
    let back = RollbackOptions {
        lock_wait: opts.lock_wait,
        lock_timeout: opts.lock_timeout,
        statement_timeout: opts.statement_timeout,
        allow_drift: opts.allow_drift,
        dev_server: opts.dev_server.clone(),
        ..RollbackOptions::default()
    };
    let mut rolled_back = 0;
    let mut rollback_error = None;
    for _ in 0..revisions.len() {
        match migrator.rollback(&client, &back, &mut Silent).await {
            Ok(r) => rolled_back += r.done.len(),
            Err(e) => {
                rollback_error = Some(e.to_string());
                break;
            }
        }
    }
    let end_fingerprint = migrator.live(&client, false).await?.fingerprint();
    Ok(Rehearsal {
        copy: url.redacted(),
        made_copy,
        start_fingerprint,
        revisions,
        apply_error,
        rolled_back,
        rollback_error,
        end_fingerprint,
    })
}
