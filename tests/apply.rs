//! `apply`, `rollback`, `status`, `history` and `baseline` against real databases,
//! through the binary as a deploy job runs it.

mod common;

use std::path::Path;
use std::process::{Child, Output, Stdio};

use common::{
    fails, history_ids, ok, run, stderr, stdout, table_exists, wait_until, write_revision, TestDb,
    PATIENCE,
};
use schemaplan::plan::RevisionId;

fn spawn(dir: &Path, db: &str, args: &[&str]) -> Child {
    common::command(dir, db, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn schemaplan")
}

/// Replaces what changes from run to run (times, database names) so output can be
/// snapshotted.
fn normalized(text: &str, db: &TestDb) -> String {
    let text = text.replace(&db.url, "<database>");
    let mut result = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    // YYYY-MM-DDTHH:MI:SSZ
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    while i < chars.len() {
        let matches = i + shape.len() <= chars.len()
            && shape.chars().zip(&chars[i..]).all(|(s, c)| match s {
                'd' => c.is_ascii_digit(),
                other => other == *c,
            });
        if matches {
            result.push_str("<time>");
            i += shape.len();
        } else {
            result.push(chars[i]);
            i += 1;
        }
    }
    result
}

/// Waits until a backend of `db` runs a statement containing `needle`; returns its pid.
async fn wait_for_query(db: &TestDb, needle: &str) -> i32 {
    let admin = common::connect(&common::server_url()).await;
    wait_until(
        &format!("a backend of {} running {needle}", db.name),
        PATIENCE,
        async || {
            admin
                .query_opt(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' \
                     AND query LIKE '%' || $2 || '%' AND pid <> pg_backend_pid()",
                    &[&db.name, &needle],
                )
                .await
                .unwrap()
                .map(|row| row.get(0))
        },
    )
    .await
}

/// How many schemaplan sessions on `db` ran (or run) a statement matching the LIKE
/// `pattern` last.
async fn sessions_whose_last_query_is_like(
    admin: &tokio_postgres::Client,
    db: &TestDb,
    pattern: &str,
) -> i64 {
    admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 \
             AND application_name = 'schemaplan' AND query LIKE $2",
            &[&db.name, &pattern],
        )
        .await
        .unwrap()
        .get(0)
}

/// Waits until no schemaplan session is left on `db`.
async fn wait_for_no_sessions(db: &TestDb) {
    let admin = common::connect(&common::server_url()).await;
    wait_until(
        &format!("the schemaplan sessions on {} to end", db.name),
        PATIENCE,
        async || sessions_whose_last_query_is_like(&admin, db, "%").await == 0,
    )
    .await;
}

