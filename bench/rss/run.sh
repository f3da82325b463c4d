#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cost per page fault of the rss source, in one run, as ratios: a loop that
# maps, touches and unmaps anonymous memory (tools/fault_loop) with no
# tracer, under `faultline watch --events rss` (the default 256 KiB step:
# kmem:rss_stat runs on every fault, a stack is taken every 64 pages), and
# under `--rss-step 4096` (a stack at every fault: the worst case).
#   bench/rss/run.sh [MB] [ROUNDS] [REPEATS]   (default 64 40 5)
#
# The figures are the loop thread's CPU time per fault, the minimum over the
# interleaved repeats: the tracepoint and its BPF program run in the faulting
# thread, so its CPU time includes them, but not the time other tenants of a
# shared machine take the CPU away.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
BUILD=${BUILD:-build}
FAULTLINE=${FAULTLINE:-$PWD/$BUILD/faultline}
LOOP=$PWD/$BUILD/tools/fault_loop
MB=${1:-64}
ROUNDS=${2:-40}
REPEATS=${3:-5}
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

start_loop() {
	rm -f "$TMP/go"
	taskset -c "$CPU" "$LOOP" "$MB" "$ROUNDS" "$TMP/go" >"$TMP/loop.out" &
	TARGET=$!
	for _ in $(seq 1 100); do
		grep -q '^pid ' "$TMP/loop.out" && return 0
		sleep 0.05
	done
	echo "bench: fault_loop did not start" >&2
	return 1
}

# start_tracer ARGS...: faultline watch in the background until it has attached.
start_tracer() {
	"$FAULTLINE" watch "$@" >"$TMP/tracer.out" 2>"$TMP/tracer.err" &
	TRACER=$!
	for _ in $(seq 1 300); do
		grep -q '^faultline: watching' "$TMP/tracer.err" && { sleep 0.5; return 0; }
		kill -0 "$TRACER" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: watch did not start: $(head -c 400 "$TMP/tracer.err")" >&2
	return 1
}

stop_tracer() {
	kill -INT "$TRACER" 2>/dev/null
	wait "$TRACER" 2>/dev/null
	TRACER=
}

# measure NAME: "wall cpu" ns per fault for one configuration.
measure() {
	start_loop || return 1
	case $1 in
	rss) start_tracer --events rss || return 1 ;;
	rss-4k) start_tracer --events rss --rss-step 4096 || return 1 ;;
	esac
	touch "$TMP/go"
	wait "$TARGET"
	TARGET=
	[ -n "$TRACER" ] && stop_tracer
	tail -n 1 "$TMP/loop.out"
}

configs=(none rss rss-4k)
for r in $(seq 1 "$REPEATS"); do
	for c in "${configs[@]}"; do
		v=$(measure "$c") || { echo "bench: $c failed" >&2; exit 1; }
		echo "$c $v" >>"$TMP/results"
		printf 'repeat %d %-8s wall %8.1f cpu %8.1f ns/fault\n' "$r" "$c" $v >&2
	done
done

python3 - "$TMP/results" "$MB" "$ROUNDS" "$REPEATS" <<'PY'
import sys
cpu = {}
for line in open(sys.argv[1]):
    name, w, c = line.split()
    cpu.setdefault(name, []).append(float(c))
names = ["none", "rss", "rss-4k"]
best = {k: min(cpu[k]) for k in names}
print("rss-overhead: %s MiB mapped, touched and unmapped x %s, %s interleaved repeats" %
      (sys.argv[2], sys.argv[3], sys.argv[4]))
print("%-8s %12s %12s %8s" % ("tracer", "ns/fault", "added ns", "ratio"))
for k in names:
    print("%-8s %12.1f %12.1f %8.3f" % (k, best[k], best[k] - best["none"], best[k] / best["none"]))
print("(min thread CPU time per fault over the repeats, munmap included)")
PY
