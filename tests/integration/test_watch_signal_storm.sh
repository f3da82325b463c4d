#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A process taking thousands of handled SIGSEGVs is rate-limited like any
# other source (counted in the summary), and does not crowd a small ring
# buffer: a real crash of another process at the same time is still reported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

N=3000
start_watch --events signal --rate-limit 10 --ringbuf-kb 32
"$TOOLS/segv_storm" $N >"$TMP/storm.out" &
storm=$!
"$TOOLS/segv" 100 >"$TMP/segv.out" 2>/dev/null
wait $storm || fail "segv_storm failed"
grep -q "^segv_storm: $N handled$" "$TMP/storm.out" || fail "storm: $(cat "$TMP/storm.out")"
segv=$(sed -n 's/^segv: pid \([0-9]*\)$/\1/p' "$TMP/segv.out")
stop_watch

reported=$(events "e['type'] == 'signal' and e['pid'] == $storm" | wc -l)
line=$(grep '^  signal: submitted' "$TMP/watch.err") || fail "no signal summary line"
limited=$(echo "$line" | sed -n 's/.*rate limited \([0-9]*\),.*/\1/p')
full=$(echo "$line" | sed -n 's/.*ring buffer full \([0-9]*\),.*/\1/p')
echo "storm of $N handled SIGSEGVs: reported $reported, rate limited $limited, ring full $full"
[ "$limited" -gt 0 ] || fail "--rate-limit 10 never applied: $line"
# 10 per second per process: the storm lasts a few seconds at most.
[ "$reported" -le 100 ] || fail "$reported storm events despite --rate-limit 10"
[ $((reported + limited + full)) -eq $N ] ||
	fail "reported $reported + rate limited $limited + ring full $full != $N"
events "e['type'] == 'signal' and e['pid'] == $segv" >"$TMP/segv.ev"
assert_lines "$TMP/segv.ev" 1
assert_match "$TMP/segv.ev" '"handled": ?false'
pass "handled-signal storm rate-limited and counted; a concurrent crash still reported"
