//! YAML desired-state files: read with serde, compiled to the same statements as `.sql`
//! files.
//!
//! Stage: parse (beside [`crate::parse`]). Input: the text of a `.yaml`/`.yml` file.
//! Output: [`Statement`]s, made by writing SQL for every object the file declares
//! ([`compile`]) and parsing it with [`parse_sql`], each located at its object's key in
//! the YAML file; from there they take the same road as statements read from SQL
//! (ordering, dev database, offline interpreter). The other way, [`emit`] writes a
//! [`crate::model::Catalog`] as YAML (`inspect --format yaml`), and [`json_schema`]
//! describes the format.
//!
//! Errors name `file:line:column`, the field's path and, for an unknown key, the
//! nearest valid one. Does not touch the database.

pub mod compile;
mod depth;
pub mod emit;
pub mod format;
mod locate;
pub mod names;

use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::model::Ident;
use crate::parse::{parse_sql, Statement};

pub use emit::emit;
pub use format::File;

/// Whether a path names a YAML file (`.yaml` or `.yml`, any case).
pub fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Reads the text of a YAML file (named `path` in errors) into its format.
pub fn parse_file(path: &Path, text: &str) -> Result<File> {
    // A file of comments only (or nothing) declares nothing.
    let declares_nothing = text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..."
    });
    if declares_nothing {
        return Ok(File::default());
    }
    if let Some((line, column)) = depth::too_deep(text, depth::MAX_DEPTH) {
        return Err(Error::Yaml {
            location: Location {
                path: path.to_path_buf(),
                line,
                column,
            },
            message: format!(
                "nested deeper than {} levels: a schema file needs a handful (tables, a table, its columns, ...)",
                depth::MAX_DEPTH
            ),
        });
    }
    serde_norway::from_str(text).map_err(|e| yaml_error(path, &e))
}

/// The rename hints of a YAML file (`renamed_from` on tables and columns), tables
/// first, so a column's hint names its table's new name.
pub fn rename_hints(path: &Path, text: &str) -> Result<Vec<crate::parse::RenameHint>> {
    let file = parse_file(path, text)?;
    let locator = locate::Locator::new(text);
    let schema = file.schema.clone().unwrap_or_else(|| "public".to_string());
    let at = |field: &[&str]| {
        let field: Vec<String> = field.iter().map(|f| f.to_string()).collect();
        let (line, column) = locator.find(&field);
        Location {
            path: path.to_path_buf(),
            line,
            column,
        }
    };
    let bad = |field: &[&str], message: String| Error::Yaml {
        location: at(field),
        message: format!("{}: {message}", field.join(".")),
    };
    let mut tables = Vec::new();
    let mut columns = Vec::new();
    for (key, table) in &file.tables.0 {
        let name = names::qualified(key, &schema).map_err(|m| bad(&["tables", key], m))?;
        if let Some(old) = &table.renamed_from {
            let old = names::qualified(old, &name.schema)
                .map_err(|m| bad(&["tables", key, "renamed_from"], m))?;
            tables.push(crate::parse::RenameHint {
                kind: Some("table".into()),
                old: old.to_string(),
                new: name.name.clone(),
                location: at(&["tables", key, "renamed_from"]),
            });
        }
        for (column, spec) in &table.columns.0 {
            if let format::Spec::Full(c) = spec {
                if let Some(old) = &c.renamed_from {
                    columns.push(crate::parse::RenameHint {
                        kind: Some("column".into()),
                        old: format!("{name}.{}", crate::model::Ident(old)),
                        new: column.clone(),
                        location: at(&["tables", key, "columns", column, "renamed_from"]),
                    });
                }
                if let Some(expr) = &c.using {
                    columns.push(crate::parse::RenameHint {
                        kind: Some("using".into()),
                        old: format!("{name}.{}", crate::model::Ident(column)),
                        new: expr.clone(),
                        location: at(&["tables", key, "columns", column, "using"]),
                    });
                }
            }
        }
    }
    tables.extend(columns);
    Ok(tables)
}

