#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cost per syscall of tracing syscall latency, in one run, as ratios:
# a getppid() loop with no tracer, under `faultline watch --events slow`,
# under bpftrace doing the same sys_enter/sys_exit latency tracking, under
# libbpf-tools `syscount -L`, and under `strace -c -f`.
# Target: faultline's added cost <= 0.5x bpftrace's and <= syscount's.
#   bench/syscall-overhead/run.sh [CALLS] [ROUNDS]   (default 1000000 5)
#
# The ratios use the loop thread's CPU time per call, the minimum over the
# interleaved rounds: BPF programs on the syscall path run in that thread's
# context, so its CPU time includes their cost, but not the time other
# tenants of a shared machine take the CPU away. strace's cost is mostly in
# context switches to the tracer, so it is compared on wall-clock time.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
BUILD=${BUILD:-build}
FAULTLINE=${FAULTLINE:-$PWD/$BUILD/faultline}
LOOP=$PWD/$BUILD/tools/getppid_loop
CALLS=${1:-1000000}
ROUNDS=${2:-5}
CPU=${BENCH_CPU:-1}	# the loop runs here; tracers' userspace may use the other CPU
TMP=$(mktemp -d /tmp/faultline-bench.XXXXXX)
TRACER=

cleanup() {
	[ -n "$TRACER" ] && kill -INT "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
[ -x "$LOOP" ] && [ -x "$FAULTLINE" ] || { echo "bench: run 'make faultline tools'" >&2; exit 1; }

BPFTRACE_PROG='tracepoint:raw_syscalls:sys_enter { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@start[tid]/ {
	@usecs = hist((nsecs - @start[tid]) / 1000); delete(@start[tid]); }'
SYSCOUNT=$(command -v syscount || command -v libbpf-syscount || echo /usr/sbin/syscount)

# start_tracer READY-REGEX CMD...: runs CMD in the background until READY-REGEX
# (stdbuf: tools that print their banner with stdio would buffer it in a file)
# shows up in its output (it has attached).
start_tracer() {
	local ready=$1 i; shift
	"$@" >"$TMP/tracer.out" 2>&1 &
	TRACER=$!
	for i in $(seq 1 300); do
		grep -Eq "$ready" "$TMP/tracer.out" && { sleep 0.5; return 0; }
		kill -0 "$TRACER" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: $1 did not start: $(head -c 400 "$TMP/tracer.out")" >&2
	kill -KILL "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	TRACER=
	return 1
}

stop_tracer() {
	kill -INT "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	TRACER=
}

loop() { taskset -c "$CPU" "$LOOP" "${1:-$CALLS}"; }

# measure NAME: ns per call for one configuration.
measure() {
	case $1 in
	none) loop ;;
	faultline)
		start_tracer '^faultline: watching' "$FAULTLINE" watch --events slow || return 1
		loop; stop_tracer ;;
	bpftrace)
		start_tracer '^Attaching' bpftrace -e "$BPFTRACE_PROG" || return 1
		loop; stop_tracer ;;
	syscount)
		start_tracer '^Tracing syscalls' stdbuf -oL "$SYSCOUNT" -L || return 1
		loop; stop_tracer ;;
	strace)	# ~50x slower per call: fewer calls, same per-call figure
		taskset -c "$CPU" strace -c -f -o /dev/null "$LOOP" $((CALLS / 50)) ;;
	esac
}

configs=(none faultline bpftrace syscount strace)
for r in $(seq 1 "$ROUNDS"); do
	for c in "${configs[@]}"; do
		v=$(measure "$c") || { echo "bench: $c failed" >&2; exit 1; }
		echo "$c $v" >>"$TMP/results"
		printf 'round %d %-10s wall %8.1f cpu %8.1f ns/call\n' "$r" "$c" $v >&2
	done
done

python3 - "$TMP/results" "$CALLS" "$ROUNDS" <<'PY'
import statistics, sys
wall, cpu = {}, {}
for line in open(sys.argv[1]):
    name, w, c = line.split()
    wall.setdefault(name, []).append(float(w))
    cpu.setdefault(name, []).append(float(c))
names = ["none", "faultline", "bpftrace", "syscount", "strace"]
best = {k: min(cpu[k]) for k in names}
best["strace"] = min(wall["strace"])
mw = {k: statistics.median(wall[k]) for k in names}
base_cpu, base_wall = min(cpu["none"]), min(wall["none"])
print("syscall-overhead: getppid() x %s, %s interleaved rounds" % (sys.argv[2], sys.argv[3]))
print("%-10s %12s %12s %10s %14s" % ("tracer", "ns/call", "added ns", "x none", "median wall ns"))
add = {}
for k in names:
    base = base_wall if k == "strace" else base_cpu
    add[k] = best[k] - base
    print("%-10s %12.1f %12.1f %10.2f %14.1f" % (k, best[k], add[k], best[k] / base, mw[k]))
print("(ns/call: min thread CPU time per call; strace: min wall time per call)")
fb = add["faultline"] / add["bpftrace"] if add["bpftrace"] > 0 else float("nan")
fs = add["faultline"] / add["syscount"] if add["syscount"] > 0 else float("nan")
print("faultline added cost / bpftrace's: %.2f (target <= 0.5) %s" % (fb, "ok" if fb <= 0.5 else "MISSED"))
print("faultline added cost / syscount's: %.2f (target <= 1.0) %s" % (fs, "ok" if fs <= 1.0 else "MISSED"))
PY

echo
"$HERE/throughput.sh" 4 1 4 16
