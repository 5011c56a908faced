//! Where each key of a YAML file is: (path of keys) → line and column.
//!
//! serde gives values without positions, so the generated statements find their place
//! in the file here, from the text: block mappings are read by indentation (what people
//! write by hand and what `inspect --format yaml` writes). Keys inside flow collections
//! (`{...}`) are not listed; a lookup falls back to the nearest enclosing key found.
//! Does no I/O.

use std::collections::HashMap;

/// Line (1-based) and column (1-based, in characters) of every block-mapping key, by
/// its path of keys from the top.
#[derive(Debug, Default)]
pub struct Locator {
    keys: HashMap<Vec<String>, (usize, usize)>,
}

impl Locator {
    /// Reads the positions of the keys of `text`.
    pub fn new(text: &str) -> Locator {
        let mut keys = HashMap::new();
        // (indent, key) of the keys enclosing the current line.
        let mut stack: Vec<(usize, String)> = Vec::new();
        // Lines more indented than this belong to a block scalar (`|`, `>`).
        let mut scalar_indent: Option<usize> = None;
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start_matches(' ');
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut indent = line.chars().count() - trimmed.chars().count();
            if let Some(s) = scalar_indent {
                if indent > s {
                    continue;
                }
                scalar_indent = None;
            }
            let mut rest = trimmed;
            // `- key: value`: the key sits after the dash.
            while let Some(r) = rest.strip_prefix("- ") {
                let r2 = r.trim_start_matches(' ');
                indent += 2 + (r.len() - r2.len());
                rest = r2;
            }
            let Some((key, after)) = split_key(rest) else {
                continue;
            };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            stack.push((indent, key));
            let path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
            keys.entry(path).or_insert((n + 1, indent + 1));
            let value = after.trim();
            if value.starts_with('|') || value.starts_with('>') {
                scalar_indent = Some(indent);
            }
        }
        Locator { keys }
    }

    /// The position of the key at `path`, or of its nearest enclosing key that was
    /// found; (1, 1) when none was.
    pub fn find(&self, path: &[String]) -> (usize, usize) {
        (0..=path.len())
            .rev()
            .find_map(|len| self.keys.get(&path[..len]).copied())
            .unwrap_or((1, 1))
    }
}

/// Splits `key: value` (or `key:` alone) into the key, unquoted, and the rest.
fn split_key(line: &str) -> Option<(String, &str)> {
    let first = line.chars().next()?;
    if first == '"' || first == '\'' {
        let mut key = String::new();
        let mut chars = line.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c == first {
                if first == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    key.push('\'');
                    continue;
                }
                let rest = &line[i + 1..];
                let rest = rest.strip_prefix(':')?;
                return Some((key, rest));
            }
            if c == '\\' && first == '"' {
                if let Some((_, n)) = chars.next() {
                    key.push(n);
                }
                continue;
            }
            key.push(c);
        }
        return None;
    }
    if matches!(
        first,
        '{' | '[' | '&' | '*' | '!' | '|' | '>' | '%' | '@' | '`'
    ) {
        return None;
    }
    // The key ends at the first `: ` (or a `:` ending the line).
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            return Some((line[..i].trim_end().to_string(), &line[i + 1..]));
        }
        if bytes[i] == b' ' && bytes.get(i + 1) == Some(&b'#') {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keys_are_found_by_indentation() {
        let text = "tables:\n  users:\n    # the people\n    columns:\n      id: bigint\n      \"e:mail\": text\n    comment: |\n      a: b\n      c: d\n  orgs:\n    columns: {id: bigint}\n";
        let l = Locator::new(text);
        assert_eq!(l.find(&path(&["tables", "users", "columns", "id"])), (5, 7));
        assert_eq!(
            l.find(&path(&["tables", "users", "columns", "e:mail"])),
            (6, 7)
        );
        assert_eq!(l.find(&path(&["tables", "users", "comment"])), (7, 5));
        // Inside a block scalar: not keys.
        assert_eq!(l.find(&path(&["tables", "users", "comment", "a"])), (7, 5));
        assert_eq!(l.find(&path(&["tables", "orgs"])), (10, 3));
        // In a flow map: the enclosing key.
        assert_eq!(l.find(&path(&["tables", "orgs", "columns", "id"])), (11, 5));
        assert_eq!(l.find(&path(&["nothing"])), (1, 1));
    }

    #[test]
    fn list_items_hold_keys() {
        let text = "foreign_keys:\n  - columns: [a]\n    references: t\n";
        let l = Locator::new(text);
        assert_eq!(l.find(&path(&["foreign_keys", "columns"])), (2, 5));
        assert_eq!(l.find(&path(&["foreign_keys", "references"])), (3, 5));
    }
}
