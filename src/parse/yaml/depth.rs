//! How deep a YAML text nests, measured before serde reads it.
//!
//! The YAML reader takes time that grows with the square of the nesting depth (a
//! 200 KB file of `[[[[...` or `- - - -...` took minutes) before it reports the type
//! error at the bottom. A schema file nests a handful of levels (tables, a table,
//! columns, a column, a check), so anything past [`MAX_DEPTH`] is refused at once,
//! naming the line where the limit is crossed. One pass over the text, no allocation
//! per line; it over-counts rather than under-counts (a plain scalar that starts with
//! `[` counts as a flow collection), which a real schema file never comes near.

/// The deepest nesting a YAML schema file may have.
pub const MAX_DEPTH: usize = 128;

/// The (line, column) where `text` first nests deeper than `max` levels, if it does.
pub fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    // Indentation of the open block collections.
    let mut indents: Vec<usize> = Vec::new();
    // Open flow collections (`[`, `{`), which may span lines.
    let mut flow = 0usize;
    // Inside a block scalar (`|`, `>`): the indentation of the line that opened it.
    let mut scalar_of: Option<usize> = None;
    // Inside a quoted scalar spanning lines (flow context): its quote.
    let mut quote: Option<char> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if let Some(parent) = scalar_of {
            if rest.trim().is_empty() || indent > parent {
                continue;
            }
            scalar_of = None;
        }
        let mut chars = rest.char_indices().peekable();
        let mut depth;
        if flow == 0 && quote.is_none() {
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            while indents.last().is_some_and(|&top| top > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
            depth = indents.len();
            if depth > max {
                return Some((n, indent + 1));
            }
            // `- - - x`: each indicator on the line opens one more block sequence
            // (and `? ` one more mapping).
            while let Some(&(at, c)) = chars.peek() {
                let next = rest[at + c.len_utf8()..].chars().next();
                if (c == '-' || c == '?') && next.is_none_or(|x| x == ' ') {
                    depth += 1;
                    if depth > max {
                        return Some((n, indent + at + 1));
                    }
                    chars.next();
                    while chars.peek().is_some_and(|&(_, c)| c == ' ') {
                        chars.next();
                    }
                } else {
                    break;
                }
            }
        } else {
            depth = indents.len();
        }
        // The rest of the line: values that open flow collections or block scalars.
        let mut value_start = true;
        let mut prev = ' ';
        for (at, c) in chars {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
                prev = c;
                continue;
            }
            match c {
                '#' if prev == ' ' => break,
                '\'' | '"' if value_start || flow > 0 => quote = Some(c),
                '[' | '{' if value_start || flow > 0 => {
                    flow += 1;
                    if depth + flow > max {
                        return Some((n, indent + at + 1));
                    }
                }
                ']' | '}' if flow > 0 => flow -= 1,
                '|' | '>' if value_start && flow == 0 => scalar_of = Some(indent),
                _ => {}
            }
            value_start = match c {
                ' ' => value_start || prev == ':' || prev == '-' || prev == ',',
                ',' => flow > 0,
                '[' | '{' => flow > 0,
                _ => false,
            };
            prev = c;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_files_are_shallow() {
        let text = "tables:\n  users:\n    columns:\n      id: {type: bigint, checks: [\"id > 0\"]}\n      bio:\n        type: text\n        default: |\n          [[[[[[[[\n          - - - - -\n    primary_key: [id]\n";
        assert_eq!(too_deep(text, 6), None);
        assert_eq!(too_deep(text, 5), Some((4, 34)));
        assert_eq!(too_deep(text, 4), Some((4, 11)));
    }

    #[test]
    fn deep_nesting_is_found_where_it_crosses_the_limit() {
        let flow = format!("a: {}1{}\n", "[".repeat(200), "]".repeat(200));
        assert_eq!(too_deep(&flow, MAX_DEPTH), Some((1, 4 + 127)));
        let seq = format!("x: 1\n{}y\n", "- ".repeat(200));
        assert_eq!(too_deep(&seq, MAX_DEPTH), Some((2, 2 * 127 + 1)));
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        assert_eq!(too_deep(&block, MAX_DEPTH), Some((129, 129)));
        let lines = format!("a:\n{}", "  [\n".repeat(200));
        assert_eq!(too_deep(&lines, MAX_DEPTH), Some((128, 3)));
        let quoted = format!("a: \"{}\"\n", "[".repeat(200));
        assert_eq!(too_deep(&quoted, MAX_DEPTH), None);
    }
}
