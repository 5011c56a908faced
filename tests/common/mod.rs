//! Helpers shared by the integration tests: a fresh database per test on the server at
//! `TEST_DATABASE_URL` (scripts/test.sh starts one when nothing answers there), and
//! insta settings that keep snapshots in the top-level `snapshots/`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The server the tests use.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// `server_url()` with another database name.
pub fn url_for(dbname: &str) -> String {
    let base = server_url();
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h.to_string(), format!("?{q}")),
        None => (base.clone(), String::new()),
    };
    // postgres://user@host:port/db -> replace the path.
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = head[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(head.len());
    format!("{}/{}{}", &head[..path_start], dbname, query)
}

/// Connects to a URL without TLS and drives the connection in the background.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server ({url}): {e}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// A database created for one test and dropped when the value goes away.
pub struct TestDb {
    /// The database's name.
    pub name: String,
    /// A URL to it.
    pub url: String,
}

impl TestDb {
    /// Creates a fresh, empty database with a unique name.
    pub async fn new() -> TestDb {
        let name = format!(
            "sptest_{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let admin = connect(&server_url()).await;
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {name}{}",
                schemaplan::devdb::copy_strategy(&admin).await
            ))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        TestDb {
            url: url_for(&name),
            name,
        }
    }

    /// A new connection to this database.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect(&self.url).await
    }

    /// Runs SQL (several statements allowed) and panics with PostgreSQL's message on error.
    pub async fn exec(&self, sql: &str) {
        let client = self.client().await;
        if let Err(e) = client.batch_execute(sql).await {
            panic!("{}\n--- while running:\n{sql}", db_error(&e));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
        // with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&server_url(), tokio_postgres::NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// How long a test waits for something to happen before it fails: long enough for a
/// loaded 2-core machine, short enough that a hung test says what it waited for.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// How often [`wait_until`] looks again.
const POLL: Duration = Duration::from_millis(20);

/// What a [`wait_until`] condition reports: `bool` (true: it happened) or `Option<T>`
/// (`Some`: it happened, with the value to hand back, e.g. a backend's pid).
pub trait Waited {
    /// What `wait_until` returns once the condition holds.
    type Value;
    /// `Some` once the condition holds.
    fn value(self) -> Option<Self::Value>;
}

impl Waited for bool {
    type Value = ();
    fn value(self) -> Option<()> {
        self.then_some(())
    }
}

impl<T> Waited for Option<T> {
    type Value = T;
    fn value(self) -> Option<T> {
        self
    }
}

/// Checks `condition` every 20 ms until it holds and returns what it reported; panics
/// with "waited {deadline:?} for {what}" when `deadline` passes first. Tests wait for
/// the event they depend on (a lock taken, a query running, a backend gone), never for
/// a fixed time standing in for it.
pub async fn wait_until<W: Waited>(
    what: &str,
    deadline: Duration,
    mut condition: impl AsyncFnMut() -> W,
) -> W::Value {
    let started = Instant::now();
    loop {
        if let Some(value) = condition().await.value() {
            return value;
        }
        assert!(
            started.elapsed() < deadline,
            "waited {deadline:?} for {what}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// The PostgreSQL major version the snapshots in `snapshots/` were taken on. Other
/// versions render some definitions differently (from 16, `pg_get_viewdef` leaves out
/// the table name before a column when the view reads one table), so tests compare
/// their snapshots only on this one and check the rest (round trips, convergence) on
/// every version.
pub const SNAPSHOT_PG_MAJOR: i32 = 15;

/// The major version of the server `client` is connected to (`server_version_num`
/// divided by 10000: 170010 is 17).
pub async fn server_major(client: &tokio_postgres::Client) -> i32 {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("reading server_version_num: {}", db_error(&e)));
    row.get(0)
}

/// The major version of the test server, read once before the trials are made (fixture
/// suites mark the cases the server is too old for as ignored).
pub fn test_server_major() -> i32 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async { server_major(&connect(&server_url()).await).await })
}

/// The PostgreSQL major version a fixture case needs, from a line
/// `-- requires PostgreSQL N: why` in its `from.sql` or `to.sql` (features newer than
/// the oldest supported version: NULLS NOT DISTINCT, SQL-standard function bodies, ...).
pub fn fixture_requires(case: &Path) -> Option<i32> {
    ["from.sql", "to.sql"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(case.join(f)).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| l.trim().strip_prefix("-- requires PostgreSQL "))
                .filter_map(|rest| rest.split(':').next()?.trim().parse::<i32>().ok())
                .collect::<Vec<_>>()
        })
        .max()
}

