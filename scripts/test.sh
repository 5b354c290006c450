#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install the external programs the
# tests talk to (the real `serf` agent for gossip interop, `dig` for DNS,
# Prometheus for the metrics endpoint, and
# Chromium, Node.js and playwright-core for the web UI's browser tests), then
# run every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v serf >/dev/null 2>&1 || need+=(serf)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

# The browser tests' one npm package, pinned by tests/ui/package-lock.json.
if [ ! -d tests/ui/node_modules/playwright-core ]; then
  echo "installing: playwright-core (tests/ui)"
  (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error)
fi

cargo test --workspace "$@"
