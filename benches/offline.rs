//! Offline planning, end to end through the CLI (`schemaplan plan`, no database):
//!
//! 1. a history of 1,000 revisions (each adds a table, or a column and an index to one)
//!    planned against the schema they build: nothing to plan;
//! 2. a 5,000-table schema (columns of mixed types, keys, foreign keys, indexes,
//!    checks) planned against an empty plans/: the whole creation plan.
//!
//! Prints the median of 5 runs of each. `cargo bench --bench offline`.

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

/// 5,000 tables in 50 files, no plans yet.
fn big_schema_project(root: &Path) {
    let schema = root.join("schema");
    std::fs::create_dir_all(&schema).unwrap();
    std::fs::create_dir_all(root.join("plans")).unwrap();
    for f in 0..50 {
        let sql: String = (f * 100..(f + 1) * 100).map(table_sql).collect();
        std::fs::write(schema.join(format!("part{f:02}.sql")), sql).unwrap();
    }
}

fn time_plan(root: &Path, expect: &str) -> Duration {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_schemaplan"))
            .arg("plan")
            .env_remove("DATABASE_URL")
            .env_remove("SCHEMAPLAN_DEV_URL")
            .current_dir(root)
            .output()
            .expect("run schemaplan");
        runs.push(started.elapsed());
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{all}");
        assert!(all.contains(expect), "expected {expect:?} in the output");
        assert!(all.contains("offline mode"));
    }
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let history = tempfile::tempdir().unwrap();
    history_project(history.path());
    let h = time_plan(history.path(), "nothing to plan");
    println!(
        "offline plan, 1,000-revision history:  {:>7.1} ms (median of 5)",
        h.as_secs_f64() * 1e3
    );
    let big = tempfile::tempdir().unwrap();
    big_schema_project(big.path());
    let b = time_plan(big.path(), "CREATE TABLE public.t4999");
    println!(
        "offline plan, 5,000-table schema:      {:>7.1} ms (median of 5)",
        b.as_secs_f64() * 1e3
    );
    for (what, d) in [("history", h), ("schema", b)] {
        println!(
            "  {what}: {} (target < 1 s)",
            if d < Duration::from_secs(1) {
                "PASS"
            } else {
                "FAIL"
            }
        );
    }
}
