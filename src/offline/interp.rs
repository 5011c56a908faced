//! The interpreter proper: one parsed statement applied to a [`Catalog`].
//!
//! Input: a statement's text, its `search_path` and location. Output: the catalog
//! changed as PostgreSQL would change its own, or an error saying what could not be
//! modelled. Does no I/O.

use std::collections::BTreeSet;

use pg_query::protobuf::{
    self, AlterTableType, ConstrType, Node, ObjectType, RoleSpecType, SortByDir, SortByNulls,
};
use pg_query::NodeEnum;

use crate::error::{Error, Location, Result};
use crate::model::{
    Attribute, Catalog, Column, Constraint, ConstraintKind, DepSet, Deps, DomainCheck, Extension,
    Function, FunctionKey, FunctionKind, Ident, Identity, IdentityKind, Index, NotCompared,
    ObjectId, PartitionOf, Policy, QualName, Schema, Sequence, SequenceOptions, Table, Trigger,
    TriggerEnabled, Type, TypeKind, View, ViewColumn,
};

use super::expr::{
    column_refs, deparse_expr, deparse_stmt, string_node, string_nodes, strings, walk_mut,
    walk_pruned,
};
use super::types;
use crate::parse::parse_qualified_string;

/// PostgreSQL's limit on identifier length (NAMEDATALEN - 1).
const MAX_IDENT: usize = 63;

/// One statement being applied.
pub struct Interp<'c> {
    cat: &'c mut Catalog,
    /// The search_path in effect (changed by `SET search_path`).
    pub search_path: Vec<String>,
    loc: Location,
    one_line: String,
    /// Relations whose columns unqualified and qualified column references resolve
    /// against while normalizing an expression: (alias, relation).
    scope: std::cell::RefCell<Vec<(String, QualName)>>,
    /// The base type `VALUE` has in a domain's constraints.
    domain_base: std::cell::RefCell<Option<String>>,
    /// Index names hidden in tables, kept between statements.
    names: &'c IndexNames,
}

/// The names of the indexes behind tables' primary key, unique and exclusion
/// constraints, and of partitions' index copies: relation names PostgreSQL reserves
/// that the catalog keeps inside each table rather than in `Catalog::indexes`.
///
/// Built on first use and kept while statements only add tables and indexes (the
/// interpreter records the constraints those add); any other statement drops it, to
/// be built again when needed. Without it, naming each new constraint scans every
/// table: quadratic in a schema's size.
#[derive(Default)]
pub struct IndexNames(std::cell::RefCell<Option<std::collections::HashSet<QualName>>>);

impl IndexNames {
    fn collect(cat: &Catalog) -> std::collections::HashSet<QualName> {
        let mut names = std::collections::HashSet::new();
        for t in cat.tables.values() {
            let own = t.constraints.iter().chain(t.inherited_constraints.iter());
            for (n, _) in own.filter(|(_, c)| c.kind.has_index()) {
                names.insert(t.name.sibling(n.clone()));
            }
            names.extend(t.inherited_indexes.keys().cloned());
        }
        names
    }

    fn contains(&self, cat: &Catalog, name: &QualName) -> bool {
        let mut names = self.0.borrow_mut();
        let found = names
            .get_or_insert_with(|| Self::collect(cat))
            .contains(name);
        debug_assert_eq!(
            found,
            Self::collect(cat).contains(name),
            "IndexNames is stale"
        );
        found
    }

    /// Records a constraint just added to `table`.
    fn added(&self, table: &QualName, c: &Constraint) {
        if let Some(names) = self.0.borrow_mut().as_mut() {
            if c.kind.has_index() {
                names.insert(table.sibling(c.name.clone()));
            }
        }
    }

    fn forget(&self) {
        self.0.borrow_mut().take();
    }
}

fn node(n: NodeEnum) -> Node {
    Node { node: Some(n) }
}

fn inner(n: &Node) -> Option<&NodeEnum> {
    n.node.as_ref()
}

