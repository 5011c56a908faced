//! Engine benchmark: the in-memory part of `schemaplan diff` (diff + order + render,
//! no I/O) between two live databases, and, for scale, the I/O part (introspection)
//! against `pg_dump --schema-only` of the same database.
//!
//! Input: two databases, normally the ones `scripts/bench.sh` loads (`bench_a_N`,
//! `bench_b_N`). Output: a human-readable report on stdout, closed by one
//! `engine-result key=value ...` line that `bench.sh` reads. Writes nothing to the
//! databases.
//!
//! ```text
//! cargo bench --bench engine -- [--size N | --from URL --to URL]
//!                                [--iterations K] [--io-runs R] [--pg-dump PATH]
//!                                [--no-queries] [--explain]
//!
//! `--explain` also prints `EXPLAIN (ANALYZE, BUFFERS)` of every introspection query.
//! ```
//!
//! Environment: `BENCH_DATABASE_URL` (the server, default
//! `postgres://postgres@127.0.0.1:5432/postgres`), `BENCH_SIZE` (default 1000),
//! `BENCH_FROM_URL` / `BENCH_TO_URL` (override the two databases), `BENCH_ITERATIONS`
//! (default 20), `BENCH_IO_RUNS` (default 3), `PG_DUMP` (the pg_dump binary).

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use schemaplan::connect::DbUrl;
use schemaplan::diff::diff;
use schemaplan::introspect::introspect;
use schemaplan::model::Catalog;
use schemaplan::order::order;
use schemaplan::render::render;

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// What the benchmark was asked to do.
struct Options {
    from: String,
    to: String,
    size: Option<usize>,
    iterations: usize,
    io_runs: usize,
    pg_dump: Option<String>,
    queries: bool,
    explain: bool,
}

fn usage() -> &'static str {
    "usage: cargo bench --bench engine -- [--size N | --from URL --to URL] \
     [--iterations K] [--io-runs R] [--pg-dump PATH|none] [--no-queries] [--explain]"
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// The options, or None when run as a test rather than as a benchmark.
fn parse_args() -> Result<Option<Options>, String> {
    let server = env_or("BENCH_DATABASE_URL", DEFAULT_SERVER);
    let mut size: Option<usize> = std::env::var("BENCH_SIZE")
        .ok()
        .and_then(|s| s.parse().ok());
    let mut from = std::env::var("BENCH_FROM_URL")
        .ok()
        .filter(|v| !v.is_empty());
    let mut to = std::env::var("BENCH_TO_URL").ok().filter(|v| !v.is_empty());
    let mut iterations: usize = env_or("BENCH_ITERATIONS", "20")
        .parse()
        .map_err(|_| "BENCH_ITERATIONS")?;
    let mut io_runs: usize = env_or("BENCH_IO_RUNS", "3")
        .parse()
        .map_err(|_| "BENCH_IO_RUNS")?;
    let mut pg_dump = std::env::var("PG_DUMP").ok().filter(|v| !v.is_empty());
    let mut queries = true;
    let mut explain = false;

    // Under `cargo test --benches` (or --all-targets) the target runs with no
    // arguments and should not need the bench databases.
    let mut as_bench = false;
    let explicit = std::env::args().len() > 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--size" => size = Some(value("--size")?.parse().map_err(|_| "--size: a number")?),
            "--from" => from = Some(value("--from")?),
            "--to" => to = Some(value("--to")?),
            "--iterations" => {
                iterations = value("--iterations")?
                    .parse()
                    .map_err(|_| "--iterations: a number")?
            }
            "--io-runs" => {
                io_runs = value("--io-runs")?
                    .parse()
                    .map_err(|_| "--io-runs: a number")?
            }
            "--pg-dump" => pg_dump = Some(value("--pg-dump")?),
            "--no-queries" => queries = false,
            "--explain" => explain = true,
            // `cargo bench` passes --bench to every harness=false target.
            "--bench" => as_bench = true,
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    if !as_bench && !explicit {
        return Ok(None);
    }
    let size_or_default = size.unwrap_or(1000);
    let from = match from {
        Some(u) => u,
        None => with_dbname(&server, &format!("bench_a_{size_or_default}"))?,
    };
    let to = match to {
        Some(u) => u,
        None => with_dbname(&server, &format!("bench_b_{size_or_default}"))?,
    };
    Ok(Some(Options {
        from,
        to,
        size,
        iterations: iterations.max(1),
        io_runs: io_runs.max(1),
        pg_dump,
        queries,
        explain,
    }))
}

/// The server URL with another database name (the path), query parameters kept.
fn with_dbname(server: &str, dbname: &str) -> Result<String, String> {
    let mut u = url::Url::parse(server).map_err(|e| format!("BENCH_DATABASE_URL: {e}"))?;
    u.set_path(&format!("/{dbname}"));
    Ok(u.to_string())
}

