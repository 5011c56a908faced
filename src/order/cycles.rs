//! Breaking dependency cycles between tables: foreign keys that reference each other
//! (`a.b_id -> b`, `b.a_id -> a`) cannot all be written inside `CREATE TABLE`. When the
//! sort finds such a cycle, the foreign keys of the tables in it move out into
//! `ALTER TABLE ... ADD CONSTRAINT` changes that run after every table exists (and, for
//! drops, into `DROP CONSTRAINT` changes that run before any table goes).

use std::sync::Arc;

use crate::diff::Change;
use crate::model::ConstraintKind;

/// Splits foreign keys out of the `CreateTable` / `DropTable` changes in the given
/// cycles. Returns false when there was nothing to split (the cycle has another cause).
pub fn break_cycles(changes: &mut Vec<Change>, cycles: &[Vec<usize>]) -> bool {
    let mut split = Vec::new();
    for &i in cycles.iter().flatten() {
        match &mut changes[i] {
            Change::CreateTable { table, inline } => {
                let fks: Vec<String> = inline
                    .iter()
                    .filter(|name| {
                        table
                            .constraints
                            .get(*name)
                            .is_some_and(|c| c.kind == ConstraintKind::ForeignKey)
                    })
                    .cloned()
                    .collect();
                inline.retain(|n| !fks.contains(n));
                for name in fks {
                    if let Some(c) = table.constraints.get(&name) {
                        split.push(Change::CreateConstraint {
                            table: table.name.clone(),
                            constraint: c.clone(),
                        });
                    }
                }
            }
            Change::DropTable(table) => {
                let fks: Vec<String> = table
                    .constraints
                    .values()
                    .filter(|c| c.kind == ConstraintKind::ForeignKey)
                    .map(|c| c.name.clone())
                    .collect();
                for name in fks {
                    if let Some(c) = Arc::make_mut(table).constraints.remove(&name) {
                        split.push(Change::DropConstraint {
                            table: table.name.clone(),
                            constraint: c,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    let progress = !split.is_empty();
    changes.extend(split);
    progress
}
