//! Tenant schemas on a real database: revision statements written for the template
//! schema `tenant`, rewritten for `tenant_a` and `tenant_b` and run, give both schemas
//! the same objects, each referring only to its own schema, and create nothing in a
//! schema named `tenant`.

mod common;

use common::{db_error, TestDb};
use schemaplan::parse::tenant::rewrite;

const ROLE: &str = "sp_tenancy_role";

/// A revision's statements, written for the template schema `tenant`.
const STATEMENTS: &[&str] = &[
    "SET lock_timeout = '5s'",
    "CREATE TYPE tenant.mood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE TABLE tenant.owners (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
     name text NOT NULL UNIQUE)",
    "CREATE SEQUENCE tenant.order_no_seq START 100",
    "-- the items of a tenant
     CREATE TABLE tenant.items (
        id serial PRIMARY KEY,
        owner_id bigint REFERENCES tenant.owners (id) ON DELETE CASCADE,
        name text NOT NULL,
        mood tenant.mood NOT NULL DEFAULT 'ok',
        order_no bigint NOT NULL DEFAULT nextval('tenant.order_no_seq'::regclass),
        tags text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz,
        CHECK (length(name) > 0)
     );",
    "ALTER SEQUENCE tenant.order_no_seq OWNED BY tenant.items.order_no",
    "CREATE TABLE tenant.audit (id bigserial PRIMARY KEY, item_id int NOT NULL, \
     at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX items_owner ON tenant.items (owner_id)",
    "CREATE INDEX CONCURRENTLY items_tags ON tenant.items USING gin (tags) \
     WHERE mood <> 'sad'::tenant.mood",
    "CREATE UNIQUE INDEX items_name_lower ON tenant.items (lower(name))",
    "ALTER TABLE tenant.items ADD COLUMN note text",
    "ALTER TABLE tenant.items ADD CONSTRAINT items_note_short CHECK (length(note) < 200) NOT VALID",
    "ALTER TABLE tenant.items VALIDATE CONSTRAINT items_note_short",
    "ALTER TABLE tenant.items ALTER COLUMN note TYPE varchar(200) USING note::varchar(200)",
    "CREATE VIEW tenant.item_summary AS SELECT o.name AS owner, count(i.id) AS items \
     FROM tenant.owners o LEFT JOIN tenant.items i ON i.owner_id = o.id GROUP BY o.name",
    "CREATE FUNCTION tenant.item_count() RETURNS bigint LANGUAGE sql STABLE \
     AS $$ SELECT count(*) FROM tenant.items $$",
    "CREATE FUNCTION tenant.happy_count() RETURNS bigint LANGUAGE sql STABLE \
     BEGIN ATOMIC SELECT count(*) FROM tenant.items WHERE mood = 'happy'::tenant.mood; END",
    "CREATE FUNCTION tenant.touch() RETURNS trigger LANGUAGE plpgsql SET search_path = tenant \
     AS $$ BEGIN NEW.updated_at := now(); INSERT INTO audit (item_id) VALUES (NEW.id); \
     RETURN NEW; END $$",
    "CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE ON tenant.items \
     FOR EACH ROW EXECUTE FUNCTION tenant.touch()",
    "COMMENT ON TABLE tenant.items IS 'one row per tenant item'",
    "COMMENT ON COLUMN tenant.items.mood IS 'how the tenant feels'",
    "GRANT USAGE ON SCHEMA tenant TO sp_tenancy_role",
    "GRANT SELECT, INSERT ON tenant.items TO sp_tenancy_role",
    "GRANT SELECT ON tenant.item_summary TO sp_tenancy_role",
    "GRANT EXECUTE ON FUNCTION tenant.item_count() TO sp_tenancy_role",
    "ALTER TYPE tenant.mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy'",
    "CREATE POLICY own_items ON tenant.items \
     USING (owner_id IN (SELECT id FROM tenant.owners WHERE name = current_user))",
    "ALTER TABLE tenant.items ENABLE ROW LEVEL SECURITY",
    "INSERT INTO tenant.owners (name) VALUES ('alice')",
    "ALTER TABLE tenant.items RENAME COLUMN note TO remark",
];

