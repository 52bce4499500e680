#!/usr/bin/env bash
# Precision / recall / F1 on the CredData dev split, for tollgate, gitleaks and detect-secrets.
#   bench/secrets/creddata.sh [--no-peers]
# Needs a release build (cargo build --release -p tollgate). Reports go to bench/work/creddata/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DATA=${CREDDATA:-$ROOT/../shared/data/secrets/creddata-dev}
[ -d "$DATA" ] || DATA=/work/shared/data/secrets/creddata-dev
EVAL=${CREDDATA_EVAL:-$DATA/../../../tools/creddata_eval.py}
OUT=$ROOT/bench/work/creddata
TG=${TOLLGATE:-$ROOT/target/release/tollgate}
# The scans run from the data folder: make a relative TOLLGATE absolute first.
TG=$(cd "$(dirname "$TG")" && pwd)/$(basename "$TG")
mkdir -p "$OUT"
args=()

( cd "$DATA" && "$TG" scan secrets data --no-ignore -q -f json -o "$OUT/tollgate.json" ) || true
args+=("tollgate=$OUT/tollgate.json")

if [ "${1:-}" != "--no-peers" ]; then
  bash "$ROOT/bench/secrets/peers.sh"
  V=$ROOT/bench/work/venv/bin
  if [ -x "$V/gitleaks" ]; then
    ( cd "$DATA" && "$V/gitleaks" dir data --no-banner --exit-code 0 -f json -r "$OUT/gitleaks.json" >/dev/null 2>&1 ) || true
    [ -s "$OUT/gitleaks.json" ] && args+=("gitleaks=$OUT/gitleaks.json")
  fi
  if [ -x "$V/detect-secrets" ]; then
    ( cd "$DATA" && "$V/detect-secrets" scan --all-files data > "$OUT/detect-secrets.json" 2>/dev/null ) || true
    [ -s "$OUT/detect-secrets.json" ] && args+=("detect-secrets=$OUT/detect-secrets.json")
  fi
fi
python3 "$EVAL" "$DATA" "${args[@]}" | tee "$OUT/table.txt"
