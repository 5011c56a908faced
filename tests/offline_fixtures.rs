//! Offline mode against the diff fixtures: for every `tests/fixtures/diff/<case>`, the
//! plan computed from two offline catalogs (from.sql and to.sql interpreted without a
//! database) is applied to a real database holding from.sql, which must then
//! introspect equal to to.sql loaded on its own. Also: the demo's plans/ replayed
//! offline equal its schema/ interpreted offline.
//!
//! Cases offline mode cannot pass yet are listed, with the reason, in
//! `tests/fixtures/offline_known_failures.txt`; a listed case that passes fails, so the
//! list only shrinks. Needs `TEST_DATABASE_URL` (default: a local server).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed, Trial};
use schemaplan::diff::diff;
use schemaplan::model::Catalog;
use schemaplan::order::order;
use schemaplan::render::{render, Plan};

use common::TestDb;

const KNOWN_FAILURES: &str = "tests/fixtures/offline_known_failures.txt";

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let cases = common::diff_cases();
    let known = known_failures();
    let mut trials: Vec<Trial> = Vec::new();
    let names: Vec<String> = cases
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    let unknown: Vec<String> = known
        .keys()
        .filter(|k| match k.split_once("::") {
            Some(("fixture" | "script", case)) => !names.iter().any(|n| n == case),
            _ => true,
        })
        .cloned()
        .collect();
    trials.push(Trial::test(
        "known_failures_name_existing_cases",
        move || {
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(format!("{KNOWN_FAILURES} lists trials that do not exist: {unknown:?}").into())
            }
        },
    ));
    let major = common::test_server_major();
    for path in cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let reason = known.get(&format!("fixture::{name}")).cloned();
        let p = path.clone();
        let too_old = common::fixture_requires(&path).is_some_and(|v| major < v);
        trials.push(
            Trial::test(format!("fixture::{name}"), move || {
                expect(run(case(&p)), reason)
            })
            .with_ignored_flag(too_old),
        );
        let reason = known.get(&format!("script::{name}")).cloned();
        let snap = common::root().join(format!("snapshots/diff__{name}.snap"));
        // Its snapshot is taken on SNAPSHOT_PG_MAJOR, which a newer case has none from.
        let no_snapshot =
            common::fixture_requires(&path).is_some_and(|v| v > common::SNAPSHOT_PG_MAJOR);
        trials.push(
            Trial::test(format!("script::{name}"), move || {
                expect(scripts(&path, &snap), reason)
            })
            .with_ignored_flag(no_snapshot),
        );
    }
    trials.push(Trial::test("demo_plans_replay_equals_schema", demo));
    libtest_mimic::run(&args, trials).exit_code()
}

/// A trial's outcome given whether it is listed as a known failure.
fn expect(result: Result<(), String>, known: Option<String>) -> Result<(), Failed> {
    match (result, known) {
        (Ok(()), None) => Ok(()),
        (Err(e), None) => Err(Failed::from(e)),
        (Ok(()), Some(_)) => Err(Failed::from(format!(
            "listed in {KNOWN_FAILURES} but passes now: remove it from the list"
        ))),
        (Err(_), Some(_)) => Ok(()),
    }
}

