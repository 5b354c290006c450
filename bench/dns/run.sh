#!/usr/bin/env bash
# DNS benchmark: our `consul agent -dev` vs NSD serving the same records as a static zone,
# measured with dnsperf (UDP) in one interleaved run, at several outstanding-query levels.
#
# Usage: bench/dns/run.sh [-r ROUNDS] [-d SECONDS] [-q "16 64 256"] [-p] [-o RESULTS.tsv]
#   -r rounds (each round runs every (concurrency, qtype, server) once; server order alternates)
#   -d seconds per dnsperf run (default 10)
#   -q outstanding-query levels passed to dnsperf -q (default "16 64 256")
#   -p also record a perf profile of the agent (SRV, -q 64) into $PERF_OUT (default bench/dns/perf.txt)
#   -o raw results, one TSV line per run (default bench/dns/last-results.tsv; dnsperf output in <that>.dnsperf.log)
# Env: CARGO_TARGET_DIR (default <repo>/target), SKIP_BUILD=1 to reuse the built binary,
#      AGENT_IP (default 127.0.0.61), NSD_IP (default 127.0.0.62), DNS_PORT (default 8600),
#      NODES (default 50; each node gets 2 service instances, 50 services with 2 instances each),
#      NSD_SERVERS (NSD server-count, default nproc), DNSPERF_THREADS (dnsperf -T, default 1).
# Prints a markdown table on stdout. Only binds/sends on 127.0.0.0/8; stops what it starts.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/dns"
ROUNDS=1 DURATION=10 CONCS="16 64 256" PROFILE=0 RESULTS="$HERE/last-results.tsv"
while getopts "r:d:q:po:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;; d) DURATION=$OPTARG ;; q) CONCS=$OPTARG ;;
    p) PROFILE=1 ;; o) RESULTS=$OPTARG ;; *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
CONSUL="$TGT/release/consul"
AGENT_IP=${AGENT_IP:-127.0.0.61} NSD_IP=${NSD_IP:-127.0.0.62} PORT=${DNS_PORT:-8600}
NODES=${NODES:-50} NSD_SERVERS=${NSD_SERVERS:-$(nproc)} DNSPERF_THREADS=${DNSPERF_THREADS:-1}
PERF_OUT=${PERF_OUT:-$HERE/perf.txt}
case "$AGENT_IP $NSD_IP" in 127.*\ 127.*) ;; *) echo "AGENT_IP/NSD_IP must be in 127.0.0.0/8" >&2; exit 2 ;; esac

log() { printf '[dns/run.sh %s] %s\n' "$(date +%T)" "$*" >&2; }

# --- tools from Debian ----------------------------------------------------------------------
missing=""
command -v dnsperf >/dev/null || missing="$missing dnsperf"
[ -x /usr/sbin/nsd ] || command -v nsd >/dev/null || missing="$missing nsd"
command -v curl >/dev/null || missing="$missing curl"
if [ -n "$missing" ]; then
  log "installing$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  # The nsd package may try to start the system service; it is not ours to leave running on :53,
  # but it is not ours to stop either, so we just never rely on it.
fi
NSD=$(command -v nsd || echo /usr/sbin/nsd)

# --- build ----------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the agent into $TGT"
  (cd "$ROOT" && CARGO_TARGET_DIR="$TGT" cargo build --release -p consul)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dns-bench.XXXXXX")
