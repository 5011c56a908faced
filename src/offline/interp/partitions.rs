//! Inheritance and partitions: partition keys and bounds, `INHERIT`, `ATTACH` /
//! `DETACH PARTITION`, and the copies of constraints and indexes a partition gets.

use pg_query::protobuf;
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{
    Constraint, ConstraintKind, Deps, Index, NotCompared, ObjectId, PartitionOf, QualName,
};
use crate::offline::expr::deparse_stmt;

use super::indexes::index_expr_name;
use super::names::unique_name;
use super::tables::key_columns;
use super::{inner, node, Interp};

impl<'c> Interp<'c> {
    pub(super) fn bound_text(&self, bound: &protobuf::PartitionBoundSpec) -> Result<String> {
        let mut bound = bound.clone();
        for list in [
            &mut bound.listdatums,
            &mut bound.lowerdatums,
            &mut bound.upperdatums,
        ] {
            for n in list.iter_mut() {
                self.normalize(n);
            }
        }
        let stmt = protobuf::CreateStmt {
            relation: Some(protobuf::RangeVar {
                relname: "p".into(),
                inh: true,
                relpersistence: "p".into(),
                ..Default::default()
            }),
            inh_relations: vec![node(NodeEnum::RangeVar(protobuf::RangeVar {
                relname: "t".into(),
                inh: true,
                relpersistence: "p".into(),
                ..Default::default()
            }))],
            partbound: Some(bound),
            oncommit: protobuf::OnCommitAction::OncommitNoop as i32,
            ..Default::default()
        };
        let text = deparse_stmt(NodeEnum::CreateStmt(stmt))
            .ok_or_else(|| self.unsupported("a partition bound the deparser cannot print"))?;
        let at = text
            .find("PARTITION OF t ")
            .ok_or_else(|| self.unsupported("a partition bound the deparser cannot print"))?;
        Ok(text[at + "PARTITION OF t ".len()..].to_string())
    }

    pub(super) fn partition_key(&self, spec: &protobuf::PartitionSpec) -> Result<String> {
        let mut spec = spec.clone();
        for p in spec.part_params.iter_mut() {
            if let Some(NodeEnum::PartitionElem(e)) = p.node.as_mut() {
                if let Some(x) = e.expr.as_deref_mut() {
                    self.normalize(x);
                }
            }
        }
        let stmt = protobuf::CreateStmt {
            relation: Some(protobuf::RangeVar {
                relname: "p".into(),
                inh: true,
                relpersistence: "p".into(),
                ..Default::default()
            }),
            partspec: Some(spec),
            oncommit: protobuf::OnCommitAction::OncommitNoop as i32,
            ..Default::default()
        };
        let text = deparse_stmt(NodeEnum::CreateStmt(stmt))
            .ok_or_else(|| self.unsupported("a partition key the deparser cannot print"))?;
        let at = text
            .find("PARTITION BY ")
            .ok_or_else(|| self.unsupported("a partition key the deparser cannot print"))?;
        Ok(text[at + "PARTITION BY ".len()..].to_string())
    }

    /// Tables that inherit from or are partitions of `table`.
    pub(super) fn children(&self, table: &QualName) -> Vec<QualName> {
        self.cat
            .tables
            .values()
            .filter(|t| {
                t.inherits.contains(table)
                    || t.partition_of.as_ref().is_some_and(|p| p.parent == *table)
            })
            .map(|t| t.name.clone())
            .collect()
    }

    pub(super) fn set_inherit(
        &mut self,
        table: &QualName,
        parent: &QualName,
        add: bool,
    ) -> Result<()> {
        let parent_checks: Vec<(String, Constraint)> = self
            .table(parent)?
            .constraints
            .iter()
            .filter(|(_, c)| {
                c.kind == ConstraintKind::Check && !c.definition.ends_with(" NO INHERIT")
            })
            .map(|(n, c)| (n.clone(), c.clone()))
            .collect();
        let parent_cols: Vec<String> = self.table(parent)?.columns.keys().cloned().collect();
        if !add {
            self.cat.keep_inherited_not_null_names(table, &parent_cols);
        }
        let t = self.table_mut(table)?;
        if add {
            if !t.inherits.contains(parent) {
                t.inherits.push(parent.clone());
            }
            t.deps.insert(ObjectId::Table(parent.clone()));
            for (n, c) in parent_checks {
                // A check of the same name the child has is merged: it counts as
                // inherited from now on.
                let own = t.constraints.remove(&n);
                t.inherited_constraints.insert(n, own.unwrap_or(c));
            }
        } else {
            t.inherits.retain(|p| p != parent);
            // The columns and checks it had from the parent stay, as its own.
            for c in t.columns.values_mut() {
                if parent_cols.contains(&c.name) {
                    c.inherited = NotCompared(false);
                }
            }
            for (n, _) in parent_checks {
                if let Some(c) = t.inherited_constraints.remove(&n) {
                    t.constraints.insert(n, c);
                }
            }
        }
        Ok(())
    }

    pub(super) fn attach(
        &mut self,
        parent: &QualName,
        part: &QualName,
        bound: String,
    ) -> Result<()> {
        let parent_cols: Vec<String> = self.table(parent)?.columns.keys().cloned().collect();
        let t = self.table_mut(part)?;
        t.partition_of = Some(PartitionOf {
            parent: parent.clone(),
            bound,
        });
        t.deps.insert(ObjectId::Table(parent.clone()));
        for c in t.columns.values_mut() {
            if parent_cols.contains(&c.name) {
                c.inherited = NotCompared(false);
            }
        }
        self.clone_to_partition(parent, part)
    }

