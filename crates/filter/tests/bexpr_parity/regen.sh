#!/usr/bin/env bash
# Re-record go-bexpr's answers in ../bexpr_parity.jsonl (needs Go and the
# go-bexpr sources Consul 1.10 vendors; BEXPR_SRC points at them).
# Add cases by appending {"expr": "..."} lines, then run this.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${BEXPR_SRC:-/opt/consul-ref/vendor/github.com/hashicorp/go-bexpr}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bexpr"
cp "$src"/*.go "$work/bexpr/"
cp "$here/main.go" "$work/"
printf 'module bexprparity\n\ngo 1.19\n' > "$work/go.mod"
(cd "$work" && go build -o parity .)
"$work/parity" "$here/../bexpr_parity_doc.json" < "$here/../bexpr_parity.jsonl" > "$work/out.jsonl"
mv "$work/out.jsonl" "$here/../bexpr_parity.jsonl"
