#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profile --off-cpu charges each known wait its measured time: a pipe read fed
# after 60 ms, a mutex held 40 ms by another thread, a 100 ms sleep, ten
# times each (tools/offcpu_waits prints what each took). Stacks are whole
# through libc (walked in the kernel), every format states its unit, and the
# filters refuse what cannot apply.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$TOOLS/offcpu_waits" ] || skip "tools/offcpu_waits not built"

expect_exit 2 "$FAULTLINE" profile --min-block 10 -d 1
assert_match "$TMP/err" 'need --off-cpu'
expect_exit 2 "$FAULTLINE" profile --off-cpu -F 99 -d 1
expect_exit 2 "$FAULTLINE" profile --off-cpu --state X -d 1

# run_waits FILE ARGS...: profile one offcpu_waits run (profile stops when it exits).
run_waits() {
	local out=$1; shift
	"$TOOLS/offcpu_waits" 10 >"$TMP/waits.out" &
	local pid=$!
	wait_line "$TMP/waits.out" '^[0-9]+$' 5 || fail "offcpu_waits did not start"
	on_exit "kill $pid"
	: >"$TMP/profile.err"
	"$FAULTLINE" profile -v --off-cpu -p "$pid" "$@" -o "$out" 2>"$TMP/profile.err" &
	local prof=$!
	wait_line "$TMP/profile.err" 'profile: sampling' 30 || fail "profile did not start: $(cat "$TMP/profile.err")"
	kill -USR1 "$pid"
	wait "$prof" || fail "profile --off-cpu failed: $(cat "$TMP/profile.err")"
	wait "$pid" || fail "offcpu_waits failed"
}

run_waits "$TMP/w.folded" --pid-in-name
# The whole stack, through libc (no frame pointers there): main;wait_X;blocking_Y;libc...
for site in wait_pipe:blocking_read wait_mutex:blocking_lock wait_sleep:blocking_sleep; do
	caller=${site%%:*} callee=${site##*:}
	want=$(awk -v s=$caller '$1 == s { print $2 }' "$TMP/waits.out")
	got=$(awk -v s=";main;$caller;$callee;" 'index($0, s) { n += $NF }
		END { printf "%.1f", n / 1000 }' "$TMP/w.folded")
	python3 -c "import sys; w, g = float(sys.argv[1]), float(sys.argv[2]);
sys.exit(0 if abs(g - w) <= 0.1 * w else 1)" "$want" "$got" ||
		fail "$caller;$callee: $got ms off-CPU, measured $want ms: $(grep $callee "$TMP/w.folded" | head -3)"
	echo "main;$caller;$callee: $got ms off-CPU, measured $want ms"
done
assert_match "$TMP/profile.err" 'ms off-CPU in [0-9]+ waits'
pass "each wait charged its measured time, whole stacks through libc"

# --wakers: each wait followed by "--" and what ended it, offwaketime-style.
run_waits "$TMP/k.folded" --wakers
waker_of() { # CALLEE: the waker part of its chains
	grep ";$1;" "$TMP/k.folded" | sed 's/.*;--;//'
}
waker_of blocking_read | grep -q 'pipe_write_\[k\].*;write;helper;' ||
	fail "the pipe's waker is not the writing helper thread: $(waker_of blocking_read | head -2)"
waker_of blocking_lock | grep -q 'futex_wake_\[k\].*;helper;' ||
	fail "the mutex's waker is not the unlocking helper: $(waker_of blocking_lock | head -2)"
waker_of blocking_sleep | grep -q 'hrtimer_wakeup_\[k\].*\[interrupt\] ' ||
	fail "the sleep's waker is not a timer interrupt: $(waker_of blocking_sleep | head -2)"
want=$(awk '$1 == "wait_pipe" { print $2 }' "$TMP/waits.out")
got=$(awk '/;blocking_read;/ { n += $NF } END { printf "%.1f", n / 1000 }' "$TMP/k.folded")
python3 -c "import sys; w, g = float(sys.argv[1]), float(sys.argv[2]);
sys.exit(0 if abs(g - w) <= 0.1 * w else 1)" "$want" "$got" ||
	fail "--wakers: the pipe waits add up to $got ms, measured $want ms"
pass "--wakers names the writer, the unlocker and the timer interrupt"

# Only uninterruptible sleeps: these three waits are all interruptible.
run_waits "$TMP/d.folded" --state D
assert_no_match "$TMP/d.folded" 'wait_(pipe|mutex|sleep)' "--state D"
pass "--state D leaves interruptible waits out"

run_waits "$TMP/w.svg"
assert_match "$TMP/w.svg" 'ms off-CPU'
assert_match "$TMP/w.svg" 'Off-CPU profile'
command -v xmllint >/dev/null && { xmllint --noout "$TMP/w.svg" || fail "SVG not well-formed"; }
run_waits "$TMP/w.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["metadata"]["unit"] == "microseconds_off_cpu", d["metadata"]
assert any(s.get("switches") for s in d["stacks"])' "$TMP/w.json" || fail "JSON has no unit"
if command -v go >/dev/null; then
	run_waits "$TMP/w.pb.gz"
	export HOME=$TMP GOCACHE=$TMP/gocache PPROF_TMPDIR=$TMP
	go tool pprof -sample_index=off_cpu -top "$TMP/w.pb.gz" >"$TMP/top" 2>"$TMP/top.err" ||
		fail "go tool pprof failed: $(cat "$TMP/top.err")"
	[ ! -s "$TMP/top.err" ] || fail "go tool pprof warned: $(cat "$TMP/top.err")"
	assert_match "$TMP/top" 'Type: off_cpu'
	assert_match "$TMP/top" 'wait_sleep'
	go tool pprof -sample_index=switches -top "$TMP/w.pb.gz" >"$TMP/sw" 2>&1 ||
		fail "no switches sample type"
fi
pass "SVG, JSON and pprof state the off-CPU unit"
