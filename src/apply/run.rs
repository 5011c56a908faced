//! The runs behind [`super::Migrator`]: apply and stamp (rollback is in `down.rs`), and
//! the helpers they share. Each is called with the apply lock held.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use super::history::{self, db, Applied};
use super::{
    last_fingerprint, pg_duration, ApplyOptions, Done, Migrator, Observer, Report, GATED_HAZARDS,
};
use crate::connect::DbUrl;
use crate::error::{Error, Result};
use crate::parse::{ScriptStatement, TransactionUse};
use crate::plan::{Revision, RevisionId};
use crate::render::Hazard;

/// Session settings for a run: a name other sessions see, the timeouts, and a check
/// that ends the session's work soon after the client is gone (killed deploy).
pub(super) async fn prepare(
    m: &Migrator,
    client: &Client,
    lock_timeout: Duration,
    statement_timeout: Option<Duration>,
) -> Result<()> {
    let sql = format!(
        "SET application_name = 'schemaplan'; SET client_min_messages = warning; \
         SET lock_timeout = '{}'; SET statement_timeout = '{}'",
        pg_duration(lock_timeout),
        statement_timeout.map_or("0".to_string(), pg_duration),
    );
    client
        .batch_execute(&sql)
        .await
        .map_err(|e| db("preparing the session", &e))?;
    // PostgreSQL 14 and later: notice a vanished client during a long statement.
    if client
        .batch_execute("SET client_connection_check_interval = '1s'")
        .await
        .is_err()
    {
        tracing::debug!("client_connection_check_interval not available");
    }
    let ledger = m.ledger();
    let created = client.batch_execute(&ledger.create()).await;
    if created.is_err() {
        rollback_quietly(client).await;
    }
    created.map_err(|e| {
        db(
            &format!("creating the history table {}", ledger.table()),
            &e,
        )
    })
}

/// Every applied revision still exists in plans/ with the checksum it was applied with.
pub(super) fn verify(m: &Migrator, applied: &[Applied]) -> Result<()> {
    for a in applied {
        let id = RevisionId(a.id.clone());
        let Some(r) = m.history.get(&id) else {
            return Err(Error::AppliedNotInPlans {
                id: a.id.clone(),
                dir: m.dir.display().to_string(),
            });
        };
        let actual = r.actual_checksum();
        if actual != a.checksum {
            return Err(Error::AppliedEdited {
                id: a.id.clone(),
                path: r.path.clone(),
                recorded: a.checksum.clone(),
                actual,
            });
        }
    }
    Ok(())
}

/// Compares the live schema with the one recorded after the last applied revision.
/// Returns the differences that `allow` let through.
pub(super) async fn check_drift(
    m: &Migrator,
    client: &Client,
    applied: &[Applied],
    allow: bool,
    dev: Option<&DbUrl>,
) -> Result<Option<String>> {
    if applied
        .iter()
        .any(|a| !a.complete() || a.rollback_done.is_some())
    {
        // Half way through a revision or its rollback: the recorded fingerprint says
        // nothing yet.
        return Ok(None);
    }
    let live = m.live(client, false).await?;
    let Some(recorded) = last_fingerprint(applied) else {
        if applied.is_empty() {
            // The schema the objects go in is not one of them: `public`, or the tenant's.
            let home = m.tenant().unwrap_or("public");
            let objects = live.object_count() - usize::from(live.schemas.contains_key(home));
            if objects > 0 && !allow {
                return Err(Error::NotAdopted { objects });
            }
        }
        return Ok(None);
    };
    let fingerprint = live.fingerprint();
    if fingerprint == recorded {
        return Ok(None);
    }
    let differences = match dev {
        Some(server) => drift_details(m, applied, &live, server).await,
        None => String::new(),
    };
    tracing::warn!(recorded, live = %fingerprint, "drift");
    if allow {
        return Ok(Some(differences));
    }
    Err(Error::Drift {
        recorded: recorded.to_string(),
        live: fingerprint,
        differences,
    })
}

