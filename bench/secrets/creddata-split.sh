#!/usr/bin/env bash
# CredData precision / recall / F1 on a repository-level split of the CredData set in
# ../shared/data/secrets/creddata-dev: each repository (the data/<repo-id>/ folder) goes to
# HELD-OUT when the first 8 hex digits of sha256(<repo-id>) are 0 mod 3, else to DEV
# (deterministic, decided before any tuning: 6 of 18 repositories held out). Rules and filters
# are tuned on DEV only (bench/secrets/creddata_misses.py refuses to list HELD-OUT rows); HELD-OUT
# is scored, never read.
#   bench/secrets/creddata-split.sh            (needs cargo build --release -p tollgate)
#   SCAN=/path/to/scan_dir bench/secrets/creddata-split.sh
#       (the secrets crate alone: cargo build -p tollgate-secrets --example scan_dir;
#        same findings as `tollgate scan secrets data --no-ignore`)
# Reports and the per-split label folders go to bench/work/creddata-split/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DATA=${CREDDATA:-$ROOT/../shared/data/secrets/creddata-dev}
[ -d "$DATA" ] || DATA=/work/shared/data/secrets/creddata-dev
EVAL=${CREDDATA_EVAL:-$DATA/../../../tools/creddata_eval.py}
OUT=$ROOT/bench/work/creddata-split
mkdir -p "$OUT"
REPORT=$OUT/all.json
if [ -n "${SCAN:-}" ]; then
  SCAN=$(cd "$(dirname "$SCAN")" && pwd)/$(basename "$SCAN")
  ( cd "$DATA" && "$SCAN" data > "$REPORT" )
else
  TG=${TOLLGATE:-$ROOT/target/release/tollgate}
  TG=$(cd "$(dirname "$TG")" && pwd)/$(basename "$TG")
  ( cd "$DATA" && "$TG" scan secrets data --no-ignore -q -f json -o "$REPORT" ) || true
fi
python3 - "$DATA" "$OUT" "$REPORT" <<'PY'
import hashlib, json, os, sys
data, out, report = sys.argv[1:]
def split(repo):
    return "heldout" if int(hashlib.sha256(repo.encode()).hexdigest()[:8], 16) % 3 == 0 else "dev"
findings = json.load(open(report))["findings"]
for part in ("dev", "heldout"):
    meta = os.path.join(out, part, "meta")
    os.makedirs(meta, exist_ok=True)
    for f in os.listdir(meta):
        os.remove(os.path.join(meta, f))
    repos = sorted(f[:-4] for f in os.listdir(os.path.join(data, "meta")) if split(f[:-4]) == part)
    for r in repos:
        os.symlink(os.path.join(data, "meta", r + ".csv"), os.path.join(meta, r + ".csv"))
    mine = [f for f in findings if f["location"]["path"].split("/")[1] in repos]
    json.dump({"findings": mine}, open(os.path.join(out, part + ".json"), "w"))
    print(f"{part}: {len(repos)} repositories ({' '.join(repos)}), {len(mine)} findings", file=sys.stderr)
PY
for part in dev heldout; do
  echo "== $part"
  python3 "$EVAL" "$OUT/$part" "tollgate=$OUT/$part.json"
done | tee "$OUT/table.txt"
