//! `CREATE INDEX` and `ALTER INDEX`.

use pg_query::protobuf::{self, AlterTableType, SortByDir, SortByNulls};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Index, NotCompared, ObjectId, QualName};
use crate::offline::expr::{column_refs, deparse_stmt, string_node, string_nodes, strings};

use super::names::unique_name;
use super::{inner, node, Interp};

impl<'c> Interp<'c> {
    pub(super) fn create_index(&mut self, s: &protobuf::IndexStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("an index without a table"))?;
        let table = self.find_table_or_view(rv)?;
        for p in s.index_params.iter().chain(&s.index_including_params) {
            if let Some(NodeEnum::IndexElem(e)) = inner(p) {
                if !e.name.is_empty() {
                    self.resolve_column(&table, &e.name)?;
                }
                if let Some(x) = e.expr.as_deref() {
                    self.resolve_table_expr(&table, x)?;
                }
            }
        }
        if let Some(w) = s.where_clause.as_deref() {
            self.resolve_table_expr(&table, w)?;
        }
        let name = if s.idxname.is_empty() {
            let cols: Vec<String> = s
                .index_params
                .iter()
                .filter_map(|p| match inner(p) {
                    Some(NodeEnum::IndexElem(e)) => Some(if e.name.is_empty() {
                        index_expr_name(e)
                    } else {
                        e.name.clone()
                    }),
                    _ => None,
                })
                .collect();
            let label = if s.unique { "key" } else { "idx" };
            unique_name(
                |n| self.relation_name_taken(&table.schema, n),
                &table.name,
                Some(&cols.join("_")),
                label,
            )
        } else {
            s.idxname.clone()
        };
        let q = table.sibling(name.clone());
        if s.if_not_exists && self.relation_name_taken(&q.schema, &q.name) {
            return Ok(());
        }
        self.new_relation(&q)?;
        let mut stmt = s.clone();
        stmt.idxname = name;
        stmt.concurrent = false;
        stmt.if_not_exists = false;
        if stmt.access_method.is_empty() {
            stmt.access_method = "btree".into();
        }
        for o in stmt.options.iter_mut() {
            if let Some(NodeEnum::DefElem(d)) = o.node.as_mut() {
                let number = match d.arg.as_deref().and_then(inner) {
                    Some(NodeEnum::String(s)) => s.sval.parse::<i32>().ok(),
                    _ => None,
                };
                if let Some(ival) = number {
                    d.arg = Some(Box::new(node(NodeEnum::Integer(protobuf::Integer {
                        ival,
                    }))));
                }
            }
        }
        if let Some(r) = stmt.relation.as_mut() {
            r.schemaname = table.schema.clone();
            r.relname = table.name.clone();
            r.location = -1;
            r.inh = true;
        }
        let mut used = Vec::new();
        let mut deps = Vec::new();
        let saved = self.scope.replace(Self::table_scope(&table));
        for p in stmt
            .index_params
            .iter_mut()
            .chain(stmt.index_including_params.iter_mut())
        {
            if let Some(NodeEnum::IndexElem(e)) = p.node.as_mut() {
                if !e.name.is_empty() {
                    used.push(e.name.clone());
                }
                if let Some(x) = e.expr.as_deref_mut() {
                    used.extend(column_refs(x).0);
                    deps.extend(self.expr_deps(x, None));
                    self.normalize(x);
                }
                if !e.collation.is_empty() {
                    // As PostgreSQL prints it: a declared collation with its schema, a
                    // server's own by bare name.
                    let (_, declared) = self.collation_ref(&strings(&e.collation))?;
                    let last = strings(&e.collation).pop().unwrap_or_default();
                    e.collation = match &declared {
                        Some(q) => string_nodes(&[&q.schema, &q.name]),
                        None => string_nodes(&[&last]),
                    };
                    deps.extend(declared.map(ObjectId::Collation));
                }
                normalize_ordering(e);
            }
        }
        if let Some(w) = stmt.where_clause.as_deref_mut() {
            used.extend(column_refs(w).0);
            deps.extend(self.expr_deps(w, None));
            self.normalize(w);
        }
        self.scope.replace(saved);
        let columns: Vec<String> = match self.cat.tables.get(&table) {
            Some(t) => t.columns.keys().cloned().collect(),
            None => self
                .cat
                .views
                .get(&table)
                .ok_or_else(|| self.missing(format!("relation {table}")))?
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        };
        for u in used {
            if columns.contains(&u) {
                deps.push(ObjectId::Column(table.clone(), u));
            }
        }
        self.column_type_deps(&mut deps);
        let definition = deparse_stmt(NodeEnum::IndexStmt(Box::new(stmt)))
            .ok_or_else(|| self.unsupported("an index the deparser cannot print"))?;
        let index = Index {
            name: q.clone(),
            table: table.clone(),
            definition,
            valid: true,
            comment: None,
            deps: NotCompared(deps.into_iter().collect()),
        };
        self.cat.indexes.insert(q, index.clone());
        if self
            .cat
            .tables
            .get(&table)
            .is_some_and(|t| t.partition_by.is_some())
        {
            self.names.forget();
            for child in self.children(&table) {
                self.clone_index(&child, &index)?;
            }
        }
        Ok(())
    }

    /// `ADD CONSTRAINT c {PRIMARY KEY | UNIQUE} USING INDEX i` (the online form of a new
    /// key): the constraint `c` made of the existing unique index `i`, which becomes the
    /// constraint's index and, as PostgreSQL does, takes the constraint's name. What
    /// PostgreSQL refuses here (a partial or expression index, a non-default sort
    /// order, a non-unique index) is refused too. Returns the constraint to add, without
    /// its index name, for [`Interp::add_constraint`].
    pub(super) fn constraint_using_index(
        &mut self,
        table: &QualName,
        mut c: protobuf::Constraint,
    ) -> Result<protobuf::Constraint> {
        let q = table.sibling(c.indexname.clone());
        let index = self
            .cat
            .indexes
            .get(&q)
            .ok_or_else(|| self.missing(format!("index {q}")))?;
        if index.table != *table {
            return Err(self.unsupported(format!("index {q} does not belong to table {table}")));
        }
        let parsed = pg_query::parse(&index.definition, 0)
            .map_err(|e| self.unsupported(format!("index {q}: {e}")))?;
        let stmt = parsed
            .protobuf
            .stmts
            .first()
            .and_then(|s| s.stmt.as_ref())
            .and_then(|s| s.node.as_ref());
        let Some(NodeEnum::IndexStmt(ix)) = stmt else {
            return Err(self.unsupported(format!("index {q} as a constraint")));
        };
        if !ix.unique {
            return Err(self.unsupported(format!("{q} is not a unique index")));
        }
        if ix.where_clause.is_some() {
            return Err(self.unsupported(format!("index {q} is partial")));
        }
        let mut keys = Vec::new();
        for p in &ix.index_params {
            let Some(NodeEnum::IndexElem(e)) = inner(p) else {
                continue;
            };
            let default_order = e.ordering == SortByDir::SortbyDefault as i32
                && e.nulls_ordering == SortByNulls::SortbyNullsDefault as i32;
            if e.name.is_empty()
                || !default_order
                || !e.collation.is_empty()
                || !e.opclass.is_empty()
            {
                return Err(self.unsupported(format!(
                    "index {q} as a constraint: only plain columns in default order can be"
                )));
            }
            keys.push(string_node(&e.name));
        }
        let including = ix
            .index_including_params
            .iter()
            .filter_map(|p| match inner(p) {
                Some(NodeEnum::IndexElem(e)) => Some(string_node(&e.name)),
                _ => None,
            })
            .collect();
        c.keys = keys;
        c.including = including;
        c.options = ix.options.clone();
        c.nulls_not_distinct = ix.nulls_not_distinct;
        c.indexspace = ix.table_space.clone();
        if c.conname.is_empty() {
            // `ADD PRIMARY KEY USING INDEX i`: the constraint takes the index's name.
            c.conname = c.indexname.clone();
        }
        c.indexname = String::new();
        // The index is the constraint's now, under the constraint's name.
        self.cat.indexes.remove(&q);
        self.names.forget();
        Ok(c)
    }

    pub(super) fn alter_index(
        &mut self,
        rv: &protobuf::RangeVar,
        s: &protobuf::AlterTableStmt,
    ) -> Result<()> {
        for cmd in &s.cmds {
            if let Some(NodeEnum::AlterTableCmd(c)) = inner(cmd) {
                let sub = AlterTableType::try_from(c.subtype).unwrap_or_default();
                if sub == AlterTableType::AtAttachPartition {
                    let Some(NodeEnum::PartitionCmd(p)) = c.def.as_deref().and_then(inner) else {
                        return Err(self.unsupported("ATTACH PARTITION without an index"));
                    };
                    let child = p
                        .name
                        .as_ref()
                        .ok_or_else(|| self.unsupported("ATTACH PARTITION without an index"))?;
                    self.attach_index(rv, child)?;
                    continue;
                }
                if !matches!(
                    sub,
                    AlterTableType::AtSetTableSpace | AlterTableType::AtSetStatistics
                ) {
                    return Err(self.unsupported(format!("ALTER INDEX {} {sub:?}", rv.relname)));
                }
            }
        }
        Ok(())
    }
}

