#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The classic tracepoint fallbacks of slow and signal (what kernels without
# BTF-typed tracepoints get), forced with FAULTLINE_WATCH_FORCE_TP=1: a slow
# pipe read, a SIGSEGV with its stack, and the non-zero exit are reported.
# (oom's fallback is exercised with a real OOM kill in test_watch_oom.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

export FAULTLINE_WATCH_FORCE_TP=1
start_watch --events slow,signal --exits --slow-threshold 150
"$TOOLS/slow_read" 300 >"$TMP/slow.out" || fail "slow_read failed"
"$TOOLS/segv" 300 >"$TMP/segv.out" 2>/dev/null
stop_watch
unset FAULTLINE_WATCH_FORCE_TP

slow=$(sed -n 's/^slow_read: pid \([0-9]*\) .*/\1/p' "$TMP/slow.out")
segv=$(sed -n 's/^segv: pid \([0-9]*\)$/\1/p' "$TMP/segv.out")
[ -n "$slow" ] && [ -n "$segv" ] || fail "no pids from the tools"
events "e['type'] == 'slow_syscall' and e['pid'] == $slow" >"$TMP/slow.ev"
assert_lines "$TMP/slow.ev" 1
python3 - "$(cat "$TMP/slow.ev")" <<'PY' || fail "wrong slow_syscall event: $(cat "$TMP/slow.ev")"
import json, sys
e = json.loads(sys.argv[1])
assert e["syscall"] == "read" and 250 <= e["duration_ms"] <= 3000, e
assert e["fd"]["kind"] == "pipe", e["fd"]
assert len(e["stack"]) >= 2
PY
events "e['type'] == 'signal' and e['pid'] == $segv" >"$TMP/segv.ev"
assert_lines "$TMP/segv.ev" 1
python3 - "$(cat "$TMP/segv.ev")" <<'PY' || fail "wrong signal event: $(cat "$TMP/segv.ev")"
import json, sys
e = json.loads(sys.argv[1])
assert e["signal"] == "SIGSEGV" and e["si_code"] == "SEGV_MAPERR", e
assert "fault_addr" not in e, "the classic tracepoint has no fault address"
assert len(e["stack"]) >= 2
PY
if have_symbolizer; then
	syms=$(stack_symbols <"$TMP/segv.ev" | tr "\n" " ")
	echo "$syms" | grep -qw crash_here || fail "crash_here not in the stack: $syms"
fi
events "e['type'] == 'process_exit' and e['pid'] == $segv" >"$TMP/exit.ev"
assert_lines "$TMP/exit.ev" 1
tp=tracepoint
assert_match "$TMP/watch.err" \
	"hooks: $tp raw_syscalls:sys_enter, $tp raw_syscalls:sys_exit, raw_tp sched_switch\$"
assert_match "$TMP/watch.err" \
	"hooks: $tp signal:signal_deliver, $tp signal:signal_generate, $tp sched:sched_process_exit\$"
assert_match "$TMP/watch.err" \
	'skipped: tp_btf sys_enter/sys_exit/sched_switch \(forced off\)'
cp "$TMP/watch.err" "$TMP/forced.err"

# `faultline probe` plans what watch does: its hook per source is what watch
# attaches, its fallback what the forced run attached.
"$FAULTLINE" probe --json >"$TMP/probe.json" || fail "probe failed"
expect_exit 0 timeout 60 "$FAULTLINE" watch --events oom,slow,signal -d 1
python3 - "$TMP/probe.json" "$TMP/err" "$TMP/forced.err" <<'PY' ||
import json, re, sys
caps = json.load(open(sys.argv[1]))["capabilities"]
def hooks(path):
    out, src = {}, None
    for line in open(path):
        m = re.match(r"^  (\w+): submitted", line)
        if m:
            src = m.group(1)
        m = re.match(r"^    hooks: (.*)$", line)
        if m and src:
            out[src] = m.group(1)
    return out
normal, forced = hooks(sys.argv[2]), hooks(sys.argv[3])
for src in ("oom", "slow", "signal"):
    assert normal[src] == caps[src]["hook"], (src, normal[src], caps[src])
for src in ("slow", "signal"):
    assert forced[src].startswith(caps[src]["fallback"]), (src, forced[src], caps[src])
PY
	fail "probe's plan and watch disagree"
pass "classic tracepoint fallbacks: slow read, SIGSEGV, exit; probe's plan agrees"
