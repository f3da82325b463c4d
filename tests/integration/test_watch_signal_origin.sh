#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# signal: what was delivered and who sent it. `kill -TERM` on sleep is a
# SIGTERM from this shell (never the kernel's group-exit SIGKILL); `kill -SEGV`
# from a shell is a stop by a sender, not a crash; abort() is a crash the
# process raised itself; exit_group() with a second thread running is no
# signal at all (its sibling's SIGKILL is counted, not reported).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root
[ -x "${FAULTLINE_ASAN:-}" ] && WATCH_BIN=$FAULTLINE_ASAN

start_watch --events signal --exits
sleep 30 &
term=$!
sleep 30 &
segv=$!
sleep 0.3
kill -TERM $term
kill -SEGV $segv
wait $term $segv 2>/dev/null
python3 -c 'import os; print(os.getpid(), flush=True); os.abort()' >"$TMP/abort.pid" 2>/dev/null
abort=$(cat "$TMP/abort.pid")
python3 -c 'import os, threading, time
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
print(os.getpid(), flush=True); time.sleep(0.3); os._exit(3)' >"$TMP/exit.pid"
exited=$(cat "$TMP/exit.pid")
stop_watch

# check PID PYTHON-ASSERTS: the one signal event of PID satisfies the asserts on e.
check() {
	events "e['type'] == 'signal' and e['pid'] == $1" >"$TMP/ev.$1"
	assert_lines "$TMP/ev.$1" 1
	python3 - "$(cat "$TMP/ev.$1")" "$$" <<PY || fail "pid $1: $(cat "$TMP/ev.$1")"
import json, sys
e = json.loads(sys.argv[1]); shell = int(sys.argv[2])
$2
PY
}

check $term '
assert e["signal"] == "SIGTERM" and e["signo"] == 15, e["signal"]
assert e["si_code"] == "SI_USER" and e["group_exit"] is True
assert e["cause"] == "sender" and e["crash"] is False
assert e["action"] == "terminate" and e["fatal"] is True and e["severity"] == "critical"
s = e["sender"]
assert s["pid"] == shell and s["comm"] == "bash" and s["via"] == "kill()", s
assert s["syscall"] == "kill", s
assert e["comm"] == "sleep" and e["thread_comm"] == "sleep"'

check $segv '
assert e["signal"] == "SIGSEGV" and e["si_code"] == "SI_USER", e
assert e["cause"] == "sender" and e["crash"] is False, e
assert e["action"] == "core dump" and e["sender"]["pid"] == shell
assert "fault_addr" not in e'

check $abort '
assert e["signal"] == "SIGABRT" and e["si_code"] == "SI_TKILL", e
assert e["cause"] == "self" and e["crash"] is True, e
assert e["sender"]["pid"] == e["pid"] and e["sender"]["via"] == "tgkill()", e'

events "e['type'] == 'signal' and e['pid'] == $exited" >"$TMP/exit.ev"
assert_lines "$TMP/exit.ev" 0
events "e['type'] == 'process_exit' and e['pid'] == $exited" >"$TMP/exit.ev"
assert_match "$TMP/exit.ev" '"status": 3'
assert_match "$TMP/watch.err" 'sibling kills of exit/exec [1-9]'

# No SIGKILL was reported for any of them: the kernel's group-exit SIGKILL is not the cause.
events "e['type'] == 'signal' and e['pid'] in ($term, $segv, $abort) and e['signal'] == 'SIGKILL'" \
	>"$TMP/kill.ev"
assert_lines "$TMP/kill.ev" 0
pass "SIGTERM and SIGSEGV from a shell are stops with their sender; abort() is a crash; exit_group() is no signal"
