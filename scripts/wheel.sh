#!/usr/bin/env bash
# Builds the `schemaplan` wheel for this machine's platform with maturin
# (`bindings = "bin"` in pyproject.toml: the wheel holds the binary, no Python code).
#
#   scripts/wheel.sh [--dev] [--out DIR]
#
# maturin comes from PyPI into target/maturin-venv (made on first use). The wheel is
# tagged manylinux: maturin reads the glibc symbol versions the binary links against
# and picks the oldest manylinux policy they allow (the binary links only glibc and
# libgcc: TLS is rustls, the parser is compiled in), so it installs on any Linux with
# that glibc or newer. --dev builds the unoptimized binary (what the tests use: it
# reuses their build); the default is a release build. Prints the wheel's path.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PROFILE=(--release)
OUT=$ROOT/target/wheels
while [ $# -gt 0 ]; do
    case "$1" in
        --dev) PROFILE=(--profile dev); shift ;;
        --out) OUT=${2:?--out needs a directory}; shift 2 ;;
        -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "wheel.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

VENV=$ROOT/target/maturin-venv
if [ ! -x "$VENV/bin/maturin" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.7,<2'
fi
rm -rf "$OUT"
mkdir -p "$OUT"
"$VENV/bin/maturin" build "${PROFILE[@]}" --locked --out "$OUT" --quiet >&2
ls "$OUT"/schemaplan-*.whl
