//! Privileges through a whole plan on a real database: a role that reads a view keeps
//! reading it after the plan drops and creates the view again, whether or not the
//! desired schema declares the grant; grants the desired schema does not mention are
//! left alone.

mod common;

use common::TestDb;
use schemaplan::diff::{adjust_privileges, diff};
use schemaplan::introspect::introspect;
use schemaplan::model::{Catalog, ObjectId, PrivilegeMode, QualName};
use schemaplan::order::order;
use schemaplan::render::{render, Plan};

const RO: &str = "sp_app_ro";

async fn catalog_of(sql: &str) -> Catalog {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO]).await;
    db.exec(sql).await;
    introspect(&db.client().await).await.unwrap()
}

fn plan(from: &Catalog, to: &Catalog) -> Plan {
    render(&order(diff(from, to)).unwrap())
}

async fn apply(db: &TestDb, plan: &Plan) {
    let client = db.client().await;
    for stmt in plan.statements() {
        client
            .batch_execute(stmt)
            .await
            .unwrap_or_else(|e| panic!("{stmt}: {}\n{plan}", common::db_error(&e)));
    }
}

/// What `SET ROLE sp_app_ro` reads from the view, in a transaction that is rolled back.
async fn read_as_ro(db: &TestDb) -> Result<Vec<(i32, String)>, String> {
    let mut client = db.client().await;
    let tx = client.transaction().await.unwrap();
    tx.batch_execute(&format!("SET LOCAL ROLE {RO}"))
        .await
        .unwrap();
    let rows = tx
        .query("SELECT id, v FROM tv ORDER BY id", &[])
        .await
        .map_err(|e| common::db_error(&e))?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

const FROM: &str = "
CREATE TABLE t (id integer PRIMARY KEY, v varchar(10));
CREATE VIEW tv AS SELECT id, v FROM t;
GRANT SELECT ON tv TO sp_app_ro;
GRANT SELECT ON t TO sp_app_ro;
";

/// The case: `v` becomes `text`, the view is recreated around it.
async fn view_recreated_keeps_its_reader(to_sql: &str, mode: PrivilegeMode) {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO]).await;
    db.exec(FROM).await;
    db.exec("INSERT INTO t VALUES (1, 'one'), (2, 'two')").await;
    assert_eq!(
        read_as_ro(&db).await.unwrap().len(),
        2,
        "the role reads before"
    );

    let live = introspect(&db.client().await).await.unwrap();
    let desired = adjust_privileges(&live, &catalog_of(to_sql).await, mode);
    let up = plan(&live, &desired);
    let text = up.to_string();
    assert!(text.contains("DROP VIEW public.tv"), "{text}");
    assert!(!text.contains("authz"), "{text}");
    assert!(
        text.contains("GRANT SELECT ON TABLE public.tv TO sp_app_ro"),
        "{text}"
    );
    apply(&db, &up).await;

    assert_eq!(
        read_as_ro(&db).await,
        Ok(vec![(1, "one".to_string()), (2, "two".to_string())]),
        "the role still reads the recreated view"
    );
    let after = introspect(&db.client().await).await.unwrap();
    assert!(
        plan(&after, &desired).is_empty(),
        "planning again gives nothing"
    );
    let tv = ObjectId::View(QualName::new("public", "tv"));
    assert_eq!(after.privileges.get(&tv), live.privileges.get(&tv));
}

#[tokio::test]
async fn a_recreated_view_keeps_the_grants_the_schema_declares() {
    for mode in [
        PrivilegeMode::Authoritative,
        PrivilegeMode::Additive,
        PrivilegeMode::Ignore,
    ] {
        view_recreated_keeps_its_reader(&FROM.replace("varchar(10)", "text"), mode).await;
    }
}

const UNDECLARED: &str = "CREATE TABLE t (id integer PRIMARY KEY, v text);
     CREATE VIEW tv AS SELECT id, v FROM t;";

