#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scenario 2, real events: a server in a memory cgroup (v1 here, v2 where it
# has the controller) is OOM-killed; its clients are then refused on its port.
# One incident, rooted at the OOM kill, refusals as impact; recorded with the
# profiler on, so the HTML report has the flame graph of the window.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

name=faultline-report-$$
memcg_create "$name" 48

port=$(free_port)
start_record "$TMP/oom.rec" --events oom,conn,signal -F 49
sh -c "echo \$\$ > $cg/cgroup.procs && exec $TOOLS/oom_server -p $port -g 1500" \
	>"$TMP/server.out" 2>&1 &
server=$!
for i in $(seq 1 50); do grep -q '^pid' "$TMP/server.out" && break; sleep 0.1; done
"$TOOLS/scenario_client" -p "$port" -n 3 -i 100 -s 5 >"$TMP/client.out"
wait "$server"
rc=$?
[ "$rc" = 137 ] || fail "oom_server exited $rc, expected 137 (SIGKILL): $(cat "$TMP/server.out")"
assert_match "$TMP/client.out" '^refused [1-9]'
stop_record "$TMP/oom.rec"
report_json "$TMP/oom.rec"

python3 - "$TMP/report.json" "$server" "$port" "/$name" <<'PY' || fail "wrong incident: $(head -c 3000 "$TMP/report.txt")"
import json, sys
d, pid, port, cg = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mine = [i for i in d["incidents"] if any(p["pid"] == pid for p in i["processes"])]
assert len(mine) == 1, "server in %d incidents" % len(mine)
i = mine[0]
r = i["root_cause"]
assert r["type"] == "oom_kill" and r["victim"]["pid"] == pid, r
assert r["victim"]["memcg"] == cg, r["victim"]
assert i["impact"]["refused_connections"] > 0 and port in i["impact"]["ports"], i["impact"]
assert i["impact"]["killed_processes"] == 1, i["impact"]
types = [e["type"] for e in i["timeline"]]
assert types.index("oom_kill") < types.index("conn_refused"), types
assert any("refused after it died" in s for s in i["next_steps"]), i["next_steps"]
for o in d["incidents"]:
    if o is not i:
        assert port not in o["impact"]["ports"], o["title"]
assert d["recording"]["profile_buckets"] >= 3, d["recording"]
PY
# The headline is on the first screen even with other jobs' incidents around.
head -n 30 "$TMP/report.txt" >"$TMP/screen"
assert_match "$TMP/screen" "oom_server \\(pid $server\\) was killed by the OOM killer: memory cgroup /$name"
assert_match "$TMP/report.txt" "refused connections from [0-9]+ clients on port $port"
# The limit the next step asks to compare is in the text, as the kernel had it (48 MB).
assert_match "$TMP/report.txt" "memory cgroup limit 49152 kB \\(48.0 MB\\), usage at the kill [0-9]+ kB"
assert_match "$TMP/report.txt" "memory.limit_in_bytes or memory.max, 48.0 MB\\) with what it needs"

# The HTML report of a real recording: the incident and its flame graph.
"$FAULTLINE" report "$TMP/oom.rec" -o "$TMP/oom.html" || fail "html report failed"
assert_match "$TMP/oom.html" 'class="flame-frame"'
assert_match "$TMP/oom.html" "oom_server \\(pid $server\\) was killed by the OOM killer"
pass "OOM scenario: one incident rooted at the OOM kill, refusals as impact"
