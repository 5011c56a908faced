//! Dev databases: scratch databases that turn schema files into a Catalog (exact mode).
//!
//! Input: a server (`--dev-url`, `SCHEMAPLAN_DEV_URL`, or the target's server) and
//! ordered statements. Output: a database holding them, to introspect. Scratch
//! databases get a random name (`schemaplan_dev_<16 hex>`) and are recorded in a
//! process-wide registry until dropped, so that [`drop_all_scratch`] can remove them
//! after an error or on Ctrl-C. Never touches any database but the scratch ones it
//! created (and the server's maintenance connection to create and drop them).
//!
//! Loading sends runs of statements in one round trip. Such a run is one implicit
//! transaction, so a statement that cannot share one runs on its own: `CREATE INDEX
//! CONCURRENTLY`-style statements (not allowed in a transaction block) and `ALTER TYPE
//! ... ADD VALUE` (its value cannot be used in the transaction that added it, and
//! PostgreSQL 11 refuses it in a transaction block). When a run fails, nothing of it
//! was kept, and it is run again statement by statement to name the failing one (if
//! each passes alone, as when one transaction would hold too many locks, loading goes
//! on).

pub mod cluster;

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use tokio_postgres::error::SqlState;

use crate::connect::DbUrl;
use crate::error::{Error, Location, Result};
use crate::introspect::introspect;
use crate::model::{quote_ident, Catalog};
use crate::parse::{order_statements, read_sql_source, ScriptStatement, Statement, TransactionUse};

/// Scratch databases created by this process and not dropped yet: name → server URL
/// (the maintenance connection they were created from).
static SCRATCH: LazyLock<Mutex<BTreeMap<String, DbUrl>>> =
    LazyLock::new(|| Mutex::new(BTreeMap::new()));

fn registry() -> std::sync::MutexGuard<'static, BTreeMap<String, DbUrl>> {
    // A panic while holding the lock leaves a map that is still valid: keep using it.
    SCRATCH
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How [`DevDatabase::load_with`] groups statements into round trips.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Most statements sent in one round trip; 1 sends each statement on its own.
    pub max_batch_statements: usize,
    /// Most bytes of SQL sent in one round trip (a batch always holds at least one
    /// statement).
    pub max_batch_bytes: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        // Measured on 20,000 statements (5,000 tables with index, FK, CHECK and
        // comment): batches of 100-500 load about twice as fast as one statement per
        // round trip. 100 keeps the locks one transaction holds (a few per created
        // table, against max_locks_per_transaction) well below the default limit.
        LoadOptions {
            max_batch_statements: 100,
            max_batch_bytes: 1 << 20,
        }
    }
}

/// The `STRATEGY` clause that makes `CREATE DATABASE` cheapest on the server `client`
/// is connected to: ` STRATEGY FILE_COPY` on PostgreSQL 15 and later when the server
/// does not fsync (a throwaway cluster, such as the one exact mode starts itself), and
/// nothing otherwise.
///
/// From 15, the default `WAL_LOG` strategy writes every page of the template through
/// the write-ahead log; `FILE_COPY` copies the files and checkpoints, which costs
/// little when nothing is flushed to disk: 14 ms a database against 74 ms on an idle
/// PostgreSQL 15 with `fsync = off`. With fsync on, the two checkpoints of `FILE_COPY`
/// would flush the whole server, so the default stays. If the setting cannot be read,
/// the default stays too.
pub async fn copy_strategy(client: &tokio_postgres::Client) -> &'static str {
    let query = "SELECT current_setting('server_version_num')::int >= 150000 \
                 AND NOT current_setting('fsync')::bool";
    match client.query_one(query, &[]).await {
        Ok(row) if row.get::<_, bool>(0) => " STRATEGY FILE_COPY",
        _ => "",
    }
}

/// A scratch database created for one run. Dropping the value does not drop the
/// database (that needs the server): call [`DevDatabase::drop_database`], or
/// [`drop_all_scratch`] on the way out.
pub struct DevDatabase {
    server: DbUrl,
    name: String,
    url: DbUrl,
}

