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

# wait_line FILE REGEX SECONDS: until a line of FILE matches; 1 on timeout.
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# memcg_create NAME MIB: a memory cgroup (v1 controller, else v2) limited to
# MIB with no swap, removed when the test ends; its path in $cg. Skips the
# test when no memory controller can be used.
memcg_create() {
	local bytes=$(($2 << 20)) root
	if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
		cg=/sys/fs/cgroup/memory/$1
		mkdir "$cg" || skip "cannot create a memory cgroup at $cg"
		on_exit "rmdir $cg"
		echo $bytes >"$cg/memory.limit_in_bytes" || fail "cannot set the limit"
		# No swap in the group, so the limit ends in an OOM kill, not swapping.
		echo 0 >"$cg/memory.swappiness" 2>/dev/null
		echo $bytes >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null
		return 0
	fi
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$root" ] && grep -qw memory "$root/cgroup.controllers" 2>/dev/null ||
		skip "no memory cgroup controller (v1 or v2)"
	grep -qw memory "$root/cgroup.subtree_control" ||
		echo +memory >"$root/cgroup.subtree_control" || skip "cannot enable memory in v2"
	cg=$root/$1
	mkdir "$cg" || skip "cannot create a memory cgroup at $cg"
	on_exit "rmdir $cg"
	echo $bytes >"$cg/memory.max"
	echo 0 >"$cg/memory.swap.max" 2>/dev/null
}

# wait_ready PID ERRFILE WHAT: until a background watch/record prints its
# "watching ... (Ctrl-C to stop)" banner; fails if it exits or takes 30 s.
wait_ready() {
	local i
	for i in $(seq 1 300); do
		grep -q '^faultline: watching .*(Ctrl-C to stop)$' "$2" && return 0
		kill -0 "$1" 2>/dev/null ||
			fail "$3 exited before it was ready: $(head -c 800 "$2")"
		sleep 0.1
	done
	fail "$3 not ready after 30 s: $(head -c 800 "$2")"
}