/// Everything in schema `$1`, without the schema's name: relations, enum labels,
/// functions and their settings, constraints and whether they point into the same
/// schema, triggers and whether their function is the schema's own, policies,
/// comments and privileges.
const OBJECTS: &str = "
SELECT d FROM (
  SELECT format('relation %s %s acl=%s', c.relkind, c.relname, c.relacl) AS d
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
  UNION ALL
  SELECT format('enum %s %s', t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder))
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = $1 GROUP BY t.typname
  UNION ALL
  SELECT format('function %s config=%s acl=%s', p.proname,
                replace(p.proconfig::text, $1, '<schema>'), p.proacl)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
  UNION ALL
  SELECT format('constraint %s %s on %s refers to own schema: %s validated: %s',
                co.conname, co.contype, cl.relname,
                co.confrelid = 0 OR (SELECT relnamespace FROM pg_class WHERE oid = co.confrelid)
                                    = n.oid,
                co.convalidated)
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = $1
  UNION ALL
  SELECT format('trigger %s on %s calls own schema: %s', tg.tgname, cl.relname,
                p.pronamespace = n.oid)
    FROM pg_trigger tg JOIN pg_class cl ON cl.oid = tg.tgrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace JOIN pg_proc p ON p.oid = tg.tgfoid
    WHERE n.nspname = $1 AND NOT tg.tgisinternal
  UNION ALL
  SELECT format('policy %s on %s', po.polname, cl.relname)
    FROM pg_policy po JOIN pg_class cl ON cl.oid = po.polrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = $1
  UNION ALL
  SELECT format('comment on %s column %s: %s', cl.relname, ds.objsubid, ds.description)
    FROM pg_description ds JOIN pg_class cl ON cl.oid = ds.objoid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE ds.classoid = 'pg_class'::regclass AND n.nspname = $1
  UNION ALL
  SELECT format('schema acl=%s', n.nspacl) FROM pg_namespace n WHERE n.nspname = $1
) objects ORDER BY d";

/// The objects that depend on something in another schema than their own (the
/// schema's own objects must refer only to each other): views, functions with
/// SQL-standard bodies and column defaults, through pg_depend.
const FOREIGN_DEPENDENCIES: &str = "
SELECT format('%s -> %s', pg_describe_object(d.classid, d.objid, d.objsubid),
              pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid))
  FROM pg_depend d
  JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
  JOIN pg_namespace rn ON rn.oid = rc.relnamespace
 WHERE rn.nspname LIKE 'tenant%'
   AND rn.nspname <> $1
   AND (   (d.classid = 'pg_rewrite'::regclass AND EXISTS (
              SELECT 1 FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE r.oid = d.objid AND n.nspname = $1))
        OR (d.classid = 'pg_proc'::regclass AND EXISTS (
              SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE p.oid = d.objid AND n.nspname = $1))
        OR (d.classid = 'pg_attrdef'::regclass AND EXISTS (
              SELECT 1 FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE ad.oid = d.objid AND n.nspname = $1)))";

async fn run_for(client: &tokio_postgres::Client, schema: &str) {
    for sql in STATEMENTS {
        let out = rewrite(sql, "tenant", schema)
            .unwrap_or_else(|e| panic!("refused for {schema}: {e}\n{sql}"));
        client
            .batch_execute(&out)
            .await
            .unwrap_or_else(|e| panic!("{}\n--- while running:\n{out}", db_error(&e)));
    }
}