impl DevDatabase {
    /// Creates a scratch database with a random name on `server` (`CREATE DATABASE
    /// schemaplan_dev_<16 hex> TEMPLATE template0`) and registers it for
    /// [`drop_all_scratch`].
    pub async fn create(server: &DbUrl) -> Result<DevDatabase> {
        let name = format!("schemaplan_dev_{:016x}", rand::random::<u64>());
        let client = server.connect().await?;
        // Registered before it exists: a Ctrl-C right after CREATE DATABASE returns must
        // still find it. Dropping a database that was never created is harmless.
        registry().insert(name.clone(), server.clone());
        let sql = format!(
            "CREATE DATABASE {} TEMPLATE template0{}",
            quote_ident(&name),
            copy_strategy(&client).await
        );
        if let Err(e) = client.batch_execute(&sql).await {
            registry().remove(&name);
            return Err(Error::Database {
                context: format!("creating scratch database {name} on {}", server.redacted()),
                message: db_message(&e),
            });
        }
        tracing::debug!("created scratch database {name} on {}", server.redacted());
        Ok(DevDatabase {
            url: server.with_dbname(&name),
            server: server.clone(),
            name,
        })
    }

    /// The scratch database's URL.
    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// The scratch database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs the statements, in order, naming the file and line of one that fails
    /// ([`Error::Load`]). Statements are batched with the default [`LoadOptions`].
    pub async fn load(&self, statements: &[Statement]) -> Result<()> {
        self.load_with(statements, &LoadOptions::default()).await
    }

    /// [`DevDatabase::load`] with explicit batching.
    pub async fn load_with(&self, statements: &[Statement], options: &LoadOptions) -> Result<()> {
        let client = self.url.connect().await?;
        // As pg_dump does: function bodies are not checked, so a function need not
        // come after the tables its body reads; notices stay off the terminal.
        client
            .batch_execute("SET check_function_bodies = false; SET client_min_messages = warning")
            .await
            .map_err(|e| Error::Database {
                context: format!("preparing scratch database {}", self.name),
                message: db_message(&e),
            })?;
        let mut session = Session::default();
        let mut i = 0;
        while i < statements.len() {
            let first = &statements[i];
            session.sync(&client, first).await?;
            let end = batch_end(statements, i, options);
            let batch = &statements[i..end];
            if let [only] = batch {
                run_one(&client, only).await?;
            } else {
                let sql: Vec<&str> = batch.iter().map(|s| s.sql.as_str()).collect();
                // "\n;\n": a statement may end in a `--` comment.
                if let Err(e) = client.batch_execute(&sql.join("\n;\n")).await {
                    if e.as_db_error().is_none() {
                        return Err(load_error(first, &e));
                    }
                    for s in batch {
                        run_one(&client, s).await?;
                    }
                    // Every statement passed on its own: the batch failed as a whole
                    // (e.g. too many locks for one transaction), and is now applied.
                    tracing::debug!(
                        "a batch failed ({}) but each statement passed alone",
                        db_message(&e)
                    );
                }
            }
            i = end;
        }
        Ok(())
    }

    /// Runs a migration script's statements (a revision's up section) in order, each on
    /// its own as psql would, naming the file and line of one that fails.
    pub async fn run_script(&self, statements: &[ScriptStatement]) -> Result<()> {
        let client = self.url.connect().await?;
        client
            .batch_execute("SET check_function_bodies = false; SET client_min_messages = warning")
            .await
            .map_err(|e| Error::Database {
                context: format!("preparing scratch database {}", self.name),
                message: db_message(&e),
            })?;
        for s in statements {
            client
                .batch_execute(&s.sql)
                .await
                .map_err(|e| statement_error(&s.location, &s.sql, &e))?;
        }
        Ok(())
    }

    /// Drops the scratch database and unregisters it. Safe after a failed load: other
    /// sessions on it are ended (`WITH (FORCE)`).
    pub async fn drop_database(self) -> Result<()> {
        drop_scratch(&self.server, &self.name).await
    }
}

/// Registers a database this process creates some other way (the copy `apply
/// --rehearse` makes of its target), to be dropped through `server` by
/// [`drop_registered`] or, on Ctrl-C and error paths, [`drop_all_scratch`].
pub fn register_scratch(name: &str, server: &DbUrl) {
    registry().insert(name.to_string(), server.clone());
}

/// Drops a database registered with [`register_scratch`] and forgets it.
pub async fn drop_registered(name: &str, server: &DbUrl) -> Result<()> {
    drop_scratch(server, name).await
}

