#!/usr/bin/env bash
# Agent checks benchmark: one release `consul agent -dev` running N services, each with an HTTP
# check at a 1 s interval against a tiny local HTTP responder, plus N TTL checks, all registered
# through the HTTP API. After a settling period, CPU use (utime+stime from /proc/<pid>/stat) and
# RSS (VmRSS/VmHWM from /proc/<pid>/status) of the agent are measured.
#
# Usage: bench/checks/run.sh [-n SERVICES] [-s SETTLE_SECONDS] [-m MEASURE_SECONDS] [-t] [-p]
#   -n services (default 1000; each gets one HTTP check, and there are as many TTL checks)
#   -s settling time before measuring (default 60)
#   -m measuring window (default 60)
#   -t keep the TTL checks passing: an external client PUTs /v1/agent/check/pass/<id> for every
#      TTL check once per second (TTL 3s); without -t the TTL checks have a 1s TTL and nobody
#      refreshes them (they expire once and go critical, as an unattended TTL check does)
#   -p record a perf profile of the agent (20 s, after the measuring window) into $PERF_OUT
# Env: CARGO_TARGET_DIR (default <repo>/target), SKIP_BUILD=1 to reuse the built binary,
#      AGENT_IP (default 127.0.0.71), WEB_IP (default 127.0.0.72), WEB_PORT (default 18080),
#      PERF_OUT (default bench/checks/perf.txt).
# Prints one markdown table row on stdout. Only binds/sends on 127.0.0.0/8; stops what it starts.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/checks"
N=1000 SETTLE=60 MEASURE=60 TTL_UPDATE=0 PROFILE=0
while getopts "n:s:m:tp" opt; do
  case $opt in
    n) N=$OPTARG ;; s) SETTLE=$OPTARG ;; m) MEASURE=$OPTARG ;; t) TTL_UPDATE=1 ;; p) PROFILE=1 ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
  esac
done
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
CONSUL="$TGT/release/consul"
AGENT_IP=${AGENT_IP:-127.0.0.71} WEB_IP=${WEB_IP:-127.0.0.72} WEB_PORT=${WEB_PORT:-18080}
PERF_OUT=${PERF_OUT:-$HERE/perf.txt}
case "$AGENT_IP $WEB_IP" in 127.*\ 127.*) ;; *) echo "AGENT_IP/WEB_IP must be in 127.0.0.0/8" >&2; exit 2 ;; esac

