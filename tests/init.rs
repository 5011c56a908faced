//! `schemaplan init`: a new project's files that the other commands then work in, a
//! second init refused; `init --from-alembic` on hand-written Alembic layouts naming the
//! SQLAlchemy models (or a TODO when it cannot tell), and adopting a database Alembic
//! manages when one is configured.

mod common;

use std::path::Path;
use std::process::Output;

use common::TestDb;

use common::{bare as schemaplan, both as out};

#[track_caller]
fn ok(o: Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    out(&o)
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// `init` (with `-C`) creates the project; `config` and `plan` work in it with no
/// database; a second `init` refuses to overwrite schemaplan.toml (exit 2) and changes
/// nothing.
#[test]
fn init_creates_a_project_the_other_commands_work_in() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("app");
    std::fs::create_dir(&p).unwrap();
    let text = ok(schemaplan(dir.path(), &["-C", "app", "init"], &[]));
    for made in ["schema/", "plans/", "schemaplan.toml", ".env.example"] {
        assert!(text.contains(&format!("created {made}")), "{text}");
    }
    assert!(p.join("schema").is_dir() && p.join("plans").is_dir());
    assert_eq!(std::fs::read_dir(p.join("schema")).unwrap().count(), 0);
    let env = read(p.join(".env.example"));
    assert!(
        env.contains("DATABASE_URL=postgresql://app@localhost:5432/app"),
        "{env}"
    );
    assert!(
        env.contains(".pgpass") && env.contains("committed"),
        "{env}"
    );
    // The CI job runs the gate as a pull-request comment.
    assert!(
        text.contains("schemaplan check --format markdown"),
        "{text}"
    );
    assert!(text.contains("gh pr comment"), "{text}");

    let config = ok(schemaplan(&p, &["config"], &[]));
    assert!(config.contains("schemaplan.toml"), "{config}");
    assert!(!config.contains("none (schemaplan.toml"), "{config}");

    std::fs::write(
        p.join("schema/users.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    )
    .unwrap();
    ok(schemaplan(&p, &["plan", "-m", "first"], &[]));
    let plans: Vec<_> = std::fs::read_dir(p.join("plans")).unwrap().collect();
    assert_eq!(plans.len(), 1);
    ok(schemaplan(&p, &["check"], &[]));

    let toml = read(p.join("schemaplan.toml"));
    let again = schemaplan(&p, &["init"], &[]);
    assert_eq!(again.status.code(), Some(2), "{}", out(&again));
    assert!(
        out(&again).contains("schemaplan.toml exists: init does not overwrite it"),
        "{}",
        out(&again)
    );
    assert_eq!(read(p.join("schemaplan.toml")), toml);
}

/// Existing schema/ and plans/ are kept with what they hold, as is .env.example.
#[test]
fn init_keeps_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::create_dir_all(p.join("plans")).unwrap();
    std::fs::write(p.join("schema/t.sql"), "CREATE TABLE t (id int);\n").unwrap();
    std::fs::write(
        p.join(".env.example"),
        "DATABASE_URL=postgresql://me@db/x\n",
    )
    .unwrap();
    let text = ok(schemaplan(p, &["init"], &[]));
    assert!(text.contains("kept schema/ (already there)"), "{text}");
    assert!(text.contains("kept plans/ (already there)"), "{text}");
    assert!(text.contains("kept .env.example (already there)"), "{text}");
    assert!(text.contains("created schemaplan.toml"), "{text}");
    assert_eq!(read(p.join("schema/t.sql")), "CREATE TABLE t (id int);\n");
    assert_eq!(
        read(p.join(".env.example")),
        "DATABASE_URL=postgresql://me@db/x\n"
    );
}

/// A hand-written Alembic layout: alembic.ini, `<script_location>/env.py` and a
/// versions directory with one revision.
fn alembic_layout(dir: &Path, script_location: &str, env_py: &str) {
    std::fs::write(
        dir.join("alembic.ini"),
        format!(
            "[alembic]\n# path to migration scripts\nscript_location = {script_location}\n\
             sqlalchemy.url = driver://user:pass@localhost/dbname\n\n[loggers]\nkeys = root\n"
        ),
    )
    .unwrap();
    let scripts = dir.join(script_location.replace("%(here)s/", ""));
    std::fs::create_dir_all(scripts.join("versions")).unwrap();
    std::fs::write(scripts.join("env.py"), env_py).unwrap();
    std::fs::write(
        scripts.join("versions/a1b2c3_create_users.py"),
        "\"\"\"create users\n\nRevision ID: a1b2c3\nRevises:\n\"\"\"\n\
         revision = 'a1b2c3'\ndown_revision = None\n",
    )
    .unwrap();
}

const ENV_PY: &str = "from logging.config import fileConfig\n\
    from alembic import context\n\
    from app.models import Base\n\n\
    config = context.config\n\
    target_metadata = Base.metadata\n";

/// `init --from-alembic` without a database names the models in schemaplan.toml,
/// prints the command that adopts the database later and the three-command path.
#[test]
fn from_alembic_writes_the_models_as_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    alembic_layout(p, "alembic", ENV_PY);
    let text = ok(schemaplan(p, &["init", "--from-alembic"], &[]));
    let toml = read(p.join("schemaplan.toml"));
    assert!(
        toml.contains("\n[[source]]\nsqlalchemy = \"app.models:Base\"\n"),
        "{toml}"
    );
    ok(schemaplan(p, &["config"], &[]));
    assert!(text.contains("app.models:Base"), "{text}");
    assert!(
        text.contains("run later: schemaplan import-alembic\n"),
        "{text}"
    );
    for step in [
        "schemaplan init --from-alembic",
        "schemaplan plan -m",
        "schemaplan apply",
    ] {
        assert!(text.contains(step), "{text}");
    }
    assert!(p.join("schema").is_dir() && p.join("plans").is_dir());

    // The second command of the path: the models are the schema, read by the
    // project's own virtual environment (`.venv`, found without being named), with no
    // database.
    std::fs::create_dir_all(p.join("app")).unwrap();
    std::fs::write(p.join("app/__init__.py"), "").unwrap();
    std::fs::write(
        p.join("app/models.py"),
        "from sqlalchemy import String\n\
         from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\
         class Base(DeclarativeBase):\n    pass\n\n\
         class User(Base):\n    __tablename__ = \"users\"\n\
         \x20   id: Mapped[int] = mapped_column(primary_key=True)\n\
         \x20   email: Mapped[str] = mapped_column(String(255), unique=True)\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(common::python_venv(), p.join(".venv")).unwrap();
    ok(schemaplan(p, &["plan", "-m", "first"], &[]));
    let revisions: Vec<String> = std::fs::read_dir(p.join("plans"))
        .unwrap()
        .map(|e| read(e.unwrap().path()))
        .collect();
    assert_eq!(revisions.len(), 1);
    assert!(
        revisions[0].contains("email character varying(255) NOT NULL"),
        "{}",
        revisions[0]
    );
}

/// An env.py whose metadata cannot be read as text: the source is written commented
/// out under a TODO, stderr says so, and the file still reads.
#[test]
fn from_alembic_leaves_a_todo_when_it_cannot_tell() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    alembic_layout(
        p,
        "%(here)s/migrations",
        "from app import create_app\n\ntarget_metadata = create_app().db.metadata\n",
    );
    let o = schemaplan(p, &["init", "--from-alembic"], &[]);
    let text = ok(o);
    assert!(
        text.contains("warning: cannot tell the SQLAlchemy models from migrations/env.py"),
        "{text}"
    );
    assert!(
        text.contains("run later: schemaplan import-alembic --versions migrations/versions"),
        "{text}"
    );
    let toml = read(p.join("schemaplan.toml"));
    assert!(toml.contains("# TODO"), "{toml}");
    assert!(toml.contains("create_app().db.metadata"), "{toml}");
    assert!(toml.contains("# [[source]]\n# sqlalchemy = "), "{toml}");
    assert!(!toml.contains("\n[[source]]"), "{toml}");
    ok(schemaplan(p, &["config"], &[]));
}

