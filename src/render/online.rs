//! Online DDL: the forms of a plan's steps that keep an existing table readable and
//! writable while they run.
//!
//! - an index on an existing table is built (and dropped) `CONCURRENTLY`;
//! - a foreign key or check on an existing table is added `NOT VALID`, then validated
//!   in a step of its own (`VALIDATE` only takes a SHARE UPDATE EXCLUSIVE lock);
//! - `SET NOT NULL` on an existing column goes through a validated
//!   `CHECK (col IS NOT NULL)`, which lets PostgreSQL skip the scan under its
//!   ACCESS EXCLUSIVE lock;
//! - a unique constraint or primary key on an existing table is built as a unique index
//!   concurrently, then attached with `ADD CONSTRAINT ... USING INDEX`;
//! - what cannot be made online (a rewrite) carries advice on the safe way round.
//!
//! Statements that must not share a transaction with the ones before them
//! (`CONCURRENTLY`, `VALIDATE CONSTRAINT`) make the revision `transaction: none`; apply
//! runs it in groups and resumes it after a failure. Partitioned tables keep the
//! blocking forms: PostgreSQL builds neither their indexes concurrently nor their
//! foreign keys `NOT VALID`.

use super::{new_tables, render_owned, Hazard, Plan, Step};
use crate::diff::{Change, ColumnChange};
use crate::model::{Catalog, ConstraintKind, Ident, QualName};

/// Renders ordered changes into a plan with online forms where an existing table is
/// touched. `to` is the schema the plan leads to (to tell partitioned tables apart).
pub fn render_online(changes: &[Change], to: &Catalog) -> Plan {
    render_online_owned(changes.to_vec(), to)
}

/// [`render_online`] taking the changes (see [`super::render_owned`]).
pub fn render_online_owned(changes: Vec<Change>, to: &Catalog) -> Plan {
    let new_tables = new_tables(&changes);
    let plan = render_owned(changes);
    // Only a plain table (not partitioned, not a partition) or a materialized view
    // that exists before the plan.
    let plain = |t: &QualName| -> bool {
        if new_tables.contains(t) {
            return false;
        }
        match to.tables.get(t) {
            Some(table) => table.partition_by.is_none() && table.partition_of.is_none(),
            None => to.views.get(t).is_some_and(|v| v.materialized),
        }
    };
    let mut steps = Vec::with_capacity(plan.steps.len());
    for mut step in plan.steps {
        // Only these have online forms; the rest (a whole new table among them) go
        // through as they are, without the copy the match below needs.
        let online_kind = matches!(
            step.change,
            Change::CreateIndex(_)
                | Change::DropIndex(_)
                | Change::CreateConstraint { .. }
                | Change::AlterColumn { .. }
        );
        if !online_kind {
            step.advice = advice(&step);
            steps.push(step);
            continue;
        }
        let change = step.change.clone();
        match &change {
            Change::CreateIndex(i) if plain(&i.table) => {
                let mut step = step;
                if let Some(first) = step.sql.first_mut() {
                    *first = concurrently(first, "INDEX ");
                }
                step.hazards.retain(|h| *h != Hazard::IndexBuild);
                step.reverse = Some(vec![format!("DROP INDEX CONCURRENTLY {}", i.name)]);
                steps.push(step);
            }
            Change::DropIndex(i) if plain(&i.table) && to.tables.contains_key(&i.table) => {
                let mut step = step;
                step.sql = vec![format!("DROP INDEX CONCURRENTLY {}", i.name)];
                steps.push(step);
            }
            Change::CreateConstraint { table, constraint }
                if plain(table)
                    && constraint.validated
                    && matches!(
                        constraint.kind,
                        ConstraintKind::ForeignKey | ConstraintKind::Check
                    ) =>
            {
                let mut add = step.clone();
                if let Some(first) = add.sql.first_mut() {
                    first.push_str(" NOT VALID");
                }
                add.hazards.retain(|h| *h != Hazard::FullScan);
                if constraint.kind == ConstraintKind::ForeignKey {
                    add.hazards.retain(|h| *h != Hazard::AccessExclusiveLock);
                }
                let validate = Change::ValidateConstraint {
                    table: table.clone(),
                    constraint: constraint.clone(),
                };
                steps.push(add);
                steps.push(Step {
                    sql: vec![format!(
                        "ALTER TABLE {table} VALIDATE CONSTRAINT {}",
                        Ident(&constraint.name)
                    )],
                    change: validate,
                    reverse: None,
                    hazards: vec![Hazard::FullScan],
                    advice: None,
                    check: None,
                });
            }
            Change::CreateConstraint { table, constraint }
                if plain(table)
                    && matches!(
                        constraint.kind,
                        ConstraintKind::Unique | ConstraintKind::PrimaryKey
                    ) =>
            {
                match unique_columns(&constraint.definition) {
                    Some((keyword, columns)) => {
                        let mut step = step;
                        let name = Ident(&constraint.name);
                        let index = table.sibling(constraint.name.clone());
                        let mut sql = vec![
                            format!("CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({columns})"),
                            format!(
                                "ALTER TABLE {table} ADD CONSTRAINT {name} {keyword} USING INDEX {name}"
                            ),
                        ];
                        // Comments on the constraint come after it, as before.
                        sql.extend(step.sql.drain(..).skip(1));
                        step.sql = sql;
                        step.hazards.retain(|h| *h != Hazard::IndexBuild);
                        if constraint.kind == ConstraintKind::Unique {
                            step.hazards.retain(|h| *h != Hazard::AccessExclusiveLock);
                        }
                        // A failed concurrent build leaves an invalid index behind: the
                        // step's undo drops it too.
                        step.reverse = Some(vec![
                            format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"),
                            format!("DROP INDEX CONCURRENTLY IF EXISTS {index}"),
                        ]);
                        steps.push(step);
                    }
                    None => steps.push(step),
                }
            }
            Change::AlterColumn {
                table,
                to: column,
                what: ColumnChange::NotNull,
                ..
            } if column.not_null && plain(table) && !column.not_null_flags().0 => {
                let mut step = step;
                let col = Ident(&column.name);
                let check = Ident(&not_null_check_name(table, &column.name)).to_string();
                // PostgreSQL 18 names the NOT NULL constraint itself: the one the schema
                // names, or its own name (which the check must not take).
                let set = match column.not_null_constraint.as_deref() {
                    Some(c) => c.add_sql(table, &column.name),
                    None => format!("ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL"),
                };
                step.sql = vec![
                    format!(
                        "ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID"
                    ),
                    format!("ALTER TABLE {table} VALIDATE CONSTRAINT {check}"),
                    set,
                    format!("ALTER TABLE {table} DROP CONSTRAINT {check}"),
                ];
                step.hazards = vec![Hazard::FullScan];
                steps.push(step);
            }
            _ => {
                let mut step = step;
                step.advice = advice(&step);
                steps.push(step);
            }
        }
    }
    Plan {
        preamble: plan.preamble,
        steps,
    }
}

