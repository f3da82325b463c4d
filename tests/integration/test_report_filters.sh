#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# report's filters on a real recording (a SIGSEGV, then fd exhaustion in
# another process 1.5 s later): each picks the incidents it names, with the
# IDs and contents of the unfiltered report; -o needs a known extension.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root
[ -x "$TOOLS/segv" ] && [ -x "$TOOLS/fd_leaker" ] || skip "tools/segv or tools/fd_leaker not built"

start_record "$TMP/two.rec" --events fd,signal --no-profile
"$TOOLS/segv" 100 >/dev/null 2>&1 &
segv=$!
{ wait $segv; } 2>/dev/null
sleep 1.5
"$TOOLS/fd_leaker" --limit 128 >/dev/null 2>&1 &
leaker=$!
wait $leaker
stop_record "$TMP/two.rec"
report_json "$TMP/two.rec"
cp "$TMP/report.json" "$TMP/all.json"

# filtered FILE ARGS...: the JSON report with ARGS in FILE.
filtered() {
	local out=$1; shift
	expect_exit 0 "$FAULTLINE" report "$TMP/two.rec" -f json -o "$out" "$@"
}
# Times to filter by, from the unfiltered report: the gap between the two
# incidents in seconds into the recording, and the recording's start clock.
read -r gap clock < <(python3 - "$TMP/all.json" "$segv" "$leaker" <<'PY'
import json, sys
from datetime import datetime
d, segv, leaker = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
inc = lambda pid: [i for i in d["incidents"] if any(p["pid"] == pid for p in i["processes"])][0]
a, b = inc(segv), inc(leaker)
assert t(a["end"]) < t(b["start"]), (a["end"], b["start"])
start = d["recording"]["start"]
print(f'{(t(a["end"]) + t(b["start"])) / 2 - t(start):.3f} {start[11:19]}')
PY
)
[ -n "$gap" ] || fail "no gap between the two incidents"
filtered "$TMP/pid.json" --pid "$segv"
filtered "$TMP/comm.json" --comm fd_leaker
filtered "$TMP/both.json" --comm fd_leaker --pid "$segv"
filtered "$TMP/either.json" --pid "$leaker" --pid "$segv"
filtered "$TMP/until.json" --until "$gap"
filtered "$TMP/since.json" --since "$gap"
filtered "$TMP/clock_until.json" --until "$clock"
filtered "$TMP/clock_since.json" --since "$clock"
filtered "$TMP/late.json" --since 86400
leaker_id=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print([i["id"] for i in d["incidents"] if i["root_cause"]["pid"] == int(sys.argv[2])][0])' \
	"$TMP/all.json" "$leaker")
filtered "$TMP/id.json" --incident "$leaker_id"

python3 - "$TMP" "$segv" "$leaker" <<'PY' || fail "filters"
import json, sys
tmp, segv, leaker = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load = lambda n: json.load(open(f"{tmp}/{n}.json"))
full = {i["id"]: i for i in load("all")["incidents"]}
root = lambda i: i["root_cause"]["pid"]
def check(name, want):
    d = load(name)
    # The recording is host-wide: other processes' faults may be incidents too.
    got = sorted(root(i) for i in d["incidents"] if root(i) in (segv, leaker))
    assert want or not d["incidents"], f"{name}: {len(d['incidents'])} incidents, want none"
    assert got == sorted(want), f"{name}: roots {got}, want {sorted(want)}"
    for i in d["incidents"]:  # the same incident as unfiltered
        f = full[i["id"]]
        assert (i["events"], i["start"], root(i)) == (f["events"], f["start"], root(f)), name
    assert d["filter"]["incidents_total"] == len(full), d["filter"]
check("pid", [segv])
check("comm", [leaker])
check("both", [])
check("either", [segv, leaker])
check("until", [segv])
check("since", [leaker])
check("clock_until", [])
check("clock_since", [segv, leaker])
check("late", [])
check("id", [leaker])
assert load("pid")["filter"]["pid"] == [segv]
assert load("since")["filter"]["since"] > load("all")["recording"]["start"]
PY

# The text report says what it left out, and when nothing is left.
expect_exit 0 "$FAULTLINE" report "$TMP/two.rec" --pid "$segv"
assert_match "$TMP/out" "^  Filter: pid $segv: 1 of [0-9]+ incidents shown$"
assert_match "$TMP/out" "segv \\(pid $segv\\) crashed: SIGSEGV"
assert_no_match "$TMP/out" "fd_leaker \\(pid $leaker\\)"
expect_exit 0 "$FAULTLINE" report "$TMP/two.rec" --since 86400
assert_match "$TMP/out" '^No incident matches the filter\.$'
expect_exit 2 "$FAULTLINE" report "$TMP/two.rec" --since 25:00:00
assert_match "$TMP/err" "^Error: report: invalid --since '25:00:00'"
expect_exit 2 "$FAULTLINE" report "$TMP/two.rec" --incident 0
expect_exit 0 "$FAULTLINE" report "$TMP/two.rec" --comm segv -o "$TMP/f.html"
assert_match "$TMP/f.html" '<p id="filter">Filter: comm segv: 1 of [0-9]+ incidents shown</p>'

# -o: the format from an extension that names one, else --format is asked for.
expect_exit 0 "$FAULTLINE" report "$TMP/two.rec" -o "$TMP/r.txt"
assert_match "$TMP/r.txt" 'incidents?, most severe first:$'
expect_exit 2 "$FAULTLINE" report "$TMP/two.rec" -o "$TMP/r.out"
assert_match "$TMP/err" "^Error: report: cannot tell the format from '.*/r.out': add --format text\|json\|html$"
[ ! -e "$TMP/r.out" ] || fail "report wrote r.out"
expect_exit 0 "$FAULTLINE" report "$TMP/two.rec" -o "$TMP/r.out" --format json
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/r.out" || fail "r.out is not JSON"
pass "report filters pick incidents without changing them"
