#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# signal: a SIGSEGV in crash_here() is reported with SEGV_MAPERR, the fault
# address and crash_here in the stack; a SIGKILL sent with kill names its
# sender; --exits reports the non-zero exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root
# The sanitizer build, when there is one: leaks or UB in the pipeline fail the run.
[ -x "${FAULTLINE_ASAN:-}" ] && WATCH_BIN=$FAULTLINE_ASAN

start_watch --events signal --exits
"$TOOLS/segv" 300 >"$TMP/segv.out" 2>/dev/null
rc=$?
[ "$rc" = 139 ] || fail "segv exited $rc, expected 139 (SIGSEGV)"
segv=$(sed -n 's/^segv: pid \([0-9]*\)$/\1/p' "$TMP/segv.out")
sleep 30 &
victim=$!
sleep 0.2
kill -KILL $victim
wait $victim 2>/dev/null
stop_watch

events "e['type'] == 'signal' and e['pid'] == $segv" >"$TMP/segv.ev"
assert_lines "$TMP/segv.ev" 1
ev=$(cat "$TMP/segv.ev")
python3 - "$ev" <<'PY' || fail "wrong SIGSEGV event: $ev"
import json, sys
e = json.loads(sys.argv[1])
assert e["signal"] == "SIGSEGV" and e["signo"] == 11
assert e["si_code"] == "SEGV_MAPERR", e["si_code"]
assert e["fault_addr"] == "0x10", e["fault_addr"]
assert e["comm"] == "segv" and e["severity"] == "critical"
assert e["handled"] is False
assert e["cause"] == "fault" and e["crash"] is True, e
assert e["action"] == "core dump" and e["fatal"] is True, e
assert "sender" not in e, "a fault has no sender"
assert any(f["addr"].startswith("0x5") or f["addr"].startswith("0x7") for f in e["stack"])
PY
if have_symbolizer; then
	syms=$(echo "$ev" | stack_symbols | tr '\n' ' ')
	echo "$syms" | grep -qw crash_here || fail "crash_here not in the stack: $syms"
	echo "$syms" | grep -qw handle_request || fail "handle_request not in the stack: $syms"
else
	echo "note: no symbolizer in this build; stack names not checked"
fi

events "e['type'] == 'signal' and e['pid'] == $victim" >"$TMP/kill.ev"
assert_lines "$TMP/kill.ev" 1
python3 - "$(cat "$TMP/kill.ev")" "$$" <<'PY' || fail "wrong SIGKILL event: $(cat "$TMP/kill.ev")"
import json, sys
e = json.loads(sys.argv[1])
assert e["signal"] == "SIGKILL", e["signal"]
assert e["sender"]["pid"] == int(sys.argv[2]), (e["sender"], sys.argv[2])
assert e["sender"]["si_code"] == "SI_USER", e["sender"]
assert e["si_code"] == "SI_USER" and e["group_exit"] is True, e
assert e["cause"] == "sender" and e["crash"] is False, e
PY

events "e['type'] == 'process_exit' and e['pid'] == $segv" >"$TMP/exit.ev"
assert_lines "$TMP/exit.ev" 1
assert_match "$TMP/exit.ev" '"signal": "SIGSEGV"'
assert_match "$TMP/watch.err" 'hooks: .*signal_deliver'
pass "SIGSEGV with stack, SIGKILL with sender, non-zero exit"
