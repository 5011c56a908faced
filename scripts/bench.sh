#!/usr/bin/env bash
# Benchmarks `schemaplan diff` between two live databases against `pg_dump --schema-only`
# of one of them, on generated schemas of 1,000, 5,000, 10,000 and 50,000 tables (see
# scripts/gen_schema.py and benches/README.md).
#
#   scripts/bench.sh [--sizes 1000,5000,10000,50000] [--runs 5] [--warmup 1] [--format text|json]
#                    [--iterations 20] [--no-engine] [--reload] [--clean] [--drop]
#                    [--check] [--bin PATH]
#
# For each size N it:
#   1. generates bench_N_a.sql and bench_N_b.sql (about 2% of objects changed; above
#      10,000 tables cut into N/50 schemas of 50 tables, gen_schema.py --schemas) into
#      target/bench/, and loads them with psql into the databases bench_a_N and
#      bench_b_N on the server at BENCH_DATABASE_URL. A database already there whose
#      comment carries the hash of the same SQL is reused as is.
#   2. runs, alternating and in the same run, `schemaplan diff --from bench_a_N --to
#      bench_b_N` (stdout to /dev/null) and `pg_dump --schema-only bench_a_N`
#      (stdout to /dev/null), after --warmup untimed runs of each, measuring wall time
#      and peak RSS of each run; each run goes through every size in turn;
#   3. runs `cargo bench --bench engine` on the same two databases: diff + order +
#      render alone (no I/O), and introspection of one database against pg_dump.
# Then it prints, per size, the median wall time and the peak RSS (the largest of the
# runs) of each, their ratios, and PASS/FAIL against the targets. It drops
# nothing unless asked: --clean drops the bench databases of the sizes run at the end,
# --drop drops them and exits. --check exits 1 when a target fails. --bin PATH times that
# schemaplan binary instead of building one (with --no-engine).
#
# Environment:
#   BENCH_DATABASE_URL  the server (default postgres://postgres@127.0.0.1:5432/postgres)
#   PG_BIN              where pg_dump and psql are (default: the server's major version
#                       under /usr/lib/postgresql, else PATH)
#   BENCH_SEED          generator seed (default 1)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

say() { printf 'bench.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

SIZES=1000,5000,10000,50000
RUNS=5
WARMUP=1
FORMAT=text
ITERATIONS=20
ENGINE=1
RELOAD=0
CLEAN=0
DROP_ONLY=0
CHECK=0
BIN_ARG=
SERVER=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SEED=${BENCH_SEED:-1}

usage() { sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=${2:?--sizes needs a value}; shift 2 ;;
        --sizes=*) SIZES=${1#*=}; shift ;;
        --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --warmup) WARMUP=${2:?--warmup needs a value}; shift 2 ;;
        --warmup=*) WARMUP=${1#*=}; shift ;;
        --format) FORMAT=${2:?--format needs a value}; shift 2 ;;
        --format=*) FORMAT=${1#*=}; shift ;;
        --iterations) ITERATIONS=${2:?--iterations needs a value}; shift 2 ;;
        --iterations=*) ITERATIONS=${1#*=}; shift ;;
        --no-engine) ENGINE=0; shift ;;
        --reload) RELOAD=1; shift ;;
        --clean) CLEAN=1; shift ;;
        --drop) DROP_ONLY=1; shift ;;
        --check) CHECK=1; shift ;;
        --bin) BIN_ARG=${2:?--bin needs a path}; shift 2 ;;
        --bin=*) BIN_ARG=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

IFS=, read -r -a SIZE_LIST <<< "$SIZES"
for n in "${SIZE_LIST[@]}"; do
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 3 ] || die "--sizes: $n is not a number of tables >= 3"
done
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] || die "--runs: a number >= 1"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "--warmup: a number"
case "$FORMAT" in text|json) ;; *) die "--format: text or json" ;; esac

command -v python3 >/dev/null 2>&1 || die "python3 is needed (the generator and the timing wrapper)"

# gen_schema.py's --schemas for a size: above 10,000 tables, schemas of 50 tables (the
# shape of a schema-per-tenant or per-module database that large), so 50,000 tables are
# 1,000 schemas; up to 10,000, the default four schemas.
schemas_arg() {
    if [ "$1" -gt 10000 ]; then echo "--schemas $(( ($1 + 49) / 50 ))"; fi
}

# The URL of another database on the same server, query parameters kept.
db_url() {
    python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$SERVER" "$1"
}

# --- PostgreSQL binaries ---------------------------------------------------------------

