#!/usr/bin/env bash
# Re-record tests/consul_fields/<type>.txt from Consul 1.10's own Go types
# (needs Go and a Consul 1.10 source tree with its vendor directory;
# CONSUL_SRC points at it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${CONSUL_SRC:-/opt/consul-ref}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/consul"
chmod -R u+w "$work/consul"
mkdir -p "$work/consul/cmd/fielddump"
cp "$here/fielddump.go" "$work/consul/cmd/fielddump/main.go"
(cd "$work/consul" && go build -mod=vendor -o "$work/fielddump" ./cmd/fielddump)
for t in node node_service service_node health_check check_service_node node_info agent_service intention; do
    "$work/fielddump" "$t" | LC_ALL=C sort > "$here/$t.txt"
done
