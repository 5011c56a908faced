//! Fuzzing as part of the test suite (issue 16): property tests with `proptest`, one
//! target per input kind, seeded from the repository's own files and mutated the way a
//! new user's mistakes would (bytes inserted, cut, lines duplicated or swapped, a BOM,
//! CRLF, invalid UTF-8, keywords and header keys dropped in).
//!
//! | target | input | seeds |
//! | --- | --- | --- |
//! | `schema_sql` | schema/ of SQL files | `tests/fixtures/diff/*/{from,to}.sql`, `schema/` |
//! | `schema_yaml` | schema/ of YAML files | `examples/yaml-project/schema/` |
//! | `revision_file` | one revision of plans/, header and body | `plans/` |
//! | `plans_directory` | plans/ as a whole | `plans/`, `examples/*/plans/` |
//!
//! Properties, all offline through the library (`schemaplan::project`), no database:
//! - no panic;
//! - `plan` fails exactly when `check` fails (an error, or the finding that plans/ is
//!   broken), with the same message;
//! - after `plan -m` wrote its revision, `check` passes and planning again finds
//!   nothing;
//! - the same input plans byte for byte the same twice, and with its schema files in
//!   another order.
//!
//! Each target runs `PROPTEST_CASES` cases (default: a number that keeps this file
//! under a minute on a 2-core machine; see the README's development section for long
//! runs) and prints how many it ran. A failure shows the shrunk input; turn it into a
//! regression test in tests/agreement.rs.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use schemaplan::project::{Finding, ModeChoice, Project};

/// Cases per target unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 48;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn runner() -> TestRunner {
    // A fixed clock: revision ids and times are derived, not random, so two plans of
    // the same input are byte for byte comparable.
    std::env::set_var("SOURCE_DATE_EPOCH", "1795000000");
    TestRunner::new(Config {
        cases: cases(),
        // Failures are shrunk and shown; they become named regression tests, not files.
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 256,
        ..Config::default()
    })
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

// ---- inputs ---------------------------------------------------------------------

/// Fragments a mutation drops in: what users and tools get wrong.
const TOKENS: &[&[u8]] = &[
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\n",
    b"\xff",
    b"\xc3",
    b";",
    b"(",
    b")",
    b",",
    b"'",
    b"\"",
    b"--",
    b"/*",
    b"$$",
    b"  ",
    b"\t",
    b"- ",
    b": ",
    b"[",
    b"{",
    b"CREATE TABLE t (id int);\n",
    b"CREATE TABLE users (id bigint PRIMARY KEY);\n",
    b"CREATE INDEX i ON t (id);\n",
    b"CREATE TYPE m AS ENUM ('a');\n",
    b"CREATE SCHEMA app;\n",
    b"ALTER TABLE t ADD CONSTRAINT k UNIQUE (id);\n",
    b"-- schemaplan: rename table public.x -> t\n",
    b"-- schemaplan: rename column public.users.a -> b\n",
    b" NOT NULL",
    b" DEFAULT 0",
    b" REFERENCES users",
    b"-- parents: ",
    b"-- message: ",
    b"-- created: yesterday\n",
    b"-- transaction: none\n",
    b"-- hazards: data-loss\n",
    b"-- schemaplan:up\n",
    b"-- schemaplan:down\n",
    b"20261101080000-97bca7",
    b"renamed_from: id\n",
    b"tables:\n",
    b"columns:\n",
    b"type: text\n",
    b"---\n",
];

/// One edit of a file's bytes; positions are fractions of the length, so an edit
/// means something whatever file it lands on.
#[derive(Clone, Debug)]
enum Edit {
    Insert(f64, usize),
    Delete(f64, u8),
    DuplicateLine(f64),
    SwapLines(f64, f64),
    DeleteLine(f64),
    Crlf,
    Bom,
    Truncate(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0.0..1.0f64, 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
        2 => (0.0..1.0f64, 1..16u8).prop_map(|(at, n)| Edit::Delete(at, n)),
        2 => (0.0..1.0f64).prop_map(Edit::DuplicateLine),
        2 => (0.0..1.0f64, 0.0..1.0f64).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        2 => (0.0..1.0f64).prop_map(Edit::DeleteLine),
        1 => Just(Edit::Crlf),
        1 => Just(Edit::Bom),
        1 => (0.0..1.0f64).prop_map(Edit::Truncate),
    ]
}

