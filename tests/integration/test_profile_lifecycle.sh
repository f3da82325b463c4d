#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A profile ends cleanly and writes its output when its -p process exits,
# and on SIGINT/SIGTERM; nothing stays attached afterwards.
. "$(dirname "$0")/lib.sh"
need_root

count_progs() { bpftool prog list 2>/dev/null | grep -c ' name profile_sample ' || true; }

# -p of a process that exits after ~2 s, with a much longer -d.
"$TOOLS/cpu_ratio" 2 >"$TMP/pid" &
wpid=$!
on_exit "kill $wpid"
sleep 0.3
start=$SECONDS
expect_exit 0 "$FAULTLINE" profile -p $wpid -d 60 -o "$TMP/exit.folded"
[ $((SECONDS - start)) -lt 20 ] || fail "profile did not end when its process exited"
assert_match "$TMP/exit.folded" '^cpu_ratio;.*burn_a' "profile of an exited process"
assert_match "$TMP/err" 'samples in' "summary"

for sig in INT TERM; do
	"$FAULTLINE" profile -o "$TMP/sig.json" >"$TMP/out" 2>"$TMP/err" &
	prof=$!
	sleep 2
	before=$(count_progs)
	kill -$sig $prof
	wait $prof
	rc=$?
	[ $rc = 0 ] || fail "SIG$sig: exit $rc: $(cat "$TMP/err")"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/sig.json" ||
		fail "SIG$sig: invalid JSON written"
	[ "$before" -ge 1 ] || fail "profile_sample was not loaded while sampling"
	rm -f "$TMP/sig.json"
done
pass "profile ends cleanly on process exit and on signals"
