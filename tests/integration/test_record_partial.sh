#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A recorder killed with SIGKILL leaves FILE.partial, readable up to its last
# flush (at most a second or two lost): report reads it and says it is
# truncated. Plus record's command-line errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root
[ -x "$TOOLS/segv" ] || skip "tools/segv not built"

expect_exit 2 "$FAULTLINE" record -d 1
assert_match "$TMP/err" "^Error: record: missing -o FILE$"
expect_exit 2 "$FAULTLINE" record -o "$TMP/x.rec" --events bogus
assert_match "$TMP/err" "unknown event source 'bogus'"
expect_exit 1 "$FAULTLINE" record -o /nonexistent/dir/x.rec -d 1
assert_match "$TMP/err" '^Error: record: cannot write /nonexistent/dir/x.rec: No such file'

start_record "$TMP/k.rec" --events signal --no-profile
"$TOOLS/segv" 100 >/dev/null 2>&1
sleep 3	# past a sync flush
kill -KILL "$RECORD_PID"
wait "$RECORD_PID" 2>/dev/null
[ ! -e "$TMP/k.rec" ] || fail "a killed recorder left a file under the final name"
[ -s "$TMP/k.rec.partial" ] || fail "no $TMP/k.rec.partial after SIGKILL"

expect_exit 0 "$FAULTLINE" report "$TMP/k.rec.partial"
assert_match "$TMP/err" 'is truncated'
assert_match "$TMP/out" 'WARNING: the recording is truncated'
assert_match "$TMP/out" 'segv \(pid [0-9]+\) crashed: SIGSEGV \(SEGV_MAPERR\) in crash_here'
"$FAULTLINE" report "$TMP/k.rec.partial" -f json -o "$TMP/k.json" || fail "json report failed"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["recording"]
assert r["truncated"] and not r["complete"], r' "$TMP/k.json" || fail "truncation not reported"
pass "killed recorder: FILE.partial readable and reported as truncated"
