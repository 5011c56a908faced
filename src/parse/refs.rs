//! References: the objects a parsed statement names, found by walking its parse tree.
//!
//! Input: pg_query protobuf nodes and the statement's `search_path`. Output: a set of
//! [`ObjRef`]s. Does no I/O.
//!
//! The walk goes through the protobuf tree's serde representation (every protobuf type
//! of the pg_query crate derives `Serialize`) rather than a hand-written match over the
//! ~270 node types: that way every expression, clause and option is visited, including
//! node types added by later PostgreSQL versions. [`super::walk`] does that without
//! building the tree's JSON, handing over only the nodes below as JSON objects, in
//! which nodes are recognised by their fields:
//!
//! | node | fields | gives |
//! | --- | --- | --- |
//! | `RangeVar` | `relname` + `relpersistence` | a relation |
//! | `TypeName` | `names` + `pct_type` | a type (`t.c%TYPE`: the relation `t`) |
//! | `FuncCall` | `funcname` + `agg_star` | a function; `nextval('seq')`-style calls also the sequence |
//! | `TypeCast` | key `TypeCast` | `'x'::regclass` (and `regtype`, `regproc`, ...) literals |
//! | `ObjectWithArgs` | `objname` + `objargs` | a function |
//! | `CollateClause` | `collname` + `arg` | a collation (not `pg_catalog`'s) |
//! | `AExpr` | `kind` + `name` + `lexpr` | a schema-qualified operator (`OPERATOR(s.===)`) |
//! | `CommonTableExpr` | `ctename` | a name that is not a relation |

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::ObjRef;
use crate::model::QualName;

/// Resolves names the way PostgreSQL does for one statement: qualified names stand,
/// unqualified ones are looked up in the `search_path`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resolver<'a> {
    /// The statement's search_path.
    pub search_path: &'a [String],
}

impl Resolver<'_> {
    /// Schemas an unqualified name is looked up in. `$user`, `pg_temp` and `pg_catalog`
    /// are left out: nothing in a schema file creates objects there (`$user` would be
    /// the connecting role's schema, which a schema file cannot know).
    fn schemas(&self) -> impl Iterator<Item = &str> {
        self.search_path
            .iter()
            .map(String::as_str)
            .filter(|s| !matches!(*s, "$user" | "pg_temp" | "pg_catalog" | ""))
    }

    /// Where `CREATE ... name` puts an object: its schema when qualified, else the
    /// first schema of the search_path (`public` when there is none; PostgreSQL would
    /// refuse, and the dev database reports that).
    pub fn create(&self, schema: &str, name: &str) -> QualName {
        let schema = if schema.is_empty() {
            self.schemas().next().unwrap_or("public")
        } else {
            schema
        };
        QualName::new(schema, name)
    }

    /// Where a CREATE with a dotted name list (`[schema.]name`) puts its object.
    pub fn create_list(&self, names: &[String]) -> Option<QualName> {
        let (schema, name) = split_names(names)?;
        Some(self.create(schema, name))
    }

    /// Every object a reference may resolve to: the qualified name itself, or the name
    /// in each schema of the search_path. Empty for `pg_catalog` names.
    pub fn candidates(&self, schema: &str, name: &str) -> Vec<QualName> {
        if schema == "pg_catalog" || schema == "information_schema" {
            Vec::new()
        } else if schema.is_empty() {
            let mut out: Vec<QualName> = Vec::new();
            for s in self.schemas() {
                let q = QualName::new(s, name);
                if !out.contains(&q) {
                    out.push(q);
                }
            }
            out
        } else {
            vec![QualName::new(schema, name)]
        }
    }

    /// [`Resolver::candidates`] for a dotted name list.
    pub fn candidates_list(&self, names: &[String]) -> Vec<QualName> {
        match split_names(names) {
            Some((schema, name)) => self.candidates(schema, name),
            None => Vec::new(),
        }
    }
}

/// `[catalog.][schema.]name` into (schema or "", name).
fn split_names(names: &[String]) -> Option<(&str, &str)> {
    match names {
        [] => None,
        [name] => Some(("", name)),
        [.., schema, name] => Some((schema, name)),
    }
}

