#!/usr/bin/env bash
# Peer tools for the ledger crate's interop tests (idempotent, quiet):
# sigstore-protobuf-specs, the Sigstore project's own message types, reads our trusted root.
set -euo pipefail
if ! python3 -c 'import sigstore_protobuf_specs' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'sigstore-protobuf-specs>=0.5,<0.6'
fi