APID="" NPID="" PPID_PERF=""
cleanup() {
  for p in $PPID_PERF $APID $NPID; do kill "$p" 2>/dev/null || true; done
  for p in $PPID_PERF $APID $NPID; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- our agent ------------------------------------------------------------------------------
AGENT_CMD="$CONSUL agent -dev -node bench-agent -bind $AGENT_IP -client $AGENT_IP -dns-port $PORT -log-level warn"
log "starting our agent: $AGENT_CMD"
$AGENT_CMD >"$WORK/agent.log" 2>&1 & APID=$!
HTTP="http://$AGENT_IP:8500"
for _ in $(seq 1 400); do
  curl -sf "$HTTP/v1/status/leader" 2>/dev/null | grep -q ':' && break
  kill -0 "$APID" 2>/dev/null || { cat "$WORK/agent.log" >&2; exit 1; }
  sleep 0.05
done

# --- records: NODES nodes, each with 2 service instances; service i runs on nodes i and i+1 ---
# (2 instances per service, so the UDP answer limit of 3 never trims our answers and both
# servers return exactly the same records.)
node_name() { printf 'node-%02d' "$1"; }
svc_name() { printf 'svc-%02d' "$1"; }
node_ip() { printf '10.20.%d.%d' $(( $1 / 200 )) $(( $1 % 200 + 1 )); }
log "registering $NODES nodes, $((2 * NODES)) service instances"
for ((n = 0; n < NODES; n++)); do
  node=$(node_name $n) ip=$(node_ip $n)
  for k in 0 1; do
    s=$(( (n - k + NODES) % NODES )) # node n runs service n and service n-1
    svc=$(svc_name $s) port=$(( 20000 + s ))
    body=$(printf '{"Node":"%s","Address":"%s","Service":{"ID":"%s","Service":"%s","Port":%d},"Check":{"CheckID":"chk-%s","Name":"chk-%s","Status":"passing","ServiceID":"%s"}}' \
      "$node" "$ip" "$svc" "$svc" "$port" "$svc" "$svc" "$svc")
    curl -sf -X PUT -d "$body" "$HTTP/v1/catalog/register" >/dev/null
  done
done

# --- the equivalent NSD zone ----------------------------------------------------------------
ZONE="$WORK/consul.zone"
{
  echo '$ORIGIN consul.'
  echo '$TTL 0'
  echo '@ IN SOA ns.consul. hostmaster.consul. 1 3600 600 86400 0'
  echo '@ IN NS ns.consul.'
  echo "ns IN A $AGENT_IP"
  for ((n = 0; n < NODES; n++)); do
    echo "$(node_name $n).node.dc1 IN A $(node_ip $n)"
  done
  for ((s = 0; s < NODES; s++)); do
    svc=$(svc_name $s) port=$(( 20000 + s ))
    for n in $s $(( (s + 1) % NODES )); do
      echo "$svc.service IN A $(node_ip $n)"
      echo "$svc.service IN SRV 1 1 $port $(node_name $n).node.dc1.consul."
    done
  done
} >"$ZONE"
cat >"$WORK/nsd.conf" <<EOF
server:
  ip-address: $NSD_IP@$PORT
  port: $PORT
  do-ip6: no
  server-count: $NSD_SERVERS
  reuseport: yes
  round-robin: yes
  username: ""
  chroot: ""
  zonesdir: "$WORK"
  database: ""
  zonelistfile: "$WORK/zone.list"
  xfrdfile: "$WORK/xfrd.state"
  xfrdir: "$WORK"
  pidfile: "$WORK/nsd.pid"
  logfile: "$WORK/nsd.log"
  verbosity: 0
  hide-version: yes
  # Debian's NSD has response rate limiting on (200 qps per source): off, or it throttles dnsperf.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: consul
  zonefile: "$ZONE"
EOF
/usr/sbin/nsd-checkconf "$WORK/nsd.conf"
NSD_CMD="$NSD -d -c $WORK/nsd.conf"
log "starting NSD: $NSD_CMD (server-count $NSD_SERVERS)"
$NSD_CMD >"$WORK/nsd.out" 2>&1 & NPID=$!

# --- both answer the same ---------------------------------------------------------------------
# (NSD also puts its NS record in the authority section and the NS glue in the additional one;
# those are left out of the comparison. dnsperf sends no EDNS, so neither does the probe.)
probe() { dig +norec +noedns +tries=1 +time=1 @"$1" -p "$PORT" "$2" "$3" | awk '/^[^;]/ && NF && $4 != "NS" && $1 != "ns.consul." {print $1, $4, $5, $6, $7, $8}' | sort; }
for _ in $(seq 1 100); do
  dig +short +tries=1 +time=1 @"$NSD_IP" -p "$PORT" svc-00.service.consul A >/dev/null 2>&1 && \
  [ -n "$(dig +short +tries=1 +time=1 @"$AGENT_IP" -p "$PORT" svc-00.service.consul A)" ] && break
  kill -0 "$NPID" 2>/dev/null || { cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
  sleep 0.1
done
for qt in A SRV; do
  a=$(probe "$AGENT_IP" svc-07.service.consul $qt) b=$(probe "$NSD_IP" svc-07.service.consul $qt)
  if [ "$a" != "$b" ]; then
    log "WARNING: answers differ for svc-07.service.consul $qt"; printf 'ours:\n%s\nnsd:\n%s\n' "$a" "$b" >&2
  fi
done
log "sample SRV answer from our agent:"; dig +norec @"$AGENT_IP" -p "$PORT" svc-07.service.consul SRV | sed -n '/ANSWER SECTION/,/^$/p;/ADDITIONAL SECTION/,/^$/p' >&2

# --- query files ------------------------------------------------------------------------------
for qt in A SRV; do
  for ((s = 0; s < NODES; s++)); do echo "$(svc_name $s).service.consul $qt"; done >"$WORK/q-$qt.txt"
done

# --- runs -------------------------------------------------------------------------------------
run_one() { # run_one SERVER_IP QTYPE OUTSTANDING -> "qps avg_lat_ms lost pct_noerror"
  local out
  out=$(dnsperf -m udp -s "$1" -p "$PORT" -d "$WORK/q-$2.txt" -q "$3" -l "$DURATION" -T "$DNSPERF_THREADS" -c "$DNSPERF_THREADS" 2>&1)
  printf '### %s %s -q %s\n%s\n' "$1" "$2" "$3" "$out" >>"$RESULTS.dnsperf.log"
  awk '/Queries per second:/{qps=$4} /Average Latency \(s\):/{lat=$4*1000} /Queries lost:/{lost=$3}
       /Response codes:/{rc=$0} END{ok=(rc ~ /NOERROR [0-9]+ \(100\.00%\)/)?"ok":"rcodes!";printf "%.0f %.3f %s %s\n", qps, lat, lost, ok}' <<<"$out"
}
: >"$RESULTS"; : >"$RESULTS.dnsperf.log"
printf 'round\tserver\tqtype\toutstanding\tqps\tavg_latency_ms\tlost\trcodes\n' >>"$RESULTS"
for ((r = 1; r <= ROUNDS; r++)); do
  for c in $CONCS; do
    for qt in A SRV; do
      if (( r % 2 )); then order="ours nsd"; else order="nsd ours"; fi
      for who in $order; do
        ip=$AGENT_IP; [ "$who" = nsd ] && ip=$NSD_IP
        read -r qps lat lost ok < <(run_one "$ip" "$qt" "$c")
        log "round $r $who $qt -q $c: $qps qps, avg $lat ms, lost $lost $ok"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$who" "$qt" "$c" "$qps" "$lat" "$lost" "$ok" >>"$RESULTS"
      done
    done
  done
done

# --- optional profile of the agent under load -------------------------------------------------
if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
  log "profiling the agent (SRV, -q 64, ${DURATION}s) into $PERF_OUT"
  perf record -F 999 -g --call-graph dwarf,16384 -p "$APID" -o "$WORK/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 & PPID_PERF=$!
  sleep 0.5
  run_one "$AGENT_IP" SRV 64 >/dev/null
  wait "$PPID_PERF" || true; PPID_PERF=""
  {
    echo "# perf report --no-children (self time), agent under dnsperf SRV -q 64"
    perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^$' | head -70 || true
    echo; echo "# perf report --children (inclusive time)"
    perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -v "^$" | head -150 || true
    echo; echo "# perf report --no-children, callers of the top entries"
    perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -g caller,0.5,callee,function,percent --percent-limit 2 2>/dev/null | grep -v '^$' | head -300 || true
  } | sed 's/[[:space:]]*-[[:space:]]*-[[:space:]]*$//; s/[[:space:]]*$//' | cut -c1-220 >"$PERF_OUT"
fi

# --- table ------------------------------------------------------------------------------------
echo "| query | outstanding (-q) | ours QPS | NSD QPS | ours / NSD | ours avg latency | NSD avg latency |"
echo "|---|---:|---:|---:|---:|---:|---:|"
awk -F'\t' 'NR > 1 { k = $3 "\t" $4; q[$2, k] += $5; n[$2, k]++; l[$2, k] += $6; seen[k] = 1 }
  END {
    for (k in seen) { split(k, p, "\t")
      o = q["ours", k] / n["ours", k]; d = q["nsd", k] / n["nsd", k]
      printf "| %s | %s | %.0f | %.0f | %.2f× | %.3f ms | %.3f ms |\n", p[1], p[2], o, d, (d ? o / d : 0), l["ours", k] / n["ours", k], l["nsd", k] / n["nsd", k] }
  }' "$RESULTS" | sort -t'|' -k2,2 -k3,3n