impl<'c> Interp<'c> {
    /// `ALTER INDEX parent_idx ATTACH PARTITION child_idx`: the partition's own index
    /// becomes its copy of the parent's (what `CREATE INDEX` on the parent would have
    /// made), so it is no longer managed on its own. PostgreSQL's checks are made: the
    /// child index is on a partition of the parent index's table and has the same
    /// definition; attaching an index already attached is a no-op.
    fn attach_index(
        &mut self,
        parent_rv: &protobuf::RangeVar,
        child_rv: &protobuf::RangeVar,
    ) -> Result<()> {
        let parent = self
            .lookup(&parent_rv.schemaname, &parent_rv.relname, |q| {
                self.cat.indexes.contains_key(q)
            })
            .ok_or_else(|| self.missing(format!("index {}", parent_rv.relname)))?;
        let parent_index = self.cat.indexes[&parent].clone();
        let schema = if child_rv.schemaname.is_empty() {
            parent.schema.as_str()
        } else {
            child_rv.schemaname.as_str()
        };
        let child = QualName::new(schema, child_rv.relname.clone());
        let Some(index) = self.cat.indexes.get(&child).cloned() else {
            let attached = self
                .children(&parent_index.table)
                .iter()
                .any(|t| self.cat.tables[t].inherited_indexes.contains_key(&child));
            if attached {
                return Ok(());
            }
            return Err(self.missing(format!("index {child}")));
        };
        if !self.children(&parent_index.table).contains(&index.table) {
            return Err(self.unsupported(format!(
                "index {child} is not on a partition of {}",
                parent_index.table
            )));
        }
        if !index.same_shape(&parent_index) {
            return Err(self.unsupported(format!("index {child} does not match index {parent}")));
        }
        self.cat.indexes.remove(&child);
        let t = self.table_mut(&index.table)?;
        // The copy CREATE INDEX on the parent made, if it made one, gives way.
        t.inherited_indexes.retain(|_, x| x.body() != index.body());
        t.inherited_indexes.insert(child, index);
        self.names.forget();
        Ok(())
    }
}

