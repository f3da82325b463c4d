#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# oom_kill: oom_trigger in a memory cgroup limited to 64 MiB is OOM-killed;
# the event names it as victim and trigger, with its cgroup and a memcg OOM;
# watch filters on that cgroup (--cgroup with a v1 or v2 directory).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

name=faultline-test-$$
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/$name
	mkdir "$cg" || skip "cannot create a memory cgroup at $cg"
	on_exit "rmdir $cg"
	echo $((64 << 20)) >"$cg/memory.limit_in_bytes" || fail "cannot set the limit"
	# No swap in the group, so the limit ends in an OOM kill, not swapping.
	echo 0 >"$cg/memory.swappiness" 2>/dev/null
	echo $((64 << 20)) >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null
else
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$root" ] && grep -qw memory "$root/cgroup.controllers" 2>/dev/null ||
		skip "no memory cgroup controller (v1 or v2)"
	grep -qw memory "$root/cgroup.subtree_control" ||
		echo +memory >"$root/cgroup.subtree_control" || skip "cannot enable memory in v2"
	cg=$root/$name
	mkdir "$cg" || skip "cannot create a memory cgroup at $cg"
	on_exit "rmdir $cg"
	echo $((64 << 20)) >"$cg/memory.max"
	echo 0 >"$cg/memory.swap.max" 2>/dev/null
fi

# --cgroup on the memory cgroup itself: the BPF filter (v1 or v2) lets it through.
start_watch --events oom --cgroup "$cg"
# The shell joins the cgroup, then becomes oom_trigger: victim = trigger.
sh -c "echo \$\$ > $cg/cgroup.procs && exec $TOOLS/oom_trigger 2048" 2>"$TMP/trigger.err"
rc=$?
[ "$rc" = 137 ] || fail "oom_trigger exited $rc, expected 137 (SIGKILL): $(cat "$TMP/trigger.err")"
pid=$(sed -n 's/^oom_trigger: pid \([0-9]*\) .*/\1/p' "$TMP/trigger.err")
stop_watch TERM		# SIGTERM detaches as cleanly as Ctrl-C

events "e['type'] == 'oom_kill' and e['victim']['pid'] == $pid" >"$TMP/oom.ev"
assert_lines "$TMP/oom.ev" 1
ev=$(cat "$TMP/oom.ev")
python3 - "$ev" "$pid" "/$name" <<'PY' || fail "wrong oom_kill event: $ev"
import json, sys
e, pid, cg = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
v, t = e["victim"], e["trigger"]
assert e["pid"] == pid and e["comm"] == "oom_trigger", (e["pid"], e["comm"])
assert v["comm"] == "oom_trigger" and v["pid"] == pid
assert v["memcg"] == cg, (v["memcg"], cg)
assert 32 * 1024 <= v["anon_rss_kb"] <= 80 * 1024, v["anon_rss_kb"]
assert v["total_vm_kb"] >= v["anon_rss_kb"]
assert v["memcg_limit_kb"] == 64 * 1024, v["memcg_limit_kb"]
assert t["pid"] == pid and t["comm"] == "oom_trigger", t
assert e["constraint"] == "memcg", e["constraint"]
assert e["severity"] == "critical"
assert len(e["stack"]) > 2
PY
if have_symbolizer; then
	syms=$(echo "$ev" | stack_symbols | tr '\n' ' ')
	echo "$syms" | grep -qw grow_heap || fail "grow_heap not in the trigger's stack: $syms"
	echo "$syms" | grep -qw out_of_memory || fail "no OOM path in the kernel stack: $syms"
else
	echo "note: no symbolizer in this build; stack names not checked"
fi
assert_match "$TMP/watch.err" '^  events: [0-9]+.*oom_kill [0-9]+'
pass "OOM kill in a memory cgroup: victim, trigger, memcg"
