//! `schemaplan check`, the pull-request gate: each failure mode with its text and
//! markdown output snapshotted, on a copy of the demo.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn check(dir: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(["check", "--format", format, "--dev-url"])
        .arg(common::server_url())
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .current_dir(dir)
        .output()
        .expect("run schemaplan")
}

/// The output without the line naming the dev server (its port changes from run to
/// run).
fn stable(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.contains("checked in exact"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Runs check in text, markdown and json; asserts exit 1 for each and snapshots the
/// first two.
fn failing(dir: &Path, name: &str) -> serde_json::Value {
    let text = check(dir, "text");
    let markdown = check(dir, "markdown");
    let json = check(dir, "json");
    for o in [&text, &markdown, &json] {
        assert_eq!(
            o.status.code(),
            Some(1),
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!(format!("check_{name}"), stable(&text));
        insta::assert_snapshot!(format!("check_{name}_markdown"), stable(&markdown));
    });
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["ok"], serde_json::json!(false));
    json
}

fn first_revision(dir: &Path) -> std::path::PathBuf {
    std::fs::read_dir(dir.join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap()
}

#[test]
fn the_demo_passes() {
    let dir = common::demo_project();
    let o = check(dir.path(), "text");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stable(&o).contains("in sync"));
}

#[test]
fn a_schema_edited_without_a_plan_shows_the_missing_revision() {
    let dir = common::demo_project();
    let users = dir.path().join("schema/users.sql");
    let text = std::fs::read_to_string(&users).unwrap();
    std::fs::write(
        &users,
        format!("{text}\nCREATE INDEX users_created_at ON users (created_at);\n"),
    )
    .unwrap();
    let json = failing(dir.path(), "out_of_sync");
    assert_eq!(json["findings"][0]["kind"], "out-of-sync");
    assert!(json["findings"][0]["missing_plan"]
        .as_str()
        .unwrap()
        .contains("CREATE INDEX CONCURRENTLY users_created_at ON public.users"));
}

#[test]
fn several_heads_fail_the_check() {
    let dir = common::demo_project();
    let history = schemaplan::plan::dir::load(&dir.path().join("plans")).unwrap();
    let head = history.heads()[0].id.clone();
    for (id, table) in [
        ("20261106080000-aaaaaa", "audit_log"),
        ("20261106090000-bbbbbb", "feature_flags"),
    ] {
        let id = schemaplan::plan::RevisionId(id.into());
        let message = format!("Add {table}");
        let text = schemaplan::plan::NewRevision {
            id: &id,
            parents: std::slice::from_ref(&head),
            message: &message,
            created: "2026-11-06T08:00:00Z",
            fingerprint: "sha256:0",
            hazards: &[],
            renames: &[],
            alembic: &[],
            up: &format!("CREATE TABLE public.{table} (id bigint);"),
            down: &format!("DROP TABLE public.{table};"),
        }
        .render(true);
        std::fs::write(
            dir.path()
                .join("plans")
                .join(schemaplan::plan::file::file_name(&id, &message)),
            text,
        )
        .unwrap();
    }
    let json = failing(dir.path(), "several_heads");
    assert_eq!(json["findings"][0]["kind"], "several-heads");
    assert_eq!(json["findings"][0]["heads"].as_array().unwrap().len(), 2);
}

#[test]
fn an_edited_revision_fails_the_check() {
    let dir = common::demo_project();
    let first = first_revision(dir.path());
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replace("'Everyone who can sign in.'", "'Everyone.'"),
    )
    .unwrap();
    let json = failing(dir.path(), "edited");
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    // The edit also changes what plans/ builds: schema/ no longer matches it.
    assert_eq!(kinds, ["edited", "out-of-sync"]);
}

#[test]
fn a_missing_parent_fails_the_check() {
    let dir = common::demo_project();
    let first = first_revision(dir.path());
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replacen("-- parents: \n", "-- parents: 20261031080000-deadbe\n", 1),
    )
    .unwrap();
    let json = failing(dir.path(), "missing_parent");
    assert_eq!(json["findings"][0]["kind"], "broken-plans");
    assert!(json["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("20261031080000-deadbe"));
}

#[test]
fn verify_proves_the_offline_reading_equal_to_postgresql() {
    for dir in [common::root(), common::root().join("examples/yaml-project")] {
        let o = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
            .args(["check", "--verify", "--mode", "offline", "--dev-url"])
            .arg(common::server_url())
            .env_remove("DATABASE_URL")
            .env_remove("SCHEMAPLAN_DEV_URL")
            .current_dir(&dir)
            .output()
            .expect("run schemaplan");
        let out = String::from_utf8_lossy(&o.stdout);
        // The YAML project has no plans yet: out of sync (exit 1) but verified.
        assert!(
            out.contains("checked in offline mode")
                && out.contains("verified: the offline reading"),
            "{}: {out}\n{}",
            dir.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!out.contains("differs from PostgreSQL's"), "{out}");
    }
}

/// Objects schemaplan does not manage in the desired schema: listed (text warns, json
/// lists them) and accepted by default; `--strict` fails on them.
#[test]
fn strict_fails_on_unmanaged_objects() {
    let dir = common::demo_project();
    std::fs::write(
        dir.path().join("schema/extra.sql"),
        "CREATE OPERATOR FAMILY public.fam USING btree;\n",
    )
    .unwrap();
    let json = check(dir.path(), "json");
    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        json["unmanaged"],
        serde_json::json!(["operator family public.fam USING btree"])
    );
    let text = check(dir.path(), "text");
    assert!(
        String::from_utf8_lossy(&text.stderr).contains("public.fam"),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );

    let strict = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(["check", "--strict", "--format", "json", "--dev-url"])
        .arg(common::server_url())
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(json["findings"][0]["kind"], "unmanaged");
    assert_eq!(
        json["findings"][0]["objects"],
        serde_json::json!(["operator family public.fam USING btree"])
    );
}
