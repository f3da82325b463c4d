#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# watch output and targets: a hostile process name cannot forge human lines;
# --json ends with a summary line; a failed write ends the run with an error;
# -p rejects a missing process, maps a thread to its process and stops when
# every target has exited.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

# 1. A comm with a newline, in human output.
name=$'x\n00:00:00 crit'
"$FAULTLINE" watch --events signal >"$TMP/human.out" 2>"$TMP/human.err" &
w=$!
on_exit "kill -KILL $w"
wait_ready $w "$TMP/human.err" watch
"$TOOLS/segv_storm" 1 "$name" >"$TMP/storm.out" || fail "segv_storm failed"
storm=$(sed -n 's/^segv_storm: pid \([0-9]*\)$/\1/p' "$TMP/storm.out")
sleep 0.5
kill -INT $w
wait $w || fail "watch exited $?: $(tail -c 600 "$TMP/human.err")"
grep " $storm/" "$TMP/human.out" >"$TMP/line" || fail "no event for $storm: $(cat "$TMP/human.out")"
assert_lines "$TMP/line" 1
assert_match "$TMP/line" " $storm/x\\\\x0a00:00:00 crit SIGSEGV"
assert_no_match "$TMP/human.out" '^00:00:00 crit'

# 2. --json: the raw name in JSON, and a last summary line that adds up.
start_watch --events signal
"$TOOLS/segv_storm" 3 "$name" >"$TMP/storm.out" || fail "segv_storm failed"
storm=$(sed -n 's/^segv_storm: pid \([0-9]*\)$/\1/p' "$TMP/storm.out")
stop_watch
events "e['type'] == 'signal' and e['pid'] == $storm" 'e["comm"]' >"$TMP/comms"
assert_lines "$TMP/comms" 3
assert_match "$TMP/comms" '^"x\\n00:00:00 crit"$'
tail -n 1 "$TMP/watch.out" >"$TMP/summary"
python3 - "$TMP/summary" "$(grep -c '"type": *"signal"' "$TMP/watch.out")" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
assert s["type"] == "summary", s
assert s["events"]["signal"] == int(sys.argv[2]), (s["events"], sys.argv[2])
src = s["sources"]["signal"]
assert src["submitted"] == int(sys.argv[2]), src
assert s["lost"] == sum(v["ring_full"] + v["rate_limited"] + v["map_full"] + v["undecodable"]
                        for v in s["sources"].values()) + s["not_rendered"], s
assert "proc" in s["sources"], s
PY
	fail "bad summary line: $(cat "$TMP/summary")"
lost=$(sed -n 's/^  lost: \([0-9]*\)$/\1/p' "$TMP/watch.err")
python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["lost"] != int(sys.argv[2]))' \
	"$TMP/summary" "$lost" || fail "JSON lost != stderr lost $lost"

# 3. Output that cannot be written: one error line, exit 1, the loss counted.
timeout 60 "$FAULTLINE" watch --json --events signal >/dev/full 2>"$TMP/full.err" &
w=$!
wait_ready $w "$TMP/full.err" watch
"$TOOLS/segv_storm" 1 >/dev/null || fail "segv_storm failed"
wait $w
rc=$?
[ "$rc" = 1 ] || fail "watch > /dev/full exited $rc: $(cat "$TMP/full.err")"
assert_match "$TMP/full.err" '^Error: watch: writing events: No space left on device$'
assert_match "$TMP/full.err" '^  lost: [1-9][0-9]*$'
assert_match "$TMP/full.err" '^  not written \(output error\): [1-9]'

# 4. -p: a missing process, a thread, targets that exit.
expect_exit 1 "$FAULTLINE" watch -p 999999999 -d 1
assert_lines "$TMP/err" 1
assert_match "$TMP/err" '^Error: watch: -p 999999999: no such process$'
python3 -c 'import threading, time, sys
t = threading.Thread(target=time.sleep, args=(20,)); t.start()
print(t.native_id); sys.stdout.flush(); t.join()' >"$TMP/tid" &
py=$!
on_exit "kill -KILL $py"
for _ in $(seq 1 50); do [ -s "$TMP/tid" ] && break; sleep 0.1; done
tid=$(cat "$TMP/tid")
[ -n "$tid" ] && [ "$tid" != "$py" ] || fail "no thread id from python ($tid)"
expect_exit 0 timeout 60 "$FAULTLINE" watch --events signal -p "$tid" -d 1
assert_match "$TMP/err" "^Note: watch: $tid is a thread of process $py: watching the process$"
kill -KILL $py
sleep 1 &
expect_exit 0 timeout 60 "$FAULTLINE" watch --events signal -p $!
assert_match "$TMP/err" '^faultline: every watched process has exited; stopping$'
assert_match "$TMP/err" '^faultline: watch summary after'
# 5. The cgroup of an event, resolved from its cgroup v2 id.
root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$root" ] && mkdir "$root/faultline-out-$$" 2>/dev/null; then
	on_exit "rmdir $root/faultline-out-$$"
	start_watch --events signal
	sh -c "echo \$\$ > $root/faultline-out-$$/cgroup.procs && exec $TOOLS/segv_storm 2" \
		>"$TMP/storm.out" || fail "segv_storm in a cgroup failed"
	storm=$(sed -n 's/^segv_storm: pid \([0-9]*\)$/\1/p' "$TMP/storm.out")
	stop_watch
	events "e['type'] == 'signal' and e['pid'] == $storm" 'e["cgroup"]' >"$TMP/cgs"
	assert_lines "$TMP/cgs" 2
	[ "$(sort -u "$TMP/cgs")" = "\"/faultline-out-$$\"" ] || fail "cgroup: $(cat "$TMP/cgs")"
else
	echo "note: no cgroup v2 hierarchy to create a group in; cgroup path not checked"
fi
pass "escaped names, JSON summary line, write errors, -p checks, cgroup path"
