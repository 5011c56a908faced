//! Render: ordered changes into SQL, reverse SQL and hazards.
//!
//! Input: changes in the order `order` gave them. Output: a [`Plan`] of [`Step`]s, each
//! with its statements, the statements that undo it (when one step can), and its
//! hazards. `Display` writes the plan as a psql-runnable script with a comment before
//! each step. [`mermaid`] draws the tables a change touches, for a reviewer. Does no I/O.

pub mod mermaid;
mod online;
mod recoverable;
mod reverse;
mod sql;

pub use online::{render_online, render_online_owned};
pub use recoverable::{fill_revision_id, recoverable, HELD_LABEL, REVISION_PLACEHOLDER};
pub use reverse::{classify_reverse, rollback_hazards};

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::diff::{
    is_retired_type_name, Change, ColumnChange, DomainChange, PrivilegePhase, TableChange,
};
use crate::model::{ConstraintKind, ObjectId, QualName};

/// What can go wrong, or hurt, when a step runs on a live database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hazard {
    /// Drops stored data: a table, a column, a sequence's position, a type.
    DataLoss,
    /// Rewrites the whole table under an ACCESS EXCLUSIVE lock.
    TableRewrite,
    /// Holds an ACCESS EXCLUSIVE lock while it scans or rebuilds: no reads or writes.
    AccessExclusiveLock,
    /// Reads the whole table to validate (a constraint, NOT NULL, a partition bound).
    FullScan,
    /// Builds an index without CONCURRENTLY: writes to the table wait.
    IndexBuild,
    /// Cannot be undone by a single step (the down plan recreates instead), or the down
    /// section cannot restore what the up section removed (a dropped table's or column's
    /// rows): `rollback` refuses it without `--force`.
    NotReversible,
    /// A down step that runs only if the rows allow it (a narrowed type, NOT NULL, a
    /// unique, check or foreign key constraint re-added); the step carries the query
    /// that tells.
    MayFail,
    /// Drops a table by moving it, with its rows, into the holding schema
    /// `schemaplan_trash` (`plan --recoverable`): the down section restores it.
    DataHeld,
    /// Removes access: a role loses a privilege (or its grant option) on an object that
    /// stays, or an object that stays changes owner.
    Authz,
    /// Stops publishing changes to logical replication subscribers: a publication
    /// dropped, or a table or schema taken out of one (or its published columns or rows
    /// narrowed).
    Replication,
}

impl Hazard {
    /// Every hazard, in order.
    pub const ALL: [Hazard; 10] = [
        Hazard::DataLoss,
        Hazard::TableRewrite,
        Hazard::AccessExclusiveLock,
        Hazard::FullScan,
        Hazard::IndexBuild,
        Hazard::NotReversible,
        Hazard::MayFail,
        Hazard::DataHeld,
        Hazard::Authz,
        Hazard::Replication,
    ];

    /// The kebab-case name users write and read.
    pub fn name(self) -> &'static str {
        match self {
            Hazard::DataLoss => "data-loss",
            Hazard::TableRewrite => "table-rewrite",
            Hazard::AccessExclusiveLock => "access-exclusive-lock",
            Hazard::FullScan => "full-scan",
            Hazard::IndexBuild => "index-build",
            Hazard::NotReversible => "not-reversible",
            Hazard::MayFail => "may-fail",
            Hazard::DataHeld => "data-held",
            Hazard::Authz => "authz",
            Hazard::Replication => "replication",
        }
    }
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Hazard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Hazard::ALL
            .into_iter()
            .find(|h| h.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Hazard::ALL.iter().map(|h| h.name()).collect();
                format!("unknown hazard {s:?}; expected one of {}", names.join(", "))
            })
    }
}

