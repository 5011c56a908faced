//! `DROP`, with what goes along (a table's indexes, triggers, partitions and owned
//! sequences; with `CASCADE`, the views and foreign keys that use it).

use pg_query::protobuf::{self, ObjectType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::QualName;

use super::{inner, split2, Interp};

impl<'c> Interp<'c> {
    pub(super) fn drop(&mut self, s: &protobuf::DropStmt) -> Result<()> {
        let objtype = ObjectType::try_from(s.remove_type).unwrap_or_default();
        let cascade = protobuf::DropBehavior::try_from(s.behavior).unwrap_or_default()
            == protobuf::DropBehavior::DropCascade;
        for o in &s.objects {
            let names = self.list_name(Some(o));
            let found = match objtype {
                ObjectType::ObjectSchema => {
                    let n = names.join(".");
                    let found = self.cat.schemas.remove(&n).is_some();
                    for p in self.cat.publications.values_mut() {
                        p.schemas.remove(&n);
                    }
                    if found && cascade {
                        self.cat.retain_schemas(|s| s != n);
                    }
                    found
                }
                ObjectType::ObjectExtension => {
                    self.cat.extensions.remove(&names.join(".")).is_some()
                }
                ObjectType::ObjectTsdictionary | ObjectType::ObjectTsconfiguration => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    if objtype == ObjectType::ObjectTsdictionary {
                        let q = self.lookup(sch, n, |q| self.cat.ts_dictionaries.contains_key(q));
                        q.is_some_and(|q| self.cat.ts_dictionaries.remove(&q).is_some())
                    } else {
                        let q = self.lookup(sch, n, |q| self.cat.ts_configurations.contains_key(q));
                        q.is_some_and(|q| self.cat.ts_configurations.remove(&q).is_some())
                    }
                }
                ObjectType::ObjectOperator => {
                    let Some(NodeEnum::ObjectWithArgs(w)) = inner(o) else {
                        return Err(self.unsupported("DROP OPERATOR without its signature"));
                    };
                    let key = self.operator_key(w)?;
                    self.cat.operators.remove(&key).is_some()
                }
                ObjectType::ObjectCast => {
                    let key = self.cast_key(o)?;
                    self.cat.casts.remove(&key).is_some()
                }
                ObjectType::ObjectEventTrigger => {
                    self.cat.event_triggers.remove(&names.join(".")).is_some()
                }
                ObjectType::ObjectFdw => {
                    let name = names.join(".");
                    let users: Vec<String> = self
                        .cat
                        .foreign_servers
                        .values()
                        .filter(|v| v.wrapper == name)
                        .map(|v| format!("server {}", v.name))
                        .collect();
                    if !users.is_empty() && !cascade {
                        return Err(self.rejected(format!(
                            "cannot drop foreign-data wrapper {name} because other objects depend on it ({})",
                            users.join(", ")
                        )));
                    }
                    self.cat.foreign_servers.retain(|_, v| v.wrapper != name);
                    self.cat.foreign_data_wrappers.remove(&name).is_some()
                }
                ObjectType::ObjectForeignServer => {
                    let name = names.join(".");
                    let mapped = self
                        .cat
                        .foreign_servers
                        .get(&name)
                        .is_some_and(|v| !v.mappings.is_empty());
                    if mapped && !cascade {
                        return Err(self.rejected(format!(
                            "cannot drop server {name} because other objects depend on it (its user mappings)"
                        )));
                    }
                    self.cat.foreign_servers.remove(&name).is_some()
                }
                ObjectType::ObjectPublication => {
                    self.cat.publications.remove(&names.join(".")).is_some()
                }
                ObjectType::ObjectStatisticExt => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    match self.lookup(sch, n, |q| self.cat.statistics.contains_key(q)) {
                        Some(q) => self.cat.statistics.remove(&q).is_some(),
                        None => false,
                    }
                }
                ObjectType::ObjectCollation => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    match self.lookup(sch, n, |q| self.cat.collations.contains_key(q)) {
                        Some(q) => self.cat.collations.remove(&q).is_some(),
                        None => false,
                    }
                }
                ObjectType::ObjectTable | ObjectType::ObjectForeignTable => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    match self.lookup(sch, n, |q| self.cat.tables.contains_key(q)) {
                        Some(q) => {
                            self.drop_table(&q, cascade);
                            true
                        }
                        None => false,
                    }
                }
                ObjectType::ObjectView | ObjectType::ObjectMatview => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    match self.lookup(sch, n, |q| self.cat.views.contains_key(q)) {
                        Some(q) => {
                            self.cat.views.remove(&q);
                            self.cat.indexes.retain(|_, i| i.table != q);
                            self.cat.triggers.retain(|(t, _), _| *t != q);
                            if cascade {
                                self.drop_dependents(&q);
                            }
                            true
                        }
                        None => false,
                    }
                }
                ObjectType::ObjectSequence => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    match self.lookup(sch, n, |q| self.cat.sequences.contains_key(q)) {
                        Some(q) => self.cat.sequences.remove(&q).is_some(),
                        None => false,
                    }
                }
                ObjectType::ObjectIndex => {
                    let (sch, n) = split2(&names).unwrap_or_default();
                    match self.lookup(sch, n, |q| self.cat.indexes.contains_key(q)) {
                        Some(q) => {
                            let removed = self.cat.indexes.remove(&q);
                            if let Some(i) = &removed {
                                let tail =
                                    |d: &str| d.find(" USING ").map(|at| d[at..].to_string());
                                let want = tail(&i.definition);
                                for child in self.children(&i.table) {
                                    if let Some(t) = self.cat.table_mut(&child) {
                                        t.inherited_indexes
                                            .0
                                            .retain(|_, x| tail(&x.definition) != want);
                                    }
                                }
                            }
                            removed.is_some()
                        }
                        None => false,
                    }
                }
                ObjectType::ObjectType | ObjectType::ObjectDomain => {
                    match self
                        .user_type(&names)
                        .filter(|q| self.cat.types.contains_key(q))
                    {
                        Some(q) => self.cat.types.remove(&q).is_some(),
                        None => false,
                    }
                }
                ObjectType::ObjectFunction
                | ObjectType::ObjectProcedure
                | ObjectType::ObjectRoutine
                | ObjectType::ObjectAggregate => {
                    let Some(NodeEnum::ObjectWithArgs(w)) = inner(o) else {
                        return Err(self.unsupported("DROP FUNCTION without a name"));
                    };
                    match self.function_key(w)? {
                        Some(k) => self.cat.functions.remove(&k).is_some(),
                        None => false,
                    }
                }
                ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectRule => {
                    let (relnames, last) = names.split_at(names.len().saturating_sub(1));
                    let sub = last.first().cloned().unwrap_or_default();
                    let (sch, n) = split2(relnames).unwrap_or_default();
                    let q = self.lookup(sch, n, |q| {
                        self.cat.tables.contains_key(q) || self.cat.views.contains_key(q)
                    });
                    match (q, objtype) {
                        (Some(q), ObjectType::ObjectTrigger) => {
                            self.cat.triggers.remove(&(q, sub)).is_some()
                        }
                        (Some(q), ObjectType::ObjectRule) => {
                            self.cat.rules.remove(&(q, sub)).is_some()
                        }
                        (Some(q), _) => self
                            .cat
                            .table_mut(&q)
                            .is_some_and(|t| t.policies.remove(&sub).is_some()),
                        (None, _) => false,
                    }
                }
                _ => return Err(self.unsupported(format!("DROP {objtype:?}"))),
            };
            if !found && !s.missing_ok {
                return Err(self.missing(names.join(".")));
            }
        }
        Ok(())
    }

    pub(super) fn drop_table(&mut self, q: &QualName, cascade: bool) {
        self.cat.tables.remove(q);
        self.cat.indexes.retain(|_, i| i.table != *q);
        self.cat.statistics.retain(|_, x| x.table != *q);
        self.cat.rules.retain(|(t, _), _| t != q);
        for p in self.cat.publications.values_mut() {
            p.tables.remove(q);
        }
        self.cat.triggers.retain(|(t, _), _| t != q);
        self.cat
            .sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != q));
        // Partitions go with their parent.
        let parts: Vec<QualName> = self
            .cat
            .tables
            .values()
            .filter(|t| t.partition_of.as_ref().is_some_and(|p| p.parent == *q))
            .map(|t| t.name.clone())
            .collect();
        for p in parts {
            self.drop_table(&p, cascade);
        }
        if cascade {
            for t in self.cat.tables_mut() {
                t.constraints
                    .retain(|_, c| c.references.as_ref() != Some(q));
            }
            self.drop_dependents(q);
        }
    }

    /// DROP ... CASCADE: views that use the relation go too.
    fn drop_dependents(&mut self, q: &QualName) {
        let gone: Vec<QualName> = self
            .cat
            .views
            .values()
            .filter(|v| v.deps.iter().any(|d| d.relation() == Some(q)))
            .map(|v| v.name.clone())
            .collect();
        for v in gone {
            self.cat.views.remove(&v);
            self.drop_dependents(&v);
        }
    }
}
