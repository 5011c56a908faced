//! Online DDL on tables that hold data: every online form planned, applied with
//! `apply`, and checked in the catalogs afterwards; a concurrent index build killed
//! half way and resumed.

mod common;

use std::process::{Command, Stdio};

use common::{ok, run, wait_until, TestDb, PATIENCE};

const BEFORE: &str = "
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, email text, note text);
";

const AFTER: &str = "
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint CONSTRAINT orders_customer_fkey REFERENCES customers,
    email text NOT NULL CONSTRAINT orders_email_key UNIQUE,
    note text CONSTRAINT orders_note_check CHECK (note <> '')
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
";

async fn one<T: for<'a> tokio_postgres::types::FromSql<'a>>(db: &TestDb, sql: &str) -> T {
    db.client().await.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test]
async fn every_online_form_is_applied_and_ends_valid() {
    let db = TestDb::new().await;
    db.exec(BEFORE).await;
    db.exec(
        "INSERT INTO customers SELECT g FROM generate_series(1, 100) g;
         INSERT INTO orders SELECT g, g % 100 + 1, 'u' || g || '@example.com', 'n' FROM generate_series(1, 5000) g;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(p.join("schema/app.sql"), AFTER).unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "constraints"]));
    for expected in [
        "-- transaction: none",
        "CREATE INDEX CONCURRENTLY orders_customer_idx ON public.orders",
        "ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id) NOT VALID",
        "VALIDATE CONSTRAINT orders_customer_fkey",
        "ADD CONSTRAINT orders_note_check CHECK ((note <> ''::text)) NOT VALID",
        "ADD CONSTRAINT orders_email_not_null_check CHECK (email IS NOT NULL) NOT VALID",
        "ALTER COLUMN email SET NOT NULL",
        "DROP CONSTRAINT orders_email_not_null_check",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_email_key ON public.orders (email)",
        "ADD CONSTRAINT orders_email_key UNIQUE USING INDEX orders_email_key",
    ] {
        assert!(revision.contains(expected), "missing {expected:?} in\n{revision}");
    }
    let up = revision.split("-- schemaplan:down").next().unwrap();
    assert!(!up.contains("index-build"), "{revision}");

    let applied = ok(&run(p, &db.url, &["apply"]));
    assert!(applied.contains("1 revision(s) applied"), "{applied}");
    assert!(
        one::<bool>(
            &db,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_customer_idx'::regclass"
        )
        .await
    );
    assert!(
        one::<bool>(
            &db,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_email_key'::regclass"
        )
        .await
    );
    assert_eq!(
        one::<i64>(&db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND NOT convalidated").await,
        0
    );
    assert_eq!(
        one::<i64>(&db, "SELECT count(*) FROM pg_constraint WHERE conname IN ('orders_customer_fkey', 'orders_note_check', 'orders_email_key')").await,
        3
    );
    assert!(one::<bool>(&db, "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'email'").await);
    assert_eq!(
        one::<i64>(
            &db,
            "SELECT count(*) FROM pg_constraint WHERE conname = 'orders_email_not_null_check'"
        )
        .await,
        0,
        "the stand-in check is gone"
    );
    // Converged: planning again gives nothing, and the schema is what schema/ says.
    let again = run(p, &db.url, &["plan", "-m", "nothing"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to plan"));
    ok(&run(
        p,
        &db.url,
        &["diff", "--from", &db.url, "--to", "schema", "--exit-code"],
    ));
    let status = ok(&run(p, &db.url, &["status"]));
    assert!(status.contains("drift:    no"), "{status}");
}

#[tokio::test]
async fn no_online_keeps_the_blocking_forms() {
    let db = TestDb::new().await;
    db.exec(BEFORE).await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(p.join("schema/app.sql"), AFTER).unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "window", "--no-online"]));
    assert!(!revision.contains("CONCURRENTLY"), "{revision}");
    assert!(!revision.contains("NOT VALID"), "{revision}");
    assert!(!revision.contains("-- transaction: none"), "{revision}");
    assert!(revision.contains("index-build"), "{revision}");
}

#[tokio::test]
async fn a_killed_concurrent_index_build_is_rebuilt_by_the_next_apply() {
    let db = TestDb::new().await;
    // An index expression that sleeps while the database has app.slow on.
    db.exec(
        "CREATE TABLE items (id int PRIMARY KEY);
         INSERT INTO items SELECT generate_series(1, 2000);
         CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
         BEGIN
             IF current_setting('app.slow', true) = 'on' THEN PERFORM pg_sleep(0.01); END IF;
             RETURN $1;
         END $$;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(&run(p, &db.url, &["baseline"]));
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE items (id int PRIMARY KEY);
         CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
         BEGIN
             IF current_setting('app.slow', true) = 'on' THEN PERFORM pg_sleep(0.01); END IF;
             RETURN $1;
         END $$;
         CREATE INDEX items_slow ON items (slow_key(id));",
    )
    .unwrap();
    let revision = ok(&run(p, &db.url, &["plan", "-m", "slow index"]));
    assert!(
        revision.contains("CREATE INDEX CONCURRENTLY items_slow"),
        "{revision}"
    );

    db.exec(&format!("ALTER DATABASE {} SET app.slow = 'on'", db.name))
        .await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(["apply", "--database", &db.url])
        .env_remove("DATABASE_URL")
        .current_dir(p)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed once the build has committed the index's catalog entry (still invalid)
    // and is filling it: killed earlier, it would leave nothing to resume.
    let client = db.client().await;
    wait_until(
        "the concurrent build of items_slow to be under way with its invalid index in the catalog",
        PATIENCE,
        async || {
            client
                .query_one(
                    "SELECT EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass('public.items_slow') \
                                    AND NOT indisvalid) \
                        AND EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() \
                                    AND state = 'active' AND query LIKE 'CREATE INDEX CONCURRENTLY%')",
                    &[],
                )
                .await
                .unwrap()
                .get::<_, bool>(0)
        },
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    // The server notices the client is gone and cancels the build: an invalid index stays.
    wait_until("the killed build's session to end", PATIENCE, async || {
        client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = 'schemaplan'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
            == 0
    })
    .await;
    assert!(
        !one::<bool>(
            &db,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_slow'::regclass"
        )
        .await,
        "the killed build left an invalid index"
    );

    db.exec(&format!("ALTER DATABASE {} SET app.slow = 'off'", db.name))
        .await;
    let text = ok(&run(p, &db.url, &["apply"]));
    assert!(text.contains("resumed"), "{text}");
    assert!(
        one::<bool>(
            &db,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_slow'::regclass"
        )
        .await
    );
}
