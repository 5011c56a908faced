//! Divergent heads made the way teams make them: a git repository, two branches that
//! each run `schemaplan plan`, a git merge. Then `heads`, `merge`, `plan` and `apply`
//! across branches, on real PostgreSQL.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{exits, stderr, TestDb};

fn git(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git");
    o
}

#[track_caller]
fn git_ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn schemaplan(dir: &Path, args: &[&str], epoch: u64, db: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemaplan"));
    cmd.args(args)
        .arg("--dev-url")
        .arg(common::server_url())
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .current_dir(dir);
    if let Some(db) = db {
        cmd.arg("--database").arg(db);
    }
    cmd.output().expect("run schemaplan")
}

const BASE_USERS: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100));\n";
const BASE_CARTS: &str =
    "CREATE TABLE carts (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\n";
const BASE_TYPES: &str = "CREATE TYPE mood AS ENUM ('ok', 'meh');\n";

/// A repository on main with one revision creating users, carts and an enum; `a` and
/// `b` are branches off it, each with its own change to schema/ and its own revision.
/// Returns after `git merge a` then `git merge b` on main (schema/ may conflict: the
/// caller decides what to do about it).
fn diverged(files_a: &[(&str, &str)], files_b: &[(&str, &str)]) -> (tempfile::TempDir, bool) {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git_ok(dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.join("schema")).unwrap();
    std::fs::create_dir_all(dir.join("plans")).unwrap();
    std::fs::write(dir.join("schema/users.sql"), BASE_USERS).unwrap();
    std::fs::write(dir.join("schema/carts.sql"), BASE_CARTS).unwrap();
    std::fs::write(dir.join("schema/types.sql"), BASE_TYPES).unwrap();
    exits(
        &schemaplan(dir, &["plan", "-m", "base"], 1_790_000_000, None),
        0,
    );
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "base"]);
    for (branch, files, epoch) in [("a", files_a, 1_790_000_100), ("b", files_b, 1_790_000_200)] {
        git_ok(dir, &["checkout", "-q", "-b", branch, "main"]);
        for (name, text) in files {
            std::fs::write(dir.join("schema").join(name), text).unwrap();
        }
        let msg = format!("branch {branch}");
        exits(&schemaplan(dir, &["plan", "-m", &msg], epoch, None), 0);
        git_ok(dir, &["add", "-A"]);
        git_ok(dir, &["commit", "-q", "-m", &msg]);
    }
    git_ok(dir, &["checkout", "-q", "main"]);
    git_ok(dir, &["merge", "-q", "--no-edit", "a"]);
    let clean = git(dir, &["merge", "-q", "--no-edit", "b"])
        .status
        .success();
    (repo, clean)
}

/// Two branches touching different files: one adds a column to users, one adds tags.
fn disjoint() -> (tempfile::TempDir, bool) {
    diverged(
        &[(
            "users.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), name text);\n",
        )],
        &[(
            "tags.sql",
            "CREATE TABLE tags (id bigint PRIMARY KEY, label text);\n",
        )],
    )
}

