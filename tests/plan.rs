//! `schemaplan plan -m`: revision files written from what plans/ builds to what schema/
//! declares, on a real dev server.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn schemaplan(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemaplan"));
    cmd.args(args)
        .arg("--dev-url")
        .arg(common::server_url())
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .env_remove("SOURCE_DATE_EPOCH")
        .current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run schemaplan")
}

fn revisions(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn the_demo_schema_and_plans_are_in_sync() {
    let root = common::root();
    let out = schemaplan(&root, &["plan", "-m", "nothing", "--stdout"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(common::stdout(&out), "");
    assert!(
        common::stderr(&out).contains("nothing to plan"),
        "{}",
        common::stderr(&out)
    );
    // The same through diff, with plans/ as a source.
    let out = schemaplan(
        &root,
        &["diff", "--from", "plans", "--to", "schema", "--exit-code"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
}

#[test]
fn a_schema_change_becomes_the_next_revision() {
    let project = common::demo_project();
    let dir = project.path();
    let before = revisions(dir);
    let head = schemaplan::plan::dir::load(&dir.join("plans")).unwrap();
    let head_id = head.heads()[0].id.clone();
    let users = dir.join("schema/users.sql");
    let sql = std::fs::read_to_string(&users)
        .unwrap()
        .replace("    bio text,\n", "    bio text,\n    phone text,\n");
    std::fs::write(&users, sql).unwrap();

    let out = schemaplan(dir, &["plan", "-m", "Add a phone number"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let after = revisions(dir);
    assert_eq!(after.len(), before.len() + 1);
    let new = after.iter().find(|p| !before.contains(p)).unwrap();
    assert!(new
        .file_name()
        .unwrap()
        .to_string_lossy()
        .ends_with("_add_a_phone_number.sql"));
    let written = std::fs::read_to_string(new).unwrap();
    assert_eq!(common::stdout(&out), written, "prints what it writes");
    assert!(
        common::stderr(&out).contains("wrote plans/"),
        "{}",
        common::stderr(&out)
    );
    let r = schemaplan::plan::file::parse(new, &written).unwrap();
    assert_eq!(r.parents, vec![head_id]);
    assert_eq!(r.message, "Add a phone number");
    assert!(!r.is_edited());
    let up = r.up().unwrap();
    assert_eq!(up.len(), 1, "{written}");
    assert_eq!(up[0].sql, "ALTER TABLE public.users ADD COLUMN phone text");
    assert_eq!(
        r.down().unwrap()[0].sql,
        "ALTER TABLE public.users DROP COLUMN phone"
    );

    // Planning again finds nothing.
    let again = schemaplan(dir, &["plan", "-m", "again"], &[]);
    assert_eq!(again.status.code(), Some(0), "{}", common::stderr(&again));
    assert_eq!(revisions(dir).len(), after.len());
}

#[test]
fn the_same_input_gives_a_byte_identical_revision() {
    let project = common::demo_project();
    let dir = project.path();
    std::fs::write(
        dir.join("schema/extra.sql"),
        "CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);\n",
    )
    .unwrap();
    let env = [("SOURCE_DATE_EPOCH", "1795500000")];
    let a = schemaplan(dir, &["plan", "-m", "audit", "--stdout"], &env);
    let b = schemaplan(dir, &["plan", "-m", "audit", "--stdout"], &env);
    assert_eq!(a.status.code(), Some(0), "{}", common::stderr(&a));
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
    // --stdout writes nothing.
    assert_eq!(revisions(dir).len(), revisions(&common::root()).len());
}

/// Writes a revision file on `parent` whose up section is `up` (down: `down`).
pub fn write_branch(
    dir: &Path,
    id: &str,
    parent: &str,
    message: &str,
    up: &str,
    down: &str,
) -> PathBuf {
    let id = schemaplan::plan::RevisionId(id.to_string());
    let parents = vec![schemaplan::plan::RevisionId(parent.to_string())];
    let text = schemaplan::plan::NewRevision {
        id: &id,
        parents: &parents,
        message,
        created: "2026-11-06T08:00:00Z",
        fingerprint: "sha256:unknown",
        hazards: &[],
        renames: &[],
        alembic: &[],
        up,
        down,
    }
    .render(true);
    let path = dir
        .join("plans")
        .join(schemaplan::plan::file::file_name(&id, message));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn several_heads_are_refused_with_the_command_that_merges_them() {
    let project = common::demo_project();
    let dir = project.path();
    let history = schemaplan::plan::dir::load(&dir.join("plans")).unwrap();
    let head = history.heads()[0].id.0.clone();
    // Two branches on the same parent, touching different objects: `merge` joins them.
    write_branch(
        dir,
        "20261106080000-aaaaaa",
        &head,
        "Add audit log",
        "CREATE TABLE public.audit_log (id bigint);",
        "DROP TABLE public.audit_log;",
    );
    write_branch(
        dir,
        "20261106090000-bbbbbb",
        &head,
        "Add settings",
        "CREATE TABLE public.settings (key text);",
        "DROP TABLE public.settings;",
    );
    let out = schemaplan(dir, &["plan", "-m", "x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("has 2 heads"), "{err}");
    assert!(
        err.contains("20261106080000-aaaaaa (Add audit log)"),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("run `schemaplan merge` to join them"),
        "{err}"
    );
}

#[test]
fn a_malformed_revision_names_its_file_and_line() {
    let project = common::demo_project();
    let dir = project.path();
    let first = revisions(dir)[0].clone();
    let broken = std::fs::read_to_string(&first)
        .unwrap()
        .replace("-- created:", "-- craeted:");
    std::fs::write(&first, broken).unwrap();
    let out = schemaplan(dir, &["plan", "-m", "x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let name = first.file_name().unwrap().to_string_lossy().to_string();
    assert_eq!(
        common::stderr(&out).trim(),
        format!("error: plans/{name}:5:1: unknown header key \"craeted\"")
    );
}

#[test]
fn a_missing_parent_is_refused() {
    let project = common::demo_project();
    let dir = project.path();
    std::fs::remove_file(&revisions(dir)[0]).unwrap();
    let out = schemaplan(dir, &["plan", "-m", "x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains(":3:1: parent revision 20261101080000-97bca7 is not in plans"),
        "{err}"
    );
}