/// Reads the text of a YAML file (named `path` in locations) into the statements it
/// declares, each located at its object's key.
pub fn read_yaml(path: &Path, text: &str) -> Result<Vec<Statement>> {
    let file = parse_file(path, text)?;
    let locator = locate::Locator::new(text);
    let location = |field: &[String]| {
        let (line, column) = locator.find(field);
        Location {
            path: path.to_path_buf(),
            line,
            column,
        }
    };
    let generated = compile::compile(&file).map_err(|e| Error::Yaml {
        location: location(&e.field),
        message: format!("{}: {}", e.field.join("."), e.message),
    })?;
    // Names inside SQL text (a column's type, a view's query) resolve in the file's
    // schema first, as its own names do; then in public, where extensions usually are.
    // On the statement's first line, so that line numbers stay those of the SQL.
    let prefix = match file.schema.as_deref() {
        Some(s) if s != "public" => format!("SET search_path = {}, public; ", Ident(s)),
        _ => String::new(),
    };
    let mut statements = Vec::new();
    for g in generated {
        let at = location(&g.field);
        let sql = format!("{prefix}{}", g.sql);
        let parsed = parse_sql(path, &sql).map_err(|e| {
            // A syntax error names its line in the generated SQL: point at the key
            // that line came from.
            let field = match &e {
                Error::Syntax { location, .. } => g.field_at(location.line),
                _ => &g.field,
            };
            relocate(e, &location(field), field)
        })?;
        for mut s in parsed {
            s.location = at.clone();
            statements.push(s);
        }
    }
    Ok(statements)
}

/// Moves an error about generated SQL to the YAML key it came from.
fn relocate(e: Error, at: &Location, field: &[String]) -> Error {
    let field = field.join(".");
    match e {
        Error::Syntax {
            message, statement, ..
        } => Error::Syntax {
            location: at.clone(),
            message: format!("{field}: {message}"),
            statement,
        },
        Error::NotSchemaStatement { kind, .. } => Error::Yaml {
            location: at.clone(),
            message: format!("{field}: {kind} is not a schema statement"),
        },
        Error::DropInSchema { kind, .. } => Error::Yaml {
            location: at.clone(),
            message: format!("{field}: {kind} does not belong in a schema"),
        },
        other => other,
    }
}

/// The JSON Schema of the format, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(File);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A serde_norway error as [`Error::Yaml`]: its position, the field's path, and for
/// an unknown key the nearest valid one.
fn yaml_error(path: &Path, e: &serde_norway::Error) -> Error {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let mut message = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    if let Some(stripped) = message.strip_suffix(&suffix) {
        message = stripped.to_string();
    }
    if let Some(hint) = suggestion(&message) {
        message.push_str(&format!("; did you mean `{hint}`?"));
    }
    Error::Yaml {
        location: Location {
            path: path.to_path_buf(),
            line,
            column,
        },
        message,
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`": the expected name
/// nearest to `x`, when one is near enough to be a typo.
fn suggestion(message: &str) -> Option<String> {
    let rest = &message[message.find("unknown field `")? + "unknown field `".len()..];
    let end = rest.find('`')?;
    let unknown = &rest[..end];
    let expected: Vec<&str> = rest[end + 1..]
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    let (best, distance) = expected
        .iter()
        .map(|e| (*e, edit_distance(unknown, e)))
        .min_by_key(|(_, d)| *d)?;
    let limit = (unknown.chars().count().max(best.chars().count()) / 3).max(2);
    (distance <= limit).then(|| best.to_string())
}

/// Levenshtein distance, counting a swap of two neighbours as one edit (`tpye`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_the_nearest_key() {
        let m =
            "tables.users: unknown field `colums`, expected one of `columns`, `comment`, `checks`";
        assert_eq!(suggestion(m).as_deref(), Some("columns"));
        let m = "unknown field `tpye`, expected one of `type`, `not_null`";
        assert_eq!(suggestion(m).as_deref(), Some("type"));
        let m = "unknown field `zzzzzz`, expected one of `type`, `not_null`";
        assert_eq!(suggestion(m), None);
        let m = "unknown field `nam`, expected `name`";
        assert_eq!(suggestion(m).as_deref(), Some("name"));
    }

    #[test]
    fn unknown_keys_are_located_errors() {
        let text = "tables:\n  users:\n    columns:\n      id: {tpye: bigint}\n";
        let err = parse_file(Path::new("s.yaml"), text).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("s.yaml:4:"), "{msg}");
        assert!(msg.contains("tables.users.columns.id"), "{msg}");
        assert!(msg.contains("did you mean `type`?"), "{msg}");
    }

    #[test]
    fn a_key_given_twice_is_an_error() {
        let text = "tables:\n  users: {}\n  users: {}\n";
        let err = parse_file(Path::new("s.yaml"), text).unwrap_err();
        assert!(err.to_string().contains("`users` is given twice"), "{err}");
    }

    #[test]
    fn a_file_of_comments_declares_nothing() {
        for text in ["", "# nothing yet\n", "---\n# later\n"] {
            assert_eq!(
                parse_file(Path::new("s.yaml"), text).unwrap(),
                File::default()
            );
        }
        assert!(read_yaml(Path::new("s.yaml"), "# x\n").unwrap().is_empty());
    }

    #[test]
    fn yaml_extensions() {
        assert!(is_yaml(Path::new("a/b.yaml")));
        assert!(is_yaml(Path::new("b.YML")));
        assert!(!is_yaml(Path::new("b.sql")));
    }
}
