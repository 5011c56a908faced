//! Splitting a file's text into statements, and mapping byte offsets to line:column.
//!
//! Input: the text of one file. Output: byte ranges of its statements, each starting at
//! its first token. Uses pg_query's scanner-based splitter, which works on malformed
//! input, and checks what the splitter leaves out: it silently drops text without a
//! keyword (`asdf;`) and everything after an unbalanced parenthesis, and that text must
//! become a syntax error rather than vanish. psql meta-commands (pg_dump's `\restrict`
//! lines) are blanked out first, as psql itself would not send them. Does no I/O.

use std::borrow::Cow;
use std::path::Path;

use crate::error::Location;

/// A statement's place in its file: `start` is its first token, `end` the byte after
/// its last non-blank character before the terminating `;` (or the end of the text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    /// Byte offset of the first token.
    pub start: usize,
    /// Byte offset just past the statement's text.
    pub end: usize,
}

/// Splits `text` into statements. Fails with pg_query's message when the scanner itself
/// fails (an unterminated quoted string, dollar quote or comment).
pub(crate) fn split(text: &str) -> Result<Vec<Piece>, String> {
    let slices = pg_query::split_with_scanner(text).map_err(|e| e.to_string())?;
    let base = text.as_ptr() as usize;
    let mut pieces = Vec::with_capacity(slices.len() + 1);
    let mut covered = 0;
    for slice in slices {
        let start = slice.as_ptr() as usize - base;
        let end = start + slice.len();
        // Text the splitter skipped between two statements must be blank.
        if let Some(gap) = junk_in(text, covered, start) {
            pieces.push(gap);
        }
        if let Some(piece) = trim(text, start, end) {
            pieces.push(piece);
        }
        covered = end;
    }
    if let Some(gap) = junk_in(text, covered, text.len()) {
        pieces.push(gap);
    }
    Ok(pieces)
}

/// The first non-blank text in `text[from..to]` (anything but whitespace, `;` and
/// comments), as a piece running to `to`.
fn junk_in(text: &str, from: usize, to: usize) -> Option<Piece> {
    let start = skip_blank(text, from, to);
    if start >= to {
        return None;
    }
    trim(text, start, to)
}

/// `text[start..end]` without leading blanks and comments and trailing whitespace, or
/// `None` when nothing is left.
fn trim(text: &str, start: usize, end: usize) -> Option<Piece> {
    let start = skip_trivia(text, start, end);
    let end = start + text[start..end].trim_end().len();
    (end > start).then_some(Piece { start, end })
}

/// Skips whitespace, `;` and comments.
pub(crate) fn skip_blank(text: &str, mut at: usize, end: usize) -> usize {
    loop {
        let next = skip_trivia(text, at, end);
        if next < end && text.as_bytes()[next] == b';' {
            at = next + 1;
        } else {
            return next;
        }
    }
}

/// Skips whitespace and comments (`-- ...` to the end of the line, nested `/* */`),
/// returning the offset of the first token. An unterminated block comment runs to
/// `end`.
pub(crate) fn skip_trivia(text: &str, mut at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    while at < end {
        let b = bytes[at];
        if b.is_ascii_whitespace() {
            at += 1;
        } else if bytes[at..end].starts_with(b"--") {
            at = match text[at..end].find('\n') {
                Some(nl) => at + nl + 1,
                None => end,
            };
        } else if bytes[at..end].starts_with(b"/*") {
            let mut depth = 0usize;
            while at < end {
                if bytes[at..end].starts_with(b"/*") {
                    depth += 1;
                    at += 2;
                } else if bytes[at..end].starts_with(b"*/") {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    at += 1;
                }
            }
        } else {
            break;
        }
    }
    at.min(end)
}

