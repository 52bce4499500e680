#!/usr/bin/env bash
# Peer for the SARIF tests (idempotent, quiet): npm @microsoft/sarif-multitool, the SARIF SDK's
# validator (JSON schema plus the specification's rules, e.g. SARIF1004 on URIs), installed in
# ${TOLLGATE_PEERS_DIR:-$HOME/.cache/tollgate-peers}/sarif/node_modules, where
# crates/tollgate/tests/sarif_peer.rs looks for it. The npm package carries a self-contained
# Linux/macOS/Windows binary; nothing else is downloaded at run time.
set -euo pipefail
dir="${TOLLGATE_PEERS_DIR:-$HOME/.cache/tollgate-peers}/sarif"
if [ ! -x "$dir/node_modules/.bin/sarif-multitool" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null 2>&1 &&
    npm install --silent --no-audit --no-fund '@microsoft/sarif-multitool@^5.7' >/dev/null)
fi