/// No alembic.ini: exit 2, saying where it looked, and nothing written.
#[test]
fn from_alembic_needs_alembic_ini() {
    let dir = tempfile::tempdir().unwrap();
    let o = schemaplan(dir.path(), &["init", "--from-alembic"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("no alembic.ini"), "{}", out(&o));
    assert!(!dir.path().join("schemaplan.toml").exists());
}

/// With a database Alembic manages (its alembic_version at the head), `init
/// --from-alembic` adopts it as `import-alembic` does: a baseline revision from the live
/// schema, marked applied.
#[tokio::test]
async fn from_alembic_adopts_a_configured_database() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    alembic_layout(p, "alembic", ENV_PY);
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
         INSERT INTO alembic_version VALUES ('a1b2c3');
         CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);",
    )
    .await;
    let url = [("DATABASE_URL", db.url.as_str())];
    let text = ok(schemaplan(p, &["init", "--from-alembic"], &url));
    assert!(text.contains("Alembic revision a1b2c3"), "{text}");
    assert!(text.contains("as applied"), "{text}");
    let plans: Vec<_> = std::fs::read_dir(p.join("plans"))
        .unwrap()
        .map(|e| read(e.unwrap().path()))
        .collect();
    assert_eq!(plans.len(), 1);
    assert!(
        plans[0].contains("CREATE TABLE public.users"),
        "{}",
        plans[0]
    );
    // Marked applied (schemaplan.toml now has [[source]], which this branch does not
    // read yet: the history table is asked directly rather than `schemaplan status`).
    let message: String = db
        .client()
        .await
        .query_one("SELECT message FROM schemaplan.revisions", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(message, "Baseline adopted from Alembic");
}