/// Replaces psql meta-command lines (a line whose first non-blank character is a
/// backslash outside quotes and comments, such as pg_dump's `\restrict KEY`) with
/// spaces, keeping every other byte where it was so that offsets still map to the same
/// line and column. The scanner cannot be trusted with them: `\restrict 5Q4...`
/// scans as a number with trailing junk, which fails the whole file.
pub(crate) fn blank_meta_commands(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    let mut line_start = true;
    let mut i = 0;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let find = |from: usize, needle: &[u8]| {
        bytes[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| from + p)
    };
    while i < n {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if line_start => {
                let end = find(i, b"\n").unwrap_or(n);
                blanks.push((i, end));
                i = end;
            }
            b'-' if next == Some(b'-') => i = find(i, b"\n").unwrap_or(n),
            b'/' if next == Some(b'*') => {
                let mut depth = 0usize;
                while i < n {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                line_start = false;
            }
            b'\'' | b'"' => {
                // E'...' strings escape with backslashes; others double the quote.
                let escapes = b == b'\''
                    && i > 0
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && (i < 2 || !ident(bytes[i - 2]));
                i += 1;
                while i < n {
                    if escapes && bytes[i] == b'\\' {
                        i += 2;
                    } else if bytes[i] == b {
                        i += 1;
                        if bytes.get(i) == Some(&b) {
                            i += 1;
                        } else {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                line_start = false;
            }
            b'$' if i == 0 || !ident(bytes[i - 1]) => {
                // A dollar quote `$tag$...$tag$` (`$1` is a parameter, not a quote).
                let mut j = i + 1;
                while j < n && ident(bytes[j]) && !(j == i + 1 && bytes[j].is_ascii_digit()) {
                    j += 1;
                }
                if j < n && bytes[j] == b'$' {
                    let tag = &bytes[i..=j];
                    i = find(j + 1, tag).map_or(n, |end| end + tag.len());
                } else {
                    i += 1;
                }
                line_start = false;
            }
            _ => {
                line_start = false;
                i += 1;
            }
        }
    }
    if blanks.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = bytes.to_vec();
    for (from, to) in blanks {
        out[from..to].fill(b' ');
    }
    // Only whole ASCII-started lines were blanked, up to a newline: still UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// Maps byte offsets of one file to 1-based line and column (in characters), in
/// O(log lines) per lookup so that a file of thousands of statements stays linear.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The location of byte `offset` (clamped to the text) in file `path`.
    pub(crate) fn location(&self, path: &Path, offset: usize) -> Location {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        Location {
            path: path.to_path_buf(),
            line,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }
}

/// The byte offset of the `chars`-th character (0-based) of `text`, or its length.
pub(crate) fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// The location of byte `offset` of a statement's text, given where the text starts.
pub(crate) fn location_within(start: &Location, sql: &str, offset: usize) -> Location {
    let offset = floor_char_boundary(sql, offset.min(sql.len()));
    let before = &sql[..offset];
    match before.rfind('\n') {
        Some(nl) => Location {
            path: start.path.clone(),
            line: start.line + before.matches('\n').count(),
            column: before[nl + 1..].chars().count() + 1,
        },
        None => Location {
            path: start.path.clone(),
            line: start.line,
            column: start.column + before.chars().count(),
        },
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text)
            .unwrap()
            .iter()
            .map(|p| &text[p.start..p.end])
            .collect()
    }

    #[test]
    fn statements_start_at_their_first_token() {
        let text = "-- header\n/* a /* nested */ comment */\nCREATE TABLE a (x int);\n\n  CREATE VIEW v AS SELECT 1 ; ";
        assert_eq!(
            texts(text),
            ["CREATE TABLE a (x int)", "CREATE VIEW v AS SELECT 1"]
        );
    }

    #[test]
    fn text_without_keywords_is_kept_for_the_parser_to_reject() {
        let text = "CREATE TABLE a (x int);\nasdf;\nCREATE TABLE b (x int);";
        assert_eq!(
            texts(text),
            ["CREATE TABLE a (x int)", "asdf;", "CREATE TABLE b (x int)"]
        );
    }

    #[test]
    fn an_unbalanced_parenthesis_keeps_the_rest_of_the_file() {
        let text = "CREATE TABLE a (x int));\nCREATE TABLE b (x int);";
        assert_eq!(texts(text), [text]);
    }

    #[test]
    fn psql_meta_commands_are_blanked() {
        let text = "\\restrict 5Q4abc\n\nSET x = 1;\n  \\connect db\nCREATE TABLE a (x int);\n\\unrestrict 5Q4abc\n";
        let blank = blank_meta_commands(text);
        assert_eq!(blank.len(), text.len());
        assert_eq!(texts(&blank), ["SET x = 1", "CREATE TABLE a (x int)"]);
    }

    #[test]
    fn backslash_lines_inside_quotes_and_comments_stay() {
        for text in [
            "SELECT 'a\n\\b'",
            "SELECT E'it\\'s\n\\x'",
            "SELECT \"a\n\\b\"",
            "CREATE FUNCTION f() AS $x$\n\\d\n$x$",
            "/* a\n\\b */",
            "SELECT $$\n\\q\n$$",
        ] {
            assert_eq!(blank_meta_commands(text), text, "{text}");
        }
        assert_eq!(blank_meta_commands("SELECT $1;\n\\q\n"), "SELECT $1;\n  \n");
    }

    #[test]
    fn scanner_errors_fail_the_split() {
        assert!(split("CREATE TABLE a (x text default 'abc);").is_err());
    }

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let text = "ab\nçd\n\nx";
        let index = LineIndex::new(text);
        let at = |o| {
            let l = index.location(Path::new("f.sql"), o);
            (l.line, l.column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(3), (2, 1));
        assert_eq!(at(5), (2, 2)); // after the two-byte "ç"
        assert_eq!(at(8), (4, 1));
        assert_eq!(at(99), (4, 2));
    }

    #[test]
    fn offsets_within_a_statement() {
        let start = Location {
            path: "f.sql".into(),
            line: 3,
            column: 5,
        };
        let l = location_within(&start, "CREATE\n  TABLE", 9);
        assert_eq!((l.line, l.column), (4, 3));
        let l = location_within(&start, "CREATE TABLE", 7);
        assert_eq!((l.line, l.column), (3, 12));
    }
}
