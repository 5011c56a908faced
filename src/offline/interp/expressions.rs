//! Expressions: an expression or query rewritten to one canonical spelling (names
//! qualified, implicit casts as PostgreSQL stores them), its text and what it depends on.

use std::collections::BTreeSet;

use pg_query::protobuf::{self, Node};
use pg_query::NodeEnum;

use crate::error::Result;
use crate::model::{ObjectId, QualName};
use crate::offline::expr::{
    column_refs, deparse_owned_expr, string_nodes, strings, walk_mut, walk_pruned,
};
use crate::offline::types;
use crate::parse::parse_qualified_string;

use super::{inner, node, split2, Interp};

impl<'c> Interp<'c> {
    /// Rewrites an expression or query to its canonical form: type names normalized,
    /// relations and user functions qualified, `nextval('seq')` with a qualified
    /// regclass, `IN (...)` as `= ANY (ARRAY[...])`, string literals without `::text`.
    pub(super) fn normalize(&self, n: &mut Node) {
        let mut ctes = BTreeSet::new();
        let mut copy = n.clone();
        walk_mut(&mut copy, &mut |x| {
            if let NodeEnum::CommonTableExpr(c) = x {
                ctes.insert(c.ctename.clone());
            }
        });
        walk_mut(n, &mut |x| self.normalize_one(x, &ctes));
    }

