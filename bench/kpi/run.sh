#!/usr/bin/env bash
# KPI benchmark (issue 19). Usage: bench/kpi/run.sh [N]   (default 1,000,000 events)
# Prints a markdown table; the numbers on record are in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo run --quiet --release -p tollgate-kpi --example kpi_bench -- "${1:-1000000}"
