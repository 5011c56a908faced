//! Extended statistics objects made with `CREATE STATISTICS`.

use serde::{Deserialize, Serialize};

use super::{Deps, QualName};

/// The kinds of extended statistics `CREATE STATISTICS` takes, in the order PostgreSQL
/// prints them.
pub const STATISTICS_KINDS: [&str; 3] = ["ndistinct", "dependencies", "mcv"];

/// An extended statistics object (`CREATE STATISTICS s (ndistinct) ON a, b FROM t`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// Schema-qualified name.
    pub name: QualName,
    /// The table it is on.
    pub table: QualName,
    /// The kinds built, of [`STATISTICS_KINDS`] in that order; empty when all of them
    /// are (what `CREATE STATISTICS` without a list builds, and how PostgreSQL prints
    /// it), and for statistics on one expression.
    pub kinds: Vec<String>,
    /// The columns it covers, quoted as needed, in the table's attribute order (as
    /// PostgreSQL keeps them, whatever order they were written in).
    pub columns: Vec<String>,
    /// The expressions it covers (PostgreSQL 14 and later), as PostgreSQL prints them,
    /// in the order written.
    pub expressions: Vec<String>,
    /// `ALTER STATISTICS ... SET STATISTICS n`; `None` for the default (the columns'
    /// own targets).
    pub target: Option<i32>,
    /// `COMMENT ON STATISTICS`.
    pub comment: Option<String>,
    /// The table and columns it is on.
    pub deps: Deps,
}

impl Statistics {
    /// `CREATE STATISTICS name [(kinds)] ON items FROM table`, as
    /// `pg_get_statisticsobjdef` writes it.
    pub fn definition(&self) -> String {
        let items: Vec<String> = self
            .columns
            .iter()
            .cloned()
            .chain(self.expressions.iter().map(|e| format!("({e})")))
            .collect();
        let kinds = if self.kinds.is_empty() || items.len() < 2 {
            String::new()
        } else {
            format!(" ({})", self.kinds.join(", "))
        };
        format!(
            "CREATE STATISTICS {}{kinds} ON {} FROM {}",
            self.name,
            items.join(", "),
            self.table
        )
    }

    /// The kinds as the model keeps them: empty when all of [`STATISTICS_KINDS`] are
    /// there, otherwise those there in their order (others, such as the expression
    /// statistics every object on expressions has, are not asked for).
    pub fn normalize_kinds<S: AsRef<str>>(kinds: &[S]) -> Vec<String> {
        let has = |k: &str| kinds.iter().any(|x| x.as_ref() == k);
        if STATISTICS_KINDS.iter().all(|k| has(k)) {
            return Vec::new();
        }
        STATISTICS_KINDS
            .iter()
            .filter(|k| has(k))
            .map(|k| k.to_string())
            .collect()
    }
}
