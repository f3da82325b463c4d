#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# slow_syscall names files by their whole path: an fsync()'d file closed right
# after (so /proc no longer has its fd), and both paths of a rename() given
# relative to the working directory. On disk (/var/tmp), where fsync and a
# rename over a file with unwritten data take milliseconds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

dir=$(mktemp -d /var/tmp/faultline-slow.XXXXXX)
on_exit "rm -rf $dir"
cat >"$TMP/fs.py" <<'PY'
import os, sys, time
os.chdir(sys.argv[1])
open("target", "w").write("x")
print("pid", os.getpid(), flush=True)
while not os.path.exists("go"):
    time.sleep(0.05)
with open("synced.dat", "wb") as f:
    f.write(os.urandom(8 << 20))
    os.fsync(f.fileno())
with open("renamed.dat", "wb") as f:
    f.write(os.urandom(48 << 20))
os.rename("renamed.dat", "target")
PY
python3 "$TMP/fs.py" "$dir" >"$TMP/fs.out" &
fs=$!
wait_line "$TMP/fs.out" '^pid ' 10 || fail "the workload did not start"
start_watch -p "$fs" --events slow --slow-threshold fsync=1 --slow-threshold rename=1
touch "$dir/go"
wait "$fs" || fail "the workload failed"
# watch -p ends by itself once its process is gone.
wait "$WATCH_PID" || fail "watch exited $?: $(tail -c 800 "$TMP/watch.err")"

events "e['type'] == 'slow_syscall' and e['pid'] == $fs" >"$TMP/mine"
python3 - "$TMP/mine" "$dir" <<'PY' || fail "paths: $(cat "$TMP/mine" | cut -c1-600)"
import json, sys
ev = {e["syscall"]: e for e in map(json.loads, open(sys.argv[1]))}
d = sys.argv[2]
assert "fsync" in ev and "rename" in ev, list(ev)
assert ev["fsync"]["fd"]["path"] == d + "/synced.dat", ev["fsync"]["fd"]
assert ev["rename"]["paths"] == [d + "/renamed.dat", d + "/target"], ev["rename"].get("paths")
PY
pass "slow fsync and rename name their files by whole path"
