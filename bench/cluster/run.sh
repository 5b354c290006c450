#!/usr/bin/env bash
# Cluster benchmark (issue "cluster"): KV PUT/GET throughput at C connections on a 3-server
# cluster of ours -- (a) sent to the leader's HTTP, (b) sent through a client agent -- against
# a 3-member etcd 3.4 cluster, interleaved in one run; then leader-kill failover time through
# the client agent (`consul-bench failover`) at raft_multiplier 1 and at the default 5.
# Writes the generated part of BENCHMARKS.md between the cluster-results markers (appended at
# the end of the file the first time; the rest of the file is kept).
#
# Usage: bench/cluster/run.sh [-r ROUNDS] [-d SECONDS] [-w WARMUP] [-c "64"] [-k KILLS] [-o BENCHMARKS.md]
# Env:   CARGO_TARGET_DIR (default <repo>/target), SKIP_BUILD=1 to reuse the built binaries,
#        KEYS (keyspace, default 10000), SKIP_LOAD=1 / SKIP_FAILOVER=1 to run one half only
#        (the other half's table is then left out), BENCH_COMMIT (commit the binaries were built from).
# Addresses: 127.0.0.41-43 our servers, .44 our client agent, .45-47 etcd (loopback only).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=2 DURATION=10 WARMUP=2 CONNS="64" KILLS=10 OUT="$ROOT/BENCHMARKS.md"
while getopts "r:d:w:c:k:o:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;; d) DURATION=$OPTARG ;; w) WARMUP=$OPTARG ;;
    c) CONNS=$OPTARG ;; k) KILLS=$OPTARG ;; o) OUT=$OPTARG ;; *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
KEYS=${KEYS:-10000}
BENCH="$TGT/release/consul-bench" CONSUL="$TGT/release/consul"
S_IPS=(127.0.0.41 127.0.0.42 127.0.0.43) C_IP=127.0.0.44 E_IPS=(127.0.0.45 127.0.0.46 127.0.0.47)
HCL='performance { raft_multiplier = 1 }'

log() { printf '[cluster/run.sh %s] %s\n' "$(date +%T)" "$*" >&2; }

# --- etcd from Debian ---------------------------------------------------------------------
if ! command -v etcd >/dev/null; then
  log "installing etcd-server etcd-client"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq etcd-server etcd-client >/dev/null
fi
command -v jq >/dev/null || { log "jq is needed (apt-get install jq)"; exit 1; }

# --- build --------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building release binaries into $TGT"
  (cd "$ROOT" && CARGO_TARGET_DIR="$TGT" cargo build --release -p consul-bench -p consul)
fi

for ip in "${S_IPS[@]}" "$C_IP" "${E_IPS[@]}"; do
  if ss -Hltn "src $ip" 2>/dev/null | grep -q .; then log "$ip is in use; stop what listens there"; exit 1; fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/consul-cluster-bench.XXXXXX")   # all data dirs on one disk
