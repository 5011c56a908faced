//! `rollback`: the down sections of the newest applied revisions, run so that a
//! rollback never stops halfway without saying where.
//!
//! - A revision whose down section cannot restore what its up section dropped
//!   (`not-reversible`) is refused unless forced; forced, a dropped NOT NULL column
//!   without a default comes back nullable (its values cannot come back), and the report
//!   says so.
//! - Before anything runs, the rehearsal: every down section to run, in order, inside
//!   one transaction that is rolled back. Statements that cannot run in a transaction
//!   are rehearsed in their blocking form (`CREATE INDEX` for `CREATE INDEX
//!   CONCURRENTLY`), up to the first one that has no such form. A failed rehearsal
//!   changed nothing, and its error names the statement and PostgreSQL's reason.
//! - A down section outside a transaction runs in groups with its progress in the
//!   history table (`rollback_done`), so a rollback that fails after the rehearsal
//!   (data changed in between, a lock timeout, a step no rehearsal covers) is resumed
//!   by running `rollback` again.

use std::collections::BTreeSet;
use std::time::Instant;

use tokio_postgres::Client;

use super::history::{self, db, Ledger};
use super::run::{
    check_drift, concurrent_index_name, execute, failure, group_end, invalid_index, prepare,
    rollback_quietly, run_group, verify,
};
use super::{last_fingerprint, Done, Migrator, Observer, Report, RollbackOptions};
use crate::error::{Error, Result};
use crate::model::Ident;
use crate::parse::{ScriptStatement, TransactionUse};
use crate::plan::Revision;

/// One revision to roll back: its down statements (forced forms applied) and where to
/// start (past the statements a stopped rollback already ran).
struct Undo<'a> {
    revision: &'a Revision,
    statements: Vec<ScriptStatement>,
    start: usize,
}

