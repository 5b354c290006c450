import http.client, json, threading, time, sys, os
HOST, PORT = sys.argv[1], int(sys.argv[2]); N = int(sys.argv[3]); PID = int(sys.argv[4])
def conn(): return http.client.HTTPConnection(HOST, PORT, timeout=60)
ids = []; lock = threading.Lock()
def creator(k):
    c = conn(); mine = []
    for i in range(k):
        c.request("PUT", "/v1/session/create", body='{"TTL":"10s","LockDelay":0}'); r = c.getresponse(); mine.append(json.loads(r.read())["ID"])
    with lock: ids.extend(mine)
def cpu():
    with open(f"/proc/{PID}/stat") as f: p = f.read().split(")")[1].split()
    return (int(p[11]) + int(p[12])) / os.sysconf("SC_CLK_TCK")
def rss():
    for l in open(f"/proc/{PID}/status"):
        if l.startswith("VmRSS"): return l.split()[1] + " kB"
t0 = time.time(); ts = [threading.Thread(target=creator, args=(N//8,)) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(f"created {len(ids)} sessions in {time.time()-t0:.1f}s; RSS {rss()}")
# one client renews all, sequentially, for 25 s (more than 2xTTL)
c = conn(); c0 = cpu(); t1 = time.time(); rounds = 0
while time.time() - t1 < 25:
    for i in ids:
        c.request("PUT", f"/v1/session/renew/{i}"); r = c.getresponse(); r.read()
        assert r.status == 200, r.status
    rounds += 1
el = time.time() - t1; print(f"renewed all {rounds}x in {el:.1f}s; leader CPU {100*(cpu()-c0)/el:.0f}% of a core; RSS {rss()}")
stop = time.time()
while True:
    c.request("GET", "/v1/session/list?stale"); r = c.getresponse(); n = len(json.loads(r.read()))
    if n == 0: break
    time.sleep(0.2)
print(f"all invalidated {time.time()-stop:.1f}s after the last renewal (2xTTL = 20 s)")
