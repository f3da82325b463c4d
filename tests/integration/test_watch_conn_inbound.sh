#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A SYN from another host to a closed port: two network namespaces joined by
# a veth pair, so the SYN does not come through loopback. The kernel's RST is
# an inbound refusal without a process, shown as "kernel", never as pid 0;
# the client's own refusal does not claim that nothing listened on this host.
. "$(dirname "$0")/lib.sh"
need_root
command -v ip >/dev/null || skip "ip (iproute2) not installed"

c=faultline-cli-$$ s=faultline-srv-$$
ip netns add $c 2>/dev/null || skip "cannot create a network namespace"
on_exit "ip netns del $c"
ip netns add $s || fail "second namespace"
on_exit "ip netns del $s"
ip -n $c link add v0 type veth peer name v1 netns $s || skip "no veth support"
ip -n $c addr add 10.214.0.1/24 dev v0
ip -n $s addr add 10.214.0.2/24 dev v1
ip -n $c link set v0 up
ip -n $s link set v1 up
port=$((20000 + $$ % 20000))

"$FAULTLINE" watch --events conn -d 60 >"$TMP/human.out" 2>"$TMP/human.err" &
human=$!
on_exit "kill $human"
"$FAULTLINE" watch --events conn --json -d 60 >"$TMP/events.json" 2>"$TMP/json.err" &
json=$!
on_exit "kill $json"
wait_ready $human "$TMP/human.err" "watch"
wait_ready $json "$TMP/json.err" "watch --json"
ip netns exec $c "$TOOLS/conn_refused" --addr 10.214.0.2 --port $port --mode blocking \
	>"$TMP/client.out" || fail "conn_refused failed"
assert_match "$TMP/client.out" '^refused blocking' "conn_refused output"
sleep 1
kill -INT $human $json
wait $human || fail "watch exited $?: $(tail -5 "$TMP/human.err")"
wait $json || fail "watch --json exited $?: $(tail -5 "$TMP/json.err")"

assert_match "$TMP/human.out" \
	" conn_refused +kernel no listener on 10\.214\.0\.2:$port: SYN from 10\.214\.0\.1:[0-9]+ answered with RST$" \
	"inbound line"
assert_no_match "$TMP/human.out" " 0/" "human output"
PYTHONPATH="$(dirname "$0")" python3 - "$TMP/events.json" "$port" <<'PY' || fail "events: see above"
import sys
from watch_check import load_events, die

port = int(sys.argv[2])
mine = [e for e in load_events(sys.argv[1]) if e.get("dport") == port]
inb = [e for e in mine if e["direction"] == "inbound"]
out = [e for e in mine if e["direction"] == "outbound"]
if len(inb) != 1 or len(out) != 1:
    die(f"want one inbound and one outbound refusal, got {mine}")
if inb[0]["pid"] != 0 or inb[0]["comm"] != "kernel" or inb[0]["saddr"] != "10.214.0.1":
    die(f"inbound: {inb[0]}")
if out[0].get("no_listener") or out[0]["mode"] != "blocking" or out[0]["sport"] != inb[0]["sport"]:
    die(f"outbound: {out[0]}")
print("ok: a remote SYN's RST is the kernel's, the client's refusal is its own")
PY
pass "inbound refusal from another host: shown as the kernel's, not as pid 0"