#[tokio::test]
async fn plan_apply_change_plan_apply_rollback_apply_again() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);\n",
    )
    .unwrap();
    ok(&run(p, &db.url, &["plan", "-m", "accounts"]));
    let applied = ok(&run(p, &db.url, &["apply"]));
    assert!(applied.contains("1 revision(s) applied"), "{applied}");
    assert!(table_exists(&db, "public.accounts").await);

    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, email text);\n\
         CREATE INDEX accounts_email ON accounts (email);\n",
    )
    .unwrap();
    ok(&run(p, &db.url, &["plan", "-m", "account emails"]));
    let status = ok(&run(p, &db.url, &["status"]));
    assert!(status.contains("pending:  1"), "{status}");
    ok(&run(p, &db.url, &["apply"]));
    let email = "SELECT count(*) FROM information_schema.columns WHERE column_name = 'email'";
    let count = |c: tokio_postgres::Row| c.get::<_, i64>(0);
    assert_eq!(
        count(db.client().await.query_one(email, &[]).await.unwrap()),
        1
    );

    // The plan again is empty: what was applied is what schema/ declares.
    let again = run(p, &db.url, &["plan", "-m", "nothing"]);
    assert!(
        stderr(&again).contains("nothing to plan"),
        "{}",
        stderr(&again)
    );

    let status = ok(&run(p, &db.url, &["status"]));
    let history = ok(&run(p, &db.url, &["history"]));
    let graph = ok(&run(p, &db.url, &["history", "--graph"]));
    common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("apply_status_after_two", normalized(&status, &db));
        insta::assert_snapshot!("apply_history_after_two", normalized(&history, &db));
        insta::assert_snapshot!("apply_history_graph", normalized(&graph, &db));
    });

    let back = ok(&run(p, &db.url, &["rollback"]));
    assert!(back.contains("1 revision(s) rolled back"), "{back}");
    assert_eq!(
        count(db.client().await.query_one(email, &[]).await.unwrap()),
        0
    );
    assert_eq!(history_ids(&db).await.len(), 1);

    ok(&run(p, &db.url, &["apply"]));
    assert_eq!(
        count(db.client().await.query_one(email, &[]).await.unwrap()),
        1
    );
    let status = ok(&run(p, &db.url, &["status", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(json["drift"], serde_json::json!(false));
    assert_eq!(json["pending"], serde_json::json!([]));
    assert!(!status.contains("password"));
}

#[tokio::test]
async fn the_demo_records_the_fingerprints_its_revisions_were_planned_with() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    ok(&run(dir.path(), &db.url, &["apply"]));
    let client = db.client().await;
    let rows = client
        .query(
            "SELECT id, fingerprint FROM schemaplan.revisions ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    if common::server_major(&client).await != common::SNAPSHOT_PG_MAJOR {
        // The demo was planned on the snapshot version; other versions deparse some
        // expressions differently (13: `strpos(email, '@')` for `position('@' in email)`),
        // so their fingerprints differ by design. What holds everywhere: the last one
        // recorded is the live schema's.
        let live = schemaplan::introspect::live_catalog(&client)
            .await
            .unwrap()
            .fingerprint();
        let last: String = rows.last().unwrap().get(1);
        assert_eq!(last, live);
        return;
    }
    let history = schemaplan::plan::dir::load(&dir.path().join("plans")).unwrap();
    for row in rows {
        let id: String = row.get(0);
        let live: String = row.get(1);
        let planned = history.get(&RevisionId(id.clone())).unwrap();
        assert_eq!(
            planned.fingerprint.as_deref(),
            Some(live.as_str()),
            "revision {id}: the schema it built is not the one it was planned for"
        );
    }
}

#[tokio::test]
async fn eight_concurrent_applies_apply_each_revision_once() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    let children: Vec<Child> = (0..8)
        .map(|_| spawn(dir.path(), &db.url, &["apply"]))
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut applied_by = 0;
    for o in &outputs {
        let text = ok(o);
        if text.contains("5 revision(s) applied") {
            applied_by += 1;
        } else {
            assert!(text.contains("nothing to apply"), "{text}");
        }
    }
    assert_eq!(applied_by, 1, "exactly one process applies the revisions");
    assert_eq!(history_ids(&db).await.len(), 5);
}

/// A revision whose middle statement sleeps while the database has `app.slow` on.
fn slow_revision(dir: &Path) -> RevisionId {
    write_revision(
        dir,
        "20261124000000-51ee9a",
        &[],
        "CREATE TABLE first_half (id int);\n\
         SELECT pg_sleep(CASE WHEN current_setting('app.slow', true) = 'on' THEN 60 ELSE 0 END);\n\
         CREATE TABLE second_half (id int);\n",
        "DROP TABLE second_half;\nDROP TABLE first_half;\n",
        true,
    )
}