/// The exact-mode plans of a case (its diff snapshot, what the renderer emits),
/// interpreted as migration scripts: from.sql + up reads as to.sql, to.sql + down as
/// from.sql.
fn scripts(dir: &Path, snap: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(snap).map_err(|e| format!("{}: {e}", snap.display()))?;
    let body = text
        .splitn(3, "---\n")
        .nth(2)
        .ok_or("snapshot without a header")?;
    let body = body
        .strip_prefix("-- up\n")
        .ok_or("snapshot without an up section")?;
    let (up, down) = body
        .split_once("\n-- down\n")
        .ok_or("snapshot without a down section")?;
    let mut from = common::offline_catalog(dir, "from.sql")?;
    let mut to = common::offline_catalog(dir, "to.sql")?;
    // As `plan` reads them: owners written out on both sides.
    schemaplan::diff::settle_owners(&mut from, &mut to);
    for (start, script, goal, which) in [(&from, up, &to, "up"), (&to, down, &from, "down")] {
        let statements =
            schemaplan::parse::split_script(snap, script, 1).map_err(|e| e.to_string())?;
        let mut catalog = start.clone();
        schemaplan::offline::interpret_script(&mut catalog, &statements)
            .map_err(|e| format!("{which}: {e}"))?;
        let left = plan(&catalog, goal)?;
        if !left.is_empty() {
            return Err(format!(
                "after the exact {which} plan, offline still finds:\n{left}"
            ));
        }
    }
    Ok(())
}

/// `trial: reason` lines (split at the first `: `); `#` comments and blank lines skipped.
fn known_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(common::root().join(KNOWN_FAILURES)).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (case, reason) = l.split_once(": ")?;
            Some((case.trim().to_string(), reason.trim().to_string()))
        })
        .collect()
}

fn run(fut: impl std::future::Future<Output = Result<(), String>>) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(fut)
}

async fn case(dir: &Path) -> Result<(), String> {
    let from_sql = std::fs::read_to_string(dir.join("from.sql")).unwrap_or_default();
    let to_sql = std::fs::read_to_string(dir.join("to.sql")).map_err(|e| e.to_string())?;
    // Read for the server the plan is applied to, as a project whose target_version
    // names it would be.
    let db = TestDb::new().await;
    // The roles the case grants to, as diff_fixtures and rollback_fixtures make them:
    // alone on a fresh cluster, this suite found none.
    common::ensure_case_roles(&db, dir).await;
    let target = Some(common::server_major(&db.client().await).await as u32);
    let a = common::offline_catalog_for(dir, "from.sql", target)?;
    let b = common::offline_catalog_for(dir, "to.sql", target)?;
    let up = plan(&a, &b)?;
    if up.is_empty() {
        return Err("offline, from.sql and to.sql read the same: no plan".into());
    }
    if !plan(&b, &b)?.is_empty() {
        return Err("the offline catalog of to.sql differs from itself".into());
    }

    let target = TestDb::new().await;
    common::load_sql(&db, &from_sql, "from.sql").await?;
    common::load_sql(&target, &to_sql, "to.sql").await?;
    let expected = common::read_catalog(&target).await?;
    drop(target);

    common::apply_plan(&db, &up, "offline").await?;
    let after = common::read_catalog(&db).await?;
    let left = plan(&after, &expected)?;
    if !left.is_empty() {
        return Err(format!(
            "after applying the offline plan, the exact plan to to.sql still finds:\n{left}\n--- offline plan was:\n{up}"
        ));
    }
    if after != expected {
        return Err(format!(
            "after applying the offline plan, the catalog differs from to.sql's though no change is planned\n--- offline plan was:\n{up}"
        ));
    }
    Ok(())
}

fn demo() -> Result<(), Failed> {
    let root = common::root();
    let history = schemaplan::plan::dir::load(&root.join("plans")).map_err(|e| e.to_string())?;
    let scripts = schemaplan::plan::up_scripts(history.in_order()).map_err(|e| e.to_string())?;
    let replayed =
        schemaplan::offline::interpret_scripts(&scripts, None).map_err(|e| e.to_string())?;
    let schema =
        schemaplan::offline::interpret_source(root.join("schema")).map_err(|e| e.to_string())?;
    let changes = plan(&replayed, &schema)?;
    if changes.is_empty() {
        Ok(())
    } else {
        Err(format!("plans/ replayed offline differs from schema/ offline:\n{changes}").into())
    }
}

fn plan(from: &Catalog, to: &Catalog) -> Result<Plan, String> {
    let changes = order(diff(from, to)).map_err(|e| e.to_string())?;
    Ok(render(&changes))
}
