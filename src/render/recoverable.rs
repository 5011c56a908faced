//! Recoverable drops (`plan --recoverable`): a dropped table or column is held, not
//! dropped.
//!
//! Input: the up and down plans of a revision, and the catalog it starts from. Output:
//! the same plans where
//!
//! - each `DROP TABLE` of a plain table becomes a move into the holding schema
//!   [`TRASH_SCHEMA`] under a name carrying the revision id (so two revisions never
//!   collide), and the down step that recreated the table empty moves it back with its
//!   rows, indexes, constraints, triggers, comments and privileges. The table's own
//!   foreign keys are dropped before the move (a held table must not keep a table it
//!   references from being dropped later) and added again by the down step;
//! - each `DROP COLUMN` of a table with a primary key first copies the key and the
//!   column (as text, so the held copy depends on no type the plan may drop) into a
//!   holding table, and the down step that re-added the column empty adds it back,
//!   fills it from the holding table by key, sets NOT NULL again and drops the holding
//!   table; the indexes and constraints on the column are steps of their own after it.
//!
//! The hazard is `data-held` instead of `data-loss`. Each held table is labelled with
//! a comment naming the object and the revision (`schemaplan trash` lists them).
//!
//! The revision id is not known while rendering: names carry
//! [`REVISION_PLACEHOLDER`], which the revision writer replaces. Does no I/O.

use std::collections::{BTreeMap, BTreeSet};

use super::{Hazard, Plan, Step};
use crate::diff::Change;
use crate::model::{
    literal, Catalog, Column, ConstraintKind, Ident, QualName, Table, Trigger, TriggerEnabled,
    TRASH_SCHEMA,
};

/// How a held table's label begins (`COMMENT ON TABLE`).
pub const HELD_LABEL: &str = "schemaplan held: ";

/// Stands for the revision id in held objects' names until the id is known.
pub const REVISION_PLACEHOLDER: &str = "@revision-id@";

/// The length of a revision id (`20261124031500-3f9a2c`).
const ID_LEN: usize = 21;

