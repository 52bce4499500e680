#!/usr/bin/env bash
# Peer tool for the KPI page's browser test (crates/kpi/tests/browser.rs): Debian's chromium,
# run headless. Idempotent and quiet; installs only when /usr/bin/chromium is missing.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  else
    echo "note: no apt-get; the KPI browser test will be skipped without /usr/bin/chromium"
  fi
fi
