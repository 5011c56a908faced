//! Type names: a parsed `TypeName` spelled the way `format_type` spells it, and the
//! internal names the parser gives built-in types, so that every spelling of one type
//! (`int`, `int4`, `integer`, `pg_catalog.int4`) reads the same.
//!
//! Pure functions over names; does no I/O and never looks at a database.

/// What a built-in type's names normalize to: the name `format_type` prints, and the
/// internal name the grammar uses (`pg_catalog.<internal>` in parse trees).
struct Builtin {
    /// `format_type`'s spelling without modifiers (`character varying`).
    display: &'static str,
    /// The `pg_type.typname` (`varchar`).
    internal: &'static str,
    /// Whether the modifiers go in the middle (`timestamp(3) without time zone`).
    split: Option<&'static str>,
}

const fn b(display: &'static str, internal: &'static str) -> Builtin {
    Builtin {
        display,
        internal,
        split: None,
    }
}

/// Resolves a (lower-cased, unqualified or `pg_catalog`-qualified) type name to a
/// built-in type.
fn builtin(name: &str) -> Option<Builtin> {
    let t = match name {
        "int2" | "smallint" => b("smallint", "int2"),
        "int4" | "int" | "integer" => b("integer", "int4"),
        "int8" | "bigint" => b("bigint", "int8"),
        "float4" | "real" => b("real", "float4"),
        "float8" | "double precision" => b("double precision", "float8"),
        "numeric" | "decimal" => b("numeric", "numeric"),
        "bool" | "boolean" => b("boolean", "bool"),
        "varchar" | "character varying" => b("character varying", "varchar"),
        "bpchar" | "char" | "character" => b("character", "bpchar"),
        "bit" => b("bit", "bit"),
        "varbit" | "bit varying" => b("bit varying", "varbit"),
        "timestamp" | "timestamp without time zone" => Builtin {
            display: "timestamp",
            internal: "timestamp",
            split: Some(" without time zone"),
        },
        "timestamptz" | "timestamp with time zone" => Builtin {
            display: "timestamp",
            internal: "timestamptz",
            split: Some(" with time zone"),
        },
        "time" | "time without time zone" => Builtin {
            display: "time",
            internal: "time",
            split: Some(" without time zone"),
        },
        "timetz" | "time with time zone" => Builtin {
            display: "time",
            internal: "timetz",
            split: Some(" with time zone"),
        },
        "interval" => b("interval", "interval"),
        other => {
            let known = PLAIN.iter().find(|n| **n == other)?;
            b(known, known)
        }
    };
    Some(t)
}

/// Built-in types whose `format_type` spelling is their `typname`. A name not
/// here and not created by the schema is taken for an extension's type.
const PLAIN: &[&str] = &[
    "aclitem",
    "box",
    "bytea",
    "cid",
    "cidr",
    "circle",
    "date",
    "datemultirange",
    "daterange",
    "gtsvector",
    "inet",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "json",
    "jsonb",
    "jsonpath",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "nummultirange",
    "numrange",
    "oid",
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
    "text",
    "tid",
    "trigger",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "uuid",
    "void",
    "xid",
    "xid8",
    "xml",
    "anyelement",
    "anyarray",
    "anynonarray",
    "anyenum",
    "anyrange",
    "anymultirange",
    "anycompatible",
    "anycompatiblearray",
    "cstring",
    "event_trigger",
    "internal",
    "language_handler",
    "fdw_handler",
    "index_am_handler",
    "table_am_handler",
    "tsm_handler",
];

/// Whether `name` (unqualified) is a built-in type.
pub fn is_builtin(name: &str) -> bool {
    builtin(name).is_some()
}

/// The internal name of a built-in type the grammar qualifies with `pg_catalog`
/// (`int4` for `integer`), or the plain name for other built-ins; `None` for names
/// that are not built-in.
pub fn internal_name(name: &str) -> Option<&'static str> {
    builtin(name).map(|t| t.internal)
}

/// `format_type`'s spelling of a built-in type with its modifiers (already rendered as
/// numbers) and array dimensions.
pub fn display_builtin(name: &str, typmods: &[String], array: bool) -> Option<String> {
    let t = builtin(name)?;
    let mods = if typmods.is_empty() {
        String::new()
    } else {
        format!("({})", typmods.join(","))
    };
    let mut out = match t.split {
        Some(rest) => format!("{}{mods}{rest}", t.display),
        None => format!("{}{mods}", t.display),
    };
    if array {
        out.push_str("[]");
    }
    Some(out)
}

/// `format_type`'s words for an interval's field mask (the grammar's first typmod):
/// empty for the full range, ` day to second` and the like otherwise.
pub fn interval_fields(mask: i64) -> Option<&'static str> {
    const MONTH: i64 = 1 << 1;
    const YEAR: i64 = 1 << 2;
    const DAY: i64 = 1 << 3;
    const HOUR: i64 = 1 << 10;
    const MINUTE: i64 = 1 << 11;
    const SECOND: i64 = 1 << 12;
    Some(match mask {
        0x7FFF => "",
        YEAR => " year",
        MONTH => " month",
        DAY => " day",
        HOUR => " hour",
        MINUTE => " minute",
        SECOND => " second",
        m if m == YEAR | MONTH => " year to month",
        m if m == DAY | HOUR => " day to hour",
        m if m == DAY | HOUR | MINUTE => " day to minute",
        m if m == DAY | HOUR | MINUTE | SECOND => " day to second",
        m if m == HOUR | MINUTE => " hour to minute",
        m if m == HOUR | MINUTE | SECOND => " hour to second",
        m if m == MINUTE | SECOND => " minute to second",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_meet() {
        for n in ["int", "int4", "integer"] {
            assert_eq!(display_builtin(n, &[], false).unwrap(), "integer");
        }
        assert_eq!(
            display_builtin("varchar", &["20".into()], true).unwrap(),
            "character varying(20)[]"
        );
        assert_eq!(
            display_builtin("timestamptz", &["3".into()], false).unwrap(),
            "timestamp(3) with time zone"
        );
        assert_eq!(internal_name("double precision"), Some("float8"));
        assert!(display_builtin("citext", &[], false).is_none());
    }
}
