#!/usr/bin/env bash
# Third-party noise check: secret findings on a fresh `npm install` of 16 popular packages
# (typescript, @angular/compiler, @angular/core, firebase, aws-sdk, react, react-dom, next,
# webpack, eslint, lodash, moment, @babel/core, jest, express, @mui/material), pinned by
# bench/secrets/npm-tree/package-lock.json (`npm ci --ignore-scripts`: about 0.9 GiB,
# 52,700 files). None of it is a credential of ours; every finding is noise or an example
# key, so the finding count is the false-positive count a user would read.
#   bench/secrets/npmtree.sh [DEST]          (default DEST=/tmp/npm-tree)
#   SCAN=/path/to/scan_dir bench/secrets/npmtree.sh   (the secrets crate alone, see creddata-split.sh)
# Prints findings per rule and per confidence, and 30 findings sampled deterministically
# (sorted by fingerprint) with their redacted evidence for classification by hand. Kingfisher
# and gitleaks run only when they are on PATH or in bench/work/venv (bench/secrets/peers.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DEST=${1:-/tmp/npm-tree}
OUT=$ROOT/bench/work/npmtree
mkdir -p "$DEST" "$OUT"
if [ ! -d "$DEST/node_modules" ]; then
  cp bench/secrets/npm-tree/package.json bench/secrets/npm-tree/package-lock.json "$DEST/"
  ( cd "$DEST" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error )
fi
echo "tree: $DEST/node_modules ($(du -sm "$DEST/node_modules" | cut -f1) MB, $(find "$DEST/node_modules" -type f | wc -l) files)"
if [ -n "${SCAN:-}" ]; then
  "$SCAN" "$DEST/node_modules" > "$OUT/tollgate.json"
else
  TG=${TOLLGATE:-$ROOT/target/release/tollgate}
  "$TG" scan secrets "$DEST/node_modules" --no-ignore -q -f json -o "$OUT/tollgate.json" || true
fi
python3 - "$OUT/tollgate.json" <<'PY'
import collections, json, sys
fs = json.load(open(sys.argv[1]))["findings"]
rid = lambda f: f.get("rule_id") or f.get("rule")
print(f"tollgate findings: {len(fs)}")
print("by confidence:", dict(collections.Counter(f.get("confidence") for f in fs)))
print("by severity:", dict(collections.Counter(f.get("severity") for f in fs)))
for r, n in collections.Counter(rid(f) for f in fs).most_common():
    print(f"  {n:5d} {r}")
print("sample (30, by fingerprint):")
for f in sorted(fs, key=lambda f: str(f.get("fingerprint")))[:30]:
    loc = f["location"]; ev = (f.get("evidence") or {})
    print(f"  {rid(f)} {f.get('confidence')} {loc['path'].split('node_modules/')[-1]}:{loc['line']}: {str(ev.get('snippet') or ev.get('redacted'))[:160]}")
PY
V=$ROOT/bench/work/venv/bin
KF=$(command -v kingfisher || true); [ -z "$KF" ] && [ -x "$V/kingfisher" ] && KF=$V/kingfisher
GL=$(command -v gitleaks || true); [ -z "$GL" ] && [ -x "$V/gitleaks" ] && GL=$V/gitleaks
if [ -n "$KF" ]; then
  "$KF" scan "$DEST/node_modules" --no-validate --no-update-check --format json -o "$OUT/kingfisher.json" >/dev/null 2>&1 || true
  python3 -c "import json,sys; print('kingfisher findings:', len(json.load(open(sys.argv[1]))['findings']))" "$OUT/kingfisher.json" || true
fi
if [ -n "$GL" ]; then
  "$GL" dir "$DEST/node_modules" --no-banner --exit-code 0 -f json -r "$OUT/gitleaks.json" >/dev/null 2>&1 || true
  python3 -c "import json,sys; print('gitleaks findings:', len(json.load(open(sys.argv[1])) or []))" "$OUT/gitleaks.json" || true
fi
