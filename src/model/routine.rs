//! Views, materialized views, functions and procedures: objects defined by a body of SQL.

use serde::{Deserialize, Serialize};

use super::{Deps, FunctionKey, QualName, SmallMap};

/// A view or materialized view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// The view's qualified name.
    pub name: QualName,
    /// `CREATE MATERIALIZED VIEW`.
    pub materialized: bool,
    /// The query as `pg_get_viewdef` spells it (no trailing semicolon).
    pub definition: String,
    /// The output columns, in order, with their types: `CREATE OR REPLACE VIEW` may only
    /// append columns, so the plan needs them to choose between replace and recreate.
    pub columns: Vec<ViewColumn>,
    /// View options (`check_option=local`, `security_barrier=true`), sorted.
    pub options: Vec<String>,
    /// `COMMENT ON VIEW`.
    pub comment: Option<String>,
    /// `COMMENT ON COLUMN` for the view's columns.
    pub column_comments: SmallMap<String, String>,
    /// Tables, columns, views and functions the query uses.
    pub deps: Deps,
}

/// An output column of a view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewColumn {
    /// The column's name.
    pub name: String,
    /// Its type as `format_type` spells it.
    pub type_name: String,
}

/// A function or procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    /// Name and identity arguments.
    pub key: FunctionKey,
    /// Function or procedure.
    pub kind: FunctionKind,
    /// The full `CREATE OR REPLACE FUNCTION ...` statement as `pg_get_functiondef`
    /// spells it.
    pub definition: String,
    /// The argument list with names, modes and defaults
    /// (`pg_get_function_arguments`).
    pub arguments: String,
    /// The result type (`pg_get_function_result`); none for procedures.
    pub result: Option<String>,
    /// `COMMENT ON FUNCTION`.
    pub comment: Option<String>,
    /// Types (arguments, result) and, for SQL-standard bodies, the objects the body uses.
    pub deps: Deps,
}

/// `prokind`: what `CREATE` made this routine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FunctionKind {
    /// `CREATE FUNCTION`.
    Function,
    /// `CREATE PROCEDURE`.
    Procedure,
    /// `CREATE AGGREGATE`.
    Aggregate,
}

impl FunctionKind {
    /// `FUNCTION`, `PROCEDURE` or `AGGREGATE`, as in `DROP FUNCTION`.
    pub fn sql(self) -> &'static str {
        match self {
            FunctionKind::Function => "FUNCTION",
            FunctionKind::Procedure => "PROCEDURE",
            FunctionKind::Aggregate => "AGGREGATE",
        }
    }
}
