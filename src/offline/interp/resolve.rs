//! Name resolution: what PostgreSQL's analyzer rejects in a statement, rejected offline
//! with the same words. A view that selects a column its table lacks, an index on a
//! misspelt column, a check naming a column that is not there: `apply` would fail on
//! them, so `plan` and `check` fail first, naming the file and line.
//!
//! Only certain errors are reported. A name offline mode cannot see through (a
//! relation of an extension or the system catalogs, the columns of a subquery or a
//! set-returning function, a composite field) is accepted, so a schema PostgreSQL takes
//! is never refused here.

use std::cell::RefCell;

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::{Error, Result};
use crate::model::QualName;
use crate::offline::expr::{strings, walk_pruned};

use super::{inner, node, Interp};

/// Columns every table has besides its own.
const SYSTEM_COLUMNS: &[&str] = &["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid", "oid"];

/// One name a query can qualify columns with: a relation, or its alias.
#[derive(Clone, Debug)]
struct Entry {
    alias: String,
    /// Its columns; `None` when offline mode cannot know them (a subquery, a function,
    /// a relation it does not model): then any column is accepted.
    columns: Option<Vec<String>>,
}

/// The names visible at one query level.
#[derive(Clone, Debug, Default)]
struct Level {
    entries: Vec<Entry>,
    /// Names of the level's output columns (`ORDER BY total` may name one).
    outputs: Vec<String>,
    /// CTE names, which a FROM item may name.
    ctes: Vec<String>,
}

impl<'c> Interp<'c> {
    /// Checks that every relation and column a query names exists (a view's or a
    /// materialized view's query).
    pub(super) fn resolve_query(&self, query: &Node) -> Result<()> {
        self.resolve_select(query, &[])
    }

    /// Checks that an expression on one table (a check, an index expression or
    /// predicate, a generated column, a policy) names only that table's columns, and
    /// that its subqueries resolve.
    pub(super) fn resolve_table_expr(&self, table: &QualName, expr: &Node) -> Result<()> {
        let level = Level {
            entries: ["new", "old"]
                .into_iter()
                .map(str::to_string)
                .chain([table.name.clone()])
                .map(|alias| Entry {
                    alias,
                    columns: self.columns_of(table),
                })
                .collect(),
            ..Default::default()
        };
        self.resolve_expr(expr, &[level])
    }

    /// Checks that a table has the column an index, a key or a foreign key names.
    pub(super) fn resolve_column(&self, table: &QualName, column: &str) -> Result<()> {
        match self.columns_of(table) {
            Some(cols) if !cols.iter().any(|c| c == column) => {
                Err(self.rejected(format!("column \"{column}\" does not exist (in {table})")))
            }
            _ => Ok(()),
        }
    }

    /// Checks that a trigger's function exists and returns `trigger`, as `CREATE
    /// TRIGGER` does. `found` is the schema's function of that name without arguments.
    pub(super) fn resolve_trigger_function(
        &self,
        names: &[String],
        found: Option<&crate::model::FunctionKey>,
    ) -> Result<()> {
        /// Trigger functions PostgreSQL itself has.
        const BUILT_IN: &[&str] = &[
            "suppress_redundant_updates_trigger",
            "tsvector_update_trigger",
            "tsvector_update_trigger_column",
        ];
        let shown = names.join(".");
        match found {
            Some(k) => match self.cat.functions.get(k).and_then(|f| f.result.as_deref()) {
                Some(r) if r != "trigger" => {
                    Err(self.rejected(format!("function {shown} must return type trigger")))
                }
                _ => Ok(()),
            },
            None => {
                let last = names.last().map(String::as_str).unwrap_or_default();
                let elsewhere = names
                    .first()
                    .is_some_and(|s| s == "pg_catalog" && names.len() > 1)
                    || BUILT_IN.contains(&last);
                if elsewhere || !self.knows_every_relation("", last) {
                    Ok(())
                } else {
                    Err(self.rejected(format!("function {shown}() does not exist")))
                }
            }
        }
    }

    fn columns_of(&self, q: &QualName) -> Option<Vec<String>> {
        if let Some(t) = self.cat.tables.get(q) {
            Some(t.columns.keys().cloned().collect())
        } else {
            self.cat
                .views
                .get(q)
                .map(|v| v.columns.iter().map(|c| c.name.clone()).collect())
        }
    }

    /// An error PostgreSQL would give for this statement.
    fn rejected(&self, message: String) -> Error {
        Error::Rejected {
            location: self.loc.clone(),
            message,
            statement: self.one_line.clone(),
        }
    }

