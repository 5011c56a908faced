//! Rollback, as a property over every case of `tests/fixtures/diff`: with rows in the
//! tables of `from.sql`, apply the revision, roll it back, apply it again. Either all of
//! it runs and converges, with every row back after the rollback, or the revision said
//! at plan time that it would not (`not-reversible`: the down section cannot give the
//! rows back; `may-fail`: it runs only if the data allows).
//!
//! Rows come from the case's `data.sql` when it has one; otherwise three rows per plain
//! table are made up from the column types (a table whose made-up rows break one of
//! its constraints stays empty; a case whose up section refuses the made-up rows is
//! reported as such). The plans are the ones `plan --mode offline` writes: up and
//! down sections from [`plan_with_renames`] between the files read offline, the down
//! section classified as the revision header is (that the up section reaches
//! `to.sql`'s schema is `offline_fixtures`' to show; here the second apply must reach
//! what the first one did). A case whose tables hold no rows is left to `diff_fixtures`, which runs
//! the same round trip without them. Each trial prints its class (`converged`,
//! `may-fail`, `not-reversible`, `no rows`);
//! `cargo test --test rollback_fixtures -- --nocapture | grep '^class'` counts them
//! (with the rows the tables held).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed};
use schemaplan::model::{Catalog, QualName, Table, TypeKind};
use schemaplan::project::{plan_changes, plan_with_renames};
use schemaplan::render::{classify_reverse, rollback_hazards, Hazard};

use common::TestDb;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, common::diff_case_trials(run_case)).exit_code()
}

fn run_case(name: &str, dir: &Path) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // Made-up rows the up section itself refuses (text that is no integer, a row
    // outside a partition's bound, a key its new foreign key does not find): the
    // property is about the rollback, and diff_fixtures runs the case without them.
    match rt.block_on(case(dir)) {
        Ok((class, held)) => println!("class {class} ({held} rows) {name}"),
        Err(Outcome::UpRefusedRows(e)) => {
            let why = e.lines().nth(2).unwrap_or_default();
            println!("class up-refuses-rows (0 rows) {name}: {why}");
        }
        Err(Outcome::Failed(e)) => return Err(Failed::from(e)),
    }
    Ok(())
}

/// Why a trial stopped.
enum Outcome {
    /// The up section failed on the rows the case was given.
    UpRefusedRows(String),
    /// Anything else: the property does not hold.
    Failed(String),
}

impl From<String> for Outcome {
    fn from(e: String) -> Outcome {
        Outcome::Failed(e)
    }
}

async fn case(dir: &Path) -> Result<(&'static str, i64), Outcome> {
    let from_sql = std::fs::read_to_string(dir.join("from.sql")).unwrap_or_default();
    let data_sql = std::fs::read_to_string(dir.join("data.sql")).ok();

    let db = TestDb::new().await;
    common::ensure_case_roles(&db, dir).await;
    common::load_sql(&db, &from_sql, "from.sql").await?;
    let a = common::read_catalog(&db).await?;
    match data_sql {
        Some(sql) => common::load_sql(&db, &sql, "data.sql").await?,
        None => make_up_rows(&db, &a).await,
    }
    let rows_before = rows(&db, &a).await;
    let held: i64 = rows_before.values().map(|(n, _)| n).sum();
    if held == 0 {
        // Without rows this is the round trip diff_fixtures and offline_fixtures run.
        return Ok(("no rows", 0));
    }

    // The revision `plan` writes offline, as in most projects.
    let from = common::offline_catalog(dir, "from.sql")?;
    let to = common::offline_catalog(dir, "to.sql")?;
    let (up, down, _) = plan_with_renames(&from, &to, &[], true, Default::default())
        .map_err(|e| format!("plan: {e}"))?;
    let down = classify_reverse(down);
    let marked: BTreeSet<Hazard> = rollback_hazards(&down).collect();
    let class = if marked.contains(&Hazard::NotReversible) {
        "not-reversible"
    } else if marked.contains(&Hazard::MayFail) {
        "may-fail"
    } else {
        "converged"
    };
    let unmarked = |what: String| -> Result<(&'static str, i64), Outcome> {
        if class == "converged" {
            Err(Outcome::Failed(format!(
                "{what}\nyet the revision is not marked not-reversible or may-fail\n--- up:\n{up}\n--- down:\n{down}"
            )))
        } else {
            Ok((class, held))
        }
    };

    common::apply_plan(&db, &up, "up")
        .await
        .map_err(Outcome::UpRefusedRows)?;
    let after = common::read_catalog(&db).await?;
    if let Err(e) = common::apply_plan(&db, &down, "down").await {
        return unmarked(e);
    }
    let back = common::read_catalog(&db).await?;
    let left = plan_changes(&back, &a, false, None).map_err(|e| e.to_string())?;
    if !left.is_empty() {
        return unmarked(format!(
            "after the rollback, the schema is not from.sql's:\n{left}"
        ));
    }
    let rows_after = rows(&db, &a).await;
    if rows_after != rows_before {
        let lost: Vec<String> = rows_before
            .iter()
            .filter(|(t, r)| rows_after.get(*t) != Some(r))
            .map(|(t, (n, _))| format!("{t} ({n} rows before)"))
            .collect();
        if class != "not-reversible" {
            return Err(Outcome::Failed(format!(
                "the rollback lost or changed rows of {} though the revision is not marked not-reversible\n--- up:\n{up}\n--- down:\n{down}",
                lost.join(", ")
            )));
        }
    }
    if let Err(e) = common::apply_plan(&db, &up, "up again").await {
        return unmarked(e);
    }
    let again = common::read_catalog(&db).await?;
    let left = plan_changes(&again, &after, false, None).map_err(|e| e.to_string())?;
    if !left.is_empty() {
        return unmarked(format!(
            "applied again after the rollback, the schema is not what the first apply made:\n{left}"
        ));
    }
    Ok((class, held))
}

