//! Hints in schema files: `-- schemaplan: rename OLD -> NEW`, and
//! `-- schemaplan: using SCHEMA.TABLE.COLUMN: EXPRESSION` for a column type change no
//! cast covers (`using public.events.created_at: to_timestamp(created_at / 1000)`),
//! carried as a hint of kind `using` whose `new` is the expression.
//!
//! A hint names the object as it is now and its new name (in the same schema, table or
//! type): `rename public.users -> people` (a table, index, view or type, whichever has
//! that name), `rename public.users.fullname -> full_name` (a column),
//! `rename constraint public.users.users_email_key -> users_email_unique`,
//! `rename value public.mood.meh -> so-so` (an enum label). The kind may be written
//! before the name for clarity: `table`, `column`, `index`, `constraint`, `type`,
//! `value`, `view`.
//!
//! Input: a file's text. Output: the hints with their locations. Matching them against
//! catalogs is [`crate::diff::apply_hints`]'s job.

use serde::Serialize;

use crate::error::{Error, Location, Result};

/// One `-- schemaplan: rename OLD -> NEW` directive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RenameHint {
    /// The kind written before the name, if any.
    pub kind: Option<String>,
    /// The object's current name, as written (`public.users.fullname`).
    pub old: String,
    /// Its new name (one identifier, or a label for an enum value).
    pub new: String,
    /// Where the directive is.
    pub location: Location,
}

impl RenameHint {
    /// As written after `rename`: `public.users.fullname -> full_name`; a conversion
    /// as written: `using public.events.created_at: to_timestamp(created_at / 1000)`.
    pub fn text(&self) -> String {
        match &self.kind {
            Some(k) if k == "using" => format!("using {}: {}", self.old, self.new),
            Some(k) => format!("{k} {} -> {}", self.old, self.new),
            None => format!("{} -> {}", self.old, self.new),
        }
    }
}

/// The directive's prefix.
const DIRECTIVE: &str = "-- schemaplan:";

/// Reads the rename directives of one schema file.
pub fn parse_hints(path: &std::path::Path, text: &str) -> Result<Vec<RenameHint>> {
    let mut hints = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix(DIRECTIVE) else {
            continue;
        };
        let location = Location {
            path: path.to_path_buf(),
            line: i + 1,
            column: line.len() - line.trim_start().len() + 1,
        };
        let bad = |what: String| Error::BadRenameHint {
            location: location.clone(),
            what,
        };
        let rest = rest.trim();
        if let Some(body) = rest.strip_prefix("using ") {
            let Some((column, expr)) = body.split_once(": ") else {
                return Err(bad(format!(
                    "expected `{DIRECTIVE} using SCHEMA.TABLE.COLUMN: EXPRESSION`, found {rest:?}"
                )));
            };
            let (column, expr) = (column.trim(), expr.trim());
            if column.is_empty() || expr.is_empty() {
                return Err(bad("a conversion needs a column and an expression".into()));
            }
            hints.push(RenameHint {
                kind: Some("using".into()),
                old: column.to_string(),
                new: expr.to_string(),
                location,
            });
            continue;
        }
        let Some(body) = rest.strip_prefix("rename ") else {
            return Err(bad(format!(
                "unknown directive {rest:?}; expected `{DIRECTIVE} rename OLD -> NEW` or `{DIRECTIVE} using SCHEMA.TABLE.COLUMN: EXPRESSION`"
            )));
        };
        let Some((old, new)) = body.split_once("->") else {
            return Err(bad(format!("expected `OLD -> NEW`, found {body:?}")));
        };
        let mut old = old.trim();
        let mut kind = None;
        for k in [
            "table",
            "column",
            "index",
            "constraint",
            "type",
            "value",
            "view",
        ] {
            if let Some(r) = old.strip_prefix(k).and_then(|r| r.strip_prefix(' ')) {
                kind = Some(k.to_string());
                old = r.trim();
                break;
            }
        }
        let new = new.trim().trim_matches('"').to_string();
        if old.is_empty() || new.is_empty() {
            return Err(bad("a rename needs an old and a new name".into()));
        }
        hints.push(RenameHint {
            kind,
            old: old.to_string(),
            new,
            location,
        });
    }
    Ok(hints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_with_their_place() {
        let text = "CREATE TABLE t (a int);\n-- schemaplan: rename public.users.fullname -> full_name\n  -- schemaplan: rename constraint public.t.c1 -> c2\n";
        let hints = parse_hints(std::path::Path::new("s.sql"), text).unwrap();
        assert_eq!(hints.len(), 2);
        assert_eq!(hints[0].old, "public.users.fullname");
        assert_eq!(hints[0].new, "full_name");
        assert_eq!(hints[0].location.line, 2);
        assert_eq!(hints[1].kind.as_deref(), Some("constraint"));
        assert_eq!(hints[1].location.column, 3);
        let using = parse_hints(
            std::path::Path::new("s.sql"),
            "-- schemaplan: using public.events.at: to_timestamp(at / 1000)\n",
        )
        .unwrap();
        assert_eq!(using[0].kind.as_deref(), Some("using"));
        assert_eq!(using[0].old, "public.events.at");
        assert_eq!(using[0].new, "to_timestamp(at / 1000)");
        assert_eq!(
            using[0].text(),
            "using public.events.at: to_timestamp(at / 1000)"
        );
        let bad = parse_hints(std::path::Path::new("s.sql"), "-- schemaplan: rename a b\n");
        assert!(bad.unwrap_err().to_string().contains("s.sql:1:1"));
    }
}
