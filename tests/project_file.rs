//! `schemaplan.toml`: found from a subdirectory, its paths and settings used by every
//! command, a named environment's database URL taken from the variable it names,
//! flags over the file, and unknown keys refused with the file and line.

mod common;

use std::path::Path;
use std::process::Output;

use common::TestDb;

use common::{bare as schemaplan, both as out};

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
    // Even when the flag names the default: `--plans plans` is ./plans, not the file's.
    let typed = schemaplan(dir.path(), &["history", "--plans", "plans"], &[]);
    assert!(out(&typed).contains("no revisions"), "{}", out(&typed));
    let from_file = schemaplan(dir.path(), &["history"], &[]);
    assert!(out(&from_file).contains("drop tags"), "{}", out(&from_file));
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
    // The file holding `text` refused by `command` (exit 2) at `line`; the message.
    let refused = |text: &str, command: &str, line: usize| {
        std::fs::write(dir.path().join("schemaplan.toml"), text).unwrap();
        let o = schemaplan(dir.path(), &[command], &[]);
        let message = out(&o);
        assert_eq!(o.status.code(), Some(2), "{message}");
        assert!(
            message.contains(&format!("schemaplan.toml:{line}:")),
            "{message}"
        );
        message
    };
    let text = refused("mode = \"offline\"\nrecoverabel = true\n", "check", 2);
    assert!(text.contains("recoverabel"), "{text}");
    let text = refused("dev_url = \"postgres://app:hunter2@db/app\"\n", "config", 1);
    assert!(!text.contains("hunter2"), "{text}");
    // An unknown hazard, even in an environment not chosen; a duration that is none.
    let text = refused(
        "mode = \"offline\"\n\n[env.production]\nallow_hazards = [\"data-lost\"]\n",
        "config",
        4,
    );
    assert!(text.contains("unknown hazard \"data-lost\""), "{text}");
    let text = refused("lock_timeout = \"soon\"\n", "apply", 1);
    assert!(text.contains("\"soon\""), "{text}");
}

/// The line `config` prints for a setting.
fn config_line<'a>(text: &'a str, setting: &str) -> &'a str {
    text.lines()
        .find(|l| l.split_whitespace().next() == Some(setting))
        .unwrap_or_else(|| panic!("no {setting} in:\n{text}"))
}

