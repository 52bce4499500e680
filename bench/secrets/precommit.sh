#!/usr/bin/env bash
# Pre-commit cost: `tollgate scan secrets --staged -q` in a small repository (50 committed
# files, one staged file holding a token), timed by hyperfine (`apt-get install -y hyperfine`).
#   bench/secrets/precommit.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TG=${TOLLGATE:-$ROOT/target/release/tollgate}
TG=$(cd "$(dirname "$TG")" && pwd)/$(basename "$TG")
R=$ROOT/bench/work/precommit
rm -rf "$R" && mkdir -p "$R" && cd "$R"
git init -q
git config user.email bench@example.com && git config user.name bench
for i in $(seq 1 50); do printf 'x = %d\n' "$i" > "f$i.py"; done
git add . && git commit -qm init
printf 'token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"\nprint(1)\n' > new.py
git add new.py
# -i: the scan exits 1 (it finds the staged token).
hyperfine -N --warmup 3 --runs 30 -i "$TG scan secrets --staged -q"