/// The name PostgreSQL gives an index column that is an expression (`lower` for
/// `lower(email)`, else `expr`).
pub(super) fn index_expr_name(e: &protobuf::IndexElem) -> String {
    if !e.indexcolname.is_empty() {
        return e.indexcolname.clone();
    }
    match e.expr.as_deref().and_then(inner) {
        Some(NodeEnum::FuncCall(f)) => strings(&f.funcname)
            .last()
            .cloned()
            .unwrap_or("expr".into()),
        _ => "expr".into(),
    }
}

/// Drops sort options that say what the default says (`ASC`, `NULLS LAST` ascending,
/// `NULLS FIRST` descending).
pub(super) fn normalize_ordering(e: &mut protobuf::IndexElem) {
    let dir = SortByDir::try_from(e.ordering).unwrap_or_default();
    let nulls = SortByNulls::try_from(e.nulls_ordering).unwrap_or_default();
    let desc = dir == SortByDir::SortbyDesc;
    if dir == SortByDir::SortbyAsc {
        e.ordering = SortByDir::SortbyDefault as i32;
    }
    if (nulls == SortByNulls::SortbyNullsLast && !desc)
        || (nulls == SortByNulls::SortbyNullsFirst && desc)
    {
        e.nulls_ordering = SortByNulls::SortbyNullsDefault as i32;
    }
}
