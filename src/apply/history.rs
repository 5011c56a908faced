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

/// The history of one tenant schema: its rows of `schemaplan.tenant_revisions`, which
/// has the columns of `schemaplan.revisions` and the schema they belong to.
pub const CREATE_TENANT: &str = "\
CREATE TABLE IF NOT EXISTS schemaplan.tenant_revisions (
    target_schema text NOT NULL,
    LIKE schemaplan.revisions INCLUDING DEFAULTS,
    PRIMARY KEY (target_schema, id)
);
COMMENT ON TABLE schemaplan.tenant_revisions IS 'Revisions applied by schemaplan to tenant schemas; one row per schema and revision.'";

/// The transaction lock taken while a tenant run creates the history tables: "schemapc"
/// as a big-endian integer (not the apply lock's key).
const CREATE_KEY: i64 = 0x7363_6865_6d61_7063;

/// Whose history a run reads and writes: the database's own (`schemaplan.revisions`)
/// or one tenant schema's (its rows of `schemaplan.tenant_revisions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger<'a> {
    /// The tenant schema; `None`: the database.
    pub tenant: Option<&'a str>,
}

impl Ledger<'_> {
    /// The table the rows are in.
    pub fn table(&self) -> &'static str {
        match self.tenant {
            None => "schemaplan.revisions",
            Some(_) => "schemaplan.tenant_revisions",
        }
    }

    /// A condition to append to a `WHERE` that keeps only this history's rows
    /// (`AND target_schema = '...'`; empty for the database's own).
    pub fn and_mine(&self) -> String {
        match self.tenant {
            None => String::new(),
            Some(t) => format!(" AND target_schema = {}", literal(t)),
        }
    }

    /// The columns before `id` in an insert and the key of its `ON CONFLICT`, and their
    /// values: `target_schema, ` and `'tenant_42', ` for a tenant.
    pub fn key_columns(&self) -> (&'static str, String) {
        match self.tenant {
            None => ("", String::new()),
            Some(t) => ("target_schema, ", format!("{}, ", literal(t))),
        }
    }

    /// Removes revision `$1` from this history.
    pub fn delete_sql(&self) -> String {
        format!(
            "DELETE FROM {} WHERE id = $1{}",
            self.table(),
            self.and_mine()
        )
    }

    /// The statements that create the table when it is missing. Runs on tenant schemas
    /// of one database at once create it in one transaction each, one after the other
    /// (a transaction lock): `IF NOT EXISTS` alone does not stop two from racing.
    pub fn create(&self) -> String {
        match self.tenant {
            None => CREATE.to_string(),
            Some(_) => format!(
                "BEGIN;\nSELECT pg_advisory_xact_lock({CREATE_KEY});\n{CREATE};\n{CREATE_TENANT};\nCOMMIT"
            ),
        }
    }
}

/// A string as an SQL literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

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
pub async fn read(client: &Client, ledger: Ledger<'_>) -> Result<Vec<Applied>> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&ledger.table()])
        .await
        .map_err(|e| db("reading the history table", &e))?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, parents, checksum, message, \
         to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
         applied_by, duration_ms, fingerprint, statements_done, \
         (to_jsonb(r) ->> 'rollback_done')::integer \
         FROM {} AS r WHERE true{} ORDER BY applied_at, id",
        ledger.table(),
        ledger.and_mine()
    );
    let rows = client
        .query(sql.as_str(), &[])
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