    fn resolve_select(&self, query: &Node, outer: &[Level]) -> Result<()> {
        let Some(NodeEnum::SelectStmt(sel)) = inner(query) else {
            // INSERT/UPDATE/DELETE in a CTE, and other statements: not checked.
            return Ok(());
        };
        let mut level = Level::default();
        if let Some(with) = &sel.with_clause {
            level.ctes = with
                .ctes
                .iter()
                .filter_map(|c| match inner(c) {
                    Some(NodeEnum::CommonTableExpr(c)) => Some(c.ctename.clone()),
                    _ => None,
                })
                .collect();
            let mut scope = outer.to_vec();
            scope.push(level.clone());
            for c in &with.ctes {
                if let Some(NodeEnum::CommonTableExpr(c)) = inner(c) {
                    if let Some(q) = c.ctequery.as_deref() {
                        self.resolve_select(q, &scope)?;
                    }
                }
            }
        }
        if sel.op != protobuf::SetOperation::SetopNone as i32 {
            let mut scope = outer.to_vec();
            scope.push(level);
            for side in [sel.larg.as_deref(), sel.rarg.as_deref()]
                .into_iter()
                .flatten()
            {
                let side = node(NodeEnum::SelectStmt(Box::new(side.clone())));
                self.resolve_select(&side, &scope)?;
            }
            return Ok(());
        }
        for v in &sel.values_lists {
            let mut scope = outer.to_vec();
            scope.push(level.clone());
            self.resolve_expr(v, &scope)?;
        }
        for f in &sel.from_clause {
            self.add_from_item(f, outer, &mut level)?;
        }
        level.outputs = sel
            .target_list
            .iter()
            .filter_map(|t| match inner(t) {
                Some(NodeEnum::ResTarget(r)) if !r.name.is_empty() => Some(r.name.clone()),
                _ => None,
            })
            .collect();
        let mut scope = outer.to_vec();
        scope.push(level);
        let exprs = sel
            .target_list
            .iter()
            .chain(sel.where_clause.as_deref())
            .chain(&sel.group_clause)
            .chain(sel.having_clause.as_deref())
            .chain(&sel.sort_clause)
            .chain(&sel.distinct_clause)
            .chain(&sel.window_clause);
        for e in exprs {
            self.resolve_expr(e, &scope)?;
        }
        Ok(())
    }

    /// Adds one FROM item to `level`, checking what it names.
    fn add_from_item(&self, item: &Node, outer: &[Level], level: &mut Level) -> Result<()> {
        match inner(item) {
            Some(NodeEnum::RangeVar(r)) => {
                let alias = r.alias.as_ref();
                let name = alias.map_or(r.relname.clone(), |a| a.aliasname.clone());
                let is_cte = r.schemaname.is_empty()
                    && outer
                        .iter()
                        .chain([&*level])
                        .any(|l| l.ctes.contains(&r.relname));
                let columns = if is_cte {
                    None
                } else {
                    match self.relation(&r.schemaname, &r.relname) {
                        Some(q) => self.columns_of(&q),
                        None if self.knows_every_relation(&r.schemaname, &r.relname) => {
                            let shown = if r.schemaname.is_empty() {
                                r.relname.clone()
                            } else {
                                format!("{}.{}", r.schemaname, r.relname)
                            };
                            return Err(
                                self.rejected(format!("relation \"{shown}\" does not exist"))
                            );
                        }
                        None => None,
                    }
                };
                // Column aliases rename the first columns.
                let columns = columns.map(|mut cols| {
                    if let Some(a) = alias {
                        for (c, n) in cols.iter_mut().zip(strings(&a.colnames)) {
                            *c = n;
                        }
                    }
                    cols
                });
                level.entries.push(Entry {
                    alias: name,
                    columns,
                });
            }
            Some(NodeEnum::JoinExpr(j)) => {
                for side in [j.larg.as_deref(), j.rarg.as_deref()].into_iter().flatten() {
                    self.add_from_item(side, outer, level)?;
                }
                if let Some(q) = j.quals.as_deref() {
                    let mut scope = outer.to_vec();
                    scope.push(level.clone());
                    self.resolve_expr(q, &scope)?;
                }
                if let Some(a) = &j.alias {
                    level.entries.push(Entry {
                        alias: a.aliasname.clone(),
                        columns: None,
                    });
                }
            }
            Some(NodeEnum::RangeSubselect(s)) => {
                if let Some(q) = s.subquery.as_deref() {
                    // A LATERAL subquery sees the items before it; any other only the
                    // outer levels.
                    let mut scope = outer.to_vec();
                    if s.lateral {
                        scope.push(level.clone());
                    }
                    self.resolve_select(q, &scope)?;
                }
                level.entries.push(Entry {
                    alias: s
                        .alias
                        .as_ref()
                        .map(|a| a.aliasname.clone())
                        .unwrap_or_default(),
                    columns: None,
                });
            }
            Some(NodeEnum::RangeFunction(f)) => {
                let alias = f.alias.as_ref().map(|a| a.aliasname.clone());
                // `FROM generate_series(1, 3) g` or `FROM unnest(x)`: named by its alias,
                // or by the function.
                let func = f.functions.iter().find_map(|l| match inner(l) {
                    Some(NodeEnum::List(l)) => l.items.first().and_then(|x| match inner(x) {
                        Some(NodeEnum::FuncCall(fc)) => strings(&fc.funcname).last().cloned(),
                        _ => None,
                    }),
                    _ => None,
                });
                level.entries.push(Entry {
                    alias: alias.or(func).unwrap_or_default(),
                    columns: None,
                });
            }
            _ => level.entries.push(Entry {
                alias: String::new(),
                columns: None,
            }),
        }
        Ok(())
    }