/// The integer or numeric text of a constant-ish node (`Integer`, `Float`, `String`).
fn node_i64(n: Option<&Node>) -> Option<i64> {
    match n.and_then(inner)? {
        NodeEnum::Integer(i) => Some(i64::from(i.ival)),
        NodeEnum::Float(f) => f.fval.parse().ok(),
        NodeEnum::String(s) => s.sval.parse().ok(),
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            protobuf::a_const::Val::Ival(i) => Some(i64::from(i.ival)),
            protobuf::a_const::Val::Fval(f) => f.fval.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// A DefElem's value as text (`70`, `on`, `local`).
fn def_value(n: Option<&Node>) -> Option<String> {
    match n.and_then(inner)? {
        NodeEnum::Integer(i) => Some(i.ival.to_string()),
        NodeEnum::Float(f) => Some(f.fval.clone()),
        NodeEnum::String(s) => Some(s.sval.clone()),
        NodeEnum::Boolean(b) => Some(if b.boolval { "true" } else { "false" }.into()),
        NodeEnum::TypeName(t) => Some(strings(&t.names).join(".")),
        _ => None,
    }
}

fn def_bool(n: Option<&Node>) -> bool {
    match n.and_then(inner) {
        None => true,
        Some(NodeEnum::Boolean(b)) => b.boolval,
        Some(NodeEnum::Integer(i)) => i.ival != 0,
        Some(NodeEnum::String(s)) => matches!(s.sval.as_str(), "true" | "on" | "yes" | "1"),
        _ => true,
    }
}

/// `[schema.]name` of a dotted list: (schema or "", name).
fn split2(names: &[String]) -> Option<(&str, &str)> {
    match names {
        [] => None,
        [n] => Some(("", n)),
        [.., s, n] => Some((s, n)),
    }
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, each part cut so the whole fits.
fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut overhead = 0;
    if !label.is_empty() {
        overhead += label.len() + 1;
    }
    if name2.is_some() {
        overhead += 1;
    }
    let avail = MAX_IDENT.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, n: usize| {
        let mut n = n.min(s.len());
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut out = clip(name1, n1);
    if let Some(n2s) = name2 {
        out.push('_');
        out.push_str(&clip(n2s, n2));
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// Replaces `old` by `new` in `text` where it stands as a whole name (not followed or
/// preceded by an identifier character).
fn replace_name(text: &str, old: &str, new: &str) -> String {
    if old.is_empty() || old == new {
        return text.to_string();
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '"';
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| ident(c) || c == '.') || after.is_some_and(ident) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

/// What a column definition brings besides the column itself.
#[derive(Default)]
struct ColumnExtras {
    constraints: Vec<protobuf::Constraint>,
    sequence: Option<Sequence>,
}

impl<'c> Interp<'c> {
    /// An interpreter for one statement.
    pub fn new(
        cat: &'c mut Catalog,
        names: &'c IndexNames,
        search_path: Vec<String>,
        loc: Location,
        sql: &str,
    ) -> Interp<'c> {
        Interp {
            cat,
            search_path,
            loc,
            one_line: crate::parse::one_line(sql),
            scope: Default::default(),
            domain_base: Default::default(),
            names,
        }
    }

    /// An error for what offline mode cannot model, pointing at exact mode.
    fn unsupported(&self, what: impl std::fmt::Display) -> Error {
        Error::Unsupported {
            what: format!(
                "{}: {what} (in `{}`): offline mode cannot model this; pass --dev-url to plan in exact mode, which runs the statements on a PostgreSQL server. Offline interpretation of it",
                self.loc, self.one_line
            ),
        }
    }

    /// An error for a statement that names something that does not exist.
    fn missing(&self, what: impl std::fmt::Display) -> Error {
        self.unsupported(format!("{what} does not exist in the offline catalog"))
    }

    /// Parses the statement text and applies every statement in it.
    pub fn run_sql(&mut self, sql: &str) -> Result<()> {
        self.run_parsed(pg_query::parse(sql, 0))
    }

    /// Interprets what `pg_query::parse` gave for the statement (parsed elsewhere, e.g.
    /// on another thread).
    pub fn run_parsed(&mut self, parsed: pg_query::Result<pg_query::ParseResult>) -> Result<()> {
        let tree = parsed.map_err(|e| Error::Syntax {
            location: self.loc.clone(),
            message: e.to_string(),
            statement: self.one_line.clone(),
        })?;
        for raw in tree.protobuf.stmts {
            if let Some(stmt) = raw.stmt.and_then(|s| s.node) {
                self.statement(&stmt)?;
            }
        }
        Ok(())
    }

    // ---- names -------------------------------------------------------------------

    fn schemas(&self) -> Vec<String> {
        self.search_path
            .iter()
            .filter(|s| !matches!(s.as_str(), "$user" | "pg_temp" | "pg_catalog" | ""))
            .cloned()
            .collect()
    }

    fn create_schema_of(&self, schema: &str) -> String {
        if schema.is_empty() {
            self.schemas()
                .into_iter()
                .next()
                .unwrap_or_else(|| "public".into())
        } else {
            schema.to_string()
        }
    }

    fn create_name(&self, rv: &protobuf::RangeVar) -> QualName {
        QualName::new(self.create_schema_of(&rv.schemaname), rv.relname.clone())
    }

    fn create_list(&self, names: &[String]) -> Result<QualName> {
        let (s, n) = split2(names).ok_or_else(|| self.unsupported("an empty name"))?;
        Ok(QualName::new(self.create_schema_of(s), n))
    }

    /// The existing object a name refers to, by `exists` over the candidates.
    fn lookup(
        &self,
        schema: &str,
        name: &str,
        exists: impl Fn(&QualName) -> bool,
    ) -> Option<QualName> {
        if !schema.is_empty() {
            let q = QualName::new(schema, name);
            return exists(&q).then_some(q);
        }
        self.schemas()
            .into_iter()
            .map(|s| QualName::new(s, name))
            .find(|q| exists(q))
    }

    fn is_relation(&self, q: &QualName) -> bool {
        self.cat.tables.contains_key(q)
            || self.cat.views.contains_key(q)
            || self.cat.sequences.contains_key(q)
    }

    fn relation(&self, schema: &str, name: &str) -> Option<QualName> {
        self.lookup(schema, name, |q| self.is_relation(q))
    }

    fn table(&self, rv: &protobuf::RangeVar) -> Result<QualName> {
        self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.tables.contains_key(q)
        })
        .ok_or_else(|| self.missing(format!("table {}", rv.relname)))
    }

    fn table_or_view(&self, rv: &protobuf::RangeVar) -> Result<QualName> {
        self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.tables.contains_key(q) || self.cat.views.contains_key(q)
        })
        .ok_or_else(|| self.missing(format!("relation {}", rv.relname)))
    }

    fn user_type(&self, names: &[String]) -> Option<QualName> {
        let (s, n) = split2(names)?;
        self.lookup(s, n, |q| {
            self.cat.types.contains_key(q)
                || self.cat.tables.contains_key(q)
                || self.cat.views.contains_key(q)
        })
    }

    fn functions_named(&self, names: &[String]) -> Vec<FunctionKey> {
        let Some((s, n)) = split2(names) else {
            return Vec::new();
        };
        let schemas = if s.is_empty() {
            self.schemas()
        } else {
            vec![s.to_string()]
        };
        for schema in schemas {
            let found: Vec<FunctionKey> = self
                .cat
                .functions
                .keys()
                .filter(|k| k.name.schema == schema && k.name.name == n)
                .cloned()
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// The schema an extension's types live in, for a type name nothing else defines.
    fn extension_type_schema(&self, schema: &str) -> Option<(String, Vec<ObjectId>)> {
        let in_schema = |s: &str| -> Vec<ObjectId> {
            self.cat
                .extensions
                .values()
                .filter(|e| e.schema == s)
                .map(|e| ObjectId::Extension(e.name.clone()))
                .collect()
        };
        if !schema.is_empty() {
            return Some((schema.to_string(), in_schema(schema)));
        }
        self.schemas().into_iter().find_map(|s| {
            let exts = in_schema(&s);
            (!exts.is_empty()).then_some((s, exts))
        })
    }

    // ---- types -------------------------------------------------------------------

    fn typmods(&self, tn: &protobuf::TypeName) -> Result<Vec<String>> {
        tn.typmods
            .iter()
            .map(|m| {
                node_i64(Some(m))
                    .map(|v| v.to_string())
                    .ok_or_else(|| self.unsupported("a type modifier that is not a number"))
            })
            .collect()
    }

    /// The type as `format_type` would spell it, and what it depends on.
    fn type_of(&self, tn: &protobuf::TypeName) -> Result<(String, Vec<ObjectId>)> {
        if tn.pct_type {
            return Err(self.unsupported("a %TYPE reference"));
        }
        let names = strings(&tn.names);
        let array = !tn.array_bounds.is_empty();
        let builtin_name = match names.as_slice() {
            [n] => Some(n.as_str()),
            [s, n] if s == "pg_catalog" => Some(n.as_str()),
            _ => None,
        };
        if let Some(n) = builtin_name {
            if types::internal_name(n) == Some("interval") && !tn.typmods.is_empty() {
                let mods: Vec<i64> = tn
                    .typmods
                    .iter()
                    .filter_map(|m| node_i64(Some(m)))
                    .collect();
                let fields = types::interval_fields(mods[0])
                    .ok_or_else(|| self.unsupported("these interval fields"))?;
                let mut t = format!("interval{fields}");
                if let Some(p) = mods.get(1) {
                    t.push_str(&format!("({p})"));
                }
                if !tn.array_bounds.is_empty() {
                    t.push_str("[]");
                }
                return Ok((t, Vec::new()));
            }
            if let Some(t) = types::display_builtin(n, &self.typmods(tn)?, array) {
                return Ok((t, Vec::new()));
            }
        }
        if let Some(q) = self.user_type(&names) {
            let dep = if self.cat.types.contains_key(&q) {
                ObjectId::Type(q.clone())
            } else if self.cat.tables.contains_key(&q) {
                ObjectId::Table(q.clone())
            } else {
                ObjectId::View(q.clone())
            };
            let mut t = q.to_string();
            let mods = self.typmods(tn)?;
            if !mods.is_empty() {
                t.push_str(&format!("({})", mods.join(",")));
            }
            if array {
                t.push_str("[]");
            }
            return Ok((t, vec![dep]));
        }
        let (s, n) = split2(&names).ok_or_else(|| self.unsupported("an empty type name"))?;
        if s == "pg_catalog" {
            return Err(self.unsupported(format!("the built-in type {n}")));
        }
        match self.extension_type_schema(s) {
            Some((schema, deps)) => {
                let mut t = QualName::new(schema, n).to_string();
                let mods = self.typmods(tn)?;
                if !mods.is_empty() {
                    t.push_str(&format!("({})", mods.join(",")));
                }
                if array {
                    t.push_str("[]");
                }
                Ok((t, deps))
            }
            None => Err(self.missing(format!("type {}", names.join(".")))),
        }
    }

    /// Rewrites a type name in a parse tree to one spelling per type.
    fn normalize_typename(&self, tn: &mut protobuf::TypeName) {
        let names = strings(&tn.names);
        let builtin_name = match names.as_slice() {
            [n] => Some(n.clone()),
            [s, n] if s == "pg_catalog" => Some(n.clone()),
            _ => None,
        };
        if let Some(n) = builtin_name {
            if let Some(internal) = types::internal_name(&n) {
                let system = matches!(
                    internal,
                    "int2"
                        | "int4"
                        | "int8"
                        | "float4"
                        | "float8"
                        | "numeric"
                        | "bool"
                        | "varchar"
                        | "bpchar"
                        | "bit"
                        | "varbit"
                        | "timestamp"
                        | "timestamptz"
                        | "time"
                        | "timetz"
                        | "interval"
                );
                tn.names = if system {
                    string_nodes(&["pg_catalog", internal])
                } else {
                    string_nodes(&[internal])
                };
                return;
            }
        }
        if let Some(q) = self.user_type(&names) {
            tn.names = string_nodes(&[&q.schema, &q.name]);
        } else if let Some((s, n)) = split2(&names) {
            if let Some((schema, _)) = self.extension_type_schema(s) {
                tn.names = string_nodes(&[&schema, n]);
            }
        }
    }

    // ---- expressions -------------------------------------------------------------

    /// Rewrites an expression or query to its canonical form: type names normalized,
    /// relations and user functions qualified, `nextval('seq')` with a qualified
    /// regclass, `IN (...)` as `= ANY (ARRAY[...])`, string literals without `::text`.
    fn normalize(&self, n: &mut Node) {
        let mut ctes = BTreeSet::new();
        let mut copy = n.clone();
        walk_mut(&mut copy, &mut |x| {
            if let NodeEnum::CommonTableExpr(c) = x {
                ctes.insert(c.ctename.clone());
            }
        });
        walk_mut(n, &mut |x| self.normalize_one(x, &ctes));
    }

    fn normalize_one(&self, x: &mut NodeEnum, ctes: &BTreeSet<String>) {
        let mut replace = None;
        match x {
            NodeEnum::TypeCast(c) => {
                if let Some(t) = c.type_name.as_mut() {
                    self.normalize_typename(t);
                }
                // 'x'::text reads as 'x': PostgreSQL adds the cast when it stores a
                // literal, people seldom write it.
                let names = c.type_name.as_ref().map(|t| {
                    (
                        strings(&t.names),
                        t.typmods.is_empty() && t.array_bounds.is_empty(),
                    )
                });
                let plain = |want: &[&str]| {
                    names.as_ref().is_some_and(|(n, p)| {
                        *p && n.iter().map(String::as_str).eq(want.iter().copied())
                    })
                };
                let arg = c.arg.as_deref().and_then(inner);
                let is_string = matches!(
                    arg,
                    Some(NodeEnum::AConst(k)) if matches!(k.val, Some(protobuf::a_const::Val::Sval(_)))
                );
                // A character column read as text (PostgreSQL's implicit cast, spelled
                // out when it stores the expression).
                let char_column = match arg {
                    Some(NodeEnum::ColumnRef(r)) => self
                        .column_type(&strings(&r.fields))
                        .is_some_and(|t| t == "text" || t.starts_with("character")),
                    _ => false,
                };
                if (is_string && (plain(&["text"]) || plain(&["pg_catalog", "varchar"])))
                    || (char_column && (plain(&["text"]) || plain(&["pg_catalog", "varchar"])))
                {
                    if let Some(arg) = c.arg.take().and_then(|a| a.node) {
                        *x = arg;
                    }
                }
            }
            NodeEnum::RangeVar(r) if r.schemaname.is_empty() && !ctes.contains(&r.relname) => {
                if let Some(q) = self.relation("", &r.relname) {
                    r.schemaname = q.schema;
                }
            }
            NodeEnum::FuncCall(f) => {
                let names = strings(&f.funcname);
                if names.len() == 1 {
                    if let Some(k) = self.functions_named(&names).first() {
                        f.funcname = string_nodes(&[&k.name.schema, &k.name.name]);
                    }
                }
                let plain = names.last().map(String::as_str).unwrap_or_default();
                if matches!(plain, "nextval" | "currval" | "setval") && !f.args.is_empty() {
                    if let Some(s) = regclass_literal(&f.args[0]) {
                        if let Some(q) = self.sequence_from_literal(&s) {
                            f.args[0] = regclass_cast(&q);
                        }
                    }
                }
            }
            NodeEnum::AExpr(e) => {
                use protobuf::AExprKind as K;
                let kind = K::try_from(e.kind).unwrap_or_default();
                let op = strings(&e.name);
                let column_type = |n: Option<&Node>| -> Option<String> {
                    match n.and_then(inner) {
                        Some(NodeEnum::ColumnRef(c)) => self.column_type(&strings(&c.fields)),
                        _ => None,
                    }
                    .filter(|t| self.is_user_type_text(t))
                };
                let in_type = |n: Option<&Node>| -> Option<String> {
                    match n.and_then(inner) {
                        Some(NodeEnum::ColumnRef(c)) => self.column_type(&strings(&c.fields)),
                        _ => None,
                    }
                    .filter(|t| t == "text" || self.is_user_type_text(t))
                };
                match kind {
                    // x BETWEEN a AND b is stored as x >= a AND x <= b.
                    K::AexprBetween | K::AexprNotBetween => {
                        let bounds = match e.rexpr.as_deref().and_then(inner) {
                            Some(NodeEnum::List(l)) if l.items.len() == 2 => Some(l.items.clone()),
                            _ => None,
                        };
                        if let (Some(b), Some(x)) = (bounds, e.lexpr.clone()) {
                            let between = kind == K::AexprBetween;
                            let (o1, o2, bool_op) = if between {
                                (">=", "<=", protobuf::BoolExprType::AndExpr)
                            } else {
                                ("<", ">", protobuf::BoolExprType::OrExpr)
                            };
                            let cmp = |o: &str, rhs: &Node| {
                                node(NodeEnum::AExpr(Box::new(protobuf::AExpr {
                                    kind: K::AexprOp as i32,
                                    name: string_nodes(&[o]),
                                    lexpr: Some(x.clone()),
                                    rexpr: Some(Box::new(rhs.clone())),
                                    location: -1,
                                    ..Default::default()
                                })))
                            };
                            let args = vec![cmp(o1, &b[0]), cmp(o2, &b[1])];
                            // The walk goes on into the new comparisons.
                            replace = Some(NodeEnum::BoolExpr(Box::new(protobuf::BoolExpr {
                                boolop: bool_op as i32,
                                args,
                                location: -1,
                                ..Default::default()
                            })));
                        }
                    }
                    // col IN ('a', 'b') on an enum or domain column is stored as
                    // col = ANY (ARRAY['a'::t, 'b'::t]).
                    K::AexprIn => {
                        if let Some(t) = in_type(e.lexpr.as_deref()) {
                            if let Some(NodeEnum::List(l)) = e.rexpr.as_deref().and_then(inner) {
                                let elements: Vec<Node> =
                                    l.items.iter().map(|i| self.cast_literal(i, &t)).collect();
                                e.kind = if op == ["<>"] {
                                    K::AexprOpAll
                                } else {
                                    K::AexprOpAny
                                } as i32;
                                e.rexpr = Some(Box::new(node(NodeEnum::AArrayExpr(
                                    protobuf::AArrayExpr {
                                        elements,
                                        location: -1,
                                        ..Default::default()
                                    },
                                ))));
                            }
                        }
                    }
                    // A literal compared with an enum or domain column carries the
                    // column's type, as PostgreSQL stores it.
                    K::AexprOp => {
                        // An integer column in arithmetic with a numeric is stored with
                        // its implicit cast spelled out: `(cents)::numeric / 100.0`.
                        if matches!(op.as_slice(), [o] if matches!(o.as_str(), "+" | "-" | "*" | "/" | "%"))
                        {
                            let (l, r) = (e.lexpr.as_deref(), e.rexpr.as_deref());
                            let (l_numeric, r_numeric) =
                                (self.numeric_anchor(l), self.numeric_anchor(r));
                            if r_numeric {
                                if let Some(l) = e.lexpr.as_deref_mut() {
                                    self.strip_integer_cast(l);
                                }
                            }
                            if l_numeric {
                                if let Some(r) = e.rexpr.as_deref_mut() {
                                    self.strip_integer_cast(r);
                                }
                            }
                        }
                        // A number compared with a numeric is stored cast to numeric.
                        if matches!(op.as_slice(), [o] if matches!(o.as_str(), "=" | "<>" | "<" | "<=" | ">" | ">="))
                        {
                            for side in [&mut e.lexpr, &mut e.rexpr] {
                                if let Some(n) = side.as_deref_mut() {
                                    strip_numeric_cast(n);
                                }
                            }
                        }
                        if let Some(t) = column_type(e.lexpr.as_deref()) {
                            if let Some(r) = e.rexpr.as_deref_mut() {
                                *r = self.cast_literal(r, &t);
                            }
                        } else if let Some(t) = column_type(e.rexpr.as_deref()) {
                            if let Some(l) = e.lexpr.as_deref_mut() {
                                *l = self.cast_literal(l, &t);
                            }
                        }
                    }
                    _ => {}
                }
            }
            // With one relation in FROM, `t.col` and `col` are the same column
            // (PostgreSQL's view definitions spell out the qualifier).
            NodeEnum::SelectStmt(sel) => {
                // `GROUP BY 1` and `ORDER BY 1` are stored as the output column's
                // expression.
                let target = |k: &Node| -> Option<Node> {
                    let Some(NodeEnum::AConst(c)) = inner(k) else {
                        return None;
                    };
                    let Some(protobuf::a_const::Val::Ival(i)) = &c.val else {
                        return None;
                    };
                    let at = usize::try_from(i.ival).ok()?.checked_sub(1)?;
                    let expr = match sel.target_list.get(at).and_then(inner) {
                        Some(NodeEnum::ResTarget(r)) => r.val.as_deref()?,
                        _ => return None,
                    };
                    // Not `*`, and not a constant (`GROUP BY 'a'` is an error; a
                    // number would read as a position again).
                    let star = matches!(inner(expr), Some(NodeEnum::ColumnRef(c))
                        if c.fields.iter().any(|f| matches!(inner(f), Some(NodeEnum::AStar(_)))));
                    let constant = matches!(inner(expr), Some(NodeEnum::AConst(_)));
                    (!star && !constant).then(|| expr.clone())
                };
                let group: Vec<Option<Node>> = sel.group_clause.iter().map(target).collect();
                for (g, expr) in sel.group_clause.iter_mut().zip(group) {
                    if let Some(expr) = expr {
                        *g = expr;
                    }
                }
                let mut sorts = Vec::new();
                for s in &sel.sort_clause {
                    sorts.push(match inner(s) {
                        Some(NodeEnum::SortBy(b)) => b.node.as_deref().and_then(target),
                        _ => None,
                    });
                }
                for (s, expr) in sel.sort_clause.iter_mut().zip(sorts) {
                    if let (Some(NodeEnum::SortBy(b)), Some(expr)) = (s.node.as_mut(), expr) {
                        b.node = Some(Box::new(expr));
                    }
                }
                let single = match sel.from_clause.as_slice() {
                    [f] => match inner(f) {
                        Some(NodeEnum::RangeVar(r)) => Some(
                            r.alias
                                .as_ref()
                                .map(|a| a.aliasname.clone())
                                .unwrap_or(r.relname.clone()),
                        ),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(name) = single {
                    let mut strip = |x: &mut NodeEnum| -> bool {
                        match x {
                            NodeEnum::ColumnRef(c) => {
                                if c.fields.len() == 2
                                    && matches!(inner(&c.fields[0]), Some(NodeEnum::String(s)) if s.sval == name)
                                    && matches!(inner(&c.fields[1]), Some(NodeEnum::String(_)))
                                {
                                    c.fields.remove(0);
                                }
                                true
                            }
                            NodeEnum::SubLink(_) | NodeEnum::SelectStmt(_) => false,
                            _ => true,
                        }
                    };
                    for list in [
                        &mut sel.target_list,
                        &mut sel.group_clause,
                        &mut sel.sort_clause,
                        &mut sel.distinct_clause,
                    ] {
                        for n in list.iter_mut() {
                            walk_pruned(n, &mut strip);
                        }
                    }
                    for n in [&mut sel.where_clause, &mut sel.having_clause]
                        .into_iter()
                        .flatten()
                    {
                        walk_pruned(n, &mut strip);
                    }
                }
            }
            // An output name that says what PostgreSQL would call the column anyway.
            NodeEnum::ResTarget(r) if !r.name.is_empty() => {
                let implicit = match r.val.as_deref().and_then(inner) {
                    Some(NodeEnum::ColumnRef(c)) => strings(&c.fields).last().cloned(),
                    Some(NodeEnum::FuncCall(f)) => strings(&f.funcname).last().cloned(),
                    _ => None,
                };
                if implicit.as_deref() == Some(r.name.as_str()) {
                    r.name = String::new();
                }
            }
            _ => {}
        }
        if let Some(r) = replace {
            *x = r;
        }
    }

    /// Adds the types of the columns in `deps`: an expression that compares a column
    /// with a literal stores the literal cast to the column's type.
    fn column_type_deps(&self, deps: &mut Vec<ObjectId>) {
        let mut extra = Vec::new();
        for d in deps.iter() {
            if let ObjectId::Column(t, c) = d {
                if let Some(col) = self.cat.tables.get(t).and_then(|t| t.columns.get(c)) {
                    extra.extend(
                        col.deps
                            .iter()
                            .filter(|x| matches!(x, ObjectId::Type(_)))
                            .cloned(),
                    );
                }
            }
        }
        deps.extend(extra);
    }

    /// Whether an operand is numeric in its own right (a decimal literal, a numeric
    /// column, an expression cast to numeric), so that an integer column on the other
    /// side of an arithmetic operator is implicitly cast to numeric.
    fn numeric_anchor(&self, n: Option<&Node>) -> bool {
        let numeric = |t: &str| t == "numeric" || t.starts_with("numeric(");
        match n.and_then(inner) {
            Some(NodeEnum::AConst(k)) => {
                matches!(k.val, Some(protobuf::a_const::Val::Fval(_)))
            }
            Some(NodeEnum::ColumnRef(c)) => self
                .column_type(&strings(&c.fields))
                .is_some_and(|t| numeric(&t)),
            Some(NodeEnum::TypeCast(c)) => {
                is_plain_numeric_cast(c)
                    && !matches!(
                        c.arg.as_deref().and_then(inner),
                        Some(NodeEnum::ColumnRef(_))
                    )
            }
            _ => false,
        }
    }

    /// `(col)::numeric` of an integer column, as PostgreSQL spells the implicit cast,
    /// becomes `col`.
    fn strip_integer_cast(&self, n: &mut Node) {
        let Some(NodeEnum::TypeCast(c)) = n.node.as_ref() else {
            return;
        };
        let integer_column = match c.arg.as_deref().and_then(inner) {
            Some(NodeEnum::ColumnRef(r)) => self
                .column_type(&strings(&r.fields))
                .is_some_and(|t| matches!(t.as_str(), "smallint" | "integer" | "bigint")),
            _ => false,
        };
        if is_plain_numeric_cast(c) && integer_column {
            if let Some(arg) = c.arg.as_deref().cloned() {
                *n = arg;
            }
        }
    }

    /// The type of the column a reference names, among the relations in scope.
    fn column_type(&self, fields: &[String]) -> Option<String> {
        if fields == ["value"] {
            if let Some(t) = self.domain_base.borrow().clone() {
                return Some(t);
            }
        }
        let (qualifier, col) = match fields {
            [] => return None,
            [c] => (None, c),
            [.., q, c] => (Some(q), c),
        };
        let scope = self.scope.borrow();
        for (alias, rel) in scope.iter() {
            if qualifier.is_some_and(|q| q != alias) {
                continue;
            }
            if let Some(t) = self.cat.tables.get(rel) {
                if let Some(c) = t.columns.get(col) {
                    return Some(c.type_name.clone());
                }
            } else if let Some(v) = self.cat.views.get(rel) {
                if let Some(c) = v.columns.iter().find(|c| c.name == *col) {
                    return Some(c.type_name.clone());
                }
            }
        }
        None
    }

    /// Whether a type as this module spells it is an enum or domain of the catalog.
    fn is_user_type_text(&self, t: &str) -> bool {
        self.cat.types.keys().any(|q| q.to_string() == t)
    }

    /// A bare string literal cast to `type_text`; anything else unchanged.
    fn cast_literal(&self, n: &Node, type_text: &str) -> Node {
        let literal = matches!(
            inner(n),
            Some(NodeEnum::AConst(k)) if matches!(k.val, Some(protobuf::a_const::Val::Sval(_)))
        );
        if !literal {
            return n.clone();
        }
        let Some(tn) = type_name_node(type_text) else {
            return n.clone();
        };
        node(NodeEnum::TypeCast(Box::new(protobuf::TypeCast {
            arg: Some(Box::new(n.clone())),
            type_name: Some(tn),
            location: -1,
        })))
    }

    /// The scope of an expression on one table (and `NEW`/`OLD` in trigger conditions).
    fn table_scope(table: &QualName) -> Vec<(String, QualName)> {
        vec![
            (table.name.clone(), table.clone()),
            ("new".into(), table.clone()),
            ("old".into(), table.clone()),
        ]
    }

    /// The scope of a query: every relation it names, by alias or name.
    fn query_scope(&self, query: &Node) -> Vec<(String, QualName)> {
        let mut out = Vec::new();
        let mut copy = query.clone();
        walk_mut(&mut copy, &mut |x| {
            if let NodeEnum::RangeVar(r) = x {
                if let Some(q) = self.relation(&r.schemaname, &r.relname) {
                    let alias = r
                        .alias
                        .as_ref()
                        .map(|a| a.aliasname.clone())
                        .unwrap_or(r.relname.clone());
                    out.push((alias, q));
                }
            }
        });
        out
    }

    /// The sequence a `nextval` literal names, qualified through the search_path.
    fn sequence_from_literal(&self, s: &str) -> Option<QualName> {
        let parts = parse_qualified_string(s)?;
        let (schema, name) = split2(&parts)?;
        Some(
            self.lookup(schema, name, |q| {
                self.cat.sequences.contains_key(q) || self.cat.tables.contains_key(q)
            })
            .unwrap_or_else(|| QualName::new(self.create_schema_of(schema), name)),
        )
    }

    /// Normalized expression text.
    fn expr_text(&self, n: &Node) -> Result<String> {
        let mut copy = n.clone();
        self.normalize(&mut copy);
        deparse_expr(&copy)
            .ok_or_else(|| self.unsupported("an expression the deparser cannot print"))
    }

    /// What an expression depends on: user functions, sequences, types, relations, and
    /// the columns of `own` it names.
    fn expr_deps(&self, n: &Node, own: Option<&QualName>) -> Vec<ObjectId> {
        let mut copy = n.clone();
        self.normalize(&mut copy);
        let mut out = Vec::new();
        walk_mut(&mut copy, &mut |x| match x {
            NodeEnum::FuncCall(f) => {
                let names = strings(&f.funcname);
                for k in self.functions_named(&names) {
                    out.push(ObjectId::Function(k));
                }
                if let Some(s) = f.args.first().and_then(regclass_literal) {
                    if let Some(q) = parse_qualified_string(&s).and_then(|p| {
                        let (a, b) = split2(&p)?;
                        Some(QualName::new(a, b))
                    }) {
                        if self.cat.sequences.contains_key(&q) {
                            out.push(ObjectId::Sequence(q));
                        }
                    }
                }
            }
            NodeEnum::TypeCast(c) => {
                if let Some(t) = c.type_name.as_ref() {
                    if let Some(q) = self.user_type(&strings(&t.names)) {
                        if self.cat.types.contains_key(&q) {
                            out.push(ObjectId::Type(q));
                        }
                    }
                }
            }
            NodeEnum::RangeVar(r) => {
                if let Some(q) = self.relation(&r.schemaname, &r.relname) {
                    if self.cat.views.contains_key(&q) {
                        out.push(ObjectId::View(q));
                    } else if self.cat.tables.contains_key(&q) {
                        out.push(ObjectId::Table(q));
                    }
                }
            }
            _ => {}
        });
        if let Some(t) = own {
            let (cols, _) = column_refs(n);
            if let Some(table) = self.cat.tables.get(t) {
                for c in cols {
                    if table.columns.contains_key(&c) {
                        out.push(ObjectId::Column(t.clone(), c));
                    }
                }
            }
        }
        out
    }

    // ---- dispatch ----------------------------------------------------------------

    fn statement(&mut self, stmt: &NodeEnum) -> Result<()> {
        let only_adds = match stmt {
            NodeEnum::CreateStmt(s) => s.partbound.is_none() && s.inh_relations.is_empty(),
            NodeEnum::IndexStmt(_) => true,
            _ => false,
        };
        if !only_adds {
            self.names.forget();
        }
        match stmt {
            NodeEnum::CreateSchemaStmt(s) => self.create_schema(s),
            NodeEnum::CreateExtensionStmt(s) => self.create_extension(s),
            NodeEnum::AlterExtensionStmt(s) => {
                let err = self.missing(format!("extension {}", s.extname));
                let version = s.options.iter().find_map(|o| match inner(o) {
                    Some(NodeEnum::DefElem(d)) if d.defname == "new_version" => {
                        def_value(d.arg.as_deref())
                    }
                    _ => None,
                });
                let e = self.cat.extensions.get_mut(&s.extname).ok_or(err)?;
                // UPDATE without TO goes to the default version, which only a server
                // knows.
                e.version = version.unwrap_or_default();
                Ok(())
            }
            NodeEnum::AlterObjectSchemaStmt(s)
                if ObjectType::try_from(s.object_type).unwrap_or_default()
                    == ObjectType::ObjectExtension =>
            {
                let name = self.list_name(s.object.as_deref()).join(".");
                let err = self.missing(format!("extension {name}"));
                let e = self.cat.extensions.get_mut(&name).ok_or(err)?;
                e.schema = s.newschema.clone();
                Ok(())
            }
            NodeEnum::CreateEnumStmt(s) => self.create_enum(s),
            NodeEnum::AlterEnumStmt(s) => self.alter_enum(s),
            NodeEnum::CreateDomainStmt(s) => self.create_domain(s),
            NodeEnum::AlterDomainStmt(s) => self.alter_domain(s),
            NodeEnum::CompositeTypeStmt(s) => self.create_composite(s),
            NodeEnum::CreateSeqStmt(s) => self.create_sequence(s),
            NodeEnum::AlterSeqStmt(s) => self.alter_sequence(s),
            NodeEnum::CreateStmt(s) => self.create_table(s),
            NodeEnum::AlterTableStmt(s) => self.alter_table(s),
            NodeEnum::IndexStmt(s) => self.create_index(s),
            NodeEnum::ViewStmt(s) => self.create_view(s),
            NodeEnum::CreateTableAsStmt(s) => self.create_matview(s),
            NodeEnum::CreateFunctionStmt(s) => self.create_function(s),
            NodeEnum::CreateTrigStmt(s) => self.create_trigger(s),
            NodeEnum::CreatePolicyStmt(s) => self.create_policy(s),
            NodeEnum::AlterPolicyStmt(s) => self.alter_policy(s),
            NodeEnum::CommentStmt(s) => self.comment(s),
            NodeEnum::DropStmt(s) => self.drop(s),
            NodeEnum::RenameStmt(s) => self.rename(s),
            NodeEnum::VariableSetStmt(s) => {
                if s.name == "search_path" {
                    let kind = protobuf::VariableSetKind::try_from(s.kind).unwrap_or_default();
                    if kind == protobuf::VariableSetKind::VarSetValue {
                        self.search_path = s
                            .args
                            .iter()
                            .filter_map(|a| match a.node.as_ref() {
                                Some(NodeEnum::AConst(c)) => match &c.val {
                                    Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                                    _ => None,
                                },
                                _ => None,
                            })
                            .collect();
                    } else {
                        self.search_path = vec!["$user".into(), "public".into()];
                    }
                }
                Ok(())
            }
            // Settings, data, transaction control, privileges and owners change nothing
            // schemaplan models.
            NodeEnum::TransactionStmt(_)
            | NodeEnum::VariableShowStmt(_)
            | NodeEnum::SelectStmt(_)
            | NodeEnum::InsertStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::GrantStmt(_)
            | NodeEnum::GrantRoleStmt(_)
            | NodeEnum::AlterOwnerStmt(_)
            | NodeEnum::AlterDefaultPrivilegesStmt(_)
            | NodeEnum::RefreshMatViewStmt(_)
            | NodeEnum::VacuumStmt(_)
            | NodeEnum::LockStmt(_) => Ok(()),
            _ => {
                let tag: Vec<&str> = self.one_line.split_whitespace().take(2).collect();
                Err(self.unsupported(tag.join(" ").to_uppercase()))
            }
        }
    }

    // ---- schemas, extensions -----------------------------------------------------

    fn create_schema(&mut self, s: &protobuf::CreateSchemaStmt) -> Result<()> {
        if !s.schema_elts.is_empty() {
            return Err(self.unsupported("CREATE SCHEMA with schema elements"));
        }
        if s.schemaname.is_empty() {
            return Err(self.unsupported("CREATE SCHEMA AUTHORIZATION without a name"));
        }
        if self.cat.schemas.contains_key(&s.schemaname) && s.if_not_exists {
            return Ok(());
        }
        self.cat.schemas.insert(
            s.schemaname.clone(),
            Schema {
                name: s.schemaname.clone(),
                comment: None,
            },
        );
        Ok(())
    }

    fn create_extension(&mut self, s: &protobuf::CreateExtensionStmt) -> Result<()> {
        if self.cat.extensions.contains_key(&s.extname) && s.if_not_exists {
            return Ok(());
        }
        let mut schema = None;
        let mut version = String::new();
        for o in &s.options {
            if let Some(NodeEnum::DefElem(d)) = inner(o) {
                match d.defname.as_str() {
                    "schema" => schema = def_value(d.arg.as_deref()),
                    "new_version" => version = def_value(d.arg.as_deref()).unwrap_or_default(),
                    _ => {}
                }
            }
        }
        let schema = schema.unwrap_or_else(|| self.create_schema_of(""));
        self.cat.extensions.insert(
            s.extname.clone(),
            Extension {
                name: s.extname.clone(),
                schema,
                version,
                comment: None,
            },
        );
        Ok(())
    }

    // ---- types -------------------------------------------------------------------

    fn new_type(&mut self, name: QualName, kind: TypeKind, deps: Vec<ObjectId>) {
        self.cat.types.insert(
            name.clone(),
            Type {
                name,
                kind,
                comment: None,
                deps: NotCompared(deps.into_iter().collect()),
            },
        );
    }

    fn create_enum(&mut self, s: &protobuf::CreateEnumStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.type_name))?;
        let labels = strings(&s.vals);
        self.new_type(name, TypeKind::Enum { labels }, Vec::new());
        Ok(())
    }

    fn type_mut(&mut self, names: &[String]) -> Result<&mut Type> {
        let q = self
            .user_type(names)
            .filter(|q| self.cat.types.contains_key(q))
            .ok_or_else(|| self.missing(format!("type {}", names.join("."))))?;
        Ok(self.cat.types.get_mut(&q).expect("looked up"))
    }

    fn alter_enum(&mut self, s: &protobuf::AlterEnumStmt) -> Result<()> {
        let names = strings(&s.type_name);
        let err_missing = self.missing("the enum label");
        let t = self.type_mut(&names)?;
        let TypeKind::Enum { labels } = &mut t.kind else {
            return Err(err_missing);
        };
        if !s.old_val.is_empty() {
            let at = labels
                .iter()
                .position(|l| *l == s.old_val)
                .ok_or(err_missing)?;
            labels[at] = s.new_val.clone();
            return Ok(());
        }
        if labels.contains(&s.new_val) {
            return Ok(());
        }
        if s.new_val_neighbor.is_empty() {
            labels.push(s.new_val.clone());
        } else {
            let at = labels
                .iter()
                .position(|l| *l == s.new_val_neighbor)
                .ok_or(err_missing)?;
            let at = if s.new_val_is_after { at + 1 } else { at };
            labels.insert(at, s.new_val.clone());
        }
        Ok(())
    }

    fn collation(&self, names: &[String]) -> String {
        match names {
            [s, n] if s == "pg_catalog" => Ident(n).to_string(),
            [n] => Ident(n).to_string(),
            [.., s, n] => QualName::new(s.clone(), n.clone()).to_string(),
            [] => String::new(),
        }
    }

    fn create_domain(&mut self, s: &protobuf::CreateDomainStmt) -> Result<()> {
        let name = self.create_list(&strings(&s.domainname))?;
        let tn = s
            .type_name
            .as_ref()
            .ok_or_else(|| self.unsupported("a domain without a type"))?;
        let (base, deps) = self.type_of(tn)?;
        let collation = s
            .coll_clause
            .as_ref()
            .map(|c| self.collation(&strings(&c.collname)));
        let mut not_null = false;
        let mut default = None;
        let mut checks = crate::model::SmallMap::new();
        for c in &s.constraints {
            let Some(NodeEnum::Constraint(c)) = inner(c) else {
                continue;
            };
            match ConstrType::try_from(c.contype).unwrap_or_default() {
                ConstrType::ConstrNotnull => not_null = true,
                ConstrType::ConstrNull => not_null = false,
                ConstrType::ConstrDefault => {
                    if let Some(e) = c.raw_expr.as_deref() {
                        default = Some(self.default_text(e, &base)?);
                    }
                }
                ConstrType::ConstrCheck => {
                    *self.domain_base.borrow_mut() = Some(base.clone());
                    let check = self.domain_check(&name, c, &checks);
                    *self.domain_base.borrow_mut() = None;
                    let check = check?;
                    checks.insert(check.name.clone(), check);
                }
                _ => return Err(self.unsupported("this domain constraint")),
            }
        }
        self.new_type(
            name,
            TypeKind::Domain {
                base,
                not_null,
                default,
                collation,
                checks,
            },
            deps,
        );
        Ok(())
    }

    fn domain_check(
        &self,
        domain: &QualName,
        c: &protobuf::Constraint,
        existing: &crate::model::SmallMap<String, DomainCheck>,
    ) -> Result<DomainCheck> {
        let expr = c
            .raw_expr
            .as_deref()
            .ok_or_else(|| self.unsupported("a check without an expression"))?;
        let name = if c.conname.is_empty() {
            unique_name(|n| existing.contains_key(n), &domain.name, None, "check")
        } else {
            c.conname.clone()
        };
        Ok(DomainCheck {
            name,
            definition: format!("CHECK ({})", self.expr_text(expr)?),
            validated: !c.skip_validation,
        })
    }

    fn alter_domain(&mut self, s: &protobuf::AlterDomainStmt) -> Result<()> {
        let names = strings(&s.type_name);
        let q = self
            .user_type(&names)
            .ok_or_else(|| self.missing(format!("domain {}", names.join("."))))?;
        let base = match self.cat.types.get(&q).map(|t| &t.kind) {
            Some(TypeKind::Domain { base, .. }) => Some(base.clone()),
            _ => None,
        };
        let new_check = match (s.subtype.as_str(), s.def.as_deref().and_then(inner)) {
            ("C", Some(NodeEnum::Constraint(c))) => {
                let existing = match self.cat.types.get(&q).map(|t| &t.kind) {
                    Some(TypeKind::Domain { checks, .. }) => checks.clone(),
                    _ => return Err(self.missing(format!("domain {q}"))),
                };
                if ConstrType::try_from(c.contype).unwrap_or_default() != ConstrType::ConstrCheck {
                    return Err(self.unsupported("this domain constraint"));
                }
                *self.domain_base.borrow_mut() = base.clone();
                let check = self.domain_check(&q, c, &existing);
                *self.domain_base.borrow_mut() = None;
                Some(check?)
            }
            _ => None,
        };
        let default = match (s.subtype.as_str(), s.def.as_deref()) {
            ("T", Some(e)) => Some(self.default_text(e, base.as_deref().unwrap_or_default())?),
            _ => None,
        };
        let err = self.unsupported("this ALTER DOMAIN form");
        let Some(TypeKind::Domain {
            not_null,
            default: d,
            checks,
            ..
        }) = self.cat.types.get_mut(&q).map(|t| &mut t.kind)
        else {
            return Err(self.missing(format!("domain {q}")));
        };
        match s.subtype.as_str() {
            "T" => *d = default,
            "N" => *not_null = false,
            "O" => *not_null = true,
            "C" => {
                if let Some(c) = new_check {
                    checks.insert(c.name.clone(), c);
                }
            }
            "X" => {
                checks.remove(&s.name);
            }
            "V" => {
                if let Some(c) = checks.get_mut(&s.name) {
                    c.validated = true;
                }
            }
            _ => return Err(err),
        }
        Ok(())
    }

    fn create_composite(&mut self, s: &protobuf::CompositeTypeStmt) -> Result<()> {
        let rv = s
            .typevar
            .as_ref()
            .ok_or_else(|| self.unsupported("a type without a name"))?;
        let name = self.create_name(rv);
        let mut attributes = Vec::new();
        let mut deps = Vec::new();
        for e in &s.coldeflist {
            if let Some(NodeEnum::ColumnDef(c)) = inner(e) {
                let tn = c
                    .type_name
                    .as_ref()
                    .ok_or_else(|| self.unsupported("an attribute without a type"))?;
                let (type_name, d) = self.type_of(tn)?;
                deps.extend(d);
                attributes.push(Attribute {
                    name: c.colname.clone(),
                    type_name,
                    collation: c
                        .coll_clause
                        .as_ref()
                        .map(|c| self.collation(&strings(&c.collname))),
                });
            }
        }
        self.new_type(name, TypeKind::Composite { attributes }, deps);
        Ok(())
    }

    // ---- sequences ---------------------------------------------------------------

    /// Applies sequence options (`AS`, `INCREMENT`, ...) to a data type and options.
    fn sequence_options(
        &self,
        options: &[Node],
        data_type: &mut String,
        current: Option<SequenceOptions>,
        owned_by: &mut Option<Option<(QualName, String)>>,
    ) -> Result<SequenceOptions> {
        let mut as_type = None;
        let mut increment = None;
        let mut min: Option<Option<i64>> = None;
        let mut max: Option<Option<i64>> = None;
        let mut start = None;
        let mut cache = None;
        let mut cycle = None;
        for o in options {
            let Some(NodeEnum::DefElem(d)) = inner(o) else {
                continue;
            };
            let arg = d.arg.as_deref();
            match d.defname.as_str() {
                "as" => {
                    if let Some(NodeEnum::TypeName(t)) = arg.and_then(inner) {
                        as_type = Some(self.type_of(t)?.0);
                    }
                }
                "increment" => increment = node_i64(arg),
                "minvalue" => min = Some(node_i64(arg)),
                "maxvalue" => max = Some(node_i64(arg)),
                "start" => start = node_i64(arg),
                "cache" => cache = node_i64(arg),
                "cycle" => cycle = Some(def_bool(arg)),
                "owned_by" => {
                    let names = match arg.and_then(inner) {
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        _ => Vec::new(),
                    };
                    *owned_by = Some(if names == ["none"] {
                        None
                    } else if names.len() >= 2 {
                        let (table, col) = names.split_at(names.len() - 1);
                        let rv = protobuf::RangeVar {
                            schemaname: if table.len() > 1 {
                                table[0].clone()
                            } else {
                                String::new()
                            },
                            relname: table[table.len() - 1].clone(),
                            ..Default::default()
                        };
                        Some((self.table(&rv)?, col[0].clone()))
                    } else {
                        return Err(self.unsupported("this OWNED BY"));
                    });
                }
                "restart" | "sequence_name" => {}
                other => return Err(self.unsupported(format!("sequence option {other}"))),
            }
        }
        let old_type = data_type.clone();
        if let Some(t) = as_type {
            if !matches!(t.as_str(), "smallint" | "integer" | "bigint") {
                return Err(self.unsupported(format!("a sequence AS {t}")));
            }
            *data_type = t;
        }
        let increment_now = increment
            .or(current.as_ref().map(|c| c.increment))
            .unwrap_or(1);
        let new_defaults = SequenceOptions::defaults_for(data_type, increment_now);
        let mut o = match current {
            Some(c) => {
                // A bound left at the old type's (or direction's) default follows the new
                // type, as ALTER SEQUENCE does.
                let old_defaults = SequenceOptions::defaults_for(&old_type, c.increment);
                let mut c = c;
                if c.min == old_defaults.min {
                    c.min = new_defaults.min;
                }
                if c.max == old_defaults.max {
                    c.max = new_defaults.max;
                }
                c.increment = increment_now;
                c
            }
            None => new_defaults.clone(),
        };
        if let Some(m) = min {
            o.min = m.unwrap_or(new_defaults.min);
        }
        if let Some(m) = max {
            o.max = m.unwrap_or(new_defaults.max);
        }
        if let Some(s) = start {
            o.start = s;
        }
        if let Some(c) = cache {
            o.cache = c;
        }
        if let Some(c) = cycle {
            o.cycle = c;
        }
        Ok(o)
    }

    fn create_sequence(&mut self, s: &protobuf::CreateSeqStmt) -> Result<()> {
        let rv = s
            .sequence
            .as_ref()
            .ok_or_else(|| self.unsupported("a sequence without a name"))?;
        let name = self.create_name(rv);
        if s.if_not_exists && self.is_relation(&name) {
            return Ok(());
        }
        let mut data_type = "bigint".to_string();
        let mut owned = None;
        let options = self.sequence_options(&s.options, &mut data_type, None, &mut owned)?;
        let mut options = options;
        // A fresh sequence starts at its bound when START is not given.
        if !s
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
        self.cat.sequences.insert(
            name.clone(),
            Sequence {
                name,
                data_type,
                options,
                owned_by: owned.flatten(),
                comment: None,
                deps: Deps::default(),
            },
        );
        Ok(())
    }

    fn alter_sequence(&mut self, s: &protobuf::AlterSeqStmt) -> Result<()> {
        let rv = s
            .sequence
            .as_ref()
            .ok_or_else(|| self.unsupported("a sequence without a name"))?;
        let Some(q) = self.lookup(&rv.schemaname, &rv.relname, |q| {
            self.cat.sequences.contains_key(q)
        }) else {
            if s.missing_ok {
                return Ok(());
            }
            return Err(self.missing(format!("sequence {}", rv.relname)));
        };
        let seq = self.cat.sequences[&q].clone();
        let mut data_type = seq.data_type.clone();
        let mut owned = None;
        let options = self.sequence_options(
            &s.options,
            &mut data_type,
            Some(seq.options.clone()),
            &mut owned,
        )?;
        let seq = self.cat.sequences.get_mut(&q).expect("looked up");
        seq.data_type = data_type;
        seq.options = options;
        if let Some(o) = owned {
            seq.owned_by = o;
        }
        Ok(())
    }

    // ---- tables ------------------------------------------------------------------

    /// Whether a relation of that name exists in the schema, counting the indexes
    /// behind constraints and partitions' index copies (one namespace in PostgreSQL).
    fn relation_name_taken(&self, schema: &str, name: &str) -> bool {
        let q = QualName::new(schema, name);
        self.is_relation(&q)
            || self.cat.indexes.contains_key(&q)
            || self.cat.types.contains_key(&q)
            || self.names.contains(self.cat, &q)
    }

    fn create_table(&mut self, s: &protobuf::CreateStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("a table without a name"))?;
        let name = self.create_name(rv);
        if self.is_relation(&name) && s.if_not_exists {
            return Ok(());
        }
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
                parents.push(self.table(p)?);
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
            let parent = &self.cat.tables[p];
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
        self.cat.tables.insert(name.clone(), table);
        let mut pending = Vec::new();
        for e in &s.table_elts {
            match inner(e) {
                Some(NodeEnum::ColumnDef(c)) => {
                    let (col, extras) = self.column(&name, c)?;
                    let t = self.cat.tables.get_mut(&name).expect("inserted");
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
        if let Some(of) = self.cat.tables[&name].partition_of.clone() {
            self.clone_to_partition(&of.parent, &name)?;
        }
        for p in &parents {
            if self.cat.tables[&name].partition_of.is_none() {
                self.merge_inherited_checks(&name, p);
            }
        }
        Ok(())
    }

    fn rel_options(&self, options: &[Node]) -> Result<Vec<String>> {
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

    fn bound_text(&self, bound: &protobuf::PartitionBoundSpec) -> Result<String> {
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

    fn partition_key(&self, spec: &protobuf::PartitionSpec) -> Result<String> {
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

    /// A column definition: the column, the constraints written on it, and the
    /// sequence a serial column brings.
    fn column(&self, table: &QualName, c: &protobuf::ColumnDef) -> Result<(Column, ColumnExtras)> {
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
        if let Some(cc) = &c.coll_clause {
            col.collation = Some(self.collation(&strings(&cc.collname)));
        }
        col.not_null |= c.is_not_null;
        if let Some(d) = c.raw_default.as_deref() {
            col.default = Some(self.default_text(d, &col.type_name)?);
        }
        let mut last_fk: Option<usize> = None;
        for k in &c.constraints {
            let Some(NodeEnum::Constraint(k)) = inner(k) else {
                continue;
            };
            let kind = ConstrType::try_from(k.contype).unwrap_or_default();
            match kind {
                ConstrType::ConstrNotnull => col.not_null = true,
                ConstrType::ConstrNull => col.not_null = false,
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
                        col.generated = Some(text?);
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
                }
                ConstrType::ConstrForeign => {
                    extras.constraints.push((**k).clone());
                    last_fk = Some(extras.constraints.len() - 1);
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
    fn default_text(&self, e: &Node, type_name: &str) -> Result<String> {
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
    ) -> String {
        let t = &self.cat.tables[table];
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
        match kind {
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
        }
    }

    /// Adds a table constraint (from CREATE TABLE or ALTER TABLE ADD CONSTRAINT).
    fn add_constraint(
        &mut self,
        table: &QualName,
        mut c: protobuf::Constraint,
        column: Option<&str>,
        in_create: bool,
    ) -> Result<()> {
        let kind = ConstrType::try_from(c.contype).unwrap_or_default();
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
        let name = if c.conname.is_empty() {
            self.constraint_name(table, &c, kind)
        } else {
            c.conname.clone()
        };
        let validated = in_create || !c.skip_validation;
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
                let target = self.table(pk)?;
                if c.pk_attrs.is_empty() {
                    let key = self.cat.tables[&target]
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
            if let Some(t) = self.cat.tables.get_mut(table) {
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
        let t = self.cat.tables.get_mut(table).expect("the table exists");
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

    // ---- ALTER TABLE ---------------------------------------------------------------

    fn alter_table(&mut self, s: &protobuf::AlterTableStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("ALTER without a name"))?;
        let objtype = ObjectType::try_from(s.objtype).unwrap_or_default();
        match objtype {
            ObjectType::ObjectTable => {}
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

    /// `ALTER TYPE ... ADD / DROP / ALTER ATTRIBUTE` on a composite type.
    fn alter_composite(
        &mut self,
        rv: &protobuf::RangeVar,
        s: &protobuf::AlterTableStmt,
    ) -> Result<()> {
        let names: Vec<String> = [rv.schemaname.clone(), rv.relname.clone()]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        let q = self
            .user_type(&names)
            .filter(|q| self.cat.types.contains_key(q))
            .ok_or_else(|| self.missing(format!("type {}", rv.relname)))?;
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = inner(cmd) else {
                continue;
            };
            let sub = AlterTableType::try_from(cmd.subtype).unwrap_or_default();
            let def = match cmd.def.as_deref().and_then(inner) {
                Some(NodeEnum::ColumnDef(c)) => {
                    let tn = c
                        .type_name
                        .as_ref()
                        .ok_or_else(|| self.unsupported("an attribute without a type"))?;
                    let (type_name, deps) = self.type_of(tn)?;
                    let collation = c
                        .coll_clause
                        .as_ref()
                        .map(|cc| self.collation(&strings(&cc.collname)));
                    Some((c.colname.clone(), type_name, collation, deps))
                }
                _ => None,
            };
            let err = self.unsupported(format!("ALTER TYPE {sub:?}"));
            let missing = self.missing(format!("attribute {}", cmd.name));
            let t = self.cat.types.get_mut(&q).expect("exists");
            let TypeKind::Composite { attributes } = &mut t.kind else {
                return Err(err);
            };
            match (sub, def) {
                (AlterTableType::AtAddColumn, Some((name, type_name, collation, deps))) => {
                    attributes.push(Attribute {
                        name,
                        type_name,
                        collation,
                    });
                    t.deps.extend(deps);
                }
                (AlterTableType::AtDropColumn, _) => {
                    let before = attributes.len();
                    attributes.retain(|a| a.name != cmd.name);
                    if attributes.len() == before && !cmd.missing_ok {
                        return Err(missing);
                    }
                }
                (AlterTableType::AtAlterColumnType, Some((_, type_name, collation, deps))) => {
                    let a = attributes
                        .iter_mut()
                        .find(|a| a.name == cmd.name)
                        .ok_or(missing)?;
                    a.type_name = type_name;
                    a.collation = collation;
                    t.deps.extend(deps);
                }
                _ => return Err(err),
            }
        }
        Ok(())
    }

    fn column_mut(&mut self, table: &QualName, col: &str) -> Result<&mut Column> {
        let err = self.missing(format!("column {col} of {table}"));
        self.cat
            .tables
            .get_mut(table)
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
                if cmd.missing_ok && self.cat.tables[table].columns.contains_key(&c.colname) {
                    return Ok(());
                }
                let (col, extras) = self.column(table, c)?;
                let name = col.name.clone();
                self.cat
                    .tables
                    .get_mut(table)
                    .expect("exists")
                    .columns
                    .insert(col);
                if let Some(seq) = extras.sequence {
                    self.cat.sequences.insert(seq.name.clone(), seq);
                }
                for k in extras.constraints {
                    self.add_constraint(table, k, Some(&name), false)?;
                }
                // Children get the column too.
                let children: Vec<QualName> = self.children(table);
                for child in children {
                    let mut copy = self.cat.tables[table].columns[&name].clone();
                    copy.inherited = NotCompared(true);
                    copy.identity = None;
                    if let Some(t) = self.cat.tables.get_mut(&child) {
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
            A::AtDropNotNull => self.column_mut(table, &cmd.name)?.not_null = false,
            A::AtSetNotNull => self.column_mut(table, &cmd.name)?.not_null = true,
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
                col.generated = Some(text);
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
            | A::AtReplicaIdentity
            | A::AtSetAccessMethod => {}
            A::AtDropColumn => self.drop_column(table, &cmd.name, cmd.missing_ok)?,
            A::AtAddConstraint => {
                let Some(NodeEnum::Constraint(c)) = def.and_then(inner) else {
                    return Err(self.unsupported("ADD CONSTRAINT without a definition"));
                };
                let kind = ConstrType::try_from(c.contype).unwrap_or_default();
                if kind == ConstrType::ConstrNotnull {
                    return Err(self.unsupported("a NOT NULL table constraint"));
                }
                let before: Vec<String> =
                    self.cat.tables[table].constraints.keys().cloned().collect();
                self.add_constraint(table, *c.clone(), None, false)?;
                let added: Vec<Constraint> = self.cat.tables[table]
                    .constraints
                    .values()
                    .filter(|k| !before.contains(&k.name))
                    .cloned()
                    .collect();
                for child in self.children(table) {
                    for k in &added {
                        if self.cat.tables[&child].partition_of.is_some() {
                            self.clone_constraint(&child, k);
                        } else if k.kind == ConstraintKind::Check
                            && !k.definition.ends_with(" NO INHERIT")
                        {
                            let t = self.cat.tables.get_mut(&child).expect("exists");
                            t.inherited_constraints.insert(k.name.clone(), k.clone());
                        }
                    }
                }
            }
            A::AtValidateConstraint => {
                let err = self.missing(format!("constraint {}", cmd.name));
                let t = self.cat.tables.get_mut(table).expect("exists");
                t.constraints.get_mut(&cmd.name).ok_or(err)?.validated = true;
            }
            A::AtDropConstraint => {
                let t = self.cat.tables.get_mut(table).expect("exists");
                let Some(removed) = t.constraints.remove(&cmd.name) else {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return Err(self.missing(format!("constraint {}", cmd.name)));
                };
                let children = self.children(table);
                for c in children {
                    if let Some(t) = self.cat.tables.get_mut(&c) {
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
                let (type_name, deps) = self.type_of(tn)?;
                let collation = c
                    .coll_clause
                    .as_ref()
                    .map(|cc| self.collation(&strings(&cc.collname)));
                let col = self.column_mut(table, &cmd.name)?;
                col.type_name = type_name;
                col.deps = NotCompared(deps.into_iter().collect());
                col.collation = collation;
            }
            A::AtSetLogged => self.cat.tables.get_mut(table).expect("exists").unlogged = false,
            A::AtSetUnLogged => self.cat.tables.get_mut(table).expect("exists").unlogged = true,
            A::AtSetRelOptions | A::AtResetRelOptions => {
                let items = match def.and_then(inner) {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                let set = self.rel_options(&items)?;
                let t = self.cat.tables.get_mut(table).expect("exists");
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
            A::AtAddInherit | A::AtDropInherit => {
                let Some(NodeEnum::RangeVar(p)) = def.and_then(inner) else {
                    return Err(self.unsupported("INHERIT without a parent"));
                };
                let parent = self.table(p)?;
                self.set_inherit(table, &parent, sub == A::AtAddInherit)?;
            }
            A::AtEnableRowSecurity => {
                self.cat.tables.get_mut(table).expect("exists").rls_enabled = true
            }
            A::AtDisableRowSecurity => {
                self.cat.tables.get_mut(table).expect("exists").rls_enabled = false
            }
            A::AtForceRowSecurity => {
                self.cat.tables.get_mut(table).expect("exists").rls_forced = true
            }
            A::AtNoForceRowSecurity => {
                self.cat.tables.get_mut(table).expect("exists").rls_forced = false
            }
            A::AtAttachPartition | A::AtDetachPartition => {
                let Some(NodeEnum::PartitionCmd(p)) = def.and_then(inner) else {
                    return Err(self.unsupported("a partition command without a partition"));
                };
                let part_rv = p
                    .name
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a partition command without a partition"))?;
                let part = self.table(part_rv)?;
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
            _ => return Err(self.unsupported(format!("ALTER TABLE {sub:?}"))),
        }
        Ok(())
    }

    /// Tables that inherit from or are partitions of `table`.
    fn children(&self, table: &QualName) -> Vec<QualName> {
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

    fn drop_column(&mut self, table: &QualName, col: &str, missing_ok: bool) -> Result<()> {
        let id = ObjectId::Column(table.clone(), col.to_string());
        let t = self.cat.tables.get_mut(table).expect("exists");
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
        self.cat
            .sequences
            .retain(|_, s| s.owned_by.as_ref() != Some(&(table.clone(), col.to_string())));
        // Inherited copies in children go too, unless declared there as well.
        for child in self.children(table) {
            if let Some(t) = self.cat.tables.get_mut(&child) {
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

    fn set_inherit(&mut self, table: &QualName, parent: &QualName, add: bool) -> Result<()> {
        let parent_checks: Vec<(String, Constraint)> = self.cat.tables[parent]
            .constraints
            .iter()
            .filter(|(_, c)| {
                c.kind == ConstraintKind::Check && !c.definition.ends_with(" NO INHERIT")
            })
            .map(|(n, c)| (n.clone(), c.clone()))
            .collect();
        let parent_cols: Vec<String> = self.cat.tables[parent].columns.keys().cloned().collect();
        let t = self.cat.tables.get_mut(table).expect("exists");
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

    fn attach(&mut self, parent: &QualName, part: &QualName, bound: String) -> Result<()> {
        let parent_cols: Vec<String> = self.cat.tables[parent].columns.keys().cloned().collect();
        let t = self.cat.tables.get_mut(part).expect("exists");
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
    fn merge_inherited_checks(&mut self, child: &QualName, parent: &QualName) {
        let names: Vec<String> = self.cat.tables[parent]
            .constraints
            .iter()
            .filter(|(_, c)| {
                c.kind == ConstraintKind::Check && !c.definition.ends_with(" NO INHERIT")
            })
            .map(|(n, _)| n.clone())
            .collect();
        let t = self.cat.tables.get_mut(child).expect("exists");
        for n in names {
            if let Some(c) = t.constraints.remove(&n) {
                t.inherited_constraints.insert(n, c);
            }
        }
    }

    /// Gives a partition its copies of the parent's constraints and indexes, as
    /// PostgreSQL does on CREATE ... PARTITION OF and ATTACH: an equivalent one the
    /// partition has already is taken over, else a copy is made under PostgreSQL's
    /// name for it.
    fn clone_to_partition(&mut self, parent: &QualName, part: &QualName) -> Result<()> {
        let constraints: Vec<Constraint> = self.cat.tables[parent]
            .constraints
            .values()
            .cloned()
            .collect();
        for c in constraints {
            self.clone_constraint(part, &c);
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

    fn clone_constraint(&mut self, part: &QualName, c: &Constraint) {
        let index_backed = c.kind.has_index();
        let t = &self.cat.tables[part];
        let same = t
            .constraints
            .iter()
            .find(|(n, k)| {
                k.kind == c.kind && k.definition == c.definition && (index_backed || **n == c.name)
            })
            .map(|(n, _)| n.clone());
        if let Some(n) = same {
            let t = self.cat.tables.get_mut(part).expect("exists");
            if let Some(k) = t.constraints.remove(&n) {
                t.inherited_constraints.insert(n, k);
            }
            return;
        }
        if !index_backed && t.inherited_constraints.contains_key(&c.name) {
            return;
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
        let t = self.cat.tables.get_mut(part).expect("exists");
        t.inherited_constraints.insert(name, copy);
    }

    fn clone_index(&mut self, part: &QualName, i: &Index) -> Result<()> {
        let tail = |d: &str| d.find(" USING ").map(|at| d[at..].to_string());
        let want = tail(&i.definition);
        let same = self
            .cat
            .indexes
            .values()
            .find(|x| x.table == *part && tail(&x.definition) == want)
            .map(|x| x.name.clone());
        if let Some(n) = same {
            if let Some(x) = self.cat.indexes.remove(&n) {
                let t = self.cat.tables.get_mut(part).expect("exists");
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
        let t = self.cat.tables.get_mut(part).expect("exists");
        t.inherited_indexes.insert(q, copy);
        Ok(())
    }

    fn detach(&mut self, part: &QualName) {
        let Some(t) = self.cat.tables.get_mut(part) else {
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

    // ---- indexes -----------------------------------------------------------------

    fn create_index(&mut self, s: &protobuf::IndexStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("an index without a table"))?;
        let table = self.table_or_view(rv)?;
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
            None => self.cat.views[&table]
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

    fn alter_index(&mut self, rv: &protobuf::RangeVar, s: &protobuf::AlterTableStmt) -> Result<()> {
        for cmd in &s.cmds {
            if let Some(NodeEnum::AlterTableCmd(c)) = inner(cmd) {
                let sub = AlterTableType::try_from(c.subtype).unwrap_or_default();
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

    // ---- views -------------------------------------------------------------------

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
                self.cat.views[&r]
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

    fn create_view(&mut self, s: &protobuf::ViewStmt) -> Result<()> {
        let rv = s
            .view
            .as_ref()
            .ok_or_else(|| self.unsupported("a view without a name"))?;
        if rv.relpersistence == "t" {
            return Err(self.unsupported("a temporary view"));
        }
        let name = self.create_name(rv);
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

    fn create_matview(&mut self, s: &protobuf::CreateTableAsStmt) -> Result<()> {
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
        let query = s
            .query
            .as_deref()
            .ok_or_else(|| self.unsupported("a view without a query"))?;
        let (definition, columns, deps) = self.view_parts(query, &into.col_names)?;
        let options = self.rel_options(&into.options)?;
        self.put_view(name, true, definition, columns, options, deps, false);
        Ok(())
    }

    fn alter_view(&mut self, rv: &protobuf::RangeVar, s: &protobuf::AlterTableStmt) -> Result<()> {
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
                    let v = self.cat.views.get_mut(&name).expect("exists");
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

    // ---- functions ---------------------------------------------------------------

    fn create_function(&mut self, s: &protobuf::CreateFunctionStmt) -> Result<()> {
        let mut stmt = s.clone();
        let name = self.create_list(&strings(&s.funcname))?;
        stmt.funcname = string_nodes(&[&name.schema, &name.name]);
        stmt.replace = true;
        let mut identity = Vec::new();
        let mut arguments = Vec::new();
        let mut table_cols = Vec::new();
        let mut outs = Vec::new();
        let mut deps = Vec::new();
        let procedure = s.is_procedure;
        for p in stmt.parameters.iter_mut() {
            let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_mut() else {
                continue;
            };
            let tn = fp
                .arg_type
                .as_mut()
                .ok_or_else(|| self.unsupported("a parameter without a type"))?;
            let (ty, d) = self.type_of(tn)?;
            deps.extend(d);
            self.normalize_typename(tn);
            use protobuf::FunctionParameterMode as M;
            let mut mode = M::try_from(fp.mode).unwrap_or(M::FuncParamIn);
            if mode == M::FuncParamDefault {
                mode = M::FuncParamIn;
                fp.mode = M::FuncParamIn as i32;
            }
            let word = match mode {
                M::FuncParamOut => "OUT ",
                M::FuncParamInout => "INOUT ",
                M::FuncParamVariadic => "VARIADIC ",
                _ => "",
            };
            let named = if fp.name.is_empty() {
                ty.clone()
            } else {
                format!("{} {ty}", Ident(&fp.name))
            };
            if let Some(d) = fp.defexpr.as_deref_mut() {
                self.normalize(d);
            }
            let default = fp
                .defexpr
                .as_deref()
                .and_then(deparse_expr)
                .map(|d| format!(" DEFAULT {d}"))
                .unwrap_or_default();
            match mode {
                M::FuncParamTable => table_cols.push(named),
                M::FuncParamOut => {
                    outs.push(ty.clone());
                    if procedure {
                        identity.push(format!("{word}{named}"));
                    }
                    arguments.push(format!("{word}{named}"));
                }
                _ => {
                    identity.push(format!("{word}{named}"));
                    arguments.push(format!("{word}{named}{default}"));
                }
            }
        }
        let result = if procedure {
            None
        } else if !table_cols.is_empty() {
            Some(format!("TABLE({})", table_cols.join(", ")))
        } else if !outs.is_empty()
            && stmt.return_type.as_ref().is_none_or(|rt| {
                !rt.setof && strings(&rt.names).last().map(String::as_str) == Some("record")
            })
        {
            // RETURNS record says what the OUT parameters say already.
            stmt.return_type = None;
            Some(if outs.len() == 1 {
                outs[0].clone()
            } else {
                "record".into()
            })
        } else if let Some(rt) = stmt.return_type.as_mut() {
            let (ty, d) = self.type_of(rt)?;
            deps.extend(d);
            self.normalize_typename(rt);
            Some(if rt.setof { format!("SETOF {ty}") } else { ty })
        } else if outs.len() == 1 {
            Some(outs[0].clone())
        } else {
            Some("record".into())
        };
        if let Some(body) = stmt.sql_body.as_deref_mut() {
            deps.extend(self.expr_deps(body, None));
            walk_mut(body, &mut |x| {
                if let NodeEnum::List(_) = x {
                } else {
                    let ctes = BTreeSet::new();
                    self.normalize_one(x, &ctes);
                }
            });
        }
        stmt.options = canonical_function_options(stmt.options);
        let definition = deparse_stmt(NodeEnum::CreateFunctionStmt(Box::new(stmt)))
            .ok_or_else(|| self.unsupported("a function the deparser cannot print"))?;
        let key = FunctionKey {
            name,
            args: identity.join(", "),
        };
        let comment = self.cat.functions.get(&key).and_then(|f| f.comment.clone());
        let deps: DepSet = deps.into_iter().collect();
        self.cat.functions.insert(
            key.clone(),
            Function {
                key,
                kind: if procedure {
                    FunctionKind::Procedure
                } else {
                    FunctionKind::Function
                },
                definition,
                arguments: arguments.join(", "),
                result,
                comment,
                deps: NotCompared(deps),
            },
        );
        Ok(())
    }

    /// The function an `ObjectWithArgs` names.
    fn function_key(&self, o: &protobuf::ObjectWithArgs) -> Result<Option<FunctionKey>> {
        let names = strings(&o.objname);
        let candidates = self.functions_named(&names);
        if o.args_unspecified
            || candidates.len() == 1 && o.objargs.is_empty() && o.objfuncargs.is_empty()
        {
            return Ok(candidates.into_iter().next());
        }
        let mut types = Vec::new();
        for a in &o.objargs {
            if let Some(NodeEnum::TypeName(t)) = inner(a) {
                types.push(self.type_of(t)?.0);
            }
        }
        Ok(candidates.into_iter().find(|k| {
            self.cat
                .functions
                .get(k)
                .is_some_and(|f| arg_types(&f.arguments) == types)
        }))
    }

    // ---- triggers, policies ------------------------------------------------------

    fn create_trigger(&mut self, s: &protobuf::CreateTrigStmt) -> Result<()> {
        let rv = s
            .relation
            .as_ref()
            .ok_or_else(|| self.unsupported("a trigger without a table"))?;
        let table = self.table_or_view(rv)?;
        let mut stmt = s.clone();
        stmt.replace = false;
        if let Some(r) = stmt.relation.as_mut() {
            r.schemaname = table.schema.clone();
            r.relname = table.name.clone();
            r.location = -1;
        }
        let fnames = strings(&s.funcname);
        let func = self
            .functions_named(&fnames)
            .into_iter()
            .find(|k| k.args.is_empty());
        let fq = match &func {
            Some(k) => k.name.clone(),
            None => self.create_list(&fnames)?,
        };
        stmt.funcname = string_nodes(&[&fq.schema, &fq.name]);
        if let Some(c) = stmt.constrrel.as_mut() {
            let q = self.table(c)?;
            c.schemaname = q.schema;
            c.relname = q.name;
        }
        let mut deps = Vec::new();
        if let Some(k) = func {
            deps.push(ObjectId::Function(k));
        }
        if let Some(w) = stmt.when_clause.as_deref_mut() {
            let (cols, _) = column_refs(w);
            if let Some(t) = self.cat.tables.get(&table) {
                for c in cols {
                    if t.columns.contains_key(&c) {
                        deps.push(ObjectId::Column(table.clone(), c));
                    }
                }
            }
            deps.extend(self.expr_deps(w, None));
            let saved = self.scope.replace(Self::table_scope(&table));
            self.normalize(w);
            self.scope.replace(saved);
        }
        self.column_type_deps(&mut deps);
        let definition = deparse_stmt(NodeEnum::CreateTrigStmt(Box::new(stmt)))
            .ok_or_else(|| self.unsupported("a trigger the deparser cannot print"))?;
        let key = (table.clone(), s.trigname.clone());
        let (enabled, comment) = match self.cat.triggers.get(&key) {
            Some(t) if s.replace => (t.enabled, t.comment.clone()),
            _ => (TriggerEnabled::Origin, None),
        };
        let deps: DepSet = deps
            .into_iter()
            .filter(|d| *d != ObjectId::Table(table.clone()) && *d != ObjectId::View(table.clone()))
            .collect();
        self.cat.triggers.insert(
            key,
            Trigger {
                table,
                name: s.trigname.clone(),
                definition,
                enabled,
                constraint: s.isconstraint,
                comment,
                deps: NotCompared(deps),
            },
        );
        Ok(())
    }

    fn roles(&self, roles: &[Node]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for r in roles {
            if let Some(NodeEnum::RoleSpec(r)) = inner(r) {
                match RoleSpecType::try_from(r.roletype).unwrap_or_default() {
                    RoleSpecType::RolespecPublic => out.push("public".to_string()),
                    RoleSpecType::RolespecCstring => out.push(r.rolename.clone()),
                    // Only a server knows the role: kept as the keyword, like the
                    // statement says it (both sides of an offline diff read it so).
                    RoleSpecType::RolespecCurrentUser => out.push("CURRENT_USER".into()),
                    RoleSpecType::RolespecCurrentRole => out.push("CURRENT_ROLE".into()),
                    RoleSpecType::RolespecSessionUser => out.push("SESSION_USER".into()),
                    RoleSpecType::Undefined => {
                        return Err(self.unsupported("a role specification it cannot read"))
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn create_policy(&mut self, s: &protobuf::CreatePolicyStmt) -> Result<()> {
        let rv = s
            .table
            .as_ref()
            .ok_or_else(|| self.unsupported("a policy without a table"))?;
        let table = self.table(rv)?;
        let mut deps = Vec::new();
        let saved = self.scope.replace(Self::table_scope(&table));
        let texts = (
            s.qual.as_deref().map(|e| self.expr_text(e)).transpose(),
            s.with_check
                .as_deref()
                .map(|e| self.expr_text(e))
                .transpose(),
        );
        self.scope.replace(saved);
        let (using_text, check_text) = (texts.0?, texts.1?);
        let using = match s.qual.as_deref() {
            Some(e) => {
                deps.extend(self.expr_deps(e, Some(&table)));
                using_text
            }
            None => None,
        };
        let with_check = match s.with_check.as_deref() {
            Some(e) => {
                deps.extend(self.expr_deps(e, Some(&table)));
                check_text
            }
            None => None,
        };
        self.column_type_deps(&mut deps);
        let mut roles = self.roles(&s.roles)?;
        if roles.is_empty() {
            roles.push("public".into());
        }
        let deps: DepSet = deps
            .into_iter()
            .filter(|d| *d != ObjectId::Table(table.clone()))
            .collect();
        let policy = Policy {
            name: s.policy_name.clone(),
            permissive: s.permissive,
            command: s.cmd_name.to_uppercase(),
            roles,
            using,
            with_check,
            comment: None,
            deps: NotCompared(deps),
        };
        let t = self.cat.tables.get_mut(&table).expect("exists");
        t.policies.insert(policy.name.clone(), policy);
        Ok(())
    }

    fn alter_policy(&mut self, s: &protobuf::AlterPolicyStmt) -> Result<()> {
        let rv = s
            .table
            .as_ref()
            .ok_or_else(|| self.unsupported("a policy without a table"))?;
        let table = self.table(rv)?;
        let roles = self.roles(&s.roles)?;
        let saved = self.scope.replace(Self::table_scope(&table));
        let using = s.qual.as_deref().map(|e| self.expr_text(e)).transpose();
        let with_check = s
            .with_check
            .as_deref()
            .map(|e| self.expr_text(e))
            .transpose();
        self.scope.replace(saved);
        let (using, with_check) = (using?, with_check?);
        let mut extra = Vec::new();
        for e in s.qual.iter().chain(s.with_check.iter()) {
            extra.extend(self.expr_deps(e, Some(&table)));
        }
        let err = self.missing(format!("policy {}", s.policy_name));
        let t = self.cat.tables.get_mut(&table).expect("exists");
        let p = t.policies.get_mut(&s.policy_name).ok_or(err)?;
        if !roles.is_empty() {
            p.roles = roles;
        }
        if using.is_some() {
            p.using = using;
        }
        if with_check.is_some() {
            p.with_check = with_check;
        }
        p.deps.extend(
            extra
                .into_iter()
                .filter(|d| *d != ObjectId::Table(table.clone())),
        );
        Ok(())
    }

    // ---- COMMENT ON --------------------------------------------------------------

    fn list_name(&self, object: Option<&Node>) -> Vec<String> {
        match object.and_then(inner) {
            Some(NodeEnum::List(l)) => strings(&l.items),
            Some(NodeEnum::String(s)) => vec![s.sval.clone()],
            Some(NodeEnum::TypeName(t)) => strings(&t.names),
            _ => Vec::new(),
        }
    }

    fn comment(&mut self, s: &protobuf::CommentStmt) -> Result<()> {
        let text = if s.comment.is_empty() {
            None
        } else {
            Some(s.comment.clone())
        };
        let object = s.object.as_deref();
        let names = self.list_name(object);
        let rel = |names: &[String]| -> Option<protobuf::RangeVar> {
            let (sch, n) = split2(names)?;
            Some(protobuf::RangeVar {
                schemaname: sch.into(),
                relname: n.into(),
                ..Default::default()
            })
        };
        let objtype = ObjectType::try_from(s.objtype).unwrap_or_default();
        let missing_err = self.missing(format!("the object of COMMENT ON {}", names.join(".")));
        let not_found = || Error::Unsupported {
            what: match &missing_err {
                Error::Unsupported { what } => what.clone(),
                other => other.to_string(),
            },
        };
        match objtype {
            ObjectType::ObjectSchema => {
                let sch = self
                    .cat
                    .schemas
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                sch.comment = text;
            }
            ObjectType::ObjectExtension => {
                let e = self
                    .cat
                    .extensions
                    .get_mut(&names.join("."))
                    .ok_or_else(not_found)?;
                e.comment = text;
            }
            ObjectType::ObjectTable => {
                let q = self.table(&rel(&names).ok_or_else(not_found)?)?;
                self.cat.tables.get_mut(&q).expect("exists").comment = text;
            }
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let r = rel(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(&r.schemaname, &r.relname, |q| {
                        self.cat.views.contains_key(q)
                    })
                    .ok_or_else(not_found)?;
                self.cat.views.get_mut(&q).expect("exists").comment = text;
            }
            ObjectType::ObjectSequence => {
                let r = rel(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(&r.schemaname, &r.relname, |q| {
                        self.cat.sequences.contains_key(q)
                    })
                    .ok_or_else(not_found)?;
                self.cat.sequences.get_mut(&q).expect("exists").comment = text;
            }
            ObjectType::ObjectIndex => {
                let r = rel(&names).ok_or_else(not_found)?;
                let q = self
                    .lookup(&r.schemaname, &r.relname, |q| {
                        self.cat.indexes.contains_key(q)
                    })
                    .ok_or_else(not_found)?;
                self.cat.indexes.get_mut(&q).expect("exists").comment = text;
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let q = self
                    .user_type(&names)
                    .filter(|q| self.cat.types.contains_key(q))
                    .ok_or_else(not_found)?;
                self.cat.types.get_mut(&q).expect("exists").comment = text;
            }
            ObjectType::ObjectColumn => {
                let (relnames, col) = names.split_at(names.len().saturating_sub(1));
                let r = rel(relnames).ok_or_else(not_found)?;
                let col = col.first().cloned().unwrap_or_default();
                let composite = self
                    .user_type(relnames)
                    .and_then(|q| self.cat.types.get(&q))
                    .is_some_and(|t| match &t.kind {
                        TypeKind::Composite { attributes } => {
                            attributes.iter().any(|a| a.name == col)
                        }
                        _ => false,
                    });
                if composite {
                    // The model keeps no comments on attributes (introspection reads
                    // none either).
                    return Ok(());
                }
                let q = self.table_or_view(&r)?;
                if let Some(t) = self.cat.tables.get_mut(&q) {
                    t.columns.get_mut(&col).ok_or_else(not_found)?.comment = text;
                } else if let Some(v) = self.cat.views.get_mut(&q) {
                    match text {
                        Some(t) => {
                            v.column_comments.insert(col, t);
                        }
                        None => {
                            v.column_comments.remove(&col);
                        }
                    }
                }
            }
            ObjectType::ObjectTabconstraint
            | ObjectType::ObjectTrigger
            | ObjectType::ObjectPolicy => {
                let (relnames, last) = names.split_at(names.len().saturating_sub(1));
                let r = rel(relnames).ok_or_else(not_found)?;
                let sub = last.first().cloned().unwrap_or_default();
                let q = self.table_or_view(&r)?;
                match objtype {
                    ObjectType::ObjectTabconstraint => {
                        let t = self.cat.tables.get_mut(&q).ok_or_else(not_found)?;
                        t.constraints.get_mut(&sub).ok_or_else(not_found)?.comment = text;
                    }
                    ObjectType::ObjectPolicy => {
                        let t = self.cat.tables.get_mut(&q).ok_or_else(not_found)?;
                        t.policies.get_mut(&sub).ok_or_else(not_found)?.comment = text;
                    }
                    _ => {
                        self.cat
                            .triggers
                            .get_mut(&(q, sub))
                            .ok_or_else(not_found)?
                            .comment = text;
                    }
                }
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine => {
                let Some(NodeEnum::ObjectWithArgs(o)) = object.and_then(inner) else {
                    return Err(not_found());
                };
                let k = self.function_key(o)?.ok_or_else(not_found)?;
                self.cat.functions.get_mut(&k).expect("exists").comment = text;
            }
            ObjectType::ObjectDomconstraint => {
                // The model keeps no comments on domain constraints (introspection reads
                // none either); the constraint must exist.
                let (tn, con) = match object.and_then(inner) {
                    Some(NodeEnum::List(l)) if l.items.len() == 2 => {
                        let tn = match inner(&l.items[0]) {
                            Some(NodeEnum::TypeName(t)) => strings(&t.names),
                            _ => Vec::new(),
                        };
                        (tn, strings(&l.items[1..]))
                    }
                    _ => (Vec::new(), Vec::new()),
                };
                let exists = self
                    .user_type(&tn)
                    .and_then(|q| self.cat.types.get(&q))
                    .is_some_and(|t| match &t.kind {
                        TypeKind::Domain { checks, .. } => {
                            con.first().is_some_and(|c| checks.contains_key(c))
                        }
                        _ => false,
                    });
                if !exists {
                    return Err(not_found());
                }
            }
            _ => return Err(self.unsupported(format!("COMMENT ON {objtype:?}"))),
        }
        Ok(())
    }

    // ---- DROP --------------------------------------------------------------------

    fn drop(&mut self, s: &protobuf::DropStmt) -> Result<()> {
        let objtype = ObjectType::try_from(s.remove_type).unwrap_or_default();
        let cascade = protobuf::DropBehavior::try_from(s.behavior).unwrap_or_default()
            == protobuf::DropBehavior::DropCascade;
        for o in &s.objects {
            let names = self.list_name(Some(o));
            let found = match objtype {
                ObjectType::ObjectSchema => {
                    let n = names.join(".");
                    let found = self.cat.schemas.remove(&n).is_some();
                    if found && cascade {
                        self.cat.retain_schemas(|s| s != n);
                    }
                    found
                }
                ObjectType::ObjectExtension => {
                    self.cat.extensions.remove(&names.join(".")).is_some()
                }
                ObjectType::ObjectTable => {
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
                                    if let Some(t) = self.cat.tables.get_mut(&child) {
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
                | ObjectType::ObjectRoutine => {
                    let Some(NodeEnum::ObjectWithArgs(w)) = inner(o) else {
                        return Err(self.unsupported("DROP FUNCTION without a name"));
                    };
                    match self.function_key(w)? {
                        Some(k) => self.cat.functions.remove(&k).is_some(),
                        None => false,
                    }
                }
                ObjectType::ObjectTrigger | ObjectType::ObjectPolicy => {
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
                        (Some(q), _) => self
                            .cat
                            .tables
                            .get_mut(&q)
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

    fn drop_table(&mut self, q: &QualName, cascade: bool) {
        self.cat.tables.remove(q);
        self.cat.indexes.retain(|_, i| i.table != *q);
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
            for t in self.cat.tables.values_mut() {
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

    // ---- renames -----------------------------------------------------------------

    fn rename(&mut self, s: &protobuf::RenameStmt) -> Result<()> {
        let kind = ObjectType::try_from(s.rename_type).unwrap_or_default();
        match kind {
            ObjectType::ObjectTable
            | ObjectType::ObjectView
            | ObjectType::ObjectMatview
            | ObjectType::ObjectSequence
            | ObjectType::ObjectIndex => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a name"))?;
                let old = self
                    .lookup(&rv.schemaname, &rv.relname, |q| {
                        self.is_relation(q) || self.cat.indexes.contains_key(q)
                    })
                    .ok_or_else(|| self.missing(format!("relation {}", rv.relname)))?;
                let new = old.sibling(s.newname.clone());
                self.rename_relation(&old, &new);
            }
            ObjectType::ObjectColumn => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.table_or_view(rv)?;
                self.rename_column(&table, &s.subname, &s.newname)?;
            }
            ObjectType::ObjectTabconstraint => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.table(rv)?;
                let err = self.missing(format!("constraint {}", s.subname));
                let t = self.cat.tables.get_mut(&table).expect("exists");
                let mut c = t.constraints.remove(&s.subname).ok_or(err)?;
                c.name = s.newname.clone();
                t.constraints.insert(c.name.clone(), c);
            }
            ObjectType::ObjectTrigger => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.table_or_view(rv)?;
                let err = self.missing(format!("trigger {}", s.subname));
                let mut t = self
                    .cat
                    .triggers
                    .remove(&(table.clone(), s.subname.clone()))
                    .ok_or(err)?;
                t.definition = t.definition.replacen(
                    &format!("TRIGGER {} ", Ident(&s.subname)),
                    &format!("TRIGGER {} ", Ident(&s.newname)),
                    1,
                );
                t.name = s.newname.clone();
                self.cat.triggers.insert((table, s.newname.clone()), t);
            }
            ObjectType::ObjectPolicy => {
                let rv = s
                    .relation
                    .as_ref()
                    .ok_or_else(|| self.unsupported("a rename without a table"))?;
                let table = self.table(rv)?;
                let err = self.missing(format!("policy {}", s.subname));
                let t = self.cat.tables.get_mut(&table).expect("exists");
                let mut p = t.policies.remove(&s.subname).ok_or(err)?;
                p.name = s.newname.clone();
                t.policies.insert(p.name.clone(), p);
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let names = self.list_name(s.object.as_deref());
                let old = self
                    .user_type(&names)
                    .filter(|q| self.cat.types.contains_key(q))
                    .ok_or_else(|| self.missing(format!("type {}", names.join("."))))?;
                let new = old.sibling(s.newname.clone());
                let mut t = self.cat.types.remove(&old).expect("exists");
                t.name = new.clone();
                self.cat.types.insert(new.clone(), t);
                self.replace_everywhere(
                    &old.to_string(),
                    &new.to_string(),
                    &ObjectId::Type(old.clone()),
                    &ObjectId::Type(new.clone()),
                );
            }
            ObjectType::ObjectSchema => {
                if self.cat.object_count() > self.cat.schemas.len() + self.cat.extensions.len()
                    && self.cat.tables.keys().any(|t| t.schema == s.subname)
                {
                    return Err(self.unsupported("renaming a schema that holds tables"));
                }
                let mut sch = self
                    .cat
                    .schemas
                    .remove(&s.subname)
                    .ok_or_else(|| self.missing(format!("schema {}", s.subname)))?;
                sch.name = s.newname.clone();
                self.cat.schemas.insert(sch.name.clone(), sch);
            }
            _ => return Err(self.unsupported(format!("ALTER ... RENAME of {kind:?}"))),
        }
        Ok(())
    }

    /// Rewrites a name in every definition and dependency that mentions it.
    fn replace_everywhere(
        &mut self,
        old_text: &str,
        new_text: &str,
        old_id: &ObjectId,
        new_id: &ObjectId,
    ) {
        let fix_deps = |d: &mut Deps| {
            if d.contains(old_id) {
                d.0 = d
                    .iter()
                    .map(|x| {
                        if x == old_id {
                            new_id.clone()
                        } else {
                            x.clone()
                        }
                    })
                    .collect();
            }
        };
        for t in self.cat.tables.values_mut() {
            fix_deps(&mut t.deps);
            for c in t.columns.values_mut() {
                c.type_name = replace_name(&c.type_name, old_text, new_text);
                if let Some(d) = c.default.as_mut() {
                    *d = replace_name(d, old_text, new_text);
                }
                fix_deps(&mut c.deps);
                fix_deps(&mut c.default_deps);
            }
            for (_, c) in t.constraints.iter_mut() {
                c.definition = replace_name(&c.definition, old_text, new_text);
                fix_deps(&mut c.deps);
            }
            for (_, p) in t.policies.iter_mut() {
                fix_deps(&mut p.deps);
                for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                    *e = replace_name(e, old_text, new_text);
                }
            }
        }
        for i in self.cat.indexes.values_mut() {
            i.definition = replace_name(&i.definition, old_text, new_text);
            fix_deps(&mut i.deps);
        }
        for v in self.cat.views.values_mut() {
            v.definition = replace_name(&v.definition, old_text, new_text);
            for c in v.columns.iter_mut() {
                c.type_name = replace_name(&c.type_name, old_text, new_text);
            }
            fix_deps(&mut v.deps);
        }
        for t in self.cat.triggers.values_mut() {
            t.definition = replace_name(&t.definition, old_text, new_text);
            fix_deps(&mut t.deps);
        }
        for f in self.cat.functions.values_mut() {
            fix_deps(&mut f.deps);
        }
        for t in self.cat.types.values_mut() {
            fix_deps(&mut t.deps);
        }
    }

    fn rename_relation(&mut self, old: &QualName, new: &QualName) {
        let old_text = old.to_string();
        let new_text = new.to_string();
        if let Some(mut t) = self.cat.tables.remove(old) {
            t.name = new.clone();
            self.cat.tables.insert(new.clone(), t);
            for t in self.cat.tables.values_mut() {
                for (_, c) in t.constraints.iter_mut() {
                    if c.references.as_ref() == Some(old) {
                        c.references = Some(new.clone());
                    }
                }
                if let Some(p) = t.partition_of.as_mut() {
                    if p.parent == *old {
                        p.parent = new.clone();
                    }
                }
                for p in t.inherits.iter_mut() {
                    if p == old {
                        *p = new.clone();
                    }
                }
            }
            for i in self.cat.indexes.values_mut() {
                if i.table == *old {
                    i.table = new.clone();
                }
            }
            let triggers: Vec<(QualName, String)> = self
                .cat
                .triggers
                .keys()
                .filter(|(t, _)| t == old)
                .cloned()
                .collect();
            for k in triggers {
                let mut t = self.cat.triggers.remove(&k).expect("listed");
                t.table = new.clone();
                self.cat.triggers.insert((new.clone(), k.1), t);
            }
            for s in self.cat.sequences.values_mut() {
                if let Some((t, _)) = s.owned_by.as_mut() {
                    if t == old {
                        *t = new.clone();
                    }
                }
            }
            let cols: Vec<String> = self.cat.tables[new].columns.keys().cloned().collect();
            for c in cols {
                self.replace_everywhere(
                    "",
                    "",
                    &ObjectId::Column(old.clone(), c.clone()),
                    &ObjectId::Column(new.clone(), c),
                );
            }
            self.replace_everywhere(
                &old_text,
                &new_text,
                &ObjectId::Table(old.clone()),
                &ObjectId::Table(new.clone()),
            );
        } else if let Some(mut v) = self.cat.views.remove(old) {
            v.name = new.clone();
            self.cat.views.insert(new.clone(), v);
            self.replace_everywhere(
                &old_text,
                &new_text,
                &ObjectId::View(old.clone()),
                &ObjectId::View(new.clone()),
            );
        } else if let Some(mut s) = self.cat.sequences.remove(old) {
            s.name = new.clone();
            self.cat.sequences.insert(new.clone(), s);
            let quoted_old = format!("'{old_text}'");
            let quoted_new = format!("'{new_text}'");
            self.replace_everywhere(
                &quoted_old,
                &quoted_new,
                &ObjectId::Sequence(old.clone()),
                &ObjectId::Sequence(new.clone()),
            );
        } else if let Some(mut i) = self.cat.indexes.remove(old) {
            i.definition = i.definition.replacen(
                &format!("INDEX {} ON", Ident(&old.name)),
                &format!("INDEX {} ON", Ident(&new.name)),
                1,
            );
            i.name = new.clone();
            self.cat.indexes.insert(new.clone(), i);
        } else {
            // An index behind a constraint: the constraint is renamed with it.
            for t in self.cat.tables.values_mut() {
                if t.name.schema == old.schema {
                    if let Some(mut c) = t.constraints.remove(&old.name) {
                        c.name = new.name.clone();
                        t.constraints.insert(c.name.clone(), c);
                    }
                }
            }
        }
    }

    fn rename_column(&mut self, table: &QualName, old: &str, new: &str) -> Result<()> {
        if let Some(t) = self.cat.tables.get_mut(table) {
            let c = t.columns.get_mut(old).ok_or_else(|| Error::Unsupported {
                what: format!("{}: column {old} does not exist", self.loc),
            })?;
            c.name = new.to_string();
            let old_id = Ident(old).to_string();
            let new_id = Ident(new).to_string();
            for (_, c) in t.constraints.iter_mut() {
                c.definition = replace_name(&c.definition, &old_id, &new_id);
            }
            for c in t.columns.values_mut() {
                if let Some(g) = c.generated.as_mut() {
                    *g = replace_name(g, &old_id, &new_id);
                }
            }
            for (_, p) in t.policies.iter_mut() {
                for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                    *e = replace_name(e, &old_id, &new_id);
                }
            }
            for i in self.cat.indexes.values_mut() {
                if i.table == *table {
                    if let Some(at) = i.definition.find(" USING ") {
                        let (head, tail) = i.definition.split_at(at);
                        i.definition = format!("{head}{}", replace_name(tail, &old_id, &new_id));
                    }
                }
            }
            let o = ObjectId::Column(table.clone(), old.to_string());
            let n = ObjectId::Column(table.clone(), new.to_string());
            self.replace_everywhere("", "", &o, &n);
            // Foreign keys elsewhere that reference the column.
            let pattern = format!("REFERENCES {table}");
            for t in self.cat.tables.values_mut() {
                for (_, c) in t.constraints.iter_mut() {
                    if c.references.as_ref() == Some(table) {
                        if let Some(at) = c.definition.find(&pattern) {
                            let (head, tail) = c.definition.split_at(at + pattern.len());
                            c.definition =
                                format!("{head}{}", replace_name(tail, &old_id, &new_id));
                        }
                    }
                }
            }
            Ok(())
        } else if let Some(v) = self.cat.views.get_mut(table) {
            let c = v
                .columns
                .iter_mut()
                .find(|c| c.name == old)
                .ok_or_else(|| Error::Unsupported {
                    what: format!("{}: column {old} does not exist", self.loc),
                })?;
            c.name = new.to_string();
            Err(self.unsupported("renaming a view column (the view's query text changes)"))
        } else {
            Err(self.missing(format!("relation {table}")))
        }
    }
}

fn is_partition(s: &protobuf::CreateStmt) -> bool {
    s.partbound.is_some()
}

/// `name1_name2_label`, with a number appended to the label until `taken` says no, as
/// PostgreSQL's `ChooseRelationName` / `ChooseConstraintName` do.
fn unique_name(
    taken: impl Fn(&str) -> bool,
    name1: &str,
    name2: Option<&str>,
    label: &str,
) -> String {
    let mut n = 0;
    loop {
        let l = if n == 0 {
            label.to_string()
        } else {
            format!("{label}{n}")
        };
        let candidate = make_object_name(name1, name2.filter(|s| !s.is_empty()), &l);
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// The name PostgreSQL gives an index column that is an expression (`lower` for
/// `lower(email)`, else `expr`).
fn index_expr_name(e: &protobuf::IndexElem) -> String {
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
fn normalize_ordering(e: &mut protobuf::IndexElem) {
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

/// The column names of `PRIMARY KEY (a, b)` / `UNIQUE (a)` definitions.
fn key_columns(definition: &str) -> Vec<String> {
    let Some(open) = definition.find('(') else {
        return Vec::new();
    };
    let Some(close) = definition[open..].find(')') else {
        return Vec::new();
    };
    definition[open + 1..open + close]
        .split(',')
        .map(|c| {
            let c = c.trim();
            c.strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .map(|x| x.replace("\"\"", "\""))
                .unwrap_or_else(|| c.to_string())
        })
        .collect()
}

/// The types of a function's argument list as this module writes it
/// (`a integer, VARIADIC b text[]` gives `integer`, `text[]`), for matching a
/// signature written by type only.
fn arg_types(arguments: &str) -> Vec<String> {
    if arguments.is_empty() {
        return Vec::new();
    }
    arguments
        .split(", ")
        .filter(|a| !a.starts_with("OUT "))
        .map(|a| {
            let a = a.split(" DEFAULT ").next().unwrap_or(a);
            let a = a
                .strip_prefix("INOUT ")
                .or_else(|| a.strip_prefix("VARIADIC "))
                .unwrap_or(a);
            match a.split_once(' ') {
                Some((first, rest)) if !starts_type(first) => rest.to_string(),
                _ => a.to_string(),
            }
        })
        .collect()
}

fn starts_type(word: &str) -> bool {
    types::is_builtin(word)
        || word.contains('.')
        || matches!(word, "double" | "character" | "bit" | "timestamp" | "time")
        || word.ends_with("[]")
}

/// A function's options in one order, without the ones that say the default.
fn canonical_function_options(options: Vec<Node>) -> Vec<Node> {
    let mut kept: Vec<(String, Node)> = Vec::new();
    for o in options {
        let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
            kept.push((String::new(), o));
            continue;
        };
        let value = def_value(d.arg.as_deref()).unwrap_or_default();
        let default = match d.defname.as_str() {
            "volatility" => value == "volatile",
            "strict" | "security" | "leakproof" | "window" => value == "false",
            "parallel" => value == "unsafe",
            "cost" => value == "100",
            "rows" => value == "1000",
            _ => false,
        };
        if !default {
            kept.push((d.defname.clone(), o));
        }
    }
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.into_iter().map(|(_, o)| o).collect()
}

/// The string of `'name'` or `'name'::regclass`.
fn regclass_literal(n: &Node) -> Option<String> {
    match inner(n)? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            protobuf::a_const::Val::Sval(s) => Some(s.sval.clone()),
            _ => None,
        },
        NodeEnum::TypeCast(c) => {
            let t = c.type_name.as_ref()?;
            if strings(&t.names).last().map(String::as_str) != Some("regclass") {
                return None;
            }
            regclass_literal(c.arg.as_deref()?)
        }
        _ => None,
    }
}

/// `100::numeric` as `100`.
fn strip_numeric_cast(n: &mut Node) {
    let Some(NodeEnum::TypeCast(c)) = n.node.as_ref() else {
        return;
    };
    let numeric = is_plain_numeric_cast(c);
    let constant = matches!(
        c.arg.as_deref().and_then(inner),
        Some(NodeEnum::AConst(k)) if matches!(
            k.val,
            Some(protobuf::a_const::Val::Ival(_)) | Some(protobuf::a_const::Val::Fval(_))
        )
    );
    if numeric && constant {
        if let Some(arg) = c.arg.as_deref().cloned() {
            *n = arg;
        }
    }
}

/// `::numeric` without a precision.
fn is_plain_numeric_cast(c: &protobuf::TypeCast) -> bool {
    c.type_name.as_ref().is_some_and(|t| {
        t.typmods.is_empty()
            && t.array_bounds.is_empty()
            && strings(&t.names)
                .last()
                .and_then(|l| types::internal_name(l))
                == Some("numeric")
    })
}

/// A `TypeName` node for a type as this module spells it (`public.mood`).
fn type_name_node(type_text: &str) -> Option<protobuf::TypeName> {
    let tree = pg_query::parse(&format!("SELECT NULL::{type_text}"), 0).ok()?;
    let stmt = tree.protobuf.stmts.first()?.stmt.as_ref()?.node.as_ref()?;
    let NodeEnum::SelectStmt(sel) = stmt else {
        return None;
    };
    let Some(NodeEnum::ResTarget(r)) = sel.target_list.first()?.node.as_ref() else {
        return None;
    };
    match r.val.as_deref()?.node.as_ref()? {
        NodeEnum::TypeCast(c) => c.type_name.clone(),
        _ => None,
    }
}

/// `'schema.name'::regclass` as a node.
fn regclass_cast(q: &QualName) -> Node {
    node(NodeEnum::TypeCast(Box::new(protobuf::TypeCast {
        arg: Some(Box::new(node(NodeEnum::AConst(protobuf::AConst {
            isnull: false,
            location: -1,
            val: Some(protobuf::a_const::Val::Sval(protobuf::String {
                sval: q.to_string(),
            })),
        })))),
        type_name: Some(protobuf::TypeName {
            names: string_nodes(&["regclass"]),
            typemod: -1,
            location: -1,
            ..Default::default()
        }),
        location: -1,
    })))
}

/// `'schema.name'::regclass` as text, as the normalizer prints it.
fn regclass_text(q: &QualName) -> String {
    deparse_expr(&regclass_cast(q)).unwrap_or_else(|| format!("'{q}'::regclass"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_cut_like_postgres() {
        assert_eq!(make_object_name("t", Some("a"), "key"), "t_a_key");
        let long = "a".repeat(40);
        let name = make_object_name(&long, Some(&long), "fkey");
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_fkey"));
    }

    #[test]
    fn names_are_replaced_whole() {
        assert_eq!(
            replace_name("REFERENCES public.t(id), public.tt", "public.t", "public.u"),
            "REFERENCES public.u(id), public.tt"
        );
    }

    #[test]
    fn quoted_names_in_strings_split() {
        assert_eq!(
            parse_qualified_string("App.\"Users_Seq\"").unwrap(),
            vec!["app".to_string(), "Users_Seq".to_string()]
        );
    }

    #[test]
    fn argument_types_drop_names() {
        assert_eq!(
            arg_types("a integer, double precision, VARIADIC b text[]"),
            vec!["integer", "double precision", "text[]"]
        );
    }
}
