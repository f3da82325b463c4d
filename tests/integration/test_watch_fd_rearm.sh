#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fd_pressure fires once per crossing: fd_leaker leaks to EMFILE three times
# under a limit of 256 (warns at 80% = 205 fds, re-arms below 70% = 179).
# Closing back to 75% in between stays inside the hysteresis band: one
# warning for three exhaustions. Closing back to 50% re-arms it: a warning
# before each exhaustion.
. "$(dirname "$0")/lib.sh"
need_root

# run_cycles RELEASE_PCT: leaves the events in $TMP/ev-RELEASE_PCT.json
run_cycles() {
	local out=$TMP/ev-$1.json leaker watcher pid
	rm -f "$TMP/go"
	"$TOOLS/fd_leaker" --limit 256 --cycles 3 --release-to "$1" --wait-file "$TMP/go" \
		>"$TMP/leaker-$1.out" &
	leaker=$!
	on_exit "kill $leaker"
	wait_line "$TMP/leaker-$1.out" '^pid ' 10 || fail "fd_leaker did not start"
	pid=$(awk '/^pid /{print $2}' "$TMP/leaker-$1.out")
	"$FAULTLINE" watch -p "$pid" --events fd --json -d 60 >"$out" 2>"$TMP/watch-$1.err" &
	watcher=$!
	on_exit "kill $watcher"
	wait_line "$TMP/watch-$1.err" 'watching' 30 || fail "watch did not start"
	touch "$TMP/go"
	wait $leaker || fail "fd_leaker failed"
	sleep 1
	kill -INT $watcher
	wait $watcher || fail "watch exited $?: $(tail -5 "$TMP/watch-$1.err")"
	grep -q '^failures 3$' "$TMP/leaker-$1.out" || fail "fd_leaker: $(cat "$TMP/leaker-$1.out")"
}

# sequence FILE: the event types in order, P for pressure, X for exhausted.
sequence() {
	python3 -c 'import json, sys
print("".join({"fd_pressure": "P", "fd_exhausted": "X"}.get(json.loads(l)["type"], "")
              for l in open(sys.argv[1]) if l.strip()))' "$1"
}

run_cycles 75
got=$(sequence "$TMP/ev-75.json")
[ "$got" = PXXX ] || fail "release to 75%: events $got, want PXXX (no re-arm inside the band)"
run_cycles 50
got=$(sequence "$TMP/ev-50.json")
[ "$got" = PXPXPX ] || fail "release to 50%: events $got, want PXPXPX (re-armed each time)"
pass "fd_pressure once per crossing, with hysteresis"