#[tokio::test]
async fn a_recreated_view_keeps_its_grants_when_the_schema_declares_none_unless_authoritative() {
    view_recreated_keeps_its_reader(UNDECLARED, PrivilegeMode::Additive).await;
    view_recreated_keeps_its_reader(UNDECLARED, PrivilegeMode::Ignore).await;
    // Authoritative: the schema says nobody reads tv or t; the plan says so, gated.
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO]).await;
    db.exec(FROM).await;
    let live = introspect(&db.client().await).await.unwrap();
    let desired = catalog_of(UNDECLARED).await;
    let up = plan(&live, &desired);
    let text = up.to_string();
    assert!(text.contains("hazards: authz"), "{text}");
    assert!(!text.contains("GRANT SELECT"), "{text}");
    apply(&db, &up).await;
    assert!(read_as_ro(&db).await.is_err());
    let after = introspect(&db.client().await).await.unwrap();
    assert_eq!(after, desired);
    apply(&db, &plan(&after, &live)).await;
    assert_eq!(read_as_ro(&db).await, Ok(vec![]));
}

#[tokio::test]
async fn grants_the_schema_does_not_mention_are_left_alone_when_additive() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO]).await;
    db.exec(FROM).await;
    let live = introspect(&db.client().await).await.unwrap();
    let desired = catalog_of(
        "CREATE TABLE t (id integer PRIMARY KEY, v varchar(10), w integer);
         CREATE VIEW tv AS SELECT id, v FROM t;
         GRANT INSERT ON t TO sp_app_ro;",
    )
    .await;
    let authoritative = plan(&live, &desired).to_string();
    assert!(
        authoritative.contains("REVOKE SELECT ON TABLE public.t FROM sp_app_ro"),
        "{authoritative}"
    );
    let desired = adjust_privileges(&live, &desired, PrivilegeMode::Additive);
    let up = plan(&live, &desired);
    let text = up.to_string();
    assert!(!text.contains("REVOKE"), "{text}");
    assert!(text.contains("ADD COLUMN w integer"), "{text}");
    assert!(
        text.contains("GRANT INSERT ON TABLE public.t TO sp_app_ro"),
        "{text}"
    );
    apply(&db, &up).await;
    let after = introspect(&db.client().await).await.unwrap();
    assert_eq!(after, desired);
    assert!(plan(
        &after,
        &adjust_privileges(&after, &desired, PrivilegeMode::Additive)
    )
    .is_empty());
}

/// Declared grants are exact: what the schema takes away is revoked (with the `authz`
/// hazard), and the down plan gives it back.
#[tokio::test]
async fn declared_grants_are_revoked_with_the_authz_hazard() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO]).await;
    db.exec("CREATE TABLE t (id integer); GRANT SELECT, UPDATE ON t TO sp_app_ro;")
        .await;
    let live = introspect(&db.client().await).await.unwrap();
    let desired = catalog_of("CREATE TABLE t (id integer); GRANT SELECT ON t TO sp_app_ro;").await;
    let up = plan(&live, &desired);
    assert_eq!(
        up.statements().cloned().collect::<Vec<_>>(),
        vec!["REVOKE UPDATE ON TABLE public.t FROM sp_app_ro".to_string()]
    );
    assert!(up.to_string().contains("hazards: authz"), "{up}");
    apply(&db, &up).await;
    let after = introspect(&db.client().await).await.unwrap();
    assert_eq!(after, desired);
    apply(&db, &plan(&after, &live)).await;
    assert_eq!(introspect(&db.client().await).await.unwrap(), live);
}

// ---- the command line --------------------------------------------------------------

fn schemaplan(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .current_dir(dir)
        .output()
        .expect("run schemaplan")
}