/// Three made-up rows in every plain table, tried in passes so that a table whose
/// foreign keys point at another gets its rows once that one has some.
async fn make_up_rows(db: &TestDb, catalog: &Catalog) {
    let client = db.client().await;
    let mut pending: Vec<(&QualName, String)> = catalog
        .tables
        .values()
        .filter(|t| t.partition_by.is_none() && t.partition_of.is_none() && t.foreign.is_none())
        .filter_map(|t| insert(catalog, t).map(|sql| (&t.name, sql)))
        .collect();
    for _ in 0..3 {
        let mut left = Vec::new();
        for (name, sql) in pending {
            if client.batch_execute(&sql).await.is_err() {
                left.push((name, sql));
            }
        }
        pending = left;
    }
}

/// `INSERT INTO t (...) SELECT ... FROM generate_series(1, 3) g` with a value of each
/// column's type; columns with a default, identity or generated value are left to it.
/// `None` when a NOT NULL column's type has no made-up value.
fn insert(catalog: &Catalog, t: &Table) -> Option<String> {
    let mut names = Vec::new();
    let mut values = Vec::new();
    for c in t.columns.values() {
        if c.default.is_some() || c.identity.is_some() || c.generated.is_some() {
            continue;
        }
        match value(catalog, &c.type_name) {
            Some(v) => {
                names.push(schemaplan::model::Ident(&c.name).to_string());
                values.push(v);
            }
            None if c.not_null => return None,
            None => {}
        }
    }
    if names.is_empty() {
        return Some(format!(
            "INSERT INTO {} SELECT FROM generate_series(1, 3)",
            t.name
        ));
    }
    Some(format!(
        "INSERT INTO {} ({}) SELECT {} FROM generate_series(1, 3) g",
        t.name,
        names.join(", "),
        values.join(", ")
    ))
}

/// An expression of type `type_name` for row `g`.
fn value(catalog: &Catalog, type_name: &str) -> Option<String> {
    if type_name.ends_with("[]") {
        return Some(format!("'{{}}'::{type_name}"));
    }
    let base = type_name.split('(').next().unwrap_or(type_name).trim();
    let simple = match base {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => {
            Some(format!("g::{type_name}"))
        }
        "text" | "character varying" | "character" | "citext" | "name" => {
            Some(format!("('v' || g)::{type_name}"))
        }
        "boolean" => Some("g % 2 = 0".to_string()),
        "date" => Some("date '2024-01-01' + g".to_string()),
        "timestamp without time zone" | "timestamp with time zone" => Some(format!(
            "(timestamp '2024-01-01' + g * interval '1 day')::{type_name}"
        )),
        "time without time zone" => Some("time '10:00' + g * interval '1 minute'".to_string()),
        "interval" => Some("g * interval '1 hour'".to_string()),
        "uuid" => Some("md5(g::text)::uuid".to_string()),
        "json" | "jsonb" => Some(format!("json_build_object('k', g)::{type_name}")),
        "bytea" => Some("int4send(g)".to_string()),
        "inet" | "cidr" => Some(format!("('10.0.0.' || g)::{type_name}")),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    // A user type: an enum's first label, a domain's base type.
    let unquote = |s: &str| s.trim_matches('"').to_string();
    let q = match type_name.split_once('.') {
        Some((schema, n)) => QualName::new(unquote(schema), unquote(n)),
        None => QualName::new("public", unquote(type_name)),
    };
    match &catalog.types.get(&q)?.kind {
        TypeKind::Enum { labels } => labels
            .first()
            .map(|l| format!("{}::{type_name}", schemaplan::model::literal(l))),
        TypeKind::Domain { base, .. } => {
            value(catalog, base).map(|v| format!("({v})::{type_name}"))
        }
        TypeKind::Composite { .. } => None,
    }
}

/// Per table of `catalog`, its row count and a digest of its rows (as text, sorted).
async fn rows(db: &TestDb, catalog: &Catalog) -> BTreeMap<String, (i64, String)> {
    let client = db.client().await;
    let mut out = BTreeMap::new();
    for t in catalog.tables.values().filter(|t| t.foreign.is_none()) {
        let sql = format!(
            "SELECT count(*), coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM ONLY {} x",
            t.name
        );
        if let Ok(row) = client.query_one(&sql, &[]).await {
            out.insert(t.name.to_string(), (row.get(0), row.get(1)));
        }
    }
    out
}
