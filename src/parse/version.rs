//! What each PostgreSQL version accepts: a schema read for an older target
//! (`target_version` in schemaplan.toml) is refused at the first statement using syntax
//! a later version added, with its file and line, so that neither an offline plan nor
//! an exact one writes what the target server would reject.
//!
//! Input: a statement's text and the target's major version. Output: the first feature
//! too new for it. Parses the statement again (only when the target is older than the
//! newest version: by default nothing is checked and nothing is spent).

use serde_json::Value;

use pg_query::protobuf::ConstrType;

/// The newest PostgreSQL major version schemaplan knows: the default target.
pub const NEWEST: u32 = 18;

/// The oldest supported one.
pub const OLDEST: u32 = 13;

/// The first construct of `sql` that PostgreSQL `target` does not accept, with the
/// version that added it; `None` when the statement loads on `target` (or does not
/// parse: the parser's own error is reported elsewhere).
pub fn too_new(sql: &str, target: u32) -> Option<(&'static str, u32)> {
    if target >= NEWEST {
        return None;
    }
    let tree = pg_query::parse(sql, 0).ok()?;
    let json = serde_json::to_value(&tree.protobuf).ok()?;
    let mut found: Option<(&'static str, u32)> = None;
    visit(&json, &mut |feature, version| {
        if version > target && found.is_none_or(|(_, v)| version < v) {
            found = Some((feature, version));
        }
    });
    found
}

/// Calls `note` with every versioned construct under `v`.
fn visit(v: &Value, note: &mut dyn FnMut(&'static str, u32)) {
    match v {
        Value::Object(map) => {
            for (key, inner) in map {
                node(key, inner, note);
                visit(inner, note);
            }
        }
        Value::Array(items) => {
            for item in items {
                visit(item, note);
            }
        }
        _ => {}
    }
}

/// The constructs a node of type `kind` (its serialized variant name) uses.
fn node(kind: &str, n: &Value, note: &mut dyn FnMut(&'static str, u32)) {
    let flag = |key: &str| n.get(key).and_then(Value::as_bool) == Some(true);
    match kind {
        "Constraint" => {
            let contype = n.get("contype").and_then(Value::as_i64).unwrap_or(0);
            let is = |t: ConstrType| contype == t as i64;
            if flag("nulls_not_distinct") {
                note("NULLS NOT DISTINCT", 15);
            }
            if is(ConstrType::ConstrGenerated)
                && n.get("generated_kind").and_then(Value::as_str) == Some("v")
            {
                note(
                    "a VIRTUAL generated column (GENERATED ALWAYS AS (...) without STORED)",
                    18,
                );
            }
            // A table constraint carries the flag; a column constraint is followed by
            // an attribute node.
            if (is(ConstrType::ConstrCheck) || is(ConstrType::ConstrForeign))
                && n.get("is_enforced").and_then(Value::as_bool) == Some(false)
                || is(ConstrType::ConstrAttrNotEnforced)
            {
                note("NOT ENFORCED", 18);
            }
            if is(ConstrType::ConstrAttrEnforced) {
                note("ENFORCED", 18);
            }
            if is(ConstrType::ConstrNotnull) && flag("skip_validation") {
                note("NOT NULL ... NOT VALID", 18);
            }
            if is(ConstrType::ConstrNotnull)
                && n.get("keys")
                    .and_then(Value::as_array)
                    .is_some_and(|k| !k.is_empty())
            {
                note(
                    "a NOT NULL table constraint (CONSTRAINT name NOT NULL column)",
                    18,
                );
            }
            if is(ConstrType::ConstrNotnull) && flag("is_no_inherit") {
                note("NOT NULL NO INHERIT", 18);
            }
            if flag("without_overlaps") {
                note("WITHOUT OVERLAPS", 18);
            }
            if flag("fk_with_period") || flag("pk_with_period") {
                note("PERIOD in a foreign key", 18);
            }
        }
        "IndexStmt" if flag("nulls_not_distinct") => note("NULLS NOT DISTINCT", 15),
        "FuncCall" => {
            let last = n
                .get("funcname")
                .and_then(Value::as_array)
                .and_then(|names| names.last())
                .and_then(|name| name.pointer("/node/String/sval"))
                .and_then(Value::as_str);
            if last == Some("uuidv7") {
                note("uuidv7()", 18);
            }
        }
        "CreateFunctionStmt" if n.get("sql_body").is_some_and(|b| !b.is_null()) => {
            note("a SQL-standard function body (BEGIN ATOMIC or RETURN)", 14);
        }
        "ViewStmt" => {
            let options = n.get("options").and_then(Value::as_array);
            let invoker = options.into_iter().flatten().any(|o| {
                o.pointer("/node/DefElem/defname").and_then(Value::as_str)
                    == Some("security_invoker")
            });
            if invoker {
                note("security_invoker on a view", 15);
            }
        }
        "PublicationTable" | "pubtable" => {
            let columns = n
                .get("columns")
                .and_then(Value::as_array)
                .is_some_and(|c| !c.is_empty());
            if columns || n.get("where_clause").is_some_and(|w| !w.is_null()) {
                note("a publication's column list or row filter", 15);
            }
        }
        "PublicationObjSpec" => {
            // TABLES IN SCHEMA: the spec carries a schema name and no table.
            let in_schema = n
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
                && n.get("pubtable").is_none_or(Value::is_null);
            if in_schema {
                note("TABLES IN SCHEMA in a publication", 15);
            }
        }
        "MergeStmt" => note("MERGE", 15),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_construct_needs_its_version() {
        let cases = [
            ("CREATE TABLE t (a int UNIQUE NULLS NOT DISTINCT)", "NULLS NOT DISTINCT", 15),
            ("CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT", "NULLS NOT DISTINCT", 15),
            ("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2))", "VIRTUAL", 18),
            ("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)", "VIRTUAL", 18),
            ("CREATE TABLE t (a int CHECK (a > 0) NOT ENFORCED)", "NOT ENFORCED", 18),
            ("CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0) NOT ENFORCED)", "NOT ENFORCED", 18),
            ("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u NOT ENFORCED", "NOT ENFORCED", 18),
            ("ALTER TABLE t ADD CONSTRAINT n NOT NULL a NOT VALID", "NOT VALID", 18),
            ("CREATE TABLE t (id int, during tstzrange, PRIMARY KEY (id, during WITHOUT OVERLAPS))", "WITHOUT OVERLAPS", 18),
            ("CREATE TABLE t (id uuid DEFAULT uuidv7())", "uuidv7()", 18),
            ("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1", "SQL-standard", 14),
            ("CREATE VIEW v WITH (security_invoker = true) AS SELECT 1", "security_invoker", 15),
            ("CREATE PUBLICATION p FOR TABLE t (a, b)", "column list", 15),
            ("CREATE PUBLICATION p FOR TABLE t WHERE (a > 1)", "row filter", 15),
            ("CREATE PUBLICATION p FOR TABLES IN SCHEMA s", "TABLES IN SCHEMA", 15),
        ];
        for (sql, feature, version) in cases {
            let (what, needs) = too_new(sql, 13).unwrap_or_else(|| panic!("{sql}: nothing found"));
            assert!(what.contains(feature), "{sql}: {what}");
            assert_eq!(needs, version, "{sql}");
            assert_eq!(too_new(sql, version), None, "{sql} loads on {version}");
        }
    }

    #[test]
    fn ordinary_statements_load_everywhere() {
        for sql in [
            "CREATE TABLE t (a int UNIQUE, b int GENERATED ALWAYS AS (a * 2) STORED NOT NULL)",
            "CREATE TABLE t (a int CHECK (a > 0), b int REFERENCES u NOT VALID)",
            "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE VIEW v WITH (security_barrier) AS SELECT 1",
            "CREATE PUBLICATION p FOR TABLE t, u",
            "CREATE TABLE t (id uuid DEFAULT gen_random_uuid())",
        ] {
            assert_eq!(too_new(sql, 13), None, "{sql}");
        }
    }
}
