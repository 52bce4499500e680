#!/usr/bin/env bash
# Git-history scan cost: builds a repository with thousands of commits (N crates of the
# benchmark tree committed one by one, then E commits each editing a file), then times
# tollgate --git, gitleaks git and kingfisher on it: wall, CPU and peak RSS.
#   bench/secrets/history.sh [N] [E]        (defaults: 1000 crates, 1000 edits)
# The source tree is bench/work/big (bench/secrets/bigtree.sh) when it exists, else
# bench/work/vendor (`cargo vendor` of this workspace). The repository goes to
# bench/work/history-N-E and is reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TG=${TOLLGATE:-$ROOT/target/release/tollgate}
TG=$(cd "$(dirname "$TG")" && pwd)/$(basename "$TG")
N=${1:-1000}
E=${2:-1000}
SRC=$ROOT/bench/work/big
if [ ! -d "$SRC" ]; then
  SRC=$ROOT/bench/work/vendor
  [ -d "$SRC" ] || cargo vendor --locked --versioned-dirs "$SRC" >/dev/null
fi
H=$ROOT/bench/work/history-$N-$E
V=$ROOT/bench/work/venv/bin
[ "${NO_PEERS:-}" = 1 ] || bash "$ROOT/bench/secrets/peers.sh"
if [ ! -f "$H/.done" ]; then
  rm -rf "$H" && mkdir -p "$H" && cd "$H" && git init -q
  export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
  echo "building $H: $N crate commits from $SRC, then $E edit commits" >&2
  for d in $(ls "$SRC" | head -n "$N"); do
    cp -r "$SRC/$d" . && git add -A "$d" && git commit -qm "add $d"
  done
  # Edit commits: append a line to a .rs file, spread over the tree (deterministic).
  git ls-files '*.rs' > ../rs-files.txt
  total=$(wc -l < ../rs-files.txt)
  for i in $(seq 1 "$E"); do
    f=$(sed -n "$(( (i * 7919) % total + 1 ))p" ../rs-files.txt)
    echo "// edit $i" >> "$f" && git commit -qm "edit $i" -- "$f"
  done
  git gc -q
  touch .done
  cd "$ROOT"
fi
commits=$(git -C "$H" rev-list --all | wc -l)
echo "history: $H: $commits commits, $(du -sh "$H/.git" | cut -f1) .git, $(nproc) cores"
printf "%-24s %8s %8s %8s\n" tool wall_s cpu_s rss_MB
t() {
  local name=$1; shift
  local f; f=$(mktemp)
  /usr/bin/time -o "$f" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
  read -r wall user sys rss < <(tail -n 1 "$f"); rm -f "$f"
  python3 -c "import sys; n,w,u,s,r=sys.argv[1:]; print(f'{n:24s} {float(w):8.2f} {float(u)+float(s):8.2f} {int(r)/1024:8.0f}')" "$name" "$wall" "$user" "$sys" "$rss"
}
t "tollgate --git" "$TG" scan secrets --git -q -f json -o /dev/null "$H"
t "tollgate --git (1 thread)" env RAYON_NUM_THREADS=1 "$TG" scan secrets --git -q -f json -o /dev/null "$H"
[ -x "$V/gitleaks" ] && t "gitleaks git" "$V/gitleaks" git "$H" --no-banner --exit-code 0 -f json -r "$ROOT/bench/work/gitleaks-history.json"
[ -x "$V/kingfisher" ] && t "kingfisher (tree+git)" "$V/kingfisher" scan "$H" --no-validate --no-update-check --format json -o "$ROOT/bench/work/kingfisher-history.json"
exit 0
