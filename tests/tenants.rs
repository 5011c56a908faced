//! Tenant schemas: `schema/` written for one template schema, planned offline like any
//! project, and applied with `apply --fleet` to every schema matching `each_schema` in
//! a real database: each statement rewritten for the tenant, each tenant with its own
//! history, lock and drift check; faults reported per tenant; one tenant run and rolled
//! back with `--tenant`; statements the rewrite cannot prove refused at plan time.

mod common;

use std::path::Path;
use std::process::Output;

use common::{bare, exits, fails, ok, wait_until, TestDb, PATIENCE};
use serde_json::Value;

const TOML: &str =
    "mode = \"offline\"\n\n[fleet]\neach_schema = \"tenant_*\"\ntemplate_schema = \"tenant\"\n";

/// The schema at each of the three revisions.
const V1: &str = "\
create table tenant.customers (
    id bigserial primary key,
    name text not null
);
create table tenant.orders (
    id bigserial primary key,
    customer_id bigint not null references tenant.customers (id),
    total numeric(12, 2) not null default 0
);
create index orders_customer on tenant.orders (customer_id);
create view tenant.big_orders as
    select o.id, c.name, o.total from tenant.orders o join tenant.customers c on c.id = o.customer_id
    where o.total > 100;
comment on table tenant.orders is 'one row per order of this tenant';
";

const V2_EXTRA: &str = "\
alter table tenant.customers add column email text;
create unique index customers_email on tenant.customers (email);
";

const V3_EXTRA: &str = "\
create type tenant.tier as enum ('free', 'paid');
alter table tenant.customers add column tier tenant.tier not null default 'free';
create function tenant.order_count(customer bigint) returns bigint
    language sql stable
    as $$ select count(*) from tenant.orders where customer_id = customer $$;
alter table tenant.orders add constraint orders_total_positive check (total >= 0);
";

/// A project planned offline in three revisions (no database), with their ids.
fn project() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("schemaplan.toml"), TOML).unwrap();
    std::fs::create_dir_all(d.join("schema")).unwrap();
    let mut ids = Vec::new();
    for (i, text) in [
        V1.to_string(),
        format!("{V1}{V2_EXTRA}"),
        format!("{V1}{V2_EXTRA}{V3_EXTRA}"),
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(d.join("schema/app.sql"), text).unwrap();
        ok(&bare(d, &["plan", "-m", &format!("step {}", i + 1)], &[]));
        let new: Vec<String> = plan_ids(d)
            .into_iter()
            .filter(|id| !ids.contains(id))
            .collect();
        assert_eq!(new.len(), 1, "{new:?}");
        ids.extend(new);
    }
    (dir, ids)
}

/// The first `n` of `ids`, sorted as a history reads back.
fn first(ids: &[String], n: usize) -> Vec<String> {
    let mut v = ids[..n].to_vec();
    v.sort();
    v
}

/// The revision ids in plans/, sorted.
fn plan_ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir.join("plans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter_map(|n| n.strip_suffix(".sql").map(|n| n[..21].to_string()))
        .collect();
    ids.sort();
    ids
}

fn json(o: &Output, code: i32) -> Value {
    serde_json::from_str(&exits(o, code)).unwrap()
}

/// Empty tenant schemas `tenant_000` .. in `db`, as an application makes them at sign
/// up, and a schema that is not a tenant's.
async fn tenants(db: &TestDb, n: usize) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("tenant_{i:03}")).collect();
    let sql: String = names
        .iter()
        .map(|n| format!("CREATE SCHEMA {n};\n"))
        .collect();
    db.exec(&sql).await;
    db.exec("CREATE SCHEMA shared; CREATE TABLE shared.plans (id int)")
        .await;
    names
}

/// The revisions a tenant schema's history records as complete.
async fn tenant_history(db: &TestDb, schema: &str) -> Vec<String> {
    db.client()
        .await
        .query(
            "SELECT id FROM schemaplan.tenant_revisions \
             WHERE target_schema = $1 AND statements_done IS NULL ORDER BY id",
            &[&schema],
        )
        .await
        .map(|rows| rows.iter().map(|r| r.get(0)).collect())
        .unwrap_or_default()
}