/// The strings of a list of `String` nodes (a dotted name), skipping anything else.
pub(crate) fn node_strings(nodes: &[pg_query::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(pg_query::NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// Splits a name written inside a string literal (`'app."Users_id_seq"'`) as
/// PostgreSQL's `stringToQualifiedNameList` does: dots separate parts, double quotes
/// keep case and dots, unquoted parts fold to lower case.
pub(crate) fn parse_qualified_string(s: &str) -> Option<Vec<String>> {
    split_identifiers(s, '.')
}

/// Splits a `search_path`-style list (`'app, "My Schema", public'`) as PostgreSQL's
/// `SplitIdentifierString` does.
pub(crate) fn parse_identifier_list(s: &str) -> Option<Vec<String>> {
    if s.trim().is_empty() {
        return Some(Vec::new());
    }
    split_identifiers(s, ',')
}

fn split_identifiers(s: &str, sep: char) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    Some('"') => break,
                    Some(c) => part.push(c),
                    None => return None,
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == sep || c.is_whitespace() {
                    break;
                }
                part.extend(c.to_lowercase());
                chars.next();
            }
            if part.is_empty() {
                return None;
            }
        }
        parts.push(part);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(parts),
            Some(c) if c == sep => continue,
            Some(_) => return None,
        }
    }
}

/// Types of `pg_catalog` commonly written without a schema (`text`, `uuid`, `jsonb`).
/// An unqualified name resolves in `pg_catalog` before the search_path, so these never
/// name a user's type; leaving them out keeps listings readable. (Types written with
/// SQL-standard syntax, `integer` or `varchar(20)`, already arrive qualified.)
const BUILTIN_TYPES: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bigserial",
    "bit",
    "bool",
    "box",
    "bpchar",
    "bytea",
    "char",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "fdw_handler",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "serial",
    "serial2",
    "serial4",
    "serial8",
    "smallserial",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml",
];

/// Collects the references of one statement.
pub(crate) struct Refs<'a> {
    resolver: Resolver<'a>,
    found: BTreeSet<ObjRef>,
    /// Unqualified relation names, resolved at the end once CTE names are known.
    bare_relations: BTreeSet<String>,
    ctes: BTreeSet<String>,
}

impl<'a> Refs<'a> {
    /// An empty collection for a statement with this resolver.
    pub fn new(resolver: Resolver<'a>) -> Self {
        Refs {
            resolver,
            found: BTreeSet::new(),
            bare_relations: BTreeSet::new(),
            ctes: BTreeSet::new(),
        }
    }

    /// Adds an object named by a dotted list, under every name it may resolve to.
    pub fn add_list(&mut self, names: &[String], make: impl Fn(QualName) -> ObjRef) {
        for q in self.resolver.candidates_list(names) {
            self.found.insert(make(q));
        }
    }

    /// Adds a relation named by schema (possibly empty) and name.
    pub fn add_relation(&mut self, schema: &str, name: &str) {
        if schema.is_empty() {
            self.bare_relations.insert(name.to_string());
        } else {
            for q in self.resolver.candidates(schema, name) {
                self.found.insert(ObjRef::Relation(q));
            }
        }
    }

    /// Adds an object as it is.
    pub fn add(&mut self, obj: ObjRef) {
        self.found.insert(obj);
    }

    /// Walks any protobuf value (a node, a list of nodes, a statement struct).
    pub fn walk<T: Serialize + ?Sized>(&mut self, node: &T) {
        super::walk::walk(node, &mut |value| self.walk_value(&value));
    }

