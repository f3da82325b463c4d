#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Overhead of `faultline profile` against perf and bpftrace, in the same run:
# each profiles the whole system for $DURATION s at 99 and 999 Hz while a CPU
# workload (cpu_ratio, one per CPU, counting work units) runs.
#
# Per tool and rate: CPU seconds of the tool (user+sys from /usr/bin/time;
# perf's includes `perf script`), BPF program run time (kernel.bpf_stats_enabled,
# bpftool prog show run_time_ns of the tool's own programs), the workload's
# throughput against a run without a profiler, peak RSS and output bytes;
# then faultline's figures as ratios to the peers'.
#
#   bench/profile-overhead/run.sh [DURATION]      (default 20)
set -u
cd "$(dirname "$0")/../.."
DURATION=${1:-${DURATION:-20}}
RATES=${RATES:-"99 999"}
FAULTLINE=${FAULTLINE:-$PWD/build/faultline}
TOOLS=${TOOLS:-$PWD/build/tools}
OUT=$(mktemp -d /tmp/faultline-bench.XXXXXX)
NCPU=$(nproc)
trap 'sysctl -q kernel.bpf_stats_enabled=$old_stats; rm -rf "$OUT"' EXIT

for t in perf bpftrace bpftool /usr/bin/time python3; do
	command -v $t >/dev/null || { echo "bench: $t missing (tools/install-deps.sh bench)"; exit 1; }
done
[ -x "$FAULTLINE" ] && [ -x "$TOOLS/cpu_ratio" ] || { echo "bench: run make first"; exit 1; }
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=1

# workload LABEL: one cpu_ratio per CPU for DURATION; units per CPU second (what
# the profiler's in-kernel work takes, robust against other load) and per wall
# second (also what the profiler process takes) to $OUT/LABEL.wl
workload() {
	local i pids=()
	for i in $(seq "$NCPU"); do
		"$TOOLS/cpu_ratio" "$DURATION" --count >"$OUT/$1.wl.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	awk '/units_per_cpu_sec/ { c += $2 } /units_per_sec/ { w += $2 }
		END { printf "%.1f %.1f\n", c, w }' "$OUT/$1".wl.* >"$OUT/$1.wl"
}

# bpf_watch PID LABEL: highest summed run_time_ns of the BPF programs held by
# PID's descendants (other users' programs on the machine are not counted).
bpf_watch() {
	python3 - "$1" "$OUT/$2.bpf" <<'PY' &
import json, os, subprocess, sys, time
root, out = int(sys.argv[1]), sys.argv[2]
def descendants():
    parent = {}
    for d in os.listdir("/proc"):
        try:
            stat = open(f"/proc/{d}/stat").read()
            parent[int(d)] = int(stat[stat.rindex(")") + 2:].split()[1])
        except (ValueError, OSError):
            pass
    found = set()
    for pid in parent:
        p = pid
        while p > 1 and p != root:
            p = parent.get(p, 0)
        if p == root:
            found.add(pid)
    return found
def prog_ids(pids):
    ids = set()
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fdinfo")
        except OSError:
            continue
        for fd in fds:
            try:
                for line in open(f"/proc/{pid}/fdinfo/{fd}"):
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
            except (OSError, ValueError):
                pass
    return ids
best = 0
while os.path.exists(f"/proc/{root}"):
    ids = prog_ids(descendants())
    try:
        progs = json.loads(subprocess.run(["bpftool", "prog", "show", "-j"],
                           capture_output=True, text=True).stdout or "[]")
    except ValueError:
        progs = []
    ns = sum(p.get("run_time_ns", 0) for p in progs if p.get("id") in ids)
    best = max(best, ns)
    open(out, "w").write(f"{best}\n")
    time.sleep(0.5)
PY
}

# timed LABEL CMD...: runs CMD under /usr/bin/time, adds "user sys maxrss_kb" to $OUT/LABEL.time
timed() {
	local label=$1; shift
	/usr/bin/time -a -o "$OUT/$label.time" -f "%U %S %M" "$@"
}