fn out(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const RW: &str = "sp_app_rw";

/// `inspect` writes grants (schema, table, column, sequence, function, domain), owners,
/// default privileges and replica identities, so reading its output back plans
/// nothing, exact or offline, even though privileges are authoritative.
#[tokio::test]
async fn inspect_then_diff_is_empty_on_a_database_with_grants() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, RW]).await;
    db.exec(
        "CREATE SCHEMA app;
         CREATE TABLE app.t (id serial PRIMARY KEY, secret text, note text);
         CREATE VIEW app.tv AS SELECT id, note FROM app.t;
         CREATE FUNCTION app.f(n integer) RETURNS integer LANGUAGE sql AS 'SELECT n';
         CREATE DOMAIN app.d AS integer;
         GRANT USAGE ON SCHEMA app TO sp_app_ro, sp_app_rw;
         GRANT SELECT ON app.t TO sp_app_ro;
         GRANT SELECT, INSERT ON app.t TO sp_app_rw WITH GRANT OPTION;
         GRANT UPDATE (note), SELECT (secret) ON app.t TO sp_app_ro;
         GRANT SELECT (note) ON app.tv TO sp_app_rw;
         GRANT USAGE ON SEQUENCE app.t_id_seq TO sp_app_rw;
         REVOKE ALL ON FUNCTION app.f(integer) FROM PUBLIC;
         GRANT EXECUTE ON FUNCTION app.f(integer) TO sp_app_ro;
         REVOKE USAGE ON DOMAIN app.d FROM PUBLIC;
         CREATE VIEW app.owned AS SELECT id FROM app.t;
         ALTER VIEW app.owned OWNER TO sp_app_rw;
         ALTER DOMAIN app.d OWNER TO sp_app_rw;
         CREATE TABLE app.before_defaults (id integer);
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO sp_app_ro;
         ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
         ALTER DEFAULT PRIVILEGES FOR ROLE sp_app_rw GRANT SELECT ON SEQUENCES TO sp_app_ro;
         CREATE TABLE app.after_defaults (id integer);
         CREATE FUNCTION app.g() RETURNS integer LANGUAGE sql AS 'SELECT 1';
         ALTER TABLE app.t REPLICA IDENTITY FULL;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    let inspect = schemaplan(
        dir.path(),
        &["inspect", &db.url, "--out", schema.to_str().unwrap()],
    );
    assert_eq!(inspect.status.code(), Some(0), "{}", out(&inspect));
    let text: String = std::fs::read_dir(&schema)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        text.contains("GRANT UPDATE (note) ON TABLE app.t TO sp_app_ro"),
        "{text}"
    );
    assert!(
        text.contains("ALTER VIEW app.owned OWNER TO sp_app_rw"),
        "{text}"
    );
    assert!(
        text.contains("ALTER DOMAIN app.d OWNER TO sp_app_rw"),
        "{text}"
    );
    assert!(
        text.contains("ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO sp_app_ro"),
        "{text}"
    );
    assert!(
        text.contains(
            "ALTER DEFAULT PRIVILEGES FOR ROLE sp_app_rw GRANT SELECT ON SEQUENCES TO sp_app_ro"
        ),
        "{text}"
    );
    assert!(text.contains("REPLICA IDENTITY FULL"), "{text}");
    // The live side is introspected, so the files are read the same way: exact.
    let d = schemaplan(
        dir.path(),
        &[
            "diff",
            "--from",
            &db.url,
            "--to",
            schema.to_str().unwrap(),
            "--exit-code",
            "--dev-url",
            &common::server_url(),
        ],
    );
    assert_eq!(d.status.code(), Some(0), "{}", out(&d));
    // And offline, plan then check agree on the inspected schema.
    let plan = schemaplan(dir.path(), &["plan", "-m", "init", "--mode", "offline"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    let check = schemaplan(dir.path(), &["check", "--mode", "offline"]);
    assert_eq!(check.status.code(), Some(0), "{}", out(&check));
}

/// The three modes, through `diff`, `plan` and `check` alike.
#[tokio::test]
async fn privilege_modes_agree_across_diff_plan_and_check() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, RW]).await;
    db.exec(
        "CREATE TABLE t (id integer);
         GRANT SELECT ON t TO sp_app_ro, sp_app_rw;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    std::fs::write(
        schema.join("t.sql"),
        "CREATE TABLE t (id integer);\nGRANT SELECT, INSERT ON t TO sp_app_ro;\nGRANT SELECT ON t TO sp_app_rw;\n",
    )
    .unwrap();
    let to = schema.to_str().unwrap();
    let diff = |mode: &str| {
        schemaplan(
            dir.path(),
            &[
                "diff",
                "--from",
                &db.url,
                "--to",
                to,
                "--dev-url",
                &common::server_url(),
                "--privileges",
                mode,
            ],
        )
    };
    // Offline project: the first revision, then the schema takes rw's grant away.
    let plan = schemaplan(dir.path(), &["plan", "-m", "init", "--mode", "offline"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    std::fs::write(
        schema.join("t.sql"),
        "CREATE TABLE t (id integer);\nGRANT SELECT, INSERT ON t TO sp_app_ro;\n",
    )
    .unwrap();

    let authoritative = out(&diff("authoritative"));
    assert!(
        authoritative.contains("REVOKE SELECT ON TABLE public.t FROM sp_app_rw"),
        "{authoritative}"
    );
    assert!(
        authoritative.contains("GRANT INSERT ON TABLE public.t TO sp_app_ro"),
        "{authoritative}"
    );
    let additive = out(&diff("additive"));
    assert!(!additive.contains("REVOKE"), "{additive}");
    assert!(
        additive.contains("GRANT INSERT ON TABLE public.t TO sp_app_ro"),
        "{additive}"
    );
    let ignore = diff("ignore");
    let text = out(&ignore);
    assert!(!text.contains("GRANT INSERT"), "{text}");
    assert_eq!(
        text.matches("--privileges ignore").count(),
        1,
        "one warning: {text}"
    );

    let check = |mode: &str| {
        schemaplan(
            dir.path(),
            &["check", "--mode", "offline", "--privileges", mode],
        )
    };
    assert_eq!(check("authoritative").status.code(), Some(1));
    assert_eq!(
        check("ignore").status.code(),
        Some(0),
        "{}",
        out(&check("ignore"))
    );
    assert_eq!(
        check("additive").status.code(),
        Some(0),
        "{}",
        out(&check("additive"))
    );
    let preview = schemaplan(
        dir.path(),
        &["plan", "--mode", "offline", "--privileges", "additive"],
    );
    assert!(
        out(&preview).contains("nothing to plan"),
        "{}",
        out(&preview)
    );
    let revoke = schemaplan(dir.path(), &["plan", "-m", "revoke", "--mode", "offline"]);
    assert_eq!(revoke.status.code(), Some(0), "{}", out(&revoke));
    let text = out(&revoke);
    assert!(text.contains("authz"), "{text}");
    assert_eq!(check("authoritative").status.code(), Some(0));
}

// ---- roles are referenced, not created ----------------------------------------------

const MISSING: &str = "sp_role_nobody_created";

fn schema_granting_to(dir: &std::path::Path, role: &str) {
    let schema = dir.join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(
        schema.join("t.sql"),
        format!("CREATE TABLE t (id integer);\nGRANT SELECT ON t TO {role};\n"),
    )
    .unwrap();
}

/// Exact mode on a configured server and `apply` refuse a grant to a role the server
/// lacks before anything runs, naming the role, the file and the line; offline, role
/// names are taken as written.
#[tokio::test]
async fn a_grant_to_a_missing_role_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    schema_granting_to(dir.path(), MISSING);
    exact_mode_refuses_the_missing_role(dir.path());

    let plan = schemaplan(dir.path(), &["plan", "-m", "t", "--mode", "offline"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));

    let db = TestDb::new().await;
    let apply = schemaplan(dir.path(), &["apply", "--database", &db.url]);
    let text = out(&apply);
    assert_eq!(apply.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!("role {MISSING} does not exist")),
        "{text}"
    );
    assert!(text.contains("plans/"), "{text}");
    let tables = db
        .client()
        .await
        .query("SELECT 1 FROM pg_class WHERE relname = 't'", &[])
        .await
        .unwrap();
    assert!(tables.is_empty(), "nothing applied");
}

