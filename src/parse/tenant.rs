//! One statement written for a template schema, rewritten to act on a tenant's schema.
//!
//! Input: the text of one statement, the template schema's name (`tenant`) and the
//! tenant's (`tenant_42`). Output: the statement's text naming the tenant's schema
//! wherever it named the template, or a refusal naming what could not be proven. Does
//! not touch the database.
//!
//! The rewrite edits pg_query's parse tree, never the text: a hand-written walk visits
//! the node types DDL, data migrations and their expressions use and renames the schema
//! in the positions that hold one (`RangeVar.schemaname`, the first part of qualified
//! names, objects of `DROP`/`COMMENT`/`GRANT` by object type, `regclass` literals,
//! `search_path` settings, SQL function bodies). The walk need not know every node
//! type, because a proof follows it: the rewritten tree, as JSON, must not hold the
//! template's name anywhere (outside the few fields that name a relation, column,
//! constraint or index, and comment text), and its deparsed text must parse back to the
//! same tree. A position the walk missed therefore becomes a refusal, never a statement
//! that still acts on the template schema.

use pg_query::protobuf::{
    self, a_const, GrantTargetType, ObjectType, ParseResult, RangeVar, TypeName,
};
use pg_query::{Node, NodeEnum};
use serde_json::Value;

use crate::model::quote_ident;
use crate::parse::parse_qualified_string;

/// A schema name no tenant has: what plan and check prove the rewrite of every
/// statement with, before any tenant is touched.
pub const PROBE: &str = "schemaplan_tenant_probe";

/// Rewrites one SQL statement written for schema `template` so that it acts on `target`.
/// Ok(statement text) or Err(reason, one sentence naming what is unproven).
///
/// A statement whose parse tree does not mention `template` (and one the rewrite leaves
/// as it was) comes back byte-identical; a rewritten one comes back deparsed, without
/// comments or a trailing semicolon.
pub fn rewrite(sql: &str, template: &str, target: &str) -> std::result::Result<String, String> {
    let parsed =
        pg_query::parse(sql, 0).map_err(|e| format!("the statement does not parse: {e}"))?;
    let mut tree = parsed.protobuf;
    if tree.stmts.len() > 1 {
        return Err(format!(
            "the text holds {} statements; the rewrite takes one at a time",
            tree.stmts.len()
        ));
    }
    if template == target || !mentions_in_tree(&tree, template)? {
        return Ok(sql.to_string());
    }
    let before = tree.clone();
    rewrite_tree(&mut tree, template, target)?;
    if tree == before {
        return Ok(sql.to_string());
    }
    deparse_checked(&tree)
}

/// Rewrites every statement of `tree` in place, then proves that no mention of
/// `template` is left.
fn rewrite_tree(tree: &mut ParseResult, template: &str, target: &str) -> Result<(), String> {
    let mut rewriter = Rewriter {
        template,
        target,
        refused: None,
    };
    for raw in &mut tree.stmts {
        if let Some(stmt) = &mut raw.stmt {
            rewriter.node(stmt);
        }
    }
    if let Some(reason) = rewriter.refused {
        return Err(reason);
    }
    prove(tree, template)
}

/// The body of a `LANGUAGE sql` function (one or more statements), rewritten and
/// deparsed.
fn rewrite_sql_body(body: &str, template: &str, target: &str) -> Result<String, String> {
    let mut tree = pg_query::parse(body, 0)
        .map_err(|e| format!("the SQL function body does not parse: {e}"))?
        .protobuf;
    rewrite_tree(&mut tree, template, target)
        .map_err(|e| format!("in the SQL function body: {e}"))?;
    deparse_checked(&tree)
}

/// Deparses `tree` and requires that the text parses back to the same tree (locations
/// aside): the text that runs is the tree that was proven.
fn deparse_checked(tree: &ParseResult) -> Result<String, String> {
    let text = pg_query::deparse(tree, Default::default())
        .map_err(|e| format!("the rewritten statement cannot be deparsed: {e}"))?;
    let again = pg_query::parse(&text, 0)
        .map_err(|_| "deparse did not reproduce the statement".to_string())?;
    if without_locations(to_json(tree)?) != without_locations(to_json(&again.protobuf)?) {
        return Err("deparse did not reproduce the statement".to_string());
    }
    Ok(text)
}

fn to_json(tree: &ParseResult) -> Result<Value, String> {
    serde_json::to_value(tree).map_err(|e| format!("the parse tree cannot be read: {e}"))
}

/// `value` without the fields that record where in the text a node was: they differ
/// between the original and the deparsed text and say nothing about meaning.
fn without_locations(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !is_location(k))
                .map(|(k, v)| (k, without_locations(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_locations).collect()),
        other => other,
    }
}

fn is_location(key: &str) -> bool {
    key.ends_with("location")
        || matches!(
            key,
            "stmt_len" | "list_start" | "list_end" | "rexpr_list_start" | "rexpr_list_end"
        )
}

// ---- the proof -------------------------------------------------------------------

/// Fields whose string is the name of a relation, column, constraint or index: never a
/// schema, so the template's name there (`references public.tenant`) is left alone.
const NOT_SCHEMA_FIELDS: &[&str] = &["relname", "colname", "conname", "idxname"];

/// Whether `(node, field)` is free text rather than code (`COMMENT ... IS 'text'`).
fn is_free_text(node: &str, field: &str) -> bool {
    matches!(
        (node, field),
        ("CommentStmt", "comment") | ("SecLabelStmt", "label")
    )
}

/// Whether any string of `tree` (free text aside) mentions `template` as a word.
fn mentions_in_tree(tree: &ParseResult, template: &str) -> Result<bool, String> {
    let mut found = false;
    visit_strings(&to_json(tree)?, "statement", &mut |_, _, s| {
        found |= !occurrences(s, template).is_empty();
        Ok(())
    })?;
    Ok(found)
}

/// Refuses a tree that still holds `template` as a name (outside [`NOT_SCHEMA_FIELDS`])
/// or a string naming `template.` something.
fn prove(tree: &ParseResult, template: &str) -> Result<(), String> {
    visit_strings(&to_json(tree)?, "statement", &mut |node, field, s| {
        if NOT_SCHEMA_FIELDS.contains(&field) {
            return Ok(());
        }
        if s == template {
            return Err(format!(
                "the name {template} in {} is not a schema position the rewrite can \
                 prove (a table, column or alias named like the template schema?)",
                a(node)
            ));
        }
        if names_schema(s, template) {
            return Err(format!(
                "the text {} in {} names {template}. in a place the rewrite cannot \
                 prove (only regclass and regproc literals, nextval/currval/setval arguments \
                 and SQL function bodies are rewritten)",
                shortened(s),
                a(node)
            ));
        }
        Ok(())
    })
}

