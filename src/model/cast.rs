//! Casts made with `CREATE CAST`.

use serde::{Deserialize, Serialize};

use super::Deps;

/// A cast between two types (`CREATE CAST (source AS target) ...`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cast {
    /// The source type, as `format_type` prints it.
    pub source: String,
    /// The target type, as `format_type` prints it.
    pub target: String,
    /// `WITH FUNCTION f(types)`, as `regprocedure` prints it; `None` for `WITHOUT
    /// FUNCTION` or `WITH INOUT`.
    pub function: Option<String>,
    /// `WITH INOUT` (through the types' text forms).
    pub inout: bool,
    /// `e` (explicit only, the default), `a` (`AS ASSIGNMENT`) or `i` (`AS IMPLICIT`).
    pub context: char,
    /// `COMMENT ON CAST`.
    pub comment: Option<String>,
    /// Its types and function.
    pub deps: Deps,
}

impl Cast {
    /// `(source AS target)`: how statements and the catalog's keys name it.
    pub fn signature(&self) -> String {
        format!("({} AS {})", self.source, self.target)
    }

    /// `CREATE CAST (source AS target) WITH ... [AS ASSIGNMENT | AS IMPLICIT]`.
    pub fn definition(&self) -> String {
        let how = match (&self.function, self.inout) {
            (Some(f), _) => format!("WITH FUNCTION {f}"),
            (None, true) => "WITH INOUT".into(),
            (None, false) => "WITHOUT FUNCTION".into(),
        };
        let context = match self.context {
            'a' => " AS ASSIGNMENT",
            'i' => " AS IMPLICIT",
            _ => "",
        };
        format!("CREATE CAST {} {how}{context}", self.signature())
    }
}