/// What the live schema has that the applied revisions do not build, one line per
/// change; empty when the revisions cannot be replayed (no rights to create a scratch
/// database, say).
async fn drift_details(
    m: &Migrator,
    applied: &[Applied],
    live: &crate::model::Catalog,
    server: &DbUrl,
) -> String {
    let ids: BTreeSet<&str> = applied.iter().map(|a| a.id.as_str()).collect();
    let revisions = m
        .history
        .in_order()
        .filter(|r| ids.contains(r.id.0.as_str()));
    let replayed = match crate::plan::up_scripts(revisions) {
        Ok(scripts) => crate::devdb::run_scripts(&scripts, server).await,
        Err(e) => Err(e),
    };
    match replayed {
        Ok(expected) => crate::diff::diff(&expected, live)
            .iter()
            .map(|c| format!("  {}", crate::plan::merge::describe(c)))
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => {
            tracing::warn!("could not replay the applied revisions to show the drift: {e}");
            String::new()
        }
    }
}

/// Runs one statement, timed and logged.
pub(super) async fn execute(
    client: &Client,
    revision: &Revision,
    s: &ScriptStatement,
    observer: &mut dyn Observer,
) -> std::result::Result<(), tokio_postgres::Error> {
    observer.statement_started(s);
    let started = Instant::now();
    let result = client.batch_execute(&s.sql).await;
    let elapsed = started.elapsed();
    match &result {
        Ok(()) => tracing::info!(
            revision = %revision.id,
            line = s.location.line,
            duration_ms = elapsed.as_millis() as u64,
            "{}",
            crate::error::one_line(&s.sql)
        ),
        Err(e) => tracing::error!(
            revision = %revision.id,
            line = s.location.line,
            duration_ms = elapsed.as_millis() as u64,
            "{}: {}",
            crate::error::one_line(&s.sql),
            e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())
        ),
    }
    observer.statement_finished(s, elapsed);
    result
}

/// A failed statement, as the error the user reads.
pub(super) fn failure(
    revision: &Revision,
    s: &ScriptStatement,
    e: &tokio_postgres::Error,
    applied: &[Done],
    outcome: String,
) -> Error {
    Error::ApplyFailed {
        revision: format!("{} ({})", revision.id, revision.message),
        refusal: crate::error::Refusal::new(&s.location, &s.sql, e),
        applied: applied.iter().map(|d| d.id.0.clone()).collect(),
        outcome,
    }
}

fn is_lock_timeout(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE)
}

/// After a failed attempt: when it was a lock timeout and retries are left, says so,
/// waits (the pause doubling each time) and returns true.
async fn wait_to_retry(
    e: &tokio_postgres::Error,
    r: &Revision,
    s: &ScriptStatement,
    attempt: u32,
    opts: &ApplyOptions,
    observer: &mut dyn Observer,
) -> bool {
    if !is_lock_timeout(e) || attempt > opts.lock_retries {
        return false;
    }
    let pause = opts.retry_backoff * 2u32.pow(attempt - 1);
    let why = format!(
        "revision {}: lock timeout at line {}; retry {attempt} of {} in {} ms",
        r.id,
        s.location.line,
        opts.lock_retries,
        pause.as_millis()
    );
    tracing::warn!("{why}");
    observer.waiting(&why);
    tokio::time::sleep(pause).await;
    true
}

/// Runs one group of a revision's statements (see [`group_end`]): a statement that must
/// run alone, or a run of statements in one transaction, and records the progress
/// `progress` writes (in that transaction when there is one). On failure, the statement
/// that failed; an open transaction is left for the caller to roll back.
pub(super) async fn run_group<'s, F>(
    client: &Client,
    r: &Revision,
    group: &'s [ScriptStatement],
    observer: &mut dyn Observer,
    progress: impl FnOnce() -> F,
) -> std::result::Result<(), (&'s ScriptStatement, tokio_postgres::Error)>
where
    F: std::future::Future<Output = std::result::Result<(), tokio_postgres::Error>>,
{
    let first = &group[0];
    let last = &group[group.len() - 1];
    if first.transaction == TransactionUse::Alone {
        prepare_alone(client, first).await.map_err(|e| (first, e))?;
        execute(client, r, first, observer)
            .await
            .map_err(|e| (first, e))?;
        return progress().await.map_err(|e| (first, e));
    }
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| (first, e))?;
    for s in group {
        execute(client, r, s, observer).await.map_err(|e| (s, e))?;
    }
    progress().await.map_err(|e| (last, e))?;
    client.batch_execute("COMMIT").await.map_err(|e| (last, e))
}

