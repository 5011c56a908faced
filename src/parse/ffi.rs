//! The one libpg_query call the pg_query crate does not expose in full: the position of
//! a parse error.
//!
//! pg_query's Rust API turns a failed parse into a message string and drops
//! `PgQueryError.cursorpos`; schemaplan needs it to point at the offending token. The
//! symbols come from the static libpg_query that the pg_query crate builds and links.
//! Used only on the error path. Does no I/O.

use std::ffi::{c_char, c_int, CStr, CString};

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryParseResult {
    parse_tree: *mut c_char,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
    fn pg_query_free_parse_result(result: PgQueryParseResult);
}

/// A parse error as libpg_query reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// PostgreSQL's message, e.g. `syntax error at or near "TABEL"`.
    pub message: String,
    /// 1-based character (not byte) offset of the offending token in the input; 0 when
    /// PostgreSQL names no position.
    pub cursorpos: usize,
}

/// Parses `sql` and returns its error, or `None` when it parses. Text with a NUL byte
/// cannot be passed to C; that is reported at the NUL.
pub(crate) fn parse_error(sql: &str) -> Option<ParseError> {
    let input = match CString::new(sql) {
        Ok(input) => input,
        Err(e) => {
            let pos = sql[..e.nul_position()].chars().count() + 1;
            return Some(ParseError {
                message: "invalid NUL byte in SQL text".into(),
                cursorpos: pos,
            });
        }
    };
    // SAFETY: `input` is a valid NUL-terminated string that outlives the call; the
    // result is read before it is freed, exactly once, with libpg_query's own free.
    unsafe {
        let result = pg_query_parse(input.as_ptr());
        let error = if result.error.is_null() {
            None
        } else {
            let err = &*result.error;
            let message = if err.message.is_null() {
                "syntax error".to_string()
            } else {
                CStr::from_ptr(err.message).to_string_lossy().into_owned()
            };
            Some(ParseError {
                message,
                cursorpos: usize::try_from(err.cursorpos).unwrap_or(0),
            })
        };
        pg_query_free_parse_result(result);
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_character_position() {
        let err = parse_error("CREATE TABEL t (a int)").unwrap();
        assert_eq!(err.message, "syntax error at or near \"TABEL\"");
        assert_eq!(err.cursorpos, 8);
    }

    #[test]
    fn counts_characters_not_bytes() {
        // "é" is two bytes in UTF-8; the position is in characters.
        let err = parse_error("SELECT 'é' FROM WHERE").unwrap();
        assert_eq!(err.cursorpos, 17);
    }

    #[test]
    fn valid_sql_has_no_error() {
        assert_eq!(parse_error("CREATE TABLE t (a int)"), None);
    }

    #[test]
    fn nul_bytes_are_reported_where_they_are() {
        assert_eq!(parse_error("SELECT\0").unwrap().cursorpos, 7);
    }
}
