#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The pprof writer's output, read by the real reader: `go tool pprof -top`
# and `-traces` on the fixture profile of test_output_pprof must print the
# right functions and counts and nothing on stderr (no warnings).
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-build}
writer=$BUILD/tests/test_output_pprof
command -v go >/dev/null || skip "go not installed (Debian golang-go, tools/install-deps.sh test)"
[ -x "$writer" ] || skip "$writer is not built: run make test (make test-integration does not build it)"

# go keeps caches under $HOME; pprof never fetches anything for a local file
export HOME=$TMP GOCACHE=$TMP/gocache PPROF_TMPDIR=$TMP
FAULTLINE_PPROF_OUT=$TMP/fixture.pb.gz "$writer" >"$TMP/writer.log" 2>&1 ||
	fail "test_output_pprof failed: $(tail -n 5 "$TMP/writer.log")"
[ -s "$TMP/fixture.pb.gz" ] || fail "no pprof file written"

pprof() { # OUT ARGS...: stdout to OUT, stderr must stay empty
	local out=$1; shift
	go tool pprof "$@" "$TMP/fixture.pb.gz" >"$out" 2>"$out.err" ||
		fail "go tool pprof $* exited $?: $(head -c 600 "$out.err")"
	[ ! -s "$out.err" ] || fail "go tool pprof $* warned: $(head -c 600 "$out.err")"
}

pprof "$TMP/top" -top -nodecount=100 -sample_index=samples
assert_match "$TMP/top" '^Type: samples$'
assert_match "$TMP/top" '^Duration: 5s, Total samples = 490 ' "-top header"
# flat (self) and cum (total) samples per function, as in the fixture
assert_match "$TMP/top" '^ +350 71\.43% +71\.43% +350 71\.43%  burn_a$' "-top burn_a"
assert_match "$TMP/top" '^ +100 20\.41% .* +100 20\.41%  burn_b$' "-top burn_b"
assert_match "$TMP/top" '^ +20 +4\.08% .* +20 +4\.08%  ksys_write$' "-top ksys_write"
assert_match "$TMP/top" '^ +0 +0% .* +483 98\.57%  main$' "-top main"
assert_match "$TMP/top" '^ +2 +0\.41% .*  \[lost stack\]$' "-top lost stack"
pass "go tool pprof -top reads the profile without warnings"

pprof "$TMP/cpu" -top -nodecount=5
assert_match "$TMP/cpu" '^Type: cpu$'
assert_match "$TMP/cpu" '^ +3535\.35ms 71\.43% .*  burn_a$' "-top cpu time"

pprof "$TMP/traces" -traces
assert_match "$TMP/traces" '^Build ID: 0123456789abcdef0123456789abcdef01234567$'
# Each trace on one line, "|" between lines: labels, then the frames leaf first.
tr -s ' ' <"$TMP/traces" | tr '\n' '|' >"$TMP/traces.flat"
prog100='\| comm: prog\| pid: 100\| tid: 100\|'
rec='LazyCompile:\*rec /app\.js:1\|'
assert_match "$TMP/traces.flat" "$prog100 202\\.02ms ksys_write\\| entry_SYSCALL_64\\| write\\| main\\|" \
	"-traces kernel stack"
assert_match "$TMP/traces.flat" "$prog100 3\\.03s burn_a\\| work\\| main\\|" "-traces burn_a stack"
assert_match "$TMP/traces.flat" "\\| comm: node\\| pid: 300\\| tid: 300\\| 101\\.01ms $rec $rec $rec main\\|" \
	"-traces JIT stack"
pass "go tool pprof -traces shows whole stacks, leaf first, with labels"
