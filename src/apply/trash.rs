//! Held data of recoverable drops: what the holding schema `schemaplan_trash` holds,
//! and purging it for good.
//!
//! Input: a connection to the target database. Output: the held tables, each with the
//! object it holds (from the label `plan --recoverable` puts on it), the revision that
//! held it, its rows and size, and when that revision was applied; or those tables
//! dropped. Held tables are never part of the managed schema (introspection leaves the
//! holding schema out), so purging them changes no fingerprint; it does take away what
//! the down section of their revision needs to put the data back.

use std::time::Duration;

use serde::Serialize;
use tokio_postgres::Client;

use super::history::db;
use crate::error::Result;
use crate::model::{Ident, TRASH_SCHEMA};
use crate::render::HELD_LABEL;

/// One held table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Held {
    /// The revision that held it (from its label, else from its name).
    pub revision: Option<String>,
    /// What it holds: `table public.notes`, `column public.users.password`.
    pub object: String,
    /// Its name in the holding schema.
    pub table: String,
    /// Its rows.
    pub rows: i64,
    /// Its size on disk (with indexes and TOAST), in bytes.
    pub bytes: i64,
    /// Its size as PostgreSQL writes it (`5128 kB`).
    pub size: String,
    /// When its revision was (last) applied, if the history says.
    pub applied_at: Option<String>,
    /// How long ago, in seconds.
    #[serde(skip)]
    pub age_seconds: Option<f64>,
}

/// Which held tables to purge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purge {
    /// Every one.
    All,
    /// Those held by revisions applied longer ago than this.
    OlderThan(Duration),
    /// Those held by this revision (an id, or the start of one).
    Revision(String),
}

impl Purge {
    /// Whether a held table is chosen.
    pub fn chooses(&self, held: &Held) -> bool {
        match self {
            Purge::All => true,
            Purge::OlderThan(d) => held.age_seconds.is_some_and(|a| a > d.as_secs_f64()),
            Purge::Revision(rev) => held.revision.as_deref().is_some_and(|r| r.starts_with(rev)),
        }
    }
}

// Tables in the holding schema: name, label, size in bytes and as text.
const HELD_TABLES: &str = "SELECT c.relname::text, obj_description(c.oid, 'pg_class'), \
     pg_total_relation_size(c.oid), pg_size_pretty(pg_total_relation_size(c.oid)) \
     FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace \
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname";

// When each completely applied revision was applied, and how many seconds ago.
const APPLIED: &str = "SELECT id, \
     to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
     extract(epoch FROM now() - applied_at)::float8 \
     FROM schemaplan.revisions WHERE statements_done IS NULL";

/// Every held table, by name.
pub async fn list(client: &Client) -> Result<Vec<Held>> {
    let rows = client
        .query(HELD_TABLES, &[&TRASH_SCHEMA])
        .await
        .map_err(|e| db("listing held tables", &e))?;
    let history_exists: bool = client
        .query_one(
            "SELECT to_regclass('schemaplan.revisions') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| db("looking for the history table", &e))?
        .get(0);
    let applied: Vec<(String, String, f64)> = if history_exists {
        client
            .query(APPLIED, &[])
            .await
            .map_err(|e| db("reading the history", &e))?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    } else {
        Vec::new()
    };
    let mut held = Vec::with_capacity(rows.len());
    for r in rows {
        let table: String = r.get(0);
        let label: Option<String> = r.get(1);
        let (object, revision) = read_label(&table, label.as_deref());
        let count: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {TRASH_SCHEMA}.{}", Ident(&table)),
                &[],
            )
            .await
            .map_err(|e| db(&format!("counting the rows of held table {table}"), &e))?
            .get(0);
        let when = revision
            .as_deref()
            .and_then(|rev| applied.iter().find(|(id, _, _)| id == rev));
        held.push(Held {
            revision,
            object,
            rows: count,
            bytes: r.get(2),
            size: r.get(3),
            applied_at: when.map(|(_, at, _)| at.clone()),
            age_seconds: when.map(|(_, _, age)| *age),
            table,
        });
    }
    Ok(held)
}

/// Drops the held tables `which` chooses, in one transaction, and returns them.
pub async fn purge(client: &Client, which: &Purge) -> Result<Vec<Held>> {
    let chosen: Vec<Held> = list(client)
        .await?
        .into_iter()
        .filter(|h| which.chooses(h))
        .collect();
    if chosen.is_empty() {
        return Ok(chosen);
    }
    let mut sql = String::from("BEGIN;\n");
    for h in &chosen {
        sql.push_str(&format!("DROP TABLE {TRASH_SCHEMA}.{};\n", Ident(&h.table)));
    }
    sql.push_str("COMMIT;");
    if let Err(e) = client.batch_execute(&sql).await {
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(db("purging held tables", &e));
    }
    Ok(chosen)
}

/// The object and revision a held table's label names; without a label, the revision
/// from the start of its name (`<revision id>_...`).
fn read_label(table: &str, label: Option<&str>) -> (String, Option<String>) {
    if let Some((object, revision)) = label
        .and_then(|l| l.strip_prefix(HELD_LABEL))
        .and_then(|l| l.rsplit_once(", revision "))
    {
        return (object.to_string(), Some(revision.to_string()));
    }
    let revision = table
        .split_once('_')
        .map(|(id, _)| id)
        .filter(|id| crate::plan::RevisionId::is_valid(id))
        .map(str::to_string);
    (format!("table {TRASH_SCHEMA}.{}", Ident(table)), revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_object_and_the_revision() {
        assert_eq!(
            read_label(
                "x",
                Some(
                    "schemaplan held: column public.users.password, revision 20261124031500-3f9a2c"
                )
            ),
            (
                "column public.users.password".to_string(),
                Some("20261124031500-3f9a2c".to_string())
            )
        );
        let (object, revision) = read_label("20261124031500-3f9a2c_public_notes", None);
        assert_eq!(
            object,
            "table schemaplan_trash.\"20261124031500-3f9a2c_public_notes\""
        );
        assert_eq!(revision.as_deref(), Some("20261124031500-3f9a2c"));
        assert_eq!(read_label("mine", Some("a note")).1, None);
    }

    #[test]
    fn purge_chooses_by_age_or_revision() {
        let held = Held {
            revision: Some("20261124031500-3f9a2c".into()),
            object: "table public.notes".into(),
            table: "t".into(),
            rows: 1,
            bytes: 8192,
            size: "8192 bytes".into(),
            applied_at: None,
            age_seconds: Some(86_400.0 * 31.0),
        };
        assert!(Purge::All.chooses(&held));
        assert!(Purge::OlderThan(Duration::from_secs(86_400 * 30)).chooses(&held));
        assert!(!Purge::OlderThan(Duration::from_secs(86_400 * 32)).chooses(&held));
        assert!(Purge::Revision("20261124031500".into()).chooses(&held));
        assert!(!Purge::Revision("2025".into()).chooses(&held));
    }
}
