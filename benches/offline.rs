//! Offline planning, end to end through the CLI (`schemaplan plan`, no database):
//!
//! 1. a history of 1,000 revisions (each adds a table, or a column and an index to one)
//!    planned against the schema they build: nothing to plan;
//! 2. a 5,000-table schema (columns of mixed types, keys, foreign keys, indexes,
//!    checks; 100 tables a file) planned against an empty plans/: the whole creation
//!    plan, and its reverse.
//!
//! Prints the median wall time of 5 runs of each and the largest peak RSS of the runs
//! (Linux: the child's `VmHWM`, sampled every millisecond). Targets: under 1 s and
//! 128 MiB for 5,000 tables; with `--tables 50000`, under 8 s and 1 GiB.
//!
//! `cargo bench --bench offline [-- --tables 50000] [--runs 5] [--no-history]`

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use schemaplan::plan::{file, NewRevision, RevisionId};

fn table_sql(i: usize) -> String {
    let fk = if i > 0 {
        format!(",\n    parent_id bigint REFERENCES t{} (id)", i - 1)
    } else {
        String::new()
    };
    format!(
        "CREATE TABLE t{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL,\n    \
         amount numeric(12,2) DEFAULT 0 CHECK (amount >= 0),\n    created_at timestamptz NOT NULL DEFAULT now(),\n    \
         tags text[]{fk}\n);\nCREATE INDEX t{i}_name ON t{i} (lower(name));\n"
    )
}

fn revision(dir: &Path, n: usize, parent: Option<&RevisionId>, up: &str) -> RevisionId {
    let id = RevisionId(format!("2026{:010}-{:06x}", n, n));
    let parents: Vec<RevisionId> = parent.cloned().into_iter().collect();
    let message = format!("step {n}");
    let text = NewRevision {
        id: &id,
        parents: &parents,
        message: &message,
        created: "2026-11-24T00:00:00Z",
        fingerprint: "sha256:0",
        hazards: &[],
        renames: &[],
        alembic: &[],
        up,
        down: "",
    }
    .render(true);
    std::fs::write(dir.join(file::file_name(&id, &message)), text).unwrap();
    id
}

/// 1,000 revisions: every fifth adds a table, the others a column and an index.
fn history_project(root: &Path) {
    let plans = root.join("plans");
    let schema = root.join("schema");
    std::fs::create_dir_all(&plans).unwrap();
    std::fs::create_dir_all(&schema).unwrap();
    let mut parent = None;
    let mut tables: Vec<Vec<String>> = Vec::new();
    for n in 0..1000 {
        let up = if n % 5 == 0 {
            tables.push(Vec::new());
            let t = tables.len() - 1;
            format!("CREATE TABLE public.h{t} (id bigint PRIMARY KEY, name text NOT NULL);")
        } else {
            let t = tables.len() - 1;
            let c = format!("c{n}");
            tables[t].push(c.clone());
            format!(
                "ALTER TABLE public.h{t} ADD COLUMN {c} integer;\nCREATE INDEX h{t}_{c} ON public.h{t} USING btree ({c});"
            )
        };
        parent = Some(revision(&plans, n, parent.as_ref(), &up));
    }
    let mut sql = String::new();
    for (t, cols) in tables.iter().enumerate() {
        sql.push_str(&format!(
            "CREATE TABLE h{t} (id bigint PRIMARY KEY, name text NOT NULL"
        ));
        for c in cols {
            sql.push_str(&format!(", {c} integer"));
        }
        sql.push_str(");\n");
        for c in cols {
            sql.push_str(&format!("CREATE INDEX h{t}_{c} ON h{t} ({c});\n"));
        }
    }
    std::fs::write(schema.join("schema.sql"), sql).unwrap();
}

/// `tables` tables in files of 100, no plans yet.
fn big_schema_project(root: &Path, tables: usize) {
    let schema = root.join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::create_dir_all(root.join("plans")).unwrap();
    for f in 0..tables.div_ceil(100) {
        let sql: String = (f * 100..((f + 1) * 100).min(tables))
            .map(table_sql)
            .collect();
        std::fs::write(schema.join(format!("part{f:03}.sql")), sql).unwrap();
    }
}

