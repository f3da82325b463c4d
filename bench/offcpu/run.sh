#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cost of `faultline profile --off-cpu` per context switch, against
# libbpf-tools' offcputime, on the same workload in the same run: a
# context-switch ping-pong (tools/pingpong: two processes passing one byte
# over two pipes, both on CPU 0 so that each round trip is two context
# switches there) plus a normal load on CPU 1 (stress-ng --cpu 1 --cpu-load 50).
#
# Each tool traces the whole system (as offcputime does by default) while the
# workload runs $DURATION s; REPEATS rounds, tools in turn. Per run: round
# trips/s and context switches/s (/proc/stat ctxt) against runs without a
# tracer; the ns each context switch gained ((1/rate - 1/base) per switch);
# the BPF run time of all the tool's programs per sched_switch run, and in
# total (kernel.bpf_stats_enabled): the in-kernel cost per switch, which the
# other load on a shared machine does not blur as it does throughput; the
# tool's CPU time (user+sys, whole run including start-up) and peak RSS; what
# each tool says it lost. Then faultline's added cost as a ratio to offcputime's.
#
#   bench/offcpu/run.sh [DURATION [REPEATS]]      (default 10 2)
set -u
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
REPEATS=${2:-2}
FAULTLINE=${FAULTLINE:-$PWD/build/faultline}
TOOLS=${TOOLS:-$PWD/build/tools}
OUT=$(mktemp -d /tmp/faultline-bench.XXXXXX)
trap 'sysctl -q kernel.bpf_stats_enabled=$old_stats; rm -rf "$OUT"' EXIT

tools/install-deps.sh bench >/dev/null || { echo "bench: tools/install-deps.sh bench failed"; exit 1; }
OFFCPUTIME=$(command -v offcputime || echo /usr/sbin/offcputime)
for t in "$OFFCPUTIME" stress-ng bpftool /usr/bin/time python3; do
	command -v "$t" >/dev/null || { echo "bench: $t missing"; exit 1; }
done
[ -x "$FAULTLINE" ] && [ -x "$TOOLS/pingpong" ] || { echo "bench: run make faultline tools"; exit 1; }
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=1

ctxt() { awk '/^ctxt/ { print $2 }' /proc/stat; }

# workload LABEL: ping-pong and the normal load for DURATION s; "round_trips/s
# switches/s" to $OUT/LABEL.wl
workload() {
	local c0 c1 t0 t1
	stress-ng --cpu 1 --cpu-load 50 --taskset 1 -t "$DURATION" -q &
	local load=$!
	c0=$(ctxt) t0=$EPOCHREALTIME
	taskset -c 0 "$TOOLS/pingpong" "$DURATION" >"$OUT/$1.pp"
	c1=$(ctxt) t1=$EPOCHREALTIME
	wait $load
	awk -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" '/round_trips_per_sec/ {
		printf "%s %.0f\n", $2, c / (t1 - t0) }' "$OUT/$1.pp" >"$OUT/$1.wl"
}

# bpf_watch PID LABEL: the largest run_time_ns summed over the BPF programs PID
# holds, and the run_cnt of its sched_switch program, polled until it exits,
# to $OUT/LABEL.bpf
bpf_watch() {
	python3 - "$1" "$OUT/$2.bpf" <<'PY' &
import json, os, subprocess, sys, time
pid, out = int(sys.argv[1]), sys.argv[2]
best = (0, 0)
while os.path.exists(f"/proc/{pid}"):
    ids = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fdinfo"):
            for line in open(f"/proc/{pid}/fdinfo/{fd}"):
                if line.startswith("prog_id:"):
                    ids.add(int(line.split()[1]))
    except (OSError, ValueError):
        pass
    try:
        progs = json.loads(subprocess.run(["bpftool", "prog", "show", "-j"],
                           capture_output=True, text=True).stdout or "[]")
    except ValueError:
        progs = []
    mine = [p for p in progs if p.get("id") in ids]
    now = (sum(p.get("run_time_ns", 0) for p in mine),
           sum(p.get("run_cnt", 0) for p in mine if "switch" in p.get("name", "")))
    if now[0] > best[0]:
        best = now
        open(out, "w").write(f"{best[0]} {best[1]}\n")
    time.sleep(0.5)
PY
}

# run_tool LABEL CMD...: CMD traces while the workload runs; CPU and RSS of CMD to LABEL.time
run_tool() {
	local label=$1 tpid; shift
	echo "0 0" >"$OUT/$label.bpf"
	/usr/bin/time -o "$OUT/$label.time" -f "%U %S %M" "$@" >"$OUT/$label.stdout" \
		2>"$OUT/$label.log" &
	tpid=$!
	# attached: faultline says so with -v; offcputime loads in well under a second
	for _ in $(seq 100); do
		grep -q 'profile: sampling' "$OUT/$label.log" && break
		[[ $label == offcputime* ]] && { sleep 2; break; }
		sleep 0.1
	done
	bpf_watch "$(pgrep -P "$tpid" | head -1)" "$label"
	workload "$label"
	kill -INT "$(pgrep -P "$tpid" | head -1)" 2>/dev/null
	wait "$tpid"
	wait
}

