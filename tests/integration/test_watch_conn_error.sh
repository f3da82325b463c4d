#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Connect failures other than refusals, in a private network namespace:
#  - no route at all: connect() fails with ENETUNREACH before any SYN
#    (blocking conn_error, destination read from the sockaddr);
#  - a neighbour that never answers, with tcp_syn_retries=1: the non-blocking
#    connect times out ~3 s later in timer (softirq) context, under whatever
#    task was running; the event must still name the connecting process and
#    carry the stack captured in it (tcp_v4_connect).
. "$(dirname "$0")/lib.sh"
need_root
command -v ip >/dev/null || skip "ip (iproute2) not installed"

ns=faultline-conn-$$
ip netns add $ns 2>/dev/null || skip "cannot create a network namespace"
on_exit "ip netns del $ns"
ip -n $ns link set lo up
ip -n $ns link add v0 type veth peer name v1 || skip "no veth support"
ip -n $ns addr add 10.213.0.1/24 dev v0
ip -n $ns link set v0 up
ip -n $ns link set v1 up
ip netns exec $ns sysctl -qw net.ipv4.tcp_syn_retries=1

"$FAULTLINE" watch --events conn --json -d 60 >"$TMP/events.json" 2>"$TMP/watch.err" &
watcher=$!
on_exit "kill $watcher"
wait_line "$TMP/watch.err" 'watching' 30 || fail "watch did not start: $(cat "$TMP/watch.err")"

ip netns exec $ns "$TOOLS/conn_refused" --addr 203.0.113.1 --mode blocking >"$TMP/unreach.out"
assert_match "$TMP/unreach.out" 'result blocking Network is unreachable' "conn_refused output"
ip netns exec $ns "$TOOLS/conn_refused" --addr 10.213.0.2 --mode nonblocking >"$TMP/timeout.out"
assert_match "$TMP/timeout.out" 'result nonblocking (Connection timed out|No route to host)' \
	"conn_refused output"
sleep 1
kill -INT $watcher
wait $watcher || fail "watch exited $?: $(tail -5 "$TMP/watch.err")"

PYTHONPATH="$(dirname "$0")" python3 - "$TMP/events.json" "$TMP/unreach.out" "$TMP/timeout.out" <<'EOF' ||
import sys
from watch_check import load_events, die

events = load_events(sys.argv[1])

def one(out, daddr):
    info = dict(l.split()[:2] for l in open(out) if l.split()[0] in ("pid", "port"))
    pid, port = int(info["pid"]), int(info["port"])
    got = [e for e in events if e.get("pid") == pid and e.get("dport") == port]
    if len(got) != 1:
        die(f"{daddr}:{port}: {len(got)} events of pid {pid}, want exactly 1")
    e = got[0]
    if e["type"] != "conn_error" or e["daddr"] != daddr or e["direction"] != "outbound":
        die(f"{daddr}: wrong event {e}")
    return e

e = one(sys.argv[2], "203.0.113.1")
if e["errno"] != "ENETUNREACH" or e["mode"] != "blocking":
    die(f"no route: errno {e['errno']} mode {e['mode']}, want ENETUNREACH blocking")
e = one(sys.argv[3], "10.213.0.2")
if e["errno"] not in ("ETIMEDOUT", "EHOSTUNREACH") or e["mode"] != "nonblocking":
    die(f"timeout: errno {e['errno']} mode {e['mode']}, want ETIMEDOUT nonblocking")
if e["comm"] != "conn_refused" or e["saddr"] != "10.213.0.1" or e["elapsed_ms"] < 500:
    die(f"timeout: comm {e['comm']} saddr {e['saddr']} after {e['elapsed_ms']} ms")
syms = [f.get("symbol") for f in e.get("stack", [])]
if "tcp_v4_connect" not in syms:
    die(f"timeout: the stack is not the connecting task's: {syms}")
print(f"ok: ENETUNREACH (blocking) and {e['errno']} after {e['elapsed_ms']:.0f} ms (nonblocking)")
EOF
	fail "events: see above"
pass "conn_error: no route and a timeout attributed to the connecting process"
