#!/usr/bin/env bash
# ACL cost (issue 13): KV GET and catalog GET at 64 connections against two durable single
# servers in the same run — one with ACLs disabled, one with `default_policy = "deny"` and a
# token holding 20 policies of 10 rules each — interleaved rounds; then token resolution on a
# client agent joined to the ACL server: the first request with a fresh token (cold: the
# client asks a server and compiles the grants) and the next ones (warm: its cache).
# Prints JSON lines and tables; does not edit BENCHMARKS.md.
#
# Usage: bench/acl.sh [-r ROUNDS] [-d SECONDS] [-w WARMUP] [-c CONNS] [-t TOKENS]
# Env:   CARGO_TARGET_DIR, OFF_IP/ON_IP/CLIENT_IP (default 127.0.0.51/52/53),
#        SKIP_BUILD=1 to reuse the built release binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3 DURATION=10 WARMUP=2 CONNS=64 TOKENS=200
while getopts "r:d:w:c:t:" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;; d) DURATION=$OPTARG ;; w) WARMUP=$OPTARG ;; c) CONNS=$OPTARG ;;
    t) TOKENS=$OPTARG ;; *) sed -n '2,11p' "$0"; exit 2 ;;
  esac
done
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
OFF_IP=${OFF_IP:-127.0.0.51} ON_IP=${ON_IP:-127.0.0.52} CLIENT_IP=${CLIENT_IP:-127.0.0.53}
BENCH="$TGT/release/consul-bench" CONSUL="$TGT/release/consul"
ROOT_TOKEN=bench-root-secret
log() { printf '[acl.sh %s] %s\n' "$(date +%T)" "$*" >&2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && CARGO_TARGET_DIR="$TGT" cargo build --release -p consul-bench -p consul)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/consul-acl-bench.XXXXXX")
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

ACL_HCL="acl { enabled = true default_policy = \"deny\" tokens { initial_management = \"$ROOT_TOKEN\" } }"
"$CONSUL" agent -server -bootstrap-expect 1 -data-dir "$WORK/off" -node off \
  -bind "$OFF_IP" -client "$OFF_IP" >"$WORK/off.log" 2>&1 & PIDS="$PIDS $!"
"$CONSUL" agent -server -bootstrap-expect 1 -data-dir "$WORK/on" -node on \
  -bind "$ON_IP" -client "$ON_IP" -hcl "$ACL_HCL" >"$WORK/on.log" 2>&1 & PIDS="$PIDS $!"