/// The peak resident memory of a running process so far, in KiB (`VmHWM`; Linux only).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `schemaplan plan` in `root` `runs` times: the median wall time and the largest
/// peak RSS in KiB (0 where it cannot be read).
fn time_plan(root: &Path, expect: &str, runs: usize) -> (Duration, u64) {
    let mut times = Vec::new();
    let mut peak = 0;
    let out_dir = tempfile::tempdir().unwrap();
    for _ in 0..runs {
        let (out_path, err_path) = (out_dir.path().join("out"), out_dir.path().join("err"));
        let started = Instant::now();
        // Output to files, not pipes: nothing needs reading while it runs, and the
        // sampling loop below can poll the child freely.
        let mut child = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
            .arg("plan")
            .env_remove("DATABASE_URL")
            .env_remove("SCHEMAPLAN_DEV_URL")
            .current_dir(root)
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(std::fs::File::create(&err_path).unwrap())
            .spawn()
            .expect("run schemaplan");
        let mut hwm = 0;
        let status = loop {
            if let Some(k) = peak_kib(child.id()) {
                hwm = hwm.max(k);
            }
            if let Some(status) = child.try_wait().expect("wait for schemaplan") {
                break status;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        times.push(started.elapsed());
        peak = peak.max(hwm);
        let all = format!(
            "{}{}",
            std::fs::read_to_string(&out_path).unwrap_or_default(),
            std::fs::read_to_string(&err_path).unwrap_or_default()
        );
        assert!(status.success(), "{all}");
        assert!(all.contains(expect), "expected {expect:?} in the output");
        assert!(all.contains("offline mode"));
    }
    times.sort();
    (times[times.len() / 2], peak)
}

fn main() {
    let mut tables = 5000;
    let mut runs = 5;
    let mut history = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tables" => {
                tables = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--tables N")
            }
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--no-history" => history = false,
            // What cargo passes to every bench target.
            "--bench" => {}
            other => panic!("unknown argument {other} (--tables N, --runs N, --no-history)"),
        }
    }
    let mb = |kib: u64| kib as f64 / 1024.0;
    let mut results = Vec::new();
    if history {
        let dir = tempfile::tempdir().unwrap();
        history_project(dir.path());
        let (h, peak) = time_plan(dir.path(), "nothing to plan", runs);
        println!(
            "offline plan, 1,000-revision history:  {:>8.1} ms, peak {:>7.1} MiB (median of {runs})",
            h.as_secs_f64() * 1e3,
            mb(peak)
        );
        results.push(("history", h < Duration::from_secs(1), "< 1 s"));
    }
    let big = tempfile::tempdir().unwrap();
    big_schema_project(big.path(), tables);
    let (b, peak) = time_plan(
        big.path(),
        &format!("CREATE TABLE public.t{}", tables - 1),
        runs,
    );
    println!(
        "offline plan, {tables}-table schema: {:>8.1} ms, peak {:>7.1} MiB (median of {runs})",
        b.as_secs_f64() * 1e3,
        mb(peak)
    );
    // The limits scale from 1 s and 128 MiB at 5,000 tables to 8 s and 1 GiB at 50,000.
    let (time_limit, mem_limit) = if tables > 5000 {
        (8.0, 1024.0)
    } else {
        (1.0, 128.0)
    };
    results.push((
        "schema time",
        b.as_secs_f64() < time_limit,
        if tables > 5000 { "< 8 s" } else { "< 1 s" },
    ));
    results.push((
        "schema memory",
        peak > 0 && mb(peak) < mem_limit,
        if tables > 5000 {
            "< 1 GiB"
        } else {
            "< 128 MiB"
        },
    ));
    for (what, ok, limit) in results {
        println!(
            "  {what}: {} (target {limit})",
            if ok { "PASS" } else { "FAIL" }
        );
    }
}
