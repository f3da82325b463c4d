#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A process that starts in the middle of a system-wide profile, burns ~1.5 s
# of CPU and exits long before the profile ends must still get named frames:
# its maps have to be read while it is alive.
. "$(dirname "$0")/lib.sh"
need_root

# The profile spans the child's whole life, however slow a loaded machine
# makes it: stopped (SIGINT) a second after the child is gone.
"$FAULTLINE" profile -v -d 120 -o "$TMP/out.folded" 2>"$TMP/err" &
prof=$!
on_exit "kill $prof"
for _ in $(seq 100); do grep -q '^profile: sampling' "$TMP/err" && break; sleep 0.1; done
grep -q '^profile: sampling' "$TMP/err" || fail "profile did not start: $(cat "$TMP/err")"
"$TOOLS/short_burner" 0.5 1.5 >"$TMP/pid" || fail "short_burner failed"
sleep 1
kill -INT $prof
wait $prof
rc=$?
[ $rc = 0 ] || fail "profile exited $rc: $(cat "$TMP/err")"
[ -s "$TMP/out.folded" ] || fail "no profile written"

python3 - "$TMP/out.folded" <<'PY'
import sys
named = unnamed = 0
bad = []
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = stack.split(";")
    if frames[0] != "short_burner":
        continue
    if "child_main;short_lived_burn" in stack:
        named += int(count)
    elif any("short_burner+0x" in f or f.startswith("[unknown]") for f in frames):
        unnamed += int(count)
        bad.append(line[:300])
print(f"short-lived child: {named} samples named, {unnamed} unnamed")
print("".join(bad[:5]), end="")
# 1.5 s of CPU time at 99 Hz is ~150 cpu-clock samples, loaded machine or not.
sys.exit(0 if named >= 60 and unnamed <= named // 10 else 1)
PY
[ $? = 0 ] || fail "short-lived process not named; summary: $(cat "$TMP/err")"
pass "short-lived process has named frames"