fn plan_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("plans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn disjoint_branches_merge_cleanly_and_apply_across_branches() {
    let (repo, clean) = disjoint();
    assert!(
        clean,
        "the git merge is clean: the branches touch different files"
    );
    let dir = repo.path();
    let before = plan_files(dir);
    assert_eq!(before.len(), 3);

    // Staging deployed branch a before main got both.
    let db = TestDb::new().await;
    let a_head = before
        .iter()
        .find(|f| f.contains("branch_a"))
        .unwrap()
        .split('_')
        .next()
        .unwrap()
        .to_string();
    let staged = schemaplan(
        dir,
        &["apply", "--to", &a_head],
        1_790_000_300,
        Some(&db.url),
    );
    assert!(exits(&staged, 0).contains("2 revision(s) applied"));

    let heads = exits(&schemaplan(dir, &["heads"], 1_790_000_300, None), 0);
    assert!(heads.contains("2 heads, forked from"), "{heads}");
    assert!(
        heads.contains("branch a") && heads.contains("branch b"),
        "{heads}"
    );

    let refused = schemaplan(dir, &["plan", "-m", "more"], 1_790_000_300, None);
    assert!(
        stderr(&refused).contains("schemaplan merge"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(refused.status.code(), Some(2));
    let refused = schemaplan(dir, &["apply"], 1_790_000_300, Some(&db.url));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("run `schemaplan merge`"),
        "{}",
        stderr(&refused)
    );

    let merged = schemaplan(dir, &["merge"], 1_790_000_400, None);
    exits(&merged, 0);
    let after = plan_files(dir);
    assert_eq!(after.len(), 4, "a merge revision was written");
    let merge_file = after.iter().find(|f| !before.contains(f)).unwrap();
    let text = std::fs::read_to_string(dir.join("plans").join(merge_file)).unwrap();
    let heads_line = text.lines().find(|l| l.starts_with("-- parents:")).unwrap();
    assert_eq!(
        heads_line.matches(", ").count(),
        1,
        "two parents: {heads_line}"
    );
    let up = text
        .split("-- schemaplan:up")
        .nth(1)
        .unwrap()
        .split("-- schemaplan:down")
        .next()
        .unwrap();
    assert!(
        up.trim().is_empty(),
        "the merge revision's body is empty: {up}"
    );

    let one = exits(&schemaplan(dir, &["heads"], 1_790_000_500, None), 0);
    assert_eq!(one.lines().count(), 1, "{one}");
    let nothing = schemaplan(dir, &["plan", "-m", "nothing"], 1_790_000_500, None);
    assert!(
        stderr(&nothing).contains("nothing to plan"),
        "{}",
        stderr(&nothing)
    );

    // Staging now gets main: branch b's revision and the merge revision only.
    let applied = exits(
        &schemaplan(dir, &["apply"], 1_790_000_600, Some(&db.url)),
        0,
    );
    assert!(applied.contains("2 revision(s) applied"), "{applied}");
    assert!(applied.contains("branch b"), "{applied}");
    assert!(!applied.contains("  branch a ("), "{applied}");
    let graph = exits(
        &schemaplan(dir, &["history", "--graph"], 1_790_000_600, None),
        0,
    );
    let shape: String = graph
        .lines()
        .map(|l| l.split("  2").next().unwrap_or("").trim_end().to_string() + "\n")
        .collect();
    assert_eq!(shape, "*\n|\\\n| *\n* |\n|/\n*\n", "{graph}");
}

/// Runs `merge` in a conflicting repository: exit 1, nothing written; returns the text
/// and markdown reports.
fn conflict_reports(dir: &Path) -> (String, String, serde_json::Value) {
    let before = plan_files(dir);
    let text = exits(&schemaplan(dir, &["merge"], 1_790_000_400, None), 1);
    let markdown = exits(
        &schemaplan(dir, &["merge", "--format", "markdown"], 1_790_000_400, None),
        1,
    );
    let json = exits(
        &schemaplan(dir, &["merge", "--format", "json"], 1_790_000_400, None),
        1,
    );
    assert_eq!(plan_files(dir), before, "merge wrote nothing");
    (text, markdown, serde_json::from_str(&json).unwrap())
}

/// The report with each revision id's hash replaced by `[hash]`: ids hash the revision's
/// text, which any change to rendering moves, while the report's shape is what the
/// snapshot is for.
fn redact_ids(report: &str) -> String {
    let mut out = String::with_capacity(report.len());
    let mut rest = report;
    while let Some(i) = rest.find('-') {
        let (head, tail) = rest.split_at(i);
        let digits = head.len() >= 14
            && head.as_bytes()[head.len() - 14..]
                .iter()
                .all(u8::is_ascii_digit);
        let hash = tail[1..]
            .bytes()
            .take_while(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            .count();
        out.push_str(head);
        if digits && hash == 6 {
            out.push_str("-[hash]");
            rest = &tail[1 + hash..];
        } else {
            out.push('-');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Takes one side of every conflicting schema file (`--ours`: main, which has branch
/// a; `--theirs`: branch b), as a user resolving the git conflict would.
fn resolve(dir: &Path, side: &str) {
    git_ok(dir, &["checkout", side, "--", "schema"]);
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "--no-edit"]);
}

#[tokio::test]
async fn the_same_column_altered_differently_is_a_conflict_resolved_by_plan() {
    let (repo, clean) = diverged(
        &[(
            "users.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(320));\n",
        )],
        &[(
            "users.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        )],
    );
    assert!(!clean, "git sees the text conflict in schema/users.sql");
    let dir = repo.path();
    // Branch a's varchar(320) wins; replaying a then b ends at text.
    resolve(dir, "--ours");
    let (text, markdown, json) = conflict_reports(dir);
    assert!(text.contains("public.users.email"), "{text}");
    assert_eq!(json["conflicts"].as_array().unwrap().len(), 1, "{json}");
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("merge_conflict_column_types", redact_ids(&text));
        insta::assert_snapshot!(
            "merge_conflict_column_types_markdown",
            redact_ids(&markdown)
        );
    });

    // After the user settles schema/, plan writes the merge revision.
    let before = plan_files(dir);
    exits(
        &schemaplan(dir, &["plan", "-m", "reconcile"], 1_790_000_500, None),
        0,
    );
    let after = plan_files(dir);
    assert_eq!(after.len(), before.len() + 1);
    let new = after.iter().find(|f| !before.contains(f)).unwrap();
    let revision = std::fs::read_to_string(dir.join("plans").join(new)).unwrap();
    let parents = revision
        .lines()
        .find(|l| l.starts_with("-- parents:"))
        .unwrap();
    assert_eq!(parents.matches(", ").count(), 1, "{parents}");
    assert!(
        revision
            .contains("ALTER TABLE public.users ALTER COLUMN email TYPE character varying(320)"),
        "{revision}"
    );
    // And the whole history applies to a real database, ending at schema/.
    let db = TestDb::new().await;
    // text to varchar(320) rewrites users: the gate wants consent.
    let gated = schemaplan(dir, &["apply"], 1_790_000_600, Some(&db.url));
    assert!(
        stderr(&gated).contains("--allow-hazard table-rewrite"),
        "{}",
        stderr(&gated)
    );
    exits(
        &schemaplan(
            dir,
            &["apply", "--allow-hazard", "table-rewrite"],
            1_790_000_600,
            Some(&db.url),
        ),
        0,
    );
    let check = schemaplan(
        dir,
        &["diff", "--from", &db.url, "--to", "schema", "--exit-code"],
        1_790_000_600,
        None,
    );
    exits(&check, 0);
}

#[test]
fn a_dropped_table_that_the_other_branch_alters_is_a_conflict() {
    let (repo, _) = diverged(
        &[("carts.sql", "")],
        &[(
            "carts.sql",
            "CREATE TABLE carts (id bigint PRIMARY KEY, user_id bigint REFERENCES users, total numeric);\n",
        )],
    );
    let dir = repo.path();
    resolve(dir, "--theirs");
    let (text, _, json) = conflict_reports(dir);
    assert!(text.contains("public.carts"), "{text}");
    assert!(text.contains("dropped"), "{text}");
    assert!(!json["conflicts"].as_array().unwrap().is_empty());
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("merge_conflict_drop_vs_alter", redact_ids(&text));
    });
}

#[test]
fn the_same_new_column_with_different_types_is_a_conflict() {
    let (repo, _) = diverged(
        &[(
            "users.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), age integer);\n",
        )],
        &[(
            "users.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), age text);\n",
        )],
    );
    let dir = repo.path();
    resolve(dir, "--theirs");
    let (text, _, _) = conflict_reports(dir);
    assert!(text.contains("public.users.age"), "{text}");
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("merge_conflict_same_new_column", redact_ids(&text));
    });
}