pub(super) async fn rollback_quietly(client: &Client) {
    let _ = client.batch_execute("ROLLBACK").await;
}

async fn insert_row(
    m: &Migrator,
    client: &Client,
    r: &Revision,
    duration: Duration,
    fingerprint: Option<&str>,
    statements_done: Option<i32>,
) -> std::result::Result<(), tokio_postgres::Error> {
    let parents: Vec<&str> = r.parents.iter().map(|p| p.0.as_str()).collect();
    let ledger = m.ledger();
    let (key, value) = ledger.key_columns();
    let sql = format!(
        "INSERT INTO {} \
           ({key}id, parents, checksum, message, duration_ms, fingerprint, statements_done) \
         VALUES ({value}$1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT ({key}id) DO UPDATE SET parents = EXCLUDED.parents, \
           checksum = EXCLUDED.checksum, message = EXCLUDED.message, \
           duration_ms = EXCLUDED.duration_ms, fingerprint = EXCLUDED.fingerprint, \
           statements_done = EXCLUDED.statements_done, applied_at = now(), \
           applied_by = current_user",
        ledger.table()
    );
    client
        .execute(
            sql.as_str(),
            &[
                &r.id.0,
                &parents,
                &r.actual_checksum(),
                &r.message,
                &(duration.as_millis() as i64),
                &fingerprint,
                &statements_done,
            ],
        )
        .await
        .map(|_| ())
}

pub(super) async fn apply(
    m: &Migrator,
    client: &Client,
    opts: &ApplyOptions,
    observer: &mut dyn Observer,
) -> Result<Report> {
    prepare(m, client, opts.lock_timeout, opts.statement_timeout).await?;
    let applied = history::read(client, m.ledger()).await?;
    verify(m, &applied)?;
    if let Some(a) = applied.iter().find(|a| a.rollback_done.is_some()) {
        return Err(Error::Database {
            context: format!("applying {}", m.dir.display()),
            message: format!(
                "the rollback of revision {} stopped at statement {}: run `schemaplan rollback` \
                 to finish it first",
                a.id,
                a.rollback_done.unwrap_or(0) + 1
            ),
        });
    }
    let target: Option<BTreeSet<RevisionId>> = match &opts.to {
        Some(to) => Some(m.history.ancestors(&m.resolve(&to.0)?.id)),
        None => {
            let heads = m.history.heads();
            if heads.len() > 1 {
                return Err(Error::DivergentHeads {
                    dir: m.dir.display().to_string(),
                    heads: heads
                        .iter()
                        .map(|h| format!("{} ({})", h.id, h.message))
                        .collect(),
                });
            }
            None
        }
    };
    let drift_allowed = check_drift(
        m,
        client,
        &applied,
        opts.allow_drift,
        opts.dev_server.as_ref(),
    )
    .await?;
    let complete: BTreeSet<&str> = applied
        .iter()
        .filter(|a| a.complete())
        .map(|a| a.id.as_str())
        .collect();
    let partial = applied
        .iter()
        .find(|a| !a.complete())
        .map(|a| (a.id.clone(), a.statements_done.unwrap_or(0)));
    let pending: Vec<&Revision> = m
        .history
        .in_order()
        .filter(|r| !complete.contains(r.id.0.as_str()))
        .filter(|r| target.as_ref().is_none_or(|t| t.contains(&r.id)))
        .collect();
    tracing::info!(
        applied = complete.len(),
        pending = pending.len(),
        "{} revision(s) pending",
        pending.len()
    );
    if m.tenant.is_some() {
        // Every pending revision's statements rewritten for the tenant before the first
        // runs: one the rewrite cannot prove stops the run with nothing applied.
        for r in &pending {
            r.up()?;
        }
    }
    check_roles(client, &pending).await?;
    if !opts.dry_run {
        gate_hazards(client, &pending, opts).await?;
    }
    observer.pending(&pending);
    let mut report = Report {
        dry_run: opts.dry_run,
        drift_allowed,
        ..Report::default()
    };
    if opts.dry_run {
        dry_run(m, client, &pending, observer, &mut report).await?;
        return Ok(report);
    }
    for r in pending {
        if opts
            .stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst))
        {
            tracing::info!(revision = %r.id, "told to stop: {} is not started", r.id);
            report.stopped_before = Some(r.id.clone());
            break;
        }
        let done = if r.transactional {
            apply_in_transaction(m, client, r, opts, observer, &report.done).await?
        } else {
            let resume_at = partial
                .as_ref()
                .filter(|(id, _)| *id == r.id.0)
                .map(|(_, n)| *n as usize);
            apply_in_groups(m, client, r, opts, observer, &report.done, resume_at).await?
        };
        tracing::info!(
            revision = %done.id,
            duration_ms = done.duration_ms,
            statements = done.statements,
            "applied {} ({})",
            done.id,
            done.message
        );
        observer.revision_finished(&done);
        report.done.push(done);
    }
    Ok(report)
}

