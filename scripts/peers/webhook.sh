#!/usr/bin/env bash
# Peer signers for the webhook crate's interop tests (idempotent, quiet): npm `standardwebhooks`
# (the Standard Webhooks reference library: v1 HMAC and v1a Ed25519) and
# `@octokit/webhooks-methods` (GitHub's signing), installed into
# ${TOLLGATE_PEERS_DIR:-$HOME/.cache/tollgate-peers}/webhook/node_modules, where
# crates/webhook/tests/peers.rs looks for them.
set -euo pipefail
dir="${TOLLGATE_PEERS_DIR:-$HOME/.cache/tollgate-peers}/webhook"
if [ ! -d "$dir/node_modules/standardwebhooks" ] || [ ! -d "$dir/node_modules/@octokit/webhooks-methods" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null 2>&1 &&
    npm install --silent --no-audit --no-fund 'standardwebhooks@^1' '@octokit/webhooks-methods@^5' >/dev/null)
fi
