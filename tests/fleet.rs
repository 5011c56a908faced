//! `apply --fleet` and `status --fleet` against many real databases on the test server:
//! every target applied exactly once, faults reported per target with nothing half
//! applied, canaries and --max-failures, and `[fleet]` errors naming file and line.

mod common;

use std::path::Path;
use std::process::Output;

use common::{
    exits, fails, history_ids, ok, server_url, table_exists, url_for, wait_until, TestDb, PATIENCE,
};
use serde_json::Value;

/// The apply lock's key (src/apply/lock.rs): "schemapl" as a big-endian integer.
const LOCK_KEY: i64 = 0x7363_6865_6d61_706c;

/// Writes a hand-made revision into `dir/plans` (run in one transaction) and returns
/// its id.
fn write_revision(dir: &Path, id: &str, parents: &[&str], up: &str, down: &str) -> String {
    common::write_revision(dir, id, parents, up, down, true).0
}

/// A project with three revisions; the second creates a table, then adds a check that
/// a row with an empty name makes fail (after its first statement ran).
fn project() -> (tempfile::TempDir, [String; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let r1 = write_revision(
        p,
        "20261124000001-000001",
        &[],
        "CREATE TABLE public.items (id bigint PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE public.items;",
    );
    let r2 = write_revision(
        p,
        "20261124000002-000002",
        &["20261124000001-000001"],
        "CREATE TABLE public.tags (id bigint PRIMARY KEY);\n\
         ALTER TABLE public.items ADD CONSTRAINT items_name_check CHECK (name <> '');",
        "ALTER TABLE public.items DROP CONSTRAINT items_name_check;\nDROP TABLE public.tags;",
    );
    let r3 = write_revision(
        p,
        "20261124000003-000003",
        &["20261124000002-000002"],
        "CREATE INDEX items_name ON public.items (name);",
        "DROP INDEX public.items_name;",
    );
    (dir, [r1, r2, r3])
}

/// Databases named `<prefix>_NN`, created together; dropped with the values.
async fn databases(prefix: &str, n: usize) -> Vec<TestDb> {
    let names: Vec<String> = (0..n).map(|i| format!("{prefix}_{i:02}")).collect();
    let admin = common::connect(&server_url()).await;
    let admin = &admin;
    futures_util::future::join_all(names.iter().map(|name| async move {
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    }))
    .await;
    names.into_iter().map(existing).collect()
}

/// A database created by hand, dropped with the value.
fn existing(name: String) -> TestDb {
    TestDb {
        url: url_for(&name),
        name,
    }
}

fn prefix() -> String {
    format!(
        "spfleet_{}_{:06x}",
        std::process::id(),
        rand::random::<u32>() >> 8
    )
}

/// A fleet file listing `urls`.
fn fleet_file(dir: &Path, urls: &[&str]) -> String {
    let list: Vec<String> = urls.iter().map(|u| format!("  {u:?},")).collect();
    let path = dir.join("fleet.toml");
    std::fs::write(
        &path,
        format!("[fleet]\ndatabases = [\n{}\n]\n", list.join("\n")),
    )
    .unwrap();
    path.display().to_string()
}

fn json(o: &Output, code: i32) -> Value {
    serde_json::from_str(&exits(o, code)).unwrap()
}

/// The report's entry for the target whose URL ends with `/name`.
fn target<'a>(report: &'a Value, name: &str) -> &'a Value {
    let suffix = format!("/{name}");
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"].as_str().unwrap().ends_with(&suffix))
        .unwrap_or_else(|| panic!("no target {name} in {report:#}"))
}

fn state(report: &Value, name: &str) -> String {
    target(report, name)["state"].as_str().unwrap().to_string()
}