/// The plans with dropped tables and columns held in [`TRASH_SCHEMA`]; `from` is the
/// catalog the up plan starts from (where a table's primary key is found).
pub fn recoverable(up: Plan, down: Plan, from: &Catalog) -> (Plan, Plan) {
    let mut held: BTreeMap<QualName, String> = BTreeMap::new();
    // Dropped columns held: (table, column) -> (holding table's name, key columns).
    let mut held_columns: BTreeMap<(QualName, String), (String, Vec<String>)> = BTreeMap::new();
    let dropped_columns: BTreeSet<(&QualName, &str)> = up
        .steps
        .iter()
        .filter_map(|s| match &s.change {
            Change::DropColumn { table, column } => Some((table, column.name.as_str())),
            _ => None,
        })
        .collect();
    let mut steps = Vec::with_capacity(up.steps.len());
    for step in &up.steps {
        match &step.change {
            Change::DropColumn { table, column } if column.generated.is_none() => {
                let key = from
                    .tables
                    .get(table)
                    .filter(|t| t.partition_of.is_none())
                    .and_then(|t| primary_key(t))
                    // The key must outlive the column, and the column must not be part
                    // of it.
                    .filter(|key| {
                        key.iter().all(|k| {
                            let name = unquote(k);
                            name != column.name
                                && !dropped_columns.contains(&(table, name.as_str()))
                        })
                    });
                let Some(key) = key.filter(|_| column.identity.is_none()) else {
                    // No key to put the values back by (or an identity column, whose
                    // values cannot be written back): dropped for good.
                    steps.push(step.clone());
                    continue;
                };
                let name = held_column_name(table, &column.name);
                let mut step = step.clone();
                step.sql = hold_column(table, column, &key, &name);
                for h in &mut step.hazards {
                    if *h == Hazard::DataLoss {
                        *h = Hazard::DataHeld;
                    }
                }
                step.hazards.sort();
                step.hazards.dedup();
                held_columns.insert((table.clone(), column.name.clone()), (name, key));
                steps.push(step);
            }
            _ => steps.push(step.clone()),
        }
    }
    let up = Plan {
        preamble: up.preamble,
        steps,
    };
    let up_sql: Vec<String> = up.statements().cloned().collect();
    let mut steps = Vec::with_capacity(up.steps.len());
    for step in up.steps {
        match &step.change {
            Change::DropTable(table)
                if table.partition_of.is_none()
                    && table.partition_by.is_none()
                    && table.foreign.is_none() =>
            {
                let name = held_name(&table.name);
                let mut step = step.clone();
                step.sql = hold(table, &name);
                for h in &mut step.hazards {
                    if *h == Hazard::DataLoss {
                        *h = Hazard::DataHeld;
                    }
                }
                step.hazards.sort();
                step.hazards.dedup();
                held.insert(table.name.clone(), name);
                steps.push(step);
            }
            _ => steps.push(step),
        }
    }
    // A serial column's sequence moves with its table: the steps that would drop,
    // create or attach it go (the diff may create it unowned, then set OWNED BY).
    let owned = |s: &crate::model::Sequence| {
        s.owned_by
            .as_ref()
            .is_some_and(|(t, _)| held.contains_key(t))
    };
    let sequences: BTreeSet<QualName> = steps
        .iter()
        .chain(&down.steps)
        .filter_map(|step| match &step.change {
            Change::DropSequence(s) | Change::CreateSequence(s) if owned(s) => Some(&s.name),
            Change::AlterSequence { from, to } if owned(from) || owned(to) => Some(&to.name),
            _ => None,
        })
        .cloned()
        .collect();
    let owned_by_held = |c: &Change| match c {
        Change::DropSequence(s) | Change::CreateSequence(s) => sequences.contains(&s.name),
        Change::AlterSequence { to, .. } => sequences.contains(&to.name),
        _ => false,
    };
    steps.retain(|s| !owned_by_held(&s.change));
    let up = Plan {
        preamble: up.preamble,
        steps,
    };
    let mut down_steps = Vec::with_capacity(down.steps.len());
    for step in down.steps {
        if owned_by_held(&step.change) {
            continue;
        }
        match &step.change {
            Change::CreateColumn { table, column }
                if held_columns.contains_key(&(table.clone(), column.name.clone())) =>
            {
                let (name, key) = &held_columns[&(table.clone(), column.name.clone())];
                // The table's UPDATE triggers must not fire while values are put back
                // (an `updated_at` trigger would change every row): those the up plan
                // leaves alone are switched off around it and back to what they were.
                let triggers: Vec<&Trigger> = from
                    .triggers
                    .values()
                    .filter(|t| {
                        t.table == *table
                            && t.enabled != TriggerEnabled::Disabled
                            && t.definition.contains(" UPDATE")
                            && !up_sql
                                .iter()
                                .any(|s| s.contains(&format!(" TRIGGER {}", Ident(&t.name))))
                    })
                    .collect();
                let mut step = step.clone();
                step.sql = restore_column(table, column, key, name, &triggers);
                step.hazards.retain(|h| *h != Hazard::DataLoss);
                if column.not_null && column.default.is_none() {
                    // Rows inserted since the column was dropped have no value to take.
                    step.hazards.push(Hazard::MayFail);
                    step.check = Some(format!(
                        "SELECT count(*) FROM {table} AS t WHERE NOT EXISTS \
                         (SELECT 1 FROM {TRASH_SCHEMA}.{} AS h WHERE {})",
                        Ident(name),
                        key_match(key)
                    ));
                }
                down_steps.push(step);
            }
            Change::CreateTable { table, inline } if held.contains_key(&table.name) => {
                let mut step = step.clone();
                step.sql = restore(table, inline, &held[&table.name]);
                step.hazards.retain(|h| *h != Hazard::DataLoss);
                down_steps.push(step);
            }
            // The held table keeps these: recreating them would fail.
            Change::CreateIndex(i) if held.contains_key(&i.table) => {}
            Change::CreateTrigger(t) if held.contains_key(&t.table) => {}
            Change::CreatePolicy { table, .. } if held.contains_key(table) => {}
            Change::CreateConstraint { table, constraint }
                if held.contains_key(table) && constraint.kind != ConstraintKind::ForeignKey => {}
            _ => down_steps.push(step),
        }
    }
    let down = Plan {
        preamble: down.preamble,
        steps: down_steps,
    };
    (up, down)
}

/// Whether a down step moves a held table back (its rows come back with it).
pub fn restores_held(step: &Step) -> bool {
    step.sql
        .first()
        .is_some_and(|s| s.starts_with(&format!("ALTER TABLE {TRASH_SCHEMA}.")))
}

/// Whether a down step puts a held column back (its values come back with it).
pub fn restores_held_column(step: &Step) -> bool {
    matches!(step.change, Change::CreateColumn { .. })
        && step
            .sql
            .iter()
            .any(|s| s.starts_with("UPDATE ") && s.contains(&format!(" FROM {TRASH_SCHEMA}.")))
}