#[tokio::test]
async fn a_killed_apply_leaves_nothing_of_its_revision_and_the_next_completes_it() {
    let db = TestDb::new().await;
    db.exec(&format!("ALTER DATABASE {} SET app.slow = 'on'", db.name))
        .await;
    let dir = tempfile::tempdir().unwrap();
    slow_revision(dir.path());
    let mut child = spawn(dir.path(), &db.url, &["apply"]);
    wait_for_query(&db, "pg_sleep").await;
    // SIGKILL: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    if common::server_major(&db.client().await).await < 14 {
        // PostgreSQL 13 has no client_connection_check_interval: the orphaned session
        // sleeps on, its transaction open, until an operator ends it.
        let admin = common::connect(&common::server_url()).await;
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&db.name],
            )
            .await
            .unwrap();
    }
    wait_for_no_sessions(&db).await;
    assert!(!table_exists(&db, "public.first_half").await);
    assert!(history_ids(&db).await.is_empty());

    db.exec(&format!("ALTER DATABASE {} SET app.slow = 'off'", db.name))
        .await;
    ok(&run(dir.path(), &db.url, &["apply"]));
    assert!(table_exists(&db, "public.first_half").await);
    assert!(table_exists(&db, "public.second_half").await);
    assert_eq!(history_ids(&db).await.len(), 1);
}

#[tokio::test]
async fn a_cut_connection_is_rolled_back_and_reported() {
    let db = TestDb::new().await;
    db.exec(&format!("ALTER DATABASE {} SET app.slow = 'on'", db.name))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let id = slow_revision(dir.path());
    let child = spawn(dir.path(), &db.url, &["apply"]);
    let pid = wait_for_query(&db, "pg_sleep").await;
    let admin = common::connect(&common::server_url()).await;
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let e = fails(&o);
    assert!(e.contains(&format!("revision {id}")), "{e}");
    assert!(e.contains("rolled back"), "{e}");
    assert!(
        e.contains(".sql:"),
        "the error names the file and line: {e}"
    );
    assert!(!table_exists(&db, "public.first_half").await);

    db.exec(&format!("ALTER DATABASE {} SET app.slow = 'off'", db.name))
        .await;
    ok(&run(dir.path(), &db.url, &["apply"]));
    assert!(table_exists(&db, "public.second_half").await);
}

#[tokio::test]
async fn a_failing_statement_is_named_with_its_line_and_what_was_applied_before() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let first = write_revision(
        dir.path(),
        "20261124000000-aaaaaa",
        &[],
        "CREATE TABLE ok_table (id int);\n",
        "DROP TABLE ok_table;\n",
        true,
    );
    let second = write_revision(
        dir.path(),
        "20261124000100-bbbbbb",
        &[&first.0],
        "CREATE TABLE doomed (id int);\nALTER TABLE missing ADD COLUMN x int;\n",
        "DROP TABLE doomed;\n",
        true,
    );
    let e = fails(&run(dir.path(), &db.url, &["apply"]));
    assert!(e.contains(&format!("revision {second}")), "{e}");
    assert!(e.contains("relation \"missing\" does not exist"), "{e}");
    assert!(e.contains("ALTER TABLE missing ADD COLUMN x int"), "{e}");
    // Seven header lines and a blank one, the up marker and a blank one: the ALTER is line 12.
    assert!(e.contains("_revision_20261124000100_bbbbbb.sql:12:"), "{e}");
    assert!(e.contains(&format!("applied before it: {first}")), "{e}");
    assert!(table_exists(&db, "public.ok_table").await);
    assert!(!table_exists(&db, "public.doomed").await);
    assert_eq!(history_ids(&db).await, vec![first.0.clone()]);
}

#[tokio::test]
async fn an_edited_applied_revision_is_refused() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    ok(&run(dir.path(), &db.url, &["apply"]));
    let plans = dir.path().join("plans");
    let first = std::fs::read_dir(&plans)
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replace("-- schemaplan:down", "SELECT 1;\n\n-- schemaplan:down"),
    )
    .unwrap();
    let e = fails(&run(dir.path(), &db.url, &["apply"]));
    assert!(e.contains("was edited after it was applied"), "{e}");
    assert!(e.contains("20261101080000-97bca7"), "{e}");
    assert!(e.contains("create_users.sql"), "{e}");
}

