#!/usr/bin/env bash
# Lock hand-off side by side (issue 12): N contenders take turns on one lock, our durable
# single server (session + `?acquire=`/`?release=`, waiters on blocking GETs) vs etcd 3.4 on
# disk (its v3 lock service, `POST /v3/lock/lock` / `unlock` through the JSON gateway),
# interleaved rounds. Prints the JSON lines and a small table; does not edit BENCHMARKS.md.
#
# Usage: bench/lock.sh [-r ROUNDS] [-d SECONDS] [-w WARMUP] [-n "16"]
# Env:   CARGO_TARGET_DIR, CONSUL_IP/ETCD_IP (default 127.0.0.26/27),
#        SKIP_BUILD=1 to reuse the built release binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3 DURATION=10 WARMUP=2 CONTENDERS="16"
while getopts "r:d:w:n:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;; d) DURATION=$OPTARG ;; w) WARMUP=$OPTARG ;; n) CONTENDERS=$OPTARG ;;
    *) sed -n '2,8p' "$0"; exit 2 ;;
  esac
done
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
CONSUL_IP=${CONSUL_IP:-127.0.0.26} ETCD_IP=${ETCD_IP:-127.0.0.27}
BENCH="$TGT/release/consul-bench" CONSUL="$TGT/release/consul"
log() { printf '[lock.sh %s] %s\n' "$(date +%T)" "$*" >&2; }

if ! command -v etcd >/dev/null; then
  log "installing etcd-server etcd-client"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq etcd-server etcd-client >/dev/null
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && CARGO_TARGET_DIR="$TGT" cargo build --release -p consul-bench -p consul)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/consul-lock-bench.XXXXXX")
CPID="" EPID=""
cleanup() {
  for p in $CPID $EPID; do kill "$p" 2>/dev/null || true; done
  for p in $CPID $EPID; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$CONSUL" agent -server -bootstrap-expect 1 -data-dir "$WORK/consul" -node n1 \
  -bind "$CONSUL_IP" -client "$CONSUL_IP" >"$WORK/consul.log" 2>&1 & CPID=$!
etcd --name e1 --data-dir "$WORK/etcd" --listen-client-urls "http://$ETCD_IP:2379" \
  --advertise-client-urls "http://$ETCD_IP:2379" --listen-peer-urls "http://$ETCD_IP:2380" \
  --initial-advertise-peer-urls "http://$ETCD_IP:2380" --initial-cluster "e1=http://$ETCD_IP:2380" \
  --log-level warn >"$WORK/etcd.log" 2>&1 & EPID=$!

wait_until() {
  local desc=$1; shift
  for _ in $(seq 1 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  log "timed out waiting for $desc"; tail -20 "$WORK"/*.log >&2; exit 1
}
consul_leader() { curl -sf "http://$CONSUL_IP:8500/v1/status/leader" | grep -q ':'; }
etcd_healthy() { curl -sf "http://$ETCD_IP:2379/health" | grep -q '"true"'; }
wait_until "consul leader" consul_leader
wait_until "etcd health" etcd_healthy

RESULTS="$WORK/results.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  for n in $CONTENDERS; do
    for t in consul etcd; do
      addr="$CONSUL_IP:8500"; [ "$t" = etcd ] && addr="$ETCD_IP:2379"
      log "round $round: $t lock n=$n"
      "$BENCH" lock --target "$t" --addr "$addr" -n "$n" --key "bench/lock-$round" \
        --warmup "$WARMUP" --duration "$DURATION" --json | tee -a "$RESULTS"
    done
  done
done

python3 - "$RESULTS" <<'PY'
import json, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[(r["target"], r["contenders"])].append(r)
print("| target | contenders | hand-offs/s (mean of rounds) | p50 µs | p99 µs | max µs | errors |")
print("|---|---|---|---|---|---|---|")
for (t, n), rs in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    m = lambda k: sum(r[k] for r in rs) / len(rs)
    print(f"| {t} | {n} | {m('handoffs_per_s'):.0f} | {m('p50_us'):.0f} | {m('p99_us'):.0f} | {max(r['max_us'] for r in rs):.0f} | {sum(r['errors'] for r in rs)} |")
PY
echo "Machine: $(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
