//! Loading a schema into a scratch database (`devdb`, what exact mode does with
//! `schema/`): a generated schema of N tables (default 5,000), each with a primary
//! key, a foreign key to the previous table, an expression index, a comment and a
//! check (four statements a table), parsed, ordered, then loaded once per batch size.
//!
//! Input: a PostgreSQL server on which it may create databases. Output: the times on
//! stdout. Every scratch database it creates is dropped again, also after an error.
//!
//! ```text
//! cargo bench --bench devdb_load -- [--tables N] [--batch-sizes 1,10,50]
//! ```
//!
//! Without `--batch-sizes` it compares the default batching with one statement per
//! round trip. Environment: `BENCH_DATABASE_URL` (the server, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Under `cargo test --benches` it
//! says that it is a benchmark and exits 0.

use std::process::ExitCode;
use std::time::Instant;

use schemaplan::connect::DbUrl;
use schemaplan::devdb::{drop_all_scratch, DevDatabase, LoadOptions};
use schemaplan::parse::order_statements;
use schemaplan::parse::read_sql_source;

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// What the benchmark was asked to do.
struct Options {
    server: String,
    tables: usize,
    /// Statements per round trip; None: the default and 1.
    batch_sizes: Option<Vec<usize>>,
}

fn usage() -> &'static str {
    "usage: cargo bench --bench devdb_load -- [--tables N] [--batch-sizes 1,10,50]"
}

/// The options, or None when run as a test rather than as a benchmark.
fn parse_args() -> Result<Option<Options>, String> {
    let mut opts = Options {
        server: std::env::var("BENCH_DATABASE_URL")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_SERVER.to_string()),
        tables: 5000,
        batch_sizes: None,
    };
    let explicit = std::env::args().len() > 1;
    let mut as_bench = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--tables" => {
                opts.tables = value("--tables")?
                    .parse()
                    .map_err(|_| "--tables: a number")?
            }
            "--batch-sizes" => {
                let sizes = value("--batch-sizes")?
                    .split(',')
                    .map(|n| n.trim().parse::<usize>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| "--batch-sizes: numbers separated by commas")?;
                opts.batch_sizes = Some(sizes);
            }
            // `cargo bench` passes --bench to every harness=false target.
            "--bench" => as_bench = true,
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    Ok((as_bench || explicit).then_some(opts))
}

/// Table `i` and what hangs off it: four statements.
fn table_sql(i: usize) -> String {
    let fk = if i > 0 {
        format!(" REFERENCES t{}", i - 1)
    } else {
        String::new()
    };
    format!(
        "CREATE TABLE t{i} (id bigint PRIMARY KEY, prev_id bigint{fk}, name text NOT NULL, \
         created_at timestamptz DEFAULT now());\n\
         CREATE INDEX t{i}_name_idx ON t{i} (lower(name));\n\
         COMMENT ON TABLE t{i} IS 'table {i}';\n\
         ALTER TABLE t{i} ADD CONSTRAINT t{i}_name_check CHECK (name <> '');\n"
    )
}

async fn run(opts: Options) -> Result<(), Box<dyn std::error::Error>> {
    let server = DbUrl::parse(&opts.server)?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("schema.sql");
    std::fs::write(&file, (0..opts.tables).map(table_sql).collect::<String>())?;

    let started = Instant::now();
    let statements = read_sql_source(&file)?;
    let parsed = started.elapsed();
    let statements = order_statements(statements)?;
    let ordered = started.elapsed() - parsed;
    println!(
        "{} tables, {} statements: parse {parsed:?}, order {ordered:?}",
        opts.tables,
        statements.len()
    );

    let sizes = opts
        .batch_sizes
        .unwrap_or_else(|| vec![LoadOptions::default().max_batch_statements, 1]);
    for size in sizes {
        let options = LoadOptions {
            max_batch_statements: size,
            ..LoadOptions::default()
        };
        let db = DevDatabase::create(&server).await?;
        let started = Instant::now();
        let loaded = db.load_with(&statements, &options).await;
        let elapsed = started.elapsed();
        db.drop_database().await?;
        loaded?;
        println!("load, at most {size} statements per round trip: {elapsed:?}");
    }
    Ok(())
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!(
                "devdb_load: a benchmark; run it with `cargo bench --bench devdb_load` (skipped)"
            );
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("devdb_load: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("devdb_load: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        let result = run(opts).await;
        // A database created before an error is still registered: drop it too.
        let _ = drop_all_scratch().await;
        result
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("devdb_load: {e}");
            ExitCode::FAILURE
        }
    }
}