fn error(report: &Value, name: &str) -> String {
    target(report, name)["error"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_databases_get_every_revision_once_and_a_rerun_applies_nothing() {
    let (dir, ids) = project();
    let prefix = prefix();
    let dbs = databases(&prefix, 50).await;
    std::fs::write(
        dir.path().join("schemaplan.toml"),
        format!(
            "[fleet]\ndatabases_query = \"SELECT datname FROM pg_database WHERE starts_with(datname, '{prefix}_') ORDER BY datname\"\n"
        ),
    )
    .unwrap();
    let server = server_url();
    let run = |args: &[&str]| common::run(dir.path(), &server, args);

    let report = json(&run(&["apply", "--fleet", "--format", "json"]), 0);
    assert_eq!(report["totals"]["applied"], 50, "{report:#}");
    for db in &dbs {
        let t = target(&report, &db.name);
        assert_eq!(t["applied"].as_array().unwrap().len(), 3, "{t:#}");
        assert_eq!(t["to"], serde_json::json!([ids[2]]));
        assert_eq!(history_ids(db).await, ids.to_vec(), "{}", db.name);
    }

    let report = json(
        &run(&["apply", "--fleet", "--jobs", "8", "--format", "json"]),
        0,
    );
    assert_eq!(report["totals"]["unchanged"], 50, "{report:#}");
    for db in &dbs {
        assert_eq!(history_ids(db).await, ids.to_vec(), "{}", db.name);
    }

    let status = json(&run(&["status", "--fleet", "--format", "json"]), 0);
    let groups = status["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{status:#}");
    assert_eq!(groups[0]["current"], serde_json::json!([ids[2]]));
    assert_eq!(groups[0]["targets"].as_array().unwrap().len(), 50);
    let text = ok(&run(&["status", "--fleet"]));
    assert!(
        text.starts_with(&format!("at {} (head): 50 target(s)\n", ids[2])),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_are_reported_per_target_and_a_rerun_after_fixing_them_completes() {
    let (dir, ids) = project();
    let d = dir.path();
    let prefix = prefix();
    let mut dbs = databases(&prefix, 5).await.into_iter();
    let (fine, drifted, locked, failing, by_var) = (
        dbs.next().unwrap(),
        dbs.next().unwrap(),
        dbs.next().unwrap(),
        dbs.next().unwrap(),
        dbs.next().unwrap(),
    );
    let missing = format!("{prefix}_missing");
    let missing_url = url_for(&missing);
    let fleet = fleet_file(
        d,
        &[
            &fine.url,
            &missing_url,
            &drifted.url,
            &locked.url,
            &failing.url,
            "$FLEET_TEST_URL",
        ],
    );

    // The drifted and the failing target are at the first revision.
    for db in [&drifted, &failing] {
        ok(&common::run(d, &db.url, &["apply", "--to", &ids[0]]));
    }
    drifted.exec("CREATE TABLE public.stray (id int)").await;
    failing
        .exec("INSERT INTO public.items VALUES (1, '')")
        .await;
    // Another session holds the lock of one target.
    let holder = locked.client().await;
    holder
        .query_one("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap();

    let apply = || {
        common::command(
            d,
            &server_url(),
            &[
                "apply",
                "--fleet",
                "--fleet-file",
                &fleet,
                "--max-failures",
                "10",
                "--lock-wait",
                "1s",
                "--format",
                "json",
            ],
        )
        .env("FLEET_TEST_URL", &by_var.url)
        .output()
        .unwrap()
    };
    let report = json(&apply(), 1);
    assert_eq!(state(&report, &fine.name), "applied");
    assert_eq!(state(&report, &by_var.name), "applied");
    assert_eq!(history_ids(&by_var).await, ids.to_vec());
    assert_eq!(state(&report, &missing), "failed");
    assert!(
        error(&report, &missing).contains("does not exist"),
        "{report:#}"
    );
    assert_eq!(state(&report, &drifted.name), "failed");
    assert!(
        error(&report, &drifted.name).contains("drift"),
        "{report:#}"
    );
    assert!(
        error(&report, &drifted.name).contains("stray"),
        "{report:#}"
    );
    assert_eq!(state(&report, &locked.name), "failed");
    assert!(
        error(&report, &locked.name).contains("apply lock"),
        "{report:#}"
    );
    assert_eq!(state(&report, &failing.name), "failed");
    let e = error(&report, &failing.name);
    assert!(
        e.contains(&format!("revision {}", ids[1])) && e.contains("items_name_check"),
        "{e}"
    );
    assert_eq!(report["totals"]["failed"], 4, "{report:#}");
    // Nothing half applied: the failing target is exactly at its last good revision.
    assert_eq!(
        target(&report, &failing.name)["to"],
        serde_json::json!([ids[0]])
    );
    assert_eq!(history_ids(&failing).await, vec![ids[0].clone()]);
    assert!(!table_exists(&failing, "public.tags").await);
    assert_eq!(history_ids(&drifted).await, vec![ids[0].clone()]);
    assert!(history_ids(&locked).await.is_empty());

    // Fix each and run again.
    let _created = {
        let admin = common::connect(&server_url()).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {missing}"))
            .await
            .unwrap();
        existing(missing.clone())
    };
    drifted.exec("DROP TABLE public.stray").await;
    failing.exec("DELETE FROM public.items").await;
    drop(holder);
    let admin = common::connect(&server_url()).await;
    wait_until(
        "the test's apply lock to be released",
        PATIENCE,
        async || {
            admin
                .query_one(
                    "SELECT count(*) = 0 FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
                 WHERE l.locktype = 'advisory' AND d.datname = $1",
                    &[&locked.name],
                )
                .await
                .unwrap()
                .get::<_, bool>(0)
        },
    )
    .await;
    let report = json(&apply(), 0);
    assert_eq!(report["totals"]["applied"], 4, "{report:#}");
    assert_eq!(report["totals"]["unchanged"], 2, "{report:#}");
    assert_eq!(
        target(&report, &failing.name)["applied"],
        serde_json::json!([ids[1], ids[2]])
    );
    for db in [&fine, &drifted, &locked, &failing, &by_var, &_created] {
        assert_eq!(history_ids(db).await, ids.to_vec(), "{}", db.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_canary_stops_the_fleet_and_max_failures_stops_new_targets() {
    let (dir, ids) = project();
    let d = dir.path();
    let prefix = prefix();
    let dbs = databases(&prefix, 3).await;
    let missing = url_for(&format!("{prefix}_missing"));
    let other_missing = url_for(&format!("{prefix}_missing_too"));
    let urls: Vec<&str> = dbs.iter().map(|db| db.url.as_str()).collect();
    let run = |fleet: &[&str], extra: &[&str]| {
        let file = fleet_file(d, fleet);
        let mut args = vec![
            "apply",
            "--fleet",
            "--fleet-file",
            &file,
            "--format",
            "json",
        ];
        args.extend(extra);
        json(&common::run(d, &server_url(), &args), 1)
    };

    let fleet = [missing.as_str(), urls[0], urls[1], urls[2]];
    let report = run(&fleet, &["--canary", "1"]);
    assert_eq!(report["targets"][0]["state"], "failed", "{report:#}");
    assert_eq!(report["targets"][0]["canary"], true);
    assert_eq!(report["totals"]["not_started"], 3, "{report:#}");
    assert!(
        error(&report, &dbs[0].name).contains("canary"),
        "{report:#}"
    );
    for db in &dbs {
        assert!(
            !table_exists(db, "schemaplan.revisions").await,
            "{}",
            db.name
        );
    }

    // One at a time, in order: the default stops at the first failure.
    let fleet = [
        urls[0],
        missing.as_str(),
        urls[1],
        other_missing.as_str(),
        urls[2],
    ];
    let report = run(&fleet, &["--jobs", "1"]);
    let states: Vec<&str> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "applied",
            "failed",
            "not-started",
            "not-started",
            "not-started"
        ]
    );
    assert!(report["stopped"]
        .as_str()
        .unwrap()
        .contains("--max-failures 0"));
    let report = run(&fleet, &["--jobs", "1", "--max-failures", "1"]);
    let states: Vec<&str> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["unchanged", "failed", "applied", "failed", "not-started"]
    );
    assert_eq!(history_ids(&dbs[1]).await, ids.to_vec());
    assert!(history_ids(&dbs[2]).await.is_empty());

    // The text report names every target; markdown is a table.
    let file = fleet_file(d, &fleet);
    let text = exits(
        &common::run(
            d,
            &server_url(),
            &["apply", "--fleet", "--fleet-file", &file, "--jobs", "1"],
        ),
        1,
    );
    assert!(text.contains("failed"), "{text}");
    assert!(
        text.ends_with("5 target(s): 0 applied, 1 unchanged, 1 failed, 3 not started\n"),
        "{text}"
    );
    let md = exits(
        &common::run(
            d,
            &server_url(),
            &[
                "apply",
                "--fleet",
                "--fleet-file",
                &file,
                "--jobs",
                "1",
                "--format",
                "markdown",
            ],
        ),
        1,
    );
    assert!(
        md.contains("| target | result | from | to | applied | ms |"),
        "{md}"
    );
    // status --fleet: grouped, exit 1 with targets behind.
    let text = exits(
        &common::run(
            d,
            &server_url(),
            &["status", "--fleet", "--fleet-file", &file],
        ),
        1,
    );
    assert!(
        text.contains(&format!("at {} (head): 2 target(s)", ids[2])),
        "{text}"
    );
    assert!(text.contains("at none: 1 target(s)"), "{text}");
    assert!(text.contains("could not be read: 2 target(s)"), "{text}");
}

#[test]
fn fleet_configuration_errors_name_the_file_and_line() {
    let (dir, _) = project();
    let d = dir.path();
    let server = server_url();
    let write = |text: &str| std::fs::write(d.join("schemaplan.toml"), text).unwrap();
    let apply = || common::run(d, &server, &["apply", "--fleet"]);

    write("[fleet]\ndatabases = [\n  \"postgres://app:hunter2@db1/app\",\n]\n");
    let e = fails(&apply());
    assert!(
        e.contains("schemaplan.toml:3: databases: a URL carries a password"),
        "{e}"
    );
    assert!(!e.contains("hunter2"), "{e}");

    write("mode = \"offline\"\n\n[fleet]\ndatabases = [\"$X\"]\neach_schema = \"tenant_*\"\n");
    let e = fails(&apply());
    assert!(
        e.contains("schemaplan.toml:5: tenant schemas need both each_schema"),
        "{e}"
    );

    write("[fleet]\ndatabases = [\"$SCHEMAPLAN_FLEET_UNSET\"]\n");
    let e = fails(&apply());
    assert!(
        e.contains("schemaplan.toml:2: $SCHEMAPLAN_FLEET_UNSET is not set"),
        "{e}"
    );

    write("[fleet]\ndatabase = []\n");
    let e = fails(&apply());
    assert!(
        e.contains("schemaplan.toml:2:") && e.contains("database"),
        "{e}"
    );

    write("[env.ci.fleet]\ndatabases = []\n");
    let e = fails(&common::run(d, &server, &["apply"]));
    assert!(
        e.contains("schemaplan.toml:1:") && e.contains("fleet"),
        "{e}"
    );

    write("mode = \"offline\"\n");
    let e = fails(&apply());
    assert!(e.contains("no [fleet] table"), "{e}");
    std::fs::write(d.join("other.toml"), "[fleet]\ndatabases_query = \"\"\n").unwrap();
    let e = fails(&common::run(
        d,
        &server,
        &["apply", "--fleet", "--fleet-file", "other.toml"],
    ));
    assert!(e.contains("other.toml:2: databases_query is empty"), "{e}");

    // Usage errors.
    fails(&common::run(d, &server, &["apply", "--canary", "1"]));
    fails(&common::run(
        d,
        &server,
        &["apply", "--fleet", "--jobs", "0"],
    ));
    fails(&common::run(d, &server, &["apply", "--fleet", "--dry-run"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_target_in_flight_when_another_fails_finishes_its_revision_and_stops() {
    use schemaplan::apply::fleet::{self, FleetOptions, Target, TargetState};
    use schemaplan::apply::{ApplyOptions, Migrator};
    use schemaplan::connect::DbUrl;
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r1 = write_revision(
        d,
        "20261124000001-000001",
        &[],
        "CREATE TABLE public.t (v int);",
        "DROP TABLE public.t;",
    );
    let r2 = write_revision(
        d,
        "20261124000002-000002",
        &[&r1],
        "ALTER TABLE public.t ADD CONSTRAINT t_v_positive CHECK (v > 0);",
        "ALTER TABLE public.t DROP CONSTRAINT t_v_positive;",
    );
    let r3 = write_revision(
        d,
        "20261124000003-000003",
        &[&r2],
        "CREATE TABLE public.u (id int);",
        "DROP TABLE public.u;",
    );
    let prefix = prefix();
    let dbs = databases(&prefix, 2).await;
    let (failing, running) = (&dbs[0], &dbs[1]);
    for db in &dbs {
        ok(&common::run(d, &db.url, &["apply", "--to", &r1]));
    }
    // The check of r2 fails on this row, once the revision gets its lock.
    failing.exec("INSERT INTO public.t VALUES (-1)").await;
    // Both targets wait for a lock the test holds, in their second revision.
    let mut holders = Vec::new();
    for db in &dbs {
        let c = db.client().await;
        c.batch_execute("BEGIN; LOCK TABLE public.t IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        holders.push(c);
    }
    let migrator = Migrator::from_dir(d.join("plans")).unwrap();
    let targets: Vec<Target> = dbs
        .iter()
        .map(|db| Target {
            url: DbUrl::parse(&db.url).unwrap(),
            name: db.name.clone(),
            schema: None,
        })
        .collect();
    let opts = FleetOptions {
        jobs: 2,
        canary: 0,
        max_failures: 0,
        apply: ApplyOptions {
            lock_timeout: Duration::from_secs(60),
            lock_retries: 0,
            ..ApplyOptions::default()
        },
    };
    let (failed_tx, mut failed_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut finished = |t: &fleet::TargetReport| {
        if t.state == TargetState::Failed {
            failed_tx.send(t.target.clone()).unwrap();
        }
    };
    // The fleet and the test's side of the locks, in one task (the fleet's future is
    // not Send).
    let run = fleet::apply(&migrator, &targets, &opts, &mut finished);
    let drive = async {
        let admin = common::connect(&server_url()).await;
        let names = [failing.name.clone(), running.name.clone()];
        wait_until("both targets to wait for the lock", PATIENCE, async || {
            admin
                .query_one(
                    "SELECT count(DISTINCT l.database) = 2 FROM pg_locks l \
                     JOIN pg_database d ON d.oid = l.database \
                     WHERE l.locktype = 'relation' AND NOT l.granted AND d.datname = ANY($1)",
                    &[&names.as_slice()],
                )
                .await
                .unwrap()
                .get::<_, bool>(0)
        })
        .await;
        // Let the failing one go; once its failure is in, the other.
        holders[0].batch_execute("ROLLBACK").await.unwrap();
        let failed = failed_rx.recv().await.unwrap();
        assert!(failed.ends_with(&failing.name), "{failed}");
        holders[1].batch_execute("ROLLBACK").await.unwrap();
    };
    let (report, ()) = tokio::join!(run, drive);

    let of = |name: &str| {
        report
            .targets
            .iter()
            .find(|t| t.target.ends_with(name))
            .unwrap()
    };
    assert_eq!(of(&failing.name).state, TargetState::Failed);
    let stopped = of(&running.name);
    assert_eq!(stopped.state, TargetState::Stopped, "{report:?}");
    assert_eq!(
        stopped
            .applied
            .iter()
            .map(|r| r.0.clone())
            .collect::<Vec<_>>(),
        vec![r2.clone()]
    );
    assert!(
        stopped.error.as_deref().unwrap_or("").contains(&r3),
        "{report:?}"
    );
    assert_eq!(history_ids(running).await, vec![r1.clone(), r2.clone()]);
    assert!(!table_exists(running, "public.u").await);
    assert_eq!(report.totals.stopped, 1);
    assert!(!report.succeeded());
}
