//! `pip install schemaplan`: the wheel scripts/wheel.sh builds with maturin (maturin
//! from PyPI), installed into a fresh virtual environment, used with no Rust toolchain
//! on PATH the way a poetry project would (`poetry run schemaplan ...`): `--version`,
//! `plan` and `check` on the demo offline, and `apply` against the test database with a
//! `postgresql+asyncpg://` URL from `.env`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{both, root, TestDb};

/// Builds the wheel (unoptimized, reusing the tests' build) and returns its path.
///
/// Without the variables cargo sets for a test (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`,
/// ...): build scripts such as ring's rerun when one of those changes, so maturin's
/// cargo saw them as changed and rebuilt ring and everything above it, and the next
/// `cargo test` rebuilt them back (about 50 s each time in CI).
fn build_wheel(out: &Path) -> PathBuf {
    let mut cmd = Command::new(root().join("scripts/wheel.sh"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                &*name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_TARGET_TMPDIR"
                    | "OUT_DIR"
            )
        {
            cmd.env_remove(&*name);
        }
    }
    let o = cmd
        .args(["--dev", "--out"])
        .arg(out)
        .output()
        .expect("run scripts/wheel.sh");
    assert!(o.status.success(), "wheel.sh failed:\n{}", both(&o));
    PathBuf::from(String::from_utf8(o.stdout).unwrap().trim())
}

/// A fresh virtual environment with the wheel installed (from the file: no index).
fn install(wheel: &Path, venv: &Path) {
    let o = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .output()
        .expect("python3 -m venv");
    assert!(o.status.success(), "{}", both(&o));
    let o = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--no-index",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(wheel)
        .output()
        .expect("pip install");
    assert!(o.status.success(), "pip install failed:\n{}", both(&o));
}

/// `schemaplan ARGS` as the venv has it, in `dir`, with only the venv and the system
/// directories on PATH (no cargo, no build tree) and no database from the environment.
fn schemaplan(venv: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(venv.join("bin/schemaplan"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", venv.join("bin").display()),
        )
        .env("HOME", dir)
        .output()
        .expect("run the installed schemaplan")
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", both(o));
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wheel_installs_with_pip_and_runs_plan_check_and_apply_without_rust() {
    let scratch = tempfile::tempdir().unwrap();
    let wheel = build_wheel(&scratch.path().join("wheels"));
    let name = wheel.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("schemaplan-{}-", env!("CARGO_PKG_VERSION")))
            && name.contains("manylinux")
            && name.ends_with("_x86_64.whl") | name.ends_with("_aarch64.whl"),
        "{name}"
    );
    let venv = scratch.path().join("venv");
    install(&wheel, &venv);

    let demo = common::project_copy(&root().join("examples/blog"));
    let d = demo.path();
    let version = ok(&schemaplan(&venv, d, &["--version"]));
    assert_eq!(
        version.trim(),
        format!("schemaplan {}", env!("CARGO_PKG_VERSION"))
    );
    // The demo's schema/ is one edit ahead of its plans/: a revision to write, offline.
    let count = || d.join("plans").read_dir().unwrap().count();
    let before = count();
    let plan = ok(&schemaplan(&venv, d, &["plan"]));
    assert!(plan.contains("-- schemaplan:up"), "{plan}");
    assert_eq!(count(), before);
    ok(&schemaplan(&venv, d, &["plan", "-m", "from the wheel"]));
    assert_eq!(count(), before + 1);
    let check = ok(&schemaplan(&venv, d, &["check"]));
    assert!(check.contains("offline"), "{check}");

    // apply, with the URL an async SQLAlchemy app keeps in .env.
    let db = TestDb::new().await;
    let asyncpg = db.url.replacen("postgres://", "postgresql+asyncpg://", 1);
    std::fs::write(d.join(".env"), format!("DATABASE_URL={asyncpg}\n")).unwrap();
    // The demo's newest revision drops a column and retypes one: named consent.
    ok(&schemaplan(
        &venv,
        d,
        &["apply", "--allow-hazard", "data-loss,table-rewrite"],
    ));
    let revisions = count() as i64;
    let applied: i64 = db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM schemaplan.revisions WHERE statements_done IS NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, revisions);
    let status = ok(&schemaplan(&venv, d, &["status"]));
    assert!(
        status.contains("pending:  none") && status.contains("drift:    no"),
        "{status}"
    );
}