    /// Whether a relation (or function) name that offline mode does not find would be
    /// missing on the server too: not a system catalog's, and no extension could have
    /// created it.
    fn knows_every_relation(&self, schema: &str, name: &str) -> bool {
        // Extensions that create types, functions and operators, never a table or view.
        const NO_RELATIONS: &[&str] = &[
            "btree_gin",
            "btree_gist",
            "citext",
            "cube",
            "dict_int",
            "dict_xsyn",
            "earthdistance",
            "fuzzystrmatch",
            "hstore",
            "intarray",
            "isn",
            "lo",
            "ltree",
            "pg_trgm",
            "pgcrypto",
            "plpgsql",
            "seg",
            "tablefunc",
            "tcn",
            "unaccent",
            "uuid-ossp",
        ];
        let system = matches!(schema, "pg_catalog" | "information_schema")
            || (schema.is_empty() && name.starts_with("pg_"));
        !system
            && self
                .cat
                .extensions
                .keys()
                .all(|e| NO_RELATIONS.contains(&e.as_str()))
    }

    /// Checks the column references of an expression against `scope` (innermost level
    /// last); subqueries are checked as queries with `scope` as their outer levels.
    fn resolve_expr(&self, expr: &Node, scope: &[Level]) -> Result<()> {
        let error = RefCell::new(None);
        let mut copy = expr.clone();
        walk_pruned(&mut copy, &mut |n| {
            if error.borrow().is_some() {
                return false;
            }
            match n {
                NodeEnum::ColumnRef(c) => {
                    if let Err(e) = self.column_ref(&c.fields, scope) {
                        *error.borrow_mut() = Some(e);
                    }
                    false
                }
                NodeEnum::SubLink(s) => {
                    let mut result = Ok(());
                    if let Some(t) = s.testexpr.as_deref() {
                        result = self.resolve_expr(t, scope);
                    }
                    if result.is_ok() {
                        if let Some(q) = s.subselect.as_deref() {
                            result = self.resolve_select(q, scope);
                        }
                    }
                    if let Err(e) = result {
                        *error.borrow_mut() = Some(e);
                    }
                    false
                }
                // A subquery in FROM is handled by from_item; a nested SELECT here is
                // one of a SubLink's, already checked.
                NodeEnum::SelectStmt(_) => false,
                _ => true,
            }
        });
        match error.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn column_ref(&self, fields: &[Node], scope: &[Level]) -> Result<()> {
        let parts: Vec<Option<String>> = fields
            .iter()
            .map(|f| match inner(f) {
                Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                _ => None,
            })
            .collect();
        let entries = || scope.iter().rev().flat_map(|l| l.entries.iter());
        let open = entries().any(|e| e.columns.is_none());
        let has = |e: &Entry, c: &str| {
            SYSTEM_COLUMNS.contains(&c)
                || e.columns
                    .as_ref()
                    .is_none_or(|cols| cols.iter().any(|x| x == c))
        };
        match parts.as_slice() {
            [Some(col)] => {
                let found = open
                    || entries().any(|e| e.alias == *col || has(e, col))
                    || scope.iter().any(|l| l.outputs.contains(col));
                if found {
                    Ok(())
                } else {
                    Err(self.rejected(format!("column \"{col}\" does not exist")))
                }
            }
            [Some(rel), rest] => {
                let Some(entry) = entries().find(|e| e.alias == *rel) else {
                    // Not a relation: a composite column's field (`(item).price` is
                    // written `item.price` too), or a relation offline mode cannot see.
                    let composite = entries().any(|e| has(e, rel));
                    if open || composite {
                        return Ok(());
                    }
                    return Err(
                        self.rejected(format!("missing FROM-clause entry for table \"{rel}\""))
                    );
                };
                match rest {
                    Some(col) if !has(entry, col) => {
                        Err(self.rejected(format!("column {rel}.{col} does not exist")))
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}
