//! Object names as YAML keys: `schema.name`, a bare `name`, double quotes around a part
//! that holds a dot or a quote, and `name(argument types)` for functions. Does no I/O.

use crate::model::QualName;

/// Splits a dotted name into its parts; a part in double quotes may hold dots, and
/// `""` inside it is one quote. Parts are taken literally otherwise (no case folding).
pub fn split(name: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut chars = name.chars().peekable();
    loop {
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
                    None => return Err(format!("unterminated quote in name {name:?}")),
                }
            }
            match chars.next() {
                None => {
                    parts.push(part);
                    return Ok(parts);
                }
                Some('.') => parts.push(part),
                Some(c) => return Err(format!("unexpected {c:?} after a quoted part in {name:?}")),
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        if part.is_empty() {
                            return Err(format!("empty part in name {name:?}"));
                        }
                        parts.push(part);
                        return Ok(parts);
                    }
                    Some('.') => break,
                    Some(c) => part.push(c),
                }
            }
            if part.is_empty() {
                return Err(format!("empty part in name {name:?}"));
            }
            parts.push(part);
        }
    }
}

/// A qualified name from `schema.name` or `name` (in `default_schema`).
pub fn qualified(name: &str, default_schema: &str) -> Result<QualName, String> {
    let parts = split(name)?;
    match parts.as_slice() {
        [n] => Ok(QualName::new(default_schema, n.clone())),
        [s, n] => Ok(QualName::new(s.clone(), n.clone())),
        _ => Err(format!(
            "{name:?} has {} parts; expected name or schema.name",
            parts.len()
        )),
    }
}

/// A function key `schema.name(args)` as its name and its argument list (none when the
/// key has no parentheses).
pub fn function(key: &str, default_schema: &str) -> Result<(QualName, Option<String>), String> {
    let mut in_quotes = false;
    for (i, c) in key.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '(' if !in_quotes => {
                let args = key[i + 1..]
                    .strip_suffix(')')
                    .ok_or_else(|| format!("{key:?}: the argument list must end with `)`"))?;
                let name = qualified(key[..i].trim_end(), default_schema)?;
                return Ok((name, Some(args.trim().to_string())));
            }
            _ => {}
        }
    }
    Ok((qualified(key, default_schema)?, None))
}

/// One part of a name as a key writes it: in double quotes when it holds a dot or a
/// quote, or is empty.
pub fn key_part(part: &str) -> String {
    if part.is_empty() || part.contains('.') || part.contains('"') || part.contains('(') {
        format!("\"{}\"", part.replace('"', "\"\""))
    } else {
        part.to_string()
    }
}

/// A qualified name as a key: `schema.name`.
pub fn key(name: &QualName) -> String {
    format!("{}.{}", key_part(&name.schema), key_part(&name.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_unquoted_dots() {
        assert_eq!(split("a.b").unwrap(), ["a", "b"]);
        assert_eq!(split("\"a.b\".C").unwrap(), ["a.b", "C"]);
        assert_eq!(split("\"say \"\"hi\"\"\"").unwrap(), ["say \"hi\""]);
        assert!(split("a..b").is_err());
        assert!(split("\"a").is_err());
        assert_eq!(
            qualified("users", "app").unwrap(),
            QualName::new("app", "users")
        );
        assert!(qualified("a.b.c", "public").is_err());
    }

    #[test]
    fn function_keys_carry_arguments() {
        let (n, args) = function("public.add(integer, integer)", "public").unwrap();
        assert_eq!(n, QualName::new("public", "add"));
        assert_eq!(args.as_deref(), Some("integer, integer"));
        let (n, args) = function("touch", "app").unwrap();
        assert_eq!((n.schema.as_str(), args), ("app", None));
    }

    #[test]
    fn keys_round_trip() {
        for q in [
            QualName::new("public", "users"),
            QualName::new("my.schema", "Tab\"le"),
            QualName::new("s", "f(x)"),
        ] {
            assert_eq!(qualified(&key(&q), "public").unwrap(), q);
        }
    }
}