if [ -z "${PG_BIN:-}" ]; then
    command -v psql >/dev/null 2>&1 || [ -d /usr/lib/postgresql ] || die "psql not found: install postgresql-client or set PG_BIN"
    PSQL0=$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql | tail -1)
    major=$("$PSQL0" -X -At -d "$SERVER" -c "SELECT current_setting('server_version_num')::int / 10000") \
        || die "cannot connect to $SERVER (set BENCH_DATABASE_URL)"
    if [ -x "/usr/lib/postgresql/$major/bin/pg_dump" ]; then
        PG_BIN=/usr/lib/postgresql/$major/bin
    else
        PG_BIN=$(dirname "$(command -v pg_dump)")
    fi
fi
PSQL=$PG_BIN/psql
PG_DUMP=$PG_BIN/pg_dump
[ -x "$PSQL" ] && [ -x "$PG_DUMP" ] || die "no psql/pg_dump in $PG_BIN"

psql_server() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$SERVER" "$@"; }

MARK_PREFIX="schemaplan-bench"

# The comment of a database ("" when it has none, "-" when there is no such database).
db_comment() {
    psql_server -c "SELECT coalesce(shobj_description(oid, 'pg_database'), '')
                    FROM pg_database WHERE datname = '$1'
                    UNION ALL SELECT '-' LIMIT 1"
}

# Drops a bench database, refusing one that bench.sh did not make.
drop_bench_db() {
    local name=$1 comment
    comment=$(db_comment "$name")
    [ "$comment" = "-" ] && return 0
    case "$comment" in
        "$MARK_PREFIX"*) ;;
        *) die "database $name exists but was not made by bench.sh (no '$MARK_PREFIX' comment); not dropping it" ;;
    esac
    say "dropping $name"
    psql_server -c "DROP DATABASE \"$name\" WITH (FORCE)"
}

if [ "$DROP_ONLY" -eq 1 ]; then
    for n in "${SIZE_LIST[@]}"; do
        drop_bench_db "bench_a_$n"
        drop_bench_db "bench_b_$n"
    done
    exit 0
fi

# --- build -----------------------------------------------------------------------------

OUT=$ROOT/target/bench
mkdir -p "$OUT"
if [ -n "$BIN_ARG" ]; then
    [ "$ENGINE" -eq 0 ] || die "--bin needs --no-engine (the engine benchmark is built from the sources)"
    BIN=$BIN_ARG
else
    say "building (cargo build --release)"
    cargo build --release --quiet
    BIN=$ROOT/target/release/schemaplan
fi
[ -x "$BIN" ] || die "no $BIN after the build"
if [ "$ENGINE" -eq 1 ]; then
    say "building the engine benchmark (cargo bench --bench engine --no-run)"
    cargo bench --bench engine --no-run --quiet
fi

# Runs a command with stdout to /dev/null, and appends "wall_seconds peak_rss_kib" to
# the file $1. A tiny wrapper instead of /usr/bin/time: a precise clock, and nothing
# to install.
cat > "$OUT/measure.py" <<'EOF'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
r = subprocess.run(cmd, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
if r.returncode != 0:
    sys.exit(f"{cmd[0]} exited with {r.returncode}")
with open(out, "a") as f:
    f.write(f"{wall:.6f} {rss}\n")
EOF
measure() { python3 "$OUT/measure.py" "$@"; }

# --- databases -------------------------------------------------------------------------

# Makes sure database $1 holds the schema in file $2, loading it when needed.
ensure_db() {
    local name=$1 sql=$2 want have tmp
    want="$MARK_PREFIX $(sha256sum "$sql" | cut -c1-64)"
    have=$(db_comment "$name")
    if [ "$have" = "$want" ] && [ "$RELOAD" -eq 0 ]; then
        say "$name is up to date (reusing it)"
        return 0
    fi
    case "$have" in
        -|"$MARK_PREFIX"*) ;;
        *) die "database $name exists but was not made by bench.sh; drop it or point BENCH_DATABASE_URL elsewhere" ;;
    esac
    # Load under another name and rename at the end, so an interrupted load never
    # leaves a database that looks complete.
    tmp="${name}_loading"
    psql_server -c "DROP DATABASE IF EXISTS \"$tmp\" WITH (FORCE)"
    psql_server -c "CREATE DATABASE \"$tmp\""
    say "loading $(basename "$sql") into $name"
    local t0=$SECONDS
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$(db_url "$tmp")" -f "$sql" >/dev/null \
        || die "loading $sql failed"
    psql_server -c "COMMENT ON DATABASE \"$tmp\" IS '$want'"
    # Fresh statistics on the catalogs, as a long-lived database has.
    "$PSQL" -X -q -d "$(db_url "$tmp")" -c "ANALYZE" >/dev/null
    [ "$have" = "-" ] || psql_server -c "DROP DATABASE \"$name\" WITH (FORCE)"
    psql_server -c "ALTER DATABASE \"$tmp\" RENAME TO \"$name\""
    say "loaded $name in $((SECONDS - t0)) s"
}

