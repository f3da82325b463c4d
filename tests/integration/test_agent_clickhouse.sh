#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# agent --clickhouse against a real ClickHouse (Debian's clickhouse-server,
# 18.16) on free loopback ports: refused connections to a port of this test's
# own become `events` rows, counted exactly, whose stacks are in `stacks`;
# profile samples land in `samples` and answer the fleet flame graph query of
# docs/fleet.md; a server outage mid-run loses nothing (the spool delivers the
# rows caused during it), an agent stopped with rows in its spool delivers them
# when it starts again, and SIGTERM flushes what is pending.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../clickhouse/clickhouse_lib.sh"
need_root
[ -x /usr/sbin/clickhouse-server ] || skip "no clickhouse-server (Debian package)"
command -v curl >/dev/null || skip "no curl"
BIN=$FAULTLINE
[ -x "${FAULTLINE_ASAN:-}" ] && BIN=$FAULTLINE_ASAN

expect_exit 2 "$FAULTLINE" agent --spool "$TMP/x"
assert_match "$TMP/err" "--spool needs --clickhouse URL" "stderr"
expect_exit 2 "$FAULTLINE" agent --clickhouse ftp://x/
assert_match "$TMP/err" "not an http:// or https:// URL" "stderr"

ch_start one
dport=$(ch_free_port)	# closed: nothing listens there
host=fltest$$
spool="$TMP/spool"
mport=$(ch_free_port)

runs=0
start_agent() {
	runs=$((runs + 1))
	err="$TMP/agent.err.$runs"
	"$BIN" agent --metrics "127.0.0.1:$mport" --events conn --clickhouse "$CH_URL_one" \
		--host "$host" --spool "$spool" --spool-max-mb 8 >>"$TMP/agent.out" 2>"$err" &
	agent=$!
	on_exit "kill -KILL $agent 2>/dev/null"
	wait_ready "$agent" "$err" agent
}
stop_agent() {
	kill -TERM "$agent"
	wait "$agent" || fail "agent exited $?: $(tail -5 "$err")"
}
refuse() { # N: N refused connections to $dport
	for _ in $(seq "$1"); do (exec 3<>"/dev/tcp/127.0.0.1/$dport") 2>/dev/null; done
	return 0
}
mine() {
	ch_query one "SELECT count() FROM faultline.events WHERE host = '$host' AND
		type = 'conn_refused' AND attrs LIKE '%\"dport\":$dport,%'"
}
wait_rows() { # N WHAT
	local n
	for _ in $(seq 100); do
		n=$(mine 2>/dev/null)
		[ "$n" = "$1" ] && return 0
		sleep 0.1
	done
	fail "$2: $n rows of this test's refused connections, expected $1; $(tail -5 "$err")"
}
metric() { curl -sf "http://127.0.0.1:$mport/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

start_agent
timeout 1 yes >/dev/null	# CPU time to sample
refuse 5
wait_rows 5 "with the server up"
missing=$(ch_query one "SELECT count() FROM faultline.events AS e ANY LEFT JOIN
	(SELECT stack_hash, 1 AS found FROM faultline.stacks) AS s USING stack_hash
	WHERE e.host = '$host' AND e.stack_hash != 0 AND found = 0")
[ "$missing" = 0 ] || fail "$missing events whose stack is not in faultline.stacks"
ch_query one "SELECT count() FROM faultline.events WHERE host = '$host' AND stack_hash != 0
	AND attrs LIKE '%\"dport\":$dport,%'" | grep -qx 5 || fail "refused connections without a stack"
# The host row: its addresses (what a refused client elsewhere connected to), its kernel.
ch_query one "SELECT kernel, arrayStringConcat(addresses, ' ') FROM faultline.hosts FINAL
	WHERE host = '$host'" >"$TMP/hosts"
[ "$(cut -f1 "$TMP/hosts")" = "$(uname -r)" ] || fail "hosts row: $(cat "$TMP/hosts")"
for a in $(ip -o addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4 }'); do
	grep -qw -- "$a" "$TMP/hosts" || fail "hosts row lacks $a: $(cat "$TMP/hosts")"
done

# Outage: rows caused while the server is down go to the spool, then arrive.
ch_stop one
refuse 4
for _ in $(seq 50); do
	[ "$(metric 'faultline_sink_rows_total{table="events",result="spooled"}')" -ge 4 ] 2>/dev/null && break
	sleep 0.2
done
[ "$(metric 'faultline_sink_rows_total{table="events",result="spooled"}')" -ge 4 ] ||
	fail "events were not spooled during the outage: $(curl -s "http://127.0.0.1:$mport/metrics" | grep sink)"
[ "$(metric faultline_spool_bytes)" -gt 0 ] || fail "faultline_spool_bytes is 0 during the outage"
ch_start one
wait_rows 9 "after the outage"
assert_match "$err" "ClickHouse at .*keeping rows in the spool" "stderr"

# Samples: the documented fleet flame graph query answers with whole frames.
sleep 11	# one samples bucket
stop_agent
ch_query one "SELECT arrayStringConcat(frames, ';') AS stack, sum(count) AS n
	FROM faultline.samples AS s ANY INNER JOIN faultline.stacks AS k USING stack_hash
	WHERE s.host = '$host' AND s.kind = 'cpu' GROUP BY stack ORDER BY n DESC" >"$TMP/flame"
[ -s "$TMP/flame" ] || fail "no cpu samples with stacks in ClickHouse"
[ "$(mine)" = 9 ] || fail "$(mine) rows after SIGTERM, expected 9 (duplicates?)"

# An agent stopped with a spool delivers it when started again.
ch_stop one
start_agent
refuse 3
stop_agent		# SIGTERM: the pending rows go to the spool
ls "$spool"/*.events.*.gz >/dev/null 2>&1 || fail "nothing spooled at SIGTERM: $(ls -la "$spool")"
ch_start one
start_agent
wait_rows 12 "after a restart with a spool"
assert_match "$err" "spool .* holds [0-9]+ rows from before" "stderr"
# SIGTERM flushes: rows caused right before it arrive.
refuse 2
stop_agent
wait_rows 14 "after SIGTERM"
ls "$spool"/*.gz >/dev/null 2>&1 && fail "spool not empty at the end: $(ls "$spool")"
pass "events, stacks and samples in ClickHouse; nothing lost across an outage and a restart"
