//! Fleets: the same plans applied to many databases, a few at a time, with one report.
//!
//! Input: a [`FleetSpec`] (the `[fleet]` table that `project::config` reads) and a
//! [`Migrator`]. [`resolve`] turns the spec into targets: URLs listed, `$VAR` names read
//! from the environment or `.env`, and what `databases_query` returns on the target
//! server. [`apply`] runs [`Migrator::apply_with`] on each target, so every one gets the
//! same lock, drift check, transaction per revision and hazard gate as a single apply;
//! [`status`] reads each one's [`Migrator::status`]. A target's failure goes into the
//! report, never ends the run early by itself. Prints nothing.
//!
//! Tenant schemas: with `each_schema` and `template_schema`, every schema matching the
//! pattern in each database is a target of its own, run by
//! [`Migrator::for_tenant`]: the statements rewritten for it, its own history, lock and
//! drift check.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use tracing::Instrument;

use super::history::{self, db, Applied};
use super::{current_heads, ApplyOptions, Migrator, Silent};
use crate::connect::{env_or_dotenv, is_database_url, DbUrl};
use crate::error::{Error, Result};
use crate::plan::RevisionId;

/// Where a fleet's databases come from: a `[fleet]` table.
///
/// ```toml
/// [fleet]
/// databases = ["postgres://app@db1/app", "$EU_DATABASE_URL"]
/// databases_query = "SELECT datname FROM pg_database WHERE datname LIKE 'customer_%' ORDER BY 1"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetSpec {
    /// The file the table is in, for messages.
    pub file: PathBuf,
    /// `databases`: URLs without passwords, or `$VAR` names of variables holding URLs.
    pub databases: Vec<Listed>,
    /// `databases_query`: run on the target database; returns database names on that
    /// server, or whole URLs.
    pub databases_query: Option<Listed>,
    /// `each_schema` and `template_schema`: the fleet's targets are tenant schemas.
    pub tenants: Option<Tenants>,
}

/// Tenant schemas: `each_schema = "tenant_*"` and `template_schema = "tenant"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenants {
    /// The pattern tenant schemas match (`*` any characters, `?` one).
    pub each_schema: Listed,
    /// The schema `schema/` and the revisions are written for.
    pub template: Listed,
}

impl Tenants {
    /// The pattern as a `LIKE` pattern.
    fn like(&self) -> String {
        let mut like = String::new();
        for c in self.each_schema.value.chars() {
            match c {
                '*' => like.push('%'),
                '?' => like.push('_'),
                '%' | '_' | '\\' => {
                    like.push('\\');
                    like.push(c);
                }
                c => like.push(c),
            }
        }
        like
    }
}

/// A value of the file and the line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// As written.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// One database of a fleet, or one tenant schema in one.
#[derive(Clone, Debug)]
pub struct Target {
    /// How to reach it.
    pub url: DbUrl,
    /// Its URL without the password: what reports call it.
    pub name: String,
    /// The tenant schema, for a fleet of tenant schemas.
    pub schema: Option<TenantSchema>,
}

/// A tenant schema a target is.
#[derive(Clone, Debug)]
pub struct TenantSchema {
    /// The schema the revisions are written for.
    pub template: String,
    /// The tenant's schema.
    pub name: String,
}

impl Target {
    /// For a tenant schema, `m` for it ([`Migrator::for_tenant`]); else `None`: `m`.
    fn tenant_migrator(&self, m: &Migrator) -> Option<Migrator> {
        self.schema
            .as_ref()
            .map(|t| m.for_tenant(&t.template, &t.name))
    }

    /// The tenant schema's name, if it is one.
    fn schema_name(&self) -> Option<String> {
        self.schema.as_ref().map(|t| t.name.clone())
    }
}

impl FleetSpec {
    fn bad(&self, line: usize, message: String) -> Error {
        Error::Refused {
            message: format!("{}:{line}: {message}", self.file.display()),
        }
    }
}

