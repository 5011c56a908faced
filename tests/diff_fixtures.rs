//! The engine's round trip, one trial per `tests/fixtures/diff/<case>/{from,to}.sql`:
//!
//! 1. `from.sql` and `to.sql` are loaded into fresh databases and introspected (A, B);
//!    Rows from `data.sql`, when the case has one, are loaded into A's database, so the
//!    plans are applied to a table holding data (casts, rewrites, NOT NULL).
//! 2. the plan A → B is rendered (snapshotted with its down plan, on the PostgreSQL
//!    version the snapshots were taken on) and applied, statement by statement, to the
//!    database holding A;
//! 3. that database now introspects equal to B, and planning again gives nothing;
//! 4. the down plan (B → A, planned from the live database) brings it back to A.
//!
//! Adding a case means adding a directory. A case using a feature newer than PostgreSQL 13
//! says so in a line `-- requires PostgreSQL N: why`, and is ignored on older servers.

mod common;

use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed};
use schemaplan::diff::{diff, settle_owners};
use schemaplan::model::{Catalog, ObjectId};
use schemaplan::order::order;
use schemaplan::render::{render, Plan};

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
    rt.block_on(case(name, dir)).map_err(Failed::from)
}

async fn case(name: &str, dir: &Path) -> Result<(), String> {
    let from_sql = std::fs::read_to_string(dir.join("from.sql")).unwrap_or_default();
    let to_sql = std::fs::read_to_string(dir.join("to.sql")).map_err(|e| e.to_string())?;
    let data_sql = std::fs::read_to_string(dir.join("data.sql")).unwrap_or_default();

    let db = TestDb::new().await;
    let target = TestDb::new().await;
    common::ensure_case_roles(&db, dir).await;
    common::load_sql(&db, &from_sql, "from.sql").await?;
    common::load_sql(&db, &data_sql, "data.sql").await?;
    common::load_sql(&target, &to_sql, "to.sql").await?;
    let mut a = common::read_catalog(&db).await?;
    let mut b = common::read_catalog(&target).await?;
    drop(target);
    // As `plan` does: owners written out both ways, so that the down plan gives back
    // what the up plan hands over.
    let owners_before = a.owners.0.clone();
    settle_owners(&mut a, &mut b);

    let up = plan(&a, &b)?;
    let down_preview = plan(&b, &a)?;
    let snapshot = format!("-- up\n{up}\n-- down\n{down_preview}");
    if common::server_major(&db.client().await).await == common::SNAPSHOT_PG_MAJOR {
        common::snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("diff__{name}"), snapshot);
        });
    }
    if up.is_empty() {
        return Err(
            "the case has no differences: from.sql and to.sql describe the same schema".into(),
        );
    }

    // What is applied is what `plan` writes by default: the online forms (indexes built
    // concurrently, constraints added NOT VALID and validated); the snapshot shows the
    // plain plan, which reads more easily.
    let up_applied = plan_online(&a, &b)?;
    common::apply_plan(&db, &up_applied, "up (online)").await?;
    let after = common::read_catalog(&db).await?;
    let again = plan(&after, &b)?;
    if !again.is_empty() {
        return Err(format!(
            "after applying the plan, planning again still finds:\n{again}\n--- plan was:\n{up_applied}"
        ));
    }
    if after != b {
        return Err("after applying the plan, the catalog differs from to.sql's though no change is planned".into());
    }
    if owners(&after) != owners(&b) {
        return Err(format!(
            "after applying the plan, the owners are {:?}, not {:?}",
            owners(&after),
            owners(&b)
        ));
    }

    let down = plan_online(&after, &a)?;
    common::apply_plan(&db, &down, "down (online)").await?;
    let back = common::read_catalog(&db).await?;
    let left = plan(&back, &a)?;
    if !left.is_empty() {
        return Err(format!("after the down plan, planning back to from.sql still finds:\n{left}\n--- down plan was:\n{down}"));
    }
    if back != a {
        return Err(
            "after the down plan, the catalog differs from from.sql's though no change is planned"
                .into(),
        );
    }
    if back.owners.0 != owners_before {
        return Err(format!(
            "after the down plan, the owners are {:?}, not {:?}",
            back.owners.0, owners_before
        ));
    }
    Ok(())
}

/// The owners a catalog records, the role running the plan's left out (as
/// introspection leaves them out).
fn owners(c: &Catalog) -> Vec<(&ObjectId, &String)> {
    c.owners
        .iter()
        .filter(|(_, o)| o.as_str() != schemaplan::model::CURRENT_USER)
        .collect()
}

fn plan(from: &Catalog, to: &Catalog) -> Result<Plan, String> {
    let changes = order(diff(from, to)).map_err(|e| e.to_string())?;
    Ok(render(&changes))
}

fn plan_online(from: &Catalog, to: &Catalog) -> Result<Plan, String> {
    let changes = order(diff(from, to)).map_err(|e| e.to_string())?;
    Ok(schemaplan::render::render_online(&changes, to))
}