    pub(super) fn normalize_one(&self, x: &mut NodeEnum, ctes: &BTreeSet<String>) {
        let mut replace = None;
        match x {
            NodeEnum::TypeCast(c) => {
                // A cast of a cast (`('a'::character varying)::text`) reads its inner
                // cast first, so both can fall away.
                if let Some(arg) = c.arg.as_mut().and_then(|a| a.node.as_mut()) {
                    if matches!(arg, NodeEnum::TypeCast(_)) {
                        self.normalize_one(arg, ctes);
                    }
                }
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
                // A configuration or dictionary of the schema, named with its schema as
                // PostgreSQL prints it.
                let reg_config = plain(&["regconfig"]) || plain(&["pg_catalog", "regconfig"]);
                let reg_dict = plain(&["regdictionary"]) || plain(&["pg_catalog", "regdictionary"]);
                if is_string && (reg_config || reg_dict) {
                    if let Some(NodeEnum::AConst(k)) = c.arg.as_mut().and_then(|a| a.node.as_mut())
                    {
                        if let Some(protobuf::a_const::Val::Sval(sv)) = k.val.as_mut() {
                            let found = parse_qualified_string(&sv.sval).and_then(|p| {
                                let (a, b) = split2(&p)?;
                                self.lookup(a, b, |q| {
                                    if reg_config {
                                        self.cat.ts_configurations.contains_key(q)
                                    } else {
                                        self.cat.ts_dictionaries.contains_key(q)
                                    }
                                })
                            });
                            if let Some(q) = found {
                                sv.sval = q.to_string();
                            }
                        }
                    }
                }
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
                // An operator the schema declares is stored with its schema
                // (`x OPERATOR(public.~~~) y`).
                if matches!(kind, K::AexprOp | K::AexprOpAny | K::AexprOpAll) {
                    let operands =
                        [e.lexpr.as_deref(), e.rexpr.as_deref()].map(|n| match n.and_then(inner) {
                            Some(NodeEnum::ColumnRef(c)) => self.column_type(&strings(&c.fields)),
                            _ => None,
                        });
                    if let Some(q) = self.user_operator(&strings(&e.name), &operands) {
                        e.name = string_nodes(&[&q.schema, &q.name]);
                    }
                }
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
                    // `(status)::text = ANY (ARRAY[('a'::character varying)::text])`,
                    // how PostgreSQL prints `status IN ('a')` on a character column,
                    // reads as that IN list.
                    K::AexprOpAny | K::AexprOpAll
                        if (kind == K::AexprOpAny && op == ["="])
                            || (kind == K::AexprOpAll && op == ["<>"]) =>
                    {
                        if let Some(l) = e.lexpr.as_mut().and_then(|n| n.node.as_mut()) {
                            self.normalize_one(l, ctes);
                        }
                        let character = match e.lexpr.as_deref().and_then(inner) {
                            Some(NodeEnum::ColumnRef(c)) => self
                                .column_type(&strings(&c.fields))
                                .is_some_and(|t| t.starts_with("character")),
                            _ => false,
                        };
                        if let (true, Some(NodeEnum::AArrayExpr(a))) =
                            (character, e.rexpr.as_mut().and_then(|n| n.node.as_mut()))
                        {
                            for x in a.elements.iter_mut() {
                                if let Some(n) = x.node.as_mut() {
                                    self.normalize_one(n, ctes);
                                }
                            }
                            let literals = a.elements.iter().all(|x| {
                                matches!(inner(x), Some(NodeEnum::AConst(k))
                                    if matches!(k.val, Some(protobuf::a_const::Val::Sval(_))))
                            });
                            if literals {
                                let items = std::mem::take(&mut a.elements);
                                e.kind = K::AexprIn as i32;
                                e.rexpr =
                                    Some(Box::new(node(NodeEnum::List(protobuf::List { items }))));
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
    pub(super) fn column_type_deps(&self, deps: &mut Vec<ObjectId>) {
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
    pub(super) fn table_scope(table: &QualName) -> Vec<(String, QualName)> {
        vec![
            (table.name.clone(), table.clone()),
            ("new".into(), table.clone()),
            ("old".into(), table.clone()),
        ]
    }

    /// The scope of a query: every relation it names, by alias or name.
    pub(super) fn query_scope(&self, query: &Node) -> Vec<(String, QualName)> {
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
    pub(super) fn expr_text(&self, n: &Node) -> Result<String> {
        let mut copy = n.clone();
        self.normalize(&mut copy);
        deparse_owned_expr(copy)
            .ok_or_else(|| self.unsupported("an expression the deparser cannot print"))
    }

    /// What an expression depends on: user functions, sequences, types, relations, and
    /// the columns of `own` it names.
    pub(super) fn expr_deps(&self, n: &Node, own: Option<&QualName>) -> Vec<ObjectId> {
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
                // `'english_ci'::regconfig` names a text search configuration.
                let literal = c.arg.as_deref().and_then(|a| match inner(a) {
                    Some(NodeEnum::AConst(k)) => match &k.val {
                        Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                        _ => None,
                    },
                    _ => None,
                });
                let reg = c
                    .type_name
                    .as_ref()
                    .and_then(|t| strings(&t.names).pop())
                    .unwrap_or_default();
                if let (Some(text), "regconfig" | "regdictionary") = (literal, reg.as_str()) {
                    if let Some(p) = parse_qualified_string(&text) {
                        let (a, b) = split2(&p).unwrap_or_default();
                        let config = reg == "regconfig";
                        let found = self.lookup(a, b, |q| {
                            if config {
                                self.cat.ts_configurations.contains_key(q)
                            } else {
                                self.cat.ts_dictionaries.contains_key(q)
                            }
                        });
                        if let Some(q) = found {
                            out.push(if config {
                                ObjectId::TextSearchConfiguration(q)
                            } else {
                                ObjectId::TextSearchDictionary(q)
                            });
                        }
                    }
                }
                if let Some(t) = c.type_name.as_ref() {
                    if let Some(q) = self.user_type(&strings(&t.names)) {
                        if self.cat.types.contains_key(&q) {
                            out.push(ObjectId::Type(q));
                        }
                    }
                }
            }
            NodeEnum::AExpr(e) => {
                let names = strings(&e.name);
                if let Some((s, n)) = split2(&names).filter(|(s, _)| !s.is_empty()) {
                    for (key, o) in &self.cat.operators {
                        if o.name.schema == s && o.name.name == n {
                            out.push(ObjectId::Operator(key.clone()));
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
pub(super) fn regclass_text(q: &QualName) -> String {
    deparse_owned_expr(regclass_cast(q)).unwrap_or_else(|| format!("'{q}'::regclass"))
}