#[tokio::test]
async fn drift_is_shown_and_refused_unless_allowed() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    ok(&run(dir.path(), &db.url, &["apply"]));
    db.exec("ALTER TABLE users ADD COLUMN nickname text").await;
    let status = ok(&run(dir.path(), &db.url, &["status"]));
    assert!(status.contains("drift:    yes"), "{status}");
    let e = fails(&run(dir.path(), &db.url, &["apply"]));
    assert!(e.contains("drift"), "{e}");
    assert!(e.contains("added column public.users.nickname text"), "{e}");
    let o = run(dir.path(), &db.url, &["apply", "--allow-drift"]);
    ok(&o);
    assert!(stderr(&o).contains("despite drift"), "{}", stderr(&o));
}

#[tokio::test]
async fn the_password_never_appears_in_output_or_logs() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    let secret = "S3cr3t-Pa55word";
    let url = db.url.replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{secret}@"),
        1,
    );
    for args in [
        vec!["apply", "-vvv"],
        vec!["apply", "--format", "json", "--log-format", "json", "-vv"],
        vec!["status", "--format", "json"],
        vec!["history"],
        vec!["rollback", "--to", "nonexistent"],
    ] {
        let o = run(dir.path(), &url, &args);
        assert!(!stdout(&o).contains(secret), "{args:?}: {}", stdout(&o));
        assert!(!stderr(&o).contains(secret), "{args:?}: {}", stderr(&o));
    }
    db.exec("ALTER TABLE users ADD COLUMN nickname text").await;
    let o = run(dir.path(), &url, &["apply", "-vv"]);
    let e = fails(&o);
    assert!(e.contains("drift"), "{e}");
    assert!(!e.contains(secret), "{e}");
    assert!(!stdout(&o).contains(secret));
}

#[tokio::test]
async fn a_held_lock_is_waited_for_then_reported() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    let holder = db.client().await;
    holder
        .batch_execute(
            "SET application_name = 'other deploy'; SELECT pg_advisory_lock(8314604121892155500)",
        )
        .await
        .unwrap();
    let e = fails(&run(dir.path(), &db.url, &["apply", "--lock-wait", "1s"]));
    assert!(e.contains("holds the apply lock"), "{e}");
    assert!(e.contains("other deploy"), "the holder is named: {e}");
    assert!(history_ids(&db).await.is_empty());

    // Released while a run waits: that run goes on. The refused run's session must be
    // gone first, so that the session seen asking for the lock is the new run's.
    wait_for_no_sessions(&db).await;
    let child = spawn(dir.path(), &db.url, &["apply", "--lock-wait", "30s"]);
    // The run polls with pg_try_advisory_lock (no entry in pg_locks while it waits): once
    // its last statement is the try, or the query naming the holder after a failed try,
    // it has found the lock held and is waiting.
    let admin = common::connect(&common::server_url()).await;
    wait_until(
        "the second apply to find the lock held and wait for it",
        PATIENCE,
        async || sessions_whose_last_query_is_like(&admin, &db, "%advisory%").await > 0,
    )
    .await;
    holder
        .batch_execute("SELECT pg_advisory_unlock(8314604121892155500)")
        .await
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(ok(&o).contains("5 revision(s) applied"));
}