/// The fleet's targets, in order: `databases` as listed, then the rows of
/// `databases_query` as it returns them; a database named twice counts once. With
/// tenant schemas, each database's schemas matching `each_schema` (by name), the
/// target database's when no database is listed.
/// `dir` is where `.env` is read from; `server` is the target database the query runs
/// on (`--database` / `DATABASE_URL`), whose server holds the databases it names.
pub async fn resolve(spec: &FleetSpec, dir: &Path, server: Option<&DbUrl>) -> Result<Vec<Target>> {
    let databases = resolve_databases(spec, dir, server).await?;
    let Some(tenants) = &spec.tenants else {
        return Ok(databases);
    };
    let mut targets = Vec::new();
    for database in databases {
        let failed = |e: Error| {
            spec.bad(
                tenants.each_schema.line,
                format!("listing the schemas of {}: {e}", database.name),
            )
        };
        let client = database.url.connect().await.map_err(failed)?;
        let rows = client
            .query(
                "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1 AND nspname <> $2 \
                 ORDER BY nspname",
                &[&tenants.like(), &tenants.template.value],
            )
            .await
            .map_err(|e| failed(db("listing the schemas", &e)))?;
        for row in rows {
            targets.push(Target {
                url: database.url.clone(),
                name: database.name.clone(),
                schema: Some(TenantSchema {
                    template: tenants.template.value.clone(),
                    name: row.get(0),
                }),
            });
        }
    }
    if targets.is_empty() {
        return Err(spec.bad(
            tenants.each_schema.line,
            format!(
                "no schema matches each_schema = {:?} in the fleet's databases",
                tenants.each_schema.value
            ),
        ));
    }
    Ok(targets)
}

/// The fleet's databases (see [`resolve`]).
async fn resolve_databases(
    spec: &FleetSpec,
    dir: &Path,
    server: Option<&DbUrl>,
) -> Result<Vec<Target>> {
    let mut urls = Vec::new();
    for entry in &spec.databases {
        let url = match entry.value.strip_prefix('$') {
            Some(var) => env_or_dotenv(var, dir)?.ok_or_else(|| {
                spec.bad(
                    entry.line,
                    format!("${var} is not set (in the environment or .env)"),
                )
            })?,
            None => entry.value.clone(),
        };
        let url = DbUrl::parse(&url)
            .map_err(|e| spec.bad(entry.line, format!("{}: {e}", entry.value)))?;
        urls.push(url);
    }
    if let Some(query) = &spec.databases_query {
        let server = server.ok_or_else(|| {
            spec.bad(
                query.line,
                "databases_query runs on the target database: pass --database URL or set DATABASE_URL".to_string(),
            )
        })?;
        let failed = |e: Error| {
            spec.bad(
                query.line,
                format!("databases_query on {}: {e}", server.redacted()),
            )
        };
        let client = server.connect().await.map_err(failed)?;
        let rows = client
            .query(query.value.as_str(), &[])
            .await
            .map_err(|e| failed(db("running databases_query", &e)))?;
        for row in rows {
            let value: Option<String> = row.try_get(0).map_err(|_| {
                spec.bad(
                    query.line,
                    "databases_query must return one text column: database names or URLs"
                        .to_string(),
                )
            })?;
            let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            urls.push(if is_database_url(&value) {
                DbUrl::parse(&value).map_err(|e| {
                    spec.bad(
                        query.line,
                        format!("databases_query returned a bad URL: {e}"),
                    )
                })?
            } else {
                server.with_dbname(value.trim())
            });
        }
    }
    if urls.is_empty() && spec.databases_query.is_none() {
        // Tenant schemas of the target database.
        if let (Some(server), Some(_)) = (server, &spec.tenants) {
            urls.push(server.clone());
        } else if let Some(tenants) = &spec.tenants {
            return Err(spec.bad(
                tenants.each_schema.line,
                "the tenant schemas are in the target database: pass --database URL or set DATABASE_URL (or list `databases`)".to_string(),
            ));
        }
    }
    let mut seen = BTreeSet::new();
    let targets: Vec<Target> = urls
        .into_iter()
        .map(|url| Target {
            name: url.redacted(),
            url,
            schema: None,
        })
        .filter(|t| seen.insert(t.name.clone()))
        .collect();
    if targets.is_empty() {
        let line = spec.databases_query.as_ref().map_or(1, |q| q.line);
        return Err(spec.bad(line, "the fleet has no databases".to_string()));
    }
    Ok(targets)
}

/// How `apply --fleet` behaves.
#[derive(Clone, Debug)]
pub struct FleetOptions {
    /// How many targets are applied at the same time (at least 1).
    pub jobs: usize,
    /// The first `canary` targets are applied first; if any fails, no other starts.
    pub canary: usize,
    /// After more failures than this, no new target starts (those running finish).
    pub max_failures: usize,
    /// What each target's apply does. Without a `dev_server`, each target's own server
    /// replays revisions to show drift.
    pub apply: ApplyOptions,
}