/// `CREATE [UNIQUE] INDEX name ...` as `CREATE [UNIQUE] INDEX CONCURRENTLY name ...`.
fn concurrently(sql: &str, after: &str) -> String {
    match sql.find(after) {
        Some(at) => {
            let split = at + after.len();
            format!("{}CONCURRENTLY {}", &sql[..split], &sql[split..])
        }
        None => sql.to_string(),
    }
}

/// `UNIQUE (a, b)` as (`UNIQUE`, `a, b`); `None` for forms an index built on its own
/// cannot stand in for (`INCLUDE`, `NULLS NOT DISTINCT`, `DEFERRABLE`, storage options,
/// and PostgreSQL 18's temporal keys: `WITHOUT OVERLAPS` needs a GiST index, which
/// `USING INDEX` does not take).
fn unique_columns(definition: &str) -> Option<(&'static str, &str)> {
    let (keyword, rest) = if let Some(rest) = definition.strip_prefix("UNIQUE (") {
        ("UNIQUE", rest)
    } else if let Some(rest) = definition.strip_prefix("PRIMARY KEY (") {
        ("PRIMARY KEY", rest)
    } else {
        return None;
    };
    let columns = rest.strip_suffix(')')?;
    // One parenthesized list and nothing after it.
    if columns.contains(['(', ')']) || columns.ends_with(" WITHOUT OVERLAPS") {
        return None;
    }
    Some((keyword, columns))
}

/// The temporary check that stands in for a NOT NULL scan; PostgreSQL limits names to
/// 63 bytes. Not `<table>_<column>_not_null`: PostgreSQL 18 gives that name to the NOT
/// NULL constraint itself, and would name it otherwise while the check holds it.
fn not_null_check_name(table: &QualName, column: &str) -> String {
    let mut name = format!("{}_{}_not_null_check", table.name, column);
    while name.len() > 63 || !name.is_char_boundary(0) {
        name.remove(0);
    }
    name
}

/// The safe way round a rewrite schemaplan cannot avoid.
fn advice(step: &Step) -> Option<String> {
    if !step.hazards.contains(&Hazard::TableRewrite) {
        return None;
    }
    Some(match &step.change {
        Change::CreateColumn { column, .. } if column.default.is_some() => format!(
            "add {} without a default (instant), set the default in a separate step, \
             and fill existing rows in batches (UPDATE ... WHERE id BETWEEN ...)",
            Ident(&column.name)
        ),
        Change::CreateColumn { column, .. } => format!(
            "add {} as a plain column, fill it in batches, then make it what it should be",
            Ident(&column.name)
        ),
        Change::AlterColumn { to, .. } => format!(
            "add a new column of the new type, write both from the application, fill it in \
             batches, then swap the columns in a later revision (keeps {} writable)",
            Ident(&to.name)
        ),
        _ => "run it in a maintenance window (--no-online says so explicitly)".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_forms_that_an_index_can_stand_in_for() {
        assert_eq!(unique_columns("UNIQUE (email)"), Some(("UNIQUE", "email")));
        assert_eq!(
            unique_columns("PRIMARY KEY (a, b)"),
            Some(("PRIMARY KEY", "a, b"))
        );
        assert_eq!(unique_columns("UNIQUE NULLS NOT DISTINCT (email)"), None);
        assert_eq!(unique_columns("UNIQUE (a) INCLUDE (b)"), None);
        assert_eq!(unique_columns("UNIQUE (a) DEFERRABLE"), None);
        assert_eq!(
            unique_columns("PRIMARY KEY (id, during WITHOUT OVERLAPS)"),
            None
        );
    }

    #[test]
    fn concurrently_goes_after_index() {
        assert_eq!(
            concurrently(
                "CREATE UNIQUE INDEX x ON public.t USING btree (a)",
                "INDEX "
            ),
            "CREATE UNIQUE INDEX CONCURRENTLY x ON public.t USING btree (a)"
        );
    }
}
