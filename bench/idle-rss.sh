#!/usr/bin/env bash
# Idle memory of an agent: `agent -dev` and a durable single server (-bootstrap-expect 1),
# each started fresh, given a leader, then left idle for IDLE seconds. Prints VmRSS, VmHWM,
# the anonymous / file-backed split (/proc/<pid>/smaps_rollup), thread count, and the largest
# mappings, so it shows what holds the memory.
#
# Usage: bench/idle-rss.sh            (uses target/release/consul; builds it unless SKIP_BUILD=1)
# Env:   IDLE (seconds, default 10), IP (loopback address, default 127.0.0.31),
#        REF_CONSUL (optional path to another consul binary measured the same way, side by side)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
IDLE=${IDLE:-10} IP=${IP:-127.0.0.31}
[ "${SKIP_BUILD:-0}" = 1 ] || cargo build --release -q -p consul --manifest-path "$ROOT/Cargo.toml"
OURS="$TGT/release/consul"

measure() { # name binary args...
  local name=$1 bin=$2; shift 2
  local dir; dir=$(mktemp -d)
  "$bin" agent "$@" -bind "$IP" -client "$IP" -node rss -log-level warn >"$dir/log" 2>&1 &
  local pid=$!
  trap 'kill -9 $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 300); do
    if curl -sf "http://$IP:8500/v1/status/leader" 2>/dev/null | grep -q 8300; then break; fi
    sleep 0.1
  done
  sleep "$IDLE"
  local rss hwm thr anon file
  rss=$(awk '/^VmRSS/{print $2}' /proc/$pid/status)
  hwm=$(awk '/^VmHWM/{print $2}' /proc/$pid/status)
  thr=$(awk '/^Threads/{print $2}' /proc/$pid/status)
  anon=$(awk '/^Anonymous:/{print $2}' /proc/$pid/smaps_rollup)
  file=$((rss - anon))
  printf '| %s | %d | %d | %d | %d | %d |\n' "$name" $((rss / 1024)) $((hwm / 1024)) \
    $((anon / 1024)) $((file / 1024)) "$thr"
  # The largest mappings by resident size, for the "what holds it" column.
  awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; if(name=="")name="[anon]"} /^Rss:/{r[name]+=$2}
       END{for(n in r) if(r[n]>=512) printf "    %6d kB  %s\n", r[n], n}' /proc/$pid/smaps | sort -rn | head -6 >&2
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  rm -rf "$dir"
}

echo "| agent | VmRSS MB | VmHWM MB | anonymous MB | file-backed MB | threads |"
echo "|---|---|---|---|---|---|"
measure "ours -dev" "$OURS" -dev
d=$(mktemp -d); measure "ours durable server" "$OURS" -server -bootstrap-expect 1 -data-dir "$d"; rm -rf "$d"
if [ -n "${REF_CONSUL:-}" ]; then
  measure "reference -dev" "$REF_CONSUL" -dev
  d=$(mktemp -d); measure "reference durable server" "$REF_CONSUL" -server -bootstrap-expect 1 -data-dir "$d"; rm -rf "$d"
fi