run_tool() { # TOOL RATE
	local tool=$1 hz=$2 label="$1-$2" tpid
	: >"$OUT/$label.time"
	echo 0 >"$OUT/$label.bpf"
	case $tool in
	faultline)
		timed "$label" "$FAULTLINE" profile -F "$hz" -d "$DURATION" \
			-o "$OUT/$label.folded" 2>"$OUT/$label.log" &
		tpid=$!
		;;
	perf)
		timed "$label" perf record -q -F "$hz" -a -g -o "$OUT/$label.data" \
			-- sleep "$DURATION" 2>"$OUT/$label.log" &
		tpid=$!
		;;
	bpftrace)
		timed "$label" bpftrace -o "$OUT/$label.txt" -e "profile:hz:$hz {
			@[kstack, ustack, comm] = count(); } interval:s:$DURATION { exit(); }" \
			2>"$OUT/$label.log" &
		tpid=$!
		;;
	esac
	sleep 0.5	# let it attach before the workload starts
	bpf_watch "$tpid" "$label"
	workload "$label"
	wait "$tpid"
	wait
	if [ "$tool" = perf ]; then
		timed "$label" perf script -i "$OUT/$label.data" >"$OUT/$label.script" 2>/dev/null
	fi
}

echo "profile-overhead: $DURATION s per run, $NCPU CPUs, rates: $RATES"
workload baseline
for hz in $RATES; do
	for tool in faultline perf bpftrace; do
		echo "  running $tool at $hz Hz" >&2
		run_tool "$tool" "$hz"
	done
done
grep -h 'samples' "$OUT"/faultline-*.log | sed 's/^/  faultline: /'

python3 - "$OUT" "$RATES" <<'PY'
import glob, os, sys
out, rates = sys.argv[1], sys.argv[2].split()
base_cpu, base_wall = map(float, open(f"{out}/baseline.wl").read().split())
def stats(tool, hz):
    label = f"{tool}-{hz}"
    user = sys_ = rss = 0.0
    for line in open(f"{out}/{label}.time"):
        parts = line.split()
        if len(parts) == 3 and parts[0][0].isdigit():
            user += float(parts[0]); sys_ += float(parts[1]); rss = max(rss, float(parts[2]))
    bpf = int(open(f"{out}/{label}.bpf").read() or 0) / 1e9
    files = {"faultline": [".folded"], "perf": [".data", ".script"], "bpftrace": [".txt"]}[tool]
    size = sum(os.path.getsize(f"{out}/{label}{e}") for e in files
               if os.path.exists(f"{out}/{label}{e}"))
    wl_cpu, wl_wall = map(float, open(f"{out}/{label}.wl").read().split())
    return dict(cpu=user + sys_, bpf=bpf, total=user + sys_ + bpf, wl=100 * wl_cpu / base_cpu,
                wall=100 * wl_wall / base_wall, rss=rss / 1024, bytes=size)
print(f"baseline workload: {base_cpu:.1f} units per CPU second, {base_wall:.1f} per second")
print("workload%: units per CPU second vs baseline; wall%: per wall second (noisy)")
print(f"{'tool':10} {'Hz':>4} {'cpu_s':>7} {'bpf_s':>7} {'total_s':>8} {'workload%':>9} "
      f"{'wall%':>6} {'rss_MB':>7} {'out_bytes':>11}")
res = {}
for hz in rates:
    for tool in ("faultline", "perf", "bpftrace"):
        s = res[(tool, hz)] = stats(tool, hz)
        print(f"{tool:10} {hz:>4} {s['cpu']:7.2f} {s['bpf']:7.3f} {s['total']:8.2f} "
              f"{s['wl']:9.1f} {s['wall']:6.1f} {s['rss']:7.1f} {s['bytes']:11d}")
print("\nfaultline as a ratio to each peer (lower is better; workload: higher is better)")
for hz in rates:
    f = res[("faultline", hz)]
    for peer in ("perf", "bpftrace"):
        p = res[(peer, hz)]
        r = lambda k: f"{f[k] / p[k]:.2f}" if p[k] else "n/a"
        print(f"  {hz:>4} Hz vs {peer:8}: cpu+bpf {r('total')}  workload {r('wl')}  "
              f"rss {r('rss')}  bytes {r('bytes')}")
PY