fn at(len: usize, f: f64) -> usize {
    ((len as f64) * f).floor().min(len as f64) as usize
}

/// Byte offsets of line starts.
fn line_starts(b: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        b.iter()
            .enumerate()
            .filter(|(_, &c)| c == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < b.len()),
    );
    starts
}

fn line_range(b: &[u8], f: f64) -> std::ops::Range<usize> {
    let starts = line_starts(b);
    let i = at(starts.len(), f).min(starts.len() - 1);
    let end = starts.get(i + 1).copied().unwrap_or(b.len());
    starts[i]..end
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for e in edits {
        match *e {
            Edit::Insert(f, t) => {
                let i = at(b.len(), f);
                b.splice(i..i, TOKENS[t].iter().copied());
            }
            Edit::Delete(f, n) => {
                let i = at(b.len(), f);
                let end = (i + usize::from(n)).min(b.len());
                b.drain(i..end);
            }
            Edit::DuplicateLine(f) if !b.is_empty() => {
                let r = line_range(&b, f);
                let line = b[r.clone()].to_vec();
                b.splice(r.end..r.end, line);
            }
            Edit::SwapLines(f, g) if !b.is_empty() => {
                let (x, y) = (line_range(&b, f), line_range(&b, g));
                let (first, second) = if x.start <= y.start { (x, y) } else { (y, x) };
                if first.end <= second.start {
                    let mut out = b[..first.start].to_vec();
                    out.extend_from_slice(&b[second.clone()]);
                    out.extend_from_slice(&b[first.end..second.start]);
                    out.extend_from_slice(&b[first.clone()]);
                    out.extend_from_slice(&b[second.end..]);
                    b = out;
                }
            }
            Edit::DeleteLine(f) if !b.is_empty() => {
                let r = line_range(&b, f);
                b.drain(r);
            }
            Edit::Crlf => {
                let mut out = Vec::with_capacity(b.len() + b.len() / 20);
                for &c in &b {
                    if c == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(c);
                }
                b = out;
            }
            Edit::Bom => {
                b.splice(0..0, *b"\xef\xbb\xbf");
            }
            Edit::Truncate(f) => {
                let keep = at(b.len(), 0.5 + f / 2.0);
                b.truncate(keep);
            }
            _ => {}
        }
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 0..5)
}

fn read_dir_sorted(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| ext.iter().any(|e| x == *e)))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The SQL seeds: every diff fixture's files and the demo schema.
fn sql_seeds() -> Vec<Vec<u8>> {
    let root = common::root();
    let mut seeds = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/diff"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        for f in ["from.sql", "to.sql"] {
            if let Ok(b) = std::fs::read(d.join(f)) {
                if !b.is_empty() {
                    seeds.push(b);
                }
            }
        }
    }
    for f in read_dir_sorted(&root.join("schema"), &["sql"]) {
        seeds.push(std::fs::read(f).unwrap());
    }
    seeds
}

// ---- properties -------------------------------------------------------------------

/// What one `plan` and one `check` of a project said.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Both failed with this message.
    Failed(String),
    /// Both worked; the revision plan would write (None: nothing to plan).
    Planned(Option<String>),
}

fn project_at(dir: &Path) -> Project {
    let mut p = Project::open(dir).unwrap();
    p.settings.mode = ModeChoice::Offline;
    p
}