impl Serialize for Hazard {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Read by name, as [`FromStr`] reads it (`allow_hazards` in schemaplan.toml).
impl<'de> Deserialize<'de> for Hazard {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// One step of a plan: a change and its SQL.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// The change (plain data).
    #[serde(flatten)]
    pub change: Change,
    /// The statements that make it, in order, without trailing semicolons.
    pub sql: Vec<String>,
    /// The statements that undo it, when one step can.
    pub reverse: Option<Vec<String>>,
    /// What makes it risky on a live database.
    pub hazards: Vec<Hazard>,
    /// A safer way to get there, when the step is risky and schemaplan cannot do it for
    /// you (a rewrite): written as a comment before the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    /// For a down step that may fail: the query counting the rows that make it fail,
    /// written as a `-- may-fail:` comment before the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// An ordered list of steps.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    /// Session settings the steps need (e.g. not checking function bodies against
    /// tables created later in the plan), in order.
    pub preamble: Vec<String>,
    /// The steps.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every statement of the plan (preamble first), in order.
    pub fn statements(&self) -> impl Iterator<Item = &String> {
        self.preamble
            .iter()
            .chain(self.steps.iter().flat_map(|s| s.sql.iter()))
    }

    /// All hazards of the plan, each once, in order.
    pub fn hazards(&self) -> BTreeSet<Hazard> {
        self.steps
            .iter()
            .flat_map(|s| s.hazards.iter().copied())
            .collect()
    }
}

/// The plan as a script psql runs: a comment naming each step and its hazards, then
/// its statements.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.preamble {
            writeln!(f, "{s};")?;
        }
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 || !self.preamble.is_empty() {
                writeln!(f)?;
            }
            writeln!(f, "-- {} {}", step.change.kind(), step.change.object())?;
            if !step.hazards.is_empty() {
                let names: Vec<&str> = step.hazards.iter().map(|h| h.name()).collect();
                writeln!(f, "-- hazards: {}", names.join(", "))?;
            }
            if let Some(advice) = &step.advice {
                writeln!(f, "-- safer: {advice}")?;
            }
            if let Some(check) = &step.check {
                writeln!(f, "-- may-fail: {check}")?;
            }
            for s in &step.sql {
                writeln!(f, "{s};")?;
            }
        }
        Ok(())
    }
}

/// The tables (and materialized views) the changes create: steps on them find them
/// empty, which decides some hazards.
pub(super) fn new_tables(changes: &[Change]) -> BTreeSet<QualName> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table, .. } => Some(table.name.clone()),
            Change::CreateView(v) if v.materialized => Some(v.name.clone()),
            _ => None,
        })
        .collect()
}

