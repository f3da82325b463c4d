#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the unit tests (plain and ASan/UBSan builds) and the integration tests,
# the fuzz targets for a few seconds each, then prints one summary line.
# Usage: tests/run.sh [unit|integration|fuzz]...
#
# Integration tests are tests/integration/test_*.sh: exit 0 passes, 77 skips
# (with the reason on the last line of their output), anything else fails.
# The fuzz smoke test runs each $BUILD/fuzz/fuzz_* FUZZ_SMOKE_SECONDS (2) from
# the committed corpus, after replaying tests/fuzz/regressions/ (tests/fuzz/run.sh).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export FAULTLINE=${FAULTLINE:-$PWD/$BUILD/faultline}
export FAULTLINE_ASAN=$PWD/$BUILD/faultline-asan
export TOOLS=$PWD/$BUILD/tools
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit integration fuzz)

pass=0 fail=0 skip=0
failed=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run_one() {
	local name=$1; shift
	local log="$logdir/${name//\//_}.log" start rc secs
	start=$EPOCHREALTIME
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); printf '  PASS  %-48s %5ss\n' "$name" "$secs"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		printf '  SKIP  %-48s %s\n' "$name" "$(tail -n1 "$log")"
	else
		fail=$((fail + 1)); failed+=("$name")
		printf '  FAIL  %-48s %5ss (exit %d)\n' "$name" "$secs" "$rc"
		sed 's/^/        | /' "$log" | tail -n 40
	fi
}

for suite in "${suites[@]}"; do
	case $suite in
	unit)
		echo "unit tests:"
		for t in "$BUILD"/tests/test_*; do
			[ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
		done
		echo "unit tests under ASan+UBSan:"
		for t in "$BUILD"/asan/tests/test_*; do
			[ -x "$t" ] && run_one "asan/$(basename "$t")" "$t"
		done
		;;
	integration)
		echo "integration tests (real BPF, real kernel):"
		for t in tests/integration/test_*.sh; do
			run_one "integration/$(basename "$t" .sh)" bash "$t"
		done
		;;
	fuzz)
		echo "fuzz targets (${FUZZ_SMOKE_SECONDS:-2}s each, from the committed corpus):"
		for t in "$BUILD"/fuzz/fuzz_*; do
			[ -x "$t" ] && run_one "fuzz/$(basename "$t")" \
				tests/fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-2}" "$t"
		done
		;;
	*)
		echo "tests/run.sh: unknown suite '$suite'" >&2
		exit 2
		;;
	esac
done

echo
echo "SUMMARY: $pass passed, $fail failed, $skip skipped"
if [ $fail -ne 0 ]; then
	printf 'failed: %s\n' "${failed[*]}"
	exit 1
fi
