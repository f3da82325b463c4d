# SPDX-License-Identifier: GPL-2.0
# Sourced by the watch integration tests after lib.sh: run `faultline watch
# --json` in the background, wait until it is attached, stop it, query events.

# start_watch ARGS...: output in $TMP/watch.out (JSON Lines), $TMP/watch.err.
# $WATCH_BIN overrides the binary (e.g. the ASan build).
start_watch() {
	# Emptied here, not by the background job's redirection: wait_ready
	# must not find the previous run's banner before the new run truncates it.
	: >"$TMP/watch.err"
	"${WATCH_BIN:-$FAULTLINE}" watch --json "$@" >"$TMP/watch.out" 2>"$TMP/watch.err" &
	WATCH_PID=$!
	on_exit "kill -KILL $WATCH_PID"
	wait_ready "$WATCH_PID" "$TMP/watch.err" watch
}

# stop_watch [SIGNAL]: SIGINT (or SIGNAL), wait, expect exit 0 and the summary.
stop_watch() {
	local rc
	sleep 0.5	# let the last events cross the ring buffer
	kill -"${1:-INT}" "$WATCH_PID"
	wait "$WATCH_PID"
	rc=$?
	[ "$rc" = 0 ] || fail "watch exited $rc after SIGINT: $(tail -c 800 "$TMP/watch.err")"
	assert_match "$TMP/watch.err" '^faultline: watch summary after' "watch stderr"
	assert_match "$TMP/watch.err" '^  lost: [0-9]+$' "watch stderr"
}

# events 'PYTHON EXPR over e' [FIELD-EXPR]: prints matching events (or the
# expression per match) from $TMP/watch.out, one per line; fails on bad JSON.
events() {
	python3 - "$TMP/watch.out" "$1" "${2:-}" <<'PY'
import json, sys
path, cond, show = sys.argv[1], sys.argv[2], sys.argv[3]
for n, line in enumerate(open(path), 1):
    try:
        e = json.loads(line)
    except ValueError as err:
        sys.exit("line %d is not JSON (%s): %s" % (n, err, line[:200]))
    if eval(cond, {}, {"e": e}):
        print(json.dumps(eval(show, {}, {"e": e})) if show else json.dumps(e))
PY
}

# stack_symbols < 'JSON event': the stack's symbol names, one per line.
stack_symbols() {
	python3 -c 'import json,sys; e=json.loads(sys.stdin.read())
print("\n".join(f.get("symbol") or "?" for f in e.get("stack", [])))' 2>/dev/null
}

# True when the build resolves symbols (false with the weak stand-ins).
have_symbolizer() {
	grep -q '"symbol":"[a-z_]' "$TMP/watch.out"
}