/// The relations and types of a schema, by kind and name, without the schema's name.
async fn shape(db: &TestDb, schema: &str) -> Vec<String> {
    let rows = db
        .client()
        .await
        .query(
            "SELECT c.relkind::text || ' ' || c.relname FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 \
             UNION ALL SELECT 'type ' || t.typname FROM pg_type t \
             JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = $1 AND t.typtype = 'e' \
             UNION ALL SELECT 'function ' || p.proname FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 \
             ORDER BY 1",
            &[&schema],
        )
        .await
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

fn target<'a>(report: &'a Value, schema: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["schema"] == schema)
        .unwrap_or_else(|| panic!("no target {schema} in {report:#}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_tenant_schemas_get_every_revision_once_and_a_rerun_applies_nothing() {
    let (dir, ids) = project();
    let d = dir.path();
    // The plans are written for the template, and never create or drop it.
    let first_plan =
        std::fs::read_to_string(common::file_starting_with(&d.join("plans"), &ids[0])).unwrap();
    assert!(
        first_plan.contains("CREATE TABLE tenant.customers"),
        "{first_plan}"
    );
    assert!(
        !first_plan.to_lowercase().contains("schema tenant"),
        "{first_plan}"
    );
    ok(&bare(d, &["check"], &[]));

    let db = TestDb::new().await;
    let names = tenants(&db, 200).await;
    let run = |args: &[&str]| common::run(d, &db.url, args);
    // Read by PostgreSQL too: the offline reading of schema/ and plans/ equals the exact
    // one, with the template schema implied on both sides.
    let verified = ok(&run(&["check", "--verify"]));
    assert!(verified.contains("verified"), "{verified}");

    let report = json(
        &run(&["apply", "--fleet", "--jobs", "8", "--format", "json"]),
        0,
    );
    assert_eq!(report["totals"]["applied"], 200, "{report:#}");
    assert_eq!(report["targets"].as_array().unwrap().len(), 200);
    let expected = shape(&db, "tenant_000").await;
    assert!(
        expected.contains(&"r orders".to_string())
            && expected.contains(&"v big_orders".to_string())
            && expected.contains(&"type tier".to_string())
            && expected.contains(&"function order_count".to_string()),
        "{expected:?}"
    );
    for name in &names {
        assert_eq!(
            target(&report, name)["applied"].as_array().unwrap().len(),
            3
        );
        assert_eq!(tenant_history(&db, name).await, first(&ids, 3), "{name}");
        assert_eq!(shape(&db, name).await, expected, "{name}");
    }
    // Nothing went to the template schema, to public, or to the shared schema.
    assert!(shape(&db, "tenant").await.is_empty());
    assert!(shape(&db, "public").await.is_empty());
    assert_eq!(shape(&db, "shared").await, vec!["r plans".to_string()]);

    // Each tenant's defaults use its own sequence; its function reads its own rows.
    let c = db.client().await;
    for name in ["tenant_007", "tenant_199"] {
        c.batch_execute(&format!(
            "INSERT INTO {name}.customers (name) VALUES ('a'), ('b');
             INSERT INTO {name}.orders (customer_id, total) VALUES (2, 500)"
        ))
        .await
        .unwrap();
    }
    let row = c
        .query_one(
            "SELECT (SELECT max(id) FROM tenant_007.customers), \
                    tenant_007.order_count(2), tenant_008.order_count(2), \
                    (SELECT count(*) FROM tenant_199.big_orders)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2),
            row.get::<_, i64>(3)
        ),
        (2, 1, 0, 1)
    );

    let report = json(
        &run(&["apply", "--fleet", "--jobs", "4", "--format", "json"]),
        0,
    );
    assert_eq!(report["totals"]["unchanged"], 200, "{report:#}");
    let rows: i64 = c
        .query_one("SELECT count(*) FROM schemaplan.tenant_revisions", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 600);

    let status = json(&run(&["status", "--fleet", "--format", "json"]), 0);
    let groups = status["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{status:#}");
    assert_eq!(groups[0]["targets"].as_array().unwrap().len(), 200);
    let text = ok(&run(&["status", "--fleet"]));
    assert!(
        text.starts_with(&format!("at {} (head): 200 target(s)\n", ids[2])),
        "{text}"
    );
}