/// Refuses pending revisions that grant to a role the target does not have, before
/// anything runs, naming the first statement that names it: roles are cluster-wide,
/// and schemaplan never creates them.
async fn check_roles(client: &Client, pending: &[&Revision]) -> Result<()> {
    let mut named: Vec<(String, crate::error::Location)> = Vec::new();
    for r in pending {
        for s in r.up()? {
            for role in crate::parse::roles_named(&s.sql) {
                if !named.iter().any(|(n, _)| *n == role) {
                    named.push((role, s.location.clone()));
                }
            }
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = named.iter().map(|(r, _)| r.as_str()).collect();
    let rows = client
        .query(
            "SELECT rolname::text FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])",
            &[&names],
        )
        .await
        .map_err(|e| db("listing the roles the revisions grant to", &e))?;
    let existing: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    match named.into_iter().find(|(r, _)| !existing.contains(r)) {
        None => Ok(()),
        Some((role, location)) => Err(Error::MissingRole {
            role,
            location,
            server: "the target database's server".into(),
        }),
    }
}

/// Refuses pending revisions whose steps carry gated hazards the options do not allow,
/// listing each such step with the size of the table it touches.
async fn gate_hazards(client: &Client, pending: &[&Revision], opts: &ApplyOptions) -> Result<()> {
    let mut steps = Vec::new();
    let mut names = BTreeSet::new();
    for r in pending {
        for (line, label, hazards) in r.hazardous_steps() {
            let refused: Vec<Hazard> = hazards
                .iter()
                .copied()
                .filter(|h| GATED_HAZARDS.contains(h) && !opts.allow_hazards.contains(h))
                .collect();
            if refused.is_empty() {
                continue;
            }
            names.extend(refused.iter().map(|h| h.name()));
            steps.push((r, line, label, refused));
        }
    }
    if steps.is_empty() {
        return Ok(());
    }
    let sizes = super::sizes::table_sizes(client).await.unwrap_or_default();
    Err(Error::HazardsNotAllowed {
        steps: steps
            .into_iter()
            .map(|(r, line, label, hazards)| {
                let hazards: Vec<&str> = hazards.iter().map(|h| h.name()).collect();
                let size = super::sizes::describe(&label, &sizes)
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                format!(
                    "  {}:{line}: {label} [{}]{size}",
                    r.path.display(),
                    hazards.join(", ")
                )
            })
            .collect(),
        hazards: names.into_iter().map(str::to_string).collect(),
    })
}

/// All pending revisions in one transaction, rolled back at the end.
async fn dry_run(
    m: &Migrator,
    client: &Client,
    pending: &[&Revision],
    observer: &mut dyn Observer,
    report: &mut Report,
) -> Result<()> {
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| db("starting the dry run", &e))?;
    for r in pending {
        if !r.transactional {
            report.stopped_before = Some(r.id.clone());
            break;
        }
        let statements = r.up()?;
        observer.revision_started(r, statements.len());
        let started = Instant::now();
        for s in &statements {
            if let Err(e) = execute(client, r, s, observer).await {
                rollback_quietly(client).await;
                return Err(failure(
                    r,
                    s,
                    &e,
                    &[],
                    "dry run: everything was rolled back, nothing was applied".into(),
                ));
            }
        }
        let fingerprint = m.live(client, true).await?.fingerprint();
        insert_row(m, client, r, started.elapsed(), Some(&fingerprint), None)
            .await
            .map_err(|e| db("recording the revision", &e))?;
        let done = Done {
            id: r.id.clone(),
            message: r.message.clone(),
            statements: statements.len(),
            duration_ms: started.elapsed().as_millis() as u64,
            attempts: 1,
            resumed: false,
        };
        observer.revision_finished(&done);
        report.done.push(done);
    }
    client
        .batch_execute("ROLLBACK")
        .await
        .map_err(|e| db("rolling back the dry run", &e))
}

/// One revision and its history row in one transaction, retried after lock timeouts.
async fn apply_in_transaction(
    m: &Migrator,
    client: &Client,
    r: &Revision,
    opts: &ApplyOptions,
    observer: &mut dyn Observer,
    before: &[Done],
) -> Result<Done> {
    let statements = r.up()?;
    let mut attempt = 1;
    loop {
        observer.revision_started(r, statements.len());
        let started = Instant::now();
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| db("starting the revision's transaction", &e))?;
        let mut failed = None;
        for s in &statements {
            if let Err(e) = execute(client, r, s, observer).await {
                failed = Some((s, e));
                break;
            }
        }
        match failed {
            None => {
                let fingerprint = match m.live(client, true).await {
                    Ok(c) => c.fingerprint(),
                    Err(e) => {
                        rollback_quietly(client).await;
                        return Err(e);
                    }
                };
                let recorded = async {
                    insert_row(m, client, r, started.elapsed(), Some(&fingerprint), None).await?;
                    client.batch_execute("COMMIT").await
                }
                .await;
                if let Err(e) = recorded {
                    rollback_quietly(client).await;
                    return Err(db(&format!("recording revision {}", r.id), &e));
                }
                return Ok(Done {
                    id: r.id.clone(),
                    message: r.message.clone(),
                    statements: statements.len(),
                    duration_ms: started.elapsed().as_millis() as u64,
                    attempts: attempt,
                    resumed: false,
                });
            }
            Some((s, e)) => {
                rollback_quietly(client).await;
                if wait_to_retry(&e, r, s, attempt, opts, observer).await {
                    attempt += 1;
                    continue;
                }
                return Err(failure(
                    r,
                    s,
                    &e,
                    before,
                    "it was rolled back completely".into(),
                ));
            }
        }
    }
}

