#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An EMFILE storm: after exhausting its fds, fd_leaker retries 10^5 times.
# faultline watch must stay up with bounded memory, and every failure must be
# accounted for: seen by BPF = what the tool counted, and reported events +
# rate-limited + ring-buffer losses = seen. The per-event "suppressed" counts
# cannot claim more than were rate-limited.
. "$(dirname "$0")/lib.sh"
need_root

STORM=100000
MAX_HWM_KB=$((96 * 1024))

# --hold keeps the process alive after the storm: watch ends on its own once
# every -p target is gone, and we want to see it still up and measure it.
"$TOOLS/fd_leaker" --limit 256 --storm $STORM --hold 30000 --wait-file "$TMP/go" >"$TMP/leaker.out" &
leaker=$!
on_exit "kill $leaker"
wait_line "$TMP/leaker.out" '^pid ' 10 || fail "fd_leaker did not start"
pid=$(awk '/^pid /{print $2}' "$TMP/leaker.out")

"$FAULTLINE" watch -p "$pid" --events fd --json -d 120 >"$TMP/events.json" 2>"$TMP/watch.err" &
watcher=$!
on_exit "kill $watcher"
wait_line "$TMP/watch.err" 'watching' 30 || fail "watch did not start: $(cat "$TMP/watch.err")"
touch "$TMP/go"
wait_line "$TMP/leaker.out" '^failures ' 120 || fail "fd_leaker did not finish: $(cat "$TMP/leaker.out")"
failures=$(awk '/^failures /{print $2}' "$TMP/leaker.out")
[ "$failures" -gt $STORM ] || fail "fd_leaker counted only '$failures' failures"

sleep 1
kill -0 $watcher 2>/dev/null || fail "watch died during the storm: $(tail -5 "$TMP/watch.err")"
hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$watcher/status")
kill -INT $watcher
wait $watcher || fail "watch exited $?: $(tail -5 "$TMP/watch.err")"
kill $leaker 2>/dev/null
[ "$hwm" -le $MAX_HWM_KB ] || fail "watch peak RSS ${hwm} kB > ${MAX_HWM_KB} kB"

python3 - "$TMP/events.json" "$TMP/watch.err" "$pid" "$failures" <<'EOF' || fail "accounting: see above"
import json, re, sys

events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pid, failures = int(sys.argv[3]), int(sys.argv[4])
summary = open(sys.argv[2]).read()
m = re.search(r"^  fd: submitted (\d+), lost: ring buffer full (\d+), rate limited (\d+), "
              r"map full (\d+), undecodable (\d+), failures (\d+), untracked_fds \d+, "
              r"fds_without_stack \d+, proc_table_full (\d+)", summary, re.M)
if not m:
    sys.exit(f"FAIL: no fd summary line in: {summary}")
submitted, rbfull, limited, mapfull, undecodable, seen, noproc = map(int, m.groups())
exh = [e for e in events if e["type"] == "fd_exhausted"]
other = [e for e in events if e["type"] == "fd_exhausted" and e["pid"] != pid]
press = [e for e in events if e["type"] == "fd_pressure"]
if other:
    sys.exit(f"FAIL: {len(other)} events of other processes under -p")
if seen != failures:
    sys.exit(f"FAIL: BPF saw {seen} EMFILE failures, the tool counted {failures}")
if len(exh) + limited + rbfull + noproc + undecodable != seen:
    sys.exit(f"FAIL: {len(exh)} reported + {limited} rate-limited + {rbfull} ring full + "
             f"{noproc} no process slot + {undecodable} undecodable != {seen} seen")
if submitted != len(exh) + len(press):
    sys.exit(f"FAIL: submitted {submitted} != {len(exh)} + {len(press)} events printed")
supp = sum(e.get("suppressed", 0) for e in exh)
if supp > limited or limited == 0:
    sys.exit(f"FAIL: events claim {supp} suppressed, {limited} were rate-limited")
print(f"ok: {seen} failures = {len(exh)} reported + {limited} rate-limited + {rbfull} lost")
EOF
pass "EMFILE storm of $failures: accounted for, watch peak RSS ${hwm} kB"
