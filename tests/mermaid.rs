//! Mermaid ER diagrams (issue 21 §3): the picture of a change in `check` and `plan
//! --format markdown`, and `inspect --format mermaid`.
//!
//! Every diff fixture's change diagram is built offline, from.sql to to.sql read as
//! `render_offline` reads them; a handful are snapshotted, with a live schema's
//! `inspect --format mermaid` and the comments `plan` and `check` write for the blog
//! example. Then every diagram (and the README's) is drawn to SVG by the real Mermaid
//! in Chromium, all in one page of one browser (tests/mermaid/render.cjs): each must
//! parse and render. scripts/test.sh installs the Mermaid CLI (pinned, with the Mermaid
//! and puppeteer it runs, and Debian's chromium as the browser) and points
//! SCHEMAPLAN_MERMAID at it; under test.sh a missing install fails the test, elsewhere
//! the drawing is skipped with a message.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use schemaplan::render::mermaid::change_diagram;

/// Fixtures whose diagram is snapshotted: a whole release, creation from nothing, a
/// drop with its neighbours, a retyped key, a self-reference, renames without hints,
/// and names Mermaid cannot take as they are.
const SNAPSHOTTED: &[&str] = &[
    "app_blog_multi_change",
    "app_shop_created_from_empty",
    "column_type_int_to_bigint",
    "fk_self_referencing_added",
    "pk_columns_changed",
    "table_dropped_referenced",
    "trap_weird_identifiers",
];

/// Each fixture's change diagram as markdown, for the fixtures whose change touches a
/// table (name, markdown); the fixtures that cannot be read offline are left out
/// (`render_offline` answers for them).
fn fixture_diagrams() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in common::diff_cases() {
        let case = dir.file_name().unwrap().to_string_lossy().to_string();
        let (Ok(from), Ok(to)) = (
            common::offline_catalog(&dir, "from.sql"),
            common::offline_catalog(&dir, "to.sql"),
        ) else {
            continue;
        };
        if let Some(d) = change_diagram(&from, &to, &[]) {
            out.push((case, d.markdown()));
        }
    }
    out
}

#[test]
fn fixture_diagrams_are_snapshotted() {
    let diagrams = fixture_diagrams();
    assert!(
        diagrams.len() > 100,
        "only {} fixtures drew a diagram",
        diagrams.len()
    );
    for case in SNAPSHOTTED {
        let (_, markdown) = diagrams
            .iter()
            .find(|(c, _)| c == case)
            .unwrap_or_else(|| panic!("{case} draws no diagram"));
        common::snapshot_settings()
            .bind(|| insta::assert_snapshot!(format!("mermaid_{case}"), markdown));
    }
    // A change that touches no table draws nothing.
    for case in ["index_added", "function_created", "enum_value_added_at_end"] {
        assert!(
            !diagrams.iter().any(|(c, _)| c == case),
            "{case} touches no table but draws a diagram"
        );
    }
}

