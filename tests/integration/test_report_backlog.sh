#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Clients lost in a full accept queue, with Debian's nginx: its worker is
# stopped (as if stuck), its listener (backlog=4) fills up, 30 clients try
# to connect for 4 s. The kernel drops their SYNs without a drop reason;
# faultline must count those drops per listener (conn_dropped, polled from
# the listener's counters), attribute them to nginx and its port, and show
# them in the incident's impact. `ss -m` reads the same counter through
# another tool: the recorded total must equal it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root
command -v nginx >/dev/null || skip "nginx not installed (tools/install-deps.sh test)"
command -v ss >/dev/null || skip "ss (iproute2) not installed"

port=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<EOF2
user root;
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $TMP/nginx/body;
	proxy_temp_path $TMP/nginx/proxy;
	fastcgi_temp_path $TMP/nginx/fastcgi;
	uwsgi_temp_path $TMP/nginx/uwsgi;
	scgi_temp_path $TMP/nginx/scgi;
	server { listen 127.0.0.1:$port backlog=4; location / { return 200 "ok\n"; } }
}
EOF2

start_record "$TMP/backlog.rec" --events conn --no-profile
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx.err" &
master=$!
on_exit "kill $master"
for i in $(seq 50); do
	ss -ltn "sport = :$port" | grep -q LISTEN && break
	sleep 0.1
done
worker=$(pgrep -P $master) || fail "nginx has no worker: $(cat "$TMP/nginx.err")"
on_exit "kill -CONT $worker"
kill -STOP $worker

python3 - "$port" <<'PY' || fail "clients failed"
import socket, sys, time
socks = []
for i in range(30):
    c = socket.socket()
    c.setblocking(False)
    c.connect_ex(("127.0.0.1", int(sys.argv[1])))
    socks.append(c)
time.sleep(4)
for c in socks:
    c.close()	# no more SYN retries after this
PY
sleep 1.5	# one more poll of the listener's counters
drops=$(ss -ltnm "sport = :$port" | grep -o 'd[0-9]*)' | tr -dc 0-9)
[ -n "$drops" ] && [ "$drops" -gt 0 ] || fail "ss shows no drops on :$port: $(ss -ltnm "sport = :$port")"
kill -CONT $worker
kill $master
wait $master
stop_record "$TMP/backlog.rec"
report_json "$TMP/backlog.rec"

python3 - "$TMP/report.json" "$port" "$master" "$drops" <<'PY' || fail "report: see above"
import json, sys
doc = json.load(open(sys.argv[1]))
port, master, drops = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
found = []
for inc in doc["incidents"]:
    for l in inc["impact"].get("listeners", []):
        if l["port"] == port:
            found.append(l)
if len(found) != 1:
    sys.exit(f"FAIL: listener of port {port} in {len(found)} incidents' impact: {found}")
l = found[0]
if l["owner"] != f"nginx[{master}]":
    sys.exit(f"FAIL: owner {l['owner']}, want nginx[{master}] (the master holds the listener)")
if l["dropped"] != drops:
    sys.exit(f"FAIL: {l['dropped']} dropped recorded, ss shows {drops}")
if l["waiting"] != 5:
    sys.exit(f"FAIL: {l['waiting']} waiting, want 5 (backlog=4 admits 5)")
print(f"ok: {drops} packets dropped at nginx[{master}]'s queue of port {port}")
PY
assert_match "$TMP/report.txt" \
	"Impact .*$drops connection packets \(SYNs, retries included\) dropped by the full accept queue of port $port \(nginx\[$master\]\)" \
	"text report"
pass "backlog drops of a stalled nginx: counted, attributed to its listener, in the impact"
