#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Command-line contract: exit codes, one-line errors with a hint, help, version.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$FAULTLINE" --version
assert_match "$TMP/out" '^faultline [0-9]+\.[0-9]+\.[0-9]+$'

expect_exit 0 "$FAULTLINE" --help
for c in probe profile watch record report help; do
	assert_match "$TMP/out" "^  $c " "top-level help"
done

expect_exit 2 "$FAULTLINE"
expect_exit 2 "$FAULTLINE" frobnicate
assert_match "$TMP/err" "^Error: unknown command 'frobnicate'$"
assert_match "$TMP/err" "faultline --help"
assert_lines "$TMP/err" 2

expect_exit 2 "$FAULTLINE" --bogus probe
assert_match "$TMP/err" "unknown option '--bogus'"

expect_exit 2 "$FAULTLINE" probe --no-such-flag
assert_match "$TMP/err" "^Error: probe: unknown option '--no-such-flag'$"
assert_match "$TMP/err" "^Try 'faultline probe --help'.$"
assert_lines "$TMP/err" 2

expect_exit 2 "$FAULTLINE" probe -Z
assert_match "$TMP/err" "unknown option '-Z'"

expect_exit 2 "$FAULTLINE" probe extra-arg
assert_match "$TMP/err" "unexpected argument 'extra-arg'"

for c in probe profile watch record report; do
	expect_exit 0 "$FAULTLINE" "$c" --help
	assert_match "$TMP/out" "^Usage: faultline $c" "$c --help"
	expect_exit 0 "$FAULTLINE" help "$c"
	assert_match "$TMP/out" "^Usage: faultline $c" "help $c"
done
expect_exit 2 "$FAULTLINE" help nope
pass "cli contract"