/// A revision that cannot run in one transaction: statements run in groups (a run of
/// ordinary statements shares a transaction with the progress update; a statement that
/// must run alone runs alone), with the number of statements done recorded after each,
/// so a rerun resumes at the first statement not done.
async fn apply_in_groups(
    m: &Migrator,
    client: &Client,
    r: &Revision,
    opts: &ApplyOptions,
    observer: &mut dyn Observer,
    before: &[Done],
    resume_at: Option<usize>,
) -> Result<Done> {
    let statements = r.up()?;
    let started = Instant::now();
    let mut i = resume_at.unwrap_or(0).min(statements.len());
    if i > 0 {
        tracing::info!(
            revision = %r.id,
            "resuming at statement {} of {}",
            i + 1,
            statements.len()
        );
    } else {
        insert_row(m, client, r, Duration::ZERO, None, Some(0))
            .await
            .map_err(|e| db("recording the revision's start", &e))?;
    }
    observer.revision_started(r, statements.len());
    let ledger = m.ledger();
    let progress_sql = format!(
        "UPDATE {} SET statements_done = $2 WHERE id = $1{}",
        ledger.table(),
        ledger.and_mine()
    );
    let progress_sql = progress_sql.as_str();
    let progress = |done: usize| async move {
        client
            .execute(progress_sql, &[&r.id.0, &(done as i32)])
            .await
            .map(|_| ())
    };
    let mut attempt = 1;
    while i < statements.len() {
        let end = group_end(&statements, i);
        let alone = statements[i].transaction == TransactionUse::Alone;
        let outcome = run_group(client, r, &statements[i..end], observer, || progress(end)).await;
        match outcome {
            Ok(()) => {
                i = end;
                attempt = 1;
            }
            Err((s, e)) => {
                if !alone {
                    rollback_quietly(client).await;
                }
                if wait_to_retry(&e, r, s, attempt, opts, observer).await {
                    attempt += 1;
                    continue;
                }
                let outcome = format!(
                    "it runs outside a transaction; {i} of its {} statements are done and stay \
                     applied; fix the cause and run apply again to resume at line {}",
                    statements.len(),
                    s.location.line
                );
                return Err(failure(r, s, &e, before, outcome));
            }
        }
    }
    let fingerprint = m.live(client, false).await?.fingerprint();
    let duration = started.elapsed();
    let end_sql = format!(
        "UPDATE {} SET statements_done = NULL, fingerprint = $2, \
         duration_ms = duration_ms + $3 WHERE id = $1{}",
        ledger.table(),
        ledger.and_mine()
    );
    client
        .execute(
            end_sql.as_str(),
            &[&r.id.0, &fingerprint, &(duration.as_millis() as i64)],
        )
        .await
        .map_err(|e| db("recording the revision's end", &e))?;
    Ok(Done {
        id: r.id.clone(),
        message: r.message.clone(),
        statements: statements.len() - resume_at.unwrap_or(0),
        duration_ms: duration.as_millis() as u64,
        attempts: attempt,
        resumed: resume_at.is_some(),
    })
}

