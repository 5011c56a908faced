//! `CREATE STATISTICS`, `ALTER STATISTICS ... SET STATISTICS`.

use pg_query::protobuf;
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{Ident, ObjectId, QualName, Statistics, STATISTICS_KINDS};
use crate::offline::expr::strings;

use super::names::unique_name;
use super::{inner, split2, Interp};

impl<'c> Interp<'c> {
    /// `CREATE STATISTICS [name] [(kinds)] ON a, b, (expr) FROM t`, kept as PostgreSQL
    /// keeps it: columns in the table's attribute order, then expressions as written.
    pub(super) fn create_statistics(&mut self, s: &protobuf::CreateStatsStmt) -> Result<()> {
        let rv = match s.relations.as_slice() {
            [one] => match inner(one) {
                Some(NodeEnum::RangeVar(rv)) => rv.clone(),
                _ => return Err(self.unsupported("statistics on something else than a table")),
            },
            _ => {
                return Err(
                    self.rejected("only a single relation is allowed in CREATE STATISTICS".into())
                )
            }
        };
        let table = self.find_table(&rv)?;
        let order: Vec<String> = self.table(&table)?.columns.keys().cloned().collect();
        let mut columns: Vec<(usize, String)> = Vec::new();
        let mut expressions = Vec::new();
        let mut labels = Vec::new();
        let mut deps = vec![ObjectId::Table(table.clone())];
        let saved = self.scope.replace(Self::table_scope(&table));
        let result = (|| -> Result<()> {
            for e in &s.exprs {
                let Some(NodeEnum::StatsElem(e)) = inner(e) else {
                    continue;
                };
                let name = match e.expr.as_deref() {
                    None => Some(e.name.clone()),
                    // `ON (a)` is the column a.
                    Some(x) => match inner(x) {
                        Some(NodeEnum::ColumnRef(c)) if c.fields.len() == 1 => {
                            strings(&c.fields).pop()
                        }
                        _ => None,
                    },
                };
                match (name, e.expr.as_deref()) {
                    (Some(col), _) => {
                        self.resolve_column(&table, &col)?;
                        let at = order.iter().position(|c| *c == col).unwrap_or(usize::MAX);
                        if columns.iter().any(|(a, _)| *a == at) {
                            return Err(self.rejected(
                                "duplicate column name in statistics definition".into(),
                            ));
                        }
                        columns.push((at, col.clone()));
                        deps.push(ObjectId::Column(table.clone(), col.clone()));
                        labels.push(col);
                    }
                    (None, Some(x)) => {
                        self.resolve_table_expr(&table, x)?;
                        deps.extend(self.expr_deps(x, None));
                        expressions.push(self.expr_text(x)?);
                        labels.push("expr".to_string());
                    }
                    (None, None) => {}
                }
            }
            Ok(())
        })();
        self.scope.replace(saved);
        result?;
        let items = columns.len() + expressions.len();
        if items < 2 && expressions.is_empty() {
            return Err(self.rejected("extended statistics require at least 2 columns".into()));
        }
        let kinds: Vec<String> = strings(&s.stat_types);
        if let Some(bad) = kinds
            .iter()
            .find(|k| !STATISTICS_KINDS.contains(&k.as_str()))
        {
            return Err(self.rejected(format!("unrecognized statistics kind \"{bad}\"")));
        }
        if items == 1 && !kinds.is_empty() {
            return Err(self.rejected(
                "when building statistics on a single expression, statistics kinds may not be specified"
                    .into(),
            ));
        }
        let names = strings(&s.defnames);
        let name = if names.is_empty() {
            let taken = |n: &str| {
                self.cat
                    .statistics
                    .contains_key(&QualName::new(table.schema.clone(), n))
            };
            table.sibling(unique_name(
                taken,
                &table.name,
                Some(&labels.join("_")),
                "stat",
            ))
        } else {
            self.create_list(&names)?
        };
        if self.cat.statistics.contains_key(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return Err(self.already_exists(&format!("statistics object {name}")));
        }
        self.created(format!("statistics object {name}"));
        columns.sort();
        let mut x = Statistics {
            name: name.clone(),
            table,
            kinds: Statistics::normalize_kinds(&kinds),
            columns: columns
                .into_iter()
                .map(|(_, c)| Ident(&c).to_string())
                .collect(),
            expressions,
            target: None,
            comment: None,
            deps: Default::default(),
        };
        x.deps.extend(deps);
        self.cat.statistics.insert(name, x);
        Ok(())
    }

    /// `ALTER STATISTICS s SET STATISTICS n` (`-1` or `DEFAULT`: the default).
    pub(super) fn alter_statistics(&mut self, s: &protobuf::AlterStatsStmt) -> Result<()> {
        let names = strings(&s.defnames);
        let (schema, n) = split2(&names).unwrap_or_default();
        let Some(q) = self.lookup(schema, n, |q| self.cat.statistics.contains_key(q)) else {
            if s.missing_ok {
                return Ok(());
            }
            return Err(self.missing(format!("statistics object {}", names.join("."))));
        };
        let target = match s.stxstattarget.as_deref().and_then(inner) {
            Some(NodeEnum::Integer(i)) if i.ival >= 0 => Some(i.ival),
            _ => None,
        };
        if let Some(x) = self.cat.statistics.get_mut(&q) {
            x.target = target;
        }
        Ok(())
    }
}