/// With no server configured, exact mode's throwaway cluster creates the roles the
/// schema names, so exact mode works on a laptop.
#[test]
fn the_throwaway_cluster_creates_the_roles_the_schema_names() {
    let dir = tempfile::tempdir().unwrap();
    schema_granting_to(dir.path(), MISSING);
    let exact = schemaplan(dir.path(), &["diff", "--to", "schema", "--mode", "exact"]);
    let text = out(&exact);
    assert_eq!(exact.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("GRANT SELECT ON TABLE public.t TO {MISSING}")),
        "{text}"
    );
}

/// A privilege the object kind does not have is refused with the file and line, offline
/// as PostgreSQL refuses it in exact mode; exit 2.
#[test]
fn a_privilege_the_kind_does_not_have_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(
        schema.join("s.sql"),
        "CREATE SEQUENCE s;\n\nGRANT INSERT ON SEQUENCE s TO PUBLIC;\n",
    )
    .unwrap();
    for mode in ["offline", "exact"] {
        let run = schemaplan(
            dir.path(),
            &[
                "diff",
                "--to",
                "schema",
                "--mode",
                mode,
                "--dev-url",
                &common::server_url(),
            ],
        );
        let text = out(&run);
        assert_eq!(run.status.code(), Some(2), "{mode}: {text}");
        assert!(text.contains("s.sql:3"), "{mode}: {text}");
        assert!(
            text.contains("invalid privilege type INSERT for sequence"),
            "{mode}: {text}"
        );
    }
}