echo "offcpu bench: $DURATION s per run, $REPEATS rounds, $(nproc) CPUs"
T=$((DURATION + 30))	# each tool is stopped by SIGINT once the workload ends
for r in $(seq "$REPEATS"); do
	echo "  round $r" >&2
	workload "base-$r"
	run_tool "faultline-$r" "$FAULTLINE" profile -v --off-cpu -d "$T" -o "$OUT/f-$r.folded"
	run_tool "faultline_fp-$r" "$FAULTLINE" profile -v --off-cpu --unwind fp -d "$T" \
		-o "$OUT/fp-$r.folded"
	run_tool "faultline_wakers-$r" "$FAULTLINE" profile -v --off-cpu --wakers -d "$T" \
		-o "$OUT/w-$r.folded"
	run_tool "offcputime-$r" "$OFFCPUTIME" "$T"
	workload "base2-$r"
done
for f in "$OUT"/faultline*-1.log; do
	echo "  $(basename "$f" -1.log): $(grep -E 'not counted|ms off-CPU' "$f" | tr '\n' ' ')"
done
echo "  offcputime-1: $(grep -c '^    -  ' "$OUT/offcputime-1.stdout") stacks, $(grep -c 'Missed' \
	"$OUT/offcputime-1.stdout") with a missed stack"

python3 - "$OUT" "$REPEATS" "$DURATION" <<'PY'
import glob, sys
out, rounds, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def wl(label):
    rt, sw = map(float, open(f"{out}/{label}.wl").read().split())
    return rt, sw
tools = ["faultline", "faultline_fp", "faultline_wakers", "offcputime"]
rows = {t: [] for t in tools}
for r in range(1, rounds + 1):
    # the baseline of a round: the mean of the runs before and after it
    b = [wl(f"base-{r}"), wl(f"base2-{r}")]
    base_rt = sum(x[0] for x in b) / 2
    base_sw = sum(x[1] for x in b) / 2
    per_rt = base_sw / base_rt          # context switches per round trip, untraced
    for t in tools:
        rt, sw = wl(f"{t}-{r}")
        u, s, rss = open(f"{out}/{t}-{r}.time").read().split()[-3:]
        bpf_ns, runs = map(float, open(f"{out}/{t}-{r}.bpf").read().split())
        added = (1e9 / rt - 1e9 / base_rt) / per_rt
        rows[t].append(dict(rt=rt, base_rt=base_rt, sw=sw, base_sw=base_sw, added=added,
                            cpu=float(u) + float(s), bpf=bpf_ns / 1e9,
                            per_run=bpf_ns / runs if runs else 0, rss=int(rss) / 1024))
def rng(t, k, fmt):
    v = [x[k] for x in rows[t]]
    return fmt % min(v) if min(v) == max(v) else (fmt % min(v)) + ".." + (fmt % max(v))
print(f"{'':18} {'round trips/s':>16} {'(untraced)':>16} {'switches/s':>16} "
      f"{'ns added/switch':>16} {'BPF ns/switch':>14} {'BPF s':>10} {'CPU s':>10} {'RSS MB':>10}")
for t in tools:
    print(f"{t:18} {rng(t, 'rt', '%.0f'):>16} {rng(t, 'base_rt', '%.0f'):>16} "
          f"{rng(t, 'sw', '%.0f'):>16} {rng(t, 'added', '%.0f'):>16} "
          f"{rng(t, 'per_run', '%.0f'):>14} {rng(t, 'bpf', '%.2f'):>10} "
          f"{rng(t, 'cpu', '%.2f'):>10} {rng(t, 'rss', '%.0f'):>10}")
ref = rows["offcputime"]
for t in tools[:-1]:
    ratio = [x["added"] / y["added"] if y["added"] > 0 else float("nan")
             for x, y in zip(rows[t], ref)]
    bpf = [x["per_run"] / y["per_run"] if y["per_run"] else float("nan")
           for x, y in zip(rows[t], ref)]
    print(f"{t}: ns added per switch / offcputime's: "
          f"{min(ratio):.2f}..{max(ratio):.2f} (target <= 0.5); BPF ns per switch / "
          f"offcputime's: {min(bpf):.2f}..{max(bpf):.2f}; peak RSS "
          f"{max(x['rss'] for x in rows[t]):.0f} MB (target <= 50)")
PY