#[tokio::test]
async fn a_lock_timeout_is_retried_with_backoff() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE busy (id int)").await;
    let dir = tempfile::tempdir().unwrap();
    write_revision(
        dir.path(),
        "20261124000000-b05f00",
        &[],
        "ALTER TABLE busy ADD COLUMN note text;\n",
        "ALTER TABLE busy DROP COLUMN note;\n",
        true,
    );
    // Adopt the hand-made table so apply does not ask for a baseline.
    let holder = db.client().await;
    holder
        .batch_execute("BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let child = spawn(
        dir.path(),
        &db.url,
        &[
            "apply",
            "--allow-drift",
            "--lock-timeout",
            "200ms",
            "--lock-retries",
            "3",
        ],
    );
    // Each attempt waits 200 ms for the lock on busy, fails and rolls back before its
    // pause (1 s, then 2 s, ...): an idle session whose last statement is that ROLLBACK
    // has had a lock timeout and will retry.
    let admin = common::connect(&common::server_url()).await;
    wait_until(
        "the first attempt to time out on the lock and roll back",
        PATIENCE,
        async || sessions_whose_last_query_is_like(&admin, &db, "ROLLBACK").await > 0,
    )
    .await;
    holder.batch_execute("COMMIT").await.unwrap();
    let o = child.wait_with_output().unwrap();
    let text = ok(&o);
    assert!(text.contains("attempts"), "{text}");
    assert!(stderr(&o).contains("lock timeout"), "{}", stderr(&o));

    // With no retries left the error says what timed out.
    let dir2 = tempfile::tempdir().unwrap();
    write_revision(
        dir2.path(),
        "20261124000000-b05f01",
        &[],
        "ALTER TABLE busy ADD COLUMN other text;\n",
        "ALTER TABLE busy DROP COLUMN other;\n",
        true,
    );
    let db2 = TestDb::new().await;
    db2.exec("CREATE TABLE busy (id int)").await;
    let holder2 = db2.client().await;
    holder2
        .batch_execute("BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let e = fails(&run(
        dir2.path(),
        &db2.url,
        &[
            "apply",
            "--allow-drift",
            "--lock-timeout",
            "100ms",
            "--lock-retries",
            "0",
        ],
    ));
    assert!(e.contains("lock timeout"), "{e}");
    holder2.batch_execute("ROLLBACK").await.unwrap();
}

#[tokio::test]
async fn a_revision_outside_a_transaction_resumes_where_it_stopped() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    write_revision(
        dir.path(),
        "20261124000000-c0ffee",
        &[],
        "CREATE TABLE emails (address text);\n\
         INSERT INTO emails VALUES ('a@example.com'), ('a@example.com');\n\
         CREATE UNIQUE INDEX CONCURRENTLY emails_address ON public.emails (address);\n\
         CREATE TABLE after_index (id int);\n",
        "DROP TABLE after_index;\nDROP INDEX CONCURRENTLY public.emails_address;\nDROP TABLE emails;\n",
        false,
    );
    let e = fails(&run(dir.path(), &db.url, &["apply"]));
    assert!(e.contains("2 of its 4 statements are done"), "{e}");
    assert!(e.contains("run apply again to resume"), "{e}");
    let status = ok(&run(dir.path(), &db.url, &["status"]));
    assert!(status.contains("partly applied"), "{status}");
    // The failed concurrent build left an invalid index behind.
    let invalid: i64 = db
        .client()
        .await
        .query_one("SELECT count(*) FROM pg_index WHERE NOT indisvalid", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(invalid, 1);

    // The duplicate goes away; the rerun resumes at the index, rebuilding it.
    db.exec("DELETE FROM emails WHERE ctid <> (SELECT min(ctid) FROM emails)")
        .await;
    let text = ok(&run(dir.path(), &db.url, &["apply"]));
    assert!(text.contains("resumed"), "{text}");
    let client = db.client().await;
    let valid: bool = client
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.emails_address'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(valid);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM emails", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1, "the INSERT before the failure ran once");
    assert!(table_exists(&db, "public.after_index").await);
    assert_eq!(history_ids(&db).await.len(), 1);
}

#[tokio::test]
async fn rollback_refuses_a_not_reversible_revision_unless_forced() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    ok(&run(dir.path(), &db.url, &["apply"]));
    let e = fails(&run(
        dir.path(),
        &db.url,
        &["rollback", "--to", "20261101080000-97bca7"],
    ));
    assert!(e.contains("not reversible"), "{e}");
    assert!(e.contains("20261104080000-266b77"), "{e}");
    assert_eq!(history_ids(&db).await.len(), 5, "nothing was rolled back");
    let text = ok(&run(
        dir.path(),
        &db.url,
        &["rollback", "--to", "20261101080000-97bca7", "--force"],
    ));
    assert!(text.contains("4 revision(s) rolled back"), "{text}");
    assert!(!table_exists(&db, "public.posts").await);
    assert!(table_exists(&db, "public.users").await);
    // And forward again.
    ok(&run(dir.path(), &db.url, &["apply"]));
    assert_eq!(history_ids(&db).await.len(), 5);
}

