#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Refusals of a real client, Debian's redis-cli, to a closed loopback port.
# hiredis connects non-blocking (EINPROGRESS), then calls connect() again to
# learn the outcome, which returns ECONNREFUSED: one attempt, one refusal,
# labelled non-blocking. strace counts the attempts independently (redis-cli
# tries twice per run). A plain blocking connect (conn_refused) is labelled
# blocking. The kernel's RST is told in the client's event: no line without
# a process, none that reads like pid 0.
. "$(dirname "$0")/lib.sh"
need_root
command -v redis-cli >/dev/null || skip "redis-cli not installed (tools/install-deps.sh test)"
command -v strace >/dev/null || skip "strace not installed (tools/install-deps.sh test)"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$FAULTLINE" watch --events conn --json -d 60 >"$TMP/events.json" 2>"$TMP/json.err" &
json=$!
on_exit "kill $json"
"$FAULTLINE" watch --events conn -d 60 >"$TMP/human.out" 2>"$TMP/human.err" &
human=$!
on_exit "kill $human"
wait_ready $json "$TMP/json.err" "watch --json"
wait_ready $human "$TMP/human.err" "watch"

runs=5
for ((i = 0; i < runs; i++)); do
	strace -f -qq -e trace=connect -o "$TMP/strace.$i" redis-cli -p "$port" ping \
		>"$TMP/cli.out" 2>&1 && fail "redis-cli reached port $port: $(cat "$TMP/cli.out")"
done
attempts=$(cat "$TMP"/strace.* | grep -c "htons($port).*EINPROGRESS")
collected=$(cat "$TMP"/strace.* | grep -c "htons($port).*ECONNREFUSED")
[ "$attempts" -ge $runs ] || fail "strace saw $attempts attempts in $runs runs"
[ "$collected" = "$attempts" ] || fail "strace: $collected refused connect() for $attempts attempts"
"$TOOLS/conn_refused" -4 --mode blocking >"$TMP/blocking.out" || fail "conn_refused failed"
sleep 1
kill -INT $json $human
wait $json || fail "watch --json exited $?: $(tail -5 "$TMP/json.err")"
wait $human || fail "watch exited $?: $(tail -5 "$TMP/human.err")"

PYTHONPATH="$(dirname "$0")" python3 - "$TMP/events.json" "$port" "$attempts" \
	"$TMP/blocking.out" <<'PY' || fail "events: see above"
import sys
from watch_check import load_events, die

events = load_events(sys.argv[1])
port, attempts = int(sys.argv[2]), int(sys.argv[3])
mine = [e for e in events if e.get("dport") == port]
cli = [e for e in mine if e.get("comm") == "redis-cli"]
if len(cli) != attempts or len(mine) != attempts:
    die(f"{len(cli)} redis-cli refusals ({len(mine)} events on port {port}) for {attempts} "
        "attempts: want exactly one per attempt")
for e in cli:
    if (e["type"], e["errno"], e["mode"], e["direction"]) != \
            ("conn_refused", "ECONNREFUSED", "nonblocking", "outbound"):
        die(f"redis-cli refusal mislabelled: {e}")
    if not e.get("no_listener"):
        die(f"the local RST is not told in the client's event: {e}")
if len({e["sport"] for e in cli}) != attempts:
    die(f"source ports {[e['sport'] for e in cli]}: one attempt reported twice")
info = dict(l.split()[:2] for l in open(sys.argv[4]) if l.split()[0] in ("pid", "port"))
blk = [e for e in events if e.get("pid") == int(info["pid"]) and e.get("dport") == int(info["port"])]
if len(blk) != 1 or blk[0]["mode"] != "blocking":
    die(f"conn_refused --mode blocking: {blk}")
print(f"ok: {attempts} attempts by redis-cli, {len(cli)} non-blocking refusals; blocking labelled")
PY
assert_match "$TMP/human.out" "[0-9]+/redis-cli connect to 127.0.0.1:$port failed: ECONNREFUSED \(non-blocking connect" \
	"human output"
assert_no_match "$TMP/human.out" ":$port.* 0/|^[^ ]+ +[a-z]+ +conn_[a-z]+ +0/" "human output"
assert_no_match "$TMP/human.out" "kernel .*:$port" "human output"
pass "redis-cli: one non-blocking refusal per attempt, blocking connect labelled blocking"