    fn walk_value(&mut self, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.walk_value(v)),
            Value::Object(map) => {
                self.visit(map);
                map.values().for_each(|v| self.walk_value(v));
            }
            _ => {}
        }
    }

    fn visit(&mut self, map: &Map<String, Value>) {
        if map.contains_key("relname") && map.contains_key("relpersistence") {
            let schema = str_field(map, "schemaname");
            let name = str_field(map, "relname");
            self.add_relation(schema, name);
        } else if map.contains_key("names") && map.contains_key("pct_type") {
            let names = json_strings(map.get("names"));
            if map.get("pct_type") == Some(&Value::Bool(true)) {
                // `tbl.col%TYPE`: the relation is all but the column.
                if names.len() >= 2 {
                    let rel = &names[..names.len() - 1];
                    self.add_list(rel, ObjRef::Relation);
                }
            } else {
                self.add_type(&names);
            }
        } else if map.contains_key("funcname") && map.contains_key("agg_star") {
            let names = json_strings(map.get("funcname"));
            self.add_list(&names, ObjRef::Function);
            self.sequence_argument(&names, map.get("args"));
        } else if let Some(cast) = map.get("TypeCast").and_then(Value::as_object) {
            self.typed_literal(cast);
        } else if map.contains_key("objname") && map.contains_key("objargs") {
            let names = json_strings(map.get("objname"));
            self.add_list(&names, ObjRef::Function);
        } else if map.contains_key("collname") && map.contains_key("arg") {
            // A bare name too: `COLLATE loose` must come after `CREATE COLLATION loose`
            // (a name no statement creates, such as "C", orders nothing).
            let names = json_strings(map.get("collname"));
            if names.first().map(String::as_str) != Some("pg_catalog") {
                self.add_list(&names, ObjRef::Collation);
            }
        } else if map.contains_key("kind") && map.contains_key("name") && map.contains_key("lexpr")
        {
            // Only `OPERATOR(schema.op)`: unqualified operators are almost always
            // built-in, and listing `public.=` for every comparison helps nobody.
            let names = json_strings(map.get("name"));
            if names.len() > 1 {
                self.add_list(&names, ObjRef::Operator);
            }
        } else if map.contains_key("contype") && !str_field(map, "indexname").is_empty() {
            // `ADD CONSTRAINT c UNIQUE USING INDEX i`: the index comes first.
            self.add_relation("", str_field(map, "indexname"));
        } else if map.contains_key("ctename") {
            self.ctes.insert(str_field(map, "ctename").to_string());
        }
    }

    /// A type reference; array brackets live beside the name, so `mood[]` is `mood`.
    pub fn add_type(&mut self, names: &[String]) {
        if let [name] = names {
            if BUILTIN_TYPES.binary_search(&name.as_str()).is_ok() {
                return;
            }
        }
        self.add_list(names, ObjRef::Type);
    }

    /// `nextval('seq')`, `currval('seq')`, `setval('seq', ...)`: the literal names a
    /// sequence (PostgreSQL casts it to regclass implicitly).
    fn sequence_argument(&mut self, funcname: &[String], args: Option<&Value>) {
        let name = match funcname {
            [name] => name.as_str(),
            [schema, name] if schema == "pg_catalog" => name.as_str(),
            _ => return,
        };
        if !matches!(name, "nextval" | "currval" | "setval") {
            return;
        }
        let first = args.and_then(Value::as_array).and_then(|a| a.first());
        if let Some(literal) = first.and_then(string_constant) {
            self.named_in_literal("regclass", literal);
        }
    }

    /// `'app.seq'::regclass`, `'mood'::regtype`, `'f'::regproc`, ...
    fn typed_literal(&mut self, cast: &Map<String, Value>) {
        let Some(literal) = cast.get("arg").and_then(string_constant) else {
            return;
        };
        let type_names = cast.get("type_name").and_then(|t| t.get("names"));
        if let Some(reg) = json_strings(type_names).last() {
            self.named_in_literal(reg, literal);
        }
    }

    fn named_in_literal(&mut self, reg: &str, literal: &str) {
        match reg {
            "regclass" => {
                if let Some(names) = parse_qualified_string(literal) {
                    match names.as_slice() {
                        [name] => self.add_relation("", name),
                        [.., schema, name] => self.add_relation(schema, name),
                        [] => {}
                    }
                }
            }
            "regtype" => {
                if let Some(names) = parse_qualified_string(literal) {
                    self.add_type(&names);
                }
            }
            "regconfig" | "regdictionary" => {
                if let Some(names) = parse_qualified_string(literal) {
                    self.add_list(&names, ObjRef::TextSearch);
                }
            }
            "regproc" | "regprocedure" => {
                // regprocedure literals carry argument types: `f(integer)`.
                let name = literal.split('(').next().unwrap_or(literal);
                if let Some(names) = parse_qualified_string(name) {
                    self.add_list(&names, ObjRef::Function);
                }
            }
            "regnamespace" => {
                if let Some(names) = parse_qualified_string(literal) {
                    if let [schema] = names.as_slice() {
                        self.found.insert(ObjRef::Schema(schema.clone()));
                    }
                }
            }
            _ => {}
        }
    }

    /// The references found, without the objects the statement itself creates.
    pub fn finish(mut self, creates: &[ObjRef]) -> Vec<ObjRef> {
        for name in std::mem::take(&mut self.bare_relations) {
            if !self.ctes.contains(&name) {
                for q in self.resolver.candidates("", &name) {
                    self.found.insert(ObjRef::Relation(q));
                }
            }
        }
        self.found
            .into_iter()
            .filter(|r| !creates.contains(r))
            .collect()
    }
}

