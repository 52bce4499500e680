#!/usr/bin/env sh
# Gate benchmarks: evaluations/s of the built-in policy (input assembled, one core) and the
# cold start of `tollgate gate` (process start, config, policy compile, evaluation).
# Usage: bench/policy/run.sh   (from the repository root; needs a release build of tollgate)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo bench -q -p tollgate-policy --bench gate
cargo build -q --release -p tollgate
bin="$root/target/release/tollgate"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'artifact' > "$tmp/app.tar"
mkdir "$tmp/evidence"
cat > "$tmp/tollgate.toml" <<'TOML'
[environments.staging]
require = ["scans", "findings"]
[gate]
required-scans = ["secrets"]
TOML
cat > "$tmp/evidence/report.json" <<'JSON'
{"schema":"tollgate.report/v1","tool":{"name":"tollgate","version":"0"},"started":"2026-11-22T00:00:00Z","finished":"2026-11-22T00:00:00Z","roots":["."],"ruleset_digest":"sha256:00","summary":{"findings":0,"by_severity":{},"suppressed":0,"files_scanned":0},"scanners":[{"name":"secrets","version":"1","rules":1,"files":1,"findings":0,"duration_ms":1}],"findings":[]}
JSON
cd "$tmp"
"$bin" gate app.tar --env staging --evidence evidence >/dev/null
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 5 --runs 50 "$bin gate app.tar --env staging --evidence evidence"
else
  n=50
  start=$(date +%s%N)
  i=0
  while [ $i -lt $n ]; do "$bin" gate app.tar --env staging --evidence evidence >/dev/null; i=$((i+1)); done
  end=$(date +%s%N)
  echo "tollgate gate cold start: $(( (end - start) / n / 1000 )) µs mean over $n runs"
fi
