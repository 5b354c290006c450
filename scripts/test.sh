#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install the external programs the
# tests talk to (the real `serf` agent for gossip interop, `dig` for DNS), then
# run every test in the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v serf >/dev/null 2>&1 || need+=(serf)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

cargo test --workspace "$@"
