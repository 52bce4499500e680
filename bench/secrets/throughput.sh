#!/usr/bin/env bash
# Throughput of secret scanners on a large real tree: MB per CPU-second, wall time, peak RSS.
#   bench/secrets/throughput.sh [TREE]
# Without TREE it builds bench/work/vendor: `cargo vendor` of this workspace's Cargo.lock
# (a few hundred crates from crates.io; rebuildable on any machine). Peers: gitleaks,
# kingfisher (--no-validate --no-update-check), `rg -c` of one literal (the cost of reading
# the bytes), and detect-secrets (about 0.1 MB/s) on a ~50 MB slice of the tree only, beside
# tollgate on the same slice. Needs a release build of tollgate, GNU time (/usr/bin/time) and
# ripgrep (`apt-get install -y ripgrep`).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TG=${TOLLGATE:-$ROOT/target/release/tollgate}
TG=$(cd "$(dirname "$TG")" && pwd)/$(basename "$TG")
TREE=${1:-$ROOT/bench/work/vendor}
if [ ! -d "$TREE" ]; then
  cargo vendor --locked --versioned-dirs "$TREE" >/dev/null
fi
[ "${NO_PEERS:-}" = 1 ] || bash "$ROOT/bench/secrets/peers.sh"
V=$ROOT/bench/work/venv/bin
BYTES=$(du -sb "$TREE" | cut -f1)
MB=$(python3 -c "print($BYTES/1e6)")
echo "tree: $TREE ($(printf %.0f "$MB") MB, $(find "$TREE" -type f | wc -l) files), $(nproc) cores"
printf "%-12s %8s %8s %10s %10s %8s\n" tool wall_s cpu_s MB/cpu_s MB/wall_s rss_MB
run() {
  local name=$1; shift
  local t; t=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -n 1 "$t"); rm -f "$t"
  python3 - "$name" "$wall" "$user" "$sys" "$rss" "$MB" <<'PY'
import sys
n, wall, user, sys_, rss, mb = sys.argv[1], *map(float, sys.argv[2:])
cpu = user + sys_
print(f"{n:12s} {wall:8.2f} {cpu:8.2f} {mb/cpu if cpu else 0:10.1f} {mb/wall if wall else 0:10.1f} {rss/1024:8.0f}")
PY
}
# Warm the page cache once so every tool reads from memory.
rg -c --no-ignore -uuu zzzzqqqq "$TREE" >/dev/null 2>&1 || true
run tollgate "$TG" scan secrets "$TREE" --no-ignore -q -f json -o /dev/null
run tollgate-1t env RAYON_NUM_THREADS=1 "$TG" scan secrets "$TREE" --no-ignore -q -f json -o /dev/null
command -v rg >/dev/null && run "rg -c" rg -c --no-ignore -uuu AKIA "$TREE"
[ -x "$V/gitleaks" ] && run gitleaks "$V/gitleaks" dir "$TREE" --no-banner --exit-code 0 -f json -r "$ROOT/bench/work/gitleaks-report.json"
[ -x "$V/kingfisher" ] && run kingfisher "$V/kingfisher" scan "$TREE" --no-validate --no-update-check --format json -o "$ROOT/bench/work/kingfisher-report.json"
if [ -x "$V/detect-secrets" ] && [ "${NO_SLICE:-}" != 1 ]; then
  # Crates in name order, each taken if the slice stays within 50 MB.
  SLICE=$ROOT/bench/work/slice50
  if [ ! -f "$SLICE/.done" ]; then
    rm -rf "$SLICE" && mkdir -p "$SLICE"
    acc=0
    for d in $(ls "$TREE"); do
      sz=$(du -sb "$TREE/$d" | cut -f1)
      [ $((acc + sz)) -le 50000000 ] || continue
      cp -r "$TREE/$d" "$SLICE/" && acc=$((acc + sz))
    done
    touch "$SLICE/.done"
  fi
  MB=$(python3 -c "print($(du -sb "$SLICE" | cut -f1)/1e6)")
  echo "slice: $SLICE ($(printf %.0f "$MB") MB, $(find "$SLICE" -type f | wc -l) files)"
  run "tollgate" "$TG" scan secrets "$SLICE" --no-ignore -q -f json -o /dev/null
  run "detect-secrets" "$V/detect-secrets" scan --all-files "$SLICE"
fi
exit 0
