#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# slow_syscall says where a call slept: a read on a pipe that another thread
# feeds 300 ms later, and a mutex another thread holds for 300 ms (futex).
# Each event's wait names the reason, carries the kernel stack the thread
# went off-CPU with (not the exit path), and its off_cpu_ns is within 10% of
# what the workload measured around the call. Then the same with the
# classic tracepoint and raw_tp fallback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

check() { # OUT-of-slow_waits REASON KERNEL-FRAME-REGEX
	local pid
	pid=$(sed -n 's/^slow_waits: pid \([0-9]*\) .*/\1/p' "$1")
	[ -n "$pid" ] || fail "no pid from slow_waits"
	events "e['type'] == 'slow_syscall' and e['pid'] == $pid and \
e['syscall'] in ('read', 'futex') and e['duration_ms'] > 200" >"$TMP/ev"
	python3 - "$TMP/ev" "$1" "$2" "$3" <<'PY' || fail "wrong wait for $2: $(cat "$TMP/ev")"
import json, re, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
measured = [float(l.split()[1]) for l in open(sys.argv[2]) if l.startswith("blocked ")]
reason, frame = sys.argv[3], re.compile(sys.argv[4])
assert len(evs) == len(measured) == 3, (len(evs), measured)
for e, ms in zip(evs, measured):
    w = e["wait"]
    assert w["reason"] == reason, w
    assert w["state"] == "S" and w["waits"] >= 1, w
    ks = w["kernel_stack"]
    assert any(frame.fullmatch(f or "") for f in ks), ks
    assert "syscall_exit_work" not in ks, ks
    off_ms = w["off_cpu_ns"] / 1e6
    assert abs(off_ms - ms) <= 0.1 * ms, (off_ms, ms)
    assert w["longest_ns"] <= w["off_cpu_ns"], w
    syms = [f.get("symbol") for f in e["stack"]]
    assert "syscall_exit_work" not in syms and syms[0] == ks[0], syms
PY
}

start_watch --events slow --slow-threshold 150 --slow-threshold futex=150
"$TOOLS/slow_waits" pipe 300 3 >"$TMP/pipe.out" || fail "slow_waits pipe failed"
"$TOOLS/slow_waits" mutex 300 3 >"$TMP/mutex.out" || fail "slow_waits mutex failed"
stop_watch
check "$TMP/pipe.out" pipe '(anon_)?pipe_read'
check "$TMP/mutex.out" futex 'futex_wait.*|futex_do_wait'
assert_match "$TMP/watch.err" 'hooks: .*sched_switch'
# The text line says it too.
"$FAULTLINE" watch --events slow --slow-threshold 150 -d 3 >"$TMP/text.out" 2>"$TMP/text.err" &
tw=$!
on_exit "kill -KILL $tw"
wait_ready "$tw" "$TMP/text.err" watch
"$TOOLS/slow_waits" pipe 300 1 >/dev/null || fail "slow_waits pipe failed"
wait $tw
assert_match "$TMP/text.out" 'read took [0-9.]+ ms, blocked [0-9]+ ms waiting on a pipe fd'

FAULTLINE_WATCH_FORCE_TP=1 start_watch --events slow --slow-threshold 150 \
	--slow-threshold futex=150
"$TOOLS/slow_waits" pipe 300 3 >"$TMP/pipe.out" || fail "slow_waits pipe failed"
"$TOOLS/slow_waits" mutex 300 3 >"$TMP/mutex.out" || fail "slow_waits mutex failed"
stop_watch
assert_match "$TMP/watch.err" 'hooks: .*raw_tp sched_switch'
check "$TMP/pipe.out" pipe '(anon_)?pipe_read'
check "$TMP/mutex.out" futex 'futex_wait.*|futex_do_wait'
pass "slow syscalls name their wait (pipe, futex) with the off-CPU stack and time"
