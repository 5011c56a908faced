//! What each change does to the set of objects, for ordering: which objects it brings
//! into existence, removes or modifies, which it needs to exist, and which it stops
//! depending on.

use std::collections::BTreeSet;

use crate::diff::{Change, ColumnChange, PrivilegePhase, TableChange};
use crate::model::{Constraint, ConstraintKind, ObjectId, QualName, Table};

/// The effects of one change on the catalog.
#[derive(Debug, Default)]
pub struct Effects {
    /// Objects that exist after the change and not before.
    pub creates: BTreeSet<ObjectId>,
    /// Objects that exist before the change and not after.
    pub drops: BTreeSet<ObjectId>,
    /// Objects the change alters in place.
    pub modifies: BTreeSet<ObjectId>,
    /// Objects that must exist (in their desired form) when the change runs.
    pub needs: BTreeSet<ObjectId>,
    /// Objects the change stops depending on: they may be dropped only after it.
    pub releases: BTreeSet<ObjectId>,
}

impl Effects {
    fn need(&mut self, ids: impl IntoIterator<Item = ObjectId>) {
        self.needs.extend(ids);
    }
    fn release(&mut self, ids: impl IntoIterator<Item = ObjectId>) {
        self.releases.extend(ids);
    }
    /// Drops self references and adds the schema every object lives in.
    fn finish(mut self, object: &ObjectId) -> Effects {
        if let Some(schema) = object.schema() {
            let s = ObjectId::Schema(schema.to_string());
            if !matches!(object, ObjectId::Schema(_)) {
                if self.drops.is_empty() {
                    self.needs.insert(s);
                } else {
                    self.releases.insert(s);
                }
            }
        }
        for own in self.creates.iter().chain(&self.modifies) {
            self.needs.remove(own);
        }
        for own in self.drops.iter() {
            self.releases.remove(own);
        }
        // What the change still depends on afterwards is not released.
        let needs = std::mem::take(&mut self.needs);
        self.releases.retain(|id| !needs.contains(id));
        self.needs = needs;
        self
    }
}

/// The relation an object hangs on, as either kind (only one exists).
fn relation(name: &QualName) -> [ObjectId; 2] {
    [ObjectId::Table(name.clone()), ObjectId::View(name.clone())]
}

/// Everything a table's definition depends on: its own dependencies, its columns' types
/// and defaults, the constraints written inside it, its parents.
fn table_deps<'a>(
    t: &'a Table,
    constraints: impl Iterator<Item = &'a Constraint>,
) -> BTreeSet<ObjectId> {
    let mut out: BTreeSet<ObjectId> = t.deps.iter().cloned().collect();
    for c in t.columns.values() {
        out.extend(c.deps.iter().cloned());
        out.extend(c.default_deps.iter().cloned());
    }
    for c in constraints {
        out.extend(c.deps.iter().cloned());
    }
    if let Some(p) = &t.partition_of {
        out.insert(ObjectId::Table(p.parent.clone()));
    }
    out.extend(t.inherits.iter().map(|p| ObjectId::Table(p.clone())));
    out
}

/// The constraints a table has through its parent.
fn inherited_constraint_ids(t: &Table) -> impl Iterator<Item = ObjectId> + '_ {
    t.inherited_constraints
        .keys()
        .map(|k| ObjectId::Constraint(t.name.clone(), k.clone()))
}

/// The tables and schemas a publication lists, and the columns of its column lists.
fn publication_members(p: &crate::model::Publication) -> Vec<ObjectId> {
    let columns = p.tables.iter().flat_map(|(t, x)| {
        x.columns
            .iter()
            .map(move |c| ObjectId::Column(t.clone(), c.clone()))
    });
    p.tables
        .keys()
        .map(|t| ObjectId::Table(t.clone()))
        .chain(columns)
        .chain(p.schemas.iter().map(|s| ObjectId::Schema(s.clone())))
        .collect()
}