/// `check --format markdown` lists access changes in their own section, net: the
/// grant a recreated view gets back is not a change, the one taken away is.
#[test]
fn check_markdown_lists_access_changes() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    let write = |sql: &str| std::fs::write(schema.join("app.sql"), sql).unwrap();
    write(
        "CREATE TABLE t (id integer PRIMARY KEY, v varchar(10));
         CREATE VIEW tv AS SELECT id, v FROM t;
         GRANT SELECT ON tv TO sp_app_ro;
         GRANT SELECT, UPDATE ON t TO sp_app_ro;",
    );
    let plan = schemaplan(dir.path(), &["plan", "-m", "init", "--mode", "offline"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    write(
        "CREATE TABLE t (id integer PRIMARY KEY, v text);
         CREATE VIEW tv AS SELECT id, v FROM t;
         GRANT SELECT ON tv TO sp_app_ro;
         GRANT SELECT ON t TO sp_app_ro;
         GRANT INSERT (v) ON t TO sp_app_rw;",
    );
    let check = schemaplan(
        dir.path(),
        &["check", "--mode", "offline", "--format", "markdown"],
    );
    let text = String::from_utf8_lossy(&check.stdout).to_string();
    assert_eq!(check.status.code(), Some(1), "{}", out(&check));
    assert!(text.contains("**Access changes**"), "{text}");
    assert!(
        text.contains("- `sp_app_ro` loses `UPDATE` on `TABLE public.t`"),
        "{text}"
    );
    assert!(
        text.contains("- `sp_app_rw` gains `INSERT (v)` on `TABLE public.t`"),
        "{text}"
    );
    let problem = text.split("### Newest revision").next().unwrap();
    assert!(!problem.contains("on `TABLE public.tv`"), "{text}");
    // The newest revision's section lists what it grants.
    assert!(
        text.contains("- `sp_app_ro` gains `SELECT` on `TABLE public.tv`"),
        "{text}"
    );
}

/// YAML `grants:` on tables and views: `inspect --format yaml` writes them (column
/// grants and grant options too) and reading them back plans nothing; offline, they
/// compile to the same GRANT statements.
#[tokio::test]
async fn yaml_grants_round_trip_through_inspect() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, RW]).await;
    db.exec(
        "CREATE TABLE t (id integer PRIMARY KEY, note text);
         CREATE VIEW tv AS SELECT id, note FROM t;
         GRANT SELECT ON t TO sp_app_ro;
         GRANT SELECT, INSERT ON t TO sp_app_rw WITH GRANT OPTION;
         GRANT UPDATE (note) ON t TO sp_app_ro;
         GRANT SELECT ON tv TO PUBLIC;
         CREATE TABLE owned (id integer);
         ALTER TABLE owned OWNER TO sp_app_rw;
         CREATE VIEW owned_view AS SELECT 1 AS one;
         ALTER VIEW owned_view OWNER TO sp_app_rw;
         CREATE SCHEMA app;
         CREATE TABLE app.before_defaults (id integer);
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO sp_app_ro;
         ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
         ALTER DEFAULT PRIVILEGES FOR ROLE sp_app_rw GRANT USAGE ON SEQUENCES TO sp_app_ro;
         CREATE TABLE app.after_defaults (id integer);
         CREATE TABLE app.revoked (id integer);
         REVOKE SELECT ON app.revoked FROM sp_app_ro;
         CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
         CREATE FUNCTION app.g() RETURNS integer LANGUAGE sql AS 'SELECT 2';
         GRANT EXECUTE ON FUNCTION app.g() TO PUBLIC;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    let inspect = schemaplan(
        dir.path(),
        &[
            "inspect",
            &db.url,
            "--format",
            "yaml",
            "--out",
            schema.to_str().unwrap(),
        ],
    );
    assert_eq!(inspect.status.code(), Some(0), "{}", out(&inspect));
    let yaml = std::fs::read_to_string(schema.join("schema.yaml")).unwrap();
    assert!(yaml.contains("grants:"), "{yaml}");
    assert!(yaml.contains("UPDATE (note)"), "{yaml}");
    assert!(yaml.contains("owner: sp_app_rw"), "{yaml}");
    assert!(yaml.contains("default_privileges:"), "{yaml}");
    let d = schemaplan(
        dir.path(),
        &[
            "diff",
            "--from",
            &db.url,
            "--to",
            "schema",
            "--exit-code",
            "--dev-url",
            &common::server_url(),
        ],
    );
    assert_eq!(d.status.code(), Some(0), "{}", out(&d));
    let offline = schemaplan(dir.path(), &["diff", "--to", "schema", "--mode", "offline"]);
    let text = out(&offline);
    assert!(
        text.contains("GRANT INSERT, SELECT ON TABLE public.t TO sp_app_rw WITH GRANT OPTION"),
        "{text}"
    );
    assert!(
        text.contains("GRANT SELECT ON TABLE public.tv TO PUBLIC"),
        "{text}"
    );
    assert!(
        text.contains("ALTER TABLE public.owned OWNER TO sp_app_rw"),
        "{text}"
    );
    assert!(
        text.contains("ALTER VIEW public.owned_view OWNER TO sp_app_rw"),
        "{text}"
    );
}

