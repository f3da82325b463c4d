#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scenario 1, real events: a server leaks sockets at pool_checkout until
# EMFILE while clients connect, gives up, and the clients are refused. One
# incident, rooted at the fd exhaustion in pool_checkout, refusals as impact.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

port=$(free_port)
start_record "$TMP/fd.rec" --events fd,conn --no-profile
"$TOOLS/leaky_server" -p "$port" -l 64 -g 20 >"$TMP/server.out" 2>&1 &
server=$!
for i in $(seq 1 50); do grep -q '^pid' "$TMP/server.out" && break; sleep 0.1; done
# Clients of the host's own (non-loopback) address are refused on the same port.
hostaddr=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
if [ -n "$hostaddr" ]; then
	"$TOOLS/scenario_client" -p "$port" -a "$hostaddr" -n 2 -i 50 -s 5 >"$TMP/client2.out" &
	client2=$!
fi
"$TOOLS/scenario_client" -p "$port" -n 4 -i 50 -s 5 >"$TMP/client.out"
[ -z "$hostaddr" ] || wait "$client2"
wait "$server"
rc=$?
[ "$rc" = 3 ] || fail "leaky_server exited $rc, expected 3: $(cat "$TMP/server.out")"
assert_match "$TMP/client.out" '^refused [1-9]'
stop_record "$TMP/fd.rec"
report_json "$TMP/fd.rec"

python3 - "$TMP/report.json" "$server" "$port" "$hostaddr" <<'PY' || fail "wrong incident: $(head -c 3000 "$TMP/report.txt")"
import json, sys
d, pid, port = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
mine = [i for i in d["incidents"] if any(p["pid"] == pid for p in i["processes"])]
assert len(mine) == 1, "server in %d incidents" % len(mine)
i = mine[0]
r = i["root_cause"]
assert r["type"] == "fd_exhausted" and r["pid"] == pid, r
assert "pool_checkout" in [f.get("symbol") for f in r["stack"]], r["stack"]
assert i["impact"]["refused_connections"] > 0 and port in i["impact"]["ports"], i["impact"]
types = [e["type"] for e in i["timeline"]]
assert "fd_pressure" in types and "conn_refused" in types, types
assert types.index("fd_pressure") < types.index("fd_exhausted") < types.index("conn_refused")
assert any("pool_checkout" in s and "still open" in s for s in i["next_steps"]), i["next_steps"]
# Recorded without -p: the server's first fds have no creating stack; they are
# counted apart, never a site.
assert r["fds_without_stack"] > 0, r.get("fds_without_stack")
assert r["leak_sites"] and all(not s["site"].startswith("[") for s in r["leak_sites"]), r["leak_sites"]
assert r["leak_sites"][0]["verdict"] == "leak", r["leak_sites"][0]
# Every refusal on the server's port is in this incident, none elsewhere,
# whether the clients came through loopback or the host's own address.
if sys.argv[4]:
    assert i["impact"]["refused_clients"] >= 6, i["impact"]
for o in d["incidents"]:
    if o is not i:
        assert port not in o["impact"]["ports"], o["title"]
PY
# The headline is on the first screen even with other jobs' incidents around.
head -n 30 "$TMP/report.txt" >"$TMP/screen"
assert_match "$TMP/screen" "leaky_server \\(pid $server\\) ran out of file descriptors.* in pool_checkout"
assert_match "$TMP/report.txt" "refused connections from [0-9]+ clients on port $port"
# The leak site names its binary and the callers watch saw.
assert_match "$TMP/report.txt" "fds opened at pool_checkout \\(leaky_server\\) are never closed: [0-9]+ still open; find the path that keeps them \\(called from serve_client <- main\\)"
assert_no_match "$TMP/report.txt" '\(0 more'
pass "fd leak scenario: one incident rooted at pool_checkout's EMFILE"