/// `allow_hazards` in `[env.production]` lets `apply --env production` run a
/// data-loss revision that plain `apply` refuses; `config` shows each apply setting
/// and whether the top level or the environment set it.
#[tokio::test]
async fn an_environment_allows_the_hazards_it_lists() {
    let dir = project();
    std::fs::write(
        dir.path().join("schemaplan.toml"),
        r#"schema = "db/schema"
plans = "db/plans"
mode = "offline"
lock_wait = "30s"

[env.production]
allow_hazards = ["data-loss"]
lock_timeout = "2s"
lock_retries = 1
online = false
"#,
    )
    .unwrap();
    let db = TestDb::new().await;
    let url = [("DATABASE_URL", db.url.as_str())];
    let run = |args: &[&str]| schemaplan(dir.path(), args, &url);
    let plan = run(&["plan", "-m", "init"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    let apply = run(&["apply"]);
    assert_eq!(apply.status.code(), Some(0), "{}", out(&apply));
    std::fs::write(
        dir.path().join("db/schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n",
    )
    .unwrap();
    let plan = run(&["plan", "-m", "drop tags"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));

    let refused = run(&["apply"]);
    assert_eq!(refused.status.code(), Some(2), "{}", out(&refused));
    assert!(out(&refused).contains("data-loss"), "{}", out(&refused));
    let applied = run(&["apply", "--env", "production"]);
    assert_eq!(applied.status.code(), Some(0), "{}", out(&applied));
    let tags: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'tags'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tags, 0);

    let config = run(&["config", "--env", "production"]);
    let text = out(&config);
    assert_eq!(config.status.code(), Some(0), "{text}");
    let env = "schemaplan.toml [env.production])";
    let line = config_line(&text, "allow_hazards");
    assert!(
        line.contains("[\"data-loss\"]") && line.ends_with(env),
        "{line}"
    );
    let line = config_line(&text, "lock_timeout");
    assert!(line.contains("2s") && line.ends_with(env), "{line}");
    let line = config_line(&text, "lock_retries");
    assert!(line.contains('1') && line.ends_with(env), "{line}");
    let line = config_line(&text, "online");
    assert!(line.contains("false") && line.ends_with(env), "{line}");
    let line = config_line(&text, "lock_wait");
    assert!(
        line.contains("30s") && line.ends_with("schemaplan.toml)"),
        "{line}"
    );
    let line = config_line(&text, "statement_timeout");
    assert!(
        line.contains("none") && line.ends_with("(default)"),
        "{line}"
    );
    let line = config_line(&text, "log_format");
    assert!(
        line.contains("text") && line.ends_with("(default)"),
        "{line}"
    );
}

/// A flag wins over the file even when it says what the default says: with
/// `lock_timeout = "1ms"` in the file a statement queued behind another session's lock
/// fails at once, and `--lock-timeout 5s` (the default) waits for the lock instead.
/// Likewise `--log-format text` over `log_format = "json"`.
#[tokio::test]
async fn a_flag_equal_to_the_default_still_wins_over_the_file() {
    let dir = project();
    std::fs::write(
        dir.path().join("schemaplan.toml"),
        r#"schema = "db/schema"
plans = "db/plans"
mode = "offline"
lock_timeout = "1ms"
lock_retries = 0
log_format = "json"
"#,
    )
    .unwrap();
    let db = TestDb::new().await;
    let url = [("DATABASE_URL", db.url.as_str())];
    let run = |args: &[&str]| schemaplan(dir.path(), args, &url);
    let plan = run(&["plan", "-m", "init"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    let apply = run(&["apply"]);
    assert_eq!(apply.status.code(), Some(0), "{}", out(&apply));
    // Operations are logged when stderr is not a terminal: here as JSON lines.
    let log = String::from_utf8_lossy(&apply.stderr).to_string();
    assert!(log.lines().any(|l| l.starts_with("{\"")), "{log}");

    let config = run(&["config", "--log-format", "text"]);
    let line = config_line(&out(&config), "log_format").to_string();
    assert!(line.contains("text") && line.ends_with("(flag)"), "{line}");
    let config = run(&["config"]);
    let line = config_line(&out(&config), "log_format").to_string();
    assert!(
        line.contains("json") && line.ends_with("schemaplan.toml)"),
        "{line}"
    );

    std::fs::write(
        dir.path().join("db/schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text, title text);\nCREATE TABLE tags (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    let plan = run(&["plan", "-m", "title"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));

    // Another session reads notes in an open transaction: ALTER TABLE queues behind it.
    let holder = db.client().await;
    holder
        .batch_execute("BEGIN; LOCK TABLE notes IN ACCESS SHARE MODE")
        .await
        .unwrap();
    let failed = run(&["apply"]);
    assert_eq!(failed.status.code(), Some(2), "{}", out(&failed));
    assert!(out(&failed).contains("lock"), "{}", out(&failed));

    let waiting = std::process::Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(["apply", "--lock-timeout", "5s", "--log-format", "text"])
        .env_remove("SCHEMAPLAN_DEV_URL")
        .env("DATABASE_URL", &db.url)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let watcher = db.client().await;
    common::wait_until(
        "apply to wait for the lock on notes",
        common::PATIENCE,
        async || {
            watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .unwrap()
                .get::<_, i64>(0)
                > 0
        },
    )
    .await;
    holder.batch_execute("COMMIT").await.unwrap();
    let waited = waiting.wait_with_output().unwrap();
    assert_eq!(waited.status.code(), Some(0), "{}", out(&waited));
    let log = String::from_utf8_lossy(&waited.stderr).to_string();
    assert!(!log.lines().any(|l| l.starts_with("{\"")), "{log}");
    let title: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM information_schema.columns \
             WHERE table_name = 'notes' AND column_name = 'title'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(title, 1);
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

/// `online = false` plans blocking DDL (for a maintenance window); `--online` wins over
/// it, and `--no-online` over the default.
#[test]
fn online_in_the_file_chooses_the_ddl_forms() {
    let dir = project();
    let toml = dir.path().join("schemaplan.toml");
    std::fs::write(
        &toml,
        "schema = \"db/schema\"\nplans = \"db/plans\"\nmode = \"offline\"\nonline = false\n",
    )
    .unwrap();
    let plan = schemaplan(dir.path(), &["plan", "-m", "init"], &[]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    std::fs::write(
        dir.path().join("db/schema/app.sql"),
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\nCREATE INDEX notes_body ON notes (body);\nCREATE TABLE tags (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    let preview = |args: &[&str]| {
        let o = schemaplan(dir.path(), args, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", out(&o));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let blocking = preview(&["plan"]);
    assert!(blocking.contains("CREATE INDEX notes_body"), "{blocking}");
    assert!(!blocking.contains("CONCURRENTLY"), "{blocking}");
    let online = preview(&["plan", "--online"]);
    assert!(online.contains("CREATE INDEX CONCURRENTLY"), "{online}");
    std::fs::write(&toml, "schema = \"db/schema\"\nplans = \"db/plans\"\n").unwrap();
    let online = preview(&["plan"]);
    assert!(online.contains("CONCURRENTLY"), "{online}");
    let blocking = preview(&["plan", "--online", "--no-online"]);
    assert!(!blocking.contains("CONCURRENTLY"), "{blocking}");
}

/// `target_version` refuses, in `plan` and `check` alike, a schema using syntax the
/// target does not accept, at its file and line; raised, the same schema plans.
#[test]
fn target_version_refuses_syntax_the_target_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n\
         CREATE TABLE emails (address text UNIQUE NULLS NOT DISTINCT);\n",
    )
    .unwrap();
    std::fs::write(p.join("schemaplan.toml"), "target_version = 14\n").unwrap();
    for command in [&["plan", "-m", "init"][..], &["check"]] {
        let o = schemaplan(p, command, &[]);
        let text = out(&o);
        assert_eq!(o.status.code(), Some(2), "{command:?}: {text}");
        assert!(
            text.contains("schema/app.sql:2:1: NULLS NOT DISTINCT needs PostgreSQL 15, and target_version is 14"),
            "{command:?}: {text}"
        );
    }
    assert!(!p.join("plans").exists());
    std::fs::write(p.join("schemaplan.toml"), "target_version = 15\n").unwrap();
    let o = schemaplan(p, &["plan", "-m", "init"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let config = out(&schemaplan(p, &["config"], &[]));
    assert!(config.contains("target_version     15"), "{config}");
    std::fs::write(p.join("schemaplan.toml"), "\ntarget_version = 12\n").unwrap();
    let o = schemaplan(p, &["config"], &[]);
    assert!(
        out(&o).contains("schemaplan.toml:2: target_version = 12"),
        "{}",
        out(&o)
    );
}

/// A database older than `target_version` is refused by `apply` and `rollback`, before
/// anything runs, with the file, both versions and the way out, and so is such a dev
/// server in exact mode; at the server's own version the same plans apply.
#[tokio::test]
async fn a_server_older_than_target_version_is_refused() {
    let db = TestDb::new().await;
    let major = common::server_major(&db.client().await).await;
    if major >= 18 {
        return; // no supported version is newer than the server
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    )
    .unwrap();
    let config = |v: i32| {
        std::fs::write(
            p.join("schemaplan.toml"),
            format!("mode = \"offline\"\ntarget_version = {v}\n"),
        )
        .unwrap()
    };
    let url = [("DATABASE_URL", db.url.as_str())];
    config(major + 1);
    let plan = schemaplan(p, &["plan", "-m", "init"], &url);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    for (command, what) in [("apply", "applied"), ("rollback", "rolled back")] {
        let o = schemaplan(p, &[command], &url);
        let text = out(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {text}");
        let expected = format!(
            "schemaplan.toml: target_version = {}, but the database runs PostgreSQL {major}.",
            major + 1
        );
        assert!(text.contains(&expected), "{command}: {text}");
        assert!(
            text.contains(&format!(
                "so nothing was {what}; set target_version = {major}"
            )),
            "{text}"
        );
    }
    // Exact mode reads the schema on the dev server (here the database): refused too.
    let exact = schemaplan(p, &["plan", "-m", "again", "--mode", "exact"], &url);
    let text = out(&exact);
    assert_eq!(exact.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!("older than target_version = {}", major + 1)),
        "{text}"
    );
    let tables: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
    config(major);
    let apply = schemaplan(p, &["apply"], &url);
    assert_eq!(apply.status.code(), Some(0), "{}", out(&apply));
}