/// Where the group starting at `i` ends (exclusive): a statement that must run alone is
/// a group by itself; otherwise up to and including a statement that ends its
/// transaction, or up to the next statement that must run alone.
pub(super) fn group_end(statements: &[ScriptStatement], i: usize) -> usize {
    if statements[i].transaction == TransactionUse::Alone {
        return i + 1;
    }
    let mut j = i;
    while j < statements.len() {
        match statements[j].transaction {
            TransactionUse::Alone => return j,
            TransactionUse::EndsTransaction => return j + 1,
            TransactionUse::Any => j += 1,
        }
    }
    j
}

/// Before a `CREATE INDEX CONCURRENTLY` is run (again): an invalid index of that name,
/// left by a build that failed or was killed, is dropped so the build can start over.
/// Whether `name` is an index left invalid (by a failed concurrent build).
pub(super) async fn invalid_index(
    client: &Client,
    name: &str,
) -> std::result::Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT coalesce((SELECT NOT indisvalid FROM pg_index \
             WHERE indexrelid = to_regclass($1)), false)",
            &[&name],
        )
        .await?;
    Ok(row.get(0))
}

pub(super) async fn prepare_alone(
    client: &Client,
    s: &ScriptStatement,
) -> std::result::Result<(), tokio_postgres::Error> {
    let Some(name) = concurrent_index_name(&s.sql) else {
        return Ok(());
    };
    if invalid_index(client, &name).await? {
        tracing::warn!("dropping the invalid index {name} left by an earlier build");
        client
            .batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"))
            .await?;
    }
    Ok(())
}

/// The qualified, quoted name of the index a `CREATE INDEX CONCURRENTLY` builds.
pub(super) fn concurrent_index_name(sql: &str) -> Option<String> {
    use pg_query::NodeEnum;
    let parsed = pg_query::parse(sql, 0).ok()?;
    let stmt = parsed
        .protobuf
        .stmts
        .first()?
        .stmt
        .as_ref()?
        .node
        .as_ref()?;
    let NodeEnum::IndexStmt(index) = stmt else {
        return None;
    };
    if !index.concurrent || index.idxname.is_empty() {
        return None;
    }
    let relation = index.relation.as_ref()?;
    let quote = crate::model::quote_ident;
    Some(if relation.schemaname.is_empty() {
        quote(&index.idxname)
    } else {
        format!("{}.{}", quote(&relation.schemaname), quote(&index.idxname))
    })
}

pub(super) async fn stamp(
    m: &Migrator,
    client: &Client,
    rev: &RevisionId,
) -> Result<Vec<RevisionId>> {
    let defaults = ApplyOptions::default();
    prepare(m, client, defaults.lock_timeout, None).await?;
    let rev = m.resolve(&rev.0)?.id.clone();
    let applied = history::read(client, m.ledger()).await?;
    let have: BTreeSet<&str> = applied.iter().map(|a| a.id.as_str()).collect();
    let wanted = m.history.ancestors(&rev);
    let fingerprint = m.live(client, false).await?.fingerprint();
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| db("starting the stamp", &e))?;
    let mut stamped = Vec::new();
    for r in m.history.in_order().filter(|r| wanted.contains(&r.id)) {
        if have.contains(r.id.0.as_str()) {
            continue;
        }
        if let Err(e) = insert_row(m, client, r, Duration::ZERO, Some(&fingerprint), None).await {
            rollback_quietly(client).await;
            return Err(db("recording the revision as applied", &e));
        }
        stamped.push(r.id.clone());
    }
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| db("committing the stamp", &e))?;
    Ok(stamped)
}
