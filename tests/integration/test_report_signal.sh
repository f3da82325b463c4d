#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real software, recorded and reported: `timeout 1 python3 ...` is python3
# terminated by SIGTERM from timeout (its pid), a stop and not a crash; a
# redis-server killed with SIGKILL, or sent SIGXCPU on one of its bio_*
# threads, is named redis-server in the headline, its thread in the evidence;
# a SIGSEGV sent from the shell that redis's crash handler raises again is
# still the shell's, not a crash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root
command -v redis-server >/dev/null || skip "redis-server not installed (tools/install-deps.sh test)"
command -v timeout >/dev/null || skip "timeout (coreutils) not installed"

port=$(free_port)
start_record "$TMP/sig.rec" --events signal --no-profile
timeout 1 python3 -c 'import os, time; print(os.getpid(), flush=True); time.sleep(10)' \
	>"$TMP/py.pid" &
tpid=$!
wait $tpid
rc=$?
[ "$rc" = 124 ] || fail "timeout exited $rc, expected 124"
py=$(cat "$TMP/py.pid")

# start_redis PORT: a redis-server on loopback, its pid in $REDIS once it answers.
start_redis() {
	redis-server --port "$1" --bind 127.0.0.1 --daemonize no --save '' --appendonly no \
		>"$TMP/redis.$1.out" 2>&1 &
	REDIS=$!
	on_exit "kill -KILL $REDIS"
	for _ in $(seq 1 100); do
		[ "$(ls /proc/$REDIS/task 2>/dev/null | wc -l)" -ge 4 ] &&
			redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	fail "redis-server did not answer: $(tail -5 "$TMP/redis.$1.out")"
}

start_redis "$port"
redis=$REDIS
threads=$(cat /proc/$redis/task/*/comm | sort -u | tr '\n' ',')
kill -KILL $redis
wait $redis 2>/dev/null
# SIGXCPU (core dump; redis neither catches nor ignores it) to a background thread:
# that thread takes it.
start_redis "$(free_port)"
xcpu=$REDIS
for t in /proc/$xcpu/task/*; do
	case $(cat "$t/comm") in bio_*) bio=${t##*/}; biocomm=$(cat "$t/comm"); break ;; esac
done
[ -n "${bio:-}" ] || fail "no bio_* thread in redis-server $xcpu"
kill -XCPU "$bio"
for _ in $(seq 1 100); do kill -0 $xcpu 2>/dev/null || break; sleep 0.1; done
kill -0 $xcpu 2>/dev/null && fail "redis-server survived SIGXCPU"
wait $xcpu 2>/dev/null
# SIGSEGV from the shell: redis's crash handler catches it, logs, and raises it again.
start_redis "$(free_port)"
segv=$REDIS
kill -SEGV $segv
for _ in $(seq 1 100); do kill -0 $segv 2>/dev/null || break; sleep 0.1; done
kill -0 $segv 2>/dev/null && fail "redis-server survived SIGSEGV"
wait $segv 2>/dev/null
stop_record "$TMP/sig.rec"
report_json "$TMP/sig.rec"

python3 - "$TMP/report.json" "$py" "$tpid" "$redis" "$threads" "$xcpu" "$biocomm" "$segv" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
py, tpid, redis, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def root_of(pid):
    r = [i for i in d["incidents"] if i["root_cause"].get("pid") == pid]
    assert len(r) == 1, (pid, len(r))
    return r[0]

i = root_of(py)
e = i["root_cause"]
assert e["signal"] == "SIGTERM" and e["si_code"] == "SI_USER", e
assert e["cause"] == "sender" and e["crash"] is False, e
assert e["sender"]["pid"] == tpid and e["sender"]["comm"] == "timeout", e["sender"]
words = " ".join([i["title"]] + i["evidence"] + i["next_steps"])
assert i["title"] == "python3 (pid %d) was terminated by SIGTERM from timeout (pid %d)" % (py, tpid), i["title"]
for bad in ("SIGKILL", "fault in", "faulting", "crashed", "fix that code path", "pid -1"):
    assert bad not in words, (bad, words)
assert "python3 did not crash" in words, words

i = root_of(redis)
e = i["root_cause"]
assert e["signal"] == "SIGKILL" and e["comm"] == "redis-server", e
assert e["thread_comm"] in threads.split(","), (e["thread_comm"], threads)
assert e["cause"] == "sender" and e["sender"]["comm"] == "bash", e
assert i["title"].startswith("redis-server (pid %d) was terminated by SIGKILL from bash" % redis), i["title"]

xcpu, bio = int(sys.argv[6]), sys.argv[7]
i = root_of(xcpu)
e = i["root_cause"]
assert e["signal"] == "SIGXCPU" and e["comm"] == "redis-server" and e["thread_comm"] == bio, e
assert e["cause"] == "sender" and e["crash"] is False and e["action"] == "core dump", e
assert i["title"].startswith("redis-server (pid %d) was terminated by SIGXCPU from bash" % xcpu), i["title"]
assert "thread %s took the signal" % bio in i["evidence"], i["evidence"]

segv = int(sys.argv[8])
i = root_of(segv)
e = i["root_cause"]
assert e["signal"] == "SIGSEGV" and e["reraised"] is True and e["fatal"] is True, e
assert e["cause"] == "sender" and e["crash"] is False and e["sender"]["comm"] == "bash", e
assert i["title"].startswith("redis-server (pid %d) was terminated by SIGSEGV from bash" % segv), i["title"]
words = " ".join([i["title"]] + i["evidence"] + i["next_steps"])
assert "crashed" not in words and "fix that code path" not in words, words
PY
	fail "wrong signal incidents: $(head -c 4000 "$TMP/report.txt")"
assert_match "$TMP/report.txt" "python3 \\(pid $py\\) was terminated by SIGTERM from timeout \\(pid $tpid\\)"
assert_match "$TMP/report.txt" "redis-server \\(pid $redis\\) was terminated by SIGKILL"
pass "timeout's SIGTERM is a stop by timeout; redis-server named in its headline"