#[tokio::test]
async fn a_dry_run_rehearses_and_leaves_nothing() {
    let db = TestDb::new().await;
    let dir = common::demo_project();
    let text = ok(&run(dir.path(), &db.url, &["apply", "--dry-run"]));
    assert!(text.contains("would apply 20261101080000-97bca7"), "{text}");
    assert!(text.contains("rolled back"), "{text}");
    assert!(!table_exists(&db, "public.users").await);
    assert!(history_ids(&db).await.is_empty());
    // A failing revision in a dry run is reported like a real one.
    let dir2 = tempfile::tempdir().unwrap();
    write_revision(
        dir2.path(),
        "20261124000000-d00d00",
        &[],
        "CREATE TABLE fine (id int);\nCREATE TABLE fine (id int);\n",
        "DROP TABLE fine;\n",
        true,
    );
    let e = fails(&run(dir2.path(), &db.url, &["apply", "--dry-run"]));
    assert!(e.contains("dry run"), "{e}");
    assert!(e.contains("already exists"), "{e}");
    assert!(!table_exists(&db, "public.fine").await);
}

#[tokio::test]
async fn baseline_adopts_an_existing_database() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TYPE mood AS ENUM ('ok', 'meh');
         CREATE TABLE people (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, mood mood);
         CREATE VIEW happy AS SELECT id, name FROM people WHERE mood = 'ok';",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plans")).unwrap();
    // Revisions on top of an unadopted database are refused.
    write_revision(
        dir.path(),
        "20261124000000-eeeeee",
        &[],
        "CREATE TABLE x (id int);\n",
        "DROP TABLE x;\n",
        true,
    );
    let e = fails(&run(dir.path(), &db.url, &["apply"]));
    assert!(e.contains("schemaplan baseline"), "{e}");
    std::fs::remove_dir_all(dir.path().join("plans")).unwrap();

    let text = ok(&run(dir.path(), &db.url, &["baseline"]));
    assert!(text.contains("wrote plans/"), "{text}");
    assert!(text.contains("marked"), "{text}");
    let status = ok(&run(dir.path(), &db.url, &["status"]));
    assert!(status.contains("pending:  none"), "{status}");
    assert!(status.contains("drift:    no"), "{status}");
    // The baseline revision builds the same schema on an empty database.
    let fresh = TestDb::new().await;
    ok(&run(dir.path(), &fresh.url, &["apply"]));
    let a = schemaplan::introspect::live_catalog(&db.client().await)
        .await
        .unwrap();
    let b = schemaplan::introspect::live_catalog(&fresh.client().await)
        .await
        .unwrap();
    assert_eq!(a, b);
    // Stamping a database at an existing revision: Alembic's `stamp`.
    let other = TestDb::new().await;
    other
        .exec(
            "CREATE TYPE mood AS ENUM ('ok', 'meh');
             CREATE TABLE people (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, mood mood);
             CREATE VIEW happy AS SELECT id, name FROM people WHERE mood = 'ok';",
        )
        .await;
    let rev = history_ids(&db).await.remove(0);
    let text = ok(&run(
        dir.path(),
        &other.url,
        &["baseline", "--revision", &rev],
    ));
    assert!(text.contains(&format!("marked {rev} as applied")), "{text}");
    assert!(ok(&run(dir.path(), &other.url, &["apply"])).contains("nothing to apply"));
}

