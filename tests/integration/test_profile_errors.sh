#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input to `faultline profile`: one clear error line, a non-zero exit
# (2 for usage errors), and no output file left behind.
. "$(dirname "$0")/lib.sh"
need_root

one_error() { # WHAT: stderr has exactly one Error line, first
	head -n1 "$TMP/err" | grep -q '^Error: profile: ' || fail "$1: no error line: $(cat "$TMP/err")"
	[ "$(grep -c '^Error' "$TMP/err")" = 1 ] || fail "$1: more than one error line"
}

# A pid that does not exist (and is not about to: pids are handed out upward).
pid=$(( $(cat /proc/sys/kernel/pid_max) - 7 ))
while [ -e /proc/$pid ]; do pid=$((pid - 1)); done
expect_exit 1 "$FAULTLINE" profile -p $pid -d 1 -o "$TMP/a.folded"
one_error "-p $pid"
assert_match "$TMP/err" "$pid: no such process"
[ ! -e "$TMP/a.folded" ] || fail "output written for a missing pid"

expect_exit 2 "$FAULTLINE" profile -F 0 -d 1
one_error "-F 0"
assert_match "$TMP/err" "invalid --frequency '0'"

expect_exit 1 "$FAULTLINE" profile -d 1 -o /nonexistent-dir/out.svg
one_error "unwritable -o"
assert_match "$TMP/err" 'cannot write /nonexistent-dir/out.svg'

chmod 0555 "$TMP" 2>/dev/null
# root ignores directory modes; only check when it applies.
if touch "$TMP/probe" 2>/dev/null; then
	rm -f "$TMP/probe"
else
	expect_exit 1 "$FAULTLINE" profile -d 1 -o "$TMP/out.folded"
	one_error "read-only directory"
fi
chmod 0755 "$TMP"

expect_exit 2 "$FAULTLINE" profile -d 1 -o "$TMP/out.unknown"
one_error "unknown extension"
assert_match "$TMP/err" 'cannot tell the format'
# .txt could be folded stacks or the top table: refused, with the option to use
expect_exit 2 "$FAULTLINE" profile -d 1 -o "$TMP/p.txt"
one_error "-o p.txt"
assert_match "$TMP/err" "cannot tell the format from '.*/p.txt': add --format folded\|svg\|pprof\|json$"
expect_exit 2 "$FAULTLINE" profile --format flame -o "$TMP/x"
one_error "--format flame"
expect_exit 2 "$FAULTLINE" profile --kernel-only --user-only
one_error "--kernel-only --user-only"
expect_exit 2 "$FAULTLINE" profile -F 99 --period 1000000
one_error "-F with --period"
expect_exit 2 "$FAULTLINE" profile -p abc
one_error "-p abc"
expect_exit 2 "$FAULTLINE" profile -C 0-99999
one_error "-C 0-99999"
expect_exit 2 "$FAULTLINE" profile -C 1-0
one_error "-C 1-0"
expect_exit 2 "$FAULTLINE" profile --cgroup /tmp
one_error "--cgroup /tmp"
expect_exit 2 "$FAULTLINE" profile --no-such-option
one_error "--no-such-option"
expect_exit 2 "$FAULTLINE" profile -d
one_error "-d without a value"
expect_exit 2 "$FAULTLINE" profile --stack-map-size 0
one_error "--stack-map-size 0"

expect_exit 0 "$FAULTLINE" profile --help
assert_match "$TMP/out" '^Usage: faultline profile'
[ -z "$(ls "$TMP" | grep -v '^out$\|^err$')" ] || fail "files left behind: $(ls "$TMP")"
pass "bad input is refused clearly"
