//! Scratch databases on a real server: create, load, drop, and clean up after errors.
//!
//! The tests in this file share the process-wide scratch registry (and
//! `drop_all_scratch` drops everything in it), so they run one at a time.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use schemaplan::connect::DbUrl;
use schemaplan::devdb::{drop_all_scratch, load_source, DevDatabase};
use schemaplan::Error;
use tokio::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::const_new(());

fn server() -> DbUrl {
    DbUrl::parse(&common::server_url()).unwrap()
}

fn fixture(path: &str) -> std::path::PathBuf {
    common::root().join(path)
}

/// Scratch databases that exist on the server now.
async fn scratch_on_server() -> BTreeSet<String> {
    let client = common::connect(&common::server_url()).await;
    client
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'schemaplan\\_dev\\_%'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn exists(name: &str) -> bool {
    scratch_on_server().await.contains(name)
}

#[tokio::test]
async fn create_then_drop_leaves_nothing_behind() {
    let _serial = SERIAL.lock().await;
    let db = DevDatabase::create(&server()).await.unwrap();
    let name = db.name().to_string();
    assert!(
        name.starts_with("schemaplan_dev_") && name.len() == "schemaplan_dev_".len() + 16,
        "{name}"
    );
    assert!(exists(&name).await);
    assert_eq!(db.url().dbname(), name);
    db.drop_database().await.unwrap();
    assert!(!exists(&name).await);
}

#[tokio::test]
async fn wrong_order_directory_loads_and_its_objects_exist() {
    let _serial = SERIAL.lock().await;
    let db = load_source(&server(), &fixture("tests/fixtures/load/wrong_order"))
        .await
        .unwrap();
    let client = common::connect(&common::url_for(db.name())).await;
    let relations: Vec<String> = client
        .query(
            "SELECT c.relname || ':' || c.relkind::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for expected in [
        "customer_totals:v",
        "customers:r",
        "orders:r",
        "orders_cents_idx:i",
        "players:r",
        "teams:r",
        "tickets:r",
        "tickets_id_seq:S",
    ] {
        assert!(
            relations.iter().any(|r| r == expected),
            "{expected} missing from {relations:?}"
        );
    }
    // The moved foreign keys, OWNED BY, enum value, trigger and comment made it.
    let facts: Vec<bool> = client
        .query(
            "SELECT
               (SELECT count(*) FROM pg_constraint WHERE contype = 'f'
                  AND conrelid IN ('app.teams'::regclass, 'app.players'::regclass)) = 2,
               (SELECT condeferred FROM pg_constraint WHERE contype = 'f' AND conrelid = 'app.players'::regclass),
               EXISTS (SELECT 1 FROM pg_depend WHERE objid = 'app.tickets_id_seq'::regclass
                  AND refobjid = 'app.tickets'::regclass AND deptype = 'a'),
               'shipped' = ANY (enum_range(NULL::app.order_status)::text[]),
               EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'customers_email_lower'),
               obj_description('app.customer_totals'::regclass, 'pg_class') = 'Order totals per customer'",
            &[],
        )
        .await
        .unwrap()
        .into_iter()
        .flat_map(|row| (0..6).map(move |i| row.get::<_, bool>(i)))
        .collect();
    assert_eq!(facts, [true; 6]);
    let name = db.name().to_string();
    drop(client);
    db.drop_database().await.unwrap();
    assert!(!exists(&name).await);
}

/// pg_dump's own output (with its `\\restrict` lines, empty search_path and settings)
/// reads and loads. Skipped when no usable `pg_dump` is on the PATH.
#[tokio::test]
async fn pg_dump_output_loads() {
    let _serial = SERIAL.lock().await;
    let db = load_source(&server(), &fixture("tests/fixtures/load/wrong_order"))
        .await
        .unwrap();
    let dump = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", &common::url_for(db.name())])
        .output();
    db.drop_database().await.unwrap();
    let dump = match dump {
        Ok(out) if out.status.success() => out.stdout,
        _ => {
            eprintln!("pg_dump not available: skipped");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.sql");
    std::fs::write(&file, dump).unwrap();
    let again = load_source(&server(), &file)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    again.drop_database().await.unwrap();
}

#[tokio::test]
async fn every_ok_parse_fixture_loads() {
    let _serial = SERIAL.lock().await;
    let dir = fixture("tests/fixtures/parse/ok");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in files {
        match load_source(&server(), &file).await {
            Ok(db) => db.drop_database().await.unwrap(),
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_load_error_names_the_statement_and_drops_the_scratch_database() {
    let _serial = SERIAL.lock().await;
    std::env::set_current_dir(common::root()).unwrap();
    let before = scratch_on_server().await;
    let err = load_source(&server(), Path::new("tests/fixtures/load/fails"))
        .await
        .err()
        .expect("loading must fail");
    let Error::Load(refusal) = &err else {
        panic!("{err}")
    };
    let schemaplan::error::Refusal {
        location,
        message,
        statement,
        ..
    } = &**refusal;
    assert_eq!(
        location.path,
        Path::new("tests/fixtures/load/fails/02_broken.sql")
    );
    assert_eq!(location.line, 7);
    assert_eq!(message, "column \"item_idd\" does not exist");
    assert_eq!(
        statement,
        "CREATE INDEX orders_missing_idx ON orders (item_idd)"
    );
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("devdb__load_error", err.to_string()));
    let after = scratch_on_server().await;
    let left: Vec<&String> = after.difference(&before).collect();
    assert!(left.is_empty(), "scratch databases left behind: {left:?}");
}

#[tokio::test]
async fn a_failed_load_can_be_dropped_by_the_caller() {
    let _serial = SERIAL.lock().await;
    let db = DevDatabase::create(&server()).await.unwrap();
    let statements = schemaplan::parse::parse_sql(
        Path::new("inline.sql"),
        "CREATE TABLE a (id int);\nCREATE TABLE b (a_id int REFERENCES nope);\nCREATE TABLE c (id int);",
    )
    .unwrap();
    let err = db.load(&statements).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("inline.sql:2:1: relation \"nope\" does not exist"),
        "{err}"
    );
    let name = db.name().to_string();
    db.drop_database().await.unwrap();
    assert!(!exists(&name).await);
}

#[tokio::test]
async fn drop_all_scratch_removes_every_registered_database() {
    let _serial = SERIAL.lock().await;
    let a = DevDatabase::create(&server()).await.unwrap();
    let b = DevDatabase::create(&server()).await.unwrap();
    let names = [a.name().to_string(), b.name().to_string()];
    // Keep a connection open on one of them: FORCE ends it.
    let open = common::connect(&common::url_for(&names[0])).await;
    drop_all_scratch().await.unwrap();
    for name in &names {
        assert!(!exists(name).await, "{name} still exists");
    }
    drop(open);
    // Nothing is left registered: a second call has nothing to do.
    drop_all_scratch().await.unwrap();
    // The handles are stale now; dropping them again is harmless.
    a.drop_database().await.unwrap();
    b.drop_database().await.unwrap();
}