/// `inspect --format mermaid` of a database holding the shop of app_shop (schema
/// `shop`) and the oddly named objects of trap_weird_identifiers (`public`, `Sales
/// Ops`): the whole database, and `--schema shop` (name, Mermaid text).
async fn live_diagrams() -> Vec<(String, String)> {
    let db = common::TestDb::new().await;
    let fixtures = common::root().join("tests/fixtures/diff");
    for case in ["app_shop_created_from_empty", "trap_weird_identifiers"] {
        let sql = std::fs::read_to_string(fixtures.join(case).join("to.sql")).unwrap();
        db.exec(&sql).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for (name, extra) in [
        ("inspect", &[][..]),
        ("inspect_schema_shop", &["--schema", "shop"][..]),
    ] {
        let mut args = vec!["inspect", "--format", "mermaid", db.url.as_str()];
        args.extend(extra);
        let text = common::ok(&common::bare(dir.path(), &args, &[]));
        out.push((name.to_string(), text));
    }
    out
}

#[tokio::test]
async fn inspect_draws_a_live_schema() {
    let diagrams = live_diagrams().await;
    let (whole, shop) = (&diagrams[0].1, &diagrams[1].1);
    assert!(
        whole.contains("Sales_Ops_order[\"Sales Ops.order\"]"),
        "{whole}"
    );
    // One schema: names alone, no `shop.` prefix.
    assert!(shop.contains("\n    customers {\n"), "{shop}");
    assert!(!shop.contains("User"), "{shop}");
    common::snapshot_settings().bind(|| {
        for (name, text) in &diagrams {
            insta::assert_snapshot!(format!("mermaid_{name}"), text);
        }
    });
}

/// The comments about the blog example (its schema one edit ahead of its plans), with a
/// column rename added to the edit: `check` out of sync (the picture of the missing
/// revision), `plan -m` (the revision it writes), then `check` in sync (the picture of
/// that newest revision). Offline, with a fixed clock. (name, markdown).
fn blog_comments() -> Vec<(String, String)> {
    let dir = common::project_copy(&common::root().join("examples/blog"));
    let posts = dir.path().join("schema/posts.sql");
    let text = std::fs::read_to_string(&posts).unwrap().replace(
        "    name text NOT NULL UNIQUE\n",
        "    -- schemaplan: rename public.tags.name -> label\n    label text NOT NULL CONSTRAINT tags_name_key UNIQUE\n",
    );
    assert!(text.contains("label text"), "posts.sql changed: {text}");
    std::fs::write(&posts, text).unwrap();
    let env = [("SOURCE_DATE_EPOCH", "1795000000")];
    let run = |args: &[&str], code: i32| {
        let mut all = vec!["--mode", "offline"];
        all.extend(args);
        common::exits(&common::bare(dir.path(), &all, &env), code)
    };
    // In this order: the plan is written between the two checks.
    vec![
        (
            "blog_check_out_of_sync".to_string(),
            run(&["check", "--format", "markdown"], 1),
        ),
        (
            "blog_plan".to_string(),
            run(
                &["plan", "-m", "Editors and labels", "--format", "markdown"],
                0,
            ),
        ),
        (
            "blog_check_newest".to_string(),
            run(&["check", "--format", "markdown"], 0),
        ),
    ]
}

#[test]
fn plan_and_check_comments_carry_the_picture() {
    let comments = blog_comments();
    for (name, markdown) in &comments {
        assert_eq!(
            markdown.matches("```mermaid\n").count(),
            1,
            "{name}:\n{markdown}"
        );
        assert!(markdown.contains("tags {"), "{name}:\n{markdown}");
        assert!(
            markdown.contains("text label UK \"renamed from name\""),
            "{name}:\n{markdown}"
        );
    }
    common::snapshot_settings().bind(|| {
        for (name, markdown) in &comments {
            insta::assert_snapshot!(format!("mermaid_{name}"), markdown);
        }
    });
}

/// Where the Mermaid CLI is installed (a directory holding `node_modules/` with
/// `@mermaid-js/mermaid-cli`, `mermaid` and `puppeteer`): SCHEMAPLAN_MERMAID, which
/// scripts/test.sh sets (so there it must hold them), else where test.sh puts it, if it
/// is there.
fn mermaid_install() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        dir.join("node_modules/puppeteer/package.json").exists()
            && dir
                .join("node_modules/mermaid/dist/mermaid.min.js")
                .exists()
    };
    if let Some(dir) = std::env::var_os("SCHEMAPLAN_MERMAID") {
        let dir = PathBuf::from(dir);
        assert!(
            complete(&dir),
            "SCHEMAPLAN_MERMAID is {} but the Mermaid CLI is not installed there: scripts/test.sh installs it",
            dir.display()
        );
        return Some(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
    let dir = cache.join("schemaplan/mermaid");
    complete(&dir).then_some(dir)
}

#[tokio::test]
async fn every_diagram_renders_with_mermaid() {
    let Some(install) = mermaid_install() else {
        eprintln!(
            "skipped: the Mermaid CLI is not installed (scripts/test.sh installs it; or set SCHEMAPLAN_MERMAID)"
        );
        return;
    };
    let mut documents = fixture_diagrams();
    for (name, text) in live_diagrams().await {
        documents.push((name, format!("```mermaid\n{text}```\n")));
    }
    documents.extend(blog_comments());
    // The README's example.
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    documents.push(("README.md".to_string(), readme));

    // One markdown file holding every diagram, as a pull request shows them.
    let dir = tempfile::tempdir().unwrap();
    let mut all = String::new();
    let mut names = Vec::new();
    for (name, markdown) in &documents {
        all.push_str(&format!("# {name}\n\n{markdown}\n"));
        for _ in 0..markdown.matches("```mermaid\n").count() {
            names.push(name.clone());
        }
    }
    std::fs::write(dir.path().join("all.md"), &all).unwrap();
    std::fs::create_dir(dir.path().join("svg")).unwrap();
    let browser =
        std::env::var("SCHEMAPLAN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    // Root in a container: no sandbox; nothing to fetch or update.
    let config = serde_json::json!({
        "executablePath": browser,
        "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    std::fs::write(dir.path().join("puppeteer.json"), config.to_string()).unwrap();

    // One Chromium, one page, Mermaid loaded once (see tests/mermaid/render.cjs).
    let started = Instant::now();
    let output = Command::new("node")
        .arg(common::root().join("tests/mermaid/render.cjs"))
        .arg(&install)
        .args(["all.md", "svg", "puppeteer.json"])
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    eprintln!(
        "Mermaid drew {} diagrams in {:.1} s",
        names.len(),
        started.elapsed().as_secs_f64()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let drawn = (1..=names.len())
        .filter(|n| dir.path().join(format!("svg/{n}.svg")).exists())
        .count();
    if !output.status.success() || drawn != names.len() {
        // Each refused block named after its diagram.
        let report: String = stdout
            .lines()
            .map(|l| {
                match l
                    .strip_prefix("block ")
                    .and_then(|r| r.split_once(':'))
                    .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)))
                {
                    Some((n, rest)) => format!("{} (block {n}):{rest}\n", names[n - 1]),
                    None => format!("{l}\n"),
                }
            })
            .collect();
        let kept = dir.keep();
        panic!(
            "Mermaid drew {drawn} of {} diagrams ({}); input and SVGs kept in {}:\n{report}{}",
            names.len(),
            output.status,
            kept.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // The Mermaid CLI itself (`mmdc`, which opens a page per diagram: a few, not all)
    // on the README's example and the blog's pull-request comment.
    let few: String = documents
        .iter()
        .filter(|(name, _)| name == "README.md" || name.contains("plan"))
        .map(|(name, markdown)| format!("# {name}\n\n{markdown}\n"))
        .collect();
    let expected = few.matches("```mermaid\n").count();
    assert!(expected >= 2, "no diagrams for mmdc:\n{few}");
    std::fs::write(dir.path().join("few.md"), &few).unwrap();
    let output = Command::new(install.join("node_modules/.bin/mmdc"))
        .args([
            "-i",
            "few.md",
            "-o",
            "few-out.md",
            "-p",
            "puppeteer.json",
            "-q",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run mmdc: {e}"));
    let svgs = (1..=expected)
        .filter(|n| dir.path().join(format!("few-out-{n}.svg")).exists())
        .count();
    assert!(
        output.status.success() && svgs == expected,
        "mmdc drew {svgs} of {expected} diagrams ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