/// Computes the effects of a change.
pub fn effects(change: &Change) -> Effects {
    let mut e = Effects::default();
    let object = change.object();
    match change {
        Change::CreateSchema(_) => {
            e.creates.insert(object.clone());
        }
        Change::DropSchema(_) => {
            e.drops.insert(object.clone());
        }
        Change::CreateExtension(x) => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Schema(x.schema.clone())]);
        }
        Change::DropExtension(x) => {
            e.drops.insert(object.clone());
            e.release([ObjectId::Schema(x.schema.clone())]);
        }
        Change::AlterExtension { from, to } => {
            e.modifies.insert(object.clone());
            e.need([ObjectId::Schema(to.schema.clone())]);
            e.release([ObjectId::Schema(from.schema.clone())]);
        }
        Change::CreateCollation(c) => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Schema(c.name.schema.clone())]);
        }
        Change::DropCollation(c) => {
            e.drops.insert(object.clone());
            e.release([ObjectId::Schema(c.name.schema.clone())]);
            if crate::diff::is_retired_type_name(&c.name) {
                // A collation set aside by RenameCollation must have been renamed first.
                e.needs.insert(object.clone());
            }
        }
        Change::CreateStatistics(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
            e.need([ObjectId::Schema(x.name.schema.clone())]);
        }
        Change::DropStatistics(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
            e.release([ObjectId::Schema(x.name.schema.clone())]);
        }
        Change::AlterStatistics { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::CreateEventTrigger(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
        }
        Change::DropEventTrigger(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
        }
        Change::AlterEventTrigger { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::CreateOperator(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
            e.need([ObjectId::Schema(x.name.schema.clone())]);
        }
        Change::DropOperator(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
            e.release([ObjectId::Schema(x.name.schema.clone())]);
        }
        Change::CreateForeignDataWrapper(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
        }
        Change::DropForeignDataWrapper(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
        }
        Change::AlterForeignDataWrapper { from, to } => {
            e.modifies.insert(object.clone());
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::CreateServer(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
        }
        Change::DropServer(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
        }
        Change::AlterServer { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::CreateRule(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
            e.need([ObjectId::Table(x.table.clone())]);
        }
        Change::DropRule(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
        }
        Change::AlterRule { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::CreateCast(x) => {
            e.creates.insert(object.clone());
            e.need(x.deps.iter().cloned());
        }
        Change::DropCast(x) => {
            e.drops.insert(object.clone());
            e.release(x.deps.iter().cloned());
        }
        Change::CreateTextSearchDictionary(x) => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Schema(x.name.schema.clone())]);
        }
        Change::DropTextSearchDictionary(x) => {
            e.drops.insert(object.clone());
            e.release([ObjectId::Schema(x.name.schema.clone())]);
        }
        Change::AlterTextSearchDictionary { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::CreateTextSearchConfiguration(x) => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Schema(x.name.schema.clone())]);
            e.need(x.deps.iter().cloned());
        }
        Change::DropTextSearchConfiguration(x) => {
            e.drops.insert(object.clone());
            e.release([ObjectId::Schema(x.name.schema.clone())]);
            e.release(x.deps.iter().cloned());
        }
        Change::AlterTextSearchConfiguration { from, to } => {
            e.modifies.insert(object.clone());
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::CreatePublication(p) => {
            e.creates.insert(object.clone());
            e.need(publication_members(p));
        }
        Change::DropPublication(p) => {
            e.drops.insert(object.clone());
            e.release(publication_members(p));
        }
        Change::AlterPublication { from, to } => {
            e.modifies.insert(object.clone());
            e.need(publication_members(to));
            e.release(publication_members(from));
        }
        Change::RenameCollation { from, to } => {
            e.drops.insert(ObjectId::Collation(from.name.clone()));
            e.creates.insert(ObjectId::Collation(to.clone()));
        }
        Change::CreateType(t) => {
            e.creates.insert(object.clone());
            e.need(t.deps.iter().cloned());
        }
        Change::DropType(t) => {
            e.drops.insert(object.clone());
            e.release(t.deps.iter().cloned());
            if crate::diff::is_retired_type_name(&t.name) {
                // A type set aside by RenameType must have been renamed first.
                e.needs.insert(object.clone());
            }
        }
        Change::RenameType { from, to } => {
            e.drops.insert(ObjectId::Type(from.name.clone()));
            e.creates.insert(ObjectId::Type(to.clone()));
        }
        Change::CreateEnumValue { .. } | Change::RenameEnumValue { .. } => {
            e.modifies.insert(object.clone());
        }
        // Renames run first, before everything `order` sorts.
        Change::Rename { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::AlterDomain { from, to, .. } | Change::AlterCompositeType { from, to } => {
            e.modifies.insert(object.clone());
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::CreateSequence(s) => {
            e.creates.insert(object.clone());
            e.need(s.deps.iter().cloned());
        }
        Change::DropSequence(s) => {
            e.drops.insert(object.clone());
            e.release(s.deps.iter().cloned());
        }
        Change::AlterSequence { from, to } => {
            // Only a change to the sequence itself is something its users wait for; a
            // change of owner alone is not (a serial column's default needs the sequence,
            // the sequence's OWNED BY needs the column).
            let mut owner_blind = from.clone();
            owner_blind.owned_by = to.owned_by.clone();
            owner_blind.comment = to.comment.clone();
            if owner_blind != *to {
                e.modifies.insert(object.clone());
            }
            // OWNED BY ties the sequence to its column only when it changes: a serial
            // column changing width with its sequence (`AS bigint`) is one step of each,
            // and the column's default already waits for the sequence.
            if from.owned_by != to.owned_by {
                if let Some((t, c)) = &to.owned_by {
                    e.need([
                        ObjectId::Table(t.clone()),
                        ObjectId::Column(t.clone(), c.clone()),
                    ]);
                }
                if let Some((t, c)) = &from.owned_by {
                    e.release([ObjectId::Column(t.clone(), c.clone())]);
                }
            }
        }
        Change::CreateTable { table, inline } => {
            let n = &table.name;
            e.creates.insert(object.clone());
            e.creates.extend(
                table
                    .columns
                    .keys()
                    .map(|c| ObjectId::Column(n.clone(), c.clone())),
            );
            e.creates.extend(
                inline
                    .iter()
                    .map(|c| ObjectId::Constraint(n.clone(), c.clone())),
            );
            let constraints = table
                .constraints
                .values()
                .filter(|c| inline.contains(&c.name));
            e.need(table_deps(table, constraints));
        }
        Change::DropTable(table) => {
            let n = &table.name;
            e.drops.insert(object.clone());
            e.drops.extend(
                table
                    .columns
                    .keys()
                    .map(|c| ObjectId::Column(n.clone(), c.clone())),
            );
            e.drops.extend(
                table
                    .constraints
                    .keys()
                    .map(|c| ObjectId::Constraint(n.clone(), c.clone())),
            );
            e.drops.extend(
                table
                    .policies
                    .keys()
                    .map(|p| ObjectId::Policy(n.clone(), p.clone())),
            );
            e.release(table_deps(table, table.constraints.values()));
            for p in table.policies.values() {
                e.release(p.deps.iter().cloned());
            }
        }
        Change::AlterTable { from, to, what } => {
            e.modifies.insert(object.clone());
            match what {
                TableChange::Inherit(parent) => {
                    e.need([ObjectId::Table(parent.clone())]);
                    e.need(
                        to.inherited_constraints
                            .values()
                            .filter(|c| c.kind == ConstraintKind::Check)
                            .map(|c| ObjectId::Constraint(to.name.clone(), c.name.clone())),
                    );
                    e.need(
                        to.columns
                            .keys()
                            .map(|c| ObjectId::Column(to.name.clone(), c.clone())),
                    );
                }
                TableChange::NoInherit(parent) => {
                    e.release([ObjectId::Table(parent.clone())]);
                    // Inherited checks become the table's own: drop them only after.
                    e.modifies.extend(inherited_constraint_ids(from));
                }
                _ => {}
            }
        }
        Change::AlterReplicaIdentity { table, from, to } => {
            // Not a modification of the table: `USING INDEX` waits for its index, which
            // waits for the table; a revert to DEFAULT comes before the table or the
            // index is dropped.
            let index = |i: &str| {
                [
                    ObjectId::Index(table.sibling(i.to_string())),
                    ObjectId::Constraint(table.clone(), i.to_string()),
                ]
            };
            if let Some(i) = from.index() {
                e.release(index(i));
            }
            if let Some(i) = to.index() {
                e.need(index(i));
            }
            if to.is_default() {
                e.release([object.clone()]);
            } else {
                e.need([object.clone()]);
            }
        }
        Change::AttachPartition { table, of } => {
            e.modifies.insert(object.clone());
            // The partition gets copies of the parent's constraints and indexes: same
            // named objects of its own must be gone first.
            e.creates.extend(inherited_constraint_ids(table));
            e.creates.extend(
                table
                    .inherited_indexes
                    .keys()
                    .map(|i| ObjectId::Index(i.clone())),
            );
            e.need([ObjectId::Table(of.parent.clone())]);
            e.need(
                table
                    .columns
                    .keys()
                    .map(|c| ObjectId::Column(table.name.clone(), c.clone())),
            );
        }
        Change::DetachPartition { table, of } => {
            e.modifies.insert(object.clone());
            // Its copies of the parent's constraints and indexes become its own: drop
            // them only after.
            e.modifies.extend(inherited_constraint_ids(table));
            e.modifies.extend(
                table
                    .inherited_indexes
                    .keys()
                    .map(|i| ObjectId::Index(i.clone())),
            );
            e.release([ObjectId::Table(of.parent.clone())]);
        }
        Change::CreateColumn { table, column } => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Table(table.clone())]);
            e.need(column.deps.iter().cloned());
            e.need(column.default_deps.iter().cloned());
        }
        Change::DropColumn { column, .. } => {
            e.drops.insert(object.clone());
            e.release(column.deps.iter().cloned());
            e.release(column.default_deps.iter().cloned());
        }
        Change::AlterColumn { from, to, what, .. } => {
            e.modifies.insert(object.clone());
            match what {
                ColumnChange::Type { .. } => {
                    e.need(to.deps.iter().cloned());
                    e.need(to.default_deps.iter().cloned());
                    e.release(from.deps.iter().cloned());
                    e.release(from.default_deps.iter().cloned());
                }
                ColumnChange::Default => {
                    e.need(to.default_deps.iter().cloned());
                    e.release(from.default_deps.iter().cloned());
                }
                ColumnChange::DropExpression => e.release(from.default_deps.iter().cloned()),
                ColumnChange::NotNull
                | ColumnChange::NotNullConstraint
                | ColumnChange::Identity => {}
            }
        }
        Change::CreateConstraint { table, constraint } => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Table(table.clone())]);
            e.need(constraint.deps.iter().cloned());
        }
        Change::DropConstraint { constraint, .. } => {
            e.drops.insert(object.clone());
            e.release(constraint.deps.iter().cloned());
        }
        Change::ValidateConstraint { .. } => {
            e.modifies.insert(object.clone());
        }
        Change::CreateIndex(i) => {
            e.creates.insert(object.clone());
            e.need(relation(&i.table));
            e.need(i.deps.iter().cloned());
        }
        Change::DropIndex(i) => {
            e.drops.insert(object.clone());
            e.release(i.deps.iter().cloned());
        }
        Change::CreateView(v) => {
            e.creates.insert(object.clone());
            e.creates.extend(
                v.columns
                    .iter()
                    .map(|c| ObjectId::Column(v.name.clone(), c.name.clone())),
            );
            e.need(v.deps.iter().cloned());
        }
        Change::DropView(v) => {
            e.drops.insert(object.clone());
            e.drops.extend(
                v.columns
                    .iter()
                    .map(|c| ObjectId::Column(v.name.clone(), c.name.clone())),
            );
            e.release(v.deps.iter().cloned());
        }
        Change::ReplaceView { from, to } => {
            e.modifies.insert(object.clone());
            for c in &to.columns {
                let id = ObjectId::Column(to.name.clone(), c.name.clone());
                if from.columns.iter().any(|f| f.name == c.name) {
                    e.modifies.insert(id);
                } else {
                    e.creates.insert(id);
                }
            }
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::CreateFunction(f) => {
            e.creates.insert(object.clone());
            e.need(f.deps.iter().cloned());
        }
        Change::DropFunction(f) => {
            e.drops.insert(object.clone());
            e.release(f.deps.iter().cloned());
        }
        Change::ReplaceFunction { from, to } => {
            e.modifies.insert(object.clone());
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::CreateTrigger(t) => {
            e.creates.insert(object.clone());
            e.need(relation(&t.table));
            e.need(t.deps.iter().cloned());
        }
        Change::DropTrigger(t) => {
            e.drops.insert(object.clone());
            e.release(t.deps.iter().cloned());
        }
        Change::ReplaceTrigger { from, to } | Change::AlterTrigger { from, to } => {
            e.modifies.insert(object.clone());
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::CreatePolicy { table, policy } => {
            e.creates.insert(object.clone());
            e.need([ObjectId::Table(table.clone())]);
            e.need(policy.deps.iter().cloned());
        }
        Change::DropPolicy { policy, .. } => {
            e.drops.insert(object.clone());
            e.release(policy.deps.iter().cloned());
        }
        Change::AlterPolicy { from, to, .. } => {
            e.modifies.insert(object.clone());
            e.need(to.deps.iter().cloned());
            e.release(from.deps.iter().cloned());
        }
        Change::AlterPrivileges { object, phase, .. }
        | Change::AlterOwner { object, phase, .. } => {
            if *phase == PrivilegePhase::BeforeDrop {
                e.releases.insert(object.clone());
            } else {
                e.needs.insert(object.clone());
            }
        }
        Change::AlterComment { object, .. } => {
            e.needs.insert(object.clone());
        }
        Change::AlterDefaultPrivileges { key, .. } => {
            if let Some(s) = &key.schema {
                e.needs.insert(ObjectId::Schema(s.clone()));
            }
        }
    }
    e.finish(&object)
}