    /// A child's checks that its parent has too are the parent's (PostgreSQL counts
    /// them inherited even when the child declared them as well).
    pub(super) fn merge_inherited_checks(
        &mut self,
        child: &QualName,
        parent: &QualName,
    ) -> Result<()> {
        let names: Vec<String> = self
            .table(parent)?
            .constraints
            .iter()
            .filter(|(_, c)| {
                c.kind == ConstraintKind::Check && !c.definition.ends_with(" NO INHERIT")
            })
            .map(|(n, _)| n.clone())
            .collect();
        let t = self.table_mut(child)?;
        for n in names {
            if let Some(c) = t.constraints.remove(&n) {
                t.inherited_constraints.insert(n, c);
            }
        }
        Ok(())
    }

    /// Gives a partition its copies of the parent's constraints and indexes, as
    /// PostgreSQL does on CREATE ... PARTITION OF and ATTACH: an equivalent one the
    /// partition has already is taken over, else a copy is made under PostgreSQL's
    /// name for it.
    pub(super) fn clone_to_partition(&mut self, parent: &QualName, part: &QualName) -> Result<()> {
        let constraints: Vec<Constraint> =
            self.table(parent)?.constraints.values().cloned().collect();
        for c in constraints {
            self.clone_constraint(part, &c)?;
        }
        let indexes: Vec<Index> = self
            .cat
            .indexes
            .values()
            .filter(|i| i.table == *parent)
            .cloned()
            .collect();
        for i in indexes {
            self.clone_index(part, &i)?;
        }
        Ok(())
    }

    pub(super) fn clone_constraint(&mut self, part: &QualName, c: &Constraint) -> Result<()> {
        let index_backed = c.kind.has_index();
        let t = self.table(part)?;
        let same = t
            .constraints
            .iter()
            .find(|(n, k)| {
                k.kind == c.kind && k.definition == c.definition && (index_backed || **n == c.name)
            })
            .map(|(n, _)| n.clone());
        if let Some(n) = same {
            let t = self.table_mut(part)?;
            if let Some(k) = t.constraints.remove(&n) {
                t.inherited_constraints.insert(n, k);
            }
            return Ok(());
        }
        if !index_backed && t.inherited_constraints.contains_key(&c.name) {
            return Ok(());
        }
        let name = if index_backed {
            let label = match c.kind {
                ConstraintKind::PrimaryKey => "pkey",
                ConstraintKind::Unique => "key",
                _ => "excl",
            };
            let cols = if c.kind == ConstraintKind::PrimaryKey {
                None
            } else {
                Some(key_columns(&c.definition).join("_"))
            };
            unique_name(
                |n| self.relation_name_taken(&part.schema, n),
                &part.name,
                cols.as_deref(),
                label,
            )
        } else {
            c.name.clone()
        };
        let mut copy = c.clone();
        copy.name = name.clone();
        copy.comment = None;
        let t = self.table_mut(part)?;
        t.inherited_constraints.insert(name, copy);
        Ok(())
    }

    pub(super) fn clone_index(&mut self, part: &QualName, i: &Index) -> Result<()> {
        let same = self
            .cat
            .indexes
            .values()
            .find(|x| x.table == *part && x.body() == i.body())
            .map(|x| x.name.clone());
        if let Some(n) = same {
            if let Some(x) = self.cat.indexes.remove(&n) {
                let t = self.table_mut(part)?;
                t.inherited_indexes.insert(n, x);
            }
            return Ok(());
        }
        let tree = pg_query::parse(&i.definition, 0).map_err(|e| self.unsupported(e))?;
        let Some(NodeEnum::IndexStmt(mut stmt)) = tree
            .protobuf
            .stmts
            .into_iter()
            .next()
            .and_then(|r| r.stmt)
            .and_then(|n| n.node)
        else {
            return Err(self.unsupported("an index definition that does not parse back"));
        };
        let cols: Vec<String> = stmt
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
        let label = if stmt.unique { "key" } else { "idx" };
        let name = unique_name(
            |n| self.relation_name_taken(&part.schema, n),
            &part.name,
            Some(&cols.join("_")),
            label,
        );
        stmt.idxname = name.clone();
        if let Some(r) = stmt.relation.as_mut() {
            r.schemaname = part.schema.clone();
            r.relname = part.name.clone();
        }
        let definition = deparse_stmt(NodeEnum::IndexStmt(stmt))
            .ok_or_else(|| self.unsupported("an index the deparser cannot print"))?;
        let q = part.sibling(name);
        let copy = Index {
            name: q.clone(),
            table: part.clone(),
            definition,
            valid: true,
            comment: None,
            deps: Deps::default(),
        };
        let t = self.table_mut(part)?;
        t.inherited_indexes.insert(q, copy);
        Ok(())
    }

    pub(super) fn detach(&mut self, part: &QualName) {
        let Some(t) = self.cat.tables.get(part) else {
            return;
        };
        let columns: Vec<String> = t.columns.keys().cloned().collect();
        self.cat.keep_inherited_not_null_names(part, &columns);
        let Some(t) = self.cat.table_mut(part) else {
            return;
        };
        let Some(of) = t.partition_of.take() else {
            return;
        };
        t.deps.0 = t
            .deps
            .iter()
            .filter(|d| **d != ObjectId::Table(of.parent.clone()))
            .cloned()
            .collect();
        for c in t.columns.values_mut() {
            c.inherited = NotCompared(false);
        }
        let inherited = std::mem::take(&mut t.inherited_constraints.0);
        for (n, c) in inherited.iter() {
            t.constraints.insert(n.clone(), c.clone());
        }
        let indexes = std::mem::take(&mut t.inherited_indexes.0);
        for (n, i) in indexes.iter() {
            self.cat.indexes.insert(n.clone(), i.clone());
        }
    }
}