/// Calls `each(node, field, text)` for every string of `value` outside free text, with
/// the innermost node type that holds it (`ColumnRef`, not the `String` node in it).
fn visit_strings(
    value: &Value,
    node: &str,
    each: &mut dyn FnMut(&str, &str, &str) -> Result<(), String>,
) -> Result<(), String> {
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| visit_strings(v, node, each)),
        Value::Object(map) => {
            for (key, v) in map {
                if is_free_text(node, key) {
                    continue;
                }
                match v {
                    Value::String(s) => each(node, key, s)?,
                    _ => {
                        let inner = match key.as_str() {
                            "alias" | "join_using_alias" => "table alias",
                            k if is_node_type(k) => k,
                            _ => node,
                        };
                        visit_strings(v, inner, each)?;
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether a JSON key is a node type (`RangeVar`) rather than a field (`relname`);
/// wrappers of plain values (`String`, `List`, `AConst`, ...) are not reported.
fn is_node_type(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_uppercase())
        && !matches!(
            key,
            "String" | "List" | "AConst" | "Sval" | "Ival" | "Fval" | "Boolval" | "Bsval"
        )
}

/// `node` with its indefinite article: "a ColumnRef", "an AExpr".
fn a(node: &str) -> String {
    let article = if node.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {node}")
}

fn shortened(s: &str) -> String {
    let mut short: String = s.chars().take(60).collect();
    if short.len() < s.len() {
        short.push_str("...");
    }
    format!("{short:?}")
}

/// The byte offsets where `word` ends in `text`, matched case-insensitively and only
/// where bounded by characters that cannot continue an identifier.
fn occurrences(text: &str, word: &str) -> Vec<usize> {
    let hay = text.to_ascii_lowercase();
    let needle = word.to_ascii_lowercase();
    let mut ends = Vec::new();
    if needle.is_empty() {
        return ends;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char) {
            ends.push(end);
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    ends
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Whether `text` names `template.` something: the word, maybe a closing double quote,
/// then a dot (spaces allowed around both).
fn names_schema(text: &str, template: &str) -> bool {
    occurrences(text, template).into_iter().any(|end| {
        let rest = text[end..].trim_start();
        let rest = rest.strip_prefix('"').unwrap_or(rest).trim_start();
        rest.starts_with('.')
    })
}

// ---- the walk --------------------------------------------------------------------

/// How an object list's names are laid out, by object type.
enum Layout {
    /// `schema.name` (tables, types, functions, ...).
    TopLevel,
    /// `schema.table.name` (columns, triggers, policies, rules, table constraints).
    SubObject,
    /// `access_method.schema.name` (operator classes and families).
    AfterAccessMethod,
    /// A bare schema name.
    Schema,
    /// Anything else: walked for the nodes it holds, names left alone.
    Other,
}

fn layout(objtype: i32) -> Layout {
    use ObjectType as O;
    match ObjectType::try_from(objtype) {
        Ok(
            O::ObjectTable
            | O::ObjectView
            | O::ObjectMatview
            | O::ObjectSequence
            | O::ObjectIndex
            | O::ObjectForeignTable
            | O::ObjectType
            | O::ObjectDomain
            | O::ObjectCollation
            | O::ObjectConversion
            | O::ObjectStatisticExt
            | O::ObjectTsconfiguration
            | O::ObjectTsdictionary
            | O::ObjectTsparser
            | O::ObjectTstemplate
            | O::ObjectAggregate
            | O::ObjectFunction
            | O::ObjectProcedure
            | O::ObjectRoutine
            | O::ObjectOperator,
        ) => Layout::TopLevel,
        Ok(
            O::ObjectColumn
            | O::ObjectTrigger
            | O::ObjectPolicy
            | O::ObjectRule
            | O::ObjectTabconstraint,
        ) => Layout::SubObject,
        Ok(O::ObjectOpclass | O::ObjectOpfamily) => Layout::AfterAccessMethod,
        Ok(O::ObjectSchema) => Layout::Schema,
        _ => Layout::Other,
    }
}

/// The walk over the parse tree: renames `template` to `target` in schema positions.
struct Rewriter<'a> {
    template: &'a str,
    target: &'a str,
    /// Why the statement cannot be rewritten, when the walk found out on its own (a
    /// procedural function body naming the template).
    refused: Option<String>,
}

impl Rewriter<'_> {
    fn name(&self, s: &mut String) {
        if s == self.template {
            *s = self.target.to_string();
        }
    }

    fn string_node(&self, n: &mut Node) {
        if let Some(NodeEnum::String(s)) = &mut n.node {
            self.name(&mut s.sval);
        }
    }

    /// `schema.name` or `catalog.schema.name`.
    fn qualified(&self, names: &mut [Node]) {
        match names {
            [schema, _] | [_, schema, _] => self.string_node(schema),
            _ => {}
        }
    }

    /// `schema.table.name` or `catalog.schema.table.name`; `table.name` has no schema.
    fn sub_qualified(&self, names: &mut [Node]) {
        match names {
            [schema, _, _] | [_, schema, _, _] => self.string_node(schema),
            _ => {}
        }
    }

    fn nodes(&mut self, nodes: &mut [Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn boxed(&mut self, n: &mut Option<Box<Node>>) {
        if let Some(n) = n {
            self.node(n);
        }
    }

    fn range_var(&mut self, r: &mut Option<RangeVar>) {
        if let Some(r) = r {
            self.name(&mut r.schemaname);
        }
    }

    fn type_name(&mut self, t: &mut Option<TypeName>) {
        if let Some(t) = t {
            self.qualified(&mut t.names);
            self.nodes(&mut t.typmods);
            self.nodes(&mut t.array_bounds);
        }
    }

    fn object_with_args(&mut self, o: &mut Option<protobuf::ObjectWithArgs>) {
        if let Some(o) = o {
            self.qualified(&mut o.objname);
            self.nodes(&mut o.objargs);
            self.nodes(&mut o.objfuncargs);
        }
    }

    /// One object of `DROP`, `COMMENT ON`, `GRANT`, `ALTER ... RENAME/SET SCHEMA/OWNER`.
    fn object(&mut self, objtype: i32, n: &mut Node) {
        match (&mut n.node, layout(objtype)) {
            (Some(NodeEnum::List(l)), Layout::TopLevel) => self.qualified(&mut l.items),
            (Some(NodeEnum::List(l)), Layout::SubObject) => self.sub_qualified(&mut l.items),
            (Some(NodeEnum::List(l)), Layout::AfterAccessMethod) => {
                if let [_, schema, _] = l.items.as_mut_slice() {
                    self.string_node(schema);
                }
            }
            (Some(NodeEnum::String(s)), Layout::Schema) => self.name(&mut s.sval),
            _ => self.node(n),
        }
    }

    fn objects(&mut self, objtype: i32, objects: &mut [Node]) {
        for o in objects {
            self.object(objtype, o);
        }
    }

    fn boxed_object(&mut self, objtype: i32, n: &mut Option<Box<Node>>) {
        if let Some(n) = n {
            self.object(objtype, n);
        }
    }

    /// A string literal naming an object: `'tenant.items_id_seq'` as a regclass.
    fn qualified_literal(&self, s: &mut String) {
        let Some(parts) = parse_qualified_string(s) else {
            return;
        };
        let schema_at = match parts.len() {
            2 => 0,
            3 => 1,
            _ => return,
        };
        if parts[schema_at] != self.template {
            return;
        }
        let quoted: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| quote_ident(if i == schema_at { self.target } else { p }))
            .collect();
        *s = quoted.join(".");
    }

    fn literal(n: &mut Node) -> Option<&mut String> {
        match &mut n.node {
            Some(NodeEnum::AConst(protobuf::AConst {
                val: Some(a_const::Val::Sval(s)),
                ..
            })) => Some(&mut s.sval),
            _ => None,
        }
    }

    fn func_call(&mut self, f: &mut protobuf::FuncCall) {
        // nextval('tenant.s'): the argument is cast to regclass implicitly.
        let names: Vec<&str> = f
            .funcname
            .iter()
            .filter_map(|n| match &n.node {
                Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                _ => None,
            })
            .collect();
        let takes_sequence = matches!(
            names.as_slice(),
            ["nextval" | "currval" | "setval"] | ["pg_catalog", "nextval" | "currval" | "setval"]
        );
        if takes_sequence {
            if let Some(s) = f.args.first_mut().and_then(Self::literal) {
                self.qualified_literal(s);
            }
        }
        self.qualified(&mut f.funcname);
        self.nodes(&mut f.args);
        self.nodes(&mut f.agg_order);
        self.boxed(&mut f.agg_filter);
        if let Some(w) = &mut f.over {
            self.window(w);
        }
    }

    fn window(&mut self, w: &mut protobuf::WindowDef) {
        self.nodes(&mut w.partition_clause);
        self.nodes(&mut w.order_clause);
        self.boxed(&mut w.start_offset);
        self.boxed(&mut w.end_offset);
    }

    fn type_cast(&mut self, c: &mut protobuf::TypeCast) {
        let cast_to = c.type_name.as_ref().and_then(|t| match t.names.last() {
            Some(Node {
                node: Some(NodeEnum::String(s)),
            }) => Some(s.sval.clone()),
            _ => None,
        });
        if let Some(arg) = c.arg.as_mut() {
            if let Some(s) = Self::literal(arg) {
                // regtype literals use the type grammar (`tenant.mood[]`), not a dotted
                // name: those are left to the proof.
                match cast_to.as_deref() {
                    Some("regclass" | "regproc") => self.qualified_literal(s),
                    Some("regnamespace")
                        if parse_qualified_string(s).is_some_and(|p| p == [self.template]) =>
                    {
                        *s = quote_ident(self.target);
                    }
                    _ => {}
                }
            }
        }
        self.boxed(&mut c.arg);
        self.type_name(&mut c.type_name);
    }

    fn collate(&mut self, c: &mut Option<Box<protobuf::CollateClause>>) {
        if let Some(c) = c {
            self.boxed(&mut c.arg);
            self.qualified(&mut c.collname);
        }
    }

    fn select(&mut self, s: &mut protobuf::SelectStmt) {
        self.nodes(&mut s.distinct_clause);
        if let Some(into) = &mut s.into_clause {
            self.intake(into);
        }
        self.nodes(&mut s.target_list);
        self.nodes(&mut s.from_clause);
        self.boxed(&mut s.where_clause);
        self.nodes(&mut s.group_clause);
        self.boxed(&mut s.having_clause);
        self.nodes(&mut s.window_clause);
        self.nodes(&mut s.values_lists);
        self.nodes(&mut s.sort_clause);
        self.boxed(&mut s.limit_offset);
        self.boxed(&mut s.limit_count);
        self.nodes(&mut s.locking_clause);
        self.with(&mut s.with_clause);
        if let Some(l) = &mut s.larg {
            self.select(l);
        }
        if let Some(r) = &mut s.rarg {
            self.select(r);
        }
    }

    fn with(&mut self, w: &mut Option<protobuf::WithClause>) {
        if let Some(w) = w {
            self.nodes(&mut w.ctes);
        }
    }

    fn returning(&mut self, r: &mut Option<protobuf::ReturningClause>) {
        if let Some(r) = r {
            self.nodes(&mut r.exprs);
        }
    }

    /// `CREATE TABLE ... AS` / `SELECT ... INTO`: the table created.
    fn intake(&mut self, i: &mut protobuf::IntoClause) {
        self.range_var(&mut i.rel);
        self.nodes(&mut i.options);
    }

    fn bound(&mut self, b: &mut Option<protobuf::PartitionBoundSpec>) {
        if let Some(b) = b {
            self.nodes(&mut b.listdatums);
            self.nodes(&mut b.lowerdatums);
            self.nodes(&mut b.upperdatums);
        }
    }

    fn create_stmt(&mut self, c: &mut protobuf::CreateStmt) {
        self.range_var(&mut c.relation);
        self.nodes(&mut c.table_elts);
        self.nodes(&mut c.inh_relations);
        self.bound(&mut c.partbound);
        if let Some(p) = &mut c.partspec {
            self.nodes(&mut p.part_params);
        }
        self.type_name(&mut c.of_typename);
        self.nodes(&mut c.constraints);
        self.nodes(&mut c.nnconstraints);
        self.nodes(&mut c.options);
    }

    fn def_elem(&mut self, d: &mut protobuf::DefElem) {
        match (d.defname.as_str(), d.arg.as_deref_mut()) {
            // OWNED BY tenant.items.id (table.column has no schema).
            (
                "owned_by",
                Some(Node {
                    node: Some(NodeEnum::List(l)),
                }),
            ) => self.sub_qualified(&mut l.items),
            // GENERATED ... AS IDENTITY (SEQUENCE NAME tenant.items_id_seq).
            (
                "sequence_name",
                Some(Node {
                    node: Some(NodeEnum::List(l)),
                }),
            ) => self.qualified(&mut l.items),
            _ => self.boxed(&mut d.arg),
        }
    }

    fn create_function(&mut self, f: &mut protobuf::CreateFunctionStmt) {
        self.qualified(&mut f.funcname);
        self.nodes(&mut f.parameters);
        self.type_name(&mut f.return_type);
        // BEGIN ATOMIC ... END and RETURN bodies are parse trees already.
        self.boxed(&mut f.sql_body);
        let language = option_string(&f.options, "language");
        let what = if f.is_procedure {
            "procedure body"
        } else {
            "function body"
        };
        for option in &mut f.options {
            match &mut option.node {
                Some(NodeEnum::DefElem(d)) if d.defname == "as" => {
                    if let Some(body) = d.arg.as_deref_mut() {
                        self.body(what, language.as_deref(), body);
                    }
                }
                _ => self.node(option),
            }
        }
    }

    fn do_stmt(&mut self, d: &mut protobuf::DoStmt) {
        let language = option_string(&d.args, "language").unwrap_or_else(|| "plpgsql".into());
        for arg in &mut d.args {
            if let Some(NodeEnum::DefElem(e)) = &mut arg.node {
                if e.defname == "as" {
                    if let Some(body) = e.arg.as_deref_mut() {
                        self.body("DO block", Some(&language), body);
                    }
                }
            }
        }
    }

    /// A function or DO body (a String node, or a List of them: `AS 'obj', 'symbol'`).
    /// SQL bodies are parsed and rewritten; other languages' bodies are opaque text
    /// that may build SQL at run time, so one naming the template is refused.
    fn body(&mut self, what: &str, language: Option<&str>, body: &mut Node) {
        let texts: Vec<&mut String> = match &mut body.node {
            Some(NodeEnum::String(s)) => vec![&mut s.sval],
            Some(NodeEnum::List(l)) => l
                .items
                .iter_mut()
                .filter_map(|n| match &mut n.node {
                    Some(NodeEnum::String(s)) => Some(&mut s.sval),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let (template, target) = (self.template, self.target);
        for text in texts {
            if occurrences(text, template).is_empty() {
                continue;
            }
            let reason = match language {
                Some(l) if l.eq_ignore_ascii_case("sql") => {
                    match rewrite_sql_body(text, template, target) {
                        Ok(new) => {
                            *text = new;
                            continue;
                        }
                        Err(e) => e,
                    }
                }
                Some(l) => format!(
                    "{what} in LANGUAGE {l} names schema {template} (dynamic SQL cannot \
                     be rewritten per tenant): use unqualified names and SET search_path = \
                     {template} on the {}",
                    if what == "DO block" {
                        "session before it"
                    } else {
                        "function"
                    }
                ),
                None => format!(
                    "{what} without a LANGUAGE names schema {template}: its language \
                     is unknown, so the body cannot be rewritten"
                ),
            };
            self.refused.get_or_insert(reason);
        }
    }

    fn grant(&mut self, g: &mut protobuf::GrantStmt) {
        if g.targtype == GrantTargetType::AclTargetAllInSchema as i32 {
            // GRANT ... ON ALL TABLES IN SCHEMA tenant: the objects are schema names.
            for o in &mut g.objects {
                self.string_node(o);
            }
        } else {
            self.objects(g.objtype, &mut g.objects);
        }
    }

    fn node(&mut self, n: &mut Node) {
        use NodeEnum as N;
        let Some(e) = &mut n.node else {
            return;
        };
        match e {
            N::RangeVar(r) => self.name(&mut r.schemaname),
            N::TypeName(t) => {
                self.qualified(&mut t.names);
                self.nodes(&mut t.typmods);
                self.nodes(&mut t.array_bounds);
            }
            // tenant.items.id; items.id and alias.id have no schema (left to the proof).
            N::ColumnRef(c) => self.sub_qualified(&mut c.fields),
            N::FuncCall(f) => self.func_call(f),
            N::ObjectWithArgs(o) => {
                self.qualified(&mut o.objname);
                self.nodes(&mut o.objargs);
                self.nodes(&mut o.objfuncargs);
            }
            // OPERATOR(tenant.+)
            N::AExpr(a) => {
                self.qualified(&mut a.name);
                self.boxed(&mut a.lexpr);
                self.boxed(&mut a.rexpr);
            }
            N::TypeCast(c) => self.type_cast(c),
            N::CollateClause(c) => {
                self.boxed(&mut c.arg);
                self.qualified(&mut c.collname);
            }
            N::List(l) => self.nodes(&mut l.items),
            N::ResTarget(r) => {
                self.nodes(&mut r.indirection);
                self.boxed(&mut r.val);
            }
            N::MultiAssignRef(m) => self.boxed(&mut m.source),
            N::SelectStmt(s) => self.select(s),
            N::SetOperationStmt(s) => {
                self.boxed(&mut s.larg);
                self.boxed(&mut s.rarg);
            }
            N::JoinExpr(j) => {
                self.boxed(&mut j.larg);
                self.boxed(&mut j.rarg);
                self.boxed(&mut j.quals);
            }
            N::RangeSubselect(r) => self.boxed(&mut r.subquery),
            N::RangeFunction(r) => {
                self.nodes(&mut r.functions);
                self.nodes(&mut r.coldeflist);
            }
            N::RangeTableSample(r) => {
                self.boxed(&mut r.relation);
                self.qualified(&mut r.method);
                self.nodes(&mut r.args);
                self.boxed(&mut r.repeatable);
            }
            N::SubLink(s) => {
                self.boxed(&mut s.testexpr);
                self.qualified(&mut s.oper_name);
                self.boxed(&mut s.subselect);
            }
            N::BoolExpr(b) => self.nodes(&mut b.args),
            N::NullTest(t) => self.boxed(&mut t.arg),
            N::BooleanTest(t) => self.boxed(&mut t.arg),
            N::CaseExpr(c) => {
                self.boxed(&mut c.arg);
                self.nodes(&mut c.args);
                self.boxed(&mut c.defresult);
            }
            N::CaseWhen(w) => {
                self.boxed(&mut w.expr);
                self.boxed(&mut w.result);
            }
            N::CoalesceExpr(c) => self.nodes(&mut c.args),
            N::MinMaxExpr(m) => self.nodes(&mut m.args),
            N::AArrayExpr(a) => self.nodes(&mut a.elements),
            N::RowExpr(r) => self.nodes(&mut r.args),
            N::AIndirection(a) => {
                self.boxed(&mut a.arg);
                self.nodes(&mut a.indirection);
            }
            N::AIndices(a) => {
                self.boxed(&mut a.lidx);
                self.boxed(&mut a.uidx);
            }
            N::NamedArgExpr(a) => self.boxed(&mut a.arg),
            N::SortBy(s) => {
                self.boxed(&mut s.node);
                self.qualified(&mut s.use_op);
            }
            N::WindowDef(w) => self.window(w),
            N::GroupingSet(g) => self.nodes(&mut g.content),
            N::WithClause(w) => self.nodes(&mut w.ctes),
            N::CommonTableExpr(c) => self.boxed(&mut c.ctequery),
            N::LockingClause(l) => self.nodes(&mut l.locked_rels),
            N::ReturningClause(r) => self.nodes(&mut r.exprs),
            N::ColumnDef(c) => {
                self.type_name(&mut c.type_name);
                self.boxed(&mut c.raw_default);
                self.range_var(&mut c.identity_sequence);
                self.collate(&mut c.coll_clause);
                self.nodes(&mut c.constraints);
            }
            N::Constraint(c) => {
                self.boxed(&mut c.raw_expr);
                self.nodes(&mut c.exclusions);
                self.nodes(&mut c.options);
                self.boxed(&mut c.where_clause);
                self.range_var(&mut c.pktable);
            }
            N::TableLikeClause(t) => self.range_var(&mut t.relation),
            N::IndexElem(i) => {
                self.boxed(&mut i.expr);
                self.qualified(&mut i.collation);
                self.qualified(&mut i.opclass);
                self.nodes(&mut i.opclassopts);
            }
            N::DefElem(d) => self.def_elem(d),
            N::PartitionSpec(p) => self.nodes(&mut p.part_params),
            N::PartitionElem(p) => {
                self.boxed(&mut p.expr);
                self.qualified(&mut p.collation);
                self.qualified(&mut p.opclass);
            }
            N::PartitionBoundSpec(b) => {
                self.nodes(&mut b.listdatums);
                self.nodes(&mut b.lowerdatums);
                self.nodes(&mut b.upperdatums);
            }
            N::PartitionRangeDatum(p) => self.boxed(&mut p.value),
            N::PartitionCmd(p) => {
                self.range_var(&mut p.name);
                self.bound(&mut p.bound);
            }
            N::StatsElem(s) => self.boxed(&mut s.expr),
            N::FunctionParameter(p) => {
                self.type_name(&mut p.arg_type);
                self.boxed(&mut p.defexpr);
            }
            N::ReturnStmt(r) => self.boxed(&mut r.returnval),
            N::InsertStmt(i) => {
                self.range_var(&mut i.relation);
                self.nodes(&mut i.cols);
                self.boxed(&mut i.select_stmt);
                if let Some(c) = &mut i.on_conflict_clause {
                    if let Some(infer) = &mut c.infer {
                        self.nodes(&mut infer.index_elems);
                        self.boxed(&mut infer.where_clause);
                    }
                    self.nodes(&mut c.target_list);
                    self.boxed(&mut c.where_clause);
                }
                self.returning(&mut i.returning_clause);
                self.with(&mut i.with_clause);
            }
            N::UpdateStmt(u) => {
                self.range_var(&mut u.relation);
                self.nodes(&mut u.target_list);
                self.boxed(&mut u.where_clause);
                self.nodes(&mut u.from_clause);
                self.returning(&mut u.returning_clause);
                self.with(&mut u.with_clause);
            }
            N::DeleteStmt(d) => {
                self.range_var(&mut d.relation);
                self.nodes(&mut d.using_clause);
                self.boxed(&mut d.where_clause);
                self.returning(&mut d.returning_clause);
                self.with(&mut d.with_clause);
            }
            N::MergeStmt(m) => {
                self.range_var(&mut m.relation);
                self.boxed(&mut m.source_relation);
                self.boxed(&mut m.join_condition);
                self.nodes(&mut m.merge_when_clauses);
                self.returning(&mut m.returning_clause);
                self.with(&mut m.with_clause);
            }
            N::MergeWhenClause(m) => {
                self.boxed(&mut m.condition);
                self.nodes(&mut m.target_list);
                self.nodes(&mut m.values);
            }
            N::CreateStmt(c) => self.create_stmt(c),
            N::CreateForeignTableStmt(c) => {
                if let Some(base) = &mut c.base_stmt {
                    self.create_stmt(base);
                }
                self.nodes(&mut c.options);
            }
            N::CreateTableAsStmt(c) => {
                self.boxed(&mut c.query);
                if let Some(into) = &mut c.into {
                    self.intake(into);
                }
            }
            N::IntoClause(i) => self.intake(i),
            N::ViewStmt(v) => {
                self.range_var(&mut v.view);
                self.boxed(&mut v.query);
                self.nodes(&mut v.options);
            }
            N::IndexStmt(i) => {
                self.range_var(&mut i.relation);
                self.nodes(&mut i.index_params);
                self.nodes(&mut i.index_including_params);
                self.nodes(&mut i.options);
                self.boxed(&mut i.where_clause);
            }
            N::AlterTableStmt(a) => {
                self.range_var(&mut a.relation);
                self.nodes(&mut a.cmds);
            }
            N::AlterTableCmd(c) => self.boxed(&mut c.def),
            N::CreateSeqStmt(s) => {
                self.range_var(&mut s.sequence);
                self.nodes(&mut s.options);
            }
            N::AlterSeqStmt(s) => {
                self.range_var(&mut s.sequence);
                self.nodes(&mut s.options);
            }
            N::CreateTrigStmt(t) => {
                self.range_var(&mut t.relation);
                self.qualified(&mut t.funcname);
                self.boxed(&mut t.when_clause);
                self.range_var(&mut t.constrrel);
            }
            N::CreatePolicyStmt(p) => {
                self.range_var(&mut p.table);
                self.boxed(&mut p.qual);
                self.boxed(&mut p.with_check);
            }
            N::AlterPolicyStmt(p) => {
                self.range_var(&mut p.table);
                self.boxed(&mut p.qual);
                self.boxed(&mut p.with_check);
            }
            N::RuleStmt(r) => {
                self.range_var(&mut r.relation);
                self.boxed(&mut r.where_clause);
                self.nodes(&mut r.actions);
            }
            N::CreateFunctionStmt(f) => self.create_function(f),
            N::AlterFunctionStmt(f) => {
                self.object_with_args(&mut f.func);
                self.nodes(&mut f.actions);
            }
            N::DoStmt(d) => self.do_stmt(d),
            N::CallStmt(c) => {
                if let Some(f) = &mut c.funccall {
                    self.func_call(f);
                }
            }
            N::DefineStmt(d) => {
                self.qualified(&mut d.defnames);
                self.nodes(&mut d.args);
                self.nodes(&mut d.definition);
            }
            N::CreateEnumStmt(e) => self.qualified(&mut e.type_name),
            N::AlterEnumStmt(e) => self.qualified(&mut e.type_name),
            N::CreateRangeStmt(r) => {
                self.qualified(&mut r.type_name);
                self.nodes(&mut r.params);
            }
            N::AlterTypeStmt(t) => {
                self.qualified(&mut t.type_name);
                self.nodes(&mut t.options);
            }
            N::CompositeTypeStmt(c) => {
                self.range_var(&mut c.typevar);
                self.nodes(&mut c.coldeflist);
            }
            N::CreateDomainStmt(d) => {
                self.qualified(&mut d.domainname);
                self.type_name(&mut d.type_name);
                self.collate(&mut d.coll_clause);
                self.nodes(&mut d.constraints);
            }
            N::AlterDomainStmt(d) => {
                self.qualified(&mut d.type_name);
                self.boxed(&mut d.def);
            }
            N::CreateStatsStmt(s) => {
                self.qualified(&mut s.defnames);
                self.nodes(&mut s.exprs);
                self.nodes(&mut s.relations);
            }
            N::AlterStatsStmt(s) => self.qualified(&mut s.defnames),
            N::AlterCollationStmt(c) => self.qualified(&mut c.collname),
            N::CreateCastStmt(c) => {
                self.type_name(&mut c.sourcetype);
                self.type_name(&mut c.targettype);
                self.object_with_args(&mut c.func);
            }
            N::DropStmt(d) => self.objects(d.remove_type, &mut d.objects),
            N::CommentStmt(c) => self.boxed_object(c.objtype, &mut c.object),
            N::SecLabelStmt(s) => self.boxed_object(s.objtype, &mut s.object),
            N::RenameStmt(r) => {
                self.range_var(&mut r.relation);
                self.boxed_object(r.rename_type, &mut r.object);
            }
            N::AlterObjectSchemaStmt(a) => {
                self.range_var(&mut a.relation);
                self.boxed_object(a.object_type, &mut a.object);
                self.name(&mut a.newschema);
            }
            N::AlterOwnerStmt(a) => {
                self.range_var(&mut a.relation);
                self.boxed_object(a.object_type, &mut a.object);
            }
            N::AlterObjectDependsStmt(a) => {
                self.range_var(&mut a.relation);
                self.boxed_object(a.object_type, &mut a.object);
            }
            N::GrantStmt(g) => self.grant(g),
            N::AlterDefaultPrivilegesStmt(a) => {
                for option in &mut a.options {
                    if let Some(N::DefElem(d)) = &mut option.node {
                        // IN SCHEMA tenant
                        if let (
                            "schemas",
                            Some(Node {
                                node: Some(N::List(l)),
                            }),
                        ) = (d.defname.as_str(), d.arg.as_deref_mut())
                        {
                            for schema in &mut l.items {
                                self.string_node(schema);
                            }
                        }
                    }
                }
                if let Some(g) = &mut a.action {
                    self.grant(g);
                }
            }
            // SET search_path = tenant, public (also a function's SET option).
            N::VariableSetStmt(v) if v.name == "search_path" => {
                for arg in &mut v.args {
                    if let Some(s) = Self::literal(arg) {
                        self.name(s);
                    }
                }
            }
            N::CreateSchemaStmt(s) => {
                self.name(&mut s.schemaname);
                self.nodes(&mut s.schema_elts);
            }
            N::TruncateStmt(t) => self.nodes(&mut t.relations),
            N::LockStmt(l) => self.nodes(&mut l.relations),
            N::VacuumStmt(v) => self.nodes(&mut v.rels),
            N::VacuumRelation(v) => self.range_var(&mut v.relation),
            N::ClusterStmt(c) => self.range_var(&mut c.relation),
            N::ReindexStmt(r) => self.range_var(&mut r.relation),
            N::RefreshMatViewStmt(r) => self.range_var(&mut r.relation),
            N::ExplainStmt(e) => self.boxed(&mut e.query),
            N::CopyStmt(c) => {
                self.range_var(&mut c.relation);
                self.boxed(&mut c.query);
                self.boxed(&mut c.where_clause);
            }
            // Everything else holds no schema the walk knows how to place; anything
            // naming the template there is refused by the proof.
            _ => {}
        }
    }
}

/// The string value of option `name` in a list of `DefElem`s (`LANGUAGE plpgsql`).
fn option_string(options: &[Node], name: &str) -> Option<String> {
    options.iter().find_map(|o| match &o.node {
        Some(NodeEnum::DefElem(d)) if d.defname == name => match d.arg.as_deref() {
            Some(Node {
                node: Some(NodeEnum::String(s)),
            }) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rewrite for `tenant_42`, which must succeed.
    #[track_caller]
    fn ok(sql: &str) -> String {
        ok_for(sql, "tenant_42")
    }

    #[track_caller]
    fn ok_for(sql: &str, target: &str) -> String {
        match rewrite(sql, "tenant", target) {
            Ok(out) => out,
            Err(e) => panic!("refused {sql}: {e}"),
        }
    }

    /// The refusal, which must happen.
    #[track_caller]
    fn refused(sql: &str) -> String {
        match rewrite(sql, "tenant", "tenant_42") {
            Ok(out) => panic!("rewrote {sql} into {out}"),
            Err(e) => e,
        }
    }

    /// The parse tree of `sql` as JSON.
    fn tree(sql: &str) -> Value {
        serde_json::to_value(pg_query::parse(sql, 0).unwrap().protobuf).unwrap()
    }

    /// Every value of field `key` anywhere in `json`.
    fn all<'v>(json: &'v Value, key: &str) -> Vec<&'v Value> {
        let mut out = Vec::new();
        fn go<'v>(v: &'v Value, key: &str, out: &mut Vec<&'v Value>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        if k == key {
                            out.push(x);
                        }
                        go(x, key, out);
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| go(x, key, out)),
                _ => {}
            }
        }
        go(json, key, &mut out);
        out
    }

    /// The names of every `RangeVar` of `sql`, as `schema.relation`.
    fn relations(sql: &str) -> Vec<String> {
        all(&tree(sql), "RangeVar")
            .into_iter()
            .chain(all(&tree(sql), "relation"))
            .chain(all(&tree(sql), "pktable"))
            .chain(all(&tree(sql), "view"))
            .chain(all(&tree(sql), "table"))
            .chain(all(&tree(sql), "sequence"))
            .filter_map(|r| {
                let schema = r.get("schemaname")?.as_str()?;
                let name = r.get("relname")?.as_str()?;
                Some(format!("{schema}.{name}"))
            })
            .collect()
    }

    /// The dotted names in field `key` (lists of `String` nodes) of `sql`.
    fn names(sql: &str, key: &str) -> Vec<String> {
        all(&tree(sql), key)
            .into_iter()
            .filter_map(Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .filter_map(|p| p.pointer("/node/String/sval")?.as_str())
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect()
    }

    /// The string constants of `sql`.
    fn constants(sql: &str) -> Vec<String> {
        all(&tree(sql), "Sval")
            .into_iter()
            .filter_map(|s| Some(s.get("sval")?.as_str()?.to_string()))
            .collect()
    }

    #[test]
    fn create_table_with_serial_identity_regclass_default_fk_check_and_enum() {
        let out = ok("-- items\ncreate table tenant.items (\
                id serial primary key, \
                n bigint generated always as identity (sequence name tenant.items_n_seq), \
                m bigint default nextval('tenant.items_m_seq'::regclass), \
                k bigint default nextval('tenant.items_k_seq'), \
                mood tenant.mood not null, \
                parent int references tenant.items(id), \
                check (m > 0 and mood <> 'sad'::tenant.mood));");
        let mut rels = relations(&out);
        rels.sort();
        assert_eq!(rels, ["tenant_42.items", "tenant_42.items"]);
        assert!(names(&out, "names").contains(&"tenant_42.mood".to_string()));
        assert!(!names(&out, "names")
            .iter()
            .any(|n| n.starts_with("tenant.")));
        let consts = constants(&out);
        assert!(
            consts.contains(&"tenant_42.items_m_seq".to_string()),
            "{consts:?}"
        );
        assert!(
            consts.contains(&"tenant_42.items_k_seq".to_string()),
            "{consts:?}"
        );
        let seq_name = all(&tree(&out), "DefElem")
            .into_iter()
            .find(|d| d["defname"] == "sequence_name")
            .expect("sequence_name")
            .clone();
        let parts: Vec<&str> = seq_name["arg"]["node"]["List"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["node"]["String"]["sval"].as_str().unwrap())
            .collect();
        assert_eq!(parts, ["tenant_42", "items_n_seq"]);
    }

    #[test]
    fn reference_to_a_table_named_like_the_template_stays() {
        let out = ok("create table tenant.x (id int references public.tenant(id))");
        let mut rels = relations(&out);
        rels.sort();
        assert_eq!(rels, ["public.tenant", "tenant_42.x"]);
    }

    #[test]
    fn indexes() {
        let out = ok(
            "CREATE INDEX CONCURRENTLY items_tags ON tenant.items USING gin (tags) \
                      WHERE deleted_at IS NULL AND mood = 'ok'::tenant.mood",
        );
        assert_eq!(relations(&out), ["tenant_42.items"]);
        assert!(out.contains("CONCURRENTLY") && out.contains("USING gin"));
        assert_eq!(names(&out, "names").last().unwrap(), "tenant_42.mood");
        assert_eq!(
            ok("drop index concurrently tenant.items_tags"),
            "DROP INDEX CONCURRENTLY tenant_42.items_tags"
        );
    }

    #[test]
    fn alter_table() {
        for sql in [
            "alter table tenant.items add column owner_id int references tenant.owners(id)",
            "alter table tenant.items add constraint items_n check (n > 0) not valid",
            "alter table tenant.items validate constraint items_n",
            "alter table tenant.items alter column mood type tenant.mood using mood::text::tenant.mood",
            "alter table tenant.items rename to things",
        ] {
            let out = ok(sql);
            assert!(relations(&out).iter().all(|r| r.starts_with("tenant_42.")), "{out}");
            assert!(!names(&out, "names").iter().any(|n| n.starts_with("tenant.")), "{out}");
        }
        assert_eq!(
            ok("alter table tenant.items rename to things"),
            "ALTER TABLE tenant_42.items RENAME TO things"
        );
        assert!(
            ok("alter table tenant.items add constraint items_n check (n > 0) not valid")
                .ends_with("NOT VALID")
        );
    }

    #[test]
    fn drops_by_object_type() {
        for (sql, expected) in [
            (
                "drop table tenant.items, tenant.owners cascade",
                "DROP TABLE tenant_42.items, tenant_42.owners CASCADE",
            ),
            (
                "drop type if exists tenant.mood",
                "DROP TYPE IF EXISTS tenant_42.mood",
            ),
            (
                "drop function tenant.f(int, tenant.mood)",
                "DROP FUNCTION tenant_42.f(int, tenant_42.mood)",
            ),
            (
                "drop trigger t on tenant.items",
                "DROP TRIGGER t ON tenant_42.items",
            ),
            ("drop schema tenant", "DROP SCHEMA tenant_42"),
        ] {
            assert_eq!(ok(sql), expected);
        }
    }

    #[test]
    fn comments_rewrite_the_object_and_keep_the_text() {
        assert_eq!(
            ok("comment on table tenant.items is 'one row per tenant'"),
            "COMMENT ON TABLE tenant_42.items IS 'one row per tenant'"
        );
        let out = ok("comment on column tenant.items.n is 'the tenant''s count'");
        assert_eq!(names(&out, "items"), ["tenant_42.items.n"]);
        assert!(out.ends_with("IS 'the tenant''s count'"));
        // Two parts: table.column, no schema.
        assert_eq!(
            rewrite("comment on column items.n is 'x'", "tenant", "tenant_42").unwrap(),
            "comment on column items.n is 'x'"
        );
        // A table named tenant in a two-part column name is not the schema.
        refused("comment on column tenant.n is 'x'");
        assert_eq!(
            ok("comment on schema tenant is 'template'"),
            "COMMENT ON SCHEMA tenant_42 IS 'template'"
        );
    }

    #[test]
    fn sequences() {
        let out = ok("alter sequence tenant.s owned by tenant.t.id");
        assert_eq!(relations(&out), ["tenant_42.s"]);
        assert_eq!(names(&out, "items"), ["tenant_42.t.id"]);
        assert_eq!(
            ok("create sequence tenant.s owned by tenant.t.id"),
            "CREATE SEQUENCE tenant_42.s OWNED BY tenant_42.t.id"
        );
        assert_eq!(
            ok("select setval('tenant.s', 10)"),
            "SELECT setval('tenant_42.s', 10)"
        );
    }

    #[test]
    fn views_and_data_migrations() {
        let out = ok("create view tenant.v as select a.id, b.name, tenant.a.n \
                      from tenant.a join tenant.b on a.id = b.a_id \
                      where exists (select 1 from tenant.c where c.id = a.id)");
        let mut rels = relations(&out);
        rels.sort();
        assert_eq!(
            rels,
            ["tenant_42.a", "tenant_42.b", "tenant_42.c", "tenant_42.v"]
        );
        assert!(names(&out, "fields").contains(&"tenant_42.a.n".to_string()));

        let out = ok(
            "insert into tenant.a (id, n) select id, count(*) from tenant.b group by id \
                      on conflict (id) do update set n = excluded.n",
        );
        let mut rels = relations(&out);
        rels.sort();
        assert_eq!(rels, ["tenant_42.a", "tenant_42.b"]);
        let out = ok("update tenant.a set n = b.n from tenant.b where a.id = b.id");
        assert_eq!(relations(&out).len(), 2);
        assert!(relations(&out).iter().all(|r| r.starts_with("tenant_42.")));
        assert_eq!(
            ok("delete from tenant.a where id in (select id from tenant.b)"),
            "DELETE FROM tenant_42.a WHERE id IN (SELECT id FROM tenant_42.b)"
        );
    }

    #[test]
    fn sql_function_bodies_are_rewritten() {
        let out = ok(
            "create function tenant.f() returns bigint language sql stable \
                      as $$ select count(*) from tenant.items $$",
        );
        assert_eq!(names(&out, "funcname"), ["tenant_42.f"]);
        let body = all(&tree(&out), "DefElem")
            .into_iter()
            .find(|d| d["defname"] == "as")
            .and_then(|d| d.pointer("/arg/node/List/items/0/node/String/sval"))
            .and_then(Value::as_str)
            .unwrap()
            .to_string();
        assert_eq!(relations(&body), ["tenant_42.items"]);

        let out = ok(
            "create function tenant.g(p tenant.mood) returns bigint language sql \
                      begin atomic select count(*) from tenant.items where mood = p; end",
        );
        assert_eq!(relations(&out), ["tenant_42.items"]);
        assert!(names(&out, "names").contains(&"tenant_42.mood".to_string()));
        let out = ok("create function tenant.h() returns int language sql return (select max(n) from tenant.items)");
        assert_eq!(relations(&out), ["tenant_42.items"]);
    }

    #[test]
    fn plpgsql_with_search_path_passes_and_qualified_bodies_are_refused() {
        let out = ok("create or replace function tenant.touch() returns trigger \
                      language plpgsql set search_path = tenant, public \
                      as $$ begin new.updated_at := now(); insert into audit default values; return new; end $$");
        assert_eq!(names(&out, "funcname"), ["tenant_42.touch"]);
        let set = all(&tree(&out), "VariableSetStmt")[0].clone();
        assert_eq!(set["name"], "search_path");
        let args: Vec<&str> = set["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                a.pointer("/node/AConst/val/Sval/sval")
                    .unwrap()
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(args, ["tenant_42", "public"]);

        let e = refused(
            "create function tenant.h() returns trigger language plpgsql as \
                         $$ begin insert into tenant.items default values; return new; end $$",
        );
        assert_eq!(
            e,
            "function body in LANGUAGE plpgsql names schema tenant (dynamic SQL cannot be \
             rewritten per tenant): use unqualified names and SET search_path = tenant on \
             the function"
        );
        let e =
            refused("do $$ begin execute 'set search_path = ' || quote_ident('tenant'); end $$");
        assert!(
            e.starts_with("DO block in LANGUAGE plpgsql names schema tenant"),
            "{e}"
        );
        // A DO block that does not name the template is left alone.
        let sql = "do $$ begin perform 1; end $$";
        assert_eq!(rewrite(sql, "tenant", "tenant_42").unwrap(), sql);
    }

    #[test]
    fn triggers_policies_grants() {
        assert_eq!(
            ok("create trigger touch before update on tenant.items for each row execute function tenant.touch()"),
            "CREATE TRIGGER touch BEFORE UPDATE ON tenant_42.items FOR EACH ROW EXECUTE FUNCTION tenant_42.touch()"
        );
        let out = ok("create policy own on tenant.items using (owner_id = (select id from tenant.owners where name = current_user))");
        let mut rels = relations(&out);
        rels.sort();
        assert_eq!(rels, ["tenant_42.items", "tenant_42.owners"]);
        assert_eq!(
            ok("grant select, insert on tenant.items to app"),
            "GRANT select, insert ON tenant_42.items TO app"
        );
        assert_eq!(
            ok("grant usage on schema tenant to app"),
            "GRANT usage ON SCHEMA tenant_42 TO app"
        );
        assert_eq!(
            ok("grant select on all tables in schema tenant to app"),
            "GRANT select ON ALL TABLES IN SCHEMA tenant_42 TO app"
        );
        assert_eq!(
            ok("alter default privileges in schema tenant grant select on tables to app"),
            "ALTER DEFAULT PRIVILEGES IN SCHEMA tenant_42 GRANT select ON TABLES TO app"
        );
        assert_eq!(
            ok("grant execute on function tenant.f() to app"),
            "GRANT execute ON FUNCTION tenant_42.f() TO app"
        );
    }

    #[test]
    fn types() {
        assert_eq!(
            ok("alter type tenant.mood add value 'meh' after 'ok'"),
            "ALTER TYPE tenant_42.mood ADD VALUE 'meh' AFTER 'ok'"
        );
        assert_eq!(
            ok("create type tenant.mood as enum ('sad', 'ok')"),
            "CREATE TYPE tenant_42.mood AS ENUM ('sad', 'ok')"
        );
        assert_eq!(
            ok("create domain tenant.pos as int check (value > 0)"),
            "CREATE DOMAIN tenant_42.pos AS int CHECK (value > 0)"
        );
        assert_eq!(
            ok("create type tenant.pair as (a int, b tenant.pos)"),
            "CREATE TYPE tenant_42.pair AS (a int, b tenant_42.pos)"
        );
        assert_eq!(
            ok("alter table tenant.items set schema tenant"),
            "ALTER TABLE tenant_42.items SET SCHEMA tenant_42"
        );
    }

    #[test]
    fn statements_not_naming_the_template_come_back_byte_identical() {
        for sql in [
            "SET lock_timeout = '5s'",
            "select  1 ;  -- trailing",
            "create table public.items (id int)",
            "-- note\ncreate table Tenants.items (id int);",
            "create table public.t (note text default 'multi-tenant app')",
            "create table public.tenant (id int)",
            "create table \"Tenant\".x (id int)",
        ] {
            assert_eq!(rewrite(sql, "tenant", "tenant_42").unwrap(), sql);
        }
    }

    #[test]
    fn names_like_the_template_outside_schema_positions_are_refused() {
        // A column named tenant, qualified by its table.
        let e = refused("create view tenant.v as select items.tenant from tenant.items");
        assert!(e.starts_with("the name tenant in a ColumnRef"), "{e}");
        // A table alias named tenant.
        let e = refused("select 1 from tenant.items tenant");
        assert_eq!(
            e,
            "the name tenant in a table alias is not a schema position the rewrite can prove \
             (a table, column or alias named like the template schema?)"
        );
        refused("select tenant.id from tenant.items tenant");
        // tenant.id: a table or alias named tenant, or the schema? Two parts is table.column.
        refused("create view tenant.v as select tenant.id from public.tenant");
        // A string naming tenant.something that is not a regclass.
        let e = refused("select to_regclass('tenant.items')");
        assert!(e.contains("names tenant."), "{e}");
        refused("select 'tenant.mood[]'::regtype");
        // A function body in a language whose text cannot be read.
        refused("create function tenant.f() returns int as 'select 1 from tenant.t'");
        // More than one statement.
        refused("create table tenant.a (id int); create table tenant.b (id int)");
    }

    #[test]
    fn quoted_targets_are_quoted() {
        let out = ok_for(
            "create table tenant.items (id int default nextval('tenant.items_id_seq'::regclass))",
            "Tenant A",
        );
        assert_eq!(relations(&out), ["Tenant A.items"]);
        assert!(constants(&out).contains(&"\"Tenant A\".items_id_seq".to_string()));
        let out = ok_for("set search_path = tenant", "Tenant A");
        assert_eq!(constants(&out), ["Tenant A"]);
        // A regclass literal whose name needs quotes keeps them.
        let out = ok("select nextval('tenant.\"Items_seq\"'::regclass)");
        assert_eq!(constants(&out), ["tenant_42.\"Items_seq\""]);
    }

    #[test]
    fn object_name_literals() {
        assert_eq!(
            ok("select 'tenant'::regnamespace, 'tenant.f'::regproc"),
            "SELECT 'tenant_42'::regnamespace, 'tenant_42.f'::regproc"
        );
    }

    #[test]
    fn a_template_that_needs_quotes() {
        let out = rewrite(
            "create table \"Tenant A\".items (id int)",
            "Tenant A",
            "t_1",
        )
        .unwrap();
        assert_eq!(out, "CREATE TABLE t_1.items (id int)");
        let out = rewrite(
            "select nextval('\"Tenant A\".s'::regclass)",
            "Tenant A",
            "t_1",
        )
        .unwrap();
        assert_eq!(constants(&out), ["t_1.s"]);
    }

    #[test]
    fn word_bounds() {
        assert_eq!(occurrences("tenant.items", "tenant"), [6]);
        assert!(occurrences("tenants.items", "tenant").is_empty());
        assert!(occurrences("my_tenant", "tenant").is_empty());
        assert!(names_schema("FROM \"TENANT\" . items", "tenant"));
        assert!(!names_schema("per tenant", "tenant"));
    }
}
