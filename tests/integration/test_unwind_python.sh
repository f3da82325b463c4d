#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real Debian binary without frame pointers (python3 in a busy loop):
# --unwind auto walks it in the kernel with .eh_frame tables, stacks reach the interpreter loop, Py_BytesMain
# and __libc_start_main, and match what `perf record --call-graph dwarf`
# records for the same process at the same time. With a stack copy too small
# for the whole stack, the stacks end in [truncated] instead of guessing.
. "$(dirname "$0")/lib.sh"
need_root
[ -x /usr/bin/python3 ] || skip "Debian's python3 is not installed"
STACKS=$(dirname "$0")/../../bench/unwind/stacks.py

/usr/bin/python3 -c 'while True: pass' &
wpid=$!
on_exit "kill $wpid"
sleep 0.5

perf=0
if command -v perf >/dev/null; then
	perf record -q -F 99 --call-graph dwarf -p "$wpid" -o "$TMP/perf.data" -- sleep 5 \
		>"$TMP/perf.log" 2>&1 &
	perf=$!
fi
expect_exit 0 "$FAULTLINE" profile -v -p "$wpid" -d 4 -o "$TMP/py.folded"
assert_match "$TMP/err" 'user stacks: walked in the kernel with .eh_frame tables' "-v output"
python3 - "$TMP/py.folded" <<'PY' || fail "python3 stacks are not whole"
import sys
total = whole = 0
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    f = stack.split(";")
    total += int(count)
    if ("_PyEval_EvalFrameDefault" in f and "Py_BytesMain" in f and
            "__libc_start_call_main" in f):
        whole += int(count)
print(f"samples {total}, whole {whole}")
sys.exit(total < 50 or whole < 0.95 * total)
PY

if [ "$perf" != 0 ]; then
	wait "$perf" || fail "perf record failed: $(cat "$TMP/perf.log")"
	perf script -i "$TMP/perf.data" -F comm,ip,sym --no-inline >"$TMP/perf.txt" 2>/dev/null
	"$STACKS" "$TMP/py.folded" "$TMP/perf.txt" python3 >"$TMP/cmp.json"
	cat "$TMP/cmp.json"
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); sys.exit(
	    d["perf_samples"] < 50 or d["agreement"] < 0.8 or d["faultline_top"] != d["perf_top"])' \
		"$TMP/cmp.json" || fail "stacks differ from perf --call-graph dwarf"
else
	echo "perf not installed: no comparison"
fi

expect_exit 0 "$FAULTLINE" profile -p "$wpid" -d 2 --unwind dwarf --stack-bytes 512 \
	-o "$TMP/small.folded"
assert_match "$TMP/err" 'truncated \(stack snapshot too small: [0-9]+' "summary"
assert_match "$TMP/small.folded" '^python3;\[truncated\];' "small-snapshot stacks"
# never an invented root: every stack starts at _start or says it is truncated
assert_no_match "$TMP/small.folded" '^python3;([^_[]|_[^s])'
pass "python3 unwound like perf does"
