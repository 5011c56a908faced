//! The YAML schema format against a real PostgreSQL: the example project loads, its
//! inspected YAML loads back byte-identical, diff fixtures load the same from SQL and
//! from YAML, sources mix SQL and YAML, errors point into the YAML file, and the JSON
//! Schema accepts the examples and refuses bad documents.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use schemaplan::connect::DbUrl;
use schemaplan::devdb::load_source;
use schemaplan::diff::diff;
use schemaplan::introspect::introspect;
use schemaplan::model::{Catalog, QualName};
use schemaplan::parse::read_sql_source;
use schemaplan::Error;

use common::TestDb;

fn server() -> DbUrl {
    DbUrl::parse(&common::server_url()).unwrap()
}

fn example() -> PathBuf {
    common::root().join("examples/yaml-project/schema")
}

/// Loads a schema source (files or a directory) through schemaplan's loader and
/// introspects it.
async fn load(path: &Path) -> Result<Catalog, Error> {
    let scratch = load_source(&server(), path).await?;
    let result = async {
        let client = scratch.url().connect().await?;
        introspect(&client).await
    }
    .await;
    scratch.drop_database().await?;
    result
}

/// A temporary directory holding the given files.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// An error message with the temporary directory's path taken out.
fn message(e: &Error, dir: &Path) -> String {
    e.to_string().replace(&format!("{}/", dir.display()), "")
}

#[tokio::test]
async fn example_project_loads_with_every_object() {
    let catalog = load(&example()).await.unwrap();
    let public = |n: &str| QualName::new("public", n);
    for table in ["orgs", "users"] {
        assert!(catalog.tables.contains_key(&public(table)), "{table}");
    }
    let users = &catalog.tables[&public("users")];
    assert!(users.rls_enabled);
    assert_eq!(users.policies.len(), 1);
    let email = users.columns.get("email").unwrap();
    assert_eq!(email.type_name, "public.citext");
    assert_eq!(
        email.comment.as_deref(),
        Some("Login name; unique regardless of case.")
    );
    let fk = users
        .constraints
        .get("users_org_id_fkey")
        .expect("foreign key with PostgreSQL's default name");
    assert!(
        fk.definition
            .ends_with("REFERENCES public.orgs(id) ON DELETE CASCADE"),
        "{}",
        fk.definition
    );
    assert!(users.constraints.get("users_org_id_email_key").is_some());
    assert!(users.constraints.get("display_name_not_blank").is_some());
    assert!(catalog.indexes.contains_key(&public("users_active_idx")));
    assert!(catalog.types.contains_key(&public("user_role")));
    assert!(catalog.types.contains_key(&public("slug")));
    assert!(catalog.views.contains_key(&public("active_users")));
    assert!(catalog.extensions.contains_key("citext"));
    assert_eq!(catalog.triggers.len(), 2);
    assert!(catalog
        .functions
        .keys()
        .any(|k| k.name == public("touch_updated_at")));
}

