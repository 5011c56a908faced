//! `plan`, `check` and the commands that read plans/ agree on the same input
//! (issue 16): a byte-order mark, CRLF line endings, a bad revision header, invalid
//! UTF-8, absurd YAML nesting, a duplicate definition, a rename hint that matches
//! nothing. Each case is a regression test of a defect found by fuzzing: `plan` fails
//! exactly when `check` does, with the same message, and after `plan -m` the gate
//! passes. Offline through the library (`schemaplan::project`), plus the command line
//! for `history`, `heads` and `apply`, which read plans/ the same way.

mod common;

use std::path::PathBuf;

use schemaplan::project::{Finding, ModeChoice, Project};

/// A project in a temporary directory holding these files (paths relative to it).
fn project(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("schema")).unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let mut project = Project::open(dir.path()).unwrap();
    project.settings.mode = ModeChoice::Offline;
    (dir, project)
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// `plan -m`: the revision's text when there is one.
fn plan(p: &Project) -> Result<Option<String>, String> {
    match block_on(p.plan("next")) {
        Ok(r) => Ok(r.revision.map(|r| r.text)),
        Err(e) => Err(e.to_string()),
    }
}

/// `check` offline: Ok(true) when the gate passes, Ok(false) for findings that are
/// not errors (out of sync, edited, several heads), Err with the message when check
/// fails on the input (an error, or the finding that plans/ is broken).
fn check(p: &Project) -> Result<bool, String> {
    let report = block_on(p.check(false)).map_err(|e| e.to_string())?;
    for f in &report.findings {
        if let Finding::BrokenPlans { message } = f {
            return Err(message.clone());
        }
    }
    Ok(report.findings.is_empty())
}

/// Plans and writes the next revision, then asserts the gate passes and a second plan
/// finds nothing. Returns the written file.
fn plan_then_check(p: &Project) -> PathBuf {
    assert_eq!(
        check(p),
        Ok(false),
        "before plan, check finds the schema ahead"
    );
    let report = block_on(p.plan("next")).unwrap();
    let revision = report.revision.expect("a revision");
    let path = revision.write().unwrap().to_path_buf();
    assert_eq!(check(p), Ok(true), "after plan -m, check passes");
    assert_eq!(plan(p), Ok(None), "after plan -m, plan finds nothing");
    path
}

/// Asserts that plan and check both fail with exactly `message`.
#[track_caller]
fn both_fail(p: &Project, message: &str) {
    assert_eq!(plan(p), Err(message.to_string()), "plan");
    assert_eq!(check(p), Err(message.to_string()), "check");
}

const BOM: &[u8] = b"\xef\xbb\xbf";

fn with_bom(text: &str) -> Vec<u8> {
    [BOM, text.as_bytes()].concat()
}

#[test]
fn a_bom_is_accepted_in_sql_yaml_and_revision_files() {
    let yaml = "---\ntables:\n  notes:\n    columns:\n      id: bigint\n      body:\n        type: text\n        renamed_from: text\n";
    let sql = "CREATE TABLE users (id bigint PRIMARY KEY);\n";
    let (dir, p) = project(&[
        ("schema/a.yaml", &with_bom(yaml)),
        ("schema/b.sql", &with_bom(sql)),
    ]);
    // The hint is for a later plan: the first plan has nothing to rename yet and
    // plans/ is empty, so it creates both tables.
    let yaml_no_hint = yaml.replace("        renamed_from: text\n", "");
    std::fs::write(dir.path().join("schema/a.yaml"), with_bom(&yaml_no_hint)).unwrap();
    let first = plan_then_check(&p);
    let text = std::fs::read_to_string(&first).unwrap();
    assert!(text.contains("CREATE TABLE public.notes"), "{text}");
    assert!(text.contains("CREATE TABLE public.users"), "{text}");

    // The revision file saved with a BOM: still a revision, not edited.
    std::fs::write(&first, with_bom(&text)).unwrap();
    assert_eq!(check(&p), Ok(true));
    assert_eq!(plan(&p), Ok(None));

    // A rename hint read from a YAML file with a BOM and a `---` line.
    let yaml_renamed = yaml_no_hint.replace("      body:\n", "      content:\n");
    std::fs::write(dir.path().join("schema/a.yaml"), with_bom(&yaml_renamed)).unwrap();
    let hinted = yaml_renamed.replace(
        "        type: text\n",
        "        type: text\n        renamed_from: body\n",
    );
    std::fs::write(dir.path().join("schema/a.yaml"), with_bom(&hinted)).unwrap();
    let second = plan_then_check(&p);
    let text = std::fs::read_to_string(second).unwrap();
    assert!(text.contains("RENAME COLUMN body TO content"), "{text}");
}

