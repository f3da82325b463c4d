#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `faultline probe` must tell the truth about this kernel, checked against
# independent evidence, and leave nothing attached.
. "$(dirname "$0")/lib.sh"
need_root

# What could outlive the process: tracefs-created probe events (legacy kprobe
# and uprobe attach) and pinned objects. BPF links themselves close with it.
tracefs_events() {
	local t
	for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		cat $t/kprobe_events $t/uprobe_events 2>/dev/null
	done | sort
}
tracefs_events >"$TMP/events.before"

expect_exit 0 "$FAULTLINE" probe --json
cp "$TMP/out" "$TMP/probe.json"
expect_exit 0 "$FAULTLINE" probe
cp "$TMP/out" "$TMP/probe.txt"

jq_bool() { # PATH in the JSON, e.g. features.btf.available
	python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("/"): v=v[k]
print("true" if v is True else "false" if v is False else v)' "$TMP/probe.json" "$1"
}

# BTF: the file is the evidence.
want=false; [ -r /sys/kernel/btf/vmlinux ] && want=true
[ "$(jq_bool features/btf/available)" = $want ] || fail "btf disagrees with the filesystem"

# Every tracepoint it reports must agree with tracefs (mounted by probe if needed).
tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || tracefs=/sys/kernel/debug/tracing
for tp in oom:mark_victim raw_syscalls:sys_enter raw_syscalls:sys_exit syscalls:sys_exit_connect \
	sock:inet_sk_error_report sock:inet_sock_set_state tcp:tcp_send_reset tcp:tcp_receive_reset \
	signal:signal_deliver sched:sched_process_exit sched:sched_process_exec; do
	want=false; [ -e "$tracefs/events/${tp%%:*}/${tp#*:}/id" ] && want=true
	[ "$(jq_bool "tracepoints/$tp/available")" = $want ] || fail "tracepoint $tp: probe says $(jq_bool "tracepoints/$tp/available"), tracefs says $want"
done

# kprobes exist when the kernel has the kprobe PMU or legacy kprobe_events.
want=false
{ [ -e /sys/bus/event_source/devices/kprobe ] || [ -e $tracefs/kprobe_events ]; } && want=true
[ "$(jq_bool features/kprobe/available)" = $want ] || fail "kprobe: probe says $(jq_bool features/kprobe/available), sysfs says $want"

# hardware cycles need a CPU PMU.
want=false; [ -e /sys/bus/event_source/devices/cpu ] && want=true
[ "$(jq_bool features/perf_hw/available)" = $want ] || fail "perf_hw disagrees with sysfs PMUs"
[ "$(jq_bool features/perf_sw/available)" = true ] || fail "cpu-clock sampling must work"

# The plan follows: profile on cycles only when the PMU exists.
if [ $want = false ]; then
	[ "$(jq_bool capabilities/profile/hook)" = "perf_event cpu-clock (software)" ] ||
		fail "profile should fall back to cpu-clock"
fi
# bpf_loop and bpf_find_vma are there (6.x): the profiler's unwinder must load.
[ "$(jq_bool features/kernel_unwind/available)" = true ] ||
	fail "in-kernel unwinding should load here: $(jq_bool features/kernel_unwind/detail)"
[ "$(jq_bool capabilities/unwind/hook)" = "in-kernel .eh_frame tables (profile, watch, record)" ] ||
	fail "profile should walk user stacks in the kernel"
for cap in profile unwind oom fd conn slow signal; do
	assert_match "$TMP/probe.txt" "^$cap +" "capability table"
done

# On the test machines, the documented truth (PLATFORM.md).
if [ ! -e /sys/bus/event_source/devices/kprobe ]; then
	assert_match "$TMP/probe.txt" '^kprobe +no ' "table"
	assert_match "$TMP/probe.txt" '^tracepoint +yes ' "table"
fi

# Nothing left behind: no probe events created in tracefs, nothing pinned.
tracefs_events >"$TMP/events.after"
diff -q "$TMP/events.before" "$TMP/events.after" >/dev/null ||
	fail "tracefs probe events changed: $(diff "$TMP/events.before" "$TMP/events.after")"
if mountpoint -q /sys/fs/bpf 2>/dev/null; then
	! find /sys/fs/bpf -name 'probe_*' | grep -q . || fail "probe objects pinned in /sys/fs/bpf"
fi

# The sanitizer build probes cleanly too (leaks, UB).
if [ -x "$FAULTLINE_ASAN" ]; then
	expect_exit 0 "$FAULTLINE_ASAN" probe --json
fi
pass "probe agrees with the kernel"