/// The statements of each ordered change, exactly as [`render`] puts them in its
/// steps, handed to `each` one change at a time instead of collected into a [`Plan`]
/// (no reverse statements, no preamble): a caller that writes them out as they come
/// (`inspect`) holds one step's SQL at a time, whatever the size of the schema.
pub fn for_each_statements<E>(
    changes: &[Change],
    mut each: impl FnMut(&Change, Vec<String>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let new_tables = new_tables(changes);
    for c in changes {
        let hazards = hazards(c, &new_tables);
        let mut sql = sql::statements(c);
        sql.extend(analyze_after(c, &hazards));
        each(c, sql)?;
    }
    Ok(())
}

/// Renders ordered changes into a plan.
pub fn render(changes: &[Change]) -> Plan {
    render_owned(changes.to_vec())
}

/// [`render`] taking the changes: each moves into its step rather than being copied
/// (a plan creating a large schema held every table twice).
pub fn render_owned(changes: Vec<Change>) -> Plan {
    let new_tables = new_tables(&changes);
    let mut preamble = Vec::new();
    if changes.iter().any(|c| {
        matches!(
            c,
            Change::CreateFunction(_) | Change::ReplaceFunction { .. }
        )
    }) {
        // As pg_dump does: a SQL function may read a table created later in the plan.
        preamble.push("SET check_function_bodies = false".to_string());
    }
    let steps = changes
        .into_iter()
        .map(|c| {
            let hazards = hazards(&c, &new_tables);
            let mut sql = sql::statements(&c);
            sql.extend(analyze_after(&c, &hazards));
            let reverse = inverse(&c).map(|inv| sql::statements(&inv));
            Step {
                change: c,
                sql,
                reverse,
                hazards,
                advice: None,
                check: None,
            }
        })
        .collect();
    Plan { preamble, steps }
}

/// A column whose type change rewrote the table has no statistics for its new type
/// until autovacuum comes by, so queries on it are planned blind: `ANALYZE` it at once
/// (it reads a sample, under a lock that lets reads and writes through).
fn analyze_after(change: &Change, hazards: &[Hazard]) -> Option<String> {
    match change {
        Change::AlterColumn {
            table,
            to,
            what: ColumnChange::Type { .. },
            ..
        } if hazards.contains(&Hazard::TableRewrite) => Some(format!(
            "ANALYZE {table} ({})",
            crate::model::Ident(&to.name)
        )),
        _ => None,
    }
}

/// The hazards of a change. Work on a table created earlier in the same plan is
/// harmless: it is empty.
fn hazards(change: &Change, new_tables: &BTreeSet<QualName>) -> Vec<Hazard> {
    use Hazard::*;
    let existing = |t: &QualName| !new_tables.contains(t);
    let mut h = match change {
        Change::DropTable(t) if t.foreign.is_some() => vec![],
        Change::DropTable(_) | Change::DropSequence(_) => vec![DataLoss],
        Change::DropColumn { column, .. } if column.generated.is_none() => vec![DataLoss],
        Change::DropType(t) if !is_retired_type_name(&t.name) => vec![DataLoss],
        Change::AlterColumn {
            table,
            from,
            to,
            what,
        } if existing(table) => match what {
            ColumnChange::Type { using } => {
                if rewrites(&from.type_name, &to.type_name, using.is_some())
                    || from.collation != to.collation
                {
                    vec![TableRewrite, AccessExclusiveLock]
                } else {
                    vec![]
                }
            }
            // Unvalidated: no scan, and nothing to wait for but the lock.
            ColumnChange::NotNull if to.not_null && to.not_null_flags().0 => {
                vec![]
            }
            ColumnChange::NotNull if to.not_null => vec![FullScan, AccessExclusiveLock],
            // VALIDATE CONSTRAINT scans; a constraint dropped and added valid scans with
            // the table locked.
            ColumnChange::NotNullConstraint => {
                let ((from_invalid, from_no_inherit), (to_invalid, to_no_inherit)) =
                    (from.not_null_flags(), to.not_null_flags());
                match (from_invalid, to_invalid) {
                    (_, true) => vec![],
                    (true, false) => vec![FullScan],
                    (false, false) if from_no_inherit == to_no_inherit => vec![],
                    (false, false) => vec![FullScan, AccessExclusiveLock],
                }
            }
            ColumnChange::DropExpression => vec![NotReversible],
            _ => vec![],
        },
        Change::CreateColumn { table, column } if existing(table) => {
            let volatile = column.default.as_deref().is_some_and(is_volatile);
            // A virtual generated column is computed when read: adding one rewrites
            // nothing.
            let stored = column.generated.is_some() && !column.virtual_generated;
            if stored || column.identity.is_some() || volatile {
                vec![TableRewrite, AccessExclusiveLock]
            } else {
                vec![]
            }
        }
        Change::CreateConstraint { table, constraint }
            if existing(table) && constraint.validated =>
        {
            match constraint.kind {
                ConstraintKind::Check => vec![FullScan, AccessExclusiveLock],
                ConstraintKind::ForeignKey => vec![FullScan],
                _ => vec![IndexBuild, AccessExclusiveLock],
            }
        }
        Change::ValidateConstraint { .. } => vec![FullScan],
        Change::AlterDomain {
            what: DomainChange::CreateCheck(_) | DomainChange::NotNull,
            ..
        } => vec![FullScan],
        Change::CreateIndex(i) if existing(&i.table) => vec![IndexBuild],
        Change::AlterTable {
            what: TableChange::Logged,
            ..
        } => vec![TableRewrite, AccessExclusiveLock],
        Change::AttachPartition { .. } => vec![FullScan],
        Change::CreateEnumValue { .. } => vec![NotReversible],
        Change::AlterPrivileges { authz: true, .. }
        | Change::AlterDefaultPrivileges { authz: true, .. } => vec![Authz],
        // The old owner loses what only an owner may do (and its implicit privileges).
        Change::AlterOwner {
            phase: PrivilegePhase::InPlace,
            ..
        } => vec![Authz],
        Change::DropPublication(p)
            if !p.tables.is_empty() || !p.schemas.is_empty() || p.all_tables =>
        {
            vec![Replication]
        }
        // A user mapping's password is never read: one dropped (or recreated with its
        // server) cannot be given back.
        Change::DropServer(v) if !v.mappings.is_empty() => vec![NotReversible],
        Change::AlterServer { from, to }
            if from.mappings.keys().any(|u| !to.mappings.contains_key(u)) =>
        {
            vec![NotReversible]
        }
        Change::AlterPublication { from, to } => {
            let narrowed = from.tables.iter().any(|(n, t)| to.tables.get(n) != Some(t))
                || from.schemas.iter().any(|s| !to.schemas.contains(s))
                || from.publish.iter().any(|o| !to.publish.contains(o));
            if narrowed {
                vec![Replication]
            } else {
                vec![]
            }
        }
        _ => vec![],
    };
    h.sort();
    h.dedup();
    h
}

/// Whether a column type change rewrites the table: not when the new type only widens a
/// length or precision limit, or drops it (`varchar(20)` → `varchar(50)` or `text`).
fn rewrites(from: &str, to: &str, using: bool) -> bool {
    if from == to {
        return using;
    }
    let limit = |t: &str| -> Option<(String, Option<u32>)> {
        let (base, rest) = match t.find('(') {
            Some(i) => (t[..i].to_string(), Some(&t[i + 1..])),
            None => (t.to_string(), None),
        };
        let n = rest.and_then(|r| {
            r.trim_end_matches(')')
                .split(',')
                .next()?
                .trim()
                .parse()
                .ok()
        });
        Some((base, n))
    };
    let (Some((fb, fl)), Some((tb, tl))) = (limit(from), limit(to)) else {
        return true;
    };
    let stringish = |b: &str| b == "character varying" || b == "text";
    if stringish(&fb) && tb == "text" {
        return false;
    }
    if fb == tb && (fb == "character varying" || fb == "bit varying") {
        return match (fl, tl) {
            (Some(a), Some(b)) => b < a,
            (_, None) => false,
            (None, Some(_)) => true,
        };
    }
    if fb == "numeric" && tb == "numeric" {
        // Same scale and more precision keeps the stored values as they are.
        let scale = |t: &str| {
            t.split(',')
                .nth(1)
                .map(|s| s.trim_end_matches(')').trim().to_string())
        };
        return match (fl, tl) {
            (Some(a), Some(b)) => !(b >= a && scale(from) == scale(to)),
            (Some(_), None) => false,
            _ => true,
        };
    }
    true
}

/// Whether a default expression is volatile, so adding the column fills every row with
/// its own value (a rewrite) instead of storing one value in the catalog.
fn is_volatile(expr: &str) -> bool {
    const VOLATILE: &[&str] = &[
        "clock_timestamp(",
        "random(",
        "gen_random_uuid(",
        "uuid_generate_v",
        "nextval(",
        "timeofday(",
        "txid_current(",
    ];
    VOLATILE.iter().any(|f| expr.contains(f))
}

/// The change that undoes `change` in one step, when there is one.
pub fn inverse(change: &Change) -> Option<Change> {
    use Change::*;
    Some(match change.clone() {
        CreateSchema(s) => DropSchema(s),
        DropSchema(s) => CreateSchema(s),
        CreateExtension(e) => DropExtension(e),
        DropExtension(e) => CreateExtension(e),
        AlterExtension { from, to } => AlterExtension { from: to, to: from },
        CreateCollation(c) => DropCollation(c),
        DropCollation(c) => CreateCollation(c),
        RenameCollation { from, to } => {
            let mut renamed = from.clone();
            renamed.name = to;
            RenameCollation {
                from: renamed,
                to: from.name,
            }
        }
        CreateStatistics(x) => DropStatistics(x),
        DropStatistics(x) => CreateStatistics(x),
        AlterStatistics { from, to } => AlterStatistics { from: to, to: from },
        CreateEventTrigger(x) => DropEventTrigger(x),
        DropEventTrigger(x) => CreateEventTrigger(x),
        AlterEventTrigger { from, to } => AlterEventTrigger { from: to, to: from },
        CreateOperator(x) => DropOperator(x),
        DropOperator(x) => CreateOperator(x),
        CreateForeignDataWrapper(x) => DropForeignDataWrapper(x),
        DropForeignDataWrapper(x) => CreateForeignDataWrapper(x),
        AlterForeignDataWrapper { from, to } => AlterForeignDataWrapper { from: to, to: from },
        CreateServer(x) => DropServer(x),
        DropServer(x) => CreateServer(x),
        AlterServer { from, to } => AlterServer { from: to, to: from },
        CreateRule(x) => DropRule(x),
        DropRule(x) => CreateRule(x),
        AlterRule { from, to } => AlterRule { from: to, to: from },
        CreateCast(x) => DropCast(x),
        DropCast(x) => CreateCast(x),
        CreateTextSearchDictionary(x) => DropTextSearchDictionary(x),
        DropTextSearchDictionary(x) => CreateTextSearchDictionary(x),
        AlterTextSearchDictionary { from, to } => AlterTextSearchDictionary { from: to, to: from },
        CreateTextSearchConfiguration(x) => DropTextSearchConfiguration(x),
        DropTextSearchConfiguration(x) => CreateTextSearchConfiguration(x),
        AlterTextSearchConfiguration { from, to } => {
            AlterTextSearchConfiguration { from: to, to: from }
        }
        CreatePublication(p) => DropPublication(p),
        DropPublication(p) => CreatePublication(p),
        AlterPublication { from, to } => AlterPublication { from: to, to: from },
        CreateType(t) => DropType(t),
        DropType(t) => CreateType(t),
        RenameType { from, to } => {
            let mut renamed = from.clone();
            renamed.name = to;
            RenameType {
                from: renamed,
                to: from.name,
            }
        }
        CreateEnumValue { .. } => return None,
        Rename { object, new_name } => {
            let (renamed, old) = match object {
                ObjectId::Table(t) => (ObjectId::Table(t.sibling(new_name)), t.name),
                ObjectId::View(t) => (ObjectId::View(t.sibling(new_name)), t.name),
                ObjectId::Index(t) => (ObjectId::Index(t.sibling(new_name)), t.name),
                ObjectId::Sequence(t) => (ObjectId::Sequence(t.sibling(new_name)), t.name),
                ObjectId::Type(t) => (ObjectId::Type(t.sibling(new_name)), t.name),
                ObjectId::Column(t, c) => (ObjectId::Column(t, new_name), c),
                ObjectId::Constraint(t, c) => (ObjectId::Constraint(t, new_name), c),
                _ => return None,
            };
            Rename {
                object: renamed,
                new_name: old,
            }
        }
        RenameEnumValue {
            type_name,
            from,
            to,
        } => RenameEnumValue {
            type_name,
            from: to,
            to: from,
        },
        AlterDomain { from, to, what } => AlterDomain {
            from: to,
            to: from,
            what: match what {
                DomainChange::CreateCheck(c) => DomainChange::DropCheck(c),
                DomainChange::DropCheck(c) => DomainChange::CreateCheck(c),
                DomainChange::ValidateCheck(_) => return None,
                other => other,
            },
        },
        AlterCompositeType { from, to } => AlterCompositeType { from: to, to: from },
        CreateSequence(s) => DropSequence(s),
        DropSequence(s) => CreateSequence(s),
        AlterSequence { from, to } => AlterSequence { from: to, to: from },
        CreateTable { table, .. } => DropTable(table),
        DropTable(table) => {
            let inline = if table.partition_of.is_some() {
                Vec::new()
            } else {
                table
                    .constraints
                    .values()
                    .filter(|c| c.validated)
                    .map(|c| c.name.clone())
                    .collect()
            };
            CreateTable { table, inline }
        }
        AlterTable { from, to, what } => AlterTable {
            from: to,
            to: from.clone(),
            what: match what {
                TableChange::Inherit(p) => TableChange::NoInherit(p),
                TableChange::NoInherit(p) => TableChange::Inherit(p),
                other => other,
            },
        },
        AttachPartition { table, of } => DetachPartition { table, of },
        DetachPartition { table, of } => AttachPartition { table, of },
        CreateColumn { table, column } => DropColumn { table, column },
        DropColumn { table, column } => CreateColumn { table, column },
        AlterColumn {
            table,
            from,
            to,
            what,
        } => {
            let what = match what {
                ColumnChange::Type { .. } => ColumnChange::Type {
                    using: crate::diff::using_cast(&to.type_name, &from.type_name).then(|| {
                        format!("{}::{}", crate::model::Ident(&from.name), from.type_name)
                    }),
                },
                ColumnChange::DropExpression => return None,
                other => other,
            };
            AlterColumn {
                table,
                from: to,
                to: from,
                what,
            }
        }
        CreateConstraint { table, constraint } => DropConstraint { table, constraint },
        DropConstraint { table, constraint } => CreateConstraint { table, constraint },
        ValidateConstraint { .. } => return None,
        CreateIndex(i) => DropIndex(i),
        DropIndex(i) => CreateIndex(i),
        CreateView(v) => DropView(v),
        DropView(v) => CreateView(v),
        ReplaceView { from, to } => {
            if crate::diff::needs_view_recreate(&to, &from) {
                return None;
            }
            ReplaceView { from: to, to: from }
        }
        CreateFunction(f) => DropFunction(f),
        DropFunction(f) => CreateFunction(f),
        ReplaceFunction { from, to } => ReplaceFunction { from: to, to: from },
        CreateTrigger(t) => DropTrigger(t),
        DropTrigger(t) => CreateTrigger(t),
        ReplaceTrigger { from, to } => ReplaceTrigger { from: to, to: from },
        AlterTrigger { from, to } => AlterTrigger { from: to, to: from },
        AlterPrivileges {
            object,
            on,
            column,
            from,
            to,
            phase,
            authz: _,
            foreign: _,
        } => AlterPrivileges {
            object,
            on,
            column,
            // What the down section grants back, the owner grants.
            foreign: Vec::new(),
            authz: phase == PrivilegePhase::InPlace && to.loses_to(&from),
            from: to,
            to: from,
            phase: match phase {
                PrivilegePhase::BeforeDrop => PrivilegePhase::AfterCreate,
                PrivilegePhase::AfterCreate => PrivilegePhase::BeforeDrop,
                PrivilegePhase::InPlace => PrivilegePhase::InPlace,
            },
        },
        AlterDefaultPrivileges { key, from, to, .. } => AlterDefaultPrivileges {
            key,
            authz: to.loses_to(&from),
            from: to,
            to: from,
        },
        AlterOwner {
            object,
            on,
            from,
            to,
            phase,
        } => AlterOwner {
            object,
            on,
            from: to,
            to: from,
            phase: match phase {
                PrivilegePhase::BeforeDrop => PrivilegePhase::AfterCreate,
                PrivilegePhase::AfterCreate => PrivilegePhase::BeforeDrop,
                PrivilegePhase::InPlace => PrivilegePhase::InPlace,
            },
        },
        AlterReplicaIdentity { table, from, to } => AlterReplicaIdentity {
            table,
            from: to,
            to: from,
        },
        CreatePolicy { table, policy } => DropPolicy { table, policy },
        DropPolicy { table, policy } => CreatePolicy { table, policy },
        AlterPolicy { table, from, to } => {
            if (from.using.is_some() && to.using.is_none())
                || (from.with_check.is_some() && to.with_check.is_none())
            {
                return None;
            }
            AlterPolicy {
                table,
                from: to,
                to: from,
            }
        }
        AlterComment {
            object,
            target,
            from,
            to,
        } => AlterComment {
            object,
            target,
            from: to,
            to: from,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_names_round_trip() {
        for h in Hazard::ALL {
            assert_eq!(h.name().parse::<Hazard>(), Ok(h));
        }
        assert!("data_loss".parse::<Hazard>().is_err());
    }

    #[test]
    fn widening_a_limit_does_not_rewrite() {
        assert!(!rewrites(
            "character varying(20)",
            "character varying(50)",
            true
        ));
        assert!(rewrites(
            "character varying(50)",
            "character varying(20)",
            true
        ));
        assert!(!rewrites("character varying(20)", "text", false));
        assert!(!rewrites(
            "character varying(20)",
            "character varying",
            false
        ));
        assert!(!rewrites("numeric(10,2)", "numeric(12,2)", false));
        assert!(rewrites("numeric(10,2)", "numeric(12,4)", false));
        assert!(rewrites("integer", "bigint", false));
        assert!(rewrites("text", "integer", true));
    }
}
