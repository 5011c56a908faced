//! How big the tables a hazard touches are, from `pg_class`: "public.events: 38 GB,
//! ~410M rows", or "public.carts is empty", so a reviewer can tell a harmless rewrite
//! from an outage.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::history::db;
use crate::error::Result;
use crate::model::QualName;

/// One table's size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSize {
    /// Bytes on disk, indexes and TOAST included.
    pub bytes: i64,
    /// `pg_size_pretty` of that.
    pub pretty: String,
    /// The planner's row estimate; `None` before the table was ever analyzed.
    pub rows: Option<i64>,
}

impl TableSize {
    /// Whether the table holds nothing (no data pages).
    pub fn is_empty(&self) -> bool {
        self.rows.unwrap_or(0) == 0 && self.bytes <= 8192 * 2
    }
}

/// Every table's and materialized view's size, by qualified name as schemaplan writes it.
pub async fn table_sizes(client: &Client) -> Result<BTreeMap<String, TableSize>> {
    let rows = client
        .query(
            "SELECT n.nspname, c.relname, pg_total_relation_size(c.oid), \
                    pg_size_pretty(pg_total_relation_size(c.oid)), \
                    CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END, \
                    pg_relation_size(c.oid) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'm') \
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .await
        .map_err(|e| db("reading table sizes", &e))?;
    Ok(rows
        .iter()
        .map(|r| {
            let name = QualName::new(r.get::<_, String>(0), r.get::<_, String>(1));
            let heap: i64 = r.get(5);
            let rows: Option<i64> = r.get(4);
            (
                name.to_string(),
                TableSize {
                    bytes: r.get(2),
                    pretty: r.get(3),
                    // A table never analyzed but without data pages is empty.
                    rows: rows.or((heap == 0).then_some(0)),
                },
            )
        })
        .collect())
}

/// The table an object description (`column public.users.email`, `table public.carts`,
/// `constraint users_pkey on public.users`) is about, and its size in words.
pub fn describe(object: &str, sizes: &BTreeMap<String, TableSize>) -> Option<String> {
    let candidates = object
        .split_whitespace()
        .flat_map(|word| {
            // `public.users.email`: the table is a prefix of the word.
            let mut prefixes = vec![word.to_string()];
            let mut w = word;
            while let Some((head, _)) = w.rsplit_once('.') {
                prefixes.push(head.to_string());
                w = head;
            }
            prefixes
        })
        .collect::<Vec<_>>();
    let (name, size) = candidates
        .iter()
        .find_map(|c| sizes.get(c).map(|s| (c, s)))?;
    Some(if size.is_empty() {
        format!("{name} is empty")
    } else {
        match size.rows {
            Some(rows) => format!("{name}: {}, ~{} rows", size.pretty, approx(rows)),
            None => format!("{name}: {}", size.pretty),
        }
    })
}

/// 410_000_000 as `410M`.
fn approx(n: i64) -> String {
    let f = n as f64;
    match n {
        n if n >= 1_000_000_000 => format!("{:.1}B", f / 1e9),
        n if n >= 1_000_000 => format!("{:.0}M", f / 1e6),
        n if n >= 10_000 => format!("{:.0}k", f / 1e3),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_name_their_table() {
        let mut sizes = BTreeMap::new();
        sizes.insert(
            "public.events".to_string(),
            TableSize {
                bytes: 40_000_000_000,
                pretty: "37 GB".into(),
                rows: Some(410_000_000),
            },
        );
        sizes.insert(
            "public.carts".to_string(),
            TableSize {
                bytes: 8192,
                pretty: "8192 bytes".into(),
                rows: Some(0),
            },
        );
        assert_eq!(
            describe("column public.events.payload", &sizes).unwrap(),
            "public.events: 37 GB, ~410M rows"
        );
        assert_eq!(
            describe("table public.carts", &sizes).unwrap(),
            "public.carts is empty"
        );
        assert_eq!(describe("type public.mood", &sizes), None);
    }
}
