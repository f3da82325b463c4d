#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A storm of slow syscalls from one process: faultline stays up with bounded
# memory, and events reported + rate-limited + lost to a full ring buffer
# add up to exactly the syscalls made. Twice: with the default per-process
# rate limit, and with no rate limit and a tiny ring buffer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

N=2000

# storm ARGS...: one run; sets SUBMITTED, FULL, LIMITED, REPORTED.
storm() {
	local pid go=$TMP/go.$RANDOM
	rm -f "$TMP/storm.out"
	"$TOOLS/slow_read" --storm $N 1100 "$go" >"$TMP/storm.out" &
	STORM=$!
	on_exit "kill -KILL $STORM"
	for _ in $(seq 1 100); do [ -s "$TMP/storm.out" ] && break; sleep 0.05; done
	pid=$(sed -n 's/^slow_read: pid \([0-9]*\) .*/\1/p' "$TMP/storm.out")
	[ "$pid" = "$STORM" ] || fail "storm tool did not start"
	start_watch --events slow -p "$pid" --slow-threshold 10000 \
		--slow-threshold clock_nanosleep=1 "$@"
	touch "$go"
	wait "$STORM" || fail "storm tool failed"
	RSS_KB=$(awk '/^VmHWM:/ { print $2 }' /proc/$WATCH_PID/status)
	stop_watch
	line=$(grep '^  slow: submitted' "$TMP/watch.err") || fail "no slow summary line"
	SUBMITTED=$(echo "$line" | sed -n 's/.*submitted \([0-9]*\),.*/\1/p')
	FULL=$(echo "$line" | sed -n 's/.*ring buffer full \([0-9]*\),.*/\1/p')
	LIMITED=$(echo "$line" | sed -n 's/.*rate limited \([0-9]*\),.*/\1/p')
	REPORTED=$(events "e.get('pid') == $pid and e['syscall'] == 'clock_nanosleep'" | wc -l)
	echo "storm $*: reported $REPORTED submitted $SUBMITTED ring-full $FULL" \
		"rate-limited $LIMITED peak RSS ${RSS_KB} kB"
	[ "$REPORTED" = "$SUBMITTED" ] || fail "reported $REPORTED != submitted $SUBMITTED"
	[ $((SUBMITTED + FULL + LIMITED)) = $N ] ||
		fail "submitted $SUBMITTED + ring-full $FULL + rate-limited $LIMITED != $N"
	[ "$RSS_KB" -lt 262144 ] || fail "faultline peak RSS ${RSS_KB} kB"
	assert_match "$TMP/watch.err" "^  lost: $((FULL + LIMITED))\$"
}

storm
[ "$LIMITED" -gt 0 ] || fail "the default rate limit (100/s) never applied to ~900/s"
storm --rate-limit 0 --ringbuf-kb 4
[ "$LIMITED" = 0 ] || fail "--rate-limit 0 still limited $LIMITED"
pass "event storm accounted for: reported + dropped = generated"
