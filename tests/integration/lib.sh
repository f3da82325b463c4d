# SPDX-License-Identifier: GPL-2.0
# Sourced by integration tests: assertions and helpers. Tests run as root
# against the real kernel; $FAULTLINE is the binary under test.
set -u
FAULTLINE=${FAULTLINE:-build/faultline}
FAULTLINE_ASAN=${FAULTLINE_ASAN:-build/faultline-asan}
TOOLS=${TOOLS:-build/tools}
TMP=$(mktemp -d /tmp/faultline-test.XXXXXX)
trap 'cleanup_test' EXIT
CLEANUP_CMDS=()

cleanup_test() {
	local c
	for c in "${CLEANUP_CMDS[@]}"; do eval "$c" >/dev/null 2>&1; done
	rm -rf "$TMP"
}

# on_exit CMD: run CMD when the test ends, pass or fail.
on_exit() { CLEANUP_CMDS+=("$1"); }

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
pass() { echo "ok: $*"; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }

# expect_exit CODE CMD...: runs CMD, output to $TMP/out and $TMP/err.
expect_exit() {
	local want=$1 rc; shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; stderr: $(head -c 600 "$TMP/err")"
}

# assert_match FILE REGEX [WHAT]
assert_match() {
	grep -Eq -- "$2" "$1" || fail "${3:-$1} does not match /$2/: $(head -c 800 "$1")"
}

assert_no_match() {
	! grep -Eq -- "$2" "$1" || fail "${3:-$1} unexpectedly matches /$2/"
}

assert_lines() { # FILE N: exactly N lines
	local n
	n=$(wc -l <"$1")
	[ "$n" = "$2" ] || fail "$1 has $n lines, expected $2: $(head -c 600 "$1")"
}