/// The advisory lock key of a tenant schema (src/apply/lock.rs).
fn tenant_lock_key(schema: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("schemaplan tenant {schema}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn tenant_faults_are_reported_per_tenant_and_a_rerun_after_fixing_them_completes() {
    let (dir, ids) = project();
    let d = dir.path();
    let db = TestDb::new().await;
    let names = tenants(&db, 5).await;
    let (fine, drifted, locked, failing) = (&names[0], &names[1], &names[2], &names[3]);
    let run = |args: &[&str]| common::run(d, &db.url, args);

    // Without --fleet or --tenant, the revisions are not run on the database.
    let e = fails(&run(&["apply"]));
    assert!(
        e.contains("template schema tenant") && e.contains("--tenant SCHEMA"),
        "{e}"
    );
    // Two tenants at the first revision.
    for t in [drifted, failing] {
        ok(&run(&["apply", "--tenant", t, "--to", &ids[0]]));
        assert_eq!(tenant_history(&db, t).await, first(&ids, 1));
    }
    db.exec(&format!("CREATE TABLE {drifted}.stray (id int)"))
        .await;
    // A negative total: the third revision's check constraint fails on it.
    db.exec(&format!(
        "INSERT INTO {failing}.customers (name) VALUES ('x');
         INSERT INTO {failing}.orders (customer_id, total) VALUES (1, -5)"
    ))
    .await;
    let holder = db.client().await;
    holder
        .query_one("SELECT pg_advisory_lock($1)", &[&tenant_lock_key(locked)])
        .await
        .unwrap();

    let apply = || {
        run(&[
            "apply",
            "--fleet",
            "--max-failures",
            "10",
            "--lock-wait",
            "1s",
            "--format",
            "json",
        ])
    };
    let report = json(&apply(), 1);
    let state = |t: &str| target(&report, t)["state"].as_str().unwrap().to_string();
    let error = |t: &str| {
        target(&report, t)["error"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    // Another tenant's drift or lock is not this tenant's business.
    assert_eq!(state(fine), "applied", "{report:#}");
    assert_eq!(state(&names[4]), "applied", "{report:#}");
    assert_eq!(state(drifted), "failed");
    assert!(
        error(drifted).contains("drift") && error(drifted).contains("stray"),
        "{report:#}"
    );
    assert_eq!(state(locked), "failed");
    assert!(error(locked).contains("apply lock"), "{report:#}");
    assert_eq!(state(failing), "failed");
    assert!(
        error(failing).contains(&format!("revision {}", ids[2]))
            && error(failing).contains("orders_total_positive"),
        "{report:#}"
    );
    // Nothing half applied: the failing tenant is at its last good revision.
    assert_eq!(tenant_history(&db, failing).await, first(&ids, 2));
    // Its third revision runs outside a transaction (it validates the constraint on
    // its own): the statements before the failing one stay, and a rerun resumes.
    let partial: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM schemaplan.tenant_revisions \
             WHERE target_schema = $1 AND id = $2 AND statements_done IS NOT NULL",
            &[failing, &ids[2]],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(partial, 1);
    assert!(tenant_history(&db, locked).await.is_empty());
    assert_eq!(tenant_history(&db, fine).await, first(&ids, 3));

    db.exec(&format!("DROP TABLE {drifted}.stray")).await;
    db.exec(&format!("UPDATE {failing}.orders SET total = 5"))
        .await;
    drop(holder);
    let admin = db.client().await;
    let key = tenant_lock_key(locked);
    wait_until(
        "the test's tenant lock to be released",
        PATIENCE,
        async || {
            admin
                .query_one(
                    "SELECT count(*) = 0 FROM pg_locks WHERE locktype = 'advisory' \
                 AND ((classid::bigint << 32) | objid::bigint) = $1",
                    &[&key],
                )
                .await
                .unwrap()
                .get::<_, bool>(0)
        },
    )
    .await;
    let report = json(&apply(), 0);
    assert_eq!(report["totals"]["applied"], 3, "{report:#}");
    assert_eq!(report["totals"]["unchanged"], 2, "{report:#}");
    for t in &names {
        assert_eq!(tenant_history(&db, t).await, first(&ids, 3), "{t}");
    }

    // One tenant rolled back; the others stay.
    ok(&run(&["rollback", "--tenant", fine]));
    assert_eq!(tenant_history(&db, fine).await, first(&ids, 2));
    assert!(!shape(&db, fine).await.contains(&"type tier".to_string()));
    assert!(shape(&db, &names[4])
        .await
        .contains(&"type tier".to_string()));
    let status = json(&run(&["status", "--tenant", fine, "--format", "json"]), 0);
    assert_eq!(status["pending"], serde_json::json!([ids[2]]), "{status:#}");
    assert_eq!(status["drift"], false, "{status:#}");
}

#[test]
fn statements_the_rewrite_cannot_prove_are_refused_at_plan_time_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("schemaplan.toml"), TOML).unwrap();
    std::fs::create_dir_all(d.join("schema")).unwrap();
    let refused = |sql: &str| {
        std::fs::write(d.join("schema/app.sql"), sql).unwrap();
        let plan = fails(&bare(d, &["plan", "-m", "x"], &[]));
        let check = fails(&bare(d, &["check"], &[]));
        assert!(!d.join("plans").exists() || plan_ids(d).is_empty());
        (plan, check)
    };
    // Dynamic SQL naming the template: no rewrite can follow it.
    let (plan, check) = refused(
        "create table tenant.items (id int);\n\
         create function tenant.purge() returns void language plpgsql as $$\n\
         begin execute 'delete from tenant.items'; end $$;\n",
    );
    assert!(
        plan.contains("schema/app.sql:2:") && plan.contains("plpgsql"),
        "{plan}"
    );
    assert!(check.contains("schema/app.sql:2:"), "{check}");
    // An object outside the template would be made once per tenant.
    let (plan, _) = refused("create extension citext;\ncreate table tenant.items (id int);\n");
    assert!(
        plan.contains("schema/app.sql:1:") && plan.contains("not inside the template schema"),
        "{plan}"
    );
    let (plan, _) = refused("create table public.items (id int);\n");
    assert!(plan.contains("schema/app.sql:1:"), "{plan}");

    // A function that sets its search_path to the template and names nothing
    // qualified is fine: the setting is rewritten per tenant.
    std::fs::write(
        d.join("schema/app.sql"),
        "create table tenant.items (id int);\n\
         create function tenant.purge() returns void language plpgsql \
         set search_path = tenant as $$ begin delete from items; end $$;\n",
    )
    .unwrap();
    ok(&bare(d, &["plan", "-m", "ok"], &[]));
    assert_eq!(plan_ids(d).len(), 1);

    // A revision edited by hand to run dynamic SQL: plan and check refuse it too.
    let file = common::file_starting_with(&d.join("plans"), &plan_ids(d)[0]);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen(
            "-- schemaplan:down",
            "DO $$ begin execute 'truncate tenant.items'; end $$;\n\n-- schemaplan:down",
            1,
        ),
    )
    .unwrap();
    let line = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("DO $$"))
        .unwrap()
        + 1;
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    let e = fails(&bare(d, &["plan", "-m", "more"], &[]));
    assert!(
        e.contains(&format!("{name}:{line}:")) && e.contains("DO"),
        "{e}"
    );
    let o = bare(d, &["check"], &[]);
    let out = exits(&o, 1);
    assert!(out.contains(&format!("{name}:{line}:")), "{out}");
}
