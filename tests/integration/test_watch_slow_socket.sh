#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reads that wait for a socket peer block by design: a process waits ~0.4 s
# in recv() and in read() on a socket (an idle peer), then ~0.4 s in read()
# on a pipe. With a 200 ms threshold only the pipe read is a slow syscall;
# with --slow-all all three are, with their real durations.
. "$(dirname "$0")/lib.sh"
need_root
command -v python3 >/dev/null || skip "python3 not installed"

cat >"$TMP/idle.py" <<'PY'
import os, socket, sys, time
a, b = socket.socketpair()
r, w = os.pipe()
print("pid", os.getpid(), flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
def later(fn):
    if os.fork() == 0:
        time.sleep(0.4)
        fn()
        os._exit(0)
later(lambda: b.send(b"x")); a.recv(1); os.wait()
later(lambda: b.send(b"x")); os.read(a.fileno(), 1); os.wait()
later(lambda: os.write(w, b"x")); os.read(r, 1); os.wait()
print("done", flush=True)
PY

# run OUT ARGS...: the reader under watch -p, until it exits; its pid in $pid.
run() {
	local out=$1
	shift
	rm -f "$TMP/go"
	python3 "$TMP/idle.py" "$TMP/go" >"$TMP/idle.out" &
	on_exit "kill $!"
	wait_line "$TMP/idle.out" '^pid ' 10 || fail "the reader did not start"
	pid=$(awk '/^pid /{print $2}' "$TMP/idle.out")
	"$FAULTLINE" watch --events slow -p "$pid" --slow-threshold 200 --json -d 30 "$@" \
		>"$out" 2>"$out.err" &
	watcher=$!
	on_exit "kill $watcher"
	wait_ready $watcher "$out.err" "watch"
	touch "$TMP/go"
	wait $watcher || fail "watch exited $?: $(tail -5 "$out.err")"
	assert_match "$TMP/idle.out" '^done' "reader"
}

run "$TMP/default.json"
pid_default=$pid
run "$TMP/all.json" --slow-all
PYTHONPATH="$(dirname "$0")" python3 - "$TMP/default.json" "$pid_default" "$TMP/all.json" "$pid" \
	<<'PY' || fail "events: see above"
import sys
from watch_check import load_events, die

def slow(path, pid):
    return [e for e in load_events(path) if e.get("type") == "slow_syscall" and
            e.get("pid") == int(pid)]

got = slow(sys.argv[1], sys.argv[2])
if len(got) != 1 or got[0]["syscall"] != "read" or got[0].get("fd", {}).get("kind") != "pipe":
    die(f"default: want only the pipe read, got {[(e['syscall'], e.get('fd')) for e in got]}")
got = slow(sys.argv[3], sys.argv[4])
names = sorted(e["syscall"] for e in got)
if names != ["read", "read", "recvfrom"]:
    die(f"--slow-all: want recvfrom and two reads, got {names}")
for e in got:
    if not 350 <= e["duration_ms"] <= 5000:
        die(f"--slow-all: {e['syscall']} took {e['duration_ms']} ms, want ~400")
print("ok: socket waits skipped by default, reported with --slow-all")
PY
pass "slow_syscall: reads waiting for a socket peer block by design"