#[tokio::test]
async fn inspected_yaml_loads_back_byte_identical() {
    let original = load(&example()).await.unwrap();
    let first = schemaplan::parse::yaml::emit(&original);
    common::snapshot_settings().bind(|| insta::assert_snapshot!("yaml__example_project", first));

    // YAML -> database -> YAML, twice.
    let dir = dir_with(&[("schema.yaml", &first)]);
    let reloaded = load(dir.path()).await.unwrap();
    let second = schemaplan::parse::yaml::emit(&reloaded);
    assert_eq!(first, second, "the inspected YAML changed on a round trip");
    assert_eq!(reloaded, original);
    assert!(diff(&original, &reloaded).is_empty());

    // The command line writes the same.
    let scratch = load_source(&server(), dir.path()).await.unwrap();
    let url = common::url_for(scratch.name());
    let out = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .args(["inspect", &url, "--format", "yaml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), first);

    // With --out: DIR/schema.yaml, not replaced without --force.
    let out_dir = tempfile::tempdir().unwrap();
    let inspect = |force: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemaplan"));
        cmd.args(["inspect", &url, "--format", "yaml", "--out"])
            .arg(out_dir.path());
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    assert!(inspect(false).status.success());
    let written = std::fs::read_to_string(out_dir.path().join("schema.yaml")).unwrap();
    assert_eq!(written, first);
    let again = inspect(false);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force"));
    assert!(inspect(true).status.success());
    scratch.drop_database().await.unwrap();
}

/// Every schema of the diff fixtures (`tests/fixtures/diff/*/{from,to}.sql`), so a new
/// fixture is covered by adding its files.
fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(common::root().join("tests/fixtures/diff"))
        .unwrap()
        .flatten()
    {
        for side in ["from.sql", "to.sql"] {
            let f = entry.path().join(side);
            if f.exists() {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

/// Loads a fixture schema with psql semantics and its YAML form (as `inspect --format
/// yaml` writes it, which must be valid by the JSON Schema) with schemaplan's loader:
/// the two catalogs must be equal.
async fn fixture_round_trip(file: &Path) -> Result<(), String> {
    let sql = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let db = TestDb::new().await;
    db.client()
        .await
        .batch_execute(&sql)
        .await
        .map_err(|e| format!("loading the SQL: {}", common::db_error(&e)))?;
    let from_sql = introspect(&db.client().await)
        .await
        .map_err(|e| e.to_string())?;
    let yaml = schemaplan::parse::yaml::emit(&from_sql);
    // What inspect writes is valid by the JSON Schema too.
    let schema: serde_json::Value =
        serde_json::from_str(&schemaplan::parse::yaml::json_schema()).map_err(|e| e.to_string())?;
    let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
    let invalid: Vec<String> = validator
        .iter_errors(&yaml_as_json(&yaml))
        .map(|e| e.to_string())
        .collect();
    if !invalid.is_empty() {
        return Err(format!("not valid by the JSON Schema: {invalid:?}\n{yaml}"));
    }
    let dir = dir_with(&[("schema.yaml", &yaml)]);
    let from_yaml = load(dir.path())
        .await
        .map_err(|e| format!("loading its YAML: {e}\n{yaml}"))?;
    let changes = diff(&from_sql, &from_yaml);
    if !changes.is_empty() || from_sql != from_yaml {
        return Err(format!(
            "the catalogs differ ({} changes: {:?})\n{yaml}",
            changes.len(),
            changes
                .iter()
                .map(|c| c.object().to_string())
                .collect::<Vec<_>>()
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_fixtures_load_the_same_from_sql_and_yaml() {
    let files = fixture_files();
    assert!(files.len() > 300, "only {} fixture schemas", files.len());
    // Cases using a feature newer than the server are left out (`-- requires PostgreSQL N`).
    let major = common::server_major(&common::connect(&common::server_url()).await).await;
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| common::fixture_requires(f.parent().unwrap()).is_none_or(|v| v <= major))
        .collect();
    let mut failures = Vec::new();
    // A few at a time: each case creates two databases.
    for chunk in files.chunks(4) {
        let runs = chunk
            .iter()
            .map(|file| async move { (file, fixture_round_trip(file).await) });
        for (file, result) in futures_util::future::join_all(runs).await {
            if let Err(e) = result {
                failures.push(format!("== {}: {e}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn a_source_mixes_sql_and_yaml() {
    let dir = dir_with(&[
        (
            "orgs.sql",
            "CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL);\n",
        ),
        (
            "app/users.yml",
            "tables:\n  users:\n    columns:\n      id: bigint primary key\n      org_id: bigint not null references orgs (id)\n",
        ),
        (
            "app/views.yaml",
            "views:\n  user_orgs: SELECT u.id, o.name FROM users u JOIN orgs o ON o.id = u.org_id\n",
        ),
    ]);
    let catalog = load(dir.path()).await.unwrap();
    let users = &catalog.tables[&QualName::new("public", "users")];
    assert_eq!(
        users
            .constraints
            .get("users_org_id_fkey")
            .unwrap()
            .references,
        Some(QualName::new("public", "orgs"))
    );
    assert!(catalog
        .views
        .contains_key(&QualName::new("public", "user_orgs")));
}

#[test]
fn an_object_defined_in_sql_and_yaml_names_both_places() {
    let dir = dir_with(&[
        ("a.sql", "CREATE TABLE users (id bigint);\n"),
        (
            "b.yaml",
            "# again\ntables:\n  users:\n    columns:\n      id: bigint\n",
        ),
    ]);
    let err = read_sql_source(dir.path()).unwrap_err();
    assert!(matches!(err, Error::DefinedTwice { .. }), "{err}");
    assert_eq!(
        message(&err, dir.path()),
        "b.yaml:3:3: public.users is already defined at a.sql:1:1"
    );
    // Twice in YAML, in two files.
    let dir = dir_with(&[
        ("a.yaml", "enums:\n  mood: [a]\n"),
        ("b.yaml", "enums:\n  public.mood: [b]\n"),
    ]);
    let err = read_sql_source(dir.path()).unwrap_err();
    assert_eq!(
        message(&err, dir.path()),
        "b.yaml:2:3: type public.mood is already defined at a.yaml:2:3"
    );
}

#[test]
fn errors_name_the_file_line_column_and_field() {
    let cases = [
        (
            "unknown key",
            "tables:\n  users:\n    columns:\n      id: bigint\n    primay_key: [id]\n",
        ),
        (
            "unknown key in a full form",
            "tables:\n  users:\n    columns:\n      email: {tpye: text}\n",
        ),
        ("wrong type", "tables:\n  users:\n    primary_key: 5\n"),
        (
            "missing field",
            "functions:\n  f:\n    language: sql\n    body: select 1\n",
        ),
        (
            "bad sql in a short form",
            "tables:\n  users:\n    columns:\n      id: bigint\n      email: text not nul (\n",
        ),
        (
            "bad sql in a full form",
            "tables:\n  users:\n    columns:\n      id: bigint\n      email: {type: text, default: \"'a' ||\"}\n",
        ),
        (
            "bad name",
            "tables:\n  a.b.c:\n    columns:\n      id: bigint\n",
        ),
        ("not yaml", "tables:\n  users: [\n"),
    ];
    let mut out = String::new();
    for (what, text) in cases {
        let dir = dir_with(&[("schema.yaml", text)]);
        let err = read_sql_source(dir.path()).unwrap_err();
        out.push_str(&format!("== {what}\n{}\n", message(&err, dir.path())));
    }
    common::snapshot_settings().bind(|| insta::assert_snapshot!("yaml__errors", out));
    assert!(out.contains("did you mean `primary_key`?"), "{out}");
    assert!(out.contains("did you mean `type`?"), "{out}");
}

#[tokio::test]
async fn a_load_error_points_into_the_yaml_file() {
    let dir = dir_with(&[(
        "schema.yaml",
        "tables:\n  users:\n    columns:\n      id: bigint\n      mood: no_such_type\n",
    )]);
    let err = load(dir.path()).await.unwrap_err();
    let msg = message(&err, dir.path());
    assert!(matches!(err, Error::Load(_)), "{msg}");
    assert!(
        msg.starts_with("schema.yaml:2:3: type \"no_such_type\" does not exist"),
        "{msg}"
    );
}

/// The JSON Schema `schema-json` prints.
fn json_schema() -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
        .arg("schema-json")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn yaml_as_json(text: &str) -> serde_json::Value {
    serde_norway::from_str(text).unwrap()
}

#[test]
fn the_json_schema_accepts_the_examples_and_refuses_bad_documents() {
    let schema = json_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut examples = 0;
    for entry in std::fs::read_dir(example()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = yaml_as_json(&text);
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        examples += 1;
    }
    assert_eq!(examples, 3);
    let bad = [
        "tabels: {}\n",
        "tables:\n  users:\n    primary_key: 5\n",
        "tables:\n  users:\n    columns: [id]\n",
        "tables:\n  users:\n    columns:\n      id: {tpye: bigint}\n",
        "enums:\n  mood: happy\n",
        "functions:\n  f:\n    body: [1]\n",
    ];
    for doc in bad {
        assert!(!validator.is_valid(&yaml_as_json(doc)), "accepted: {doc}");
    }
    // What `inspect --format yaml` writes is valid too.
    let mut catalog = Catalog::new_database();
    let mut table = schemaplan::model::Table::new(QualName::new("public", "t"));
    table
        .columns
        .insert(schemaplan::model::Column::new("id", "bigint"));
    catalog.tables.insert(table.name.clone(), table.into());
    let emitted = schemaplan::parse::yaml::emit(&catalog);
    assert!(validator.is_valid(&yaml_as_json(&emitted)), "{emitted}");
}

/// The example in README.md's "YAML schema files" section.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = &readme[readme.find("## YAML schema files").unwrap()..];
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    section[start..start + section[start..].find("```").unwrap()].to_string()
}

#[tokio::test]
async fn the_readme_example_loads_and_is_valid() {
    let text = readme_example();
    let schema = json_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&yaml_as_json(&text))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let dir = dir_with(&[("app.yaml", &text)]);
    let catalog = load(dir.path()).await.unwrap();
    assert!(catalog.schemas.contains_key("billing"));
    assert!(catalog
        .tables
        .contains_key(&QualName::new("public", "events_2025")));
    assert!(catalog
        .views
        .contains_key(&QualName::new("public", "users_per_org")));
    // SQL/MED: the server with its mapping (no password), the foreign table on it.
    let archive = &catalog.foreign_servers["archive"];
    assert_eq!(
        archive.mappings["PUBLIC"],
        vec![("user".to_string(), "reader".to_string())]
    );
    let old_orders = catalog.tables[&QualName::new("public", "old_orders")]
        .foreign
        .clone()
        .unwrap();
    assert_eq!(old_orders.server, "archive");
    assert_eq!(
        old_orders.column_options["total"],
        vec![("column_name".to_string(), "amount".to_string())]
    );
}

#[tokio::test]
async fn full_forms_load_as_declared() {
    let text = r#"
schema: app
schemas:
  app: {comment: the app}
sequences:
  ticket_seq: {type: integer, start: 100, increment: 5, cache: 3, owned_by: tickets.number}
domains:
  positive:
    type: integer
    not_null: true
    default: "1"
    checks:
      above_zero: VALUE > 0
      below_big: {expression: VALUE < 1000000, not_valid: true}
tables:
  base:
    columns:
      created_at: timestamptz not null default now()
  tickets:
    inherits: [base]
    columns:
      id:
        type: integer
        identity: {kind: by-default, start: 10, increment: 2, max: 5000, cycle: true}
      number: integer
      title: {type: text, collation: '"C"', not_null: true}
      title_length: {type: integer, generated: length(title)}
      amount: {type: positive, check: amount < 500}
      code: text
    primary_key: {name: tickets_pk, columns: [id], comment: the key}
    unique:
      - {columns: [code], nulls_not_distinct: true}
    checks:
      title_not_blank: {expression: "title <> ''", no_inherit: true}
    constraints:
      code_upper: {definition: CHECK (code = upper(code)), not_valid: true, comment: upper case}
    indexes:
      tickets_title_idx: {columns: [lower(title) DESC], using: btree, include: [code], comment: by title}
    options: [fillfactor=80]
    triggers:
      tickets_audit:
        timing: after
        events: [insert, update of title]
        for_each: row
        when: NEW.title IS NOT NULL
        function: audit('tickets')
        enabled: disabled
        comment: audit trail
views:
  ticket_titles:
    query: SELECT id, title FROM tickets
    options: [security_barrier=true]
    columns: {title: the title}
functions:
  audit:
    returns: trigger
    language: plpgsql
    options: SECURITY DEFINER
    body: BEGIN RETURN NULL; END
  add(integer, integer):
    args: a integer, b integer
    returns: integer
    language: sql
    options: IMMUTABLE
    body: SELECT a + b
    comment: adds
procedures:
  noop:
    language: sql
    body: SELECT 1
"#;
    let dir = dir_with(&[("app.yaml", text)]);
    let c = load(dir.path()).await.unwrap();
    let app = |n: &str| QualName::new("app", n);
    assert_eq!(c.schemas["app"].comment.as_deref(), Some("the app"));
    let seq = &c.sequences[&app("ticket_seq")];
    assert_eq!(
        (
            seq.data_type.as_str(),
            seq.options.start,
            seq.options.increment
        ),
        ("integer", 100, 5)
    );
    assert_eq!(seq.options.cache, 3);
    assert_eq!(seq.owned_by, Some((app("tickets"), "number".to_string())));
    let t = &c.tables[&app("tickets")];
    assert_eq!(t.inherits, [app("base")]);
    let id = t.columns.get("id").unwrap().identity.as_ref().unwrap();
    assert_eq!(
        (
            id.options.start,
            id.options.increment,
            id.options.max,
            id.options.cycle
        ),
        (10, 2, 5000, true)
    );
    let title = t.columns.get("title").unwrap();
    assert_eq!(
        (title.collation.as_deref(), title.not_null),
        (Some("\"C\""), true)
    );
    assert_eq!(
        t.columns.get("title_length").unwrap().generated.as_deref(),
        Some("length(title)")
    );
    let pk = t.constraints.get("tickets_pk").unwrap();
    assert_eq!(pk.comment.as_deref(), Some("the key"));
    assert!(t
        .constraints
        .get("tickets_code_key")
        .unwrap()
        .definition
        .contains("NULLS NOT DISTINCT"));
    assert!(t
        .constraints
        .get("title_not_blank")
        .unwrap()
        .definition
        .ends_with("NO INHERIT"));
    let upper = t.constraints.get("code_upper").unwrap();
    assert!(!upper.validated);
    assert_eq!(upper.comment.as_deref(), Some("upper case"));
    assert!(t.constraints.get("tickets_amount_check").is_some());
    assert_eq!(t.options, ["fillfactor=80"]);
    let idx = &c.indexes[&app("tickets_title_idx")];
    assert!(
        idx.definition
            .ends_with("USING btree (lower(title) DESC) INCLUDE (code)"),
        "{}",
        idx.definition
    );
    assert_eq!(idx.comment.as_deref(), Some("by title"));
    let trg = &c.triggers[&(app("tickets"), "tickets_audit".to_string())];
    assert_eq!(trg.enabled, schemaplan::model::TriggerEnabled::Disabled);
    assert!(
        trg.definition.contains("AFTER INSERT OR UPDATE OF title"),
        "{}",
        trg.definition
    );
    assert!(
        trg.definition.contains("WHEN ((new.title IS NOT NULL))"),
        "{}",
        trg.definition
    );
    assert_eq!(trg.comment.as_deref(), Some("audit trail"));
    let positive = &c.types[&app("positive")];
    let schemaplan::model::TypeKind::Domain {
        checks, not_null, ..
    } = &positive.kind
    else {
        panic!("not a domain");
    };
    assert!(*not_null);
    assert!(checks.get("above_zero").unwrap().validated);
    assert!(!checks.get("below_big").unwrap().validated);
    let v = &c.views[&app("ticket_titles")];
    assert_eq!(v.options, ["security_barrier=true"]);
    assert_eq!(
        v.column_comments.get("title").map(String::as_str),
        Some("the title")
    );
    let add = c
        .functions
        .values()
        .find(|f| f.key.name == app("add"))
        .unwrap();
    assert_eq!(add.key.args, "a integer, b integer");
    assert_eq!(add.comment.as_deref(), Some("adds"));
    assert!(
        c.functions
            .values()
            .any(|f| f.key.name == app("noop")
                && f.kind == schemaplan::model::FunctionKind::Procedure)
    );

    // And its inspected YAML loads back to the same catalog.
    let yaml = schemaplan::parse::yaml::emit(&c);
    let again = load(dir_with(&[("schema.yaml", &yaml)]).path())
        .await
        .unwrap();
    assert_eq!(again, c, "{yaml}");
    assert_eq!(schemaplan::parse::yaml::emit(&again), yaml);
}
