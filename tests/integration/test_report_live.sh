#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultline watch --incidents: the fd-leak scenario shows up as a NEW incident
# line while it happens, and the full report is printed at the end.
. "$(dirname "$0")/lib.sh"
need_root

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ls -d /tmp/faultline-live.* 2>/dev/null | sort >"$TMP/before"
"$FAULTLINE" watch --incidents --events fd,conn >"$TMP/live.out" 2>"$TMP/live.err" &
watcher=$!
on_exit "kill -KILL $watcher"
for i in $(seq 1 300); do
	grep -q '(Ctrl-C to stop)$' "$TMP/live.err" && break
	sleep 0.1
done
"$TOOLS/leaky_server" -p "$port" -l 64 -g 20 >"$TMP/server.out" 2>&1 &
server=$!
sleep 0.3
"$TOOLS/scenario_client" -p "$port" -n 4 -i 50 -s 4 >/dev/null
wait "$server"
# The NEW line appears while watching, before any stop.
for i in $(seq 1 60); do
	grep -q "NEW .*leaky_server (pid $server) ran out of file descriptors" "$TMP/live.out" &&
		break
	sleep 0.1
done
assert_match "$TMP/live.out" "^[0-9:.]+ NEW +\\[critical\\] leaky_server \\(pid $server\\) ran out of file descriptors"
kill -INT "$watcher"
wait "$watcher"
rc=$?
[ "$rc" = 0 ] || fail "watch --incidents exited $rc: $(tail -c 600 "$TMP/live.err")"
assert_match "$TMP/live.out" '^faultline report: \(live\)'
assert_match "$TMP/live.out" "Root cause +fd_exhausted"
assert_no_match "$TMP/live.out" 'WARNING: the recording is truncated'
ls -d /tmp/faultline-live.* 2>/dev/null | sort >"$TMP/after"
[ -z "$(comm -13 "$TMP/before" "$TMP/after")" ] ||
	fail "the live recording was not removed: $(comm -13 "$TMP/before" "$TMP/after")"
pass "watch --incidents: live incident lines and the final report"
