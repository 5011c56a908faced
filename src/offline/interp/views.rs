//! `CREATE VIEW`, `CREATE MATERIALIZED VIEW` and `ALTER VIEW`: the normalized query,
//! its columns and their types as far as offline mode can tell them.

use pg_query::protobuf::{self, AlterTableType, Node, ObjectType};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{DepSet, NotCompared, ObjectId, QualName, View, ViewColumn};
use crate::offline::expr::{column_refs, deparse_stmt, strings};

use super::{inner, Interp};

impl<'c> Interp<'c> {
    fn view_columns(&self, query: &Node) -> Vec<ViewColumn> {
        let Some(NodeEnum::SelectStmt(sel)) = inner(query) else {
            return Vec::new();
        };
        let mut first = sel.as_ref();
        while let Some(l) = first.larg.as_deref() {
            first = l;
        }
        // Relations of the FROM clause with their aliases, in order.
        let mut from: Vec<(String, QualName)> = Vec::new();
        fn collect(i: &Interp<'_>, n: &Node, out: &mut Vec<(String, QualName)>) {
            match inner(n) {
                Some(NodeEnum::RangeVar(r)) => {
                    if let Some(q) = i.relation(&r.schemaname, &r.relname) {
                        let alias = r
                            .alias
                            .as_ref()
                            .map(|a| a.aliasname.clone())
                            .unwrap_or(r.relname.clone());
                        out.push((alias, q));
                    }
                }
                Some(NodeEnum::JoinExpr(j)) => {
                    if let Some(l) = j.larg.as_deref() {
                        collect(i, l, out);
                    }
                    if let Some(r) = j.rarg.as_deref() {
                        collect(i, r, out);
                    }
                }
                _ => {}
            }
        }
        for f in &first.from_clause {
            collect(self, f, &mut from);
        }
        let columns_of = |q: &QualName| -> Vec<(String, String)> {
            if let Some(t) = self.cat.tables.get(q) {
                t.columns
                    .values()
                    .map(|c| (c.name.clone(), c.type_name.clone()))
                    .collect()
            } else if let Some(v) = self.cat.views.get(q) {
                v.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.type_name.clone()))
                    .collect()
            } else {
                Vec::new()
            }
        };
        let mut out = Vec::new();
        for t in &first.target_list {
            let Some(NodeEnum::ResTarget(r)) = inner(t) else {
                continue;
            };
            let val = r.val.as_deref();
            if let Some(NodeEnum::ColumnRef(c)) = val.and_then(inner) {
                let fields: Vec<Option<&str>> = c
                    .fields
                    .iter()
                    .map(|f| match inner(f) {
                        Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                        _ => None,
                    })
                    .collect();
                if fields.last() == Some(&None) {
                    // `*` or `t.*`.
                    let qualifier = if fields.len() > 1 {
                        fields[fields.len() - 2]
                    } else {
                        None
                    };
                    for (alias, q) in &from {
                        if qualifier.is_none_or(|x| x == alias) {
                            for (n, ty) in columns_of(q) {
                                out.push(ViewColumn {
                                    name: n,
                                    type_name: ty,
                                });
                            }
                        }
                    }
                    continue;
                }
                let col = fields.last().copied().flatten().unwrap_or_default();
                let qualifier = if fields.len() > 1 {
                    fields[fields.len() - 2]
                } else {
                    None
                };
                let ty = from
                    .iter()
                    .filter(|(alias, _)| qualifier.is_none_or(|x| x == alias))
                    .find_map(|(_, q)| {
                        columns_of(q)
                            .into_iter()
                            .find(|(n, _)| n == col)
                            .map(|(_, t)| t)
                    })
                    .unwrap_or_default();
                let name = if r.name.is_empty() {
                    col.to_string()
                } else {
                    r.name.clone()
                };
                out.push(ViewColumn {
                    name,
                    type_name: ty,
                });
                continue;
            }
            // A type offline mode cannot infer reads as the expression itself, so a
            // changed expression counts as a changed column (the view is recreated).
            let ty = match val.and_then(inner) {
                Some(NodeEnum::TypeCast(c)) => c
                    .type_name
                    .as_ref()
                    .and_then(|t| self.type_of(t).ok())
                    .map(|(t, _)| t)
                    .unwrap_or_default(),
                Some(_) => val
                    .and_then(|v| self.expr_text(v).ok())
                    .map(|t| format!("unknown: {t}"))
                    .unwrap_or_default(),
                None => String::new(),
            };
            let name = if !r.name.is_empty() {
                r.name.clone()
            } else {
                match val.and_then(inner) {
                    Some(NodeEnum::FuncCall(f)) => {
                        strings(&f.funcname).last().cloned().unwrap_or_default()
                    }
                    Some(NodeEnum::TypeCast(c)) => match c.arg.as_deref().and_then(inner) {
                        Some(NodeEnum::ColumnRef(cr)) => {
                            strings(&cr.fields).last().cloned().unwrap_or_default()
                        }
                        _ => c
                            .type_name
                            .as_ref()
                            .map(|t| strings(&t.names).last().cloned().unwrap_or_default())
                            .unwrap_or_default(),
                    },
                    _ => "?column?".into(),
                }
            };
            out.push(ViewColumn {
                name,
                type_name: ty,
            });
        }
        out
    }

    /// A view's query, normalized, with its columns, deps and definition.
    fn view_parts(
        &self,
        query: &Node,
        aliases: &[Node],
    ) -> Result<(String, Vec<ViewColumn>, Vec<ObjectId>)> {
        self.resolve_query(query)?;
        let mut q = query.clone();
        let alias_names = strings(aliases);
        let mut normalized = q.clone();
        let saved = self.scope.replace(self.query_scope(&normalized));
        self.normalize(&mut normalized);
        self.scope.replace(saved);
        let mut columns = self.view_columns(&normalized);
        if !alias_names.is_empty() {
            for (c, a) in columns.iter_mut().zip(&alias_names) {
                c.name = a.clone();
            }
            if let Some(NodeEnum::SelectStmt(sel)) = q.node.as_mut() {
                for (t, a) in sel.target_list.iter_mut().zip(&alias_names) {
                    if let Some(NodeEnum::ResTarget(r)) = t.node.as_mut() {
                        r.name = a.clone();
                    }
                }
            }
        }
        let mut deps = self.expr_deps(&q, None);
        // Columns of the relations used, by name (a column the query names, or every
        // column under `*`).
        let (cols, star) = column_refs(&q);
        let rels: Vec<QualName> = deps
            .iter()
            .filter_map(|d| match d {
                ObjectId::Table(t) | ObjectId::View(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        for r in rels {
            let names: Vec<String> = if let Some(t) = self.cat.tables.get(&r) {
                t.columns.keys().cloned().collect()
            } else {
                self.cat
                    .views
                    .get(&r)
                    .ok_or_else(|| self.missing(format!("relation {r}")))?
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .collect()
            };
            for n in names {
                if star || cols.contains(&n) {
                    deps.push(ObjectId::Column(r.clone(), n));
                }
            }
        }
        self.column_type_deps(&mut deps);
        let saved = self.scope.replace(self.query_scope(&q));
        self.normalize(&mut q);
        self.scope.replace(saved);
        let definition = match q.node {
            Some(n) => deparse_stmt(n),
            None => None,
        }
        .ok_or_else(|| self.unsupported("a view query the deparser cannot print"))?;
        Ok((definition, columns, deps))
    }

    pub(super) fn create_view(&mut self, s: &protobuf::ViewStmt) -> Result<()> {
        let rv = s
            .view
            .as_ref()
            .ok_or_else(|| self.unsupported("a view without a name"))?;
        if rv.relpersistence == "t" {
            return Err(self.unsupported("a temporary view"));
        }
        let name = self.create_name(rv);
        if !(s.replace && self.cat.views.get(&name).is_some_and(|v| !v.materialized)) {
            self.new_relation(&name)?;
            self.new_type_name(&name)?;
        }
        let query = s
            .query
            .as_deref()
            .ok_or_else(|| self.unsupported("a view without a query"))?;
        let (definition, columns, deps) = self.view_parts(query, &s.aliases)?;
        let mut options = self.rel_options(&s.options)?;
        match protobuf::ViewCheckOption::try_from(s.with_check_option).unwrap_or_default() {
            protobuf::ViewCheckOption::LocalCheckOption => {
                options.push("check_option=local".into())
            }
            protobuf::ViewCheckOption::CascadedCheckOption => {
                options.push("check_option=cascaded".into())
            }
            _ => {}
        }
        options.sort();
        self.put_view(name, false, definition, columns, options, deps, s.replace);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn put_view(
        &mut self,
        name: QualName,
        materialized: bool,
        definition: String,
        columns: Vec<ViewColumn>,
        options: Vec<String>,
        deps: Vec<ObjectId>,
        replace: bool,
    ) {
        let deps: DepSet = deps
            .into_iter()
            .filter(|d| d.relation() != Some(&name))
            .collect();
        match self.cat.views.get_mut(&name) {
            Some(v) if replace => {
                v.definition = definition;
                v.columns = columns;
                v.options = options;
                v.deps = NotCompared(deps);
            }
            _ => {
                self.cat.views.insert(
                    name.clone(),
                    View {
                        name,
                        materialized,
                        definition,
                        columns,
                        options,
                        comment: None,
                        column_comments: Default::default(),
                        deps: NotCompared(deps),
                    },
                );
            }
        }
    }

    pub(super) fn create_matview(&mut self, s: &protobuf::CreateTableAsStmt) -> Result<()> {
        if ObjectType::try_from(s.objtype).unwrap_or_default() != ObjectType::ObjectMatview {
            return Err(self.unsupported("CREATE TABLE AS"));
        }
        let into = s
            .into
            .as_ref()
            .ok_or_else(|| self.unsupported("a view without a name"))?;
        let rv = into
            .rel
            .as_ref()
            .ok_or_else(|| self.unsupported("a view without a name"))?;
        let name = self.create_name(rv);
        if s.if_not_exists && self.is_relation(&name) {
            return Ok(());
        }
        self.new_relation(&name)?;
        self.new_type_name(&name)?;
        let query = s
            .query
            .as_deref()
            .ok_or_else(|| self.unsupported("a view without a query"))?;
        let (definition, columns, deps) = self.view_parts(query, &into.col_names)?;
        let options = self.rel_options(&into.options)?;
        self.put_view(name, true, definition, columns, options, deps, false);
        Ok(())
    }

    pub(super) fn alter_view(
        &mut self,
        rv: &protobuf::RangeVar,
        s: &protobuf::AlterTableStmt,
    ) -> Result<()> {
        let name = self
            .lookup(&rv.schemaname, &rv.relname, |q| {
                self.cat.views.contains_key(q)
            })
            .ok_or_else(|| self.missing(format!("view {}", rv.relname)))?;
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(c)) = inner(cmd) else {
                continue;
            };
            let sub = AlterTableType::try_from(c.subtype).unwrap_or_default();
            match sub {
                AlterTableType::AtSetRelOptions | AlterTableType::AtResetRelOptions => {
                    let items = match c.def.as_deref().and_then(inner) {
                        Some(NodeEnum::List(l)) => l.items.clone(),
                        _ => Vec::new(),
                    };
                    let set = self.rel_options(&items)?;
                    let key = |o: &str| o.split('=').next().unwrap_or_default().to_string();
                    let keys: Vec<String> = items
                        .iter()
                        .filter_map(|i| match inner(i) {
                            Some(NodeEnum::DefElem(d)) => Some(d.defname.clone()),
                            _ => None,
                        })
                        .collect();
                    let missing = self.missing(format!("view {name}"));
                    let v = self.cat.views.get_mut(&name).ok_or(missing)?;
                    v.options.retain(|o| !keys.contains(&key(o)));
                    if sub == AlterTableType::AtSetRelOptions {
                        v.options.extend(set);
                    }
                    v.options.sort();
                }
                AlterTableType::AtChangeOwner | AlterTableType::AtSetTableSpace => {}
                _ => return Err(self.unsupported(format!("ALTER VIEW {sub:?}"))),
            }
        }
        Ok(())
    }
}