/// Runs `plan` and `check` on the project and checks they agree; on success writes
/// the revision and checks that the gate then passes and planning again finds nothing.
fn agree(dir: &Path) -> Result<Verdict, TestCaseError> {
    let p = project_at(dir);
    let planned = block_on(p.plan("fuzz"));
    let checked = block_on(p.check(false))
        .map_err(|e| e.to_string())
        .and_then(|r| {
            match r.findings.iter().find_map(|f| match f {
                Finding::BrokenPlans { message } => Some(message.clone()),
                _ => None,
            }) {
                Some(m) => Err(m),
                None => Ok(r.findings.len()),
            }
        });
    // Several heads: check reports them as a finding (exit 1, "run schemaplan merge"),
    // plan refuses (or writes the merge revision when the branches conflict): both
    // stop the user, in their own words.
    let heads = block_on(p.check(false))
        .map(|r| {
            r.findings
                .iter()
                .any(|f| matches!(f, Finding::SeveralHeads { .. }))
        })
        .unwrap_or(false);
    if let (Err(pe), true) = (&planned, heads) {
        return Ok(Verdict::Failed(pe.to_string()));
    }
    let revision = match (&planned, &checked) {
        (Err(pe), Err(ce)) => {
            let pe = pe.to_string();
            prop_assert_eq!(&pe, ce, "plan and check fail differently");
            return Ok(Verdict::Failed(pe));
        }
        (Err(pe), Ok(n)) => {
            return Err(TestCaseError::fail(format!(
                "plan failed ({pe}) where check did not ({n} finding(s))"
            )))
        }
        (Ok(_), Err(ce)) => {
            return Err(TestCaseError::fail(format!(
                "check failed ({ce}) where plan did not"
            )))
        }
        (Ok(r), Ok(_)) => r.revision.clone(),
    };
    let Some(revision) = revision else {
        return Ok(Verdict::Planned(None));
    };
    let text = revision.text.clone();
    // Several heads: the revision plan writes is a merge; check keeps finding the
    // heads until it is written, after which the gate must pass like any other.
    revision
        .write()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let report = block_on(p.check(false)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let remaining: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !matches!(f, Finding::Edited { .. }))
        .collect();
    prop_assert!(
        remaining.is_empty(),
        "after plan -m, check finds {:?}\n--- revision:\n{}",
        remaining,
        text
    );
    let again = block_on(p.plan("again")).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(
        again.revision.is_none(),
        "after plan -m, plan finds more:\n{}\n--- first revision:\n{}",
        again.revision.map(|r| r.text).unwrap_or_default(),
        text
    );
    std::fs::remove_file(&revision.path).unwrap();
    Ok(Verdict::Planned(Some(text)))
}

/// A fresh project holding `files` (relative path, bytes).
fn write_project(files: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("schema")).unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// The plan of a schema given as files, twice and with the files named in reverse
/// order: the same verdict, and byte-identical revisions.
fn deterministic(
    files: &[(String, Vec<u8>)],
    reversed: &[(String, Vec<u8>)],
) -> Result<(), TestCaseError> {
    let dir = write_project(files);
    let first = agree(dir.path())?;
    let second = agree(dir.path())?;
    prop_assert_eq!(&first, &second, "the same input planned twice differs");
    let other = write_project(reversed);
    let shuffled = agree(other.path())?;
    match (&first, &shuffled) {
        (Verdict::Planned(a), Verdict::Planned(b)) => {
            prop_assert_eq!(a, b, "the files in another order plan differently")
        }
        (Verdict::Failed(_), Verdict::Failed(_)) => {}
        (a, b) => {
            return Err(TestCaseError::fail(format!(
                "the files in another order: {a:?} then {b:?}"
            )))
        }
    }
    Ok(())
}

/// A project's files: path under the project, content.
type Files = Vec<(String, Vec<u8>)>;