pub(super) async fn rollback(
    m: &Migrator,
    client: &Client,
    opts: &RollbackOptions,
    observer: &mut dyn Observer,
) -> Result<Report> {
    prepare(m, client, opts.lock_timeout, opts.statement_timeout).await?;
    let ledger = m.ledger();
    let applied = history::read(client, ledger).await?;
    verify(m, &applied)?;
    if let Some(a) = applied.iter().find(|a| !a.complete()) {
        return Err(Error::Database {
            context: format!("rolling back {}", m.dir.display()),
            message: format!(
                "revision {} is half applied ({} statement(s) done outside a transaction): \
                 run `schemaplan apply` to finish it first",
                a.id,
                a.statements_done.unwrap_or(0)
            ),
        });
    }
    let stopped = applied
        .iter()
        .find_map(|a| a.rollback_done.map(|n| (a.id.clone(), n.max(0) as usize)));
    let drift_allowed = check_drift(
        m,
        client,
        &applied,
        opts.allow_drift,
        opts.dev_server.as_ref(),
    )
    .await?;
    let done_ids: BTreeSet<&str> = applied.iter().map(|a| a.id.as_str()).collect();
    let in_db: Vec<&Revision> = m
        .history
        .in_order()
        .filter(|r| done_ids.contains(r.id.0.as_str()))
        .collect();
    let undo: Vec<&Revision> = match &opts.to {
        Some(to) => {
            let to = m.resolve(&to.0)?;
            if !done_ids.contains(to.id.0.as_str()) {
                return Err(Error::Database {
                    context: "rollback --to".into(),
                    message: format!("revision {} is not applied to this database", to.id),
                });
            }
            let keep = m.history.ancestors(&to.id);
            in_db
                .iter()
                .rev()
                .filter(|r| !keep.contains(&r.id))
                .copied()
                .collect()
        }
        None => match &stopped {
            // The revision whose rollback stopped is the one to finish.
            Some((id, _)) => in_db.iter().filter(|r| r.id.0 == *id).copied().collect(),
            None => in_db.last().copied().into_iter().collect(),
        },
    };
    if let Some((id, n)) = &stopped {
        if undo.first().is_none_or(|r| r.id.0 != *id) {
            return Err(Error::Database {
                context: "rollback --to".into(),
                message: format!(
                    "the rollback of {id} stopped at statement {}: run `schemaplan rollback` \
                     without --to to finish it first",
                    n + 1
                ),
            });
        }
    }
    if !opts.force {
        let stuck: Vec<String> = undo
            .iter()
            .filter(|r| !r.reversible())
            .map(|r| format!("{} ({})", r.id, r.message))
            .collect();
        if !stuck.is_empty() {
            return Err(Error::NotReversible { ids: stuck });
        }
    }
    if stopped.is_none() {
        // Data a recoverable drop held, purged since: the down section would fail on it.
        for r in &undo {
            let mut purged = Vec::new();
            for name in held_references(&r.down()?) {
                let exists: bool = client
                    .query_one(
                        "SELECT to_regclass($1) IS NOT NULL",
                        &[&format!("{}.{}", crate::model::TRASH_SCHEMA, Ident(&name))],
                    )
                    .await
                    .map_err(|e| db("looking for held tables", &e))?
                    .get(0);
                if !exists {
                    purged.push(name);
                }
            }
            if !purged.is_empty() {
                return Err(Error::Refused {
                    message: format!(
                        "{} ({}) cannot be rolled back: the data it held in {} was purged \
                         since ({}), so its down section cannot put it back; nothing was \
                         changed",
                        r.id,
                        r.message,
                        crate::model::TRASH_SCHEMA,
                        purged.join(", ")
                    ),
                });
            }
        }
    }
    let mut notes = Vec::new();
    let mut made_nullable = false;
    let mut plan = Vec::new();
    for r in &undo {
        let mut statements = r.down()?;
        if opts.force && !r.reversible() {
            notes.push(format!(
                "{} ({}): the rows its up section dropped cannot come back; the tables and \
                 columns it dropped come back empty",
                r.id, r.message
            ));
            for s in &mut statements {
                if let Some((sql, column)) = nullable_form(&s.sql) {
                    notes.push(format!(
                        "{column} comes back nullable: it was NOT NULL, but its values cannot \
                         come back"
                    ));
                    s.sql = sql;
                    made_nullable = true;
                }
            }
        }
        let start = match &stopped {
            Some((id, n)) if *id == r.id.0 => (*n).min(statements.len()),
            _ => 0,
        };
        plan.push(Undo {
            revision: r,
            statements,
            start,
        });
    }
    let rehearse = plan.len() > 1 || plan.iter().any(|u| !u.revision.transactional);
    if rehearse {
        rehearsal(client, &plan).await?;
    }
    observer.pending(&undo);
    let mut report = Report {
        drift_allowed,
        notes,
        ..Report::default()
    };
    for u in &plan {
        let done = if u.revision.transactional {
            in_transaction(ledger, client, u, observer, &report.done).await?
        } else {
            in_groups(ledger, client, u, observer, &report.done).await?
        };
        tracing::info!(
            revision = %done.id,
            duration_ms = done.duration_ms,
            "rolled back {} ({})",
            done.id,
            done.message
        );
        observer.revision_finished(&done);
        report.done.push(done);
    }
    // The schema should now be what was recorded after the newest remaining revision.
    let remaining = history::read(client, ledger).await?;
    if let Some(recorded) = last_fingerprint(&remaining) {
        let live = m.live(client, false).await?.fingerprint();
        let newest = remaining.iter().rev().find(|a| a.complete());
        if live != recorded && made_nullable {
            // The difference is the one the user forced (columns nullable): it becomes
            // the recorded state, so the next apply does not stop for drift.
            if let Some(a) = newest {
                let sql = format!(
                    "UPDATE {} SET fingerprint = $2 WHERE id = $1{}",
                    ledger.table(),
                    ledger.and_mine()
                );
                client
                    .execute(sql.as_str(), &[&a.id, &live])
                    .await
                    .map_err(|e| db("recording the schema after the forced rollback", &e))?;
                report.notes.push(format!(
                    "the schema is recorded as the state after {} with those columns nullable \
                     (`schemaplan plan` against this database shows the difference)",
                    a.id
                ));
            }
        } else if live != recorded {
            tracing::warn!(
                "after the rollback the schema differs from the one recorded after revision {}: \
                 a down section did not restore everything (run `schemaplan status`)",
                remaining.last().map(|a| a.id.as_str()).unwrap_or("?")
            );
        }
    }
    Ok(report)
}