/// What became of one target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetState {
    /// Revisions were applied.
    Applied,
    /// Nothing was pending.
    Unchanged,
    /// It could not be reached, or its apply failed (what it applied before stays).
    Failed,
    /// It was running when the fleet stopped (a canary or too many targets failed): it
    /// finished the revision it was running and started no other.
    Stopped,
    /// It was not started: a canary or too many targets failed.
    NotStarted,
}

impl std::fmt::Display for TargetState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TargetState::Applied => "applied",
            TargetState::Unchanged => "unchanged",
            TargetState::Failed => "failed",
            TargetState::Stopped => "stopped",
            TargetState::NotStarted => "not-started",
        })
    }
}

/// One target in the report.
#[derive(Clone, Debug, Serialize)]
pub struct TargetReport {
    /// The target's URL without its password.
    pub target: String,
    /// The tenant schema, for a fleet of tenant schemas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// What became of it.
    pub state: TargetState,
    /// Whether it was one of the canaries.
    pub canary: bool,
    /// Where it was before (its current revisions; empty: none applied); `None` when
    /// it was never read.
    pub from: Option<Vec<RevisionId>>,
    /// Where it is after; `None` when it could not be read.
    pub to: Option<Vec<RevisionId>>,
    /// Revisions this run applied to it, in the order they ran.
    pub applied: Vec<RevisionId>,
    /// How long it took, connecting included.
    pub duration_ms: u64,
    /// Why it failed or was not started.
    pub error: Option<String>,
}

/// How many targets ended in each state.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    /// Targets revisions were applied to.
    pub applied: usize,
    /// Targets with nothing pending.
    pub unchanged: usize,
    /// Targets that failed.
    pub failed: usize,
    /// Targets stopped between revisions.
    pub stopped: usize,
    /// Targets not started.
    pub not_started: usize,
}

/// What `apply --fleet` did: every target, in target order, and the totals.
#[derive(Clone, Debug, Serialize)]
pub struct FleetReport {
    /// Every target, in target order.
    pub targets: Vec<TargetReport>,
    /// The counts per state.
    pub totals: Totals,
    /// Why targets were left unstarted, when some were.
    pub stopped: Option<String>,
}

impl FleetReport {
    /// Whether every target was applied or had nothing pending.
    pub fn succeeded(&self) -> bool {
        self.totals.failed == 0 && self.totals.stopped == 0 && self.totals.not_started == 0
    }
}

/// Applies the pending revisions to every target, `opts.jobs` at a time: the canaries
/// first, then the rest in order, starting no new target once a canary failed or more
/// than `opts.max_failures` targets did. `finished` is told about each target as it
/// ends (in the order they end).
pub async fn apply(
    m: &Migrator,
    targets: &[Target],
    opts: &FleetOptions,
    finished: &mut dyn FnMut(&TargetReport),
) -> FleetReport {
    let mut reports: Vec<Option<TargetReport>> = vec![None; targets.len()];
    let canary = opts.canary.min(targets.len());
    let mut stopped = None;
    let failures = run_some(m, targets, 0..canary, 0, opts, &mut reports, finished).await;
    if failures > 0 {
        stopped = Some(format!(
            "{failures} of {canary} canary target(s) failed: no other target was started"
        ));
    } else {
        let failures = run_some(
            m,
            targets,
            canary..targets.len(),
            opts.max_failures,
            opts,
            &mut reports,
            finished,
        )
        .await;
        if failures > opts.max_failures && reports.iter().any(Option::is_none) {
            stopped = Some(format!(
                "{failures} target(s) failed, more than --max-failures {}: no further target was started",
                opts.max_failures
            ));
        }
    }
    let mut totals = Totals::default();
    let targets: Vec<TargetReport> = reports
        .into_iter()
        .zip(targets)
        .enumerate()
        .map(|(i, (report, target))| {
            let report = report.unwrap_or_else(|| TargetReport {
                target: target.name.clone(),
                schema: target.schema_name(),
                state: TargetState::NotStarted,
                canary: i < canary,
                from: None,
                to: None,
                applied: Vec::new(),
                duration_ms: 0,
                error: stopped.clone(),
            });
            match report.state {
                TargetState::Applied => totals.applied += 1,
                TargetState::Unchanged => totals.unchanged += 1,
                TargetState::Failed => totals.failed += 1,
                TargetState::Stopped => totals.stopped += 1,
                TargetState::NotStarted => totals.not_started += 1,
            }
            report
        })
        .collect();
    FleetReport {
        targets,
        totals,
        stopped,
    }
}