/// PostgreSQL's message, detail and hint, for test failures.
pub fn db_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_string();
            if let Some(d) = db.detail() {
                s.push_str(&format!("\nDETAIL: {d}"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!("\nHINT: {h}"));
            }
            if let Some(p) = db.position() {
                s.push_str(&format!("\nPOSITION: {p:?}"));
            }
            s
        }
        None => e.to_string(),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// insta settings: snapshots in the top-level `snapshots/`, named without module prefix.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// A copy of the demo (schema/ and plans/) in a temporary directory.
pub fn demo_project() -> tempfile::TempDir {
    project_copy(&root())
}

/// A copy of a project's schema/ and plans/ (e.g. `root().join("examples/blog")`) in a
/// temporary directory.
pub fn project_copy(project: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["schema", "plans"] {
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(project.join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// `schemaplan ARGS --database DB --dev-url <the test server>`, run in `dir`, with
/// nothing from the environment's `DATABASE_URL` and a fixed clock
/// (`SOURCE_DATE_EPOCH`), so revision ids and times are the same on every run.
pub fn command(dir: &Path, db: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemaplan"));
    cmd.args(args)
        .arg("--database")
        .arg(db)
        .arg("--dev-url")
        .arg(server_url())
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .current_dir(dir);
    cmd
}

/// `schemaplan ARGS` run in `dir` with no database from the environment (no
/// `DATABASE_URL`, `PROD_DATABASE_URL` or `SCHEMAPLAN_DEV_URL`) and the variables `env`
/// set: what a laptop with no server configured runs.
pub fn bare(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schemaplan"));
    c.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .env_remove("PROD_DATABASE_URL")
        .current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run schemaplan")
}

/// What the process printed, stdout then stderr.
pub fn both(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// [`command`], run to completion.
pub fn run(dir: &Path, db: &str, args: &[&str]) -> Output {
    command(dir, db, args).output().expect("run schemaplan")
}

/// What the process printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// What the process printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Asserts the exit code (showing both streams when it differs); returns stdout.
#[track_caller]
pub fn exits(o: &Output, code: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// Asserts success; returns stdout.
#[track_caller]
pub fn ok(o: &Output) -> String {
    exits(o, 0)
}

/// Asserts an error exit (2); returns stderr.
#[track_caller]
pub fn fails(o: &Output) -> String {
    exits(o, 2);
    stderr(o)
}

/// Makes sure the cluster-wide roles `names` exist (NOLOGIN), for tests of grants.
/// Roles outlive databases and are shared by every test: they are created when missing
/// (a concurrent creation by another test is fine) and never dropped.
pub async fn ensure_roles(client: &tokio_postgres::Client, names: &[&str]) {
    for name in names {
        let sql = format!(
            "DO $$ BEGIN CREATE ROLE \"{name}\" NOLOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        );
        client
            .batch_execute(&sql)
            .await
            .unwrap_or_else(|e| panic!("creating role {name}: {}", db_error(&e)));
    }
}

// ---- the cases of tests/fixtures/diff, for the suites that run them ----------------

/// The cases of `tests/fixtures/diff` (each a directory with a `to.sql`), sorted.
pub fn diff_cases() -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures/diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/diff")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("to.sql").exists())
        .collect();
    cases.sort();
    cases
}

/// The roles a case grants to (its `roles` file, one per line): roles are cluster-wide,
/// so they are created when missing and never dropped.
pub async fn ensure_case_roles(db: &TestDb, dir: &Path) {
    let names = std::fs::read_to_string(dir.join("roles")).unwrap_or_default();
    let names: Vec<&str> = names
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    ensure_roles(&db.client().await, &names).await;
}

/// Runs `sql` (a whole file) on `db`; the error names `what`.
pub async fn load_sql(db: &TestDb, sql: &str, what: &str) -> Result<(), String> {
    if sql.trim().is_empty() {
        return Ok(());
    }
    db.client()
        .await
        .batch_execute(sql)
        .await
        .map_err(|e| format!("loading {what}: {}", db_error(&e)))
}

/// The catalog of `db`.
pub async fn read_catalog(db: &TestDb) -> Result<schemaplan::model::Catalog, String> {
    schemaplan::introspect::introspect(&db.client().await)
        .await
        .map_err(|e| format!("introspect: {e}"))
}

/// Runs every statement of `plan` on its own, as psql in autocommit mode would; the
/// error names `which` plan, the statement and the whole plan.
pub async fn apply_plan(
    db: &TestDb,
    plan: &schemaplan::render::Plan,
    which: &str,
) -> Result<(), String> {
    let client = db.client().await;
    for stmt in plan.statements() {
        if let Err(e) = client.batch_execute(stmt).await {
            return Err(format!(
                "applying the {which} plan failed at:\n{stmt}\n{}\n--- whole plan:\n{plan}",
                db_error(&e)
            ));
        }
    }
    Ok(())
}

/// One fixture file interpreted offline, ordered as `plan` orders it.
pub fn offline_catalog(dir: &Path, file: &str) -> Result<schemaplan::model::Catalog, String> {
    offline_catalog_for(dir, file, None)
}

/// [`offline_catalog`] for a `target_version` (as `plan` reads schema files for it).
pub fn offline_catalog_for(
    dir: &Path,
    file: &str,
    target_version: Option<u32>,
) -> Result<schemaplan::model::Catalog, String> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let statements = schemaplan::parse::parse_sql(&path, &text).map_err(|e| e.to_string())?;
    let statements = schemaplan::parse::order_statements(statements).map_err(|e| e.to_string())?;
    schemaplan::offline::interpret_for(&statements, target_version)
        .map_err(|e| format!("offline {file}: {e}"))
}

/// One libtest-mimic trial per case of `tests/fixtures/diff`, named after it, running
/// `run(name, dir)`; a case needing a newer server than the test server is ignored.
pub fn diff_case_trials(
    run: fn(&str, &Path) -> Result<(), libtest_mimic::Failed>,
) -> Vec<libtest_mimic::Trial> {
    let major = test_server_major();
    diff_cases()
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let too_old = fixture_requires(&path).is_some_and(|v| major < v);
            libtest_mimic::Trial::test(name.clone(), move || run(&name, &path))
                .with_ignored_flag(too_old)
        })
        .collect()
}

/// A virtual environment with Alembic, SQLAlchemy, psycopg2 and pre-commit from PyPI, kept in
/// target/ between runs and created once per test binary: tests run on parallel
/// threads, and two `python3 -m venv` on one directory collide.
pub fn python_venv() -> PathBuf {
    static VENV: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(create_venv).clone()
}

fn create_venv() -> PathBuf {
    let dir = root().join("target/alembic-venv");
    // The last tool installed: a venv without it is one an older run made.
    let marker = dir.join("bin/pre-commit");
    if !marker.exists() {
        // --clear: a run stopped half way leaves a partial environment.
        let o = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&dir)
            .output()
            .expect("python3 -m venv");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = Command::new(dir.join("bin/pip"))
            .args([
                "install",
                "-q",
                "alembic>=1.13,<2",
                "sqlalchemy>=2,<3",
                "psycopg2-binary>=2.9,<3",
                "pre-commit>=3,<5",
            ])
            .output()
            .expect("pip install");
        assert!(
            o.status.success(),
            "pip install failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    dir
}

/// Writes a hand-made revision into `dir/plans` and returns its id.
pub fn write_revision(
    dir: &Path,
    id: &str,
    parents: &[&str],
    up: &str,
    down: &str,
    transactional: bool,
) -> schemaplan::plan::RevisionId {
    let id = schemaplan::plan::RevisionId(id.to_string());
    let parents: Vec<schemaplan::plan::RevisionId> = parents
        .iter()
        .map(|p| schemaplan::plan::RevisionId(p.to_string()))
        .collect();
    let message = format!("revision {}", id.0);
    let new = schemaplan::plan::NewRevision {
        id: &id,
        parents: &parents,
        message: &message,
        created: "2026-11-24T00:00:00Z",
        fingerprint: "sha256:0",
        hazards: &[],
        renames: &[],
        alembic: &[],
        up,
        down,
    };
    let plans = dir.join("plans");
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::write(
        plans.join(schemaplan::plan::file::file_name(&id, &message)),
        new.render(transactional),
    )
    .unwrap();
    id
}

/// The file in `dir` whose name starts with `prefix` (a revision's id).
#[track_caller]
pub fn file_starting_with(dir: &Path, prefix: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no file {prefix}* in {}", dir.display()))
}

/// Whether `name` (`public.t`, an index, a sequence) exists in `db`.
pub async fn table_exists(db: &TestDb, name: &str) -> bool {
    db.client()
        .await
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .await
        .unwrap()
        .get(0)
}

/// The revisions `db`'s history table records as complete, by id (none without the
/// table).
pub async fn history_ids(db: &TestDb) -> Vec<String> {
    let client = db.client().await;
    match client
        .query(
            "SELECT id FROM schemaplan.revisions WHERE statements_done IS NULL ORDER BY id",
            &[],
        )
        .await
    {
        Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
        Err(_) => Vec::new(),
    }
}
