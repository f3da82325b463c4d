#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A process names itself with an escape sequence, a newline and a byte that
# is not UTF-8, burns CPU, then crashes. Every output shows the name escaped:
# no raw control byte reaches a terminal, no line is forged, and every JSON
# output is valid UTF-8 that json.loads reads.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root

cat >"$TMP/hostile.py" <<'PY'
import ctypes, os, signal, sys, time
libc = ctypes.CDLL(None)
libc.prctl(15, b"\x1b[2J\nEVIL\xff", 0, 0, 0)	# PR_SET_NAME: 15 bytes at most
sys.stdout.write("%d\n" % os.getpid()); sys.stdout.flush()
end = time.time() + float(sys.argv[1])
while time.time() < end:
	pass
os.kill(os.getpid(), signal.SIGSEGV)
PY
# check_outputs FILE...: no ESC or other C0 byte but \n and \t, and the escaped name.
check_text() {
	python3 - "$@" <<'PY' || fail "raw control bytes in $*"
import sys
for path in sys.argv[1:]:
	data = open(path, "rb").read()
	bad = [b for b in data if (b < 0x20 and b not in (0x0a, 0x09)) or b == 0x7f]
	assert not bad, (path, bad[:5])
	assert b"EVIL" not in data or b"\\x1b[2J\\x0aEVIL" in data, (path, "unescaped name")
PY
}
check_json_lines() {
	python3 - "$@" <<'PY' || fail "invalid JSON in $*"
import json, sys
for path in sys.argv[1:]:
	text = open(path, "rb").read().decode("utf-8")	# strict: raises on bad bytes
	lines = [l for l in text.splitlines() if l.strip()]
	docs = [json.loads(l) for l in lines] if path.endswith(".jsonl") else [json.loads(text)]
	assert "\\x1b[2J\nEVIL\\xff" in text or "\\\\x1b[2J" in text or \
	       any("EVIL" in json.dumps(d) for d in docs), (path, "name missing")
PY
}

profs=()
start_watch --events signal
"$FAULTLINE" watch --events signal --stacks >"$TMP/human.txt" 2>/dev/null &
human=$!
on_exit "kill -KILL $human"
start_record "$TMP/r.fl" --events signal
# Profiles first, each ready (sampling) before the hostile process starts.
for f in p.json p.pb.gz; do
	"$FAULTLINE" profile -v -d 6 -o "$TMP/$f" 2>"$TMP/$f.err" >/dev/null &
	profs+=($!)
done
"$FAULTLINE" profile -v -d 6 >"$TMP/top.txt" 2>"$TMP/top.err" &
profs+=($!)
for f in p.json.err p.pb.gz.err top.err; do
	wait_line "$TMP/$f" 'profile: sampling' 30 || fail "profile did not start: $(cat "$TMP/$f")"
done
python3 "$TMP/hostile.py" 2 >"$TMP/pid" 2>/dev/null
for p in "${profs[@]}"; do
	wait "$p" || fail "a profile failed: $(cat "$TMP"/*.err)"
done
sleep 1
stop_watch
stop_record "$TMP/r.fl"
pid=$(cat "$TMP/pid")
grep -q "EVIL" "$TMP/watch.out" || fail "watch saw no event of the hostile process"
cp "$TMP/watch.out" "$TMP/watch.jsonl"
check_json_lines "$TMP/watch.jsonl" "$TMP/p.json"
kill -INT $human
wait $human
expect_exit 0 "$FAULTLINE" report "$TMP/r.fl"
cp "$TMP/out" "$TMP/report.txt"
expect_exit 0 "$FAULTLINE" report "$TMP/r.fl" --format json -o "$TMP/report.json"
expect_exit 0 "$FAULTLINE" report "$TMP/r.fl" --format html -o "$TMP/report.html"
check_text "$TMP/human.txt" "$TMP/report.txt" "$TMP/top.txt" "$TMP/report.html"
grep -q 'EVIL' "$TMP/human.txt" || fail "watch's human output names no hostile process"
check_json_lines "$TMP/report.json"
grep -q 'EVIL' "$TMP/report.txt" || fail "report names no hostile process"
assert_no_match "$TMP/report.txt" '^EVIL' "report text (a forged line)"
if command -v go >/dev/null; then
	export HOME=$TMP GOCACHE=$TMP/gocache PPROF_TMPDIR=$TMP
	go tool pprof -raw "$TMP/p.pb.gz" >"$TMP/pprof.txt" 2>"$TMP/pprof.err" ||
		fail "go tool pprof rejects the profile: $(head -c 300 "$TMP/pprof.err")"
fi
pass "hostile names escaped in watch, profile (json, pprof, top) and report (text, json, html)"
