#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The agent's steady-state cost with the ClickHouse sink on: watch (every
# default source) + the 19 Hz profile, for DURATION seconds after a warm-up,
# writing to a real ClickHouse (Debian's 18.16) on a loopback port.
# Reports: the agent's CPU (user + system, and the run time of its BPF
# programs, which the kernel charges to the traced tasks) as a percent of one
# CPU; its RSS; rows and bytes per second sent; bytes on ClickHouse's disk
# per million samples; then the rate of events one agent delivers in a
# refused-connection storm, with what was dropped.
# Targets: <= 0.5% of one CPU and <= 60 MB RSS at 19 Hz on an idle host.
#   bench/agent/run.sh [DURATION] [STORM_SECONDS]   (default 60 10)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
BUILD=${BUILD:-build}
FAULTLINE=${FAULTLINE:-$PWD/$BUILD/faultline}
DURATION=${1:-60}
STORM=${2:-10}
TMP=$(mktemp -d /tmp/faultline-bench.XXXXXX)
CLEANUP_CMDS=()
on_exit() { CLEANUP_CMDS+=("$1"); }
fail() { echo "bench: $*" >&2; exit 1; }
cleanup() {
	for c in "${CLEANUP_CMDS[@]}"; do eval "$c"; done
	rm -rf "$TMP"
}
trap cleanup EXIT
. tests/clickhouse/clickhouse_lib.sh

[ "$(id -u)" = 0 ] || fail "needs root"
[ -x "$FAULTLINE" ] || fail "run 'make faultline' first"
[ -x /usr/sbin/clickhouse-server ] || fail "needs clickhouse-server (tools/install-deps.sh bench)"

ch_start one
mport=$(ch_free_port)
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
on_exit "sysctl -qw kernel.bpf_stats_enabled=$stats_was"

"$FAULTLINE" agent --metrics "127.0.0.1:$mport" --clickhouse "$CH_URL_one" --host bench \
	--spool "$TMP/spool" >"$TMP/agent.out" 2>"$TMP/agent.err" &
agent=$!
on_exit "kill -KILL $agent 2>/dev/null"
for _ in $(seq 300); do
	grep -q '^faultline: watching' "$TMP/agent.err" && break
	kill -0 $agent 2>/dev/null || fail "agent exited: $(tail -3 "$TMP/agent.err")"
	sleep 0.1
done
sleep 10	# warm-up: symbol tables, process tables

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$agent/stat"; }
bpf_ns() { # run time of the agent's BPF programs, ns, from its prog fds' fdinfo
	cat /proc/$agent/fdinfo/* 2>/dev/null |
		awk '/^prog_type:/ { p = 1 } p && /^run_time_ns:/ { n += $2; p = 0 } END { print n + 0 }'
}
metric() { curl -sf "http://127.0.0.1:$mport/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
rows_sent() {
	curl -sf "http://127.0.0.1:$mport/metrics" |
		awk '/^faultline_sink_rows_total/ && /result="sent/ { n += $2 } END { print n + 0 }'
}
hz=$(getconf CLK_TCK)
t0=$(date +%s.%N); c0=$(cpu_ticks); b0=$(bpf_ns); r0=$(rows_sent)
s0=$(metric faultline_profile_samples_total)
sleep "$DURATION"
t1=$(date +%s.%N); c1=$(cpu_ticks); b1=$(bpf_ns); r1=$(rows_sent)
s1=$(metric faultline_profile_samples_total)
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$agent/status")
hwm_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$agent/status")
sleep 2	# the last inserts
disk=$(ch_query one "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'faultline'
	AND active")
samples=$(ch_query one "SELECT sum(count) FROM faultline.samples WHERE host = 'bench'")
gz_bytes=$(ch_query one "SELECT sum(data_compressed_bytes) FROM system.parts
	WHERE database = 'faultline' AND active")

python3 - "$t0" "$t1" "$c0" "$c1" "$hz" "$b0" "$b1" "$r0" "$r1" "$s0" "$s1" "$rss_kb" \
	"$hwm_kb" "$disk" "$samples" <<'PY'
import sys
t0, t1, c0, c1, hz, b0, b1, r0, r1, s0, s1, rss, hwm, disk, samples = map(float, sys.argv[1:])
secs = t1 - t0
user = (c1 - c0) / hz / secs * 100
bpf = (b1 - b0) / 1e9 / secs * 100
print("agent, %.0f s steady state, 19 Hz, ClickHouse sink on:" % secs)
print("  CPU: %.2f%% of one CPU in the agent, %.2f%% in its BPF programs, %.2f%% in all"
      " (target <= 0.5%%)" % (user, bpf, user + bpf))
print("  RSS: %.1f MB now, %.1f MB peak (target <= 60 MB)" % (rss / 1024, hwm / 1024))
print("  rows sent: %.1f/s; profile samples: %.1f/s" % ((r1 - r0) / secs, (s1 - s0) / secs))
if samples:
    print("  ClickHouse disk: %.0f bytes in all, %.0f bytes per million samples"
          % (disk, disk / samples * 1e6))
PY

# The storm: refused connections as fast as one shell makes them.
dport=$(ch_free_port)
e0=$(ch_query one "SELECT count() FROM faultline.events WHERE type = 'conn_refused'")
d0=$(curl -sf "http://127.0.0.1:$mport/metrics" | awk '/^faultline_(sink_rows|lost_events)_total/ && /dropped|rate_limited|ringbuf_full/ { n += $2 } END { print n + 0 }')
made=0
end=$(( $(date +%s) + STORM ))
while [ "$(date +%s)" -lt "$end" ]; do
	(exec 3<>"/dev/tcp/127.0.0.1/$dport") 2>/dev/null
	made=$((made + 1))
done
sleep 3
e1=$(ch_query one "SELECT count() FROM faultline.events WHERE type = 'conn_refused'")
d1=$(curl -sf "http://127.0.0.1:$mport/metrics" | awk '/^faultline_(sink_rows|lost_events)_total/ && /dropped|rate_limited|ringbuf_full/ { n += $2 } END { print n + 0 }')
echo "storm: $made refused connections in $STORM s; $((e1 - e0)) conn_refused rows stored" \
	"($(( (e1 - e0) / STORM ))/s); $((d1 - d0)) rows or events dropped or rate-limited"
kill -TERM $agent
wait $agent