#[test]
fn the_same_enum_value_added_on_both_branches_is_a_conflict() {
    let (repo, _) = diverged(
        &[(
            "types.sql",
            "CREATE TYPE mood AS ENUM ('ok', 'meh', 'great');\n",
        )],
        &[(
            "types.sql",
            "CREATE TYPE mood AS ENUM ('ok', 'meh', 'great');\n",
        )],
    );
    let dir = repo.path();
    let (text, _, _) = conflict_reports(dir);
    assert!(text.contains("public.mood"), "{text}");
    assert!(text.contains("great"), "{text}");
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("merge_conflict_same_enum_value", redact_ids(&text));
    });
}

/// Issue 15, defect 5: one branch drops carts, the other adds a column to it in a file
/// of its own. The git merge is clean, and schema/ now alters a table that no longer
/// exists; `merge` still reports the conflict from plans/ alone, in every format.
#[test]
fn a_dropped_table_altered_in_another_file_is_reported_not_an_error() {
    let (repo, clean) = diverged(
        &[("carts.sql", "")],
        &[(
            "carts_total.sql",
            "ALTER TABLE carts ADD COLUMN total numeric;\n",
        )],
    );
    assert!(clean, "the branches touch different files");
    let dir = repo.path();
    let schema = std::fs::read_to_string(dir.join("schema/carts_total.sql")).unwrap();
    assert!(schema.contains("ALTER TABLE carts"), "{schema}");
    let (text, markdown, json) = conflict_reports(dir);
    assert!(text.contains("public.carts"), "{text}");
    assert!(markdown.contains("public.carts"), "{markdown}");
    let conflicts = json["conflicts"].as_array().unwrap();
    assert!(
        conflicts
            .iter()
            .any(|c| c.to_string().contains("public.carts")),
        "{json}"
    );
}

/// After a clean merge, a desired schema that cannot be read (here a statement with a
/// syntax error someone left in) does not stop `merge`: it joins the heads, says in a
/// note why the schema was not compared, and exits 0.
#[test]
fn a_clean_merge_with_an_unreadable_schema_joins_the_heads_with_a_note() {
    let (repo, clean) = disjoint();
    assert!(clean, "the branches touch different files");
    let dir = repo.path();
    std::fs::write(dir.join("schema/broken.sql"), "CREATE TABLE (;\n").unwrap();
    let before = plan_files(dir).len();
    let merged = schemaplan(dir, &["merge"], 1_790_000_300, None);
    let err = stderr(&merged);
    assert_eq!(merged.status.code(), Some(0), "{err}");
    assert!(err.contains("note:"), "{err}");
    assert!(err.contains("could not be read"), "{err}");
    assert!(err.contains("broken.sql"), "{err}");
    assert_eq!(plan_files(dir).len(), before + 1, "the merge revision");
    let heads = exits(&schemaplan(dir, &["heads"], 1_790_000_400, None), 0);
    assert!(!heads.contains("2 heads"), "{heads}");
}
