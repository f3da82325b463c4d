#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Without CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN, BPF commands fail fast, naming
# the missing capability.
. "$(dirname "$0")/lib.sh"
need_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"

drop="-bpf,-perfmon,-sys_admin"
run_dropped() {
	setpriv --inh-caps="$drop" --bounding-set="$drop" -- "$@"
}
run_dropped true 2>/dev/null || skip "setpriv cannot drop bpf/perfmon caps here"

expect_exit 1 run_dropped "$FAULTLINE" probe
assert_match "$TMP/err" "^Error: probe needs root or CAP_BPF and CAP_PERFMON"
assert_match "$TMP/err" "missing: CAP_BPF, CAP_PERFMON"
assert_lines "$TMP/err" 1

# Only CAP_PERFMON dropped: names just that one.
drop="-perfmon,-sys_admin"
expect_exit 1 run_dropped "$FAULTLINE" probe
assert_match "$TMP/err" "missing: CAP_PERFMON$"

# An unprivileged user, when the binary is reachable for it.
cp "$FAULTLINE" "$TMP/faultline" && chmod 755 "$TMP" "$TMP/faultline"
if setpriv --reuid=65534 --regid=65534 --clear-groups -- "$TMP/faultline" --version >/dev/null 2>&1; then
	expect_exit 1 setpriv --reuid=65534 --regid=65534 --clear-groups -- "$TMP/faultline" probe
	assert_match "$TMP/err" "missing: CAP_BPF, CAP_PERFMON"
fi
pass "capability checks"
