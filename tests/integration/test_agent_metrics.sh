#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# agent: N segfaults of a uniquely named copy of tools/segv are counted as
# faultline_events_total{type="signal",comm=NAME} N, on /metrics and through a
# real Prometheus scraping it; a comm holding a quote, a backslash and a
# newline comes out escaped and promtool accepts the whole exposition; SIGHUP
# applies --top-comms and -F from the config file and logs what needs a
# restart; SIGTERM exits 0 promptly. Others run tests concurrently: every
# assertion is about this test's own comms.
. "$(dirname "$0")/lib.sh"
need_root
command -v promtool >/dev/null || skip "no promtool (Debian package prometheus)"
command -v prometheus >/dev/null || skip "no prometheus (Debian package prometheus)"
command -v curl >/dev/null || skip "no curl"
BIN=$FAULTLINE
[ -x "${FAULTLINE_ASAN:-}" ] && BIN=$FAULTLINE_ASAN
N=3

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Usage errors, before anything is loaded.
expect_exit 2 "$FAULTLINE" agent --metrics 127.0.0.1
assert_match "$TMP/err" "invalid --metrics '127.0.0.1'" "stderr"
expect_exit 2 "$FAULTLINE" agent --metrics 300.0.0.1:80
printf 'top-comms = 5\n\n# x\nno-such-key = 1\n' >"$TMP/bad.conf"
expect_exit 2 "$FAULTLINE" agent --config "$TMP/bad.conf"
assert_match "$TMP/err" "bad.conf:4: unknown key 'no-such-key'" "stderr"

port=$(free_port)
cat >"$TMP/agent.conf" <<CONF
# every comm its own series, so this test's are never folded into "other"
top-comms = 1000
frequency = 19
rate-limit = 100
CONF
"$BIN" agent --metrics "127.0.0.1:$port" --config "$TMP/agent.conf" --events signal,slow \
	>"$TMP/agent.out" 2>"$TMP/agent.err" &
agent=$!
on_exit "kill -KILL $agent"
wait_ready "$agent" "$TMP/agent.err" agent
curl -sf "http://127.0.0.1:$port/metrics" >"$TMP/m0" || fail "no /metrics on port $port"

timeout 0.5 yes >/dev/null	# CPU time to sample, on an idle machine too
name=agsegv$$
name=${name:0:15}
cp "$TOOLS/segv" "$TMP/$name"
for i in $(seq $N); do "$TMP/$name" 10 >/dev/null 2>&1; done
# A comm chosen to break the format: quote, backslash, newline.
python3 - "$$" <<'PY'
import ctypes, os, signal, sys
name = ('h"\\\n' + sys.argv[1])[:15].encode()
ctypes.CDLL(None).prctl(15, name, 0, 0, 0)
os.kill(os.getpid(), signal.SIGSEGV)
PY

series="faultline_events_total{type=\"signal\",comm=\"$name\"}"
for i in $(seq 100); do
	curl -sf "http://127.0.0.1:$port/metrics" >"$TMP/m1"
	grep -qF "$series $N" "$TMP/m1" && break
	sleep 0.1
done
sleep 1
curl -sf "http://127.0.0.1:$port/metrics" >"$TMP/m1"
got=$(grep -F "$series " "$TMP/m1" | awk '{ print $2 }')
[ "$got" = "$N" ] || fail "$series is '$got', expected $N: $(grep events_total "$TMP/m1")"
pass "$N segfaults of $name counted"

promtool check metrics <"$TMP/m1" >"$TMP/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$TMP/promtool.out")"
python3 - "$TMP/m1" "$$" <<'PY' || fail "hostile comm not escaped: $(grep 'comm="h' "$TMP/m1")"
import sys
comm = ('h"\\\n' + sys.argv[2])[:15]
esc = comm.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
want = 'faultline_events_total{type="signal",comm="%s"} 1' % esc
lines = open(sys.argv[1]).read().split('\n')
assert want in lines, want
PY
for m in faultline_lost_events_total faultline_profile_samples_total faultline_up \
	faultline_build_info process_cpu_seconds_total process_resident_memory_bytes \
	process_virtual_memory_bytes process_open_fds process_max_fds process_start_time_seconds; do
	assert_match "$TMP/m1" "^# TYPE $m (counter|gauge)$" "/metrics"
	assert_match "$TMP/m1" "^# HELP $m " "/metrics"