/// Applies `range` of `targets`, `opts.jobs` at a time, starting none once more than
/// `allowed` failed, and telling those running to stop after their current revision;
/// returns how many failed.
async fn run_some(
    m: &Migrator,
    targets: &[Target],
    range: Range<usize>,
    allowed: usize,
    opts: &FleetOptions,
    reports: &mut [Option<TargetReport>],
    finished: &mut dyn FnMut(&TargetReport),
) -> usize {
    let canaries = opts.canary;
    let mut next = range.start;
    let mut failures = 0;
    let stop = Arc::new(AtomicBool::new(false));
    let apply = ApplyOptions {
        stop: Some(stop.clone()),
        ..opts.apply.clone()
    };
    let apply = &apply;
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < opts.jobs.max(1) && next < range.end && failures <= allowed {
            let i = next;
            next += 1;
            // Log lines of targets running together say which target they are about.
            let span = tracing::info_span!("target", database = %targets[i].name);
            running.push(
                async move { (i, apply_one(m, &targets[i], i < canaries, apply).await) }
                    .instrument(span),
            );
        }
        let Some((i, report)) = running.next().await else {
            break;
        };
        if report.state == TargetState::Failed {
            failures += 1;
            if failures > allowed {
                stop.store(true, Ordering::SeqCst);
            }
        }
        finished(&report);
        reports[i] = Some(report);
    }
    failures
}

/// One target: connect, read where it is, apply, read where it got to.
async fn apply_one(
    m: &Migrator,
    target: &Target,
    canary: bool,
    opts: &ApplyOptions,
) -> TargetReport {
    let started = Instant::now();
    let mut before = None;
    let mut after = None;
    let tenant = target.tenant_migrator(m);
    let m = tenant.as_ref().unwrap_or(m);
    let ledger = history::Ledger { tenant: m.tenant() };
    let result = async {
        let client = target.url.connect().await?;
        before = Some(history::read(&client, ledger).await?);
        let opts = ApplyOptions {
            dev_server: opts.dev_server.clone().or_else(|| Some(target.url.clone())),
            ..opts.clone()
        };
        let run = m.apply_with(&client, &opts, &mut Silent).await;
        // Read even after a failure: what it applied before the failing revision stays.
        after = history::read(&client, ledger).await.ok();
        run
    }
    .await;
    let heads = |rows: &Option<Vec<Applied>>| rows.as_ref().map(|r| current_heads(r, &m.history));
    let complete = |rows: &Option<Vec<Applied>>| -> BTreeSet<String> {
        rows.iter()
            .flatten()
            .filter(|a| a.complete())
            .map(|a| a.id.clone())
            .collect()
    };
    let (was, is) = (complete(&before), complete(&after));
    let applied: Vec<RevisionId> = m
        .history
        .in_order()
        .filter(|r| is.contains(&r.id.0) && !was.contains(&r.id.0))
        .map(|r| r.id.clone())
        .collect();
    let (state, error) = match result {
        Ok(super::Report {
            stopped_before: Some(next),
            ..
        }) => (
            TargetState::Stopped,
            Some(format!(
                "the fleet stopped after another target failed: {next} was not started (run again to apply it)"
            )),
        ),
        Ok(_) if applied.is_empty() => (TargetState::Unchanged, None),
        Ok(_) => (TargetState::Applied, None),
        Err(e) => (TargetState::Failed, Some(e.to_string())),
    };
    TargetReport {
        target: target.name.clone(),
        schema: target.schema_name(),
        state,
        canary,
        from: heads(&before),
        to: heads(&after),
        applied,
        duration_ms: started.elapsed().as_millis() as u64,
        error,
    }
}