/// Runs a statement written for `tenant` on `schema`'s tables.
async fn query_for(client: &tokio_postgres::Client, schema: &str, sql: &str) -> Vec<i64> {
    let out = rewrite(sql, "tenant", schema).unwrap_or_else(|e| panic!("refused: {e}\n{sql}"));
    client
        .query(&out, &[])
        .await
        .unwrap_or_else(|e| panic!("{}\n--- while running:\n{out}", db_error(&e)))
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn objects(client: &tokio_postgres::Client, schema: &str) -> Vec<String> {
    client
        .query(OBJECTS, &[&schema])
        .await
        .unwrap_or_else(|e| panic!("{}", db_error(&e)))
        .iter()
        .map(|r| r.get::<_, String>(0).replace(schema, "<schema>"))
        .collect()
}

#[tokio::test]
async fn two_tenants_get_the_same_objects_each_in_its_own_schema() {
    let db = TestDb::new().await;
    let client = db.client().await;
    common::ensure_roles(&client, &[ROLE]).await;
    db.exec("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b")
        .await;

    run_for(&client, "tenant_a").await;
    run_for(&client, "tenant_b").await;

    let template: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(template, 0, "a schema named tenant was created");

    let a = objects(&client, "tenant_a").await;
    let b = objects(&client, "tenant_b").await;
    assert_eq!(a, b);
    for expected in [
        "relation r items acl=",
        "relation S items_id_seq acl=",
        "relation S order_no_seq acl=",
        "relation v item_summary acl=",
        "relation i items_tags acl=",
        "enum mood {sad,ok,happy,ecstatic}",
        "function touch config={search_path=<schema>} acl=",
        "constraint items_owner_id_fkey f on items refers to own schema: t validated: t",
        "constraint items_note_short c on items refers to own schema: t validated: t",
        "trigger items_touch on items calls own schema: t",
        "policy own_items on items",
        "comment on items column 0: one row per tenant item",
        "schema acl=",
    ] {
        assert!(
            a.iter().any(|o| o.starts_with(expected)),
            "missing {expected:?} in {a:#?}"
        );
    }
    assert!(
        a.iter()
            .any(|o| o.starts_with("relation r items acl=") && o.contains(ROLE)),
        "{a:#?}"
    );
    for schema in ["tenant_a", "tenant_b"] {
        let crossing: Vec<String> = client
            .query(FOREIGN_DEPENDENCIES, &[&schema])
            .await
            .unwrap_or_else(|e| panic!("{}", db_error(&e)))
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(crossing.is_empty(), "{schema} depends on {crossing:?}");
    }

    // Rows through the defaults: two in tenant_a, one in tenant_b. Each tenant's serial
    // and regclass default draw from its own sequences, its trigger writes its own
    // audit table (search_path), and its functions count its own rows.
    let insert = "INSERT INTO tenant.items (owner_id, name) \
                  SELECT id, 'item ' || id FROM tenant.owners RETURNING id::bigint";
    assert_eq!(query_for(&client, "tenant_a", insert).await, [1]);
    let second = "INSERT INTO tenant.items (name, mood) VALUES ('second', 'happy') \
                  RETURNING order_no";
    assert_eq!(query_for(&client, "tenant_a", second).await, [101]);
    assert_eq!(query_for(&client, "tenant_b", insert).await, [1]);
    let order_nos = "SELECT order_no FROM tenant.items ORDER BY id";
    assert_eq!(query_for(&client, "tenant_a", order_nos).await, [100, 101]);
    assert_eq!(query_for(&client, "tenant_b", order_nos).await, [100]);
    let audit = "SELECT count(*) FROM tenant.audit";
    assert_eq!(query_for(&client, "tenant_a", audit).await, [2]);
    assert_eq!(query_for(&client, "tenant_b", audit).await, [1]);
    let counts = "SELECT tenant.item_count() * 10 + tenant.happy_count()";
    assert_eq!(query_for(&client, "tenant_a", counts).await, [21]);
    assert_eq!(query_for(&client, "tenant_b", counts).await, [10]);
}
