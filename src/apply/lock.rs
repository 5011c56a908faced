//! The apply lock: a session advisory lock on the target database, so two deploys never
//! run revisions at the same time. Taken with `pg_try_advisory_lock` in a loop, so the
//! wait is bounded without cancelling a blocked query, and the holder can be named.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::history::db;
use super::Observer;
use crate::error::{Error, Result};

/// The advisory lock key: "schemapl" as a big-endian integer. Advisory locks are per
/// database, so runs on different databases of one server do not wait for each other.
const KEY: i64 = 0x7363_6865_6d61_706c;

/// How often the lock is tried while another run holds it.
const POLL: Duration = Duration::from_millis(200);

/// A held lock; release it with [`Lock::release`] (the server also releases it when
/// the session ends, e.g. when the process is killed).
pub struct Lock(i64);

/// The key of a tenant schema's lock: runs on different tenant schemas of one database
/// go on side by side, two on the same schema wait for each other. The first eight
/// bytes of a SHA-256, so it is the same in every schemaplan build.
fn tenant_key(schema: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("schemaplan tenant {schema}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 32 bytes"))
}

/// Takes the lock (the database's, or `tenant`'s), waiting up to `wait` for another
/// run to let go.
pub async fn acquire(
    client: &Client,
    tenant: Option<&str>,
    wait: Duration,
    observer: &mut dyn Observer,
) -> Result<Lock> {
    let key = tenant.map_or(KEY, tenant_key);
    let started = Instant::now();
    let mut told = false;
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .await
            .map_err(|e| db("taking the apply lock", &e))?
            .get(0);
        if got {
            if told {
                tracing::info!(
                    waited_ms = started.elapsed().as_millis() as u64,
                    "got the apply lock"
                );
            }
            return Ok(Lock(key));
        }
        if !told {
            let holder = holder(client, key).await;
            let why = format!(
                "waiting for the apply lock{}",
                holder
                    .as_deref()
                    .map(|h| format!(", held by {h}"))
                    .unwrap_or_default()
            );
            tracing::info!("{why}");
            observer.waiting(&why);
            told = true;
        }
        if started.elapsed() >= wait {
            return Err(Error::LockWait {
                waited_secs: started.elapsed().as_secs(),
                holder: holder(client, key).await,
            });
        }
        tokio::time::sleep(POLL.min(wait.saturating_sub(started.elapsed()))).await;
    }
}

impl Lock {
    /// Lets go of the lock. A failure is only logged: the session's end releases it too.
    pub async fn release(self, client: &Client) {
        if let Err(e) = client
            .query_one("SELECT pg_advisory_unlock($1)", &[&self.0])
            .await
        {
            tracing::warn!("releasing the apply lock: {e}");
        }
    }
}

/// Who holds the lock: `pid 4242 (schemaplan, since 12:00:01)`.
async fn holder(client: &Client, key: i64) -> Option<String> {
    let row = client
        .query_opt(
            "SELECT a.pid, coalesce(nullif(a.application_name, ''), a.usename::text, '?'), \
                    to_char(a.backend_start, 'HH24:MI:SS') \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted \
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND ((l.classid::bigint << 32) | l.objid::bigint) = $1 \
             LIMIT 1",
            &[&key],
        )
        .await
        .ok()??;
    let pid: i32 = row.get(0);
    let app: String = row.get(1);
    let since: Option<String> = row.get(2);
    Some(format!(
        "pid {pid} ({app}{})",
        since
            .map(|s| format!(", connected since {s}"))
            .unwrap_or_default()
    ))
}
