//! Recoverable drops (`plan --recoverable`): a dropped table is held, not dropped.
//!
//! Input: the up and down plans of a revision. Output: the same plans where each
//! `DROP TABLE` of a plain table becomes a move into the holding schema
//! [`TRASH_SCHEMA`] under a name carrying the revision id (so two revisions never
//! collide), and the down step that recreated the table empty moves it back with its
//! rows, indexes, constraints, triggers, comments and privileges. The table's own
//! foreign keys are dropped before the move (a held table must not keep a table it
//! references from being dropped later) and added again by the down step. The hazard
//! is `data-held` instead of `data-loss`.
//!
//! The revision id is not known while rendering: names carry
//! [`REVISION_PLACEHOLDER`], which the revision writer replaces. Does no I/O.

use std::collections::{BTreeMap, BTreeSet};

use super::{Hazard, Plan, Step};
use crate::diff::Change;
use crate::model::{ConstraintKind, Ident, QualName, Table, TRASH_SCHEMA};

/// Stands for the revision id in held objects' names until the id is known.
pub const REVISION_PLACEHOLDER: &str = "@revision-id@";

/// The length of a revision id (`20261124031500-3f9a2c`).
const ID_LEN: usize = 21;

/// The plans with dropped tables held in [`TRASH_SCHEMA`].
pub fn recoverable(up: Plan, down: Plan) -> (Plan, Plan) {
    let mut held: BTreeMap<QualName, String> = BTreeMap::new();
    let mut steps = Vec::with_capacity(up.steps.len());
    for step in up.steps {
        match &step.change {
            Change::DropTable(table)
                if table.partition_of.is_none() && table.partition_by.is_none() =>
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
    fn held_names_fit_in_63_bytes_once_the_id_is_in() {
        let long = QualName::new("public", "x".repeat(60));
        let name = held_name(&long).replace(REVISION_PLACEHOLDER, "20261124031500-3f9a2c");
        assert_eq!(name.len(), 63);
        assert!(name.starts_with("20261124031500-3f9a2c_public_xxx"));
        let short = held_name(&QualName::new("public", "notes"));
        assert_eq!(short, format!("{REVISION_PLACEHOLDER}_public_notes"));
    }
}