/// The columns of a table's primary key as `pg_get_constraintdef` writes them (quoted
/// where they need it).
fn primary_key(table: &Table) -> Option<Vec<String>> {
    let pk = table
        .constraints
        .values()
        .find(|c| c.kind == ConstraintKind::PrimaryKey)?;
    let inner = pk.definition.strip_prefix("PRIMARY KEY (")?;
    let mut columns = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in inner.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                current.push(ch);
            }
            ',' if !quoted => columns.push(std::mem::take(&mut current).trim().to_string()),
            ')' if !quoted => {
                columns.push(current.trim().to_string());
                return Some(columns).filter(|c| c.iter().all(|k| !k.is_empty()));
            }
            _ => current.push(ch),
        }
    }
    None
}

/// A column name as written by PostgreSQL, unquoted.
fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_string(),
    }
}

/// `t.a = h.a AND t.b = h.b`: a row and its held values.
fn key_match(key: &[String]) -> String {
    key.iter()
        .map(|k| format!("t.{k} = h.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `<revision id>_<schema>_<table>_<column>`, cut to PostgreSQL's 63 bytes (a cut name
/// ends with a hash of the whole, so two long names never meet).
fn held_column_name(table: &QualName, column: &str) -> String {
    let tail = format!("_{}_{}_{}", table.schema, table.name, column);
    if ID_LEN + tail.len() <= 63 {
        return format!("{REVISION_PLACEHOLDER}{tail}");
    }
    // FNV-1a: stable across builds, unlike the standard library's hasher.
    let hash = tail.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let suffix = format!("_{:08x}", hash as u32);
    let mut tail = tail;
    while ID_LEN + tail.len() + suffix.len() > 63 || !tail.is_char_boundary(tail.len()) {
        tail.pop();
    }
    format!("{REVISION_PLACEHOLDER}{tail}{suffix}")
}

/// The up statements of a held column: copy the key and the column, label the copy,
/// drop the column.
fn hold_column(table: &QualName, column: &Column, key: &[String], held: &str) -> Vec<String> {
    let c = Ident(&column.name);
    vec![
        format!("CREATE SCHEMA IF NOT EXISTS {TRASH_SCHEMA}"),
        format!(
            "CREATE TABLE {TRASH_SCHEMA}.{} AS SELECT {}, {c}::text AS {c} FROM {table}",
            Ident(held),
            key.join(", ")
        ),
        format!(
            "COMMENT ON TABLE {TRASH_SCHEMA}.{} IS {}",
            Ident(held),
            literal(&format!(
                "{HELD_LABEL}column {table}.{c}, revision {REVISION_PLACEHOLDER}"
            ))
        ),
        format!("ALTER TABLE {table} DROP COLUMN {c}"),
    ]
}

/// The down statements of a held column: add it back (nullable, with its default),
/// fill it by key, make it NOT NULL again, drop the holding table.
fn restore_column(
    table: &QualName,
    column: &Column,
    key: &[String],
    held: &str,
    triggers: &[&Trigger],
) -> Vec<String> {
    let c = Ident(&column.name);
    let nullable = Column {
        not_null: false,
        ..column.clone()
    };
    let mut sql = vec![format!(
        "ALTER TABLE {table} ADD COLUMN {}",
        nullable.definition()
    )];
    for t in triggers {
        sql.push(format!(
            "ALTER TABLE {table} DISABLE TRIGGER {}",
            Ident(&t.name)
        ));
    }
    sql.push(format!(
        "UPDATE {table} AS t SET {c} = h.{c}::{} FROM {TRASH_SCHEMA}.{} AS h WHERE {}",
        column.type_name,
        Ident(held),
        key_match(key)
    ));
    for t in triggers {
        sql.push(super::sql::trigger_enable(t));
    }
    if column.not_null {
        sql.push(format!("ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL"));
    }
    sql.push(format!("DROP TABLE {TRASH_SCHEMA}.{}", Ident(held)));
    if let Some(comment) = &column.comment {
        sql.push(format!(
            "COMMENT ON COLUMN {table}.{c} IS {}",
            literal(comment)
        ));
    }
    sql
}

/// Where a dropped table is held: [`TRASH_SCHEMA`] and its held name.
pub(super) fn held_table(table: &QualName) -> QualName {
    QualName::new(TRASH_SCHEMA, held_name(table))
}

/// `<revision id>_<schema>_<table>`, cut to PostgreSQL's 63 bytes.
fn held_name(table: &QualName) -> String {
    let mut tail = format!("_{}_{}", table.schema, table.name);
    while ID_LEN + tail.len() > 63 {
        tail.pop();
    }
    format!("{REVISION_PLACEHOLDER}{tail}")
}

/// The up statements: drop the table's foreign keys, rename it, move it.
fn hold(table: &Table, held: &str) -> Vec<String> {
    let t = &table.name;
    let mut sql = vec![format!("CREATE SCHEMA IF NOT EXISTS {TRASH_SCHEMA}")];
    for c in table
        .constraints
        .values()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
    {
        sql.push(format!(
            "ALTER TABLE {t} DROP CONSTRAINT {}",
            Ident(&c.name)
        ));
    }
    sql.push(format!("ALTER TABLE {t} RENAME TO {}", Ident(held)));
    sql.push(format!(
        "ALTER TABLE {}.{} SET SCHEMA {TRASH_SCHEMA}",
        Ident(&t.schema),
        Ident(held)
    ));
    // The label replaces the table's comment while it is held; the down step puts the
    // comment back.
    sql.push(format!(
        "COMMENT ON TABLE {TRASH_SCHEMA}.{} IS {}",
        Ident(held),
        literal(&format!(
            "{HELD_LABEL}table {t}, revision {REVISION_PLACEHOLDER}"
        ))
    ));
    sql
}

/// The down statements: move the table back, give it its name back, add its foreign
/// keys again (those the table was created with; others are steps of their own).
fn restore(table: &Table, inline: &[String], held: &str) -> Vec<String> {
    let t = &table.name;
    let mut sql = vec![
        format!(
            "ALTER TABLE {TRASH_SCHEMA}.{} SET SCHEMA {}",
            Ident(held),
            Ident(&t.schema)
        ),
        format!(
            "ALTER TABLE {}.{} RENAME TO {}",
            Ident(&t.schema),
            Ident(held),
            Ident(&t.name)
        ),
        format!(
            "COMMENT ON TABLE {t} IS {}",
            crate::model::literal_or_null(&table.comment)
        ),
    ];
    for c in table
        .constraints
        .values()
        .filter(|c| c.kind == ConstraintKind::ForeignKey && inline.contains(&c.name))
    {
        sql.push(format!(
            "ALTER TABLE {t} ADD CONSTRAINT {} {}{}",
            Ident(&c.name),
            c.definition,
            if c.validated { "" } else { " NOT VALID" }
        ));
    }
    sql
}

/// Puts the revision id where the placeholder stands, in every statement.
pub fn fill_revision_id(plan: &mut Plan, id: &str) {
    for step in &mut plan.steps {
        for s in step.sql.iter_mut().chain(step.reverse.iter_mut().flatten()) {
            if s.contains(REVISION_PLACEHOLDER) {
                *s = s.replace(REVISION_PLACEHOLDER, id);
            }
        }
        if let Some(check) = &mut step.check {
            *check = check.replace(REVISION_PLACEHOLDER, id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_key_columns_are_read_from_the_definition() {
        let mut table = Table::new(QualName::new("public", "t"));
        assert_eq!(primary_key(&table), None);
        table.constraints.insert(
            "t_pkey".to_string(),
            crate::model::Constraint {
                name: "t_pkey".to_string(),
                kind: ConstraintKind::PrimaryKey,
                definition: "PRIMARY KEY (tenant, \"Odd, name\") INCLUDE (x)".to_string(),
                validated: true,
                references: None,
                comment: None,
                deps: Default::default(),
            },
        );
        assert_eq!(
            primary_key(&table),
            Some(vec!["tenant".to_string(), "\"Odd, name\"".to_string()])
        );
        assert_eq!(unquote("\"Odd, name\""), "Odd, name");
        assert_eq!(
            key_match(&["a".into(), "b".into()]),
            "t.a = h.a AND t.b = h.b"
        );
    }

    #[test]
    fn held_column_names_fit_and_stay_apart() {
        let t = QualName::new("public", "x".repeat(40));
        let a = held_column_name(&t, &"a".repeat(30));
        let b = held_column_name(&t, &format!("{}b", "a".repeat(29)));
        let fill = |n: &str| n.replace(REVISION_PLACEHOLDER, "20261124031500-3f9a2c");
        assert_eq!(fill(&a).len(), 63);
        assert_ne!(a, b);
        let short = held_column_name(&QualName::new("public", "users"), "password");
        assert_eq!(
            short,
            format!("{REVISION_PLACEHOLDER}_public_users_password")
        );
    }

    #[test]
    fn held_names_fit_in_63_bytes_once_the_id_is_in() {
        let long = QualName::new("public", "x".repeat(60));
        let name = held_name(&long).replace(REVISION_PLACEHOLDER, "20261124031500-3f9a2c");
        assert_eq!(name.len(), 63);
        assert!(name.starts_with("20261124031500-3f9a2c_public_xxx"));
        let short = held_name(&QualName::new("public", "notes"));
        assert_eq!(short, format!("{REVISION_PLACEHOLDER}_public_notes"));
    }
}
