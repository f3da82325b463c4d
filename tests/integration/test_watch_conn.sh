#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Refused connections, for real: conn_refused connects to a closed loopback
# port, blocking and non-blocking, over IPv4 and IPv6. Each refusal must be
# reported exactly once as outbound with the connecting pid, the port and the
# socket's mode. Both ends are on this host: the kernel's RST for each SYN is
# told in the client's event ("no_listener"), not as a second, process-less
# event. Under -p, the outbound events stay.
. "$(dirname "$0")/lib.sh"
need_root

# start_watch OUT ERR ARGS...: faultline watch in the background, once attached.
start_watch() {
	local out=$1 err=$2
	shift 2
	"$FAULTLINE" watch --events conn -d 60 "$@" >"$out" 2>"$err" &
	watcher=$!
	on_exit "kill $watcher"
	wait_line "$err" 'watching' 30 || fail "watch did not start: $(cat "$err")"
}

stop_watch() {
	kill -INT $watcher
	wait $watcher || fail "watch exited $?: $(tail -5 "$1")"
}

# Unfiltered, JSON: both families, both modes, and the inbound side.
start_watch "$TMP/events.json" "$TMP/watch.err" --json
"$TOOLS/conn_refused" -4 --mode both >"$TMP/v4.out" || fail "conn_refused -4 failed"
"$TOOLS/conn_refused" -6 --mode both >"$TMP/v6.out" || fail "conn_refused -6 failed"
for f in v4 v6; do
	[ "$(grep -c '^refused' "$TMP/$f.out")" = 2 ] || fail "$f: not refused twice: $(cat "$TMP/$f.out")"
done
sleep 1
stop_watch "$TMP/watch.err"

PYTHONPATH="$(dirname "$0")" python3 - "$TMP/events.json" "$TMP/v4.out" "$TMP/v6.out" <<'EOF' ||
import sys
from watch_check import load_events, die

events = load_events(sys.argv[1])
for out, daddr in ((sys.argv[2], "127.0.0.1"), (sys.argv[3], "::1")):
    info = dict(l.split() for l in open(out) if l.split()[0] in ("pid", "port"))
    pid, port = int(info["pid"]), int(info["port"])
    outb = [e for e in events if e.get("direction") == "outbound" and e.get("dport") == port]
    inb = [e for e in events if e.get("direction") == "inbound" and e.get("dport") == port]
    for mode in ("blocking", "nonblocking"):
        got = [e for e in outb if e.get("mode") == mode]
        if len(got) != 1:
            die(f"{daddr} port {port}: {len(got)} outbound {mode} events, want exactly 1")
        e = got[0]
        want = {"type": "conn_refused", "errno": "ECONNREFUSED", "pid": pid,
                "comm": "conn_refused", "daddr": daddr, "saddr": daddr,
                "family": "ipv6" if ":" in daddr else "ipv4"}
        for k, v in want.items():
            if e.get(k) != v:
                die(f"{daddr} {mode}: {k} = {e.get(k)!r}, want {v!r}")
        if not e.get("sport") or not e.get("stack"):
            die(f"{daddr} {mode}: no source port or no stack: {e}")
    if len(outb) != 2:
        die(f"{daddr} port {port}: {len(outb)} outbound events, want 2 (no double report)")
    if inb:
        die(f"{daddr} port {port}: loopback RSTs as separate events: {inb}")
    if not all(e.get("no_listener") for e in outb):
        die(f"{daddr} port {port}: the local RST is not in the client's event: {outb}")
print("ok: outbound blocking + nonblocking, local RSTs merged, IPv4 and IPv6")
EOF
	fail "events: see above"

# Filtered by pid, human output: outbound only, inbound counted as not selectable.
"$TOOLS/conn_refused" -6 --mode nonblocking --wait-file "$TMP/go" >"$TMP/p.out" &
tool=$!
on_exit "kill $tool"
wait_line "$TMP/p.out" '^port ' 10 || fail "conn_refused did not start"
pid=$(awk '/^pid /{print $2}' "$TMP/p.out")
port=$(awk '/^port /{print $2}' "$TMP/p.out")
start_watch "$TMP/human.out" "$TMP/human.err" -p "$pid"
touch "$TMP/go"
wait $tool || fail "conn_refused failed"
sleep 1
stop_watch "$TMP/human.err"
assert_lines "$TMP/human.out" 1
assert_match "$TMP/human.out" \
	"error +conn_refused +$pid/conn_refused connect to \[::1\]:$port failed: ECONNREFUSED \(non-blocking.*nothing listens" \
	"human line"
assert_match "$TMP/human.err" 'loopback_rst_in_client_event 1\b' "summary"
pass "refused connections: outbound (both modes), local RSTs merged, IPv4 and IPv6, pid filter"
