#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Events per second faultline watch delivers end to end (BPF -> ring buffer ->
# symbolized JSON line), and how many it loses, for K processes each making
# 1.1 ms clock_nanosleep calls reported as slow syscalls (no rate limit).
#   bench/syscall-overhead/throughput.sh [SECONDS] [K...]   (default 5 1 4 16)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FAULTLINE=${FAULTLINE:-$PWD/$BUILD/faultline}
TOOL=$PWD/$BUILD/tools/slow_read
SECS=${1:-5}
shift
[ $# -gt 0 ] || set -- 1 4 16
TMP=$(mktemp -d /tmp/faultline-tput.XXXXXX)
WATCH=
trap '[ -n "$WATCH" ] && kill -KILL $WATCH 2>/dev/null; rm -rf "$TMP"' EXIT

run() { # K: prints "K events/s lost"
	local k=$1 calls=$((SECS * 900)) pids=() i
	"$FAULTLINE" watch --json --events slow --rate-limit 0 --slow-threshold 100000 \
		--slow-threshold clock_nanosleep=1 >"$TMP/out" 2>"$TMP/err" &
	WATCH=$!
	for i in $(seq 1 300); do
		grep -q '^faultline: watching' "$TMP/err" && break
		sleep 0.1
	done
	rm -f "$TMP/go"
	for i in $(seq 1 "$k"); do
		"$TOOL" --storm "$calls" 1100 "$TMP/go" >/dev/null &
		pids+=($!)
	done
	sleep 0.3
	start=$EPOCHREALTIME
	touch "$TMP/go"
	wait "${pids[@]}"
	end=$EPOCHREALTIME
	sleep 0.5
	kill -INT $WATCH
	wait $WATCH
	WATCH=
	got=$(python3 -c 'import json, sys
pids = set(int(p) for p in sys.argv[2:])
print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("pid") in pids))' "$TMP/out" "${pids[@]}")
	# All losses count, including other processes' events (the ring is shared).
	lost=$(sed -n 's/^  lost: \([0-9]*\)$/\1/p' "$TMP/err")
	awk -v k="$k" -v g="$got" -v l="$lost" -v a="$start" -v b="$end" -v n="$((k * calls))" \
		'BEGIN { printf "%-4d %10d %10d %10d %12.0f\n", k, n, g, l, g / (b - a) }'
}

echo "throughput: K processes x ${SECS}s of 1.1 ms clock_nanosleep, each reported"
printf '%-4s %10s %10s %10s %12s\n' K made delivered lost "events/s"
for k in "$@"; do run "$k"; done
