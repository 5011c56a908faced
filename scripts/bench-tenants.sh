#!/usr/bin/env bash
# Benchmarks `schemaplan apply --fleet` on tenant schemas: TENANTS schemas of TABLES
# tables each in one database, one revision that adds a column and an index to one
# table of every tenant, applied with --jobs 1, 4 and 8.
#
#   scripts/bench-tenants.sh [--tenants 500] [--tables 20] [--jobs 1,4,8] [--keep]
#
# For each jobs value it makes a database bench_tenants_jJ on the server at
# BENCH_DATABASE_URL holding the empty tenant schemas, brings every tenant to the first
# revision with `apply --fleet` (untimed setup), then times `apply --fleet --jobs J` of
# the second revision: wall time and peak RSS of the schemaplan process (GNU time).
# The project (schema/ and plans/) is written to target/bench/tenants/, planned offline.
# The databases are dropped at the end unless --keep.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
TENANTS=500
TABLES=20
JOBS=1,4,8
KEEP=0
SERVER=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}

while [ $# -gt 0 ]; do
    case "$1" in
        --tenants) TENANTS=${2:?}; shift 2 ;;
        --tables) TABLES=${2:?}; shift 2 ;;
        --jobs) JOBS=${2:?}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-tenants.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

say() { printf 'bench-tenants.sh: %s\n' "$*" >&2; }
command -v /usr/bin/time >/dev/null || { say "needs GNU time (apt-get install time)"; exit 2; }

cargo build --release --quiet --bin schemaplan
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/schemaplan
PROJECT=$ROOT/target/bench/tenants
rm -rf "$PROJECT"
mkdir -p "$PROJECT/schema"
printf 'mode = "offline"\n\n[fleet]\neach_schema = "tenant_*"\ntemplate_schema = "tenant"\n' \
    > "$PROJECT/schemaplan.toml"

# TABLES tables, each after the first with a foreign key to the one before.
schema() {
    for i in $(seq 1 "$TABLES"); do
        printf 'create table tenant.t%02d (\n    id bigserial primary key,\n' "$i"
        if [ "$i" -gt 1 ]; then
            printf '    parent_id bigint references tenant.t%02d (id),\n' "$((i - 1))"
        fi
        printf '    name text not null,\n    created_at timestamptz not null default now()\n);\n'
        printf 'create index t%02d_name on tenant.t%02d (name);\n' "$i" "$i"
    done
}
schema > "$PROJECT/schema/app.sql"
(cd "$PROJECT" && "$BIN" plan --quiet -m "tenant tables" >/dev/null 2>&1)
FIRST=$(ls "$PROJECT/plans" | cut -d_ -f1)
{
    schema
    printf 'alter table tenant.t01 add column email text;\n'
    printf 'create index t01_email on tenant.t01 (email);\n'
} > "$PROJECT/schema/app.sql"
(cd "$PROJECT" && "$BIN" plan --quiet -m "email column" >/dev/null 2>&1)

psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
db_url() { printf '%s' "${SERVER%/*}/$1"; }

printf '%-6s %10s %12s\n' jobs "wall (s)" "peak (MiB)"
IFS=, read -r -a jobs <<< "$JOBS"
for j in "${jobs[@]}"; do
    db=bench_tenants_j$j
    psql_ "$SERVER" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    url=$(db_url "$db")
    seq -f 'CREATE SCHEMA tenant_%04g;' 1 "$TENANTS" | psql_ "$url"
    (cd "$PROJECT" && DATABASE_URL=$url "$BIN" apply --fleet --jobs 8 --to "$FIRST" --quiet >/dev/null)
    out=$( { cd "$PROJECT" && DATABASE_URL=$url /usr/bin/time -f '%e %M' "$BIN" apply --fleet --jobs "$j" --format json >/dev/null; } 2>&1 | tail -1)
    read -r wall kb <<< "$out"
    printf '%-6s %10s %12s\n' "$j" "$wall" "$((kb / 1024))"
    applied=$(psql_ "$url" -At -c "SELECT count(*) FROM schemaplan.tenant_revisions WHERE statements_done IS NULL")
    [ "$applied" -eq $((2 * TENANTS)) ] || { say "expected $((2 * TENANTS)) history rows in $db, found $applied"; exit 1; }
    [ "$KEEP" = 1 ] || psql_ "$SERVER" -c "DROP DATABASE $db"
done
