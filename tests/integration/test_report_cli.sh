#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# faultline report on synthetic recordings (tools/gen_recording): the answer in
# the first screen, the JSON schema, a self-contained HTML file that loads in
# headless Chromium without script errors, escaping, truncated and bad files.
. "$(dirname "$0")/lib.sh"

[ -x "$TOOLS/gen_recording" ] || skip "tools/gen_recording is not built"
"$TOOLS/gen_recording" -o "$TMP/rec" -n 3000 -s 60 || fail "gen_recording failed"

# Text: the headline, the leak site and its count in the first 24 lines.
expect_exit 0 "$FAULTLINE" report "$TMP/rec"
head -n 24 "$TMP/out" >"$TMP/screen"
assert_match "$TMP/screen" 'api \(pid 1000\) ran out of file descriptors \(1024 of 1024\)'
assert_match "$TMP/screen" 'Root cause +fd_exhausted'
assert_match "$TMP/screen" 'serve_client'
assert_match "$TMP/screen" 'fds opened at pool_checkout \(api\) are never closed: 1,019 still open'
assert_match "$TMP/screen" 'refused connections from [0-9]+ clients on port 8080'
assert_match "$TMP/out" 'cache \(pid 5000\) was killed by the OOM killer'
assert_match "$TMP/out" 'LOST: 17 events'
# The profile of the window in a line, and no filler wording.
assert_match "$TMP/out" '^  CPU +host: [0-9]+ samples in the window, [0-9]+ in the minutes before; grew most: '
assert_no_match "$TMP/out" 'its callers|\(0 more|from 1 clients| $'
# Refused clients are one line, with how many the report did not list.
assert_match "$TMP/out" '^ +client \(pids [0-9, ]+\): refused clients, [0-9]+ more not listed$'

# JSON: the documented structure, one incident per fault.
expect_exit 0 "$FAULTLINE" report "$TMP/rec" --format json -o "$TMP/report.json"
python3 - "$TMP/report.json" <<'PY' || fail "JSON report structure"
import json, sys
d = json.load(open(sys.argv[1]))
inc = d["incidents"]
assert len(inc) == 4, len(inc)
for i in inc:
    for k in ("id", "start", "end", "root_cause", "timeline", "processes", "impact", "next_steps"):
        assert k in i, k
    assert i["root_cause"]["type"] and i["timeline"] and i["next_steps"]
    assert all("type" in e and "t_rel" in e for e in i["timeline"])
roots = {i["root_cause"]["type"]: i for i in inc}
fd = roots["fd_exhausted"]
assert fd["root_cause"]["stack"][1]["symbol"] == "serve_client"
assert fd["impact"]["refused_connections"] > 0 and fd["impact"]["ports"] == [8080]
oom = roots["oom_kill"]
assert oom["impact"]["refused_connections"] > 0 and oom["impact"]["ports"] == [9090], oom["impact"]
assert roots["signal"]["impact"]["refused_connections"] == 0
assert any(e["type"] == "loss" for i in inc for e in i["timeline"])
assert d["recording"]["complete"] is True
PY

# HTML: self-contained, loads without script errors, shows the incidents.
expect_exit 0 "$FAULTLINE" report "$TMP/rec" -o "$TMP/report.html"
assert_no_match "$TMP/report.html" '(src|href)="https?:'
chromium_dom() { # FILE -> $TMP/dom
	command -v chromium >/dev/null || skip "chromium is not installed"
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$(mktemp -d "$TMP/chr.XXXXXX")" \
		--dump-dom "file://$1" >"$TMP/dom" 2>"$TMP/chromium.err" ||
		fail "chromium failed on $1: $(tail -3 "$TMP/chromium.err")"
	assert_match "$TMP/dom" 'data-ready="1"' "DOM of $1 (script did not finish)"
	assert_no_match "$TMP/dom" 'data-js-error="'
}
chromium_dom "$TMP/report.html"
assert_match "$TMP/dom" 'id="incident-1"'
assert_match "$TMP/dom" 'Incident 1: api \(pid 1000\) ran out of file descriptors'
assert_match "$TMP/dom" 'class="flame"'
assert_match "$TMP/dom" 'class="flame-frame" sandbox="allow-scripts"'
assert_match "$TMP/dom" 'Differential flame graph'
assert_match "$TMP/dom" 'class="loss-marker"'