#[tokio::test]
async fn data_loss_is_refused_until_allowed_and_sizes_are_stated() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    write_revision(
        dir.path(),
        "20261124000000-0a0a0a",
        &[],
        "CREATE TABLE events (id bigint, payload text);\nCREATE TABLE carts (id bigint);\n",
        "DROP TABLE carts;\nDROP TABLE events;\n",
        true,
    );
    ok(&run(dir.path(), &db.url, &["apply"]));
    db.exec(
        "INSERT INTO events SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g; \
         ANALYZE events; ANALYZE carts;",
    )
    .await;
    write_revision(
        dir.path(),
        "20261124000100-0b0b0b",
        &["20261124000000-0a0a0a"],
        "-- drop-column column public.events.payload\n-- hazards: data-loss\n\
         ALTER TABLE public.events DROP COLUMN payload;\n\n\
         -- drop-table table public.carts\n-- hazards: data-loss\nDROP TABLE public.carts;\n",
        "CREATE TABLE public.carts (id bigint);\nALTER TABLE public.events ADD COLUMN payload text;\n",
        true,
    );
    let e = fails(&run(dir.path(), &db.url, &["apply"]));
    assert!(
        e.contains("drop-column column public.events.payload [data-loss]"),
        "{e}"
    );
    assert!(e.contains("public.events: "), "{e}");
    assert!(e.contains("~20k rows"), "{e}");
    assert!(e.contains("public.carts is empty"), "{e}");
    assert!(e.contains("--allow-hazard data-loss"), "{e}");
    assert_eq!(history_ids(&db).await.len(), 1, "nothing was applied");
    assert!(table_exists(&db, "public.carts").await);

    let text = ok(&run(
        dir.path(),
        &db.url,
        &["apply", "--allow-hazard", "data-loss"],
    ));
    assert!(text.contains("1 revision(s) applied"), "{text}");
    assert!(!table_exists(&db, "public.carts").await);
}

/// The README's example: the revision its pending edit needs, written and applied on
/// top of the demo's history, leaves the database as examples/blog/schema declares;
/// rolled back, as before.
#[tokio::test]
async fn the_blog_examples_revision_applies_and_rolls_back() {
    let db = TestDb::new().await;
    let dir = common::project_copy(&common::root().join("examples/blog"));
    let p = dir.path();
    ok(&run(p, &db.url, &["plan", "-m", "the pending edit"]));
    let text = ok(&run(
        p,
        &db.url,
        &["apply", "--allow-hazard", "data-loss,table-rewrite"],
    ));
    assert!(text.contains("6 revision(s) applied"), "{text}");
    let status = ok(&run(p, &db.url, &["status"]));
    assert!(status.contains("pending:  none"), "{status}");
    assert!(status.contains("drift:    no"), "{status}");
    let again = run(p, &db.url, &["plan", "-m", "nothing"]);
    assert!(
        stderr(&again).contains("nothing to plan"),
        "{}",
        stderr(&again)
    );
    let bio = "SELECT count(*) FROM information_schema.columns \
               WHERE table_name = 'users' AND column_name = 'bio'";
    let count = |row: tokio_postgres::Row| row.get::<_, i64>(0);
    assert_eq!(
        count(db.client().await.query_one(bio, &[]).await.unwrap()),
        0
    );
    assert!(table_exists(&db, "public.comments_author_idx").await);

    // The revision drops bio with its values: refused without --force (issue 15).
    let refused = fails(&run(p, &db.url, &["rollback"]));
    assert!(refused.contains("not reversible"), "{refused}");
    assert_eq!(history_ids(&db).await.len(), 6, "nothing was rolled back");
    let back = ok(&run(p, &db.url, &["rollback", "--force"]));
    assert!(back.contains("1 revision(s) rolled back"), "{back}");
    assert!(back.contains("cannot come back"), "{back}");
    assert_eq!(
        count(db.client().await.query_one(bio, &[]).await.unwrap()),
        1
    );
    assert!(!table_exists(&db, "public.comments_author_idx").await);
    assert_eq!(history_ids(&db).await.len(), 5);
}

#[test]
fn the_blocking_migrator_applies_without_a_runtime() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::new());
    let migrator = schemaplan::blocking::Migrator::from_dir(common::root().join("plans")).unwrap();
    let report = migrator.apply(&db.url).unwrap();
    assert_eq!(report.done.len(), 5);
    let status = migrator.status(&db.url).unwrap();
    assert!(status.pending.is_empty());
    assert_eq!(status.drift, Some(false));
    assert!(migrator.apply(&db.url).unwrap().done.is_empty());
    rt.block_on(async move { drop(db) });
}
