#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# agent --flight-dir: the agent keeps rotating recordings that `faultline
# report` reads on the host; a segment left by an older run past
# --retain-local is deleted; a crash's segment and its neighbours move to
# incidents/, and --keep-incidents 1 keeps only the latest incident; SIGTERM
# leaves every segment complete. A directory others can write is refused.
. "$(dirname "$0")/lib.sh"
need_root
BIN=$FAULTLINE
[ -x "${FAULTLINE_ASAN:-}" ] && BIN=$FAULTLINE_ASAN

expect_exit 2 "$FAULTLINE" agent --retain-local 5
assert_match "$TMP/err" "--retain-local needs --flight-dir DIR" "stderr"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
mkdir -m 0777 "$TMP/open"
expect_exit 1 "$FAULTLINE" agent --flight-dir "$TMP/open" --metrics "127.0.0.1:$port" --no-profile
assert_match "$TMP/err" "not a directory of ours that only we can write" "stderr"

dir="$TMP/flight"
mkdir -m 0700 "$dir"
echo old >"$dir/segment-20200101T000000Z.rec"	# from a run long ago
"$BIN" agent --metrics "127.0.0.1:$port" --events signal --flight-dir "$dir" \
	--flight-segment 2 --keep-incidents 1 >"$TMP/agent.out" 2>"$TMP/agent.err" &
agent=$!
on_exit "kill -KILL $agent 2>/dev/null"
wait_ready "$agent" "$TMP/agent.err" agent
[ -e "$dir/segment-20200101T000000Z.rec" ] && fail "a segment past --retain-local was kept"

crash() { # NAME: a crash of a copy of tools/segv named NAME
	cp "$TOOLS/segv" "$TMP/$1"
	("$TMP/$1" 10 >/dev/null 2>&1) 2>/dev/null
	return 0
}
# incident_with NAME: the incident directory whose report names NAME's crash
incident_with() {
	local d f
	for d in "$dir"/incidents/*/; do
		for f in "$d"segment-*.rec; do
			[ -e "$f" ] || continue
			"$FAULTLINE" report "$f" 2>/dev/null | grep -q "^$1 (pid [0-9]*) crashed" &&
				{ echo "$d"; return 0; }
		done
	done
	return 1
}
wait_incident() { # NAME SEGMENTS: until NAME's incident holds SEGMENTS segments
	local d
	for _ in $(seq 150); do
		d=$(incident_with "$1") && [ "$(ls "$d" | wc -l)" -ge "$2" ] && { echo "$d"; return 0; }
		sleep 0.1
	done
	fail "no incident with $2 segments for $1's crash: $(find "$dir" | sort | tr '\n' ' ')"
}

sleep 2.5	# a segment before the crash
first=flseg$$
crash "$first"
d1=$(wait_incident "$first" 3)	# the segment before, its own, the one after

second=flsegb$$
crash "$second"
d2=$(wait_incident "$second" 2)
[ "$d1" != "$d2" ] || fail "both crashes in one incident directory"
[ -d "$d1" ] && fail "--keep-incidents 1 kept the older incident $d1"

kill -TERM $agent
wait $agent || fail "agent exited $?: $(tail -3 "$TMP/agent.err")"
ls "$dir"/segment-*.partial "$dir"/incidents/*/*.partial 2>/dev/null && fail "a segment left unfinished"
last=$(find "$dir" -name 'segment-*.rec' | sort -t- -k2 | tail -1)
"$FAULTLINE" report "$last" >"$TMP/report" 2>&1 || fail "report of $last: $(head -3 "$TMP/report")"
pass "flight segments rotate, age out, keep the latest incident and read back with report"
