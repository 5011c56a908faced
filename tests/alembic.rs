//! Adopting a database that a real Alembic project manages: Alembic and SQLAlchemy are
//! installed from PyPI into a virtual environment (kept in target/ between runs), a few
//! revisions with a branch and a merge are generated and applied on a real database,
//! then `schemaplan import-alembic` adopts it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::TestDb;

/// The virtual environment with alembic and SQLAlchemy (shared with the other tests
/// that run real Python).
fn venv() -> PathBuf {
    common::python_venv()
}

#[track_caller]
fn check(o: Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what}:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn alembic(venv: &Path, project: &Path, args: &[&str]) -> String {
    let o = Command::new(venv.join("bin/alembic"))
        .args(args)
        .current_dir(project)
        .output()
        .expect("alembic");
    check(o, &format!("alembic {args:?}"))
}

/// Generates a revision and gives its upgrade and downgrade real SQL.
fn revision(venv: &Path, project: &Path, args: &[&str], up: &str, down: &str) {
    let mut all = vec!["revision"];
    all.extend_from_slice(args);
    alembic(venv, project, &all);
    let id = args[args.iter().position(|a| *a == "--rev-id").unwrap() + 1];
    let versions = project.join("alembic/versions");
    let file = common::file_starting_with(&versions, &format!("{id}_"));
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text
        .replacen("    pass", &format!("    op.execute(\"{up}\")"), 1)
        .replacen("    pass", &format!("    op.execute(\"{down}\")"), 1);
    std::fs::write(file, text).unwrap();
}

/// The test database as SQLAlchemy wants it.
fn sqlalchemy_url(db: &TestDb) -> String {
    let url = schemaplan::connect::DbUrl::parse(&db.url).unwrap();
    format!(
        "postgresql+psycopg2://{}@{}:{}/{}",
        url.user(),
        url.host(),
        url.port(),
        url.dbname()
    )
}

/// An Alembic project whose history is a1, then b1 and c1 on two branches, merged by m1.
fn project(venv: &Path, db: &TestDb) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    alembic(venv, p, &["init", "alembic"]);
    let ini = std::fs::read_to_string(p.join("alembic.ini")).unwrap();
    let ini: String = ini
        .lines()
        .map(|l| {
            if l.starts_with("sqlalchemy.url") {
                format!("sqlalchemy.url = {}\n", sqlalchemy_url(db))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(p.join("alembic.ini"), ini).unwrap();
    revision(
        venv,
        p,
        &["-m", "create users", "--rev-id", "a1"],
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)",
        "DROP TABLE users",
    );
    revision(
        venv,
        p,
        &["-m", "posts", "--rev-id", "b1", "--head", "a1"],
        "CREATE TABLE posts (id bigint PRIMARY KEY, author_id bigint REFERENCES users)",
        "DROP TABLE posts",
    );
    revision(
        venv,
        p,
        &["-m", "tags", "--rev-id", "c1", "--head", "a1", "--splice"],
        "CREATE TABLE tags (name text PRIMARY KEY)",
        "DROP TABLE tags",
    );
    alembic(
        venv,
        p,
        &[
            "merge",
            "-m",
            "merge posts and tags",
            "--rev-id",
            "m1",
            "b1",
            "c1",
        ],
    );
    dir
}

fn schemaplan(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(args)
        .arg("--database")
        .arg(db)
        .arg("--dev-url")
        .arg(common::server_url())
        .env_remove("DATABASE_URL")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .current_dir(dir)
        .output()
        .expect("run schemaplan")
}

#[tokio::test]
async fn a_database_alembic_manages_is_adopted_with_its_history() {
    let venv = venv();
    let db = TestDb::new().await;
    let dir = project(&venv, &db);
    let p = dir.path();
    alembic(&venv, p, &["upgrade", "heads"]);

    let text = check(
        schemaplan(
            p,
            &db.url,
            &["import-alembic", "--versions", "alembic/versions"],
        ),
        "import-alembic",
    );
    assert!(text.contains("Alembic revision m1"), "{text}");
    assert!(text.contains("4 Alembic revision(s)"), "{text}");
    let plans: Vec<PathBuf> = std::fs::read_dir(p.join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(plans.len(), 1);
    let baseline = std::fs::read_to_string(&plans[0]).unwrap();
    for expected in [
        "-- alembic: version m1",
        "-- alembic: m1 <- b1, c1: merge posts and tags",
        "-- alembic: a1 <- <base>: create users",
        "CREATE TABLE public.users",
        "CREATE TABLE public.posts",
        "CREATE TABLE public.tags",
    ] {
        assert!(
            baseline.contains(expected),
            "missing {expected:?}:\n{baseline}"
        );
    }
    assert!(
        !baseline.contains("alembic_version ("),
        "Alembic's own table stays out:\n{baseline}"
    );

    let status = check(schemaplan(p, &db.url, &["status"]), "status");
    assert!(status.contains("pending:  none"), "{status}");
    assert!(status.contains("drift:    no"), "{status}");
    let history = check(schemaplan(p, &db.url, &["history"]), "history");
    let ours = history.find("Baseline adopted from Alembic").unwrap();
    let theirs = history
        .find("m1 <- b1, c1: merge posts and tags  [alembic]")
        .unwrap();
    assert!(ours < theirs, "the Alembic history is below:\n{history}");
    assert!(
        history.contains("a1 <- <base>: create users  [alembic]"),
        "{history}"
    );
    // From now on schemaplan manages it: a new revision applies on top.
    std::fs::create_dir_all(p.join("schema")).unwrap();
    let inspect = check(schemaplan(p, &db.url, &["inspect", &db.url]), "inspect");
    std::fs::write(
        p.join("schema/app.sql"),
        format!("{inspect}\nCREATE TABLE comments (id bigint PRIMARY KEY);\n"),
    )
    .unwrap();
    check(schemaplan(p, &db.url, &["plan", "-m", "comments"]), "plan");
    let applied = check(schemaplan(p, &db.url, &["apply"]), "apply");
    assert!(applied.contains("1 revision(s) applied"), "{applied}");
}

#[tokio::test]
async fn a_database_behind_its_alembic_heads_is_reported() {
    let venv = venv();
    let db = TestDb::new().await;
    let dir = project(&venv, &db);
    let p = dir.path();
    alembic(&venv, p, &["upgrade", "b1"]);
    let o = schemaplan(p, &db.url, &["import-alembic"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("at Alembic revision b1 (posts), not at the head m1 (merge posts and tags)"),
        "{e}"
    );
    assert!(e.contains("alembic upgrade heads"), "{e}");
    assert!(!p.join("plans").exists(), "nothing written");
    let text = check(
        schemaplan(p, &db.url, &["import-alembic", "--force"]),
        "import --force",
    );
    assert!(text.contains("Alembic revision b1"), "{text}");
}