done
assert_match "$TMP/m1" \
	'^faultline_lost_events_total\{source="signal",reason="ringbuf_full"\} [0-9]+$' "/metrics"
assert_match "$TMP/m1" '^faultline_up 1$'
samples=$(awk '$1 == "faultline_profile_samples_total" { print $2 }' "$TMP/m1")
[ "${samples:-0}" -gt 0 ] || fail "no profile samples counted: $samples"
pass "promtool accepts the exposition; hostile comm escaped; $samples profile samples"

# A real Prometheus scrapes the agent every second.
pport=$(free_port)
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: faultline
    static_configs:
      - targets: ['127.0.0.1:$port']
YML
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$TMP/prom.log" 2>&1 &
prom=$!
on_exit "kill -KILL $prom"
val=
for i in $(seq 300); do
	val=$(curl -sf -G "http://127.0.0.1:$pport/api/v1/query" \
		--data-urlencode "query=faultline_events_total{type=\"signal\",comm=\"$name\"}" |
		python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null)
	[ -n "$val" ] && break
	kill -0 $prom 2>/dev/null || fail "prometheus exited: $(tail -c 800 "$TMP/prom.log")"
	sleep 0.1
done
[ "$val" = "$N" ] ||
	fail "Prometheus says '$val' for $name, expected $N: $(tail -c 600 "$TMP/prom.log")"
kill $prom
wait $prom 2>/dev/null
pass "Prometheus scraped the agent: $name $val"

# SIGHUP: two live changes, one that needs a restart.
sed -i -e 's/^top-comms = 1000$/top-comms = 0/' -e 's/^frequency = 19$/frequency = 29/' \
	-e 's/^rate-limit = 100$/rate-limit = 50/' "$TMP/agent.conf"
kill -HUP $agent
wait_line "$TMP/agent.err" 'profile rate 19 Hz -> 29 Hz \(applied\)' 10 ||
	fail "SIGHUP: no rate change logged: $(tail -c 800 "$TMP/agent.err")"
assert_match "$TMP/agent.err" 'top comms 1000 -> 0 \(applied\)' "agent stderr"
assert_match "$TMP/agent.err" 'agent.conf:4: rate-limit = 50: needs a restart \(not applied\)' \
	"agent stderr"
curl -sf "http://127.0.0.1:$port/metrics" >"$TMP/m2"
assert_match "$TMP/m2" '^faultline_profile_rate_hz 29$' "/metrics after SIGHUP"
assert_no_match "$TMP/m2" "comm=\"$name\"" "/metrics after SIGHUP"
other=$(grep -F 'faultline_events_total{type="signal",comm="other"}' "$TMP/m2" | awk '{ print $2 }')
[ "${other:-0}" -ge $((N + 1)) ] || fail "comm=\"other\" is '$other' after top-comms = 0"
kill -0 $agent || fail "the agent died on SIGHUP"
pass "SIGHUP applied top-comms and -F, and named what needs a restart"

start=$EPOCHREALTIME
kill -TERM $agent
for i in $(seq 100); do kill -0 $agent 2>/dev/null || break; sleep 0.1; done
kill -0 $agent 2>/dev/null && fail "the agent still runs 10 s after SIGTERM"
wait $agent
rc=$?
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[ "$rc" = 0 ] || fail "agent exited $rc after SIGTERM: $(tail -c 800 "$TMP/agent.err")"
assert_match "$TMP/agent.err" '^faultline agent: stopped$' "agent stderr"
pass "SIGTERM: exit 0 after $secs s"
