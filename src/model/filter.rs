//! Which schemas a command looks at (`--schema`, `--exclude-schema`).

use super::Catalog;

/// Which schemas a command looks at (`--schema`, `--exclude-schema`).
#[derive(Clone, Debug, Default)]
pub struct SchemaFilter {
    /// Only these schemas, when not empty.
    pub include: Vec<String>,
    /// Never these.
    pub exclude: Vec<String>,
}

impl SchemaFilter {
    /// Whether a schema passes the filter.
    pub fn keeps(&self, schema: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|s| s == schema))
            && !self.exclude.iter().any(|s| s == schema)
    }

    /// Applies the filter to a catalog.
    pub fn apply(&self, catalog: &mut Catalog) {
        if !self.include.is_empty() || !self.exclude.is_empty() {
            catalog.retain_schemas(|s| self.keeps(s));
        }
    }
}