RESULTS=$OUT/results.tsv
: > "$RESULTS"
printf 'size\ttool\twall_s\tpeak_kib\n' > "$RESULTS"
ENGINE_RESULTS=$OUT/engine.txt
: > "$ENGINE_RESULTS"

for n in "${SIZE_LIST[@]}"; do
    say "=== $n tables: generating and loading ==="
    for v in a b; do
        # shellcheck disable=SC2046 # schemas_arg is empty or two words
        python3 scripts/gen_schema.py "$n" --variant "$v" --seed "$SEED" $(schemas_arg "$n") \
            -o "$OUT/bench_${n}_$v.sql"
    done
    sed -n '2p' "$OUT/bench_${n}_b.sql" | sed 's/^-- /bench.sh: /' >&2
    ensure_db "bench_a_$n" "$OUT/bench_${n}_a.sql"
    ensure_db "bench_b_$n" "$OUT/bench_${n}_b.sql"
    : > "$OUT/diff_$n.txt"
    : > "$OUT/dump_$n.txt"
done

run_diff() {
    measure "$2" "$BIN" -q diff --from "$(db_url "bench_a_$1")" --to "$(db_url "bench_b_$1")" --format "$FORMAT"
}
run_dump() { measure "$2" "$PG_DUMP" --schema-only "--dbname=$(db_url "bench_a_$1")"; }

say "warming up ($WARMUP untimed run(s) of each)"
for n in "${SIZE_LIST[@]}"; do
    for ((i = 0; i < WARMUP; i++)); do
        run_diff "$n" /dev/null
        run_dump "$n" /dev/null
    done
done

# Sizes interleave within each run, so a change in the machine's load during the
# benchmark weighs on every size alike (the scaling ratio stays fair); diff and pg_dump
# alternate which goes first, so neither always runs on the other's warm cache.
for ((r = 1; r <= RUNS; r++)); do
    for n in "${SIZE_LIST[@]}"; do
        if [ $((r % 2)) -eq 1 ]; then
            run_diff "$n" "$OUT/diff_$n.txt"
            run_dump "$n" "$OUT/dump_$n.txt"
        else
            run_dump "$n" "$OUT/dump_$n.txt"
            run_diff "$n" "$OUT/diff_$n.txt"
        fi
        say "run $r/$RUNS, $n tables: diff $(tail -1 "$OUT/diff_$n.txt" | awk '{printf "%.3f s %.1f MiB", $1, $2/1024}'), pg_dump $(tail -1 "$OUT/dump_$n.txt" | awk '{printf "%.3f s %.1f MiB", $1, $2/1024}')"
    done
done
for n in "${SIZE_LIST[@]}"; do
    awk -v n="$n" '{print n "\tdiff\t" $1 "\t" $2}' "$OUT/diff_$n.txt" >> "$RESULTS"
    awk -v n="$n" '{print n "\tpg_dump\t" $1 "\t" $2}' "$OUT/dump_$n.txt" >> "$RESULTS"
done

if [ "$ENGINE" -eq 1 ]; then
    for n in "${SIZE_LIST[@]}"; do
        say "engine benchmark, $n tables (cargo bench --bench engine)"
        cargo bench --quiet --bench engine -- --size "$n" \
            --from "$(db_url "bench_a_$n")" --to "$(db_url "bench_b_$n")" \
            --iterations "$ITERATIONS" --io-runs "$RUNS" --pg-dump "$PG_DUMP" \
            | tee "$OUT/engine_$n.txt" | sed 's/^/    /' >&2
        grep '^engine-result ' "$OUT/engine_$n.txt" >> "$ENGINE_RESULTS" \
            || die "the engine benchmark printed no result"
    done
fi

# --- report ----------------------------------------------------------------------------

