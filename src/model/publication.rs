//! Publications for logical replication (`CREATE PUBLICATION`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{literal, Ident, QualName};

/// The operations a publication publishes, in the order `publish = '...'` lists them.
pub const PUBLISH_OPERATIONS: [&str; 4] = ["insert", "update", "delete", "truncate"];

/// A table a publication lists (`FOR TABLE t (a, b) WHERE (...)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedTable {
    /// The columns published (PostgreSQL 15 and later), in attribute order; empty for
    /// all of them.
    pub columns: Vec<String>,
    /// The row filter (PostgreSQL 15 and later), as PostgreSQL prints it.
    pub row_filter: Option<String>,
}

/// A publication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Its name (publications have no schema).
    pub name: String,
    /// `FOR ALL TABLES`.
    pub all_tables: bool,
    /// `FOR TABLE ...`: the tables, with their column lists and row filters.
    pub tables: BTreeMap<QualName, PublishedTable>,
    /// `FOR TABLES IN SCHEMA ...` (PostgreSQL 15 and later).
    pub schemas: BTreeSet<String>,
    /// The operations published, of [`PUBLISH_OPERATIONS`] in that order.
    pub publish: Vec<String>,
    /// `publish_via_partition_root`.
    pub via_root: bool,
    /// `COMMENT ON PUBLICATION`.
    pub comment: Option<String>,
}

impl Publication {
    /// One table of a `FOR TABLE` list: `public.t (a, b) WHERE (...)`.
    pub fn table_item(name: &QualName, t: &PublishedTable) -> String {
        let mut out = name.to_string();
        if !t.columns.is_empty() {
            let cols: Vec<String> = t.columns.iter().map(|c| Ident(c).to_string()).collect();
            out.push_str(&format!(" ({})", cols.join(", ")));
        }
        if let Some(w) = &t.row_filter {
            out.push_str(&format!(" WHERE ({w})"));
        }
        out
    }

    /// What follows `CREATE PUBLICATION name`: `FOR ...` (nothing for a publication of
    /// no table yet).
    pub fn target(&self) -> String {
        if self.all_tables {
            return " FOR ALL TABLES".into();
        }
        let mut items: Vec<String> = Vec::new();
        if !self.tables.is_empty() {
            let tables: Vec<String> = self
                .tables
                .iter()
                .map(|(n, t)| Self::table_item(n, t))
                .collect();
            items.push(format!("TABLE {}", tables.join(", ")));
        }
        if !self.schemas.is_empty() {
            let schemas: Vec<String> = self.schemas.iter().map(|s| Ident(s).to_string()).collect();
            items.push(format!("TABLES IN SCHEMA {}", schemas.join(", ")));
        }
        if items.is_empty() {
            String::new()
        } else {
            format!(" FOR {}", items.join(", "))
        }
    }

    /// The `WITH (...)` options, each spelled out.
    pub fn options(&self) -> String {
        format!(
            "publish = {}, publish_via_partition_root = {}",
            literal(&self.publish.join(", ")),
            self.via_root
        )
    }

    /// The operations of a `publish = '...'` option, normalised to
    /// [`PUBLISH_OPERATIONS`] order; `None` for an unknown one.
    pub fn parse_publish(text: &str) -> Result<Vec<String>, String> {
        let words: Vec<String> = text
            .split(',')
            .map(|w| w.trim().to_ascii_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(bad) = words
            .iter()
            .find(|w| !PUBLISH_OPERATIONS.contains(&w.as_str()))
        {
            return Err(format!(
                "unrecognized value for publication option \"publish\": \"{bad}\""
            ));
        }
        Ok(PUBLISH_OPERATIONS
            .iter()
            .filter(|o| words.iter().any(|w| w == *o))
            .map(|o| o.to_string())
            .collect())
    }
}