# Names from the recorded host are data, never markup.
{
	echo '{"rec":"header","format":"faultline-recording","version":1,"start":"2026-11-23T14:00:00Z"}'
	echo '{"rec":"event","type":"signal","time":"2026-11-23T14:00:01Z","pid":7,"tid":7,'\
'"comm":"<img src=x onerror=alert(1)>","signal":"SIGSEGV","stack":[{"symbol":"a<b>&\"c"}]}'
	echo '{"rec":"trailer","end":"2026-11-23T14:00:02Z"}'
} | gzip >"$TMP/evil.rec"
expect_exit 0 "$FAULTLINE" report "$TMP/evil.rec" -o "$TMP/evil.html"
assert_no_match "$TMP/evil.html" '<img src=x'
assert_match "$TMP/evil.html" '&lt;img src=x onerror=alert\(1\)&gt;'
assert_match "$TMP/evil.html" 'a&lt;b&gt;&amp;&quot;c'
chromium_dom "$TMP/evil.html"
assert_no_match "$TMP/dom" '<img src="x"'

# A recorder that died: no trailer, cut mid-stream. Reported, and said so.
"$TOOLS/gen_recording" -o "$TMP/full.partial" -n 3000 -s 60 --no-trailer
head -c "$(($(stat -c %s "$TMP/full.partial") * 2 / 3))" "$TMP/full.partial" >"$TMP/cut.partial"
expect_exit 0 "$FAULTLINE" report "$TMP/cut.partial"
assert_match "$TMP/err" 'is (truncated|damaged)'
assert_match "$TMP/out" 'WARNING: the recording is (truncated|damaged)'
assert_match "$TMP/out" 'api \(pid 1000\) ran out of file descriptors'
assert_match "$TMP/out" '!! recording ends'
expect_exit 0 "$FAULTLINE" report "$TMP/cut.partial" -f json -o "$TMP/cut.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["recording"]; assert not r["complete"] and (r["truncated"] or r["corrupt"]), r' "$TMP/cut.json" ||
	fail "truncation not in the JSON report"
expect_exit 0 "$FAULTLINE" report "$TMP/cut.partial" -o "$TMP/cut.html"
chromium_dom "$TMP/cut.html"
assert_match "$TMP/dom" 'id="truncated"'
assert_match "$TMP/dom" 'class="truncation-marker"'

# Files that are not recordings: one clear line, exit 1, no output file.
head -c 4096 /dev/urandom >"$TMP/noise.rec"
expect_exit 1 "$FAULTLINE" report "$TMP/noise.rec" -o "$TMP/noise.txt"
assert_match "$TMP/err" '^Error: report: cannot read recording .*noise.rec: '
assert_lines "$TMP/err" 1
[ ! -e "$TMP/noise.txt" ] || fail "an output file was written for a bad recording"
: >"$TMP/empty.rec"
expect_exit 1 "$FAULTLINE" report "$TMP/empty.rec"
assert_match "$TMP/err" 'empty file'
expect_exit 1 "$FAULTLINE" report "$TMP/missing.rec"
assert_match "$TMP/err" 'No such file or directory'

# Usage errors.
expect_exit 2 "$FAULTLINE" report
assert_match "$TMP/err" 'missing the recording FILE'
expect_exit 2 "$FAULTLINE" report "$TMP/rec" --format pdf
assert_match "$TMP/err" "unknown format 'pdf'"
expect_exit 1 "$FAULTLINE" report "$TMP/rec" -o /nonexistent/dir/x.txt
assert_match "$TMP/err" '^Error: report: cannot write /nonexistent/dir/x.txt'

# The sanitizer build agrees on the damaged file and on the full one.
if [ -x "${FAULTLINE_ASAN:-}" ]; then
	expect_exit 0 "$FAULTLINE_ASAN" report "$TMP/cut.partial" -f html -o "$TMP/asan.html"
	expect_exit 0 "$FAULTLINE_ASAN" report "$TMP/rec" -f json -o "$TMP/asan.json"
	expect_exit 1 "$FAULTLINE_ASAN" report "$TMP/noise.rec"
fi
pass "report on synthetic recordings"
