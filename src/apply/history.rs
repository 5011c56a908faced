//! The history table, `schemaplan.revisions`: which revisions a database has applied.

use tokio_postgres::Client;

use crate::error::{Error, Result};

/// Creates the history schema and table when they are missing. Safe to run
/// concurrently (`IF NOT EXISTS`), but meant to run under the apply lock.
pub const CREATE: &str = "\
CREATE SCHEMA IF NOT EXISTS schemaplan;
CREATE TABLE IF NOT EXISTS schemaplan.revisions (
    id text PRIMARY KEY,
    parents text[] NOT NULL DEFAULT '{}',
    checksum text NOT NULL,
    message text NOT NULL DEFAULT '',
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user,
    duration_ms bigint NOT NULL DEFAULT 0,
    fingerprint text,
    statements_done integer
);
COMMENT ON TABLE schemaplan.revisions IS 'Revisions applied by schemaplan; one row per revision.';
COMMENT ON COLUMN schemaplan.revisions.statements_done IS 'For a revision run outside a transaction: statements completed so far; NULL once complete.';
ALTER TABLE schemaplan.revisions ADD COLUMN IF NOT EXISTS rollback_done integer;
COMMENT ON COLUMN schemaplan.revisions.rollback_done IS 'For a rollback run outside a transaction: down statements completed so far; NULL unless a rollback stopped part way.'";

/// One row of the history table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// The revision's id.
    pub id: String,
    /// Its parents when it was applied.
    pub parents: Vec<String>,
    /// The checksum of its body when it was applied.
    pub checksum: String,
    /// Its message.
    pub message: String,
    /// When, RFC 3339.
    pub applied_at: String,
    /// Which database role applied it.
    pub applied_by: String,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
    /// The live schema's fingerprint right after it.
    pub fingerprint: Option<String>,
    /// For a revision run outside a transaction and not finished: how many of its
    /// statements are done. `None` when complete.
    pub statements_done: Option<i32>,
    /// For a rollback run outside a transaction that stopped part way: how many of the
    /// down section's statements are done. `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_done: Option<i32>,
}

impl Applied {
    /// Whether the revision ran to its end.
    pub fn complete(&self) -> bool {
        self.statements_done.is_none()
    }
}

/// Reads the history, oldest first; empty when the table does not exist yet.
pub async fn read(client: &Client) -> Result<Vec<Applied>> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('schemaplan.revisions') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| db("reading the history table", &e))?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT id, parents, checksum, message, \
             to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
             applied_by, duration_ms, fingerprint, statements_done, \
             (to_jsonb(r) ->> 'rollback_done')::integer \
             FROM schemaplan.revisions AS r ORDER BY applied_at, id",
            &[],
        )
        .await
        .map_err(|e| db("reading the history table", &e))?;
    rows.iter()
        .map(|r| {
            Ok(Applied {
                id: r.try_get(0).map_err(|e| db("history: id", &e))?,
                parents: r.try_get(1).map_err(|e| db("history: parents", &e))?,
                checksum: r.try_get(2).map_err(|e| db("history: checksum", &e))?,
                message: r.try_get(3).map_err(|e| db("history: message", &e))?,
                applied_at: r.try_get(4).map_err(|e| db("history: applied_at", &e))?,
                applied_by: r.try_get(5).map_err(|e| db("history: applied_by", &e))?,
                duration_ms: r.try_get(6).map_err(|e| db("history: duration_ms", &e))?,
                fingerprint: r.try_get(7).map_err(|e| db("history: fingerprint", &e))?,
                statements_done: r
                    .try_get(8)
                    .map_err(|e| db("history: statements_done", &e))?,
                // Read through to_jsonb: databases whose history table predates the
                // column have none until the next apply or rollback adds it.
                rollback_done: r.try_get(9).map_err(|e| db("history: rollback_done", &e))?,
            })
        })
        .collect()
}

/// A database error with what schemaplan was doing.
pub(crate) fn db(context: &str, e: &tokio_postgres::Error) -> Error {
    let message = match e.as_db_error() {
        Some(d) => match d.detail() {
            Some(detail) => format!("{} ({detail})", d.message()),
            None => d.message().to_string(),
        },
        None => e.to_string(),
    };
    Error::Database {
        context: context.to_string(),
        message,
    }
}