fn str_field<'v>(map: &'v Map<String, Value>, key: &str) -> &'v str {
    map.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The strings of a JSON list of `String` nodes: `[{"node":{"String":{"sval":"x"}}}]`.
fn json_strings(list: Option<&Value>) -> Vec<String> {
    let Some(items) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let node = item.get("node").unwrap_or(item);
            node.get("String")?
                .get("sval")?
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

/// The text of a string constant node: `{"node":{"AConst":{"val":{"Sval":{"sval":..}}}}}`.
fn string_constant(value: &Value) -> Option<&str> {
    let node = value.get("node").unwrap_or(value);
    node.get("AConst")?
        .get("val")?
        .get("Sval")?
        .get("sval")?
        .as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs_of(sql: &str, path: &[&str]) -> Vec<String> {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let parsed = pg_query::parse(sql, 0).unwrap();
        let mut refs = Refs::new(Resolver { search_path: &path });
        refs.walk(&parsed.protobuf);
        refs.finish(&[]).iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn builtin_types_are_sorted_for_binary_search() {
        assert!(
            BUILTIN_TYPES.windows(2).all(|w| w[0] < w[1]),
            "keep BUILTIN_TYPES sorted"
        );
    }

    #[test]
    fn finds_relations_types_functions_and_sequences() {
        let refs = refs_of(
            "SELECT f(x)::app.mood, nextval('app.\"Seq\"'), 'other_seq'::regclass \
             FROM t JOIN app.u USING (id) WHERE y = ANY('{}'::text[])",
            &["public"],
        );
        assert_eq!(
            refs,
            [
                "app.\"Seq\"",
                "app.u",
                "public.other_seq",
                "public.t",
                "type app.mood",
                "public.f()",
                "public.nextval()",
            ]
        );
    }

    #[test]
    fn a_constraint_using_an_index_names_the_index() {
        let refs = refs_of(
            "ALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX i",
            &["public"],
        );
        assert_eq!(refs, ["public.i", "public.t"]);
    }

    #[test]
    fn unqualified_names_resolve_through_the_search_path() {
        let refs = refs_of("SELECT * FROM t", &["$user", "app", "public"]);
        assert_eq!(refs, ["app.t", "public.t"]);
        assert!(refs_of("SELECT * FROM t", &[]).is_empty());
        assert!(refs_of("SELECT * FROM pg_catalog.pg_class", &["public"]).is_empty());
    }

    #[test]
    fn cte_names_are_not_relations() {
        assert_eq!(
            refs_of("WITH x AS (SELECT 1) SELECT * FROM x, y", &["public"]),
            ["public.y"]
        );
    }

    #[test]
    fn column_type_references_name_the_relation() {
        let refs = refs_of(
            "CREATE FUNCTION f(a app.t.c%TYPE) RETURNS int LANGUAGE sql AS 'select 1'",
            &["public"],
        );
        assert_eq!(refs, ["app.t"]);
    }

    #[test]
    fn qualified_strings_follow_postgres_rules() {
        let p = |s| parse_qualified_string(s);
        assert_eq!(p("App.Seq"), Some(vec!["app".into(), "seq".into()]));
        assert_eq!(
            p("\"App\".\"a.b\"\"c\""),
            Some(vec!["App".into(), "a.b\"c".into()])
        );
        assert_eq!(p("a..b"), None);
        assert_eq!(
            parse_identifier_list(" app , \"My S\",public"),
            Some(vec!["app".into(), "My S".into(), "public".into()])
        );
        assert_eq!(parse_identifier_list(""), Some(vec![]));
    }
}
