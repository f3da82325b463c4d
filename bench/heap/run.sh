#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cost per malloc()+free() pair of tracing the heap, in one run, as ratios:
# a malloc/free loop with no tracer, under `faultline watch --heap PID`,
# under `--heap --heap-sample 524288`, and under bpftrace doing the same
# bookkeeping (uprobe malloc + uretprobe malloc + uprobe free, live bytes
# keyed by ustack). "traps" is bpftrace with the same three probes doing
# nothing: the floor any uprobe-based heap tracer pays on this machine.
#   bench/heap/run.sh [PAIRS] [ROUNDS] [SIZE]   (default 200000 3 64)
#
# The figures are the loop thread's CPU time per pair, the minimum over the
# interleaved rounds: uprobe traps and their BPF programs run in that
# thread's context, so its CPU time includes them, but not the time other
# tenants of a shared machine take the CPU away.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
BUILD=${BUILD:-build}
FAULTLINE=${FAULTLINE:-$PWD/$BUILD/faultline}
LOOP=$PWD/$BUILD/tools/malloc_loop
PAIRS=${1:-200000}
ROUNDS=${2:-3}
SIZE=${3:-64}
CPU=${BENCH_CPU:-1}
TMP=$(mktemp -d /tmp/faultline-bench.XXXXXX)
TRACER= TARGET=

cleanup() {
	[ -n "$TRACER" ] && kill -INT "$TRACER" 2>/dev/null && wait "$TRACER" 2>/dev/null
	[ -n "$TARGET" ] && kill -KILL "$TARGET" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
[ -x "$LOOP" ] && [ -x "$FAULTLINE" ] || { echo "bench: run 'make faultline tools'" >&2; exit 1; }
command -v bpftrace >/dev/null || { echo "bench: needs bpftrace" >&2; exit 1; }

# The loop waits for $TMP/go: tracers attach to its pid first.
start_loop() {
	rm -f "$TMP/go"
	taskset -c "$CPU" "$LOOP" "$PAIRS" "$SIZE" "$TMP/go" >"$TMP/loop.out" &
	TARGET=$!
	for _ in $(seq 1 100); do
		grep -q '^pid ' "$TMP/loop.out" && return 0
		sleep 0.05
	done
	echo "bench: malloc_loop did not start" >&2
	return 1
}

# The C library the loop maps: bpftrace probes it by path.
libc_of() {
	awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' /proc/"$1"/maps
}

bpftrace_prog() {
	local lib=$1 pid=$2
	cat <<BT
uprobe:$lib:malloc /pid == $pid/ { @size[tid] = arg0; }
uretprobe:$lib:malloc /pid == $pid && @size[tid]/ {
	@sz[retval] = @size[tid]; @st[retval] = ustack;
	@live[ustack] = sum(@size[tid]); delete(@size[tid]); }
uprobe:$lib:free /pid == $pid && @sz[arg0]/ {
	@live[@st[arg0]] = sum(-@sz[arg0]); delete(@sz[arg0]); delete(@st[arg0]); }
BT
}

empty_prog() {
	printf 'uprobe:%s:malloc /pid == %s/ { }\nuretprobe:%s:malloc /pid == %s/ { }\n' \
		"$1" "$2" "$1" "$2"
	printf 'uprobe:%s:free /pid == %s/ { }\n' "$1" "$2"
}

# start_tracer READY-REGEX CMD...: CMD in the background until it has attached.
start_tracer() {
	local ready=$1; shift
	"$@" >"$TMP/tracer.out" 2>&1 &
	TRACER=$!
	for _ in $(seq 1 300); do
		grep -Eq "$ready" "$TMP/tracer.out" && { sleep 0.5; return 0; }
		kill -0 "$TRACER" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: $1 did not start: $(head -c 400 "$TMP/tracer.out")" >&2
	return 1
}

# SIGINT, then SIGKILL after 10 s: bpftrace can hang detaching from an exited process.
stop_tracer() {
	kill -INT "$TRACER" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$TRACER" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	TRACER=
}

# measure NAME: "wall cpu" ns per pair for one configuration.
measure() {
	local pid
	start_loop || return 1
	pid=$(sed -n 's/^pid //p' "$TMP/loop.out")
	case $1 in
	heap) start_tracer '^faultline: watching' "$FAULTLINE" watch --heap "$pid" || return 1 ;;
	heap-sample) start_tracer '^faultline: watching' "$FAULTLINE" watch --heap "$pid" \
		--heap-sample 524288 || return 1 ;;
	bpftrace) bpftrace_prog "$(libc_of "$pid")" "$pid" >"$TMP/heap.bt"
		start_tracer '^Attaching' bpftrace "$TMP/heap.bt" || return 1 ;;
	traps) empty_prog "$(libc_of "$pid")" "$pid" >"$TMP/empty.bt"
		start_tracer '^Attaching' bpftrace "$TMP/empty.bt" || return 1 ;;
	esac
	touch "$TMP/go"
	wait "$TARGET"
	TARGET=
	[ -n "$TRACER" ] && stop_tracer
	tail -n 1 "$TMP/loop.out"
}

configs=(none heap heap-sample bpftrace traps)
for r in $(seq 1 "$ROUNDS"); do
	for c in "${configs[@]}"; do
		v=$(measure "$c") || { echo "bench: $c failed" >&2; exit 1; }
		echo "$c $v" >>"$TMP/results"
		printf 'round %d %-12s wall %9.1f cpu %9.1f ns/pair\n' "$r" "$c" $v >&2
	done
done

python3 - "$TMP/results" "$PAIRS" "$ROUNDS" "$SIZE" <<'PY'
import sys
cpu = {}
for line in open(sys.argv[1]):
    name, w, c = line.split()
    cpu.setdefault(name, []).append(float(c))
names = ["none", "heap", "heap-sample", "bpftrace", "traps"]
best = {k: min(cpu[k]) for k in names}
add = {k: best[k] - best["none"] for k in names}
print("heap-overhead: malloc(%s)+free x %s, %s interleaved rounds" % (sys.argv[4], sys.argv[2],
      sys.argv[3]))
print("%-12s %12s %12s" % ("tracer", "ns/pair", "added ns"))
for k in names:
    print("%-12s %12.1f %12.1f" % (k, best[k], add[k]))
print("(min thread CPU time per pair over the rounds)")
for k in ["heap", "heap-sample"]:
    print("faultline %s added cost / bpftrace's: %.2f; above the bare traps: %.0f ns vs "
          "bpftrace's %.0f ns" % (k, add[k] / add["bpftrace"], add[k] - add["traps"],
                                  add["bpftrace"] - add["traps"]))
PY
