//! `CREATE TABLE`: columns (serial ones with their sequence), constraints and the
//! names PostgreSQL gives unnamed ones, storage options.

use pg_query::protobuf::{self, AlterTableType, ConstrType, Node, ObjectType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{
    Column, Constraint, ConstraintKind, Deps, Identity, IdentityKind, NotCompared,
    NotNullConstraint, ObjectId, PartitionOf, QualName, Sequence, SequenceOptions, Table,
};
use crate::offline::expr::{column_refs, deparse_stmt, string_node, strings, walk_mut};

use super::expressions::regclass_text;
use super::indexes::{index_expr_name, normalize_ordering};
use super::names::unique_name;
use super::{def_value, inner, node, Interp};

/// What a column definition brings besides the column itself.
#[derive(Default)]
pub(super) struct ColumnExtras {
    pub(super) constraints: Vec<protobuf::Constraint>,
    pub(super) sequence: Option<Sequence>,
}

impl<'c> Interp<'c> {
    pub(super) fn create_table(&mut self, s: &protobuf::CreateStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("a table without a name"))?;
        let name = self.create_name(rv);
        if self.is_relation(&name) && s.if_not_exists {
            return Ok(());
        }
        self.new_relation(&name)?;
        self.new_type_name(&name)?;
        if rv.relpersistence == "t" {
            return Err(self.unsupported("a temporary table"));
        }
        if s.of_typename.is_some() {
            return Err(self.unsupported("CREATE TABLE OF type"));
        }
        let mut table = Table::new(name.clone());
        table.unlogged = rv.relpersistence == "u";
        table.options = self.rel_options(&s.options)?;
        let mut parents = Vec::new();
        for p in &s.inh_relations {
            if let Some(NodeEnum::RangeVar(p)) = inner(p) {
                parents.push(self.find_table(p)?);
            }
        }
        if let Some(bound) = &s.partbound {
            let parent = parents
                .first()
                .cloned()
                .ok_or_else(|| self.unsupported("a partition without a parent"))?;
            table.partition_of = Some(PartitionOf {
                parent: parent.clone(),
                bound: self.bound_text(bound)?,
            });
            table.deps.insert(ObjectId::Table(parent));
        } else {
            for p in &parents {
                table.deps.insert(ObjectId::Table(p.clone()));
            }
            table.inherits = parents.clone();
        }
        // Columns from the parents first, in order, as PostgreSQL merges them.
        for p in &parents {
            let parent = self.table(p)?;
            for c in parent.columns.values() {
                let mut col = c.clone();
                col.inherited = NotCompared(true);
                col.identity = None;
                col.comment = None;
                if table.columns.contains_key(&col.name) {
                    continue;
                }
                table.columns.insert(col);
            }
            for (n, c) in parent.constraints.iter() {
                if c.kind == ConstraintKind::Check && !c.definition.ends_with(" NO INHERIT") {
                    table.inherited_constraints.insert(n.clone(), c.clone());
                }
            }
        }
        if let Some(spec) = &s.partspec {
            table.partition_by = Some(self.partition_key(spec)?);
        }
        // The table must exist for its own constraints (self references, columns).
        self.cat.tables.insert(name.clone(), table.into());
        let mut pending = Vec::new();
        for e in &s.table_elts {
            match inner(e) {
                Some(NodeEnum::ColumnDef(c)) => {
                    let (col, extras) = self.column(&name, c)?;
                    let t = self.table_mut(&name)?;
                    match t.columns.get_mut(&col.name) {
                        Some(existing) if *existing.inherited => {
                            // Redeclared: local now, with what it adds.
                            existing.inherited = NotCompared(false);
                            existing.not_null |= col.not_null;
                            if col.default.is_some() {
                                existing.default = col.default;
                                existing.default_deps = col.default_deps;
                            }
                            if c.type_name.is_some() && !is_partition(s) {
                                existing.type_name = col.type_name;
                            }
                        }
                        Some(_) => {
                            return Err(
                                self.unsupported(format!("column {} specified twice", col.name))
                            )
                        }
                        None => t.columns.insert(col),
                    }
                    if let Some(seq) = extras.sequence {
                        self.cat.sequences.insert(seq.name.clone(), seq);
                    }
                    pending.extend(
                        extras
                            .constraints
                            .into_iter()
                            .map(|k| (k, Some(c.colname.clone()))),
                    );
                }
                Some(NodeEnum::Constraint(c)) => pending.push((*c.clone(), None)),
                Some(NodeEnum::TableLikeClause(_)) => {
                    return Err(self.unsupported("CREATE TABLE ... LIKE"))
                }
                _ => return Err(self.unsupported("this table element")),
            }
        }
        // Generation expressions may name any column of the table, declared before or
        // after them: checked once all are in.
        for e in &s.table_elts {
            if let Some(NodeEnum::ColumnDef(c)) = inner(e) {
                for k in &c.constraints {
                    if let Some(NodeEnum::Constraint(k)) = inner(k) {
                        let generated = ConstrType::try_from(k.contype).unwrap_or_default()
                            == ConstrType::ConstrGenerated;
                        if let (true, Some(x)) = (generated, k.raw_expr.as_deref()) {
                            self.resolve_table_expr(&name, x)?;
                        }
                    }
                }
            }
        }
        // PRIMARY KEY first, so unnamed constraints are named in PostgreSQL's order
        // (it names index constraints before checks and foreign keys).
        pending.sort_by_key(
            |(c, _)| match ConstrType::try_from(c.contype).unwrap_or_default() {
                ConstrType::ConstrPrimary
                | ConstrType::ConstrUnique
                | ConstrType::ConstrExclusion => 0,
                ConstrType::ConstrCheck => 1,
                _ => 2,
            },
        );
        for (c, column) in pending {
            self.add_constraint(&name, c, column.as_deref(), true)?;
        }
        for p in &parents {
            self.cat.inherit_not_null_names(&name, p);
        }
        if let Some(of) = self.table(&name)?.partition_of.clone() {
            self.clone_to_partition(&of.parent, &name)?;
        }
        for p in &parents {
            if self.table(&name)?.partition_of.is_none() {
                self.merge_inherited_checks(&name, p)?;
            }
        }
        Ok(())
    }

    pub(super) fn rel_options(&self, options: &[Node]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for o in options {
            if let Some(NodeEnum::DefElem(d)) = inner(o) {
                if d.defname == "oids" {
                    continue;
                }
                let key = if d.defnamespace.is_empty() {
                    d.defname.clone()
                } else {
                    format!("{}.{}", d.defnamespace, d.defname)
                };
                let value = def_value(d.arg.as_deref()).unwrap_or_else(|| "true".into());
                out.push(format!("{key}={value}"));
            }
        }
        out.sort();
        Ok(out)
    }

    /// A column definition: the column, the constraints written on it, and the
    /// sequence a serial column brings.
    pub(super) fn column(
        &self,
        table: &QualName,
        c: &protobuf::ColumnDef,
    ) -> Result<(Column, ColumnExtras)> {
        let mut extras = ColumnExtras::default();
        let mut col;
        let serial = c.type_name.as_ref().and_then(|t| {
            let names = strings(&t.names);
            let n = match names.as_slice() {
                [n] => n.as_str(),
                [s, n] if s == "pg_catalog" => n.as_str(),
                _ => return None,
            };
            match n {
                "serial" | "serial4" => Some("integer"),
                "bigserial" | "serial8" => Some("bigint"),
                "smallserial" | "serial2" => Some("smallint"),
                _ => None,
            }
            .filter(|_| t.array_bounds.is_empty())
        });
        if let Some(base) = serial {
            col = Column::new(c.colname.clone(), base);
            col.not_null = true;
            let seq_name = unique_name(
                |n| self.relation_name_taken(&table.schema, n),
                &table.name,
                Some(&c.colname),
                "seq",
            );
            let seq = QualName::new(table.schema.clone(), seq_name);
            col.default = Some(format!("nextval({})", regclass_text(&seq)));
            col.default_deps.insert(ObjectId::Sequence(seq.clone()));
            let mut options = SequenceOptions::defaults_for(base, 1);
            options.start = 1;
            extras.sequence = Some(Sequence {
                name: seq,
                data_type: base.into(),
                options,
                owned_by: Some((table.clone(), c.colname.clone())),
                comment: None,
                deps: Deps::default(),
            });
        } else {
            let (type_name, deps) = match &c.type_name {
                Some(t) => self.type_of(t)?,
                // A partition's column with options only: the parent's type.
                None => (String::new(), Vec::new()),
            };
            col = Column::new(c.colname.clone(), type_name);
            col.deps.extend(deps);
        }
        if c.coll_clause.is_some() {
            let mut deps = Vec::new();
            col.collation = self
                .collation_of(c.coll_clause.as_deref(), &mut deps)?
                .map(Into::into);
            col.deps.extend(deps);
        }
        col.not_null |= c.is_not_null;
        if let Some(d) = c.raw_default.as_deref() {
            col.default = Some(self.default_text(d, &col.type_name)?);
        }
        let mut last_fk: Option<usize> = None;
        // The check or foreign key a following [NOT] ENFORCED applies to.
        let mut last_enforceable: Option<usize> = None;
        for k in &c.constraints {
            let Some(NodeEnum::Constraint(k)) = inner(k) else {
                continue;
            };
            let kind = ConstrType::try_from(k.contype).unwrap_or_default();
            match kind {
                ConstrType::ConstrNotnull => {
                    col.not_null = true;
                    let name = match k.conname.as_str() {
                        "" => crate::model::not_null_name(&table.name, &c.colname),
                        named => named.to_string(),
                    };
                    col.not_null_constraint = NotNullConstraint::of(
                        &table.name,
                        &c.colname,
                        &name,
                        false,
                        k.is_no_inherit,
                    );
                }
                ConstrType::ConstrNull => {
                    col.not_null = false;
                    col.not_null_constraint = None;
                }
                ConstrType::ConstrDefault => {
                    if let Some(e) = k.raw_expr.as_deref() {
                        col.default = Some(self.default_text(e, &col.type_name)?);
                        col.default_deps =
                            NotCompared(self.expr_deps(e, None).into_iter().collect());
                    }
                }
                ConstrType::ConstrIdentity => {
                    let mut data_type = col.type_name.clone();
                    let mut owned = None;
                    let mut options =
                        self.sequence_options(&k.options, &mut data_type, None, &mut owned)?;
                    if !k.options.iter().any(
                        |o| matches!(inner(o), Some(NodeEnum::DefElem(d)) if d.defname == "start"),
                    ) {
                        options.start = if options.increment > 0 {
                            options.min
                        } else {
                            options.max
                        };
                    }
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
                ConstrType::ConstrGenerated => {
                    if let Some(e) = k.raw_expr.as_deref() {
                        let saved = self.scope.replace(Self::table_scope(table));
                        let text = self.expr_text(e);
                        self.scope.replace(saved);
                        col.generated = Some(text?.into());
                        // PostgreSQL 18: VIRTUAL unless STORED is written (before 18,
                        // STORED is required, so older schemas read the same).
                        col.virtual_generated = k.generated_kind == "v";
                        col.default_deps =
                            NotCompared(self.expr_deps(e, Some(table)).into_iter().collect());
                    }
                }
                ConstrType::ConstrPrimary => {
                    col.not_null = true;
                    extras.constraints.push((**k).clone());
                    last_fk = None;
                }
                ConstrType::ConstrCheck
                | ConstrType::ConstrUnique
                | ConstrType::ConstrExclusion => {
                    extras.constraints.push((**k).clone());
                    last_fk = None;
                    last_enforceable =
                        (kind == ConstrType::ConstrCheck).then(|| extras.constraints.len() - 1);
                }
                ConstrType::ConstrForeign => {
                    extras.constraints.push((**k).clone());
                    last_fk = Some(extras.constraints.len() - 1);
                    last_enforceable = last_fk;
                }
                ConstrType::ConstrAttrEnforced | ConstrType::ConstrAttrNotEnforced => {
                    let Some(i) = last_enforceable else {
                        return Err(self.unsupported(
                            "[NOT] ENFORCED after something other than a CHECK or FOREIGN KEY",
                        ));
                    };
                    extras.constraints[i].is_enforced = kind == ConstrType::ConstrAttrEnforced;
                }
                ConstrType::ConstrAttrDeferrable
                | ConstrType::ConstrAttrNotDeferrable
                | ConstrType::ConstrAttrDeferred
                | ConstrType::ConstrAttrImmediate => {
                    let Some(i) = last_fk else {
                        return Err(self.unsupported("a DEFERRABLE clause without a constraint"));
                    };
                    let fk = &mut extras.constraints[i];
                    match kind {
                        ConstrType::ConstrAttrDeferrable => fk.deferrable = true,
                        ConstrType::ConstrAttrNotDeferrable => fk.deferrable = false,
                        ConstrType::ConstrAttrDeferred => fk.initdeferred = true,
                        _ => fk.initdeferred = false,
                    }
                }
                _ => return Err(self.unsupported("this column constraint")),
            }
        }
        if col.default.is_some() {
            // A literal default is stored cast to the column's type.
            let types: Vec<ObjectId> = col
                .deps
                .iter()
                .filter(|d| matches!(d, ObjectId::Type(_)))
                .cloned()
                .collect();
            col.default_deps.extend(types);
        }
        if let Some(d) = col.default.as_ref() {
            if col.default_deps.is_empty() && !d.starts_with("nextval(") {
                if let Some(e) = c.raw_default.as_deref() {
                    col.default_deps = NotCompared(self.expr_deps(e, None).into_iter().collect());
                }
            }
        }
        Ok((col, extras))
    }

    /// A default's text: a string literal cast to the column's own type reads as the
    /// literal, as both spellings mean the same.
    pub(super) fn default_text(&self, e: &Node, type_name: &str) -> Result<String> {
        self.resolve_default(e)?;
        if let Some(NodeEnum::TypeCast(c)) = inner(e) {
            if let (Some(arg), Some(t)) = (c.arg.as_deref(), c.type_name.as_ref()) {
                let literal = matches!(
                    inner(arg),
                    Some(NodeEnum::AConst(k)) if matches!(k.val, Some(protobuf::a_const::Val::Sval(_)))
                );
                let bare = |s: &str| -> String {
                    let mut out = String::new();
                    let mut depth = 0;
                    for ch in s.chars() {
                        match ch {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            c if depth == 0 => out.push(c),
                            _ => {}
                        }
                    }
                    out
                };
                let same = self
                    .type_of(t)
                    .is_ok_and(|(t, _)| t == type_name || bare(&t) == bare(type_name));
                if literal && same {
                    return self.expr_text(arg);
                }
            }
        }
        self.expr_text(e)
    }

    /// Names an unnamed constraint as PostgreSQL does.
    fn constraint_name(
        &self,
        table: &QualName,
        c: &protobuf::Constraint,
        kind: ConstrType,
    ) -> Result<String> {
        let t = self.table(table)?;
        let key_names = |nodes: &[Node]| -> Vec<String> {
            nodes
                .iter()
                .filter_map(|n| match inner(n) {
                    Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                    Some(NodeEnum::IndexElem(e)) => Some(if e.name.is_empty() {
                        index_expr_name(e)
                    } else {
                        e.name.clone()
                    }),
                    Some(NodeEnum::List(l)) => l.items.first().and_then(|i| match inner(i) {
                        Some(NodeEnum::IndexElem(e)) => Some(if e.name.is_empty() {
                            index_expr_name(e)
                        } else {
                            e.name.clone()
                        }),
                        _ => None,
                    }),
                    _ => None,
                })
                .collect()
        };
        let index_taken = |n: &str| self.relation_name_taken(&table.schema, n);
        let con_taken =
            |n: &str| t.constraints.contains_key(n) || t.inherited_constraints.contains_key(n);
        Ok(match kind {
            ConstrType::ConstrPrimary => unique_name(index_taken, &table.name, None, "pkey"),
            ConstrType::ConstrUnique => {
                let cols = key_names(&c.keys).join("_");
                unique_name(index_taken, &table.name, Some(&cols), "key")
            }
            ConstrType::ConstrExclusion => {
                let cols = key_names(&c.exclusions).join("_");
                unique_name(index_taken, &table.name, Some(&cols), "excl")
            }
            ConstrType::ConstrForeign => {
                let cols = key_names(&c.fk_attrs).join("_");
                unique_name(con_taken, &table.name, Some(&cols), "fkey")
            }
            _ => {
                let cols = c
                    .raw_expr
                    .as_deref()
                    .map(|e| column_refs(e).0)
                    .unwrap_or_default();
                let col = (cols.len() == 1).then(|| cols[0].clone());
                unique_name(con_taken, &table.name, col.as_deref(), "check")
            }
        })
    }

    /// Adds a table constraint (from CREATE TABLE or ALTER TABLE ADD CONSTRAINT).
    /// A NOT NULL table constraint (PostgreSQL 18: `CONSTRAINT name NOT NULL col` in
    /// `CREATE TABLE` or `ALTER TABLE ... ADD`); only `ALTER TABLE` adds one `NOT VALID`.
    /// On a column that is NOT NULL already, PostgreSQL keeps the constraint it has.
    fn add_not_null(
        &mut self,
        table: &QualName,
        c: &protobuf::Constraint,
        in_create: bool,
    ) -> Result<()> {
        let keys = strings(&c.keys);
        let [column] = keys.as_slice() else {
            return Err(self.unsupported("a NOT NULL constraint on other than one column"));
        };
        let own = table.name.clone();
        let col = self.column_mut(table, column)?;
        if col.not_null {
            return Ok(());
        }
        let name = match c.conname.as_str() {
            "" => crate::model::not_null_name(&own, column),
            named => named.to_string(),
        };
        col.not_null = true;
        col.not_null_constraint = NotNullConstraint::of(
            &own,
            column,
            &name,
            c.skip_validation && !in_create,
            c.is_no_inherit,
        );
        Ok(())
    }

    pub(super) fn add_constraint(
        &mut self,
        table: &QualName,
        mut c: protobuf::Constraint,
        column: Option<&str>,
        in_create: bool,
    ) -> Result<()> {
        let kind = ConstrType::try_from(c.contype).unwrap_or_default();
        if kind == ConstrType::ConstrNotnull {
            return self.add_not_null(table, &c, in_create);
        }
        if let Some(col) = column {
            match kind {
                ConstrType::ConstrPrimary | ConstrType::ConstrUnique if c.keys.is_empty() => {
                    c.keys = vec![string_node(col)]
                }
                ConstrType::ConstrForeign if c.fk_attrs.is_empty() => {
                    c.fk_attrs = vec![string_node(col)]
                }
                _ => {}
            }
        }
        // What PostgreSQL's analyzer rejects: a key or check naming a missing column.
        for k in strings(&c.keys)
            .iter()
            .chain(&strings(&c.including))
            .chain(&strings(&c.fk_attrs))
        {
            self.resolve_column(table, k)?;
        }
        if let (ConstrType::ConstrCheck, Some(e)) = (kind, c.raw_expr.as_deref()) {
            self.resolve_table_expr(table, e)?;
        }
        let name = if c.conname.is_empty() {
            self.constraint_name(table, &c, kind)?
        } else {
            c.conname.clone()
        };
        // A NOT ENFORCED check or foreign key (PostgreSQL 18) is never validated; the
        // parser leaves is_enforced false on the kinds that cannot be NOT ENFORCED.
        let enforced =
            c.is_enforced || !matches!(kind, ConstrType::ConstrCheck | ConstrType::ConstrForeign);
        let validated = (in_create || !c.skip_validation) && enforced;
        c.skip_validation = false;
        c.initially_valid = true;
        c.conname = String::new();
        c.location = -1;
        let mut deps: Vec<ObjectId> = Vec::new();
        let own_cols = |nodes: &[Node]| -> Vec<String> { strings(nodes) };
        let (model_kind, references) = match kind {
            ConstrType::ConstrPrimary => (ConstraintKind::PrimaryKey, None),
            ConstrType::ConstrUnique => (ConstraintKind::Unique, None),
            ConstrType::ConstrExclusion => (ConstraintKind::Exclusion, None),
            ConstrType::ConstrCheck => (ConstraintKind::Check, None),
            ConstrType::ConstrForeign => {
                let pk = c
                    .pktable
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a foreign key without a table"))?;
                let target = self.find_table(pk)?;
                if c.pk_attrs.is_empty() {
                    let key = self
                        .table(&target)?
                        .constraints
                        .values()
                        .find(|k| k.kind == ConstraintKind::PrimaryKey)
                        .map(|k| key_columns(&k.definition))
                        .ok_or_else(|| self.missing(format!("a primary key on {target}")))?;
                    c.pk_attrs = key.iter().map(|k| string_node(k)).collect();
                }
                if let Some(pkt) = c.pktable.as_mut() {
                    pkt.schemaname = target.schema.clone();
                    pkt.relname = target.name.clone();
                    pkt.location = -1;
                }
                let ref_cols = own_cols(&c.pk_attrs);
                for rc in &ref_cols {
                    self.resolve_column(&target, rc)?;
                }
                if let Some(t) = self.cat.tables.get(&target) {
                    for rc in &ref_cols {
                        if t.columns.contains_key(rc) {
                            deps.push(ObjectId::Column(target.clone(), rc.clone()));
                        }
                    }
                    let mut wanted = ref_cols.clone();
                    wanted.sort();
                    for k in t.constraints.values() {
                        if matches!(k.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique) {
                            let mut cols = key_columns(&k.definition);
                            cols.sort();
                            if cols == wanted {
                                deps.push(ObjectId::Constraint(target.clone(), k.name.clone()));
                            }
                        }
                    }
                }
                if target != *table {
                    deps.push(ObjectId::Table(target.clone()));
                }
                (ConstraintKind::ForeignKey, Some(target))
            }
            _ => return Err(self.unsupported("this constraint")),
        };
        if model_kind == ConstraintKind::PrimaryKey {
            let cols = own_cols(&c.keys);
            if let Some(t) = self.cat.table_mut(table) {
                for col in t.columns.values_mut() {
                    if cols.contains(&col.name) {
                        col.not_null = true;
                    }
                }
            }
        }
        // Columns of the table the constraint uses.
        let mut used: Vec<String> = own_cols(&c.keys);
        used.extend(own_cols(&c.fk_attrs));
        used.extend(own_cols(&c.including));
        if let Some(e) = c.raw_expr.as_deref() {
            used.extend(column_refs(e).0);
            deps.extend(self.expr_deps(e, None));
        }
        for ex in &c.exclusions {
            if let Some(NodeEnum::List(l)) = inner(ex) {
                if let Some(NodeEnum::IndexElem(e)) = l.items.first().and_then(inner) {
                    if !e.name.is_empty() {
                        used.push(e.name.clone());
                    }
                    if let Some(x) = e.expr.as_deref() {
                        used.extend(column_refs(x).0);
                    }
                }
            }
        }
        if let Some(w) = c.where_clause.as_deref() {
            used.extend(column_refs(w).0);
        }
        if let Some(t) = self.cat.tables.get(table) {
            for u in used {
                if t.columns.contains_key(&u) {
                    deps.push(ObjectId::Column(table.clone(), u));
                }
            }
        }
        let saved = self.scope.replace(Self::table_scope(table));
        let definition = self.constraint_definition(c, model_kind);
        self.scope.replace(saved);
        let definition = definition?;
        self.column_type_deps(&mut deps);
        let constraint = Constraint {
            name: name.clone(),
            kind: model_kind,
            definition,
            validated,
            references,
            comment: None,
            deps: NotCompared(deps.into_iter().collect()),
        };
        self.names.added(table, &constraint);
        let t = self.table_mut(table)?;
        t.constraints.insert(name, constraint);
        Ok(())
    }

    fn constraint_definition(
        &self,
        mut c: protobuf::Constraint,
        kind: ConstraintKind,
    ) -> Result<String> {
        if kind == ConstraintKind::Check {
            let e = c
                .raw_expr
                .as_deref()
                .ok_or_else(|| self.unsupported("a check without an expression"))?;
            let mut text = format!("CHECK ({})", self.expr_text(e)?);
            if c.is_no_inherit {
                text.push_str(" NO INHERIT");
            }
            if !c.is_enforced {
                text.push_str(" NOT ENFORCED");
            }
            return Ok(text);
        }
        if let Some(w) = c.where_clause.as_deref_mut() {
            self.normalize(w);
        }
        for ex in c.exclusions.iter_mut() {
            walk_mut(ex, &mut |x| {
                if let NodeEnum::IndexElem(e) = x {
                    if let Some(expr) = e.expr.as_deref_mut() {
                        self.normalize(expr);
                    }
                    normalize_ordering(e);
                }
            });
        }
        if kind == ConstraintKind::Exclusion && c.access_method.is_empty() {
            c.access_method = "btree".into();
        }
        if kind == ConstraintKind::ForeignKey {
            if c.fk_matchtype.is_empty() {
                c.fk_matchtype = "s".into();
            }
            for a in [&mut c.fk_upd_action, &mut c.fk_del_action] {
                if a.is_empty() {
                    *a = "a".into();
                }
            }
        }
        c.conname = "x".into();
        let stmt = protobuf::AlterTableStmt {
            relation: Some(protobuf::RangeVar {
                relname: "t".into(),
                inh: true,
                relpersistence: "p".into(),
                ..Default::default()
            }),
            cmds: vec![node(NodeEnum::AlterTableCmd(Box::new(
                protobuf::AlterTableCmd {
                    subtype: AlterTableType::AtAddConstraint as i32,
                    def: Some(Box::new(node(NodeEnum::Constraint(Box::new(c))))),
                    behavior: protobuf::DropBehavior::DropRestrict as i32,
                    ..Default::default()
                },
            )))],
            objtype: ObjectType::ObjectTable as i32,
            missing_ok: false,
        };
        let text = deparse_stmt(NodeEnum::AlterTableStmt(stmt))
            .ok_or_else(|| self.unsupported("a constraint the deparser cannot print"))?;
        let prefix = "ALTER TABLE t ADD CONSTRAINT x ";
        text.strip_prefix(prefix)
            .map(str::to_string)
            .ok_or_else(|| self.unsupported("a constraint the deparser cannot print"))
    }
}

fn is_partition(s: &protobuf::CreateStmt) -> bool {
    s.partbound.is_some()
}

/// The column names of `PRIMARY KEY (a, b)` / `UNIQUE (a)` definitions (`PRIMARY KEY (a,
/// b WITHOUT OVERLAPS)` too).
pub(super) fn key_columns(definition: &str) -> Vec<String> {
    let Some(open) = definition.find('(') else {
        return Vec::new();
    };
    let Some(close) = definition[open..].find(')') else {
        return Vec::new();
    };
    definition[open + 1..open + close]
        .split(',')
        .map(|c| {
            // A temporal key's last column (PostgreSQL 18) is the column all the same.
            let c = c.trim();
            let c = c.strip_suffix(" WITHOUT OVERLAPS").unwrap_or(c);
            c.strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .map(|x| x.replace("\"\"", "\""))
                .unwrap_or_else(|| c.to_string())
        })
        .collect()
}
