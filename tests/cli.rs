//! The `schemaplan` binary as a user runs it: exit codes, what goes to stdout and
//! stderr, errors for bad input, determinism, and that a password never shows.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::TestDb;

fn schemaplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run schemaplan")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn fixture(rel: &str) -> String {
    common::root()
        .join("tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

/// stderr with the repository path and the scratch database name made stable.
fn normalized(o: &Output) -> String {
    let root = common::root().display().to_string();
    let text = stderr(o).replace(&root, "<repo>");
    text.lines()
        .map(|l| {
            if let Some(i) = l.find("schemaplan_dev_") {
                format!("{}schemaplan_dev_<random>{}", &l[..i], &l[i + 31..])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn demo() -> String {
    common::root().join("schema").display().to_string()
}

#[tokio::test]
async fn diff_of_the_demo_from_nothing_creates_everything() {
    let dev = common::server_url();
    let out = schemaplan(&["diff", "--to", &demo(), "--dev-url", &dev]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sql = stdout(&out);
    assert!(sql.contains("CREATE TABLE public.users ("), "{sql}");
    assert!(
        sql.contains("CREATE VIEW public.published_posts AS"),
        "{sql}"
    );
    // The plan loads as it is into an empty database and leaves nothing to do.
    let db = TestDb::new().await;
    db.exec(&sql).await;
    let again = schemaplan(&[
        "diff",
        "--from",
        &db.url,
        "--to",
        &demo(),
        "--exit-code",
        "--dev-url",
        &dev,
    ]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    assert_eq!(stdout(&again), "");
}

#[tokio::test]
async fn exit_code_reports_differences() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int)").await;
    let dev = common::server_url();
    let out = schemaplan(&[
        "diff",
        "--from",
        &db.url,
        "--to",
        &demo(),
        "--exit-code",
        "--dev-url",
        &dev,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("DROP TABLE public.t;"));
    // Without --exit-code, differences are not an error.
    let out = schemaplan(&[
        "diff",
        "--from",
        &db.url,
        "--to",
        &demo(),
        "--dev-url",
        &dev,
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[tokio::test]
async fn json_lists_steps_with_sql_reverse_and_hazards() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int, note text)").await;
    let target = TestDb::new().await;
    target.exec("CREATE TABLE t (id bigint)").await;
    let out = schemaplan(&[
        "diff",
        "--from",
        &db.url,
        "--to",
        &target.url,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let steps = v["steps"].as_array().expect("steps");
    let drop = steps
        .iter()
        .find(|s| s["kind"] == "drop-column")
        .expect("a drop-column step");
    assert_eq!(drop["object"], "column public.t.note");
    assert_eq!(drop["hazards"], serde_json::json!(["data-loss"]));
    assert_eq!(drop["sql"][0], "ALTER TABLE public.t DROP COLUMN note");
    assert_eq!(
        drop["reverse"][0],
        "ALTER TABLE public.t ADD COLUMN note text"
    );
    let alter = steps
        .iter()
        .find(|s| s["kind"] == "alter-column")
        .expect("alter");
    assert_eq!(
        alter["hazards"],
        serde_json::json!(["table-rewrite", "access-exclusive-lock"])
    );
    assert!(v["from"]
        .as_str()
        .unwrap()
        .starts_with("postgres://postgres@"));
}

#[test]
fn shuffled_files_give_a_byte_identical_plan() {
    let dev = common::server_url();
    let reference = schemaplan(&["diff", "--to", &demo(), "--dev-url", &dev]);
    assert_eq!(reference.status.code(), Some(0), "{}", stderr(&reference));
    let files: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = std::fs::read_dir(demo())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    // Other names, another order, nested directories, all statements in one file.
    type Layout<'a> = Box<dyn Fn(&Path) + 'a>;
    let layouts: Vec<Layout> = vec![
        Box::new(|dir: &Path| {
            for (i, f) in files.iter().rev().enumerate() {
                std::fs::copy(
                    f,
                    dir.join(format!(
                        "{i:02}_{}",
                        f.file_name().unwrap().to_string_lossy()
                    )),
                )
                .unwrap();
            }
        }),
        Box::new(|dir: &Path| {
            for (i, f) in files.iter().enumerate() {
                let sub = dir.join(format!("z{}/a{}", files.len() - i, i));
                std::fs::create_dir_all(&sub).unwrap();
                std::fs::copy(f, sub.join("schema.sql")).unwrap();
            }
        }),
        Box::new(|dir: &Path| {
            let mut all = String::new();
            for f in files.iter().rev() {
                all.push_str(&std::fs::read_to_string(f).unwrap());
                all.push('\n');
            }
            std::fs::write(dir.join("everything.sql"), all).unwrap();
        }),
    ];
    for layout in layouts {
        let dir = tempfile::tempdir().unwrap();
        layout(dir.path());
        let out = schemaplan(&[
            "diff",
            "--to",
            &dir.path().display().to_string(),
            "--dev-url",
            &dev,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), stdout(&reference), "layout gave another plan");
    }
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let out = schemaplan(&[
        "diff",
        "--to",
        &fixture("cli/syntax_error"),
        "--dev-url",
        &common::server_url(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("cli__syntax_error", normalized(&out)));
}

#[test]
fn dml_in_a_schema_file_is_refused() {
    let out = schemaplan(&[
        "diff",
        "--to",
        &fixture("cli/insert"),
        "--dev-url",
        &common::server_url(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    common::snapshot_settings().bind(|| insta::assert_snapshot!("cli__insert", normalized(&out)));
}

#[tokio::test]
async fn a_statement_postgres_refuses_names_its_file_and_line() {
    let out = schemaplan(&[
        "diff",
        "--to",
        &fixture("cli/load_error"),
        "--dev-url",
        &common::server_url(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("cli__load_error", normalized(&out)));
    // The scratch database is gone.
    let admin = common::connect(&common::server_url()).await;
    let left: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'schemaplan_dev_%' AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    // Other tests create scratch databases concurrently; none of ours may linger idle.
    assert!(left <= 8, "{left} scratch databases left behind");
}

#[test]
fn an_unreachable_server_is_one_line_and_never_shows_the_password() {
    let out = schemaplan(&[
        "diff",
        "--from",
        "postgresql+asyncpg://app:Sup3rS3cretPw@127.0.0.1:1/app",
        "--to",
        &demo(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains("Sup3rS3cretPw"), "{err}");
    assert!(!stdout(&out).contains("Sup3rS3cretPw"));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot connect to PostgreSQL at 127.0.0.1:1: "),
        "{err}"
    );
}

#[test]
fn a_malformed_url_is_refused_without_echoing_it() {
    let out = schemaplan(&[
        "diff",
        "--from",
        "postgres://app:Sup3rS3cretPw@db:notaport/app",
        "--to",
        &demo(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains("Sup3rS3cretPw"), "{err}");
    assert!(err.starts_with("error: invalid database URL"), "{err}");
}

#[test]
fn a_source_that_is_neither_url_nor_path() {
    let out = schemaplan(&["diff", "--to", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "error: \"no/such/dir\" is neither a database URL (postgres://...) nor an existing .sql file or directory"
    );
}

#[test]
fn exact_mode_without_a_dev_server_uses_a_throwaway_cluster_and_removes_it() {
    let before = throwaway_dirs();
    let out = schemaplan(&["diff", "--to", &demo(), "--mode", "exact"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("CREATE TABLE public.users ("));
    let left: Vec<_> = throwaway_dirs().difference(&before).cloned().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The README's main command: `plan` in the repository root, offline, on a machine
/// with no PostgreSQL at all (PATH holds nothing of it, no server answers).
#[test]
fn the_main_command_runs_offline_without_postgresql() {
    let empty_path = tempfile::tempdir().unwrap();
    let run = |dir: &std::path::Path, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_schemaplan"))
            .args(args)
            .env_clear()
            .env("PATH", empty_path.path())
            .env("HOME", empty_path.path())
            .current_dir(dir)
            .output()
            .expect("run schemaplan")
    };
    let out = run(&common::root(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("planning in offline mode"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("nothing to plan"), "{}", stderr(&out));
    // --quiet: nothing but results and errors.
    let out = run(&common::root(), &["plan", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let out = run(&common::root(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("checked in offline mode"),
        "{}",
        stdout(&out)
    );
    // A change to schema/ is planned offline too.
    let project = common::demo_project();
    std::fs::write(
        project.path().join("schema/audit.sql"),
        "CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());\n",
    )
    .unwrap();
    let out = run(project.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("CREATE TABLE public.audit_log"),
        "{}",
        stdout(&out)
    );
    let out = run(project.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "out of sync: {}", stdout(&out));
}

/// The README's main command: `plan` in examples/blog (the demo with an edit to
/// schema/ not yet planned), offline: the next revision with its hazards and its down
/// section, printed and not written. `check` there fails: the edit has no revision.
#[test]
fn the_blog_example_plans_its_pending_edit_offline() {
    let empty = tempfile::tempdir().unwrap();
    let blog = common::root().join("examples/blog");
    // No database anywhere: nothing from the environment, no PostgreSQL on PATH. A
    // fixed clock makes the revision id and time the same on every run.
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_schemaplan"))
            .args(args)
            .env_clear()
            .env("PATH", empty.path())
            .env("HOME", empty.path())
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .current_dir(&blog)
            .output()
            .expect("run schemaplan")
    };
    let revisions = || std::fs::read_dir(blog.join("plans")).unwrap().count();
    let before = revisions();

    let out = run(&["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("planning in offline mode"),
        "{}",
        stderr(&out)
    );
    let revision = stdout(&out);
    let (up, down) = revision
        .split_once("-- schemaplan:down\n")
        .unwrap_or_else(|| panic!("no down section in\n{revision}"));
    assert!(
        up.contains("\n-- hazards: data-loss, table-rewrite, access-exclusive-lock, full-scan, not-reversible\n"),
        "the header names the hazards: {up}"
    );
    assert!(up.contains("\n-- transaction: none\n"), "{up}");
    for expected in [
        "-- hazards: data-loss\nALTER TABLE public.users DROP COLUMN bio;",
        "-- hazards: table-rewrite, access-exclusive-lock\n",
        "ALTER TABLE public.posts ALTER COLUMN title TYPE character varying(200);",
        "ALTER TABLE public.users ADD COLUMN email_verified boolean DEFAULT false NOT NULL;",
        "ALTER TABLE public.posts ADD COLUMN editor_id bigint;",
        "ADD CONSTRAINT posts_editor_id_fkey FOREIGN KEY (editor_id) REFERENCES public.users (id) ON DELETE SET NULL NOT VALID;",
        "-- hazards: full-scan\nALTER TABLE public.posts VALIDATE CONSTRAINT posts_editor_id_fkey;",
        "CREATE INDEX CONCURRENTLY comments_author_idx ON public.comments USING btree (author_id);",
        // The view reads posts.title: dropped before the type change, created after.
        "DROP VIEW public.published_posts;",
        "CREATE VIEW public.published_posts AS",
    ] {
        assert!(up.contains(expected), "missing {expected:?} in the up section:\n{up}");
    }
    for expected in [
        "DROP INDEX CONCURRENTLY public.comments_author_idx;",
        "ALTER TABLE public.posts DROP CONSTRAINT posts_editor_id_fkey;",
        "-- hazards: data-loss\nALTER TABLE public.posts DROP COLUMN editor_id;",
        "-- hazards: data-loss\nALTER TABLE public.users DROP COLUMN email_verified;",
        "ALTER TABLE public.users ADD COLUMN bio text;",
        "ALTER TABLE public.posts ALTER COLUMN title TYPE text;",
        "CREATE VIEW public.published_posts AS",
    ] {
        assert!(
            down.contains(expected),
            "missing {expected:?} in the down section:\n{down}"
        );
    }
    common::snapshot_settings().bind(|| insta::assert_snapshot!("cli__blog_plan", revision));
    assert_eq!(revisions(), before, "plan without -m writes nothing");

    let out = run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "out of sync: {}", stdout(&out));
    assert!(stdout(&out).contains("out of sync"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("ALTER TABLE public.users DROP COLUMN bio;"),
        "check shows the missing revision: {}",
        stdout(&out)
    );
}

/// The throwaway clusters' directories that exist now.
fn throwaway_dirs() -> std::collections::BTreeSet<PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("schemaplan-pg-")
        })
        .collect()
}

#[tokio::test]
async fn ctrl_c_drops_the_scratch_database() {
    let dir = tempfile::tempdir().unwrap();
    // Creating a materialized view runs its query: this one keeps the load busy.
    std::fs::write(
        dir.path().join("slow.sql"),
        "CREATE MATERIALIZED VIEW slow AS SELECT 1 AS one FROM pg_sleep(30);",
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args([
            "diff",
            "--to",
            &dir.path().display().to_string(),
            "--dev-url",
            &common::server_url(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let admin = common::connect(&common::server_url()).await;
    let find = "SELECT datname::text FROM pg_stat_activity \
                WHERE query LIKE '%pg_sleep(30)%' AND datname LIKE 'schemaplan_dev_%'";
    let mut scratch = None;
    for _ in 0..200 {
        if let Some(row) = admin.query_opt(find, &[]).await.unwrap() {
            scratch = Some(row.get::<_, String>(0));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let scratch = scratch.expect("the load never started");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    let exists: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&scratch],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(exists, 0, "{scratch} is still there");
}

#[tokio::test]
async fn unmanaged_objects_are_named_in_a_warning() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE FOREIGN DATA WRAPPER dummy_fdw; CREATE SERVER dummy_srv FOREIGN DATA WRAPPER dummy_fdw;
         CREATE FOREIGN TABLE remote_things (id int) SERVER dummy_srv;
         CREATE TYPE float_span AS RANGE (subtype = float8);
         CREATE TABLE t (id int); CREATE RULE t_no_delete AS ON DELETE TO t DO INSTEAD NOTHING;",
    )
    .await;
    let out = schemaplan(&["diff", "--from", &db.url, "--to", &db.url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("float_span"), "{err}");
    // Servers, wrappers, foreign tables and rules are managed: the same database on both
    // sides, nothing to say about them.
    assert!(!err.contains("t_no_delete"), "{err}");
    assert!(!err.contains("dummy_srv"), "{err}");
    assert!(!err.contains("remote_things"), "{err}");
    assert_eq!(stdout(&out), "");
}

#[tokio::test]
async fn inspect_prints_sql_that_loads_back() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE \"Weird Name\" (\"select\" int PRIMARY KEY, \"naïve\" text)")
        .await;
    let out = schemaplan(&["inspect", &db.url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let copy = TestDb::new().await;
    copy.exec(&stdout(&out)).await;
    let check = schemaplan(&["diff", "--from", &copy.url, "--to", &db.url, "--exit-code"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
}

#[tokio::test]
async fn inspect_refuses_to_overwrite_without_force() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int)").await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().display().to_string();
    let first = schemaplan(&["inspect", &db.url, "--out", &out_dir]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(dir.path().join("public.sql").exists());
    let second = schemaplan(&["inspect", &db.url, "--out", &out_dir]);
    assert_eq!(second.status.code(), Some(2));
    assert!(stderr(&second).contains("--force"), "{}", stderr(&second));
    let forced = schemaplan(&["inspect", &db.url, "--out", &out_dir, "--force", "--split"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(!dir.path().join("public.sql").exists());
    assert!(dir.path().join("public/tables/t.sql").exists());
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(["diff", "--to", &demo(), "--dev-url", &common::server_url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe, as `| head -c1` would.
    let mut out = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    let _ = out.read(&mut byte);
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `inspect --format json` prints the whole catalog (keys that are not strings, a
/// trigger's (relation, name), become `[key, value]` pairs).
#[tokio::test]
async fn inspect_json_prints_the_catalog() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE t (id int PRIMARY KEY);
         CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
         CREATE TRIGGER tt BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();",
    )
    .await;
    let out = schemaplan(&["inspect", &db.url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(
        v["tables"][0][0],
        serde_json::json!({"schema": "public", "name": "t"})
    );
    assert_eq!(v["triggers"][0][0][1], "tt");
    assert_eq!(v["triggers"][0][1]["name"], "tt");
}
