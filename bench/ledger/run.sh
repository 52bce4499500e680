#!/usr/bin/env bash
# Benchmark of the transparency log (issue 7). Usage: bench/ledger/run.sh [N] [BATCH]
# Prints a markdown table; the numbers on record are in bench/ledger/README.md.
# The database goes in the current folder (the disk being measured), and is removed after.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --quiet --release -p tollgate-ledger --example ledger_bench -- "${1:-1000000}" "${2:-10000}" .
