//! Order: changes sorted by their dependencies with petgraph.
//!
//! Input: the unordered changes of a diff. Output: the same changes (foreign keys of a
//! cycle split out into changes of their own) in an order PostgreSQL accepts. The rules,
//! from each change's [`effects::Effects`]:
//!
//! - a change that needs an object runs after the change that creates or alters it;
//! - a change that stops depending on an object runs before the change that drops or
//!   alters it (a view is dropped before the column it reads changes type);
//! - an object dropped and created again is dropped first;
//! - changes altering the same object keep the order the diff gave them, and come
//!   before a change that drops it.
//!
//! Ties are broken by (phase, kind, object, position), so the same input always gives the
//! same order. Does no I/O.

mod cycles;
pub mod effects;

use rustc_hash::FxHashMap;

use crate::diff::Change;
use crate::error::{Error, Result};
use crate::model::ObjectId;
use crate::toposort::stable_toposort;

use effects::{effects, Effects};

/// Sorts changes into an order PostgreSQL accepts. Foreign keys that make tables depend
/// on each other in a cycle are split out of `CREATE TABLE` (or `DROP TABLE`) into
/// changes of their own.
pub fn order(mut changes: Vec<Change>) -> Result<Vec<Change>> {
    loop {
        // The effect lists are gone before the sort: a large plan's are as big as its
        // changes.
        let edges = edges(&changes.iter().map(effects).collect::<Vec<Effects>>());
        let keys: Vec<(u8, ObjectId)> = changes.iter().map(|c| (rank(c), c.object())).collect();
        match stable_toposort(changes.len(), &edges, |i| (&keys[i], i)) {
            Ok(order) => {
                drop((edges, keys));
                permute(&mut changes, &order);
                return Ok(changes);
            }
            Err(cycles) => {
                if !cycles::break_cycles(&mut changes, &cycles) {
                    let objects = cycles
                        .first()
                        .map(|c| c.iter().map(|&i| describe(&changes[i])).collect())
                        .unwrap_or_default();
                    return Err(Error::DependencyCycle { objects });
                }
            }
        }
    }
}