#[test]
fn crlf_revision_files_are_not_edited() {
    let (dir, p) = project(&[(
        "schema/a.sql",
        b"CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    )]);
    let path = plan_then_check(&p);
    let lf = std::fs::read_to_string(&path).unwrap();
    let recorded = lf
        .lines()
        .find_map(|l| l.strip_prefix("-- checksum: "))
        .unwrap()
        .to_string();
    // git's autocrlf on Windows, and an editor that adds a BOM.
    std::fs::write(&path, with_bom(&lf.replace('\n', "\r\n"))).unwrap();
    assert_eq!(check(&p), Ok(true));
    assert_eq!(plan(&p), Ok(None));
    let history = p.history().unwrap();
    let r = history.in_order().next().unwrap();
    assert!(!r.is_edited());
    assert_eq!(r.actual_checksum(), recorded);
    // A real edit still shows, CRLF or not.
    let edited = lf
        .replace("email text", "email varchar")
        .replace('\n', "\r\n");
    std::fs::write(&path, edited).unwrap();
    let report = block_on(p.check(false)).unwrap();
    assert!(
        matches!(report.findings.as_slice(), [Finding::Edited { .. }, ..]),
        "{:?}",
        report.findings
    );
    drop(dir);
}

/// The demo's first revision with `edit` applied to its text, and what plan, check,
/// history and heads say: all the same error.
fn bad_header(edit: impl Fn(&str) -> String, message: impl Fn(&str) -> String) {
    let dir = common::demo_project();
    let mut p = Project::open(dir.path()).unwrap();
    p.settings.mode = ModeChoice::Offline;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let first = &files[0];
    let text = std::fs::read_to_string(first).unwrap();
    std::fs::write(first, edit(&text)).unwrap();
    let name = first.file_name().unwrap().to_string_lossy().to_string();
    let expected = message(&format!("{}", p.plans.join(&name).display()));
    both_fail(&p, &expected);
    for command in [["history"], ["heads"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_schemaplan"))
            .args(command)
            .env_remove("DATABASE_URL")
            .env_remove("SCHEMAPLAN_DEV_URL")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = common::fails(&out);
        let relative = message(&format!("plans/{name}"));
        assert_eq!(err.trim(), format!("error: {relative}"), "{command:?}");
    }
}

fn first_id(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("-- id: "))
        .unwrap()
        .to_string()
}

#[test]
fn a_revision_that_is_its_own_parent_is_refused() {
    bad_header(
        |t| {
            t.replacen(
                "-- parents: \n",
                &format!("-- parents: {}\n", first_id(t)),
                1,
            )
        },
        |f| format!("{f}:3:1: revision 20261101080000-97bca7 lists itself as its parent"),
    );
}

#[test]
fn invalid_created_times_are_refused() {
    for bad in ["9999-99-99T99:99:99Z", "yesterday"] {
        bad_header(
            |t| {
                let line = t.lines().find(|l| l.starts_with("-- created:")).unwrap();
                t.replacen(line, &format!("-- created: {bad}"), 1)
            },
            |f| {
                format!(
                    "{f}:5:1: invalid `-- created:` time {bad:?} (expected UTC, e.g. 2026-11-24T03:15:00Z)"
                )
            },
        );
    }
}

#[test]
fn an_empty_message_is_refused() {
    bad_header(
        |t| {
            let line = t.lines().find(|l| l.starts_with("-- message:")).unwrap();
            t.replacen(line, "-- message: ", 1)
        },
        |f| format!("{f}:4:1: empty `-- message:`: say what the revision does"),
    );
}

#[test]
fn a_duplicated_parents_line_is_refused() {
    bad_header(
        |t| t.replacen("-- parents: \n", "-- parents: \n-- parents: \n", 1),
        |f| format!("{f}:4:1: duplicated `-- parents:` line (first at line 3)"),
    );
}

#[test]
fn invalid_utf8_is_located() {
    let (_dir, p) = project(&[(
        "schema/a.sql",
        b"CREATE TABLE t (\n  id bigint, -- caf\xe9\n);\n",
    )]);
    let schema = p.desired.paths[0].join("a.sql");
    both_fail(
        &p,
        &format!(
            "{}:2:20: not valid UTF-8 (byte 0xe9); save the file as UTF-8",
            schema.display()
        ),
    );
    let (_dir, p) = project(&[(
        "schema/a.yaml",
        b"tables:\n  t\xc3\xa9:\n    columns:\n      \xff: int\n",
    )]);
    let schema = p.desired.paths[0].join("a.yaml");
    both_fail(
        &p,
        &format!(
            "{}:4:7: not valid UTF-8 (byte 0xff); save the file as UTF-8",
            schema.display()
        ),
    );
    // A revision file.
    let (_dir, p) = project(&[("schema/a.sql", b"CREATE TABLE t (id bigint);\n")]);
    let path = plan_then_check(&p);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(6).position(|w| w == b"CREATE").unwrap();
    bytes.insert(at, 0x80);
    std::fs::write(&path, &bytes).unwrap();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    both_fail(
        &p,
        &format!(
            "{}:{line}:1: not valid UTF-8 (byte 0x80); save the file as UTF-8",
            path.display()
        ),
    );
}

#[test]
fn deep_yaml_nesting_is_refused_at_once() {
    // 100,000 levels: minutes for the YAML reader; refused before it starts.
    let deep = format!(
        "tables:\n  t:\n    columns:\n      id: {}int{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (_dir, p) = project(&[("schema/a.yaml", deep.as_bytes())]);
    let file = p.desired.paths[0].join("a.yaml");
    both_fail(
        &p,
        &format!(
            "{}:4:135: nested deeper than 128 levels: a schema file needs a handful (tables, a table, its columns, ...)",
            file.display()
        ),
    );
    let seq = format!(
        "tables:\n  t:\n    columns:\n      id:\n{}x\n",
        "- ".repeat(50_000)
    );
    let (_dir, p) = project(&[("schema/a.yaml", seq.as_bytes())]);
    let err = plan(&p).unwrap_err();
    assert!(
        err.contains("a.yaml:5:") && err.contains("nested deeper than 128"),
        "{err}"
    );
    assert_eq!(check(&p), Err(err));
}

/// `apply` reads plans/ the same way: CRLF and a BOM change no checksum (a deploy from a
/// Windows checkout and one from Linux agree), and a bad header is the same error.
#[tokio::test]
async fn apply_agrees_on_crlf_and_bad_headers() {
    let db = common::TestDb::new().await;
    let dir = common::demo_project();
    let plans: Vec<PathBuf> = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let originals: Vec<String> = plans
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for (p, text) in plans.iter().zip(&originals) {
        std::fs::write(p, with_bom(&text.replace('\n', "\r\n"))).unwrap();
    }
    common::ok(&common::run(dir.path(), &db.url, &["apply"]));
    for (p, text) in plans.iter().zip(&originals) {
        std::fs::write(p, text).unwrap();
    }
    let out = common::ok(&common::run(dir.path(), &db.url, &["apply"]));
    assert!(!out.contains("applied"), "nothing is pending: {out}");
    let status = common::run(dir.path(), &db.url, &["status"]);
    let status = common::ok(&status);
    assert!(status.contains("pending:  none"), "{status}");
    assert!(status.contains("drift:    no"), "{status}");

    let mut files = plans.clone();
    files.sort();
    let last = files.last().unwrap();
    let text = std::fs::read_to_string(last).unwrap();
    let id = first_id(&text);
    let line = text.lines().find(|l| l.starts_with("-- parents:")).unwrap();
    std::fs::write(last, text.replacen(line, &format!("-- parents: {id}"), 1)).unwrap();
    let name = last.file_name().unwrap().to_string_lossy().to_string();
    let err = common::fails(&common::run(dir.path(), &db.url, &["apply"]));
    assert_eq!(
        err.trim(),
        format!("error: plans/{name}:3:1: revision {id} lists itself as its parent")
    );
}

#[test]
fn a_table_defined_in_two_files_is_refused_by_plan_and_check() {
    let (_dir, p) = project(&[
        (
            "schema/a.sql",
            b"CREATE TABLE users (id bigint PRIMARY KEY);\n",
        ),
        (
            "schema/b.sql",
            b"-- users again\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        ),
    ]);
    let (a, b) = (
        p.desired.paths[0].join("a.sql"),
        p.desired.paths[0].join("b.sql"),
    );
    both_fail(
        &p,
        &format!(
            "{}:2:1: relation public.users already exists (created at {}:1:1)",
            b.display(),
            a.display()
        ),
    );
}

/// Issue 16, defect 3: a rename hint that matches nothing fails `plan` and `check` with
/// one message, whether or not schema/ is ahead of plans/.
#[test]
fn a_rename_hint_matching_nothing_fails_plan_and_check_alike() {
    let (dir, p) = project(&[("schema/a.sql", b"CREATE TABLE users (id bigint);\n")]);
    plan_then_check(&p);
    let file = p.desired.paths[0].join("a.sql");
    let cases: [(&str, &str); 4] = [
        (
            "-- schemaplan: rename table public.nothere -> users\nCREATE TABLE users (id bigint);\n",
            "1:1: rename table public.nothere -> users: nothing is called public.nothere now",
        ),
        (
            "-- schemaplan: rename table public.nothere -> people\nCREATE TABLE people (id bigint);\n",
            "1:1: rename table public.nothere -> people: nothing is called public.nothere now",
        ),
        (
            "CREATE TABLE users (id bigint, email text);\n-- schemaplan: rename column public.users.mail -> email\n",
            "",
        ),
        (
            "-- schemaplan: rename column public.ghosts.a -> b\nCREATE TABLE users (id bigint, b text);\n",
            "",
        ),
    ];
    // A hint already carried out (the old name gone, the new one there on both
    // sides) stays in the schema harmlessly: both pass.
    std::fs::write(&file, cases[0].0).unwrap();
    assert_eq!(plan(&p), Ok(None));
    assert_eq!(check(&p), Ok(true));
    for (schema, message) in &cases[1..] {
        std::fs::write(&file, schema).unwrap();
        let planned = plan(&p);
        let checked = check(&p);
        let Err(e) = &planned else {
            panic!("plan accepted a hint matching nothing:\n{schema}\n{planned:?}")
        };
        assert_eq!(checked.as_ref(), Err(e), "{schema}");
        assert!(e.starts_with(&format!("{}:", file.display())), "{e}");
        if !message.is_empty() {
            assert_eq!(*e, format!("{}:{message}", file.display()));
        }
    }
    drop(dir);
}

/// Issue 16, defect 1: a key added to an existing table is planned online as a unique
/// index built concurrently, then `ADD CONSTRAINT ... USING INDEX`; replaying that
/// offline reaches schema/, so `check` passes right after `plan -m`, and `check
/// --verify` agrees with PostgreSQL.
#[test]
fn check_passes_after_plan_adds_keys_online() {
    let (dir, mut p) = project(&[(
        "schema/a.sql",
        b"CREATE TABLE users (id bigint NOT NULL, email text, nick text);\n",
    )]);
    plan_then_check(&p);
    std::fs::write(
        p.desired.paths[0].join("a.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE, nick text,\n  CONSTRAINT users_nick_key UNIQUE NULLS NOT DISTINCT (nick));\n",
    )
    .unwrap();
    let path = plan_then_check(&p);
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains("ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey"),
        "{text}"
    );
    assert!(
        text.contains("ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key"),
        "{text}"
    );
    p.settings.dev_url = Some(schemaplan::connect::DbUrl::parse(&common::server_url()).unwrap());
    let report = block_on(p.check(true)).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.mode.contains("verified"), "{}", report.mode);
    drop(dir);
}

/// Found by `tests/fuzz.rs`: a domain declared in an earlier file than the collation it
/// names (`COLLATE loose`, unqualified) was read before the collation existed, so it
/// named a server collation `loose` while the revision, which orders the collation
/// first, named `public.loose`: `check` found the domain to recreate right after `plan
/// -m`. Statements naming a collation come after the statement creating it.
#[test]
fn a_collation_declared_in_a_later_file_orders_before_its_users() {
    let (dir, p) = project(&[
        (
            "schema/8.sql",
            b"CREATE DOMAIN tag AS text COLLATE loose;\nCREATE TABLE posts (id bigint PRIMARY KEY, label tag NOT NULL);\n",
        ),
        (
            "schema/9.sql",
            b"CREATE COLLATION loose (provider = icu, locale = 'und-u-ks-level1', deterministic = false);\n",
        ),
    ]);
    let path = plan_then_check(&p);
    let text = std::fs::read_to_string(path).unwrap();
    let collation = text.find("CREATE COLLATION").unwrap();
    let domain = text.find("CREATE DOMAIN").unwrap();
    assert!(collation < domain, "{text}");
    drop(dir);
}
