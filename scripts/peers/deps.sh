#!/usr/bin/env bash
# Peers for the deps crate's tests: the official SBOM validators from PyPI, in a venv at
# .peers/deps (idempotent, quiet). Tests find it there (or TOLLGATE_PEERS_PYTHON).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.peers/deps"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import cyclonedx.validation.json, spdx_tools' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'cyclonedx-python-lib[json-validation]>=8,<12' 'spdx-tools>=0.8,<0.9'
fi
