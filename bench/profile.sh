#!/usr/bin/env bash
# Where our durable server spends its time under 64-connection KV load.
#
#   1. strace -c: fsync/fdatasync count during a PUT run (ops per fsync = group-commit size)
#      and that every acknowledged PUT waited for one (fsync count > 0, ops/fsync bounded).
#   2. perf record (flat) on the server during a PUT run and a GET run; prints the top symbols.
#
# Usage: bench/profile.sh   (after a release build; env as in run.sh: CARGO_TARGET_DIR, PROF_IP)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
IP=${PROF_IP:-127.0.0.24} KEYS=${KEYS:-10000} SECS=${SECS:-8} C=${C:-64}
BENCH="$TGT/release/consul-bench" CONSUL="$TGT/release/consul"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/consul-prof.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$PID" ] && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$CONSUL" agent -server -bootstrap-expect 1 -data-dir "$WORK/d" -node n1 -bind "$IP" -client "$IP" \
  >"$WORK/consul.log" 2>&1 & PID=$!
for _ in $(seq 1 600); do curl -sf "http://$IP:8500/v1/status/leader" | grep -q ':' && break; sleep 0.05; done
"$BENCH" populate --target consul --addr "$IP:8500" --keys "$KEYS" -c 16
load() { "$BENCH" load --target consul --addr "$IP:8500" --keys "$KEYS" -c "$C" --op "$1" --warmup 1 --duration "$SECS" --json; }

echo "== fsync accounting (strace -c -f on the server, PUT c=$C; strace slows the server)"
strace -c -f -e trace=fsync,fdatasync,sync_file_range,pwrite64,write,writev -p "$PID" -o "$WORK/strace.txt" &
SPID=$!
sleep 0.5
load put | tee "$WORK/put-strace.json"
kill -INT "$SPID"; wait "$SPID" 2>/dev/null || true
cat "$WORK/strace.txt"

if command -v perf >/dev/null; then
  for op in put get; do
    echo "== perf: $op c=$C"
    perf record -q -F 999 -p "$PID" -o "$WORK/perf-$op.data" -- sleep $((SECS + 1)) 2>/dev/null &
    PPID_=$!
    load "$op"
    wait "$PPID_" || true
    perf report -i "$WORK/perf-$op.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | sed 's/ *-  *- *$//' | head -40 || true
    echo "-- by thread (comm)"
    perf report -i "$WORK/perf-$op.data" --no-children --sort comm --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | sed 's/ *-  *- *$//' | head -10 || true
  done
fi
