//! Collations made with `CREATE COLLATION`.

use serde::{Deserialize, Serialize};

use super::{literal, QualName};

/// Which library a collation's comparisons come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CollationProvider {
    /// The C library's locales (`provider = libc`, the default).
    Libc,
    /// ICU (`provider = icu`).
    Icu,
    /// PostgreSQL's own (`provider = builtin`, PostgreSQL 17 and later).
    Builtin,
}

impl CollationProvider {
    /// The spelling `CREATE COLLATION` takes and `pg_collation.collprovider` stands for.
    pub fn as_str(self) -> &'static str {
        match self {
            CollationProvider::Libc => "libc",
            CollationProvider::Icu => "icu",
            CollationProvider::Builtin => "builtin",
        }
    }

    /// Reads `libc`, `icu` or `builtin` (any case).
    pub fn parse(s: &str) -> Option<CollationProvider> {
        match s.to_ascii_lowercase().as_str() {
            "libc" => Some(CollationProvider::Libc),
            "icu" => Some(CollationProvider::Icu),
            "builtin" => Some(CollationProvider::Builtin),
            _ => None,
        }
    }
}

/// A collation (`CREATE COLLATION`). A libc collation has `lc_collate` and `lc_ctype`;
/// an ICU or builtin one a `locale` (and, for ICU from PostgreSQL 16, `rules`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    /// Schema-qualified name.
    pub name: QualName,
    /// Where its comparisons come from.
    pub provider: CollationProvider,
    /// `deterministic = false` makes strings that compare equal equal (case-insensitive
    /// ICU collations); nondeterministic collations are ICU only.
    pub deterministic: bool,
    /// libc: `LC_COLLATE`.
    pub lc_collate: Option<String>,
    /// libc: `LC_CTYPE`.
    pub lc_ctype: Option<String>,
    /// ICU and builtin: the locale (an ICU language tag such as `und-u-ks-level2`).
    pub locale: Option<String>,
    /// ICU tailoring rules (PostgreSQL 16 and later).
    pub rules: Option<String>,
    /// `COMMENT ON COLLATION`.
    pub comment: Option<String>,
}

impl Collation {
    /// The options of `CREATE COLLATION name (...)`, every one spelled out so the
    /// statement means the same on every server.
    pub fn options(&self) -> String {
        let mut out = vec![format!("provider = {}", self.provider.as_str())];
        match self.provider {
            CollationProvider::Libc => {
                let collate = self.lc_collate.as_deref().unwrap_or("C");
                let ctype = self.lc_ctype.as_deref().unwrap_or(collate);
                if collate == ctype {
                    out.push(format!("locale = {}", literal(collate)));
                } else {
                    out.push(format!("lc_collate = {}", literal(collate)));
                    out.push(format!("lc_ctype = {}", literal(ctype)));
                }
            }
            CollationProvider::Icu | CollationProvider::Builtin => {
                out.push(format!(
                    "locale = {}",
                    literal(self.locale.as_deref().unwrap_or(""))
                ));
            }
        }
        if let Some(rules) = &self.rules {
            out.push(format!("rules = {}", literal(rules)));
        }
        if !self.deterministic {
            out.push("deterministic = false".into());
        }
        out.join(", ")
    }
}