/// Where one target stands.
#[derive(Clone, Debug, Serialize)]
pub struct TargetStatus {
    /// The target's URL without its password.
    pub target: String,
    /// The tenant schema, for a fleet of tenant schemas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Its current revisions (empty: none applied).
    pub current: Vec<RevisionId>,
    /// Revisions plans/ has that it has not applied.
    pub pending: Vec<RevisionId>,
    /// Whether its live schema differs from the recorded one (`None`: nothing
    /// recorded yet, or a revision half done).
    pub drift: Option<bool>,
    /// A revision outside a transaction that stopped part way.
    pub partial: Option<RevisionId>,
    /// Applied revisions plans/ does not have, or whose file changed since.
    pub unknown_or_edited: Vec<RevisionId>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// A target as reports name it: its URL, and its tenant schema when it is one.
fn label(target: &str, schema: Option<&str>) -> String {
    match schema {
        Some(s) => format!("{target} schema {s}"),
        None => target.to_string(),
    }
}

impl TargetReport {
    /// The target as reports name it.
    pub fn label(&self) -> String {
        label(&self.target, self.schema.as_deref())
    }
}

impl TargetStatus {
    /// The target as reports name it.
    pub fn label(&self) -> String {
        label(&self.target, self.schema.as_deref())
    }

    /// Whether it is at the head with nothing to report.
    pub fn in_sync(&self) -> bool {
        self.error.is_none()
            && self.pending.is_empty()
            && self.drift != Some(true)
            && self.partial.is_none()
            && self.unknown_or_edited.is_empty()
    }
}

/// Targets at the same revisions.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The revisions (empty: none applied; `None`: targets that could not be read).
    pub current: Option<Vec<RevisionId>>,
    /// Its targets, in target order.
    pub targets: Vec<String>,
}

/// Where every target of a fleet stands.
#[derive(Clone, Debug, Serialize)]
pub struct FleetStatus {
    /// The heads of plans/.
    pub heads: Vec<RevisionId>,
    /// Every target, in target order.
    pub targets: Vec<TargetStatus>,
    /// The targets grouped by their current revisions, the head's group first, then
    /// by how many targets they hold; unreadable targets last.
    pub groups: Vec<Group>,
}

impl FleetStatus {
    /// Whether every target is at the head, without drift.
    pub fn in_sync(&self) -> bool {
        self.targets.iter().all(TargetStatus::in_sync)
    }
}

/// Reads where every target stands, `jobs` at a time. Takes no lock.
pub async fn status(m: &Migrator, targets: &[Target], jobs: usize) -> FleetStatus {
    let mut statuses: Vec<Option<TargetStatus>> = vec![None; targets.len()];
    let mut next = 0;
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < jobs.max(1) && next < targets.len() {
            let i = next;
            next += 1;
            running.push(async move { (i, status_one(m, &targets[i]).await) });
        }
        let Some((i, status)) = running.next().await else {
            break;
        };
        statuses[i] = Some(status);
    }
    let targets: Vec<TargetStatus> = statuses.into_iter().flatten().collect();
    let heads: Vec<RevisionId> = m.history.heads().iter().map(|r| r.id.clone()).collect();
    let mut groups: Vec<Group> = Vec::new();
    for t in &targets {
        let current = t.error.is_none().then(|| t.current.clone());
        match groups.iter_mut().find(|g| g.current == current) {
            Some(g) => g.targets.push(t.label()),
            None => groups.push(Group {
                current,
                targets: vec![t.label()],
            }),
        }
    }
    groups.sort_by_key(|g| {
        (
            g.current.is_none(),
            g.current.as_ref() != Some(&heads),
            std::cmp::Reverse(g.targets.len()),
        )
    });
    FleetStatus {
        heads,
        targets,
        groups,
    }
}

async fn status_one(m: &Migrator, target: &Target) -> TargetStatus {
    let tenant = target.tenant_migrator(m);
    let m = tenant.as_ref().unwrap_or(m);
    let read = async {
        let client = target.url.connect().await?;
        m.status(&client).await
    };
    match read.await {
        Ok(s) => TargetStatus {
            target: target.name.clone(),
            schema: target.schema_name(),
            current: s.current,
            pending: s.pending,
            drift: s.drift,
            partial: s.partial.map(|(id, _)| id),
            unknown_or_edited: s.unknown.into_iter().chain(s.edited).collect(),
            error: None,
        },
        Err(e) => TargetStatus {
            target: target.name.clone(),
            schema: target.schema_name(),
            current: Vec::new(),
            pending: Vec::new(),
            drift: None,
            partial: None,
            unknown_or_edited: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}
