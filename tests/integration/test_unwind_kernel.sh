#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A whole-system `faultline profile` with default options walks user stacks
# in the kernel with .eh_frame tables: programs built without frame pointers
# (cpu_ratio_nofp, and Debian's xz compressing random bytes) must show whole
# stacks down from main (or, for stripped xz, libc's caller of main) in nearly every sample, cpu_ratio's 3:1 split must
# hold, and no frame of theirs may lie outside an executable mapping.
. "$(dirname "$0")/lib.sh"
need_root

"$TOOLS/cpu_ratio_nofp" 40 >"$TMP/pid" &
wpid=$!
on_exit "kill $wpid"
command -v xz >/dev/null || skip "xz is not installed"
xz -9 -T1 -c </dev/urandom >/dev/null &
xpid=$!
on_exit "kill $xpid"
for _ in $(seq 50); do [ -s "$TMP/pid" ] && break; sleep 0.1; done
[ "$(head -n1 "$TMP/pid")" = "$wpid" ] || fail "cpu_ratio_nofp did not print its pid"
sleep 1	# xz past its start-up

expect_exit 0 "$FAULTLINE" profile -d 8 -o "$TMP/out.json"
cp "$TMP/err" "$TMP/summary"
assert_match "$TMP/summary" '^profile: in-kernel unwinding: mappings of [0-9]+ processes' "summary"
assert_match "$TMP/summary" '^profile: user stacks ended: [0-9]+ reached the outermost frame' \
	"summary"

python3 - "$TMP/out.json" "$wpid" "$xpid" <<'PY' || fail "stacks are not whole (see above)"
import json, sys
doc = json.load(open(sys.argv[1]))
want = {int(sys.argv[2]): "cpu_ratio_nofp", int(sys.argv[3]): "xz"}
total = {p: 0 for p in want}
whole = {p: 0 for p in want}
a = b = 0
bad = []
for s in doc["stacks"]:
    if s["pid"] not in want:
        continue
    n = s["count"]
    user = [f for f in s["frames"] if f["kind"] != "kernel"]
    names = [f["name"] for f in user]
    total[s["pid"]] += n
    # xz is stripped: its main is the frame libc's __libc_start_call_main calls
    if "main" in names or "__libc_start_call_main" in names[:-1]:
        whole[s["pid"]] += n
    for f in user:
        # a frame is named from its mapping; one outside every mapping has none
        if f["kind"] not in ("user", "lost") or (f["kind"] == "user" and not f["module"]):
            bad.append(f"frame outside a mapping: {f}")
    if "burn_a" in names:
        a += n
    if "burn_b" in names:
        b += n
for p, comm in want.items():
    share = 100.0 * whole[p] / total[p] if total[p] else 0
    print(f"{comm}: {total[p]} samples, {share:.1f}% reach main")
    if total[p] < 100:
        bad.append(f"{comm}: too few samples to judge")
    elif share < 95:
        bad.append(f"{comm}: only {share:.1f}% of the samples reach main")
split = 100.0 * a / (a + b) if a + b else 0
print(f"cpu_ratio split: burn_a {a}, burn_b {b}: {split:.1f}% in burn_a (75 expected)")
if abs(split - 75) > 5:
    bad.append("cpu_ratio's 3:1 split is off by more than 5 points")
if bad:
    print("\n".join(bad[:5]))
    sys.exit(1)
PY
# -p walks in the kernel too; the sanitizer build loads tables without leaks or UB.
faultline_bin=$FAULTLINE
[ -x "${FAULTLINE_ASAN:-}" ] && faultline_bin=$FAULTLINE_ASAN
expect_exit 0 "$faultline_bin" profile -v -p "$wpid" -d 2 -o "$TMP/p.folded"
assert_match "$TMP/err" 'user stacks: walked in the kernel with .eh_frame tables' "-v output"
assert_match "$TMP/p.folded" '^cpu_ratio_nofp;_start;__libc_start_main;__libc_start_call_main;main;run_heavy;burn_a [0-9]+$' \
	"-p stacks"
pass "whole stacks of binaries without frame pointers, walked in the kernel"

# Across a signal frame: samples in a SIGALRM handler of a binary without frame
# pointers reach main through libc's __restore_rt and the interrupted loop.
"$TOOLS/signal_nofp" 20 &
spid=$!
on_exit "kill $spid"
sleep 0.3
expect_exit 0 "$FAULTLINE" profile -p "$spid" -d 3 -o "$TMP/signal.folded"
python3 - "$TMP/signal.folded" <<'PY' || fail "handler stacks do not cross the signal frame (above)"
import sys
total = handler = through = 0
for line in open(sys.argv[1]):
    stack, n = line.rsplit(" ", 1)
    n = int(n)
    total += n
    if "handler_work" in stack:
        handler += n
        if "main;wait_loop;" in stack and "__restore_rt;on_alarm;handler_work" in stack:
            through += n
print(f"samples {total}, in the handler {handler}, through the signal frame to main {through}")
if total < 50 or handler < 0.2 * total or through < 0.95 * handler:
    sys.exit(1)
PY
pass "stacks in a signal handler cross the signal frame to main"