wait_until() {
  local desc=$1; shift
  for _ in $(seq 1 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  log "timed out waiting for $desc"; tail -20 "$WORK"/*.log >&2; exit 1
}
leader() { curl -sf -H "X-Consul-Token: $ROOT_TOKEN" "http://$1:8500/v1/status/leader" | grep -q ':'; }
root_ok() { curl -sf -H "X-Consul-Token: $ROOT_TOKEN" "http://$ON_IP:8500/v1/acl/token/self" >/dev/null; }
wait_until "leader (off)" leader "$OFF_IP"
wait_until "leader (on)" leader "$ON_IP"
wait_until "management token" root_ok

# 20 policies of 10 rules; the rules that grant the benchmark's reads are spread over them.
TOKEN=$(python3 - "$ON_IP" "$ROOT_TOKEN" <<'PY'
import json, sys, urllib.request
ip, root = sys.argv[1], sys.argv[2]
def put(path, body):
    req = urllib.request.Request(f"http://{ip}:8500{path}", data=json.dumps(body).encode(),
                                 method="PUT", headers={"X-Consul-Token": root})
    return json.load(urllib.request.urlopen(req))
names = []
for i in range(20):
    rules = [f'key_prefix "app{i}/part{j}/" {{ policy = "read" }}' for j in range(7)]
    rules.append(f'service_prefix "svc{i}-" {{ policy = "read" }}')
    if i == 7:
        rules += ['key_prefix "bench/" { policy = "write" }', 'node_prefix "" { policy = "read" }']
    elif i == 13:
        rules += ['service "web" { policy = "read" }', f'session_prefix "s{i}" {{ policy = "read" }}']
    else:
        rules += [f'node "n{i}" {{ policy = "read" }}', f'event_prefix "e{i}" {{ policy = "read" }}']
    assert len(rules) == 10
    names.append(put("/v1/acl/policy", {"Name": f"bench-{i}", "Rules": "\n".join(rules)})["Name"])
tok = put("/v1/acl/token", {"Description": "bench", "Policies": [{"Name": n} for n in names]})
print(tok["SecretID"])
PY
)

for ip in "$OFF_IP" "$ON_IP"; do
  log "populating $ip"
  "$BENCH" populate --target consul --addr "$ip:8500" --token "$ROOT_TOKEN" -c 16
  for i in $(seq 1 10); do
    curl -sf -X PUT -H "X-Consul-Token: $ROOT_TOKEN" "http://$ip:8500/v1/catalog/register" \
      -d "{\"Node\":\"web-$i\",\"Address\":\"10.0.0.$i\",\"Service\":{\"Service\":\"web\",\"Port\":80}}" >/dev/null
  done
done

RESULTS="$WORK/results.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  for op in get catalog; do
    for acl in off on; do
      ip=$OFF_IP tok=""; [ "$acl" = on ] && ip=$ON_IP tok=$TOKEN
      log "round $round: $op acl=$acl"
      "$BENCH" load --target consul --addr "$ip:8500" --op "$op" -c "$CONNS" --token "$tok" \
        --warmup "$WARMUP" --duration "$DURATION" --json \
        | python3 -c "import json,sys; r=json.load(sys.stdin); r['acl']='$acl'; print(json.dumps(r))" \
        | tee -a "$RESULTS"
    done
  done
done

python3 - "$RESULTS" <<'PY'
import json, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[(r["op"], r["acl"])].append(r)
print("| op | ACLs | req/s (mean of rounds) | p50 µs | p99 µs | errors | on/off |")
print("|---|---|---|---|---|---|---|")
for op in ("get", "catalog"):
    m = {a: sum(r["ops_per_s"] for r in rows[(op, a)]) / len(rows[(op, a)]) for a in ("off", "on")}
    for a in ("off", "on"):
        rs = rows[(op, a)]
        mean = lambda k: sum(r[k] for r in rs) / len(rs)
        ratio = f"{m['on'] / m['off']:.2f}×" if a == "on" else ""
        print(f"| {op} | {a} | {m[a]:.0f} | {mean('p50_us'):.0f} | {mean('p99_us'):.0f} | {sum(r['errors'] for r in rs)} | {ratio} |")
PY

# Token resolution on a client agent.
"$CONSUL" agent -data-dir "$WORK/client" -node client -bind "$CLIENT_IP" -client "$CLIENT_IP" \
  -retry-join "$ON_IP" -hcl "acl { enabled = true default_policy = \"deny\" tokens { agent = \"$ROOT_TOKEN\" } }" \
  >"$WORK/client.log" 2>&1 & PIDS="$PIDS $!"
client_up() { curl -sf -H "X-Consul-Token: $ROOT_TOKEN" "http://$CLIENT_IP:8500/v1/agent/self" >/dev/null; }
wait_until "client agent" client_up
python3 - "$ON_IP" "$CLIENT_IP" "$ROOT_TOKEN" "$TOKENS" <<'PY'
import http.client, json, sys, time
server, client, root, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def call(ip, method, path, token, body=None):
    c = http.client.HTTPConnection(ip, 8500)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"X-Consul-Token": token})
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data
policy = json.loads(call(server, "PUT", "/v1/acl/policy", root,
                         {"Name": "agent-read", "Rules": 'agent_prefix "" { policy = "read" }'})[1])
secrets = [json.loads(call(server, "PUT", "/v1/acl/token", root,
                           {"Policies": [{"ID": policy["ID"]}]})[1])["SecretID"] for _ in range(n)]
conn = http.client.HTTPConnection(client, 8500)
def timed(token):
    t = time.perf_counter()
    conn.request("GET", "/v1/agent/self", headers={"X-Consul-Token": token})
    r = conn.getresponse(); r.read()
    assert r.status == 200, r.status
    return (time.perf_counter() - t) * 1e6
cold, warm = [], []
for s in secrets:
    cold.append(timed(s))
    warm.extend(timed(s) for _ in range(5))
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p / 100))]
print("| client agent, GET /v1/agent/self | requests | p50 µs | p99 µs |")
print("|---|---|---|---|")
for name, xs in (("cold (first use of a token)", cold), ("warm (cached)", warm)):
    print(f"| {name} | {len(xs)} | {pct(xs, 50):.0f} | {pct(xs, 99):.0f} |")
print(json.dumps({"bench": "acl-token-resolution", "cold_p50_us": pct(cold, 50), "cold_p99_us": pct(cold, 99),
                  "warm_p50_us": pct(warm, 50), "warm_p99_us": pct(warm, 99), "tokens": n}))
PY
echo "Machine: $(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
