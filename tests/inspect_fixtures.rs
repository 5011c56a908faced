//! `inspect` round trip, one trial per fixture schema (`tests/fixtures/diff/*/{from,to}.sql`):
//! the schema is loaded into a fresh database, `schemaplan inspect --out DIR` writes it
//! as files (per schema for `from.sql`, `--split` per object for `to.sql`), the files
//! are loaded back through schemaplan's own loader (parse, order, scratch database), and
//! the result introspects equal to the original.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use libtest_mimic::{Arguments, Failed, Trial};
use schemaplan::connect::DbUrl;
use schemaplan::devdb::load_source;
use schemaplan::diff::diff;
use schemaplan::introspect::introspect;
use schemaplan::order::order;
use schemaplan::render::render;

use common::TestDb;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let dir = common::root().join("tests/fixtures/diff");
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .expect("tests/fixtures/diff")
        .flatten()
    {
        for side in ["from.sql", "to.sql"] {
            let f = entry.path().join(side);
            if std::fs::read_to_string(&f).is_ok_and(|s| !s.trim().is_empty()) {
                files.push(f);
            }
        }
    }
    files.sort();
    let major = common::test_server_major();
    let trials = files
        .into_iter()
        .map(|file| {
            let case = file
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let side = file.file_stem().unwrap().to_string_lossy().to_string();
            let too_old =
                common::fixture_requires(file.parent().unwrap()).is_some_and(|v| major < v);
            Trial::test(format!("{case}/{side}"), move || run(&file, side == "to"))
                .with_ignored_flag(too_old)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

fn run(file: &Path, split: bool) -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(round_trip(file, split)).map_err(Failed::from)
}

async fn round_trip(file: &Path, split: bool) -> Result<(), String> {
    let sql = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let db = TestDb::new().await;
    db.client()
        .await
        .batch_execute(&sql)
        .await
        .map_err(|e| format!("loading {}: {}", file.display(), common::db_error(&e)))?;
    let original = introspect(&db.client().await)
        .await
        .map_err(|e| e.to_string())?;

    let out = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schemaplan"));
    cmd.args(["inspect", &db.url, "--out"]).arg(out.path());
    if split {
        cmd.arg("--split");
    }
    let output = cmd.output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "inspect failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }

    let server = DbUrl::parse(&common::server_url()).map_err(|e| e.to_string())?;
    let scratch = load_source(&server, out.path()).await.map_err(|e| {
        format!(
            "loading the inspected files back: {e}\n{}",
            listing(out.path())
        )
    })?;
    let reloaded = async {
        let client = scratch.url().connect().await?;
        introspect(&client).await
    }
    .await;
    scratch.drop_database().await.map_err(|e| e.to_string())?;
    let reloaded = reloaded.map_err(|e| e.to_string())?;

    let changes = order(diff(&reloaded, &original)).map_err(|e| e.to_string())?;
    if !changes.is_empty() {
        return Err(format!(
            "the reloaded schema differs from the original:\n{}\n--- files:\n{}",
            render(&changes),
            listing(out.path())
        ));
    }
    if reloaded != original {
        return Err("the reloaded catalog differs though no change is planned".into());
    }
    Ok(())
}

/// The files `inspect` wrote, with their contents, for failure messages.
fn listing(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    files.sort();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        out.push_str(&format!(
            "== {}\n{}\n",
            rel.display(),
            std::fs::read_to_string(&f).unwrap_or_default()
        ));
    }
    out
}
