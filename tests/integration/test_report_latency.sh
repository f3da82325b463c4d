#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A latency incident says where the time went: slow_waits' main thread waits
# three times 300 ms for a mutex another thread holds while computing (futex). The recording
# keeps off-CPU time with wakers; the report's latency incident names the
# futex (a lock) in its evidence and next steps, its top blocking stack (text
# and JSON) reaches main and was woken by the holder thread in hold_the_lock,
# and the HTML page draws the off-CPU flame graph next to the CPU one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

# With -p, off-CPU time is kept from the start.
"$TOOLS/slow_waits" mutex 300 3 wait >"$TMP/mutex.out" &
sw=$!
on_exit "kill -KILL $sw"
wait_line "$TMP/mutex.out" '^slow_waits: pid' 10 || fail "slow_waits did not start"
pid=$(sed -n 's/^slow_waits: pid \([0-9]*\) .*/\1/p' "$TMP/mutex.out")
start_record "$TMP/lat.rec" -p "$pid" --events slow --slow-threshold 150 \
	--slow-threshold futex=150
kill -USR1 "$pid"
wait "$sw" || fail "slow_waits mutex failed"
stop_record "$TMP/lat.rec"

zcat "$TMP/lat.rec" | python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin]
assert recs[0]["version"] == 2, recs[0]
off = [r for r in recs if r["rec"] == "offcpu"]
assert off and {r["state"] for r in off} <= {"S", "D"}, off[:1]
assert all(len(s) == 3 and s[1] > 0 and s[2] > 0 for r in off for s in r["samples"])
' || fail "no well-formed offcpu records in the recording"

"$FAULTLINE" report "$TMP/lat.rec" --pid "$pid" -f json -o "$TMP/report.json" ||
	fail "report -f json failed"
"$FAULTLINE" report "$TMP/lat.rec" --pid "$pid" >"$TMP/report.txt" || fail "report failed"
python3 - "$TMP/report.json" "$pid" "$TMP/mutex.out" <<'PY' ||
import json, sys
doc, pid = json.load(open(sys.argv[1])), int(sys.argv[2])
incs = [i for i in doc["incidents"] if i["root_cause"]["type"] == "slow_syscall"
        and i["root_cause"]["pid"] == pid]
assert len(incs) == 1, [i["title"] for i in doc["incidents"]]
inc = incs[0]
assert inc["root_cause"]["syscall"] == "futex" and inc["root_cause"]["wait"]["reason"] == "futex"
assert any("futex" in e for e in inc["evidence"]), inc["evidence"]
step = inc["next_steps"][0]
assert "lock (futex)" in step and "hold_the_lock" in step, inc["next_steps"]
off = inc["off_cpu"]
top = off["top"][0]
assert top["pid"] == pid and top["tid"] == pid, top
assert top["reason"] == "futex" and top["state"] == "S", top
assert "main" in top["stack"] and "wait_on_mutex" in top["stack"], top["stack"]
# The workload timed its three lock waits itself; the recording's time agrees.
measured = sum(float(l.split()[1]) for l in open(sys.argv[3]) if l.startswith("blocked "))
assert top["waits"] >= 3 and abs(top["ms"] - measured) <= 0.1 * measured, (top, measured)
assert top["waker"]["comm"] == "slow_waits" and top["waker"]["where"] == "hold_the_lock", top
assert "hold_the_lock" in top["waker"]["stack"], top["waker"]
assert top["summary"].startswith("blocked in wait_on_mutex"), top["summary"]
PY
	fail "wrong latency incident: $(cat "$TMP/report.txt")"
assert_match "$TMP/report.txt" '^  Off-CPU .*slept'
assert_match "$TMP/report.txt" \
	'S futex .*blocked in wait_on_mutex .*<- woken by slow_waits in hold_the_lock'
assert_match "$TMP/report.txt" 'waited for a lock \(futex\).*hold_the_lock'

"$FAULTLINE" report "$TMP/lat.rec" --pid "$pid" -f html -o "$TMP/report.html" ||
	fail "report -f html failed"
python3 - "$TMP/report.html" <<'PY' || fail "the HTML report lacks its flame graphs"
import html.parser, sys, xml.dom.minidom
class Frames(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.frames = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "iframe":
            self.frames.append((a.get("title"), a.get("srcdoc", "")))
p = Frames()
p.feed(open(sys.argv[1]).read())
titles = [t for t, _ in p.frames]
assert "CPU flame graph" in titles and "Off-CPU flame graph" in titles, titles
for title, doc in p.frames:
    svg = doc[doc.index("<svg"):doc.rindex("</svg>") + 6]
    xml.dom.minidom.parseString(svg)	# well-formed
    if title == "Off-CPU flame graph":
        assert "wait_on_mutex" in svg and "hold_the_lock" in svg and "futex_wait" in svg
    else:	# the holder computes with the lock held: on CPU
        assert "hold_the_lock" in svg
PY
# Without -p, a process is followed from its first slow syscall on: the
# later waits are there, never more than the workload measured.
start_record "$TMP/lazy.rec" --events slow --slow-threshold 150 --slow-threshold futex=150
"$TOOLS/slow_waits" mutex 300 6 >"$TMP/lazy.out" || fail "slow_waits mutex failed"
stop_record "$TMP/lazy.rec"
pid=$(sed -n 's/^slow_waits: pid \([0-9]*\) .*/\1/p' "$TMP/lazy.out")
"$FAULTLINE" report "$TMP/lazy.rec" --pid "$pid" -f json -o "$TMP/lazy.json" ||
	fail "report -f json failed"
python3 - "$TMP/lazy.json" "$TMP/lazy.out" <<'PY' ||
import json, sys
inc = json.load(open(sys.argv[1]))["incidents"][0]
measured = sum(float(l.split()[1]) for l in open(sys.argv[2]) if l.startswith("blocked "))
top = inc["off_cpu"]["top"][0]
assert top["reason"] == "futex" and top["waker"]["where"] == "hold_the_lock", top
assert 1 <= top["waits"] <= 5 and 250 <= top["ms"] <= measured * 1.1, (top, measured)
PY
	fail "wrong off-CPU without -p: $(cat "$TMP/lazy.json")"
pass "latency incident: futex wait in wait_on_mutex <- woken by hold_the_lock, both flame graphs"
