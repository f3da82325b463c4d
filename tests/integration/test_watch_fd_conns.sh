#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Connections kept after they ended are leaked: a server (python3, 40 fds)
# accepts 30 clients that hang up at once and never closes them; its fds sit
# in CLOSE_WAIT. fd_pressure must name the accept site as a leak of ended
# connections, with the listener held, not leaked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

cat >"$TMP/server.py" <<'PY'
import os, resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))
go = sys.argv[1]
print("pid", os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(64)
kept = []
for _ in range(30):
    c = socket.create_connection(l.getsockname())
    kept.append(l.accept()[0])	# the server's end: never closed
    c.close()			# the client hangs up
time.sleep(1)
print("done", flush=True)
time.sleep(30)
PY
python3 "$TMP/server.py" "$TMP/go" >"$TMP/server.out" &
server=$!
on_exit "kill $server"
wait_line "$TMP/server.out" '^pid ' 10 || fail "server did not start"
start_watch -p "$server" --events fd --fd-warn 70
touch "$TMP/go"
wait_line "$TMP/server.out" '^done' 20 || fail "server did not finish"
stop_watch

events "e.get('pid') == $server and e['type'] == 'fd_pressure'" >"$TMP/mine"
python3 - "$TMP/mine" <<'PY' || fail "fd_pressure: $(head -c 1500 "$TMP/mine")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 1, len(ev)
sites = ev[0]["leak_sites"]
top = sites[0]
assert top["verdict"] == "leak" and top["kinds"].get("accepted", 0) >= 20, top
assert top["connections_ended"] >= 8, top
assert "still open after the peer closed or reset them" in top["summary"], top["summary"]
for s in sites:
    if s["kinds"].get("listener"):
        assert s["verdict"] == "held", s
print("ok:", top["summary"])
PY
pass "connections kept after their peer hung up are a leak; the listener is held"