report() {
python3 - "$RESULTS" "$ENGINE_RESULTS" "$CHECK" "$FORMAT" <<'EOF'
import statistics, sys

results, engine_file, check, fmt = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
runs = {}
with open(results) as f:
    next(f)
    for line in f:
        size, tool, wall, rss = line.split("\t")
        runs.setdefault((int(size), tool), []).append((float(wall), int(rss)))
engine = {}
with open(engine_file) as f:
    for line in f:
        kv = dict(p.split("=", 1) for p in line.split()[1:])
        engine[int(kv["size"])] = kv

sizes = sorted({s for s, _ in runs})
med = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
peak = {k: max(r for _, r in v) for k, v in runs.items()}
n_runs = {k: len(v) for k, v in runs.items()}

def mib(kib):
    return kib / 1024.0

print()
print(f"schemaplan diff (--format {fmt}) vs pg_dump --schema-only: wall time the median of "
      f"{max(n_runs.values())} runs, peak RSS the largest")
print()
hdr = (f"{'tables':>7} | {'diff s':>8} | {'pg_dump s':>9} | {'time ratio':>10} | {'diff MiB':>8} | "
       f"{'dump MiB':>8} | {'mem ratio':>9} | {'engine ms':>9} | {'introspect s':>12} | {'changes':>7}")
print(hdr)
print("-" * len(hdr))
for s in sizes:
    d, p = med[(s, "diff")], med[(s, "pg_dump")]
    dm, pm = mib(peak[(s, "diff")]), mib(peak[(s, "pg_dump")])
    e = engine.get(s)
    eng = f"{float(e['engine_ms']):9.1f}" if e else f"{'-':>9}"
    intro = f"{float(e['introspect_ms']) / 1000:12.3f}" if e else f"{'-':>12}"
    ch = f"{e['changes']:>7}" if e else f"{'-':>7}"
    print(f"{s:>7} | {d:8.3f} | {p:9.3f} | {d / p:10.3f} | {dm:8.1f} | {pm:8.1f} | {dm / pm:9.3f} | {eng} | {intro} | {ch}")
if engine:
    print()
    print("engine (benches/engine.rs), medians:")
    print(f"{'tables':>7} | {'diff ms':>8} | {'order ms':>8} | {'render ms':>9} | {'to text ms':>10} | {'introspect a s':>14} | {'introspect b s':>14} | {'pg_dump s':>9} | {'1 catalog MiB':>13} | {'2 catalogs MiB':>14} | {'peak MiB':>8} | {'tables a/b':>11}")
    for s in sorted(engine):
        e = engine[s]
        dump = f"{float(e['pg_dump_ms']) / 1000:9.3f}" if e["pg_dump_ms"] != "-" else f"{'-':>9}"
        print(f"{s:>7} | {float(e['diff_ms']):8.2f} | {float(e['order_ms']):8.2f} | {float(e['render_ms']):9.2f} | {float(e['text_ms']):10.2f} | "
              f"{float(e['introspect_ms']) / 1000:14.3f} | {float(e['introspect_b_ms']) / 1000:14.3f} | {dump} | "
              f"{mib(int(e['one_catalog_rss_kb']) - int(e['base_rss_kb'])):13.1f} | {mib(int(e['two_catalogs_rss_kb']) - int(e['base_rss_kb'])):14.1f} | "
              f"{mib(int(e['peak_rss_kb'])):8.1f} | {e['tables_a'] + '/' + e['tables_b']:>11}")
    print("(catalog MiB: resident memory added by holding the catalog(s), engine process)")

# Targets (issue 20), ratios to one pg_dump --schema-only of the same database in the same
# run: at every size diff takes at most half its time and at most its peak memory; from
# 5,000 tables (or the smallest size run) to the largest, diff time grows at most 1.1x
# the size ratio (11x from 5,000 to 50,000); diff + order + render under 200 ms at
# 5,000 tables.
checks = []
def target(name, shown, limit, ok):
    checks.append((name, shown, limit, ok))

for s in sizes:
    d, p = med[(s, "diff")], med[(s, "pg_dump")]
    target(f"diff / pg_dump time at {s} tables", f"{d / p:.3f}x", "<= 0.5x", d / p <= 0.5)
    dm, pm = peak[(s, "diff")], peak[(s, "pg_dump")]
    target(f"diff / pg_dump peak memory at {s} tables", f"{dm / pm:.3f}x", "<= 1.0x", dm <= pm)
base = 5000 if 5000 in sizes else sizes[0]
big = sizes[-1]
if big != base:
    lim = 1.1 * big / base
    r = med[(big, "diff")] / med[(base, "diff")]
    target(f"diff time {big} / {base} tables", f"{r:.2f}x", f"<= {lim:.1f}x", r <= lim)
if 5000 in engine:
    em = float(engine[5000]["engine_ms"])
    target("diff+order+render at 5000 tables", f"{em:.1f} ms", "< 200 ms", em < 200)

print()
print(f"{'target':<44} | {'measured':>10} | {'limit':>9} | result")
for name, shown, limit, ok in checks:
    print(f"{name:<44} | {shown:>10} | {limit:>9} | {'PASS' if ok else 'FAIL'}")
small_tables = [s for s in sorted(engine) if int(engine[s]["tables_a"]) < s // 2]
if small_tables:
    print(f"warning: introspection found far fewer tables than generated at {small_tables}: "
          "is introspection implemented in this build?")
sys.exit(1 if check and not all(ok for *_, ok in checks) else 0)
EOF
}
report | tee "$OUT/report.txt" && status=0 || status=$?

if [ "$CLEAN" -eq 1 ]; then
    for n in "${SIZE_LIST[@]}"; do
        drop_bench_db "bench_a_$n"
        drop_bench_db "bench_b_$n"
    done
fi
say "raw results in target/bench/ (results.tsv, engine_N.txt, report.txt)"
exit "$status"