/// Runs every down section to run in one transaction and rolls it back; stops
/// rehearsing at the first statement that can run in no transaction.
async fn rehearsal(client: &Client, plan: &[Undo<'_>]) -> Result<()> {
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| db("starting the rollback's rehearsal", &e))?;
    'revisions: for u in plan {
        for s in &u.statements[u.start..] {
            let Some(sql) = rehearsal_form(s) else {
                tracing::info!(
                    revision = %u.revision.id,
                    line = s.location.line,
                    "the rehearsal stops before a statement no transaction can hold"
                );
                break 'revisions;
            };
            let result = async {
                if let Some(name) = concurrent_index_name(&s.sql) {
                    // An invalid index left by a failed concurrent build is dropped
                    // before the real build too.
                    if invalid_index(client, &name).await? {
                        client.batch_execute(&format!("DROP INDEX {name}")).await?;
                    }
                }
                client.batch_execute(&sql).await
            }
            .await;
            if let Err(e) = result {
                rollback_quietly(client).await;
                return Err(failure(
                    u.revision,
                    s,
                    &e,
                    &[],
                    "the rollback's rehearsal failed (it ran in a transaction that was rolled \
                     back): nothing was changed; fix the cause (the down section's `-- may-fail:` \
                     queries tell which rows) and run rollback again"
                        .into(),
                ));
            }
        }
    }
    client
        .batch_execute("ROLLBACK")
        .await
        .map_err(|e| db("rolling back the rehearsal", &e))
}

/// A down section run in one transaction together with the removal of its history row.
async fn in_transaction(
    ledger: Ledger<'_>,
    client: &Client,
    u: &Undo<'_>,
    observer: &mut dyn Observer,
    before: &[Done],
) -> Result<Done> {
    let r = u.revision;
    observer.revision_started(r, u.statements.len());
    let started = Instant::now();
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| db("starting the rollback's transaction", &e))?;
    for s in &u.statements {
        if let Err(e) = execute(client, r, s, observer).await {
            rollback_quietly(client).await;
            return Err(failure(
                r,
                s,
                &e,
                before,
                "its rollback was undone; it stays applied".into(),
            ));
        }
    }
    let delete = ledger.delete_sql();
    let removed = async {
        client.execute(delete.as_str(), &[&r.id.0]).await?;
        client.batch_execute("COMMIT").await
    }
    .await;
    if let Err(e) = removed {
        rollback_quietly(client).await;
        return Err(db(
            &format!("removing revision {} from the history", r.id),
            &e,
        ));
    }
    Ok(Done {
        id: r.id.clone(),
        message: r.message.clone(),
        statements: u.statements.len(),
        duration_ms: started.elapsed().as_millis() as u64,
        attempts: 1,
        resumed: false,
    })
}