log() { printf '[checks/run.sh %s] %s\n' "$(date +%T)" "$*" >&2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the agent into $TGT"
  (cd "$ROOT" && CARGO_TARGET_DIR="$TGT" cargo build --release -p consul)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/checks-bench.XXXXXX")
APID="" WPID="" UPID=""
cleanup() {
  for p in $UPID $APID $WPID; do kill "$p" 2>/dev/null || true; done
  for p in $UPID $APID $WPID; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the tiny HTTP responder: 200 "ok" to every GET, keep-alive, one thread per connection ----
cat >"$WORK/web.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.handle_error = lambda *a: None  # clients that hang up early are fine
ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
PY
python3 "$WORK/web.py" "$WEB_IP" "$WEB_PORT" & WPID=$!

# --- the agent ------------------------------------------------------------------------------
AGENT_CMD="$CONSUL agent -dev -node checks-bench -bind $AGENT_IP -client $AGENT_IP -log-level warn"
log "starting: $AGENT_CMD"
$AGENT_CMD >"$WORK/agent.log" 2>&1 & APID=$!
HTTP="http://$AGENT_IP:8500"
for _ in $(seq 1 400); do
  curl -sf "$HTTP/v1/status/leader" 2>/dev/null | grep -q ':' && break
  kill -0 "$APID" 2>/dev/null || { cat "$WORK/agent.log" >&2; exit 1; }
  sleep 0.05
done
for _ in $(seq 1 200); do
  curl -sf "http://$WEB_IP:$WEB_PORT/" >/dev/null 2>&1 && break
  kill -0 "$WPID" 2>/dev/null || { log "responder exited"; exit 1; }
  sleep 0.05
done
curl -sf "http://$WEB_IP:$WEB_PORT/" >/dev/null || { log "responder not up"; exit 1; }

# --- registration through the HTTP API (one keep-alive connection) and the TTL refresher -----
cat >"$WORK/api.py" <<'PY'
import http.client, json, sys, time
mode, agent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = agent.split(":")
c = http.client.HTTPConnection(host, int(port), timeout=30)
def put(path, body=None):
    c.request("PUT", path, body=None if body is None else json.dumps(body))
    r = c.getresponse(); data = r.read()
    if r.status != 200:
        sys.exit(f"PUT {path}: {r.status} {data!r}")
if mode == "register":
    web, ttl = sys.argv[4], sys.argv[5]
    for i in range(n):
        put("/v1/agent/service/register", {
            "ID": f"svc-{i}", "Name": f"svc-{i}", "Port": 10000 + i,
            "Check": {"CheckID": f"http-{i}", "HTTP": f"http://{web}/health/{i}",
                      "Interval": "1s", "Timeout": "1s"}})
        put("/v1/agent/check/register", {
            "ID": f"ttl-{i}", "Name": f"ttl-{i}", "ServiceID": f"svc-{i}", "TTL": ttl})
else:  # refresh: pass every TTL check once per second
    while True:
        t0 = time.monotonic()
        for i in range(n):
            put(f"/v1/agent/check/pass/ttl-{i}")
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
PY
TTL=1s; [ "$TTL_UPDATE" = 1 ] && TTL=3s
log "registering $N services with HTTP checks (1s) and $N TTL checks (ttl $TTL)"
t0=$(date +%s.%N)
python3 "$WORK/api.py" register "$AGENT_IP:8500" "$N" "$WEB_IP:$WEB_PORT" "$TTL"
log "registered in $(echo "$(date +%s.%N) - $t0" | bc) s"
if [ "$TTL_UPDATE" = 1 ]; then
  python3 "$WORK/api.py" refresh "$AGENT_IP:8500" "$N" & UPID=$!
fi

log "settling for ${SETTLE}s"
sleep "$SETTLE"
kill -0 "$APID" || { cat "$WORK/agent.log" >&2; exit 1; }

# --- measure --------------------------------------------------------------------------------
TCK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$APID/stat"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$APID/status"; }
c0=$(ticks); w0=$(date +%s.%N); max_rss=0
for _ in $(seq 1 "$MEASURE"); do
  sleep 1
  r=$(rss_kb); [ "$r" -gt "$max_rss" ] && max_rss=$r
done
c1=$(ticks); w1=$(date +%s.%N)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$APID/status")
threads=$(awk '/^Threads/ {print $2}' "/proc/$APID/status")
cpu=$(echo "scale=2; 100 * ($c1 - $c0) / $TCK / ($w1 - $w0)" | bc)

# Check health as seen through the API (all HTTP checks should pass).
states=$(curl -sf "$HTTP/v1/agent/checks" | python3 -c '
import json, sys, collections
c = json.load(sys.stdin); k = collections.Counter()
for v in c.values():
    k[(v["CheckID"].split("-")[0], v["Status"])] += 1
print(" ".join(f"{a}:{b}={n}" for (a, b), n in sorted(k.items())))')
log "check states: $states"
log "cpu ${cpu}% of one core over $(echo "$w1 - $w0" | bc | cut -c1-5)s, VmRSS max $((max_rss / 1024)) MB, VmHWM $((hwm / 1024)) MB, $threads threads"

if [ "$PROFILE" = 1 ]; then
  if command -v perf >/dev/null; then
    log "perf record 20 s -> $PERF_OUT"
    perf record -F 499 -g -p "$APID" -o "$WORK/perf.data" -- sleep 20 >/dev/null 2>&1 || true
    perf report -i "$WORK/perf.data" --no-children --stdio --percent-limit 1 2>/dev/null \
      | grep -v '^$' | head -200 >"$PERF_OUT" || true
  else
    log "perf not available"
  fi
fi

ttl_mode="ttl 1s, not refreshed"; [ "$TTL_UPDATE" = 1 ] && ttl_mode="ttl 3s, passed every 1s via API"
echo "| $N svc × HTTP 1s + $N TTL ($ttl_mode) | ${cpu} % | $((max_rss / 1024)) MB | $((hwm / 1024)) MB | $threads | $states |"
