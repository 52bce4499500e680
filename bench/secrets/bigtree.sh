#!/usr/bin/env bash
# Builds the issue's ~0.9 GiB benchmark tree: every crates.io package pinned in a Cargo.lock,
# unpacked as `cargo vendor --versioned-dirs` lays it out (<name>-<version>/), each .crate
# checked against the lockfile's sha256. `cargo vendor` itself cannot be used on a lockfile
# without its workspace's sources, so this fetches the same files from static.crates.io.
#   [DEST=dir] bench/secrets/bigtree.sh [LOCKFILE...]
# Default: the union of ../shared/data/deps/uv/Cargo.lock (uv 26a9dd4) and
# ../shared/data/deps/rust-analyzer/Cargo.lock (rust-analyzer d2e55da) and this workspace's
# Cargo.lock into bench/work/big
# (about 0.9 GiB). Then: bench/secrets/throughput.sh bench/work/big
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SHARED=$ROOT/../shared
[ -d "$SHARED/data/deps" ] || SHARED=/work/shared
if [ $# -eq 0 ]; then
  set -- "$SHARED/data/deps/uv/Cargo.lock" "$SHARED/data/deps/rust-analyzer/Cargo.lock" "$ROOT/Cargo.lock"
fi
DEST=${DEST:-$ROOT/bench/work/big}
CACHE=$ROOT/bench/work/crate-cache
mkdir -p "$DEST" "$CACHE"
python3 - "$@" > "$CACHE/list.txt" <<'PY'
import sys, tomllib
seen = set()
for path in sys.argv[1:]:
    lock = tomllib.load(open(path, "rb"))
    for p in lock.get("package", []):
        key = (p["name"], p["version"])
        if p.get("source", "").startswith("registry+") and "checksum" in p and key not in seen:
            seen.add(key)
            print(p["name"], p["version"], p["checksum"])
PY
fetch() {
  local name=$1 ver=$2 sum=$3 dest=$4 cache=$5
  local dir="$dest/$name-$ver" f="$cache/$name-$ver.crate"
  [ -d "$dir" ] && return 0
  if [ ! -s "$f" ] || ! echo "$sum  $f" | sha256sum -c --quiet - 2>/dev/null; then
    curl -fsSL --retry 3 -o "$f" "https://static.crates.io/crates/$name/$name-$ver.crate"
  fi
  echo "$sum  $f" | sha256sum -c --quiet - || { echo "checksum mismatch: $name $ver" >&2; return 1; }
  tar -xzf "$f" -C "$dest"
}
export -f fetch
xargs -P 4 -L 1 bash -c 'fetch "$0" "$1" "$2" "$3" "$4"' < <(sed "s|\$| $DEST $CACHE|" "$CACHE/list.txt")
echo "$DEST: $(du -sb "$DEST" | cut -f1) bytes, $(find "$DEST" -type f | wc -l) files, $(wc -l < "$CACHE/list.txt") crates"
