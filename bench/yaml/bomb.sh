#!/bin/sh
# Issue 22: the ten-level nested-anchor YAML bomb (`a0: &a0 [lol ×9]`, `a1: &a1 [*a0 ×9]`, …)
# as pnpm-lock.yaml and as a workflow, through `tollgate scan deps`, `check` and `sbom`: wall
# time, peak RSS and the diagnostic. Usage: bench/yaml/bomb.sh [TOLLGATE_BINARY]
# (default target/release/tollgate; build it with `cargo build --release -p tollgate`).
set -eu
bin=${1:-target/release/tollgate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import os, sys
w = sys.argv[1]
lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
for i in range(1, 10):
    lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]")
bomb = "\n".join(lines) + "\n"
os.makedirs(f"{w}/bomb/.github/workflows")
open(f"{w}/bomb/pnpm-lock.yaml", "w").write("lockfileVersion: '9.0'\n" + bomb)
open(f"{w}/bomb/.github/workflows/x.yml", "w").write("on: push\n" + bomb)
os.makedirs(f"{w}/empty")
open(f"{w}/empty/a.txt", "w").write("x\n")
PY
for run in "scan deps empty" "scan deps bomb" "check bomb" "sbom bomb"; do
  set -- $run
  dir=$work/${run##* }
  cmd=${run% *}
  for i in 1 2 3; do
    /usr/bin/time -f "$cmd ${run##* }: %e s wall, %U s user, %M KB peak RSS, exit %x" \
      "$bin" $cmd "$dir" >/dev/null 2>"$work/err" || true
    tail -1 "$work/err"
  done
  grep -h "alias expansion" "$work/err" | sed "s|$work/||" | head -2 || true
done
