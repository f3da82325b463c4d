# SPDX-License-Identifier: GPL-2.0
# Sourced by the record/report scenario tests after lib.sh: run `faultline
# record` in the background, wait until it watches, stop it cleanly.

# start_record FILE ARGS...: stderr in $TMP/record.err.
start_record() {
	local out=$1
	shift
	: >"$TMP/record.err"	# no banner of an earlier run (see start_watch)
	"$FAULTLINE" record -o "$out" "$@" >"$TMP/record.out" 2>"$TMP/record.err" &
	RECORD_PID=$!
	on_exit "kill -KILL $RECORD_PID"
	wait_ready "$RECORD_PID" "$TMP/record.err" record
}

# stop_record FILE: SIGINT after the recorder saw the last exits; the file is complete.
stop_record() {
	local rc
	sleep 2.5	# a process scan (every 2 s) notes who exited
	kill -INT "$RECORD_PID" 2>/dev/null	# with -p it may have stopped with its targets
	wait "$RECORD_PID"
	rc=$?
	[ "$rc" = 0 ] || fail "record exited $rc after SIGINT: $(tail -c 800 "$TMP/record.err")"
	[ -s "$1" ] || fail "no recording at $1"
	[ ! -e "$1.partial" ] || fail "$1.partial left behind after a clean stop"
	assert_match "$TMP/record.err" '^faultline: recorded [0-9]+ events' "record stderr"
}

# report_json FILE: $TMP/report.json, plus the text report in $TMP/report.txt.
report_json() {
	"$FAULTLINE" report "$1" -f json -o "$TMP/report.json" ||
		fail "report -f json failed on $1"
	"$FAULTLINE" report "$1" >"$TMP/report.txt" 2>"$TMP/report.err" ||
		fail "report failed on $1: $(cat "$TMP/report.err")"
}

# free_port: a TCP port nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
