#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Files a monitored process points at are chosen by its owner: a huge sparse
# perf-PID.map must not cost its size in memory or time. (A FIFO or device in
# place of a file is tested in tests/unit/base/test_file_read.c.)
. "$(dirname "$0")/lib.sh"
need_root

# A 1 GiB sparse perf map beside a running process: read at most 64 MiB.
sleep 30 &
sleeper=$!
on_exit "kill $sleeper; rm -f /tmp/perf-$sleeper.map"
truncate -s 1G "/tmp/perf-$sleeper.map"
python3 - "$FAULTLINE" "$sleeper" "$TMP/p.folded" >"$TMP/usage" 2>"$TMP/err" <<'PY' ||
import resource, subprocess, sys, time
t = time.time()
rc = subprocess.call([sys.argv[1], "profile", "-p", sys.argv[2], "-d", "1", "-o", sys.argv[3]])
print(rc, round(time.time() - t, 1), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
	fail "profile with a huge perf map failed: $(cat "$TMP/err")"
read -r rc secs mib <"$TMP/usage"
[ "$rc" = 0 ] || fail "profile exited $rc: $(cat "$TMP/err")"
[ "$mib" -le 200 ] || fail "profile used $mib MiB with a 1 GiB perf map"
assert_match "$TMP/err" "perf-$sleeper.map is larger than 64 MiB"
pass "a 1 GiB sparse perf map costs ${mib} MiB RSS and ${secs} s"
