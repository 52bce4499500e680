#!/usr/bin/env bash
# Peer verifiers for the credential crate (idempotent, quiet): PyPI PyJWT with `cryptography`
# verifies the ES256 credentials tollgate mints against the JWKS it publishes
# (crates/credential/tests/peers.rs).
set -euo pipefail
if ! python3 -c 'import jwt, cryptography' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'pyjwt[crypto]>=2.8,<3'
fi
