//! Reading SQL text PostgreSQL printed (definitions, argument lists, defaults): where a
//! character stands with respect to quotes and brackets.

/// The characters of `text` outside single-quoted literals and double-quoted names, each
/// with its byte offset and the depth of `(` and `[` brackets it stands at: an opening
/// bracket at the depth it opens from, a closing one at the depth it returns to, so a
/// pair around the whole text stands at depth 0. A doubled quote inside a literal closes
/// and opens it again, which skips nothing. A closing bracket with none open stays at 0.
pub fn unquoted(text: &str) -> impl Iterator<Item = (usize, char, usize)> + '_ {
    let mut quote = None;
    let mut depth = 0usize;
    text.char_indices().filter_map(move |(i, c)| match quote {
        Some(q) => {
            if c == q {
                quote = None;
            }
            None
        }
        None => match c {
            '\'' | '"' => {
                quote = Some(c);
                None
            }
            '(' | '[' => {
                depth += 1;
                Some((i, c, depth - 1))
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                Some((i, c, depth))
            }
            _ => Some((i, c, depth)),
        },
    })
}

/// `text` split at its commas outside quotes and brackets, each item trimmed.
pub fn split_top_level(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut start = 0;
    for (i, _, _) in unquoted(text).filter(|&(_, c, d)| c == ',' && d == 0) {
        items.push(text[start..i].trim());
        start = i + 1;
    }
    items.push(text[start..].trim());
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_skipped_and_brackets_counted() {
        let seen: Vec<(char, usize)> = unquoted("f('a,(', \"b)\")[1]")
            .map(|(_, c, d)| (c, d))
            .collect();
        assert_eq!(
            seen,
            [
                ('f', 0),
                ('(', 0),
                (',', 1),
                (' ', 1),
                (')', 0),
                ('[', 0),
                ('1', 1),
                (']', 0)
            ]
        );
        assert_eq!(
            split_top_level(" a integer, b text DEFAULT 'x, y'::text, c numeric(10, 2) "),
            [
                "a integer",
                "b text DEFAULT 'x, y'::text",
                "c numeric(10, 2)"
            ]
        );
        assert_eq!(split_top_level(""), [""]);
    }
}