/// Splits a schema into up to three files at line boundaries; the second layout
/// names the same pieces so that they sort the other way round.
fn layouts(bytes: &[u8], cuts: (f64, f64), ext: &str) -> (Files, Files) {
    let starts = line_starts(bytes);
    let mut a = at(starts.len(), cuts.0.min(cuts.1));
    let mut b = at(starts.len(), cuts.0.max(cuts.1));
    a = a.min(starts.len() - 1);
    b = b.min(starts.len() - 1);
    let (x, y) = (starts[a], starts[b].max(starts[a]));
    let pieces = [&bytes[..x], &bytes[x..y], &bytes[y..]];
    let mut forward = Vec::new();
    let mut backward = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        if piece.is_empty() {
            continue;
        }
        forward.push((format!("schema/{i}.{ext}"), piece.to_vec()));
        backward.push((format!("schema/{}.{ext}", 9 - i), piece.to_vec()));
    }
    (forward, backward)
}

static SQL_RUNS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn schema_sql() {
    let seeds = sql_seeds();
    let strategy = (0..seeds.len(), edits(), 0.0..1.0f64, 0.0..1.0f64);
    runner()
        .run(&strategy, |(seed, edits, c1, c2)| {
            SQL_RUNS.fetch_add(1, Ordering::Relaxed);
            let bytes = apply(&seeds[seed], &edits);
            let (forward, backward) = layouts(&bytes, (c1, c2), "sql");
            deterministic(&forward, &backward)
        })
        .unwrap();
    eprintln!(
        "schema_sql: {} executions",
        SQL_RUNS.load(Ordering::Relaxed)
    );
}

static YAML_RUNS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn schema_yaml() {
    let dir = common::root().join("examples/yaml-project/schema");
    let seeds: Vec<(String, Vec<u8>)> = read_dir_sorted(&dir, &["yaml", "yml"])
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    assert!(!seeds.is_empty());
    let strategy = (0..seeds.len(), edits());
    runner()
        .run(&strategy, |(which, edits)| {
            YAML_RUNS.fetch_add(1, Ordering::Relaxed);
            // All the example's files, one of them mutated.
            let mut forward = Vec::new();
            let mut backward = Vec::new();
            for (i, (name, bytes)) in seeds.iter().enumerate() {
                let bytes = if i == which {
                    apply(bytes, &edits)
                } else {
                    bytes.clone()
                };
                forward.push((format!("schema/{i}_{name}"), bytes.clone()));
                backward.push((format!("schema/{}_{name}", 9 - i), bytes));
            }
            deterministic(&forward, &backward)
        })
        .unwrap();
    eprintln!(
        "schema_yaml: {} executions",
        YAML_RUNS.load(Ordering::Relaxed)
    );
}

/// A project's schema/ and plans/ as files.
fn project_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for sub in ["schema", "plans"] {
        for p in read_dir_sorted(&root.join(sub), &["sql", "yaml", "yml"]) {
            let name = format!("{sub}/{}", p.file_name().unwrap().to_string_lossy());
            files.push((name, std::fs::read(&p).unwrap()));
        }
    }
    files
}

static REVISION_RUNS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn revision_file() {
    let demo = project_files(&common::root());
    let revisions: Vec<usize> = (0..demo.len())
        .filter(|&i| demo[i].0.starts_with("plans/"))
        .collect();
    let strategy = (0..revisions.len(), edits(), any::<bool>());
    runner()
        .run(&strategy, |(which, edits, header)| {
            REVISION_RUNS.fetch_add(1, Ordering::Relaxed);
            let mut files = demo.clone();
            let (_, bytes) = &mut files[revisions[which]];
            // Edits aimed at the header (its first lines) or anywhere.
            *bytes = if header {
                let cut = bytes
                    .windows(16)
                    .position(|w| w == b"-- schemaplan:up")
                    .unwrap_or(bytes.len());
                let mut head = apply(&bytes[..cut], &edits);
                head.extend_from_slice(&bytes[cut..]);
                head
            } else {
                apply(bytes, &edits)
            };
            let dir = write_project(&files);
            let first = agree(dir.path())?;
            let second = agree(dir.path())?;
            prop_assert_eq!(first, second);
            Ok(())
        })
        .unwrap();
    eprintln!(
        "revision_file: {} executions",
        REVISION_RUNS.load(Ordering::Relaxed)
    );
}

