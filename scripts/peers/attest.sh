#!/usr/bin/env bash
# Peer tools for the attest crate's interop tests (idempotent, quiet):
# - PyPI securesystemslib[crypto]: verifies our DSSE envelopes;
# - PyPI in-toto-attestation: parses our in-toto Statements;
# - npm @sigstore/verify (+ @sigstore/bundle): verifies our bundles, used as a library.
# npm packages go to ${TOLLGATE_PEERS_DIR:-$HOME/.cache/tollgate-peers}/attest/node_modules,
# where crates/attest/tests/interop.rs looks for them.
set -euo pipefail
if ! python3 -c 'import securesystemslib.signer, cryptography, in_toto_attestation.v1.statement' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check \
    'securesystemslib[crypto]>=1.0,<2' 'in-toto-attestation>=0.9,<1'
fi
dir="${TOLLGATE_PEERS_DIR:-$HOME/.cache/tollgate-peers}/attest"
if [ ! -d "$dir/node_modules/@sigstore/verify" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null 2>&1 &&
    npm install --silent --no-audit --no-fund '@sigstore/verify@^3' '@sigstore/bundle@^4' >/dev/null)
fi
