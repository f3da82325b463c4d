#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A profile ends cleanly and writes its output when its -p process exits,
# and on SIGINT/SIGTERM (with its BPF program loaded until then).
. "$(dirname "$0")/lib.sh"
need_root

# own_progs PID: names of the BPF programs PID holds (not other users' ones).
own_progs() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(awk '/^prog_id:/ { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] && bpftool prog show id "$id" 2>/dev/null | sed -n 's/.* name \([^ ]*\) .*/\1/p'
	done | sort -u
}

# -p of a process that exits after ~5 s (loading takes a second or two), with a much
# longer -d.
"$TOOLS/cpu_ratio" 5 >"$TMP/pid" &
wpid=$!
on_exit "kill $wpid"
sleep 0.3
start=$SECONDS
expect_exit 0 "$FAULTLINE" profile -p $wpid -d 60 -o "$TMP/exit.folded"
[ $((SECONDS - start)) -lt 20 ] || fail "profile did not end when its process exited"
assert_match "$TMP/exit.folded" '^cpu_ratio;.*burn_a' "profile of an exited process"
assert_match "$TMP/err" 'samples in' "summary"

for sig in INT TERM; do
	: >"$TMP/err"
	"$FAULTLINE" profile -v -o "$TMP/sig.json" >"$TMP/out" 2>"$TMP/err" &
	prof=$!
	wait_line "$TMP/err" 'profile: sampling' 30 || fail "SIG$sig: profile did not start"
	progs=$(own_progs $prof)
	kill -$sig $prof
	wait $prof
	rc=$?
	[ $rc = 0 ] || fail "SIG$sig: exit $rc: $(cat "$TMP/err")"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/sig.json" ||
		fail "SIG$sig: invalid JSON written"
	echo "$progs" | grep -qx profile_sample ||
		fail "SIG$sig: profile_sample not loaded while sampling: '$progs'"
	rm -f "$TMP/sig.json"
done
pass "profile ends cleanly on process exit and on signals"
