#!/usr/bin/env bash
# Git-history scan cost: builds bench/work/history (the vendor tree committed crate by crate,
# N crates, default 300, then 200 commits editing files), then times tollgate --git and
# gitleaks git on it.   bench/secrets/history.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TG=${TOLLGATE:-$ROOT/target/release/tollgate}
N=${1:-300}
H=$ROOT/bench/work/history
V=$ROOT/bench/work/venv/bin
[ -d "$ROOT/bench/work/vendor" ] || cargo vendor --locked --versioned-dirs "$ROOT/bench/work/vendor" >/dev/null
if [ ! -d "$H/.git" ]; then
  mkdir -p "$H" && cd "$H" && git init -q
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
  for d in $(ls "$ROOT/bench/work/vendor" | head -n "$N"); do
    cp -r "$ROOT/bench/work/vendor/$d" . && git add -A "$d" && git commit -qm "add $d"
  done
  for i in $(seq 1 200); do
    f=$(git ls-files '*.rs' | sed -n "$((i * 37))p"); [ -n "$f" ] || continue
    echo "// edit $i" >> "$f" && git commit -qam "edit $i"
  done
  cd "$ROOT"
fi
echo "history: $(git -C "$H" rev-list --all | wc -l) commits, $(du -sh "$H/.git" | cut -f1) .git"
t() { local f; f=$(mktemp); /usr/bin/time -o "$f" -f "$1: %e s wall, %U+%S s cpu, %M KB rss" "${@:2}" >/dev/null 2>&1 || true; tail -n 1 "$f"; rm -f "$f"; }
t "tollgate --git" "$TG" scan secrets --git -q -f json -o /dev/null "$H"
[ -x "$V/gitleaks" ] && t "gitleaks git" "$V/gitleaks" git "$H" --no-banner --exit-code 0 -f json -r "$ROOT/bench/work/gitleaks-report.json"
[ -x "$V/kingfisher" ] && t "kingfisher (tree+git)" "$V/kingfisher" scan "$H" --no-validate --no-update-check --format json -o "$ROOT/bench/work/kingfisher-report.json"
exit 0