/// Drops every scratch database this process created and has not dropped yet. The CLI
/// calls it on Ctrl-C and on error paths. Tries all of them, and returns the first
/// error.
pub async fn drop_all_scratch() -> Result<()> {
    let all: Vec<(String, DbUrl)> = registry()
        .iter()
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect();
    let mut first_error = None;
    for (name, server) in all {
        if let Err(e) = drop_scratch(&server, &name).await {
            tracing::warn!("{e}");
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Reads, orders and loads the schema `input` into a new scratch database on
/// `server`. When loading fails, the scratch database is dropped before the error is
/// returned.
pub async fn load_source(
    server: &DbUrl,
    input: impl Into<crate::parse::SchemaInput>,
) -> Result<DevDatabase> {
    let statements = order_statements(read_sql_source(input)?)?;
    ensure_roles(
        server,
        statements.iter().map(|s| (s.sql.as_str(), &s.location)),
    )
    .await?;
    let db = DevDatabase::create(server).await?;
    match db.load(&statements).await {
        Ok(()) => Ok(db),
        Err(e) => {
            let name = db.name.clone();
            if let Err(drop_error) = db.drop_database().await {
                tracing::warn!("could not drop scratch database {name}: {drop_error}");
            }
            Err(e)
        }
    }
}

/// The schema some scripts build, run one after the other on a new scratch database,
/// which is then introspected and dropped.
pub async fn run_scripts(scripts: &[Vec<ScriptStatement>], server: &DbUrl) -> Result<Catalog> {
    ensure_roles(
        server,
        scripts
            .iter()
            .flatten()
            .map(|s| (s.sql.as_str(), &s.location)),
    )
    .await?;
    let scratch = DevDatabase::create(server).await?;
    let result = async {
        for script in scripts {
            scratch.run_script(script).await?;
        }
        introspect(&scratch.url().connect().await?).await
    }
    .await;
    scratch.drop_database().await?;
    result
}

/// Checks that the roles the statements grant to exist on `server` before anything
/// runs: roles are cluster-wide and schemaplan never creates them, except on a
/// throwaway cluster it started, where they are created `NOLOGIN` so that exact mode
/// works on a laptop. A missing role is [`Error::MissingRole`], naming the first
/// statement that names it.
pub async fn ensure_roles<'a>(
    server: &DbUrl,
    statements: impl Iterator<Item = (&'a str, &'a Location)>,
) -> Result<()> {
    let mut named: Vec<(String, &Location)> = Vec::new();
    for (sql, location) in statements {
        for role in crate::parse::roles_named(sql) {
            if !named.iter().any(|(r, _)| *r == role) {
                named.push((role, location));
            }
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let client = server.connect().await?;
    let context = || format!("listing roles on {}", server.redacted());
    let names: Vec<&str> = named.iter().map(|(r, _)| r.as_str()).collect();
    let rows = client
        .query(
            "SELECT rolname::text FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])",
            &[&names],
        )
        .await
        .map_err(|e| Error::Database {
            context: context(),
            message: db_message(&e),
        })?;
    let existing: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let throwaway = cluster::is_throwaway(server);
    for (role, location) in named {
        if existing.contains(&role) {
            continue;
        }
        if !throwaway {
            return Err(Error::MissingRole {
                role,
                location: location.clone(),
                server: server.redacted(),
            });
        }
        let sql = format!("CREATE ROLE {} NOLOGIN", quote_ident(&role));
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| Error::Database {
                context: format!("creating role {role} on the throwaway cluster"),
                message: db_message(&e),
            })?;
        tracing::debug!("created role {role} on the throwaway cluster");
    }
    Ok(())
}

/// The schema `input` (schema files, a directory of them, models) as PostgreSQL
/// makes it: loaded into a scratch database, introspected, dropped.
pub async fn load_catalog(server: &DbUrl, input: &crate::parse::SchemaInput) -> Result<Catalog> {
    let scratch = load_source(server, input).await?;
    let result = async { introspect(&scratch.url().connect().await?).await }.await;
    scratch.drop_database().await?;
    result
}

async fn drop_scratch(server: &DbUrl, name: &str) -> Result<()> {
    let context = || format!("dropping scratch database {name} on {}", server.redacted());
    let client = server.connect().await?;
    let quoted = quote_ident(name);
    let mut attempts = 0;
    loop {
        let forced = client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
            .await;
        let result = match forced {
            // PostgreSQL before 13 has no FORCE: drop plainly, waiting below for the
            // loader's connection to go away.
            Err(e) if e.code() == Some(&SqlState::SYNTAX_ERROR) => {
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
                    .await
            }
            other => other,
        };
        match result {
            Ok(()) => break,
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => {
                return Err(Error::Database {
                    context: context(),
                    message: db_message(&e),
                })
            }
        }
    }
    registry().remove(name);
    tracing::debug!("dropped scratch database {name}");
    Ok(())
}

/// The end (exclusive) of the batch starting at `start`: following statements with the
/// same session settings that may share a transaction, within the limits.
fn batch_end(statements: &[Statement], start: usize, options: &LoadOptions) -> usize {
    let first = &statements[start];
    if first.transaction != TransactionUse::Any {
        return start + 1;
    }
    let mut end = start + 1;
    let mut bytes = first.sql.len();
    while end < statements.len() && end - start < options.max_batch_statements {
        let next = &statements[end];
        bytes += next.sql.len();
        if next.transaction != TransactionUse::Any
            || bytes > options.max_batch_bytes
            || next.search_path != first.search_path
            || next.settings != first.settings
        {
            break;
        }
        end += 1;
    }
    end
}

async fn run_one(client: &tokio_postgres::Client, s: &Statement) -> Result<()> {
    client
        .batch_execute(&s.sql)
        .await
        .map_err(|e| load_error(s, &e))
}

/// The session's search_path and settings, changed only when a statement needs others.
#[derive(Default)]
struct Session {
    search_path: Option<Vec<String>>,
    settings: BTreeMap<String, String>,
}

impl Session {
    async fn sync(&mut self, client: &tokio_postgres::Client, s: &Statement) -> Result<()> {
        let mut sql = String::new();
        if self.search_path.as_ref() != Some(&s.search_path) {
            let list: Vec<String> = s.search_path.iter().map(|p| quote_ident(p)).collect();
            sql.push_str(&format!(
                "SELECT pg_catalog.set_config('search_path', {}, false);\n",
                quote_literal(&list.join(", "))
            ));
        }
        for name in self.settings.keys() {
            if !s.settings.contains_key(name) {
                let parts: Vec<String> = name.split('.').map(quote_ident).collect();
                sql.push_str(&format!("RESET {};\n", parts.join(".")));
            }
        }
        for (name, set) in &s.settings {
            if self.settings.get(name) != Some(set) {
                sql.push_str(set);
                sql.push_str("\n;\n");
            }
        }
        if sql.is_empty() {
            return Ok(());
        }
        client
            .batch_execute(&sql)
            .await
            .map_err(|e| load_error(s, &e))?;
        self.search_path = Some(s.search_path.clone());
        self.settings = s.settings.clone();
        Ok(())
    }
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn load_error(s: &Statement, e: &tokio_postgres::Error) -> Error {
    statement_error(&s.location, &s.sql, e)
}

/// PostgreSQL's refusal of the statement at `location`, as [`Error::Load`].
fn statement_error(
    location: &crate::error::Location,
    sql: &str,
    e: &tokio_postgres::Error,
) -> Error {
    Error::Load(crate::error::Refusal::new(location, sql, e))
}

fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_sql;

    fn ends(sql: &str, options: &LoadOptions) -> Vec<usize> {
        let stmts = parse_sql(std::path::Path::new("t.sql"), sql).unwrap();
        let mut out = Vec::new();
        let mut i = 0;
        while i < stmts.len() {
            i = batch_end(&stmts, i, options);
            out.push(i);
        }
        out
    }

    #[test]
    fn batches_stop_at_statements_that_must_run_alone() {
        let sql = "CREATE TYPE e AS ENUM ('a');\nCREATE TABLE t (a int);\nALTER TYPE e ADD VALUE 'b';\n\
                   CREATE TABLE u (a e DEFAULT 'b');\nCREATE INDEX CONCURRENTLY i ON u (a);\nCREATE TABLE v (a int);";
        assert_eq!(ends(sql, &LoadOptions::default()), [2, 3, 4, 5, 6]);
    }

    #[test]
    fn batches_stop_where_the_search_path_changes() {
        let sql = "CREATE TABLE t (a int);\nSET search_path = app;\nCREATE TABLE u (a int);\nCREATE TABLE v (a int);";
        assert_eq!(ends(sql, &LoadOptions::default()), [1, 3]);
    }

    #[test]
    fn batches_respect_the_limits() {
        let sql = "CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE TABLE c (x int);";
        let one = LoadOptions {
            max_batch_statements: 1,
            ..LoadOptions::default()
        };
        assert_eq!(ends(sql, &one), [1, 2, 3]);
        let small = LoadOptions {
            max_batch_bytes: 30,
            ..LoadOptions::default()
        };
        assert_eq!(ends(sql, &small), [1, 2, 3]);
        assert_eq!(ends(sql, &LoadOptions::default()), [3]);
    }

    #[test]
    fn literals_are_quoted() {
        assert_eq!(quote_literal("\"$user\", it's"), "'\"$user\", it''s'");
    }
}
