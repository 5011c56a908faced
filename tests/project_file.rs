//! `schemaplan.toml`: found from a subdirectory, its paths and settings used by every
//! command, a named environment's database URL taken from the variable it names,
//! flags over the file, and unknown keys refused with the file and line.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::TestDb;

fn schemaplan(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
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

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const FILE: &str = r#"# schemaplan's settings for this repository.
schema = "db/schema"
plans = "db/plans"
mode = "offline"
recoverable = true

[env.production]
url_env = "PROD_DATABASE_URL"
mode = "exact"
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schemaplan.toml"), FILE).unwrap();
    std::fs::create_dir_all(dir.path().join("db/schema")).unwrap();
    std::fs::create_dir_all(dir.path().join("app/models")).unwrap();
    std::fs::write(
        dir.path().join("db/schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\nCREATE TABLE tags (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    dir
}

fn revisions(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("db/plans"))
        .map(|r| {
            r.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Run from a subdirectory, `plan` finds the file above, reads `db/schema`, writes
/// into `db/plans`, and plans drops as recoverable; `check` agrees.
#[test]
fn plan_and_check_take_paths_and_settings_from_the_file_above() {
    let dir = project();
    let sub = dir.path().join("app/models");
    let plan = schemaplan(&sub, &["plan", "-m", "init"], &[]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    assert_eq!(revisions(dir.path()).len(), 1, "{}", out(&plan));
    let check = schemaplan(&sub, &["check"], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", out(&check));

    std::fs::write(
        dir.path().join("db/schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n",
    )
    .unwrap();
    let check = schemaplan(&sub, &["check"], &[]);
    assert_eq!(check.status.code(), Some(1), "{}", out(&check));
    let plan = schemaplan(&sub, &["plan", "-m", "drop tags"], &[]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    let texts = revisions(dir.path());
    let drop = texts.iter().find(|t| t.contains("drop tags")).unwrap();
    assert!(drop.contains("data-held"), "{drop}");
    assert!(drop.contains("schemaplan_trash"), "{drop}");

    // A flag wins over the file: --plans elsewhere finds no revisions there.
    let other = schemaplan(&sub, &["history", "--plans", "elsewhere"], &[]);
    assert!(out(&other).contains("no revisions"), "{}", out(&other));
}

/// `--env production` takes the target's URL from the variable the environment names,
/// and `config` says where every setting came from; `apply` uses it.
#[tokio::test]
async fn a_named_environment_reads_its_database_url_from_its_variable() {
    let dir = project();
    let db = TestDb::new().await;
    let plan = schemaplan(dir.path(), &["plan", "-m", "init"], &[]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));

    let config = schemaplan(
        dir.path(),
        &["config", "--env", "production"],
        &[("PROD_DATABASE_URL", &db.url)],
    );
    let text = out(&config);
    assert_eq!(config.status.code(), Some(0), "{text}");
    assert!(text.contains("[env.production]"), "{text}");
    assert!(
        text.contains("PROD_DATABASE_URL (environment or .env)"),
        "{text}"
    );
    assert!(text.contains("mode") && text.contains("exact"), "{text}");
    assert!(
        text.contains("recoverable") && text.contains("true"),
        "{text}"
    );
    assert!(text.contains("db/plans"), "{text}");
    // The flag wins over the file.
    let flagged = schemaplan(
        dir.path(),
        &["config", "--env", "production", "--mode", "offline"],
        &[],
    );
    let text = out(&flagged);
    assert!(
        text.lines()
            .any(|l| l.starts_with("mode") && l.contains("offline") && l.contains("(flag)")),
        "{text}"
    );

    let apply = schemaplan(
        dir.path(),
        &["apply", "--env", "production"],
        &[("PROD_DATABASE_URL", &db.url)],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", out(&apply));
    let tables: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('notes', 'tags')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 2);

    let missing = schemaplan(dir.path(), &["config", "--env", "staging"], &[]);
    assert_eq!(missing.status.code(), Some(2), "{}", out(&missing));
    assert!(
        out(&missing).contains("no [env.staging] (it has: production)"),
        "{}",
        out(&missing)
    );
}

/// A misspelt key is an error naming the file, the line and the key (exit 2); so is
/// a password in the file.
#[test]
fn unknown_keys_and_passwords_are_refused_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schemaplan.toml"),
        "mode = \"offline\"\nrecoverabel = true\n",
    )
    .unwrap();
    let o = schemaplan(dir.path(), &["check"], &[]);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("schemaplan.toml:2:"), "{text}");
    assert!(text.contains("recoverabel"), "{text}");

    std::fs::write(
        dir.path().join("schemaplan.toml"),
        "dev_url = \"postgres://app:hunter2@db/app\"\n",
    )
    .unwrap();
    let o = schemaplan(dir.path(), &["config"], &[]);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("schemaplan.toml:1:"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// With `trash_retention`, `check` against a database warns about data recoverable
/// drops hold for longer than that, naming the command that drops it.
#[tokio::test]
async fn check_warns_about_held_data_older_than_the_retention() {
    let dir = project();
    let toml = dir.path().join("schemaplan.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "recoverable = true\n",
        "recoverable = true\ntrash_retention = \"0s\"\n",
    );
    std::fs::write(&toml, text).unwrap();
    let db = TestDb::new().await;
    let url = [("DATABASE_URL", db.url.as_str())];
    let run = |args: &[&str]| schemaplan(dir.path(), args, &url);
    let ok = |o: Output| {
        assert_eq!(o.status.code(), Some(0), "{}", out(&o));
        out(&o)
    };
    ok(run(&["plan", "-m", "init", "--mode", "offline"]));
    ok(run(&["apply"]));
    let quiet = ok(run(&["check", "--mode", "offline"]));
    assert!(!quiet.contains("trash_retention"), "{quiet}");
    std::fs::write(
        dir.path().join("db/schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n",
    )
    .unwrap();
    ok(run(&["plan", "-m", "drop tags", "--mode", "offline"]));
    ok(run(&["apply", "--allow-hazard", "data-held"]));
    let warned = ok(run(&["check", "--mode", "offline"]));
    assert!(
        warned.contains("older than trash_retention (0s)"),
        "{warned}"
    );
    assert!(warned.contains("table public.tags"), "{warned}");
    assert!(
        warned.contains("schemaplan trash purge --older-than 0s"),
        "{warned}"
    );
}
