#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs one libFuzzer target for a bounded time: first the committed crash
# inputs of tests/fuzz/regressions/NAME/ once each, then fuzzing from the
# committed corpus tests/fuzz/corpus/NAME/.
#
#   tests/fuzz/run.sh [--keep] SECONDS BUILD/fuzz/fuzz_NAME
#
# Without --keep the corpus is copied to a scratch directory and dropped
# afterwards (the repository is never written); with --keep it grows in
# $BUILD/fuzz/corpus/NAME across runs. A crash exits 1 and names the input
# that reproduces it, saved under $BUILD/fuzz/artifacts/NAME/.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

keep=0
if [ "${1:-}" = --keep ]; then
	keep=1
	shift
fi
if [ $# -ne 2 ]; then
	echo "usage: tests/fuzz/run.sh [--keep] SECONDS BUILD/fuzz/fuzz_NAME" >&2
	exit 2
fi
secs=$1 bin=$2
name=$(basename "$bin")
name=${name#fuzz_}
if [ ! -x "$bin" ]; then
	echo "SKIP: $bin is not built (make fuzz-build)"
	exit 77
fi

artifacts=$BUILD/fuzz/artifacts/$name
logdir=$BUILD/fuzz/logs
mkdir -p "$artifacts" "$logdir"
log=$logdir/$name.log
if [ $keep = 1 ]; then
	corpus=$BUILD/fuzz/corpus/$name
	mkdir -p "$corpus"
else
	corpus=$(mktemp -d "${TMPDIR:-/tmp}/faultline-fuzz-$name.XXXXXX") || exit 1
	trap 'rm -rf "$corpus"' EXIT
fi
[ -d "tests/fuzz/corpus/$name" ] && cp -n "tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null

# Leaks are bugs too; a sanitizer report aborts so that libFuzzer saves the input.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

fail() {
	echo "FAIL: fuzz_$name: $1"
	grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5
	# Fuzzing saves the input it crashed on; a replay names the file it ran.
	{ sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		grep . || sed -n 's/^Running: //p' "$log"; } | tail -n 1 | sed 's/^/reproducer: /'
	echo "replay: $bin <reproducer>   (log: $log)"
	exit 1
}

regressions=(tests/fuzz/regressions/"$name"/*)
if [ -e "${regressions[0]}" ]; then
	"$bin" -close_fd_mask=3 "${regressions[@]}" >"$log" 2>&1 ||
		fail "a committed regression input crashes again"
	echo "fuzz_$name: ${#regressions[@]} regression input(s) replayed"
fi

# tests/fuzz/fuzz_NAME.dict: the words the parser looks for, if it has one.
dict=()
[ -f "tests/fuzz/fuzz_$name.dict" ] && dict=(-dict="tests/fuzz/fuzz_$name.dict")

# -close_fd_mask=3: the parsers' own messages are noise here (sanitizer
# reports still reach the log). One process: the machine is shared.
"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -close_fd_mask=3 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" \
	>"$log" 2>&1 ||
	fail "crashed while fuzzing"
# From libFuzzer's last status line: cov (edges), ft (features), corpus.
last=$(sed -n 's/.* \(cov: [0-9]* ft: [0-9]* corp: [^ ]*\).*/\1/p' "$log" | tail -n 1)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
echo "fuzz_$name: ${secs}s, $runs runs, $last"
