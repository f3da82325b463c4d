#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# watch's command line: bad input exits 2 with one error line and a hint.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$FAULTLINE" watch --help
assert_match "$TMP/out" '^Usage: faultline watch'
for src in oom slow signal; do
	assert_match "$TMP/out" "^  $src " "watch --help lists $src"
done

bad() { # EXPECTED-STDERR-REGEX ARGS...
	local want=$1; shift
	expect_exit 2 "$FAULTLINE" watch "$@"
	assert_match "$TMP/err" "^Error: watch: $want" "stderr of watch $*"
	assert_match "$TMP/err" "^Try 'faultline watch --help'.$"
	assert_lines "$TMP/err" 2
}

bad "unknown option '--bogus'" --bogus
bad "unknown option '-Z'" -Z
bad "option '--events' needs a value" --events
bad "unknown event source 'nope' in --events" --events oom,nope
bad "invalid --pid 'abc'" -p abc
bad "invalid --pid '0'" -p 0
bad "invalid --duration '0'" -d 0
bad "invalid --duration '1x'" -d 1x
bad "invalid --slow-threshold 'nosuchcall=5'" --slow-threshold nosuchcall=5
bad "invalid --slow-threshold 'fsync='" --slow-threshold fsync=
bad "invalid --slow-threshold '-1'" --slow-threshold -1
bad "invalid --fd-warn '101'" --fd-warn 101
bad "invalid --rate-limit 'x'" --rate-limit x
bad "--cgroup '/nonexistent-faultline': No such file" --cgroup /nonexistent-faultline
bad "unexpected argument 'extra'" extra

# As root: -d ends the run by itself, -v names the hooks attached.
if [ "$(id -u)" = 0 ]; then
	expect_exit 0 timeout 60 "$FAULTLINE" watch -v -d 1 --events slow,signal
	assert_match "$TMP/err" '^slow: attached tp_btf sys_enter, tp_btf sys_exit'
	assert_match "$TMP/err" '^signal: attached .*signal_deliver'
	assert_match "$TMP/err" '^faultline: watching slow, signal \(Ctrl-C to stop\)$'
	assert_match "$TMP/err" '^faultline: watch summary after [0-9]+\.[0-9] s$'
	assert_no_match "$TMP/err" '^oom:'
fi
pass "watch usage errors exit 2; -d and -v"