/// Median of durations (the mean of the two middle ones for an even count).
fn median(v: &[Duration]) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    let n = s.len();
    if n == 0 {
        Duration::ZERO
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A field of /proc/self/status in KiB (Linux; 0 elsewhere).
fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Peak resident set size of this process so far, in KiB.
fn peak_rss_kb() -> u64 {
    proc_status_kb("VmHWM:")
}

/// Current and peak resident set size, for a progress line.
fn memory_line() -> String {
    format!(
        "rss {:.1} MiB, peak {:.1} MiB",
        proc_status_kb("VmRSS:") as f64 / 1024.0,
        peak_rss_kb() as f64 / 1024.0
    )
}

/// Runs every introspection query alone, one after the other, in the transaction
/// settings introspection uses, and prints what each costs (server time + transfer +
/// tokio-postgres decoding into rows, not the conversion into the model). Introspection
/// itself pipelines them, so their sum is more than its read time; this says which
/// queries dominate.
async fn time_queries(url: &DbUrl, explain: bool) -> Result<(), String> {
    let client = url.connect().await.map_err(|e| e.to_string())?;
    client
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL search_path = ''; SET LOCAL work_mem = '64MB'",
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut total = Duration::ZERO;
    println!("  introspection queries, one at a time on from:");
    for (name, sql) in schemaplan::introspect::queries::ALL {
        let start = Instant::now();
        let rows = client
            .query(*sql, &[])
            .await
            .map_err(|e| format!("{name}: {e}"))?;
        let t = start.elapsed();
        total += t;
        let bytes: usize = rows.iter().map(|r| r.raw_size_bytes()).sum();
        println!(
            "    {name:<13} {:9.1} ms  {:7} rows  {:8.1} KiB",
            ms(t),
            rows.len(),
            bytes as f64 / 1024.0
        );
    }
    println!("    {:<13} {:9.1} ms", "sum", ms(total));
    if explain {
        for (name, sql) in schemaplan::introspect::queries::ALL {
            println!("\n  EXPLAIN ANALYZE {name}:");
            let plan = client
                .simple_query(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"))
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            for msg in plan {
                if let tokio_postgres::SimpleQueryMessage::Row(row) = msg {
                    println!("    {}", row.get(0).unwrap_or(""));
                }
            }
        }
    }
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One line of object counts, so a nearly empty catalog is obvious.
fn describe(c: &Catalog) -> String {
    let columns: usize = c.tables.values().map(|t| t.columns.len()).sum();
    format!(
        "{} tables, {} columns, {} indexes, {} views, {} types, {} functions, {} triggers",
        c.tables.len(),
        columns,
        c.indexes.len(),
        c.views.len(),
        c.types.len(),
        c.functions.len(),
        c.triggers.len()
    )
}

/// The pg_dump to compare with: `PG_DUMP`, else the one matching the server's major
/// version under /usr/lib/postgresql, else `pg_dump` on PATH.
fn find_pg_dump(server_major: Option<u32>) -> String {
    if let Some(major) = server_major {
        let p = format!("/usr/lib/postgresql/{major}/bin/pg_dump");
        if std::path::Path::new(&p).exists() {
            return p;
        }
    }
    "pg_dump".to_string()
}

/// Runs `pg_dump --schema-only` of `url` to /dev/null; its wall time.
fn time_pg_dump(pg_dump: &str, url: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let status = Command::new(pg_dump)
        .arg("--schema-only")
        .arg(format!("--dbname={url}"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {pg_dump}: {e}"))?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err(format!("{pg_dump} failed ({status})"));
    }
    Ok(elapsed)
}

async fn introspect_url(url: &DbUrl) -> Result<(Catalog, Duration), String> {
    let start = Instant::now();
    let client = url.connect().await.map_err(|e| e.to_string())?;
    let catalog = introspect(&client).await.map_err(|e| e.to_string())?;
    Ok((catalog, start.elapsed()))
}

async fn run(opts: Options) -> Result<(), String> {
    let from = DbUrl::parse(&opts.from).map_err(|e| format!("--from: {e}"))?;
    let to = DbUrl::parse(&opts.to).map_err(|e| format!("--to: {e}"))?;
    println!("engine benchmark: {} -> {}", from.redacted(), to.redacted());

    // Server version, for the matching pg_dump.
    let major = {
        let client = from.connect().await.map_err(|e| e.to_string())?;
        let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int / 10000",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?;
        u32::try_from(row.get::<_, i32>(0)).ok()
    };
    let pg_dump = match opts.pg_dump.as_deref() {
        Some("none") => None,
        Some(p) => Some(p.to_string()),
        None => Some(find_pg_dump(major)),
    };

    // I/O: introspection of the `from` database, alternating with pg_dump of it.
    let mut intro_times = Vec::new();
    let mut dump_times = Vec::new();
    let mut a = None;
    let base_rss = proc_status_kb("VmRSS:");
    let mut one_catalog_rss = 0;
    for run in 0..opts.io_runs {
        // The previous run's catalog goes first, so this one is measured alone.
        drop(a.take());
        let (catalog, t) = introspect_url(&from).await?;
        intro_times.push(t);
        a = Some(catalog);
        if run == 0 {
            // Later runs reuse memory the allocator kept from the earlier ones.
            one_catalog_rss = proc_status_kb("VmRSS:");
        }
        if let Some(p) = &pg_dump {
            dump_times.push(time_pg_dump(p, &opts.from)?);
        }
        println!(
            "  io run {}: introspect {:.1} ms{} ({})",
            run + 1,
            ms(t),
            dump_times
                .last()
                .map(|d| format!(", pg_dump --schema-only {:.1} ms", ms(*d)))
                .unwrap_or_default(),
            memory_line()
        );
    }
    let a = a.ok_or("no introspection run")?;
    let (b, intro_b) = introspect_url(&to).await?;
    let two_catalogs_rss = proc_status_kb("VmRSS:");
    println!("  both catalogs held: {}", memory_line());
    println!("  from: {}", describe(&a));
    println!("  to:   {}", describe(&b));
    println!("  introspect to: {:.1} ms", ms(intro_b));

    // The engine alone: diff + order + render, no I/O. The first iteration warms up.
    let mut t_diff = Vec::new();
    let mut t_order = Vec::new();
    let mut t_render = Vec::new();
    let mut t_text = Vec::new();
    let mut t_total = Vec::new();
    let mut n_changes = 0;
    let mut n_steps = 0;
    let mut n_statements = 0;
    let mut text_bytes = 0;
    for i in 0..=opts.iterations {
        let t0 = Instant::now();
        let changes = diff(&a, &b);
        let t1 = Instant::now();
        let count = changes.len();
        let ordered = order(changes).map_err(|e| e.to_string())?;
        let t2 = Instant::now();
        let plan = render(&ordered);
        let t3 = Instant::now();
        let text = plan.to_string();
        let t4 = Instant::now();
        if i == 0 {
            n_changes = count;
            n_steps = plan.steps.len();
            n_statements = plan.statements().count();
            text_bytes = text.len();
            continue;
        }
        t_diff.push(t1 - t0);
        t_order.push(t2 - t1);
        t_render.push(t3 - t2);
        t_text.push(t4 - t3);
        t_total.push(t3 - t0);
        std::hint::black_box(text);
    }
    let peak = peak_rss_kb();
    println!("  after the engine iterations: {}", memory_line());
    if opts.queries {
        time_queries(&from, opts.explain).await?;
    }

    let intro = median(&intro_times);
    let dump = (!dump_times.is_empty()).then(|| median(&dump_times));
    println!();
    println!(
        "  changes: {n_changes}, steps: {n_steps}, statements: {n_statements}, plan text: {text_bytes} bytes"
    );
    println!("  medians over {} iterations:", opts.iterations);
    println!("    diff                  {:9.2} ms", ms(median(&t_diff)));
    println!("    order                 {:9.2} ms", ms(median(&t_order)));
    println!("    render                {:9.2} ms", ms(median(&t_render)));
    println!("    diff+order+render     {:9.2} ms", ms(median(&t_total)));
    println!("    plan to text          {:9.2} ms", ms(median(&t_text)));
    println!("  medians over {} io runs:", opts.io_runs);
    println!("    introspect one db     {:9.2} ms", ms(intro));
    if let Some(d) = dump {
        println!(
            "    pg_dump --schema-only {:9.2} ms   (introspect / pg_dump = {:.3})",
            ms(d),
            intro.as_secs_f64() / d.as_secs_f64()
        );
    }
    println!("  peak RSS: {:.1} MiB", peak as f64 / 1024.0);
    println!(
        "engine-result size={} tables_a={} tables_b={} changes={} steps={} iterations={} \
         diff_ms={:.3} order_ms={:.3} render_ms={:.3} engine_ms={:.3} text_ms={:.3} \
         introspect_ms={:.3} introspect_b_ms={:.3} pg_dump_ms={} peak_rss_kb={} \
         base_rss_kb={} one_catalog_rss_kb={} two_catalogs_rss_kb={}",
        opts.size.map_or_else(|| "-".to_string(), |s| s.to_string()),
        a.tables.len(),
        b.tables.len(),
        n_changes,
        n_steps,
        opts.iterations,
        ms(median(&t_diff)),
        ms(median(&t_order)),
        ms(median(&t_render)),
        ms(median(&t_total)),
        ms(median(&t_text)),
        ms(intro),
        ms(intro_b),
        dump.map_or_else(|| "-".to_string(), |d| format!("{:.3}", ms(d))),
        peak,
        base_rss,
        one_catalog_rss,
        two_catalogs_rss,
    );
    Ok(())
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("engine: a benchmark; run it with `cargo bench --bench engine` (skipped)");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("engine: {e}");
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
            eprintln!("engine: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(opts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("engine: error: {e}");
            ExitCode::from(2)
        }
    }
}
