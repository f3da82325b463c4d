#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Held is not leaked, on real software: Debian's nginx (1 worker, 64 fds)
# with 100 keep-alive clients runs out of fds. watch and record must say the
# worker holds its accepted connections open (they are live: when the clients
# leave, the worker is back to its few fds), never that they leak; the stack
# ends before any address outside executable memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root
NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] || skip "no nginx (tools/install-deps.sh test installs it)"

port=$(free_port)
mkdir -p "$TMP/ngx"
cat >"$TMP/ngx/nginx.conf" <<EOF2
worker_processes 1;
worker_rlimit_nofile 64;
daemon off;
pid $TMP/ngx/nginx.pid;
error_log $TMP/ngx/error.log;
events { worker_connections 512; }
http {
	access_log off;
	keepalive_timeout 300s;
	keepalive_requests 100000;
	client_body_temp_path $TMP/ngx/body;
	proxy_temp_path $TMP/ngx/proxy;
	fastcgi_temp_path $TMP/ngx/fastcgi;
	uwsgi_temp_path $TMP/ngx/uwsgi;
	scgi_temp_path $TMP/ngx/scgi;
	server { listen 127.0.0.1:$port; location / { return 200 "ok\n"; } }
}
EOF2
"$NGINX" -c "$TMP/ngx/nginx.conf" -p "$TMP/ngx" -e "$TMP/ngx/error.log" >"$TMP/ngx/out" 2>&1 &
master=$!
on_exit "kill -QUIT $master"
worker=
for i in $(seq 1 50); do
	worker=$(pgrep -P "$master" | head -1)
	[ -n "$worker" ] && break
	sleep 0.1
done
[ -n "$worker" ] || fail "nginx did not start a worker: $(cat "$TMP/ngx/out" "$TMP/ngx/error.log")"
idle=$(ls "/proc/$worker/fd" | wc -l)

# Keep-alive clients: one request each, then they hold the connection until told.
cat >"$TMP/clients.py" <<'PY'
import os, select, socket, sys, time
port, n, release = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
for s in socks:
    s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
served, waiting, end = 0, set(socks), time.time() + 3
while waiting and time.time() < end:
    ready, _, _ = select.select(list(waiting), [], [], 0.2)
    for s in ready:
        served += s.recv(4096).startswith(b"HTTP/1.1 200")
        waiting.discard(s)
print("served", served, flush=True)
while not os.path.exists(release):
    time.sleep(0.05)
for s in socks:
    s.close()
print("closed", flush=True)
PY

start_watch -p "$worker" --events fd
start_record "$TMP/ngx.rec" -p "$worker" --events fd --no-profile
python3 "$TMP/clients.py" "$port" 100 "$TMP/release" >"$TMP/clients.out" &
clients=$!
on_exit "kill $clients"
wait_line "$TMP/clients.out" '^served ' 20 || fail "clients did not finish their requests"
sleep 1
held=$(ls "/proc/$worker/fd" | wc -l)
touch "$TMP/release"
wait "$clients" || fail "clients failed"
# Held, not leaked: once the clients leave, the worker closes them.
for i in $(seq 1 50); do
	[ "$(ls "/proc/$worker/fd" | wc -l)" -le $((idle + 1)) ] && break
	sleep 0.1
done
after=$(ls "/proc/$worker/fd" | wc -l)
[ "$after" -le $((idle + 1)) ] || fail "worker holds $after fds after the clients left ($idle idle)"
stop_watch
stop_record "$TMP/ngx.rec"
report_json "$TMP/ngx.rec"

events "e.get('pid') == $worker and e['type'] in ('fd_exhausted', 'fd_pressure')" >"$TMP/mine"
python3 - "$TMP/mine" <<'PY' || fail "nginx fd events: $(head -c 1500 "$TMP/mine")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
exh = [e for e in ev if e["type"] == "fd_exhausted"]
assert exh and exh[0]["syscall"] in ("accept4", "accept") and exh[0]["errno"] == "EMFILE", ev[:1]
for e in ev:
    for s in e["leak_sites"]:
        assert s["verdict"] == "held", s
        assert not s["site"].startswith("["), s
    top = e["leak_sites"][0]
    assert "ngx_event_accept" in top["site"] and top["kinds"].get("accepted", 0) > 0, top
    # the site is ngx_event_accept, with its callers when the walk has them
    assert top["summary"].startswith("%d accepted connections held open by ngx_event_accept"
                                     % top["count"]), top["summary"]
    assert " (oldest " in top["summary"], top["summary"]
    assert e["fds_without_stack"] == 0, e
    # Every frame printed is code: nothing from the heap as "[unknown] 0x...".
    for f in e.get("stack", []) + [f for s in e["leak_sites"] for f in s.get("stack", [])]:
        assert f["module"] is not None, f
print("ok: %d events, top site: %s" % (len(ev), ev[-1]["leak_sites"][0]["summary"]))
PY
# The end-of-run report holds no leak either; nor does the incident report.
assert_no_match "$TMP/watch.out" '"verdict": *"leak"'
assert_match "$TMP/report.txt" "accepted connections held open by ngx_event_accept( <- [^(]*)? \\(oldest [0-9.]+ s\\): in use, not leaked"
assert_no_match "$TMP/report.txt" 'never closed| leaked by|\[unknown\] 0x'
pass "nginx: $held fds with 100 keep-alive clients are held open, not leaked; $after after"