/// A down section outside a transaction: groups as `apply` runs them, the number of
/// statements done recorded after each, the history row removed at the end.
async fn in_groups(
    ledger: Ledger<'_>,
    client: &Client,
    u: &Undo<'_>,
    observer: &mut dyn Observer,
    before: &[Done],
) -> Result<Done> {
    let r = u.revision;
    let statements = &u.statements;
    let started = Instant::now();
    let progress_sql = format!(
        "UPDATE {} SET rollback_done = $2 WHERE id = $1{}",
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
    if u.start == 0 {
        progress(0)
            .await
            .map_err(|e| db("recording the rollback's start", &e))?;
    } else {
        tracing::info!(
            revision = %r.id,
            "resuming the rollback at statement {} of {}",
            u.start + 1,
            statements.len()
        );
    }
    observer.revision_started(r, statements.len() - u.start);
    let mut i = u.start;
    while i < statements.len() {
        let end = group_end(statements, i);
        let alone = statements[i].transaction == TransactionUse::Alone;
        let outcome = run_group(client, r, &statements[i..end], observer, || progress(end)).await;
        if let Err((s, e)) = outcome {
            if !alone {
                rollback_quietly(client).await;
            }
            let outcome = format!(
                "its down section runs outside a transaction; {i} of its {} statements are \
                 done and stay done; fix the cause and run rollback again to resume at line {}",
                statements.len(),
                s.location.line
            );
            return Err(failure(r, s, &e, before, outcome));
        }
        i = end;
    }
    client
        .execute(ledger.delete_sql().as_str(), &[&r.id.0])
        .await
        .map_err(|e| db(&format!("removing revision {} from the history", r.id), &e))?;
    Ok(Done {
        id: r.id.clone(),
        message: r.message.clone(),
        statements: statements.len() - u.start,
        duration_ms: started.elapsed().as_millis() as u64,
        attempts: 1,
        resumed: u.start > 0,
    })
}

/// The form of a statement the rehearsal runs inside its transaction: as written, or
/// without `CONCURRENTLY` for an index built or dropped concurrently. `None` for a
/// statement no transaction can hold in any form (`VACUUM`, a concurrent detach), and
/// for one whose effect the statements after it may not see inside the same
/// transaction (an enum value added).
fn rehearsal_form(s: &ScriptStatement) -> Option<String> {
    use pg_query::NodeEnum;
    match s.transaction {
        TransactionUse::Any => return Some(s.sql.clone()),
        TransactionUse::EndsTransaction => return None,
        TransactionUse::Alone => {}
    }
    let mut parsed = pg_query::parse(&s.sql, 0).ok()?;
    let node = parsed
        .protobuf
        .stmts
        .first_mut()?
        .stmt
        .as_mut()?
        .node
        .as_mut()?;
    match node {
        NodeEnum::IndexStmt(index) if index.concurrent => index.concurrent = false,
        NodeEnum::DropStmt(drop) if drop.concurrent => drop.concurrent = false,
        NodeEnum::VacuumStmt(_) => return None,
        _ if s.sql.to_ascii_uppercase().contains("CONCURRENTLY") => return None,
        _ => return Some(s.sql.clone()),
    }
    parsed.deparse(Default::default()).ok()
}

/// The held tables (recoverable drops) a down section reads: the names after
/// `schemaplan_trash.` (always quoted: they start with a revision id), each once.
fn held_references(statements: &[ScriptStatement]) -> BTreeSet<String> {
    let prefix = format!("{}.\"", crate::model::TRASH_SCHEMA);
    let mut names = BTreeSet::new();
    for s in statements {
        let mut rest = s.sql.as_str();
        while let Some(i) = rest.find(&prefix) {
            rest = &rest[i + prefix.len()..];
            let mut name = String::new();
            let mut chars = rest.char_indices().peekable();
            let mut end = rest.len();
            while let Some((j, ch)) = chars.next() {
                if ch == '"' {
                    if chars.peek().is_some_and(|(_, c)| *c == '"') {
                        chars.next();
                    } else {
                        end = j + 1;
                        break;
                    }
                }
                name.push(ch);
            }
            rest = &rest[end..];
            names.insert(name);
        }
    }
    names
}

/// `ALTER TABLE t ADD COLUMN c type NOT NULL` (no default, not identity) without its
/// NOT NULL, and the column's name (`public.t.c`); `None` for any other statement.
fn nullable_form(sql: &str) -> Option<(String, String)> {
    use pg_query::protobuf::{AlterTableType, ConstrType};
    use pg_query::NodeEnum;
    let mut parsed = pg_query::parse(sql, 0).ok()?;
    let NodeEnum::AlterTableStmt(alter) = parsed
        .protobuf
        .stmts
        .first_mut()?
        .stmt
        .as_mut()?
        .node
        .as_mut()?
    else {
        return None;
    };
    let table = alter.relation.as_ref()?;
    let table = if table.schemaname.is_empty() {
        table.relname.clone()
    } else {
        format!("{}.{}", table.schemaname, table.relname)
    };
    let [cmd] = alter.cmds.as_mut_slice() else {
        return None;
    };
    let NodeEnum::AlterTableCmd(cmd) = cmd.node.as_mut()? else {
        return None;
    };
    if cmd.subtype != AlterTableType::AtAddColumn as i32 {
        return None;
    }
    let NodeEnum::ColumnDef(column) = cmd.def.as_mut()?.node.as_mut()? else {
        return None;
    };
    let kind = |n: &pg_query::protobuf::Node| match &n.node {
        Some(NodeEnum::Constraint(c)) => c.contype,
        _ => -1,
    };
    let has = |k: ConstrType| column.constraints.iter().any(|n| kind(n) == k as i32);
    if !has(ConstrType::ConstrNotnull)
        || has(ConstrType::ConstrDefault)
        || has(ConstrType::ConstrIdentity)
    {
        return None;
    }
    column
        .constraints
        .retain(|n| kind(n) != ConstrType::ConstrNotnull as i32);
    let name = format!("{table}.{}", column.colname);
    let sql = parsed.deparse(Default::default()).ok()?;
    Some((sql, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_tables_a_down_section_reads_are_found() {
        let statement = |sql: &str| ScriptStatement {
            sql: sql.to_string(),
            location: crate::error::Location {
                path: "x.sql".into(),
                line: 1,
                column: 1,
            },
            transaction: TransactionUse::Any,
        };
        let names = held_references(&[
            statement("ALTER TABLE schemaplan_trash.\"r1_public_notes\" SET SCHEMA public"),
            statement(
                "UPDATE public.u AS t SET c = h.c::text FROM schemaplan_trash.\"r1_public_u_c\" \
                 AS h WHERE t.id = h.id",
            ),
            statement("DROP TABLE schemaplan_trash.\"r1_public_u_c\""),
            statement("DROP TABLE schemaplan_trash.\"r1_a\"\"b\""),
            statement("DROP TABLE public.x"),
        ]);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["r1_a\"b", "r1_public_notes", "r1_public_u_c"]);
    }

    #[test]
    fn a_not_null_column_without_default_is_re_added_nullable() {
        let (sql, name) = nullable_form(
            "ALTER TABLE public.users ADD COLUMN password character varying(255) NOT NULL",
        )
        .unwrap();
        assert_eq!(name, "public.users.password");
        assert!(!sql.to_uppercase().contains("NOT NULL"), "{sql}");
        assert!(sql.contains("password"), "{sql}");
        assert_eq!(
            nullable_form("ALTER TABLE public.users ADD COLUMN ok boolean DEFAULT false NOT NULL"),
            None
        );
        assert_eq!(
            nullable_form("ALTER TABLE public.users ADD COLUMN bio text"),
            None
        );
        assert_eq!(nullable_form("DROP TABLE public.users"), None);
    }

    #[test]
    fn concurrent_index_statements_are_rehearsed_blocking() {
        let statement = |sql: &str, transaction| ScriptStatement {
            sql: sql.into(),
            location: crate::error::Location {
                path: "x.sql".into(),
                line: 1,
                column: 1,
            },
            transaction,
        };
        let form = rehearsal_form(&statement(
            "CREATE UNIQUE INDEX CONCURRENTLY t_v ON public.t (v)",
            TransactionUse::Alone,
        ))
        .unwrap();
        assert!(!form.contains("CONCURRENTLY"), "{form}");
        assert!(form.starts_with("CREATE UNIQUE INDEX"), "{form}");
        let form = rehearsal_form(&statement(
            "DROP INDEX CONCURRENTLY public.t_v",
            TransactionUse::Alone,
        ))
        .unwrap();
        assert!(!form.contains("CONCURRENTLY"), "{form}");
        assert_eq!(
            rehearsal_form(&statement("VACUUM t", TransactionUse::Alone)),
            None
        );
        assert_eq!(
            rehearsal_form(&statement(
                "ALTER TABLE t VALIDATE CONSTRAINT c",
                TransactionUse::Alone
            ))
            .as_deref(),
            Some("ALTER TABLE t VALIDATE CONSTRAINT c")
        );
    }
}
