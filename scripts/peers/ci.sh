#!/usr/bin/env sh
# Installs the peer tool used by the ci scanner's parity and speed benchmarks: zizmor (PyPI).
# Idempotent and quiet. Pinned to the version the reference reports were made with.
set -eu
VERSION=1.32.0
if command -v zizmor >/dev/null 2>&1 && zizmor --version 2>/dev/null | grep -q "$VERSION"; then
  exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "zizmor==$VERSION"
