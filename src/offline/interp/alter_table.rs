//! `ALTER TABLE`: one subcommand at a time, on the table and on the children that
//! inherit what it changes.

use pg_query::protobuf::{self, AlterTableType, ConstrType, ObjectType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{
    Column, Constraint, ConstraintKind, Deps, Identity, IdentityKind, NotCompared,
    NotNullConstraint, ObjectId, QualName, ReplicaIdentity, Table, TriggerEnabled,
};

use super::{inner, node_i64, Interp};

impl<'c> Interp<'c> {
    pub(super) fn alter_table(&mut self, s: &protobuf::AlterTableStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("ALTER without a name"))?;
        let objtype = ObjectType::try_from(s.objtype).unwrap_or_default();
        if let Some(role) = only_owner(s) {
            return self.relation_owner(rv, s.missing_ok, role);
        }
        match objtype {
            ObjectType::ObjectTable | ObjectType::ObjectForeignTable => {}
            ObjectType::ObjectView | ObjectType::ObjectMatview => return self.alter_view(rv, s),
            ObjectType::ObjectSequence => {
                return Err(self.unsupported("ALTER SEQUENCE through ALTER TABLE forms"))
            }
            ObjectType::ObjectIndex => return self.alter_index(rv, s),
            ObjectType::ObjectType => return self.alter_composite(rv, s),
            _ => return Err(self.unsupported("this ALTER")),
        }
        let Some(name) = self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.tables.contains_key(q)
        }) else {
            if s.missing_ok {
                return Ok(());
            }
            return Err(self.missing(format!("table {}", rv.relname)));
        };
        for cmd in &s.cmds {
            if let Some(NodeEnum::AlterTableCmd(cmd)) = inner(cmd) {
                self.alter_table_cmd(&name, cmd)?;
            }
        }
        Ok(())
    }

    pub(super) fn column_mut(&mut self, table: &QualName, col: &str) -> Result<&mut Column> {
        let err = self.missing(format!("column {col} of {table}"));
        self.cat
            .table_mut(table)
            .and_then(|t| t.columns.get_mut(col))
            .ok_or(err)
    }

    fn alter_table_cmd(&mut self, table: &QualName, cmd: &protobuf::AlterTableCmd) -> Result<()> {
        use AlterTableType as A;
        let sub = A::try_from(cmd.subtype).unwrap_or_default();
        let def = cmd.def.as_deref();
        match sub {
            A::AtAddColumn => {
                let Some(NodeEnum::ColumnDef(c)) = def.and_then(inner) else {
                    return Err(self.unsupported("ADD COLUMN without a definition"));
                };
                if cmd.missing_ok && self.table(table)?.columns.contains_key(&c.colname) {
                    return Ok(());
                }
                let (col, extras) = self.column(table, c)?;
                let name = col.name.clone();
                self.table_mut(table)?.columns.insert(col);
                if let Some(seq) = extras.sequence {
                    self.cat.sequences.insert(seq.name.clone(), seq);
                }
                for k in extras.constraints {
                    self.add_constraint(table, k, Some(&name), false)?;
                }
                // Children get the column too.
                let children: Vec<QualName> = self.children(table);
                for child in children {
                    let mut copy = self.table(table)?.columns[&name].clone();
                    copy.inherited = NotCompared(true);
                    copy.identity = None;
                    if let Some(t) = self.cat.table_mut(&child) {
                        if !t.columns.contains_key(&name) {
                            t.columns.insert(copy);
                        }
                    }
                }
            }
            A::AtColumnDefault => {
                let text = match def {
                    Some(e) => {
                        let type_name = self.column_mut(table, &cmd.name)?.type_name.clone();
                        Some((self.default_text(e, &type_name)?, self.expr_deps(e, None)))
                    }
                    None => None,
                };
                let col = self.column_mut(table, &cmd.name)?;
                match text {
                    Some((t, d)) => {
                        col.default = Some(t);
                        col.default_deps = NotCompared(d.into_iter().collect());
                    }
                    None => {
                        col.default = None;
                        col.default_deps = Deps::default();
                    }
                }
            }
            A::AtDropNotNull => {
                let col = self.column_mut(table, &cmd.name)?;
                col.not_null = false;
                col.not_null_constraint = None;
            }
            A::AtSetNotNull => {
                let own = table.name.clone();
                let col = self.column_mut(table, &cmd.name)?;
                col.not_null = true;
                // Validates a NOT VALID one (PostgreSQL 18), keeping its name.
                if let Some(k) = col.not_null_constraint.take() {
                    col.not_null_constraint =
                        NotNullConstraint::of(&own, &cmd.name, &k.name, false, k.no_inherit);
                }
            }
            A::AtDropExpression => {
                let col = self.column_mut(table, &cmd.name)?;
                col.generated = None;
                col.default_deps = Deps::default();
            }
            A::AtSetExpression => {
                let e = def.ok_or_else(|| self.unsupported("SET EXPRESSION without one"))?;
                let text = self.expr_text(e)?;
                let deps = self.expr_deps(e, Some(table));
                let col = self.column_mut(table, &cmd.name)?;
                col.generated = Some(text.into());
                col.default_deps = NotCompared(deps.into_iter().collect());
            }
            A::AtSetStatistics
            | A::AtSetOptions
            | A::AtResetOptions
            | A::AtSetStorage
            | A::AtSetCompression
            | A::AtChangeOwner
            | A::AtClusterOn
            | A::AtDropCluster
            | A::AtSetTableSpace
            | A::AtSetAccessMethod => {}
            A::AtDropColumn => {
                self.drop_column(table, &cmd.name, cmd.missing_ok)?;
                if let Some(f) = self.table_mut(table)?.foreign.as_mut() {
                    f.column_options.remove(&cmd.name);
                }
            }
            A::AtAddConstraint => {
                let Some(NodeEnum::Constraint(c)) = def.and_then(inner) else {
                    return Err(self.unsupported("ADD CONSTRAINT without a definition"));
                };
                let kind = ConstrType::try_from(c.contype).unwrap_or_default();
                if kind == ConstrType::ConstrNotnull {
                    return self.add_constraint(table, *c.clone(), None, false);
                }
                let before: Vec<String> = self.table(table)?.constraints.keys().cloned().collect();
                let c = if c.indexname.is_empty() {
                    *c.clone()
                } else {
                    self.constraint_using_index(table, *c.clone())?
                };
                self.add_constraint(table, c, None, false)?;
                let added: Vec<Constraint> = self
                    .table(table)?
                    .constraints
                    .values()
                    .filter(|k| !before.contains(&k.name))
                    .cloned()
                    .collect();
                for child in self.children(table) {
                    for k in &added {
                        if self.table(&child)?.partition_of.is_some() {
                            self.clone_constraint(&child, k)?;
                        } else if k.kind == ConstraintKind::Check
                            && !k.definition.ends_with(" NO INHERIT")
                        {
                            let t = self.table_mut(&child)?;
                            t.inherited_constraints.insert(k.name.clone(), k.clone());
                        }
                    }
                }
            }
            A::AtValidateConstraint => {
                let err = self.missing(format!("constraint {}", cmd.name));
                let t = self.table_mut(table)?;
                if let Some(c) = t.constraints.get_mut(&cmd.name) {
                    c.validated = true;
                } else {
                    let col = not_null_named(t, &table.name, &cmd.name).ok_or(err)?;
                    if let Some(k) = col.not_null_constraint.take() {
                        col.not_null_constraint = NotNullConstraint::of(
                            &table.name,
                            &col.name,
                            &k.name,
                            false,
                            k.no_inherit,
                        );
                    }
                }
            }
            A::AtDropConstraint => {
                let t = self.table_mut(table)?;
                if !t.constraints.contains_key(&cmd.name) {
                    if let Some(col) = not_null_named(t, &table.name, &cmd.name) {
                        col.not_null = false;
                        col.not_null_constraint = None;
                        return Ok(());
                    }
                }
                let Some(removed) = t.constraints.remove(&cmd.name) else {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return Err(self.missing(format!("constraint {}", cmd.name)));
                };
                let children = self.children(table);
                for c in children {
                    if let Some(t) = self.cat.table_mut(&c) {
                        t.inherited_constraints.0.retain(|n, k| {
                            *n != cmd.name
                                && !(k.kind == removed.kind && k.definition == removed.definition)
                        });
                    }
                }
            }
            A::AtAlterColumnType => {
                let Some(NodeEnum::ColumnDef(c)) = def.and_then(inner) else {
                    return Err(self.unsupported("TYPE without a definition"));
                };
                let tn = c
                    .type_name
                    .as_ref()
                    .ok_or_else(|| self.unsupported("TYPE without a type"))?;
                let (type_name, mut deps) = self.type_of(tn)?;
                let collation = self.collation_of(c.coll_clause.as_deref(), &mut deps)?;
                let col = self.column_mut(table, &cmd.name)?;
                // An identity's sequence follows its column's type, default bounds too.
                if let Some(id) = col.identity.as_mut() {
                    id.options = id.options.retyped(&col.type_name, &type_name);
                }
                col.type_name = type_name;
                col.deps = NotCompared(deps.into_iter().collect());
                col.collation = collation.map(Into::into);
            }
            A::AtSetLogged => self.table_mut(table)?.unlogged = false,
            A::AtSetUnLogged => self.table_mut(table)?.unlogged = true,
            A::AtSetRelOptions | A::AtResetRelOptions => {
                let items = match def.and_then(inner) {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let set = self.rel_options(&items)?;
                let t = self.table_mut(table)?;
                let key = |o: &str| o.split('=').next().unwrap_or_default().to_string();
                let keys: Vec<String> = if sub == A::AtSetRelOptions {
                    set.iter().map(|o| key(o)).collect()
                } else {
                    items
                        .iter()
                        .filter_map(|i| match inner(i) {
                            Some(NodeEnum::DefElem(d)) => Some(d.defname.clone()),
                            _ => None,
                        })
                        .collect()
                };
                t.options.retain(|o| !keys.contains(&key(o)));
                if sub == A::AtSetRelOptions {
                    t.options.extend(set);
                }
                t.options.sort();
            }
            A::AtEnableTrig | A::AtEnableAlwaysTrig | A::AtEnableReplicaTrig | A::AtDisableTrig => {
                let enabled = match sub {
                    A::AtEnableTrig => TriggerEnabled::Origin,
                    A::AtEnableAlwaysTrig => TriggerEnabled::Always,
                    A::AtEnableReplicaTrig => TriggerEnabled::Replica,
                    _ => TriggerEnabled::Disabled,
                };
                let err = self.missing(format!("trigger {}", cmd.name));
                let t = self
                    .cat
                    .triggers
                    .get_mut(&(table.clone(), cmd.name.clone()))
                    .ok_or(err)?;
                t.enabled = enabled;
            }
            A::AtEnableRule | A::AtEnableAlwaysRule | A::AtEnableReplicaRule | A::AtDisableRule => {
                let enabled = match sub {
                    A::AtEnableRule => TriggerEnabled::Origin,
                    A::AtEnableAlwaysRule => TriggerEnabled::Always,
                    A::AtEnableReplicaRule => TriggerEnabled::Replica,
                    _ => TriggerEnabled::Disabled,
                };
                let err = self.missing(format!("rule {}", cmd.name));
                let r = self
                    .cat
                    .rules
                    .get_mut(&(table.clone(), cmd.name.clone()))
                    .ok_or(err)?;
                r.enabled = enabled;
            }
            A::AtAddInherit | A::AtDropInherit => {
                let Some(NodeEnum::RangeVar(p)) = def.and_then(inner) else {
                    return Err(self.unsupported("INHERIT without a parent"));
                };
                let parent = self.find_table(p)?;
                self.set_inherit(table, &parent, sub == A::AtAddInherit)?;
            }
            A::AtReplicaIdentity => self.replica_identity(table, def.and_then(inner))?,
            A::AtEnableRowSecurity => self.table_mut(table)?.rls_enabled = true,
            A::AtDisableRowSecurity => self.table_mut(table)?.rls_enabled = false,
            A::AtForceRowSecurity => self.table_mut(table)?.rls_forced = true,
            A::AtNoForceRowSecurity => self.table_mut(table)?.rls_forced = false,
            A::AtAttachPartition | A::AtDetachPartition => {
                let Some(NodeEnum::PartitionCmd(p)) = def.and_then(inner) else {
                    return Err(self.unsupported("a partition command without a partition"));
                };
                let part_rv = p
                    .name
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a partition command without a partition"))?;
                let part = self.find_table(part_rv)?;
                if sub == A::AtAttachPartition {
                    let bound = p
                        .bound
                        .as_ref()
                        .ok_or_else(|| self.unsupported("ATTACH PARTITION without a bound"))?;
                    let bound = self.bound_text(bound)?;
                    self.attach(table, &part, bound)?;
                } else {
                    self.detach(&part);
                }
            }
            A::AtAddIdentity => {
                let Some(NodeEnum::Constraint(k)) = def.and_then(inner) else {
                    return Err(self.unsupported("ADD GENERATED without a definition"));
                };
                let type_name = self.column_mut(table, &cmd.name)?.type_name.clone();
                let mut data_type = type_name;
                let mut owned = None;
                let mut options =
                    self.sequence_options(&k.options, &mut data_type, None, &mut owned)?;
                if !k
                    .options
                    .iter()
                    .any(|o| matches!(inner(o), Some(NodeEnum::DefElem(d)) if d.defname == "start"))
                {
                    options.start = if options.increment > 0 {
                        options.min
                    } else {
                        options.max
                    };
                }
                let col = self.column_mut(table, &cmd.name)?;
                col.identity = Some(Box::new(Identity {
                    kind: if k.generated_when == "a" {
                        IdentityKind::Always
                    } else {
                        IdentityKind::ByDefault
                    },
                    options,
                }));
                col.not_null = true;
            }
            A::AtSetIdentity => {
                let items = match def.and_then(inner) {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let col = self.column_mut(table, &cmd.name)?.clone();
                let Some(id) = col.identity.clone() else {
                    return Err(self.missing(format!("identity on column {}", cmd.name)));
                };
                let mut kind = id.kind;
                let mut seq_items = Vec::new();
                for i in items {
                    match inner(&i) {
                        Some(NodeEnum::DefElem(d)) if d.defname == "generated" => {
                            kind = match node_i64(d.arg.as_deref()) {
                                Some(v) if v == i64::from(b'a') => IdentityKind::Always,
                                _ => IdentityKind::ByDefault,
                            };
                        }
                        _ => seq_items.push(i),
                    }
                }
                let mut data_type = col.type_name.clone();
                let mut owned = None;
                let options = self.sequence_options(
                    &seq_items,
                    &mut data_type,
                    Some(id.options.clone()),
                    &mut owned,
                )?;
                let c = self.column_mut(table, &cmd.name)?;
                c.identity = Some(Box::new(Identity { kind, options }));
            }
            A::AtDropIdentity => {
                let col = self.column_mut(table, &cmd.name)?;
                col.identity = None;
            }
            A::AtGenericOptions | A::AtAlterColumnGenericOptions => {
                let items = match def.and_then(inner) {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let column = (sub == A::AtAlterColumnGenericOptions).then(|| cmd.name.clone());
                self.alter_foreign_options(table, column.as_deref(), &items)?;
            }
            _ => return Err(self.unsupported(format!("ALTER TABLE {sub:?}"))),
        }
        Ok(())
    }

    /// `REPLICA IDENTITY {DEFAULT | FULL | NOTHING | USING INDEX i}`, on this table only
    /// (PostgreSQL never recurses it to partitions). The index must be the table's: an
    /// index of its own or the index of a primary key or unique constraint.
    fn replica_identity(&mut self, table: &QualName, def: Option<&NodeEnum>) -> Result<()> {
        let Some(NodeEnum::ReplicaIdentityStmt(r)) = def else {
            return Err(self.unsupported("REPLICA IDENTITY without a kind"));
        };
        let identity = match r.identity_type.as_str() {
            "d" => ReplicaIdentity::Default,
            "f" => ReplicaIdentity::Full,
            "n" => ReplicaIdentity::Nothing,
            "i" => {
                let t = self.table(table)?;
                let found = self
                    .cat
                    .indexes
                    .get(&table.sibling(r.name.clone()))
                    .is_some_and(|i| &i.table == table)
                    || t.constraints
                        .get(&r.name)
                        .is_some_and(|c| c.kind.has_index())
                    || t.inherited_constraints
                        .get(&r.name)
                        .is_some_and(|c| c.kind.has_index())
                    || t.inherited_indexes
                        .contains_key(&table.sibling(r.name.clone()));
                if !found {
                    return Err(self.missing(format!("index {} on table {table}", r.name)));
                }
                ReplicaIdentity::Index(r.name.clone())
            }
            other => return Err(self.unsupported(format!("REPLICA IDENTITY {other:?}"))),
        };
        self.table_mut(table)?.replica_identity = identity;
        Ok(())
    }

    fn drop_column(&mut self, table: &QualName, col: &str, missing_ok: bool) -> Result<()> {
        let id = ObjectId::Column(table.clone(), col.to_string());
        let t = self.table_mut(table)?;
        let before = t.columns.len();
        let kept: crate::model::Columns = t
            .columns
            .values()
            .filter(|c| c.name != col)
            .cloned()
            .collect();
        if kept.len() == before {
            if missing_ok {
                return Ok(());
            }
            return Err(self.missing(format!("column {col} of {table}")));
        }
        t.columns = kept;
        // Constraints and indexes on the column go with it.
        let gone: Vec<String> = t
            .constraints
            .iter()
            .filter(|(_, c)| c.deps.contains(&id))
            .map(|(n, _)| n.clone())
            .collect();
        for g in gone {
            t.constraints.remove(&g);
        }
        self.cat.indexes.retain(|_, i| !i.deps.contains(&id));
        self.cat.statistics.retain(|_, x| !x.deps.contains(&id));
        self.cat
            .sequences
            .retain(|_, s| s.owned_by.as_ref() != Some(&(table.clone(), col.to_string())));
        // Inherited copies in children go too, unless declared there as well.
        for child in self.children(table) {
            if let Some(t) = self.cat.table_mut(&child) {
                let keep_local =
                    t.columns.get(col).is_some_and(|c| !*c.inherited) && t.partition_of.is_none();
                if !keep_local {
                    let kept: crate::model::Columns = t
                        .columns
                        .values()
                        .filter(|c| c.name != col)
                        .cloned()
                        .collect();
                    t.columns = kept;
                }
            }
        }
        Ok(())
    }
}

/// The new owner of `ALTER TABLE|VIEW|SEQUENCE ... OWNER TO r` when that is all the
/// statement does.
fn only_owner(s: &protobuf::AlterTableStmt) -> Option<&protobuf::RoleSpec> {
    let mut role = None;
    for cmd in &s.cmds {
        match inner(cmd) {
            Some(NodeEnum::AlterTableCmd(c))
                if c.subtype == AlterTableType::AtChangeOwner as i32 =>
            {
                role = c.newowner.as_ref();
            }
            _ => return None,
        }
    }
    role
}

/// The column of `table` (named `own`) whose NOT NULL constraint is called `name`
/// (PostgreSQL 18).
fn not_null_named<'t>(table: &'t mut Table, own: &str, name: &str) -> Option<&'t mut Column> {
    table
        .columns
        .values_mut()
        .find(|c| c.not_null && !*c.inherited && c.not_null_constraint_name(own) == name)
}
