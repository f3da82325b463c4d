#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultline report on a recording of 10^6 events and 10 minutes of profile
# buckets: wall and CPU time and peak RSS per output format. Targets: <= 5 s
# (wall; on a loaded machine compare the CPU time), <= 200 MB.
#   bench/report/run.sh [EVENTS] [SECONDS]
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
EVENTS=${1:-1000000}
SECONDS_RECORDED=${2:-600}
FL=$BUILD/faultline
GEN=$BUILD/tools/gen_recording
[ -x "$FL" ] && [ -x "$GEN" ] || { echo "build first: make faultline tools" >&2; exit 1; }
TMP=$(mktemp -d /tmp/faultline-bench-report.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

"$GEN" -o "$TMP/big.rec" -n "$EVENTS" -s "$SECONDS_RECORDED"
printf 'recording: %d events, %d s of profile buckets, %s bytes compressed\n' "$EVENTS" \
	"$SECONDS_RECORDED" "$(stat -c %s "$TMP/big.rec")"
status=0
for fmt in text json html; do
	/usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$FL" -v report "$TMP/big.rec" \
		--format "$fmt" -o "$TMP/out.$fmt" 2>"$TMP/err"
	read -r secs user sys kb <"$TMP/time"
	printf '%-5s %6.2f s wall %5.2f s CPU  %6.1f MB peak RSS  %8s bytes out   (%s)\n' \
		"$fmt" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
		"$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$(stat -c %s "$TMP/out.$fmt")" \
		"$(grep -o 'read .*' "$TMP/err" | head -1)"
	awk -v s="$secs" -v k="$kb" 'BEGIN { exit !(s <= 5 && k <= 200 * 1024) }' ||
		{ echo "  over target (5 s, 200 MB)"; status=1; }
done
exit $status