const OWNER: &str = "sp_owner";

/// Who owns `public.tv`, from `pg_views`.
async fn view_owner(db: &TestDb) -> String {
    db.client()
        .await
        .query_one(
            "SELECT viewowner::text FROM pg_views WHERE schemaname = 'public' AND viewname = 'tv'",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_recreated_view_keeps_its_owner_through_apply_and_rollback() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, OWNER]).await;
    // The view reads `t` with its owner's privileges.
    let from = format!("{FROM} GRANT SELECT ON t TO {OWNER};");
    db.exec(&from).await;
    db.exec(&format!("ALTER VIEW tv OWNER TO {OWNER}")).await;
    db.exec("INSERT INTO t VALUES (1, 'one')").await;
    assert_eq!(read_as_ro(&db).await, Ok(vec![(1, "one".to_string())]));
    let live = introspect(&db.client().await).await.unwrap();
    let tv = ObjectId::View(QualName::new("public", "tv"));
    assert_eq!(live.owners.get(&tv).map(String::as_str), Some(OWNER));
    // What the role reading the catalog owns is not recorded.
    let t = ObjectId::Table(QualName::new("public", "t"));
    assert_eq!(live.owners.get(&t), None);

    let desired = catalog_of(&from.replace("varchar(10)", "text")).await;
    let up = plan(&live, &desired);
    let text = up.to_string();
    assert!(text.contains("DROP VIEW public.tv"), "{text}");
    assert!(
        text.contains("ALTER VIEW public.tv OWNER TO sp_owner;"),
        "{text}"
    );
    // Given back to its owner before its grants.
    let owner_at = text.find("OWNER TO sp_owner").unwrap();
    let grant_at = text.find("GRANT SELECT ON TABLE public.tv").unwrap();
    assert!(owner_at < grant_at, "{text}");
    apply(&db, &up).await;
    assert_eq!(view_owner(&db).await, OWNER);
    assert_eq!(read_as_ro(&db).await, Ok(vec![(1, "one".to_string())]));
    let after = introspect(&db.client().await).await.unwrap();
    assert!(
        plan(&after, &desired).is_empty(),
        "planning again gives nothing"
    );

    // The down section, step by step backwards, creates the old view and gives it back.
    let client = db.client().await;
    for step in up.steps.iter().rev() {
        let sql = step
            .reverse
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no reverse\n{text}", step.change.kind()));
        for stmt in sql {
            client
                .batch_execute(stmt)
                .await
                .unwrap_or_else(|e| panic!("{stmt}: {}", common::db_error(&e)));
        }
    }
    assert_eq!(view_owner(&db).await, OWNER);
    assert_eq!(read_as_ro(&db).await, Ok(vec![(1, "one".to_string())]));
    let back = introspect(&db.client().await).await.unwrap();
    assert_eq!(back, live);
    assert!(plan(&back, &live).is_empty());
}

