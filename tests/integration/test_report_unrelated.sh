#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scenario 3, real events: two unrelated faults at the same moment in two
# processes started by the same shell (a SIGSEGV in segv, fd exhaustion in
# fd_leaker) are two incidents, each with its own root cause.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root
[ -x "$TOOLS/segv" ] && [ -x "$TOOLS/fd_leaker" ] || skip "tools/segv or tools/fd_leaker not built"

start_record "$TMP/two.rec" --events fd,signal --no-profile
"$TOOLS/segv" 300 >"$TMP/segv.out" 2>&1 &
segv=$!
"$TOOLS/fd_leaker" --limit 128 >"$TMP/leaker.out" 2>&1 &
leaker=$!
wait "$segv"
rc=$?
[ "$rc" = 139 ] || [ "$rc" = 11 ] || fail "segv exited $rc, expected SIGSEGV"
wait "$leaker"
stop_record "$TMP/two.rec"
report_json "$TMP/two.rec"

python3 - "$TMP/report.json" "$segv" "$leaker" <<'PY' || fail "wrong incidents: $(head -c 3000 "$TMP/report.txt")"
import json, sys
d, segv, leaker = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
def incidents_of(pid):
    return [i for i in d["incidents"] if any(p["pid"] == pid for p in i["processes"])]
a, b = incidents_of(segv), incidents_of(leaker)
assert len(a) == 1 and len(b) == 1, (len(a), len(b))
assert a[0]["id"] != b[0]["id"], "one incident for two unrelated faults"
ra, rb = a[0]["root_cause"], b[0]["root_cause"]
assert ra["type"] == "signal" and ra["signal"] == "SIGSEGV" and ra["pid"] == segv, ra
assert "crash_here" in [f.get("symbol") for f in ra["stack"]], ra["stack"]
# Recorded frames carry their file's build-id, for re-symbolization elsewhere.
f = [f for f in ra["stack"] if f.get("symbol") == "crash_here"][0]
assert len(f.get("build_id", "")) >= 32 and int(f["build_id"], 16) >= 0, f
assert rb["type"] == "fd_exhausted" and rb["pid"] == leaker, rb
assert all(p["pid"] != leaker for p in a[0]["processes"])
assert all(p["pid"] != segv for p in b[0]["processes"])
PY
assert_match "$TMP/report.txt" "segv \\(pid $segv\\) crashed: SIGSEGV \\(SEGV_MAPERR\\) in crash_here"
assert_match "$TMP/report.txt" "fd_leaker \\(pid $leaker\\) ran out of file descriptors"
pass "two unrelated faults: two incidents"
