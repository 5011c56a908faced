//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` (from
//! PyPI) with `pre-commit try-repo` in a scratch git repository: a change to schema/
//! without its revision is refused with the `plan -m` command to run; with the revision
//! added, both hooks pass. No database anywhere.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::both;

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(o.status.success(), "git {args:?}: {}", both(&o));
}

/// `pre-commit try-repo <this repository> HOOK` on what is staged in `dir`, with the
/// schemaplan under test first on the PATH and pre-commit's cache kept in `home`.
fn try_hook(dir: &Path, home: &Path, hook: &str) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_schemaplan"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(common::python_venv().join("bin/pre-commit"))
        .arg("try-repo")
        .arg(common::root())
        .arg(hook)
        .arg("--verbose")
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env_remove("DATABASE_URL")
        .env_remove("SCHEMAPLAN_DEV_URL")
        .current_dir(dir)
        .output()
        .expect("run pre-commit")
}

#[test]
fn a_schema_change_without_its_revision_is_refused_and_passes_once_planned() {
    let repo = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let p = repo.path();
    git(p, &["init", "-q"]);
    git(p, &["config", "user.email", "dev@example.com"]);
    git(p, &["config", "user.name", "Dev"]);
    std::fs::create_dir_all(p.join("schema")).unwrap();
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    )
    .unwrap();
    common::ok(&common::bare(p, &["plan", "-m", "users"], &[]));
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "users"]);

    // schema/ changes, no revision: the reminder refuses, naming the command.
    std::fs::write(
        p.join("schema/app.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);\n",
    )
    .unwrap();
    git(p, &["add", "schema"]);
    let o = try_hook(p, home.path(), "schemaplan-plan-reminder");
    let text = both(&o);
    assert_ne!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("schemaplan plan -m"), "{text}");
    let o = try_hook(p, home.path(), "schemaplan-check");
    assert_ne!(o.status.code(), Some(0), "{}", both(&o));

    // With the revision added, both pass.
    common::ok(&common::bare(p, &["plan", "-m", "user names"], &[]));
    git(p, &["add", "plans"]);
    for hook in ["schemaplan-plan-reminder", "schemaplan-check"] {
        let o = try_hook(p, home.path(), hook);
        assert_eq!(o.status.code(), Some(0), "{hook}: {}", both(&o));
        assert!(both(&o).contains("Passed"), "{hook}: {}", both(&o));
    }
}