#[tokio::test]
async fn a_function_recreated_for_its_return_type_keeps_its_owner() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, OWNER]).await;
    let from = "CREATE FUNCTION f(n integer) RETURNS integer LANGUAGE sql AS 'SELECT n * 2';
        GRANT EXECUTE ON FUNCTION f(integer) TO sp_app_ro;";
    db.exec(from).await;
    db.exec(&format!("ALTER FUNCTION f(integer) OWNER TO {OWNER}"))
        .await;
    let live = introspect(&db.client().await).await.unwrap();
    let desired = catalog_of(&from.replace("RETURNS integer", "RETURNS bigint")).await;
    let up = plan(&live, &desired);
    let text = up.to_string();
    assert!(text.contains("DROP FUNCTION"), "{text}");
    assert!(
        text.contains("ALTER FUNCTION public.f(n integer) OWNER TO sp_owner;"),
        "{text}"
    );
    apply(&db, &up).await;
    let owner: String = db
        .client()
        .await
        .query_one(
            "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'f'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner, OWNER);
    let after = introspect(&db.client().await).await.unwrap();
    assert!(
        plan(&after, &desired).is_empty(),
        "planning again gives nothing"
    );
}

// ---- managed owners -------------------------------------------------------------------

/// Who owns `public.t`.
async fn table_owner(db: &TestDb) -> String {
    db.client()
        .await
        .query_one(
            "SELECT relowner::regrole::text FROM pg_class WHERE oid = 'public.t'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

fn write_table_schema(dir: &std::path::Path, owner: &str) {
    let schema = dir.join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::write(
        schema.join("t.sql"),
        format!(
            "CREATE TABLE t (id integer);\nALTER TABLE t OWNER TO {owner};\nGRANT SELECT ON t TO {RO};\n"
        ),
    )
    .unwrap();
}

/// An owner declared with `ALTER ... OWNER TO` is managed: planned offline, applied,
/// changed in place (hazard authz, gated, listed for the reviewer) and given back by
/// the rollback; the grants keep working for the role that reads.
#[tokio::test]
async fn a_declared_owner_round_trips_through_plan_apply_and_rollback() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, RW, OWNER]).await;
    let dir = tempfile::tempdir().unwrap();
    write_table_schema(dir.path(), OWNER);
    let plan = schemaplan(dir.path(), &["plan", "-m", "init", "--mode", "offline"]);
    assert_eq!(plan.status.code(), Some(0), "{}", out(&plan));
    let apply = schemaplan(dir.path(), &["apply", "--database", &db.url]);
    assert_eq!(apply.status.code(), Some(0), "{}", out(&apply));
    assert_eq!(table_owner(&db).await, OWNER);
    db.exec("INSERT INTO t VALUES (1)").await;
    let client = db.client().await;
    client
        .batch_execute(&format!("SET ROLE {RO}"))
        .await
        .unwrap();
    let rows = client.query("SELECT id FROM t", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    client.batch_execute("RESET ROLE").await.unwrap();

    write_table_schema(dir.path(), RW);
    let check = schemaplan(dir.path(), &["check", "--mode", "offline"]);
    assert_eq!(check.status.code(), Some(1), "{}", out(&check));
    let plan = schemaplan(dir.path(), &["plan", "-m", "owner", "--mode", "offline"]);
    let text = out(&plan);
    assert_eq!(plan.status.code(), Some(0), "{text}");
    assert!(
        text.contains("ALTER TABLE public.t OWNER TO sp_app_rw"),
        "{text}"
    );
    assert!(text.contains("authz"), "{text}");
    let md = schemaplan(
        dir.path(),
        &["check", "--mode", "offline", "--format", "markdown"],
    );
    let text = out(&md);
    assert!(
        text.contains("`TABLE public.t` is now owned by `sp_app_rw`"),
        "{text}"
    );
    let refused = schemaplan(dir.path(), &["apply", "--database", &db.url]);
    assert_ne!(refused.status.code(), Some(0), "{}", out(&refused));
    assert_eq!(table_owner(&db).await, OWNER, "nothing applied");
    let apply = schemaplan(
        dir.path(),
        &["apply", "--database", &db.url, "--allow-hazard", "authz"],
    );
    assert_eq!(apply.status.code(), Some(0), "{}", out(&apply));
    assert_eq!(table_owner(&db).await, RW);
    let again = schemaplan(dir.path(), &["check", "--database", &db.url]);
    assert_eq!(again.status.code(), Some(0), "{}", out(&again));

    let rollback = schemaplan(dir.path(), &["rollback", "--database", &db.url]);
    assert_eq!(rollback.status.code(), Some(0), "{}", out(&rollback));
    assert_eq!(table_owner(&db).await, OWNER);
    client
        .batch_execute(&format!("SET ROLE {RO}"))
        .await
        .unwrap();
    let rows = client.query("SELECT id FROM t", &[]).await.unwrap();
    assert_eq!(rows.len(), 1, "the reader still reads after the rollback");
    client.batch_execute("RESET ROLE").await.unwrap();
}

