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
use crate::model::{split_top_level, QualName};
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
        let columns = self.columns_of(table);
        let level = Level {
            entries: ["new", "old"]
                .into_iter()
                .map(str::to_string)
                .chain([table.name.clone()])
                .map(|alias| Entry {
                    alias,
                    columns: columns.clone(),
                })
                .collect(),
            ..Default::default()
        };
        self.resolve_expr(expr, &[level])
    }

    /// Checks a default: the functions it calls exist; it names no column.
    pub(super) fn resolve_default(&self, expr: &Node) -> Result<()> {
        self.resolve_expr(expr, &[Level::default()])
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
                if elsewhere || self.extension_function(last) || self.extension_functions_possible()
                {
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
    pub(super) fn rejected(&self, message: String) -> Error {
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

    /// Whether an installed extension offline mode knows nothing of (not one of
    /// [`EXTENSION_FUNCTIONS`]'s) may have made a function it does not see.
    pub(super) fn extension_functions_possible(&self) -> bool {
        self.cat
            .extensions
            .keys()
            .any(|e| !extension_functions().iter().any(|(x, _)| x == e))
    }

    /// Whether an installed extension offline mode knows provides a function `name`.
    fn extension_function(&self, name: &str) -> bool {
        extension_functions()
            .iter()
            .any(|(e, f)| *f == name && self.cat.extensions.contains_key(*e))
    }

    /// Whether a relation name that offline mode does not find would be missing on the
    /// server too: not a system catalog's, and no extension could have created it.
    fn knows_every_relation(&self, schema: &str, name: &str) -> bool {
        let system = matches!(schema, "pg_catalog" | "information_schema")
            || (schema.is_empty() && name.starts_with("pg_"));
        !system
            // The extensions it knows create functions and types, never a relation.
            && !self.extension_functions_possible()
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
                NodeEnum::FuncCall(f) => {
                    if let Err(e) = self.function_ref(&strings(&f.funcname), f.args.len()) {
                        *error.borrow_mut() = Some(e);
                    }
                    true
                }
                // A subquery in FROM is handled by add_from_item; a nested SELECT here is
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

    /// Checks that a called function exists: built in (any of PostgreSQL 13 to 18's
    /// `pg_catalog` functions), or the schema's, with an overload taking `args`
    /// arguments. Unknown names are accepted when an extension may provide them.
    fn function_ref(&self, names: &[String], args: usize) -> Result<()> {
        let (schema, name) = match names {
            [n] => ("", n.as_str()),
            [s, n] => (s.as_str(), n.as_str()),
            _ => return Ok(()),
        };
        let builtin = (schema.is_empty() || schema == "pg_catalog") && is_builtin_function(name);
        if builtin {
            return Ok(());
        }
        let shown = if schema.is_empty() {
            name.to_string()
        } else {
            format!("{schema}.{name}")
        };
        let overloads = self.functions_named(names);
        if overloads.is_empty() {
            if schema != "pg_catalog" && self.extension_function(name) {
                return Ok(());
            }
            if schema == "pg_catalog" || !self.extension_functions_possible() {
                return Err(self.rejected(format!("function {shown} does not exist")));
            }
            return Ok(());
        }
        let fits = overloads.iter().any(|k| {
            self.cat
                .functions
                .get(k)
                .is_none_or(|f| takes(&f.arguments, args))
        });
        if fits {
            Ok(())
        } else {
            Err(self.rejected(format!("function {shown} does not take {args} argument(s)")))
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

/// Whether `pg_catalog` has a function of this name ([`BUILTIN_FUNCTIONS`]).
fn is_builtin_function(name: &str) -> bool {
    use std::sync::OnceLock;
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        BUILTIN_FUNCTIONS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    });
    names.binary_search(&name).is_ok()
}

/// The functions of the contrib extensions offline mode knows, as (extension, name).
fn extension_functions() -> &'static [(&'static str, &'static str)] {
    use std::sync::OnceLock;
    static PAIRS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        EXTENSION_FUNCTIONS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .collect()
    })
}

/// `extension function` per line.
const EXTENSION_FUNCTIONS: &str = include_str!("../extension_functions.txt");

/// The names of PostgreSQL's own functions, sorted.
const BUILTIN_FUNCTIONS: &str = include_str!("../builtin_functions.txt");

/// Whether a function with these arguments (`pg_get_function_arguments`' spelling:
/// `a integer, b text DEFAULT 'x'::text`) can be called with `n` of them: between the
/// ones without a default and all of them (any number from there with `VARIADIC`);
/// `OUT` parameters are not passed.
fn takes(arguments: &str, n: usize) -> bool {
    let mut required = 0;
    let mut total = 0;
    for p in split_top_level(arguments)
        .into_iter()
        .filter(|p| !p.is_empty())
    {
        let upper = p.to_ascii_uppercase();
        if upper.starts_with("OUT ") {
            continue;
        }
        if upper.starts_with("VARIADIC ") {
            return n >= required;
        }
        total += 1;
        if !upper.contains(" DEFAULT ") && !p.contains(" = ") {
            required += 1;
        }
    }
    (required..=total).contains(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_functions_are_sorted_for_binary_search() {
        let names: Vec<&str> = BUILTIN_FUNCTIONS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(is_builtin_function("lower") && is_builtin_function("now"));
        assert!(!is_builtin_function("lowerx"));
    }

    #[test]
    fn argument_counts_follow_defaults_out_and_variadic() {
        assert!(takes("", 0) && !takes("", 1));
        assert!(takes("a integer, b text DEFAULT 'x, y'::text", 1));
        assert!(takes("a integer, b text DEFAULT 'x, y'::text", 2));
        assert!(!takes("a integer, b text DEFAULT 'x, y'::text", 3));
        assert!(takes("a integer, OUT b text", 1) && !takes("a integer, OUT b text", 2));
        assert!(takes("VARIADIC xs integer[]", 0) && takes("a text, VARIADIC xs integer[]", 4));
        assert!(!takes("a text, VARIADIC xs integer[]", 0));
        assert!(takes("INOUT a integer", 1));
    }
}
