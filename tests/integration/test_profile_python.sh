#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CPython 3.11 frames in `faultline profile`: Debian's python3.11 running
# <module> -> main -> worker -> leaf_a / leaf_b (3:1 CPU), a callback through
# C (sorted(key=...)) and a second thread. Python frames sit right after the
# interpreter's native frame, in call order, with their files and lines; the
# split and the threads stay apart; a native process profiled at the same time
# gets no Python frame. Named explicitly: `python3` on PATH may be another build.
. "$(dirname "$0")/lib.sh"
need_root
PY=/usr/bin/python3.11
[ -x "$PY" ] || skip "Debian's python3.11 is not installed"
BIN=$FAULTLINE
[ -x "${FAULTLINE_ASAN:-}" ] && BIN=$FAULTLINE_ASAN

cat >"$TMP/work.py" <<'PY'
import sys, threading, time


def leaf_a(n):
    x = 0
    for i in range(n):
        x += i * i
    return x


def leaf_b(n):
    x = 0
    for i in range(n):
        x += i * i
    return x


def keyfn(v):
    return -leaf_b(2000) - v


def worker(end):
    while time.monotonic() < end:
        leaf_a(100000)
        leaf_a(100000)
        leaf_a(100000)
        leaf_b(100000)
        sorted(range(30), key=keyfn)


def side(end):
    while time.monotonic() < end:
        sum(i for i in range(1000))
        time.sleep(0.002)


def main():
    end = time.monotonic() + float(sys.argv[1])
    threading.Thread(target=side, args=(end,), name="side").start()
    worker(end)


main()
PY

"$PY" "$TMP/work.py" 30 &
ppid=$!
on_exit "kill $ppid"
"$TOOLS/cpu_ratio_nofp" 30 >/dev/null &
npid=$!
on_exit "kill $npid"
sleep 0.5

expect_exit 0 "$BIN" profile -v -F 499 -p "$ppid" -p "$npid" -d 6 -o "$TMP/out.folded"
cp "$TMP/err" "$TMP/summary"
assert_match "$TMP/summary" '^profile: python: 1 processes, [0-9]+ samples with Python frames' \
	"python summary"

python3 - "$TMP/out.folded" "$TMP/work.py" <<'PY' || fail "python frames are wrong (see above)"
import re, sys
path = sys.argv[2]
py = withpy = a = b = key = native = side = 0
bad = []
frame = re.compile(r"^py:(\S+) \((.*):(\d+)\)$")
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    n = int(count)
    f = stack.split(";")
    pyf = [(i, frame.match(x)) for i, x in enumerate(f) if x.startswith("py:")]
    if f[0] == "cpu_ratio_nofp":
        native += n
        if pyf:
            bad.append("python frame in a native process: " + line)
        continue
    if f[0] not in ("python3.11", "side"):
        continue
    py += n
    if not pyf:
        continue
    withpy += n
    names = [m.group(1) if m else None for _, m in pyf]
    ours = ("leaf_a", "leaf_b", "keyfn", "worker", "side", "main", "<module>")
    if None in names or any(m.group(1) in ours and m.group(2) != path for _, m in pyf):
        bad.append("python frame without name or with another file: " + line)
        continue
    # the first python frame follows the interpreter's frame directly (or the
    # root of a walk cut before it)
    if not (f[pyf[0][0] - 1].startswith("_PyEval_EvalFrameDefault") or
            f[pyf[0][0] - 1] == "[truncated]"):
        bad.append("python frames not under _PyEval_EvalFrameDefault: " + line)
    lines = {m.group(1): int(m.group(3)) for _, m in pyf}
    if "worker" in names and "side" in names:
        bad.append("two threads' frames in one stack: " + line)
    if "side" in names:
        side += n
        if "<module>" in names or names[0] != "Thread._bootstrap":
            bad.append("the thread's frames not under its own bootstrap: " + line)
    if names[-1] == "leaf_a":
        a += n
        if names != ["<module>", "main", "worker", "leaf_a"]:
            bad.append("leaf_a not under <module>;main;worker: " + line)
        elif not (lines["<module>"] == 43 and lines["main"] == 40 and
                  24 <= lines["worker"] <= 26 and 4 <= lines["leaf_a"] <= 8):
            bad.append("wrong lines: " + line)
    elif names[-1] == "leaf_b" and "keyfn" not in names:
        b += n
        if names != ["<module>", "main", "worker", "leaf_b"] or lines["worker"] != 27:
            bad.append("leaf_b not under <module>;main;worker:26: " + line)
    elif "keyfn" in names:
        key += n
        i, j = names.index("worker"), names.index("keyfn")
        # sorted() is C: the callback runs in another interpreter frame below it
        if j != i + 1 or not f[pyf[i][0] + 1 : pyf[j][0]]:
            bad.append("keyfn not called through native frames from worker: " + line)
print(f"python samples {py}, with python frames {withpy}, leaf_a {a}, leaf_b {b}, "
      f"keyfn {key}, thread {side}, native process {native}")
for x in bad[:10]:
    print("BAD", x.strip()[-300:])
ok = not bad and py >= 200 and withpy >= 0.95 * py and native >= 50
ok = ok and b > 0 and abs(a / b - 3) <= 0.6 and key > 0 and side > 0
sys.exit(not ok)
PY
pass "python frames under the interpreter, in order, with lines; 3:1 split;" \
	"native process unchanged"

# JSON says which frames are Python's.
expect_exit 0 "$BIN" profile -p "$ppid" -d 2 --format json -o "$TMP/out.json"
python3 - "$TMP/out.json" <<'PY' || fail "JSON frames are not marked python"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = set()
bad = []
def walk(o):
    if isinstance(o, dict):
        if "kind" in o and "name" in o:
            kinds.add((o["kind"], o["name"].split(" (")[0]))
            if o["name"].startswith("leaf_a (") and not (
                    o.get("file", "").endswith("/work.py") and 4 <= o.get("line", 0) <= 8):
                bad.append(o)
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(d)
print(bad[:3])
sys.exit(("python", "leaf_a") not in kinds or ("python", "_PyEval_EvalFrameDefault") in kinds
         or bool(bad))
PY
pass "JSON kind python, with file and line"

# A process that exits before the profile ends keeps its names: they are read while it lives.
"$PY" "$TMP/work.py" 8 &
spid=$!
sleep 0.3
expect_exit 0 "$BIN" profile -v -p "$spid" -d 15 -o "$TMP/short.folded"
assert_match "$TMP/err" 'stopped: the process exited' "the profile outlived its target"
# Stacks first seen in its last 200 ms may go unnamed (said in the summary).
python3 - "$TMP/short.folded" <<'PY' || fail "an exited process lost its Python names"
import sys
named = unknown = 0
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    if "py:leaf_a (" in stack or "py:leaf_b (" in stack:
        named += int(count)
    elif "py:[python code unknown]" in stack:
        unknown += int(count)
print(f"exited process: named {named}, unknown {unknown}")
sys.exit(named < 20 or unknown > 0.1 * (named + unknown))
PY
pass "an exited process keeps its Python names"