PIDS="" FPID=""
kill_pids() { # kill_pids PID... : SIGTERM by PID, then wait
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do wait "$p" 2>/dev/null || true; done
}
cleanup() {
  [ -n "$FPID" ] && kill_pids "$FPID"
  # Agents started by `consul-bench failover` (it kills them itself unless it was killed).
  if [ -f "$WORK/failover.pids" ]; then
    for p in $(awk '{print $2}' "$WORK/failover.pids"); do kill -9 "$p" 2>/dev/null || true; done
  fi
  kill_pids $PIDS
  rm -rf "$WORK"
}
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- load: our 3 servers + client agent, 3-member etcd --------------------------------------
RESULTS="$WORK/results.jsonl" CMDS="$WORK/commands.txt"
: >"$RESULTS"; : >"$CMDS"
if [ "${SKIP_LOAD:-0}" != 1 ]; then
  for i in 0 1 2; do
    n=$((i + 1)) ip=${S_IPS[$i]}
    cmd=("$CONSUL" agent -server -bootstrap-expect 3 -data-dir "$WORK/s$n" -node "s$n" -bind "$ip" -client "$ip"
         -retry-join "${S_IPS[0]}" -retry-interval 1s -hcl "$HCL")
    printf '%q ' "${cmd[@]}" >>"$CMDS"; echo >>"$CMDS"
    "${cmd[@]}" >"$WORK/s$n.log" 2>&1 & PIDS="$PIDS $!"
  done
  cmd=("$CONSUL" agent -data-dir "$WORK/c1" -node c1 -bind "$C_IP" -client "$C_IP" -retry-join "${S_IPS[0]}" -retry-interval 1s)
  printf '%q ' "${cmd[@]}" >>"$CMDS"; echo >>"$CMDS"
  "${cmd[@]}" >"$WORK/c1.log" 2>&1 & PIDS="$PIDS $!"

  ICLUSTER="e1=http://${E_IPS[0]}:2380,e2=http://${E_IPS[1]}:2380,e3=http://${E_IPS[2]}:2380"
  for i in 0 1 2; do
    n=$((i + 1)) ip=${E_IPS[$i]}
    cmd=(etcd --name "e$n" --data-dir "$WORK/e$n" --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379"
         --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380"
         --initial-cluster "$ICLUSTER" --initial-cluster-state new --initial-cluster-token consul-bench --log-level warn)
    printf '%q ' "${cmd[@]}" >>"$CMDS"; echo >>"$CMDS"
    "${cmd[@]}" >"$WORK/e$n.log" 2>&1 & PIDS="$PIDS $!"
  done

  wait_until() { # wait_until DESC CMD...
    local desc=$1; shift
    for _ in $(seq 1 1200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    log "timed out waiting for $desc"; tail -20 "$WORK"/*.log >&2; exit 1
  }
  leader_at() { curl -sf -m 1 "http://$1:8500/v1/status/leader" | tr -d '"'; }
  consul_formed() {
    local l; l=$(leader_at "$C_IP"); [ -n "$l" ] || return 1
    for ip in "${S_IPS[@]}"; do
      [ "$(leader_at "$ip")" = "$l" ] || return 1
      [ "$(curl -sf -m 1 "http://$ip:8500/v1/status/peers" | jq length)" = 3 ] || return 1
    done
    curl -sf -m 1 -X PUT -d x "http://$C_IP:8500/v1/kv/bench/ready" | grep -q true
  }
  ETCD_EPS="http://${E_IPS[0]}:2379,http://${E_IPS[1]}:2379,http://${E_IPS[2]}:2379"
  etcd_leader() { # client URL of the etcd leader
    ETCDCTL_API=3 etcdctl --endpoints="$ETCD_EPS" endpoint status -w json 2>/dev/null |
      jq -r '.[] | select(.Status.leader == .Status.header.member_id) | .Endpoint' | sed 's#^http://##'
  }
  etcd_formed() {
    for ip in "${E_IPS[@]}"; do curl -sf -m 1 "http://$ip:2379/health" | grep -q '"true"' || return 1; done
    [ -n "$(etcd_leader)" ]
  }
  wait_until "our cluster" consul_formed
  wait_until "etcd cluster" etcd_formed
  OUR_LEADER=$(leader_at "$C_IP") OUR_LEADER_HTTP="${OUR_LEADER%:*}:8500"
  ETCD_LEADER=$(etcd_leader)
  log "our leader $OUR_LEADER, etcd leader $ETCD_LEADER"

  log "populating $KEYS keys on both"
  "$BENCH" populate --target consul --addr "$OUR_LEADER_HTTP" --keys "$KEYS" -c 16
  "$BENCH" populate --target etcd --addr "$ETCD_LEADER" --keys "$KEYS" -c 16

  run_load() { # run_load LABEL OP CONNS
    local target=consul addr=$OUR_LEADER_HTTP
    case $1 in client) addr="$C_IP:8500" ;; etcd) target=etcd addr=$ETCD_LEADER ;; esac
    "$BENCH" load --target "$target" --addr "$addr" --keys "$KEYS" -c "$3" --op "$2" \
      --warmup "$WARMUP" --duration "$DURATION" --json |
      jq -c --arg l "$1" --arg a "$addr" '. + {label: $l, addr: $a}' | tee -a "$RESULTS" >&2
  }
  for round in $(seq 1 "$ROUNDS"); do
    for c in $CONNS; do
      for op in put get; do
        for t in leader client etcd; do
          log "round $round: $t $op c=$c"
          run_load "$t" "$op" "$c"
        done
      done
    done
  done
  OUR_LEADER_END=$(leader_at "$C_IP") ETCD_LEADER_END=$(etcd_leader)
  kill_pids $PIDS; PIDS=""
fi
LOAD_MID=$(cut -d' ' -f1-3 /proc/loadavg)

# --- failover -----------------------------------------------------------------------------
FO="$WORK/failover.jsonl"
: >"$FO"
if [ "${SKIP_FAILOVER:-0}" != 1 ]; then
  for m in 1 default; do
    mflag=(); [ "$m" = default ] || mflag=(--raft-multiplier "$m")
    log "failover, raft_multiplier $m, $KILLS kills"
    "$BENCH" failover --bin "$CONSUL" --servers "$(IFS=,; echo "${S_IPS[*]}")" --client "$C_IP" \
      --work-dir "$WORK/failover-$m" --kills "$KILLS" --pid-file "$WORK/failover.pids" "${mflag[@]}" --json >>"$FO" &
    FPID=$!
    wait "$FPID"; FPID=""
  done
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- write BENCHMARKS.md ---------------------------------------------------------------------
ms() { awk -v x="$1" 'BEGIN { printf "%.2f", x / 1000 }'; }
GEN="$WORK/generated.md"
{
  echo "Generated by \`bench/cluster/run.sh -r $ROUNDS -d $DURATION -w $WARMUP -c \"$CONNS\" -k $KILLS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit \`${BENCH_COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}\`."
  echo
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), kernel $(uname -r); load average at the start $LOAD_START, after the load part $LOAD_MID, at the end $LOAD_END. The load generator, all 4 of our agents and all 3 etcd members share these CPUs with other work."
  if [ -s "$RESULTS" ]; then
    echo "etcd: $(etcd --version | head -1). Keyspace $KEYS keys, values 64–256 bytes, ${WARMUP} s warm-up + ${DURATION} s measured per run, $ROUNDS round(s) interleaved (per round and op: ours via leader, ours via client agent, etcd). Our servers at raft_multiplier 1; leader $OUR_LEADER at the start, $OUR_LEADER_END at the end; etcd leader $ETCD_LEADER → $ETCD_LEADER_END (load for etcd goes to its leader)."
    echo
    echo "### Throughput and latency, 3 servers vs 3 etcd members (mean of rounds)"
    echo
    echo "| op | conns | ours via leader ops/s | ours via client agent ops/s | etcd (leader) ops/s | **leader/etcd** | **client/etcd** | leader p50 / p99 (ms) | client p50 / p99 (ms) | etcd p50 / p99 (ms) | errors (leader/client/etcd) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    jq -rs '
      def cell($rows; $l): [$rows[] | select(.label == $l)] as $r
        | {ops: ([$r[].ops_per_s] | add / length), p50: ([$r[].p50_us] | add / length / 1000),
           p99: ([$r[].p99_us] | add / length / 1000), err: ([$r[].errors] | add)};
      def f($x; $d): ($x * pow(10; $d) | round) as $n
        | if $d == 0 then $n | tostring
          else (($n / pow(10; $d)) | floor | tostring) + "." + (($n % pow(10; $d) + pow(10; $d)) | tostring | .[1:]) end;
      group_by([(.op != "put"), .connections])[] as $g
      | cell($g; "leader") as $a | cell($g; "client") as $b | cell($g; "etcd") as $e
      | "| \($g[0].op | ascii_upcase) | \($g[0].connections) | \(f($a.ops; 0)) | \(f($b.ops; 0)) | \(f($e.ops; 0)) | **\(f($a.ops / $e.ops; 2))×** | **\(f($b.ops / $e.ops; 2))×** | \(f($a.p50; 2)) / \(f($a.p99; 2)) | \(f($b.p50; 2)) / \(f($b.p99; 2)) | \(f($e.p50; 2)) / \(f($e.p99; 2)) | \($a.err) / \($b.err) / \($e.err) |"
    ' "$RESULTS"
    echo
    echo "Every run, in the order it ran:"
    echo
    echo "| # | target | op | conns | ops/s | p50 (ms) | p99 (ms) | errors |"
    echo "|---:|---|---|---:|---:|---:|---:|---:|"
    jq -rs 'to_entries[] | .key as $i | .value
      | "| \($i + 1) | \(.label) (\(.addr)) | \(.op | ascii_upcase) | \(.connections) | \(.ops_per_s | round) | \(.p50_us / 10 | round / 100) | \(.p99_us / 10 | round / 100) | \(.errors) |"' "$RESULTS"
    echo
  fi
  if [ -s "$FO" ]; then
    echo "### Failover: kill -9 of the leader → first successful PUT through the client agent"
    echo
    echo "| raft_multiplier | kills | **PUT ok: median (ms)** | PUT ok: max (ms) | PUT ok: min (ms) | new leader named by a survivor: median / max (ms) | every kill, PUT ok (ms) | restart → healthy again: median (s) |"
    echo "|---:|---:|---:|---:|---:|---:|---|---:|"
    jq -r '"| \(.raft_multiplier) | \(.kills | length) | **\(.put_median_ms | round)** | \(.put_max_ms | round) | \(.put_min_ms | round) | \(.elected_median_ms // -1 | round) / \(.elected_max_ms // -1 | round) | \([.kills[].put_ms | round | tostring] | join(" ")) | \([.kills[].rejoin_s] | sort | .[length / 2 | floor] * 10 | round / 10) |"' "$FO"
    echo
    echo "Per kill (PUTs: started / timed out / answered with an error until the first success; last error seen):"
    echo
    echo "| raft_multiplier | # | killed | new leader | elected (ms) | PUT ok (ms) | PUTs | last error |"
    echo "|---:|---:|---|---|---:|---:|---|---|"
    jq -r '.raft_multiplier as $m | .kills[] | "| \($m) | \(.n) | \(.killed) | \(.new_leader) | \(.elected_ms // -1 | round) | \(.put_ms | round) | \(.puts_sent) / \(.puts_timed_out) / \(.puts_failed) | \(.last_failure | gsub("\\|"; "/") | .[0:100]) |"' "$FO"
    echo
  fi
  echo "### Commands"
  echo
  echo '```sh'
  [ -s "$CMDS" ] && sed 's/ $//' "$CMDS" | sed "s#$WORK#\$WORK#g"
  if [ -s "$RESULTS" ]; then
    echo "consul-bench populate --target consul|etcd --addr LEADER --keys $KEYS -c 16"
    echo "consul-bench load --target consul --addr $OUR_LEADER_HTTP|$C_IP:8500 --keys $KEYS -c C --op put|get --warmup $WARMUP --duration $DURATION --json"
    echo "consul-bench load --target etcd --addr $ETCD_LEADER --keys $KEYS -c C --op put|get --warmup $WARMUP --duration $DURATION --json"
  fi
  if [ -s "$FO" ]; then
    echo "consul-bench failover --bin $CONSUL --servers $(IFS=,; echo "${S_IPS[*]}") --client $C_IP --work-dir \$WORK/failover-1 --kills $KILLS --raft-multiplier 1 --json"
    echo "consul-bench failover --bin $CONSUL --servers $(IFS=,; echo "${S_IPS[*]}") --client $C_IP --work-dir \$WORK/failover-default --kills $KILLS --json   # no -hcl: default multiplier 5"
  fi
  echo '```'
} >"$GEN"

BEGIN='<!-- cluster-results:begin (generated by bench/cluster/run.sh) -->' END='<!-- cluster-results:end -->'
if [ -f "$OUT" ] && grep -qF "$BEGIN" "$OUT"; then
  awk -v b="$BEGIN" -v e="$END" -v gen="$GEN" '
    $0 == b { print; while ((getline l < gen) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$OUT" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
  { echo; echo "## 3-server cluster and failover (generated)"; echo; echo "$BEGIN"; cat "$GEN"; echo "$END"; } >>"$OUT"
fi
log "wrote $OUT"
cat "$GEN"
