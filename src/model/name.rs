//! Names of database objects: schema-qualified names, identifier quoting and string
//! literals.
//!
//! Names are kept exactly as PostgreSQL stores them (case and all); quoting is applied
//! only when a name is rendered into SQL. Does no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A schema-qualified object name, e.g. `public.users`. Ordered by schema, then name,
/// which gives every map keyed by it a stable order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualName {
    /// The schema (namespace) the object lives in.
    pub schema: String,
    /// The object's own name, unquoted.
    pub name: String,
}

impl QualName {
    /// Builds a qualified name from its two parts.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// The same schema with another object name (e.g. an index beside its table).
    pub fn sibling(&self, name: impl Into<String>) -> Self {
        QualName::new(self.schema.clone(), name)
    }

    /// `schema.name` without any quoting, for messages and file names.
    pub fn plain(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// Renders as SQL: each part quoted only when PostgreSQL needs it.
impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", Ident(&self.schema), Ident(&self.name))
    }
}

/// A single identifier rendered as SQL, quoted only when needed.
#[derive(Clone, Copy, Debug)]
pub struct Ident<'a>(pub &'a str);

impl fmt::Display for Ident<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if needs_quotes(self.0) {
            f.write_str("\"")?;
            f.write_str(&self.0.replace('"', "\"\""))?;
            f.write_str("\"")
        } else {
            f.write_str(self.0)
        }
    }
}

/// Quotes an identifier the way PostgreSQL's `quote_ident` does.
pub fn quote_ident(name: &str) -> String {
    Ident(name).to_string()
}

/// Whether `name` must be double-quoted to survive a round trip through the parser:
/// anything but lower-case ASCII letters, digits, `_` and `$` (not first), or a keyword
/// that is not unreserved.
pub fn needs_quotes(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        None => return true,
        Some(c) if c.is_ascii_lowercase() || c == '_' => {}
        Some(_) => return true,
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$') {
        return true;
    }
    KEYWORDS.binary_search(&name).is_ok()
}

/// PostgreSQL keywords that cannot be used as bare identifiers everywhere (reserved,
/// column-name and type/function-name keywords), sorted. PostgreSQL 15's
/// `pg_get_keywords()` with `catcode <> 'U'`, plus the ones PostgreSQL 16-18 added, so a
/// name quoted for one server version still parses on the next.
pub const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// A string literal in standard SQL form: single quotes, embedded quotes doubled.
/// PostgreSQL's `standard_conforming_strings` is on by default since 9.1, so
/// backslashes stay literal.
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for ch in s.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

/// A literal, or `NULL` when there is none.
pub fn literal_or_null(s: &Option<String>) -> String {
    match s {
        Some(s) => literal(s),
        None => "NULL".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_their_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b"), "'a\\b'");
        assert_eq!(literal_or_null(&None), "NULL");
    }

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(quote_ident("my table"), "\"my table\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("1abc"), "\"1abc\"");
        assert_eq!(quote_ident("naïve"), "\"naïve\"");
        assert_eq!(quote_ident("a$1"), "a$1");
        assert_eq!(quote_ident("name"), "name");
        assert_eq!(quote_ident(""), "\"\"");
    }

    #[test]
    fn qualified_names_render_each_part() {
        assert_eq!(
            QualName::new("public", "Order").to_string(),
            "public.\"Order\""
        );
        assert_eq!(QualName::new("app", "items").plain(), "app.items");
    }
}
