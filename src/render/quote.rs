//! Quoting for rendered SQL: identifiers (re-exported from the model) and literals.

pub use crate::model::{quote_ident, Ident};

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
}
