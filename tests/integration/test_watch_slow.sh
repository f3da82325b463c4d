#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# slow_syscall: a read() that blocks ~300 ms on a pipe is reported once, as
# read, with its duration, the pipe, and slow_pipe_read() in the stack; a
# fast loop of syscalls produces no event.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

start_watch --events slow --slow-threshold 150
"$TOOLS/slow_read" 300 >"$TMP/slow.out" || fail "slow_read failed"
"$TOOLS/slow_read" --fast 200000 >/dev/null &
fast=$!
wait $fast
stop_watch

slow=$(sed -n 's/^slow_read: pid \([0-9]*\) .*/\1/p' "$TMP/slow.out")
[ -n "$slow" ] || fail "no pid from slow_read"
events "e.get('pid') == $slow" >"$TMP/mine"
assert_lines "$TMP/mine" 1
ev=$(cat "$TMP/mine")
python3 - "$ev" <<'PY' || fail "wrong slow_syscall event: $ev"
import json, sys
e = json.loads(sys.argv[1])
assert e["type"] == "slow_syscall", e["type"]
assert e["syscall"] == "read", e["syscall"]
assert 250 <= e["duration_ms"] <= 3000, e["duration_ms"]
assert e["comm"] == "slow_read", e["comm"]
assert e["tid"] == e["pid"]
assert e["fd"]["kind"] == "pipe" and e["fd"]["path"].startswith("pipe:["), e["fd"]
assert e["time"].endswith("Z") and "T" in e["time"]
assert len(e["stack"]) >= 2
for f in e["stack"]:
    assert f["addr"].startswith("0x") and set(f) >= {"addr", "module", "symbol", "offset"}
PY
events "e.get('pid') == $fast" >"$TMP/fast"
assert_lines "$TMP/fast" 0

if have_symbolizer; then
	echo "$ev" | stack_symbols | grep -Eq '^slow_pipe_read([.]|$)' ||
		fail "slow_pipe_read not in the stack: $(echo "$ev" | stack_symbols | tr '\n' ' ')"
else
	echo "note: no symbolizer in this build; stack names not checked"
fi
assert_match "$TMP/watch.err" '^  slow: submitted [0-9]+, lost: ring buffer full 0'
assert_match "$TMP/watch.err" 'hooks: .*sys_enter.*sys_exit'

# --cgroup filters in BPF: a slow read inside a v2 cgroup is reported, the same
# read outside is not; --hist aggregates only the cgroup's syscalls.
root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$root" ] && mkdir "$root/faultline-test-$$" 2>/dev/null; then
	cg=$root/faultline-test-$$
	on_exit "rmdir $cg"
	start_watch --events slow --slow-threshold 150 --cgroup "$cg" --hist
	sh -c "echo \$\$ > $cg/cgroup.procs && exec $TOOLS/slow_read 300" >"$TMP/in.out" ||
		fail "slow_read in the cgroup failed"
	"$TOOLS/slow_read" 300 >"$TMP/out.out"
	stop_watch
	in=$(sed -n 's/^slow_read: pid \([0-9]*\) .*/\1/p' "$TMP/in.out")
	out=$(sed -n 's/^slow_read: pid \([0-9]*\) .*/\1/p' "$TMP/out.out")
	events "e['type'] == 'slow_syscall' and e['pid'] == $in" >"$TMP/in.ev"
	assert_lines "$TMP/in.ev" 1
	assert_match "$TMP/in.ev" "\"cgroup\": \"/faultline-test-$$\""
	events "e['type'] == 'slow_syscall' and e['pid'] != $in" >"$TMP/others.ev"
	assert_lines "$TMP/others.ev" 0
	events "e['type'] == 'syscall_latency_histograms'" \
		"[h for h in e['histograms'] if h['syscall'] == 'read']" >"$TMP/hist"
	python3 - "$(cat "$TMP/hist")" <<'PY' || fail "no ~300 ms read in the histogram: $(cat "$TMP/hist")"
import json, sys
(read,) = json.loads(sys.argv[1])
assert any(b["min_us"] >= 131072 and b["count"] >= 1 for b in read["buckets"]), read
PY
	[ -n "$out" ] || fail "no pid from the second slow_read"
else
	echo "note: no writable cgroup v2 hierarchy; --cgroup not checked"
fi
pass "slow_syscall read of ~300 ms reported, fast loop silent, --cgroup and --hist"
