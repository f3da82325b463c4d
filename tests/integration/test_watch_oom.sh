#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# oom_kill: oom_trigger in a memory cgroup limited to 64 MiB is OOM-killed;
# the event names it as victim and trigger, with its cgroup and a memcg OOM;
# watch filters on that cgroup (--cgroup with a v1 or v2 directory), by the
# victim's cgroup, not the trigger's. Also with the classic tracepoint.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

name=faultline-test-$$
memcg_create "$name" 64

# oom_run [ENV=VALUE]: one OOM kill of oom_trigger in $cg, checked; the
# classic tracepoint fallback (FAULTLINE_WATCH_FORCE_TP=1) has no victim memcg.
oom_run() {
	local classic=0
	[ "${1:-}" = FAULTLINE_WATCH_FORCE_TP=1 ] && classic=1
	export FAULTLINE_WATCH_FORCE_TP=$classic
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
	python3 - "$ev" "$pid" "/$name" $classic <<-'PY' || fail "wrong oom_kill event: $ev"
	import json, sys
	e, pid, cg = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
	classic = sys.argv[4] == "1"
	v, t = e["victim"], e["trigger"]
	assert e["pid"] == pid and e["comm"] == "oom_trigger", (e["pid"], e["comm"])
	assert v["comm"] == "oom_trigger" and v["pid"] == pid and v["tid"] == pid, v
	assert 32 * 1024 <= v["anon_rss_kb"] <= 80 * 1024, v["anon_rss_kb"]
	assert v["total_vm_kb"] >= v["anon_rss_kb"]
	if classic:
	    assert "memcg" not in v, v
	else:
	    assert v["memcg"] == cg, (v["memcg"], cg)
	    assert v["memcg_limit_kb"] == 64 * 1024, v["memcg_limit_kb"]
	assert t["pid"] == pid and t["comm"] == "oom_trigger", t
	assert e["constraint"] in (("memcg", "unknown") if classic else ("memcg",)), e["constraint"]
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
	if [ $classic = 1 ]; then
		assert_match "$TMP/watch.err" 'hooks: tracepoint oom:mark_victim$'
		assert_match "$TMP/watch.err" 'skipped: tp_btf mark_victim \(forced off'
	else
		assert_match "$TMP/watch.err" 'hooks: tp_btf mark_victim$'
	fi
	unset FAULTLINE_WATCH_FORCE_TP
}

oom_run
oom_run FAULTLINE_WATCH_FORCE_TP=1

# --cgroup selects by the victim's cgroup: the victim (oom_score_adj 1000)
# holds memory in $cg/victim, the allocation that runs $cg out of memory
# comes from $cg/trigger, outside the filter.
mkdir "$cg/victim" "$cg/trigger" || fail "cannot create child cgroups in $cg"
sh -c "echo \$\$ > $cg/victim/cgroup.procs && echo 1000 > /proc/self/oom_score_adj && exec \
	python3 -c 'import time; b = b\"x\" * (36 << 20); print(\"held\", flush=True); time.sleep(60)'" \
	>"$TMP/holder.out" &
holder=$!
on_exit "kill -KILL $holder; sleep 0.3; rmdir $cg/victim $cg/trigger; rmdir $cg"
for _ in $(seq 1 100); do grep -q held "$TMP/holder.out" && break; sleep 0.1; done
grep -q held "$TMP/holder.out" || fail "the memory holder did not start"
start_watch --events oom --cgroup "$cg/victim"
sh -c "echo \$\$ > $cg/trigger/cgroup.procs && exec $TOOLS/oom_trigger 40" 2>"$TMP/trigger.err"
rc=$?
wait $holder
hrc=$?
[ "$hrc" = 137 ] || fail "the holder exited $hrc, expected 137 (OOM-killed); trigger: $rc"
[ "$rc" = 3 ] || fail "oom_trigger exited $rc, expected 3 (its own limit reached)"
trig=$(sed -n 's/^oom_trigger: pid \([0-9]*\) .*/\1/p' "$TMP/trigger.err")
stop_watch
events "e['type'] == 'oom_kill'" >"$TMP/oom.ev"
assert_lines "$TMP/oom.ev" 1
python3 - "$(cat "$TMP/oom.ev")" $holder "$trig" <<'PY' || fail "wrong event: $(cat "$TMP/oom.ev")"
import json, sys
e = json.loads(sys.argv[1])
assert e["victim"]["pid"] == int(sys.argv[2]), e["victim"]
assert e["trigger"]["pid"] == int(sys.argv[3]), e["trigger"]
PY
pass "OOM kill in a memory cgroup: victim, trigger, memcg; classic tracepoint fallback"