/// Puts `items[order[k]]` at position `k`, in place: a change is large (a whole table
/// for `CreateTable`), and a second vector of them doubled the peak of a large plan.
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        if placed[start] {
            continue;
        }
        let mut at = start;
        loop {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// `create-table public.users`, for cycle reports.
fn describe(change: &Change) -> String {
    format!("{} {}", change.kind(), change.object())
}

/// The ordering edges between changes, from their effects.
fn edges(fx: &[Effects]) -> Vec<(usize, usize)> {
    // Hashed, not sorted: the edges are sorted at the end, so the maps' order cannot
    // show.
    type ByObject<'a> = FxHashMap<&'a ObjectId, Vec<usize>>;
    // Sized up front: growing maps of a hundred thousand objects rehashed each of
    // them several times, a tenth of ordering a large plan.
    let sized = |n: usize| ByObject::with_capacity_and_hasher(n, Default::default());
    let creates: usize = fx.iter().map(|e| e.creates.len()).sum();
    let modifies: usize = fx.iter().map(|e| e.modifies.len()).sum();
    let drops: usize = fx.iter().map(|e| e.drops.len()).sum();
    let mut providers = sized(creates + modifies);
    let mut removers = sized(modifies + drops);
    let mut creators = sized(creates);
    let mut modifiers = sized(modifies);
    let mut droppers = sized(drops);
    for (i, e) in fx.iter().enumerate() {
        for id in &e.creates {
            providers.entry(id).or_default().push(i);
            creators.entry(id).or_default().push(i);
        }
        for id in &e.modifies {
            providers.entry(id).or_default().push(i);
            removers.entry(id).or_default().push(i);
            modifiers.entry(id).or_default().push(i);
        }
        for id in &e.drops {
            removers.entry(id).or_default().push(i);
            droppers.entry(id).or_default().push(i);
        }
    }
    let mut edges = Vec::new();
    for (i, e) in fx.iter().enumerate() {
        for id in &e.needs {
            for &p in providers.get(id).into_iter().flatten() {
                edges.push((p, i));
            }
        }
        for id in &e.releases {
            for &r in removers.get(id).into_iter().flatten() {
                edges.push((i, r));
            }
        }
        for id in &e.drops {
            for &c in creators.get(id).into_iter().flatten() {
                // A type renamed aside is "created" under its retired name by the
                // rename and dropped later: that drop comes after, not before.
                if !fx[c].drops.is_empty() && fx[c].creates.contains(id) && e.needs.contains(id) {
                    continue;
                }
                edges.push((i, c));
            }
        }
    }
    for (id, list) in &modifiers {
        for w in list.windows(2) {
            edges.push((w[0], w[1]));
        }
        // An object altered and dropped in one plan (a partition's index detached
        // with it, then dropped) is altered first.
        for &m in list {
            for &d in droppers.get(id).into_iter().flatten() {
                edges.push((m, d));
            }
        }
    }
    edges.retain(|(a, b)| a != b);
    edges.sort_unstable();
    edges.dedup();
    edges
}

/// The tie-break rank: drops first (dependents before what they depend on, in the
/// usual case), then creates and alterations from schemas to comments.
fn rank(change: &Change) -> u8 {
    match change {
        Change::DropTrigger(_) | Change::DropEventTrigger(_) => 1,
        Change::DropPolicy { .. } => 2,
        Change::DropView(_) => 3,
        Change::DropIndex(_) | Change::DropStatistics(_) | Change::DropPublication(_) => 4,
        Change::DropConstraint { constraint, .. } => {
            if constraint.kind == crate::model::ConstraintKind::ForeignKey {
                5
            } else {
                6
            }
        }
        Change::DetachPartition { .. } => 7,
        Change::DropColumn { .. } => 8,
        Change::DropTable(_) => 9,
        Change::DropSequence(_) => 10,
        Change::DropFunction(_) => 11,
        Change::RenameType { .. } => 12,
        Change::Rename { .. } | Change::RenameEnumValue { .. } => 0,
        Change::DropType(_) => 13,
        Change::DropExtension(_) => 14,
        Change::DropSchema(_) => 15,
        Change::DropCollation(_) => 16,
        Change::DropCast(_) => 11,
        Change::DropRule(_) => 2,
        Change::DropOperator(_) => 11,
        Change::CreateOperator(_) => 28,
        Change::DropServer(_) => 16,
        Change::DropForeignDataWrapper(_) => 17,
        Change::CreateForeignDataWrapper(_) | Change::AlterForeignDataWrapper { .. } => 29,
        Change::CreateServer(_) | Change::AlterServer { .. } => 29,
        Change::CreateRule(_) | Change::AlterRule { .. } => 42,
        Change::CreateCast(_) => 28,
        Change::DropTextSearchConfiguration(_) => 13,
        Change::DropTextSearchDictionary(_) => 14,
        Change::CreateTextSearchDictionary(_) | Change::AlterTextSearchDictionary { .. } => 21,
        Change::CreateTextSearchConfiguration(_) | Change::AlterTextSearchConfiguration { .. } => {
            22
        }
        Change::RenameCollation { .. } => 17,
        Change::CreateCollation(_) => 19,
        // Before every creation (after the schema it names): what the plan creates
        // gets the desired defaults.
        Change::AlterDefaultPrivileges { .. } => 18,
        Change::CreateSchema(_) => 20,
        Change::CreateExtension(_) => 21,
        Change::AlterExtension { .. } => 22,
        Change::CreateType(_) => 23,
        Change::CreateEnumValue { .. } => 24,
        Change::AlterDomain { .. } => 25,
        Change::AlterCompositeType { .. } => 26,
        Change::CreateSequence(_) => 27,
        Change::CreateFunction(_) => 28,
        Change::ReplaceFunction { .. } => 29,
        Change::CreateTable { .. } => 30,
        Change::AlterTable { .. } | Change::AlterReplicaIdentity { .. } => 31,
        Change::CreateColumn { .. } => 32,
        Change::AlterColumn { .. } => 33,
        Change::AttachPartition { .. } => 34,
        Change::CreateConstraint { .. } => 35,
        Change::ValidateConstraint { .. } => 36,
        Change::AlterSequence { .. } => 37,
        Change::CreateIndex(_) => 38,
        Change::CreateStatistics(_) | Change::AlterStatistics { .. } => 49,
        Change::CreatePublication(_) | Change::AlterPublication { .. } => 50,
        Change::CreateEventTrigger(_) | Change::AlterEventTrigger { .. } => 51,
        Change::CreateView(_) => 39,
        Change::ReplaceView { .. } => 40,
        Change::CreateTrigger(_) => 41,
        Change::ReplaceTrigger { .. } => 42,
        Change::AlterTrigger { .. } => 43,
        Change::CreatePolicy { .. } => 44,
        Change::AlterPolicy { .. } => 45,
        Change::AlterComment { .. } => 46,
        // Revokes and owners handed over before a drop go first, like the drops;
        // owners then grants last: who owns an object decides what its grants mean.
        Change::AlterOwner { phase, .. } => {
            if *phase == crate::diff::PrivilegePhase::BeforeDrop {
                1
            } else {
                47
            }
        }
        Change::AlterPrivileges { phase, .. } => {
            if *phase == crate::diff::PrivilegePhase::BeforeDrop {
                1
            } else {
                48
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::model::{
        Catalog, Column, Constraint, ConstraintKind, NotCompared, QualName, Table, View, ViewColumn,
    };

    fn q(name: &str) -> QualName {
        QualName::new("public", name)
    }

    fn deps(ids: &[ObjectId]) -> crate::model::Deps {
        NotCompared(ids.iter().cloned().collect())
    }

    fn table(name: &str, cols: &[(&str, &str)]) -> Table {
        let mut t = Table::new(q(name));
        for (c, ty) in cols {
            t.columns.insert(Column::new(*c, *ty));
        }
        t
    }

    fn view(name: &str, cols: &[(&str, &str)], def: &str, on: &[ObjectId]) -> View {
        View {
            name: q(name),
            materialized: false,
            definition: def.into(),
            columns: cols
                .iter()
                .map(|(n, t)| ViewColumn {
                    name: n.to_string(),
                    type_name: t.to_string(),
                })
                .collect(),
            options: vec![],
            comment: None,
            column_comments: Default::default(),
            deps: deps(on),
        }
    }

    fn kinds(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| format!("{} {}", c.kind(), c.object()))
            .collect()
    }

    #[test]
    fn views_are_dropped_around_a_column_type_change() {
        let mut from = Catalog::new_database();
        from.tables
            .insert(q("t"), table("t", &[("a", "integer")]).into());
        let col = ObjectId::Column(q("t"), "a".into());
        from.views.insert(
            q("v1"),
            view(
                "v1",
                &[("a", "integer")],
                "SELECT a FROM t",
                std::slice::from_ref(&col),
            ),
        );
        let v1col = ObjectId::Column(q("v1"), "a".into());
        from.views.insert(
            q("v2"),
            view(
                "v2",
                &[("a", "integer")],
                "SELECT a FROM v1",
                std::slice::from_ref(&v1col),
            ),
        );
        let mut to = from.clone();
        to.table_mut(&q("t"))
            .unwrap()
            .columns
            .get_mut("a")
            .unwrap()
            .type_name = "bigint".into();
        to.views.get_mut(&q("v1")).unwrap().columns[0].type_name = "bigint".into();
        to.views.get_mut(&q("v2")).unwrap().columns[0].type_name = "bigint".into();

        let ordered = order(diff(&from, &to)).unwrap();
        assert_eq!(
            kinds(&ordered),
            vec![
                "drop-view view public.v2",
                "drop-view view public.v1",
                "alter-column column public.t.a",
                "create-view view public.v1",
                "create-view view public.v2",
            ]
        );
    }

    #[test]
    fn foreign_key_cycles_are_split_out() {
        let mut to = Catalog::new_database();
        for (name, other) in [("a", "b"), ("b", "a")] {
            let mut t = table(name, &[("id", "integer"), ("other_id", "integer")]);
            t.constraints.insert(
                format!("{name}_pkey"),
                Constraint {
                    name: format!("{name}_pkey"),
                    kind: ConstraintKind::PrimaryKey,
                    definition: "PRIMARY KEY (id)".into(),
                    validated: true,
                    references: None,
                    comment: None,
                    deps: deps(&[]),
                },
            );
            t.constraints.insert(
                format!("{name}_other_fkey"),
                Constraint {
                    name: format!("{name}_other_fkey"),
                    kind: ConstraintKind::ForeignKey,
                    definition: format!("FOREIGN KEY (other_id) REFERENCES public.{other}(id)"),
                    validated: true,
                    references: Some(q(other)),
                    comment: None,
                    deps: deps(&[
                        ObjectId::Table(q(other)),
                        ObjectId::Constraint(q(other), format!("{other}_pkey")),
                    ]),
                },
            );
            to.tables.insert(q(name), t.into());
        }
        let ordered = order(diff(&Catalog::new_database(), &to)).unwrap();
        assert_eq!(
            kinds(&ordered),
            vec![
                "create-table table public.a",
                "create-table table public.b",
                "create-constraint constraint a_other_fkey on public.a",
                "create-constraint constraint b_other_fkey on public.b",
            ]
        );
        // And back: the foreign keys go before the tables.
        let ordered = order(diff(&to, &Catalog::new_database())).unwrap();
        assert_eq!(
            kinds(&ordered)[..2],
            [
                "drop-constraint constraint a_other_fkey on public.a",
                "drop-constraint constraint b_other_fkey on public.b",
            ]
        );
    }

    #[test]
    fn order_does_not_depend_on_input_order() {
        let mut to = Catalog::new_database();
        for n in ["c", "a", "b"] {
            to.tables
                .insert(q(n), table(n, &[("id", "integer")]).into());
        }
        let changes = diff(&Catalog::new_database(), &to);
        let mut reversed = changes.clone();
        reversed.reverse();
        assert_eq!(order(changes).unwrap(), order(reversed).unwrap());
    }

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        let order = [3, 0, 4, 1, 2, 5];
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        permute(&mut items, &order);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c', 'f']);
    }
}