/// What happens to plans/ as a whole.
#[derive(Clone, Debug)]
enum DirEdit {
    /// A revision file deleted.
    Remove(usize),
    /// A revision copied under another name (the same id twice).
    Copy(usize),
    /// A revision's file renamed (ids and parents stay).
    Rename(usize),
    /// A revision converted to CRLF with a BOM.
    Windows(usize),
    /// A revision's parents line replaced by another's.
    Reparent(usize, usize),
    /// A revision edited.
    Edit(usize, Vec<Edit>),
}

fn dir_edit() -> impl Strategy<Value = DirEdit> {
    prop_oneof![
        (0..64usize).prop_map(DirEdit::Remove),
        (0..64usize).prop_map(DirEdit::Copy),
        (0..64usize).prop_map(DirEdit::Rename),
        (0..64usize).prop_map(DirEdit::Windows),
        (0..64usize, 0..64usize).prop_map(|(a, b)| DirEdit::Reparent(a, b)),
        (0..64usize, edits()).prop_map(|(a, e)| DirEdit::Edit(a, e)),
    ]
}

static PLANS_RUNS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn plans_directory() {
    let root = common::root();
    let projects: Vec<Vec<(String, Vec<u8>)>> = [
        root.clone(),
        root.join("examples/blog"),
        root.join("examples/app"),
    ]
    .iter()
    .map(|p| project_files(p))
    .collect();
    let strategy = (0..projects.len(), prop::collection::vec(dir_edit(), 1..4));
    runner()
        .run(&strategy, |(which, dir_edits)| {
            PLANS_RUNS.fetch_add(1, Ordering::Relaxed);
            let mut files = projects[which].clone();
            for e in &dir_edits {
                let plans: Vec<usize> = (0..files.len())
                    .filter(|&i| files[i].0.starts_with("plans/"))
                    .collect();
                if plans.is_empty() {
                    break;
                }
                let pick = |i: usize| plans[i % plans.len()];
                match e {
                    DirEdit::Remove(i) => {
                        files.remove(pick(*i));
                    }
                    DirEdit::Copy(i) => {
                        let (name, bytes) = files[pick(*i)].clone();
                        files.push((name.replace(".sql", "_copy.sql"), bytes));
                    }
                    DirEdit::Rename(i) => {
                        let f = &mut files[pick(*i)];
                        f.0 = f.0.replace("plans/", "plans/0_");
                    }
                    DirEdit::Windows(i) => {
                        let f = &mut files[pick(*i)];
                        f.1 = apply(&f.1, &[Edit::Crlf, Edit::Bom]);
                    }
                    DirEdit::Reparent(i, j) => {
                        let parents = |b: &[u8]| {
                            String::from_utf8_lossy(b)
                                .lines()
                                .find(|l| l.starts_with("-- parents:"))
                                .map(str::to_string)
                        };
                        let from = parents(&files[pick(*j)].1);
                        let to = parents(&files[pick(*i)].1);
                        if let (Some(from), Some(to)) = (from, to) {
                            let f = &mut files[pick(*i)];
                            f.1 = String::from_utf8_lossy(&f.1)
                                .replacen(&to, &from, 1)
                                .into_bytes();
                        }
                    }
                    DirEdit::Edit(i, edits) => {
                        let f = &mut files[pick(*i)];
                        f.1 = apply(&f.1, edits);
                    }
                }
            }
            let dir = write_project(&files);
            let first = agree(dir.path())?;
            let second = agree(dir.path())?;
            prop_assert_eq!(first, second);
            Ok(())
        })
        .unwrap();
    eprintln!(
        "plans_directory: {} executions",
        PLANS_RUNS.load(Ordering::Relaxed)
    );
}
