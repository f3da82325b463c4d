#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Filters applied in BPF: --cgroup, --tid, --kernel-only, --user-only, -C,
# --period; each checked against what it must exclude.
. "$(dirname "$0")/lib.sh"
need_root

"$TOOLS/cpu_ratio" 30 >"$TMP/pid" &
wpid=$!
on_exit "kill $wpid"
sleep 0.3

# stacks FILE: "comm frames..." lines, for the checks below
only_comm() { # FILE COMM: every stack belongs to COMM
	local other
	other=$(grep -v "^$2;" "$1" | head -n3)
	[ -z "$other" ] || fail "$1 has stacks of other processes: $other"
}

# --cgroup: a v2 cgroup holding only the workload.
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$v2" ] && mkdir "$v2/faultline-test-$$" 2>/dev/null; then
	on_exit "echo $wpid > $v2/cgroup.procs; rmdir $v2/faultline-test-$$"
	echo $wpid >"$v2/faultline-test-$$/cgroup.procs" || fail "cannot move the workload"
	expect_exit 0 "$FAULTLINE" profile --cgroup "$v2/faultline-test-$$" -d 2 -o "$TMP/cg.folded"
	assert_match "$TMP/cg.folded" '^cpu_ratio;.*burn_a' "--cgroup profile"
	only_comm "$TMP/cg.folded" cpu_ratio
	# relative to the v2 root, like systemd names them
	expect_exit 0 "$FAULTLINE" profile --cgroup "faultline-test-$$" -d 1 -o "$TMP/cg2.folded"
	only_comm "$TMP/cg2.folded" cpu_ratio
else
	echo "no writable cgroup v2 hierarchy: --cgroup not checked"
fi

expect_exit 0 "$FAULTLINE" profile --tid $wpid -d 2 -o "$TMP/tid.folded"
assert_match "$TMP/tid.folded" '^cpu_ratio;.*burn_' "--tid profile"
only_comm "$TMP/tid.folded" cpu_ratio

# --user-only: no kernel frame anywhere; --kernel-only: nothing but kernel frames.
expect_exit 0 "$FAULTLINE" profile -p $wpid --user-only -d 2 -o "$TMP/user.folded"
assert_match "$TMP/user.folded" 'main;run_heavy;burn_a' "--user-only profile"
assert_no_match "$TMP/user.folded" '_\[k\]' "--user-only profile"
expect_exit 0 "$FAULTLINE" profile --kernel-only -d 2 -o "$TMP/kernel.folded"
if [ -s "$TMP/kernel.folded" ]; then
	python3 - "$TMP/kernel.folded" <<'PY' || fail "--kernel-only shows user frames"
import sys
for line in open(sys.argv[1]):
    frames = line.rpartition(" ")[0].split(";")[1:]
    if not all(f.endswith("_[k]") or f == "[lost stack]" for f in frames):
        print(line)
        sys.exit(1)
PY
fi

# -C 0 with --period 10 ms: samples only from CPU 0, at 100 per CPU second.
expect_exit 0 "$FAULTLINE" profile -C 0 --period 10000000 -d 2 -o "$TMP/cpu0.json"
assert_match "$TMP/err" '\(cpu-clock, every 10000000 ns, 1 CPUs\)' "summary"
pass "filters keep exactly what they select"