/// Without a declaration an object keeps its owner; `--manage-owners` hands every
/// object to the role running the plan (hazard authz), in `diff` as in `check`.
#[tokio::test]
async fn undeclared_owners_are_kept_unless_owners_are_managed() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[OWNER]).await;
    db.exec(&format!(
        "CREATE TABLE t (id integer); ALTER TABLE t OWNER TO {OWNER};"
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    std::fs::write(schema.join("t.sql"), "CREATE TABLE t (id integer);\n").unwrap();
    let dev = common::server_url();
    let diff = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            "--from",
            &db.url,
            "--to",
            "schema",
            "--dev-url",
            &dev,
        ];
        args.extend_from_slice(extra);
        schemaplan(dir.path(), &args)
    };
    let kept = diff(&["--exit-code"]);
    assert_eq!(kept.status.code(), Some(0), "{}", out(&kept));
    let managed = diff(&["--manage-owners"]);
    let text = out(&managed);
    assert!(
        text.contains("ALTER TABLE public.t OWNER TO CURRENT_USER"),
        "{text}"
    );
    assert!(text.contains("authz"), "{text}");
}

/// An owner the server does not have is refused before anything runs, naming the
/// role, the file and the line.
#[test]
fn an_owner_that_does_not_exist_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    std::fs::write(
        schema.join("t.sql"),
        format!("CREATE TABLE t (id integer);\nALTER TABLE t OWNER TO {MISSING};\n"),
    )
    .unwrap();
    exact_mode_refuses_the_missing_role(dir.path());
}

/// `diff` in exact mode on the test server refuses `schema/t.sql`, whose line 2 names
/// [`MISSING`], with exit 2, naming the role, the file and the line.
fn exact_mode_refuses_the_missing_role(dir: &std::path::Path) {
    let exact = schemaplan(
        dir,
        &["diff", "--to", "schema", "--dev-url", &common::server_url()],
    );
    let text = out(&exact);
    assert_eq!(exact.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!("role {MISSING} does not exist")),
        "{text}"
    );
    assert!(text.contains("t.sql:2"), "{text}");
}

/// Whether `role` may `SELECT` from `public.t`.
async fn can_select(db: &TestDb, role: &str) -> bool {
    db.client()
        .await
        .query_one(
            "SELECT has_table_privilege($1, 'public.t', 'SELECT')",
            &[&role],
        )
        .await
        .unwrap()
        .get(0)
}

/// A grant another role made (one holding the grant option) is revoked as that role:
/// the owner's `REVOKE` would do nothing to it, and the plan would never converge.
#[tokio::test]
async fn a_grant_made_by_another_role_is_revoked_as_its_grantor() {
    let db = TestDb::new().await;
    common::ensure_roles(&db.client().await, &[RO, RW]).await;
    db.exec(&format!(
        "CREATE TABLE t (id integer);
         GRANT SELECT ON t TO {RW} WITH GRANT OPTION;
         SET ROLE {RW};
         GRANT SELECT ON t TO {RO};
         RESET ROLE;"
    ))
    .await;
    assert!(can_select(&db, RO).await);
    let live = introspect(&db.client().await).await.unwrap();
    let desired = catalog_of(&format!(
        "CREATE TABLE t (id integer); GRANT SELECT ON t TO {RW} WITH GRANT OPTION;"
    ))
    .await;
    let up = plan(&live, &desired);
    let text = up.to_string();
    assert!(text.contains("SET ROLE sp_app_rw;"), "{text}");
    assert!(
        text.contains("REVOKE SELECT ON TABLE public.t FROM sp_app_ro;"),
        "{text}"
    );
    assert!(text.contains("RESET ROLE;"), "{text}");
    assert!(text.contains("authz"), "{text}");
    apply(&db, &up).await;
    assert!(!can_select(&db, RO).await, "the grant is gone");
    assert!(can_select(&db, RW).await, "the grantor keeps its own");
    let after = introspect(&db.client().await).await.unwrap();
    assert!(
        plan(&after, &desired).is_empty(),
        "{}",
        plan(&after, &desired)
    );
}
