#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Maps far too small for the load: samples are lost, and every lost one must
# be reported in the summary and still appear in the output as [lost stack]
# (nothing silently dropped): the output's total equals the summary's.
. "$(dirname "$0")/lib.sh"
need_root

# Varied stacks: a process walking directories, another compressing, for as long as
# both profiles (each loads for a second or two before sampling) run.
( end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do
	find /usr/lib /usr/share -maxdepth 3 >/dev/null 2>&1
done ) &
on_exit "kill $!"
( end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do
	head -c 20000000 /dev/urandom | gzip -1 >/dev/null
done ) &
on_exit "kill $!"

check() { # FILE: folded totals agree with the summary in $TMP/err
	python3 - "$1" "$TMP/err" <<'PY'
import re, sys
total = lost = 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip("\n").rpartition(" ")
    total += int(n)
    if "[lost stack]" in stack.split(";"):
        lost += int(n)
err = open(sys.argv[2]).read()
samples = int(re.search(r"^profile: (\d+) samples in", err, re.M).group(1))
reported = int(re.search(r"^profile: (\d+) samples lost", err, re.M).group(1))
print(f"output: {total} samples, {lost} lost; summary: {samples} samples, {reported} lost")
sys.exit(0 if total == samples and lost == reported and reported > 0 else 1)
PY
}

expect_exit 0 "$FAULTLINE" profile -F 999 -d 3 --stack-map-size 64 -o "$TMP/small.folded"
check "$TMP/small.folded" || fail "stack map loss not accounted for: $(cat "$TMP/err")"
assert_match "$TMP/err" 'over 1% lost to the stack map: try --stack-map-size' "summary"

expect_exit 0 "$FAULTLINE" profile -F 999 -d 3 --counts-map-size 64 -o "$TMP/counts.folded"
check "$TMP/counts.folded" || fail "counts map loss not accounted for: $(cat "$TMP/err")"
assert_match "$TMP/counts.folded" '^\[lost\];\[lost stack\] [0-9]+$' "counts-full stack"
assert_match "$TMP/err" 'counts map full: try --counts-map-size' "summary"
pass "every lost sample is reported and shown"
