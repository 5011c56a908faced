//! Operators made with `CREATE OPERATOR`.

use serde::{Deserialize, Serialize};

use super::{Deps, Ident, QualName};

/// An operator (`CREATE OPERATOR schema.=== (LEFTARG = ..., RIGHTARG = ..., FUNCTION =
/// ...)`). Names of functions are spelled as `regproc` prints them, types as
/// `format_type` does, other operators as `OPERATOR(schema.op)` (a server's own: bare).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Schema and symbol.
    pub name: QualName,
    /// `LEFTARG`; `None` for a prefix operator.
    pub left: Option<String>,
    /// `RIGHTARG`.
    pub right: String,
    /// `FUNCTION`.
    pub function: String,
    /// `COMMUTATOR`.
    pub commutator: Option<String>,
    /// `NEGATOR`.
    pub negator: Option<String>,
    /// `RESTRICT`.
    pub restrict: Option<String>,
    /// `JOIN`.
    pub join: Option<String>,
    /// `HASHES`.
    pub hashes: bool,
    /// `MERGES`.
    pub merges: bool,
    /// `COMMENT ON OPERATOR`.
    pub comment: Option<String>,
    /// Its function and types.
    pub deps: Deps,
}

impl Operator {
    /// `schema.op(left,right)` (`NONE` for a prefix operator's left): how statements and
    /// the catalog's keys name it.
    pub fn signature(&self) -> String {
        format!(
            "{}.{}({}, {})",
            Ident(&self.name.schema),
            self.name.name,
            self.left.as_deref().unwrap_or("NONE"),
            self.right
        )
    }

    /// `CREATE OPERATOR schema.op (...)`.
    pub fn definition(&self) -> String {
        let mut o = Vec::new();
        if let Some(l) = &self.left {
            o.push(format!("LEFTARG = {l}"));
        }
        o.push(format!("RIGHTARG = {}", self.right));
        o.push(format!("FUNCTION = {}", self.function));
        for (key, v) in [
            ("COMMUTATOR", &self.commutator),
            ("NEGATOR", &self.negator),
            ("RESTRICT", &self.restrict),
            ("JOIN", &self.join),
        ] {
            if let Some(v) = v {
                o.push(format!("{key} = {v}"));
            }
        }
        if self.hashes {
            o.push("HASHES".into());
        }
        if self.merges {
            o.push("MERGES".into());
        }
        format!(
            "CREATE OPERATOR {}.{} ({})",
            Ident(&self.name.schema),
            self.name.name,
            o.join(", ")
        )
    }
}
