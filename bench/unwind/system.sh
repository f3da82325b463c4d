#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Whole-system profiling, three ways, one after another on the same workload
# (cpu_ratio_nofp and `xz -9`, both without frame pointers, kept busy for the
# whole run), at 99 Hz and 999 Hz:
#   faultline  `faultline profile -F HZ` (default: .eh_frame walked in the kernel)
#   perf dwarf `perf record -a --call-graph dwarf` + `perf script` (where perf unwinds)
#   perf fp    `perf record -a -g` (frame pointers) + `perf script`
# Per tool: CPU seconds (user+sys of every process of the tool, with `time`;
# faultline's also with the run time of its BPF programs, read from
# /proc/PID/fdinfo with kernel.bpf_stats_enabled=1), BPF ns per sample (its
# perf_event program), bytes moved per sample (perf: perf.data size / samples;
# faultline: the aggregated maps it reads once at the end, an upper bound),
# peak RSS, and the share of each workload's samples whose stack reaches main.
# Then the same at 99 Hz with $PROCS (500) more processes alive, each a shell
# that wakes every 3 s and spins a few ms (about 1/3 CPU in all), so that most
# of them are sampled and their per-process state (mappings, symbol snapshots)
# shows; idle processes are never sampled and cost a profiler nothing. Ratios
# are against perf dwarf and perf fp.
# Targets: CPU <= 0.25x perf dwarf's and <= 1x perf fp's at 99 Hz; RSS <= 100 MB
# with 500 processes.
#
#   bench/unwind/system.sh [DURATION]      (default 10)
#
# Environment: HZS="99 999" rates, REPEAT=1 runs of them, PROCS=500 (0: no such run).
set -u
cd "$(dirname "$0")/../.."
DURATION=${1:-${DURATION:-10}}
PROCS=${PROCS:-500}
REPEAT=${REPEAT:-1}
HZS=${HZS:-99 999}
FAULTLINE=${FAULTLINE:-$PWD/build/faultline}
TOOLS=${TOOLS:-$PWD/build/tools}
WHOLE=$PWD/bench/unwind/whole.py
OUT=$(mktemp -d /tmp/faultline-bench-system.XXXXXX)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
pids=()
spawner=
stop_all() {
	sysctl -q kernel.bpf_stats_enabled="$old_stats"
	[ -n "$spawner" ] && kill -- -"$spawner" 2>/dev/null
	kill "${pids[@]}" 2>/dev/null
	rm -rf "$OUT"
}
trap stop_all EXIT

for t in perf xz python3 /usr/bin/time setsid; do
	command -v $t >/dev/null || { echo "bench: $t missing (tools/install-deps.sh bench)"; exit 1; }
done
[ -x "$FAULTLINE" ] && [ -x "$TOOLS/cpu_ratio_nofp" ] || { echo "bench: run make first"; exit 1; }
sysctl -q kernel.bpf_stats_enabled=1

# bpf_of PID FILE: while PID runs, the latest "all_ns sample_ns sample_cnt" of the BPF
# programs it holds and the most "memlock" of its maps seen (fdinfo of its fds;
# perf_event programs are the sampler)
bpf_of() {
	python3 - "$1" "$2" <<'PY' &
import os, sys, time
pid, out, best = sys.argv[1], sys.argv[2], [0, 0, 0, 0]
def fields(path):
    try:
        return dict(l.split(":", 1) for l in open(path) if ":" in l)
    except OSError:
        return {}
while os.path.exists(f"/proc/{pid}"):
    progs, maps = {}, {}
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except OSError:
        break
    for fd in fds:
        f = fields(f"/proc/{pid}/fdinfo/{fd}")
        if "prog_type" in f and "run_time_ns" in f:
            progs[f["prog_id"].strip()] = f
        elif "map_id" in f:
            maps[f["map_id"].strip()] = int(f.get("memlock", "0"))
    # each figure only grows while the programs run; at exit fds close one by one
    tot = sum(int(p["run_time_ns"]) for p in progs.values())
    pe = [p for p in progs.values() if p["prog_type"].strip() == "7"]
    now = (tot, sum(int(p["run_time_ns"]) for p in pe), sum(int(p["run_cnt"]) for p in pe),
           sum(maps.values()))
    if now[0] >= best[0]:
        best[:3] = now[:3]
    best[3] = max(best[3], now[3])
    time.sleep(0.2)
open(out, "w").write(" ".join(map(str, best)) + "\n")
PY
}

tm() { /usr/bin/time -f '%U %S %M' -o "$@"; }

# faultline HZ LABEL
run_faultline() {
	local hz=$1 l=$2 tpid fl i
	# time itself, not a function: faultline is then its child, for bpf_of
	/usr/bin/time -f '%U %S %M' -o "$OUT/$l.time" \
		"$FAULTLINE" -v profile -F "$hz" -d "$DURATION" -o "$OUT/$l.folded" \
		2>"$OUT/$l.err" &
	tpid=$!
	for ((i = 0; i < 100; i++)); do
		fl=$(pgrep -P $tpid -x faultline) && break
		sleep 0.02
	done
	bpf_of "${fl:-$tpid}" "$OUT/$l.bpf"
	wait $tpid $!
	read -r cpu rss < <(awk '{ printf "%.2f %.1f\n", $1 + $2, $3 / 1024 }' "$OUT/$l.time")
	read -r bpf_all bpf_pe bpf_cnt memlock <"$OUT/$l.bpf"
	read -r samples distinct whole_c whole_x < <("$WHOLE" folded "$OUT/$l.folded")
	samples=$(sed -n 's/^profile: \([0-9]*\) samples in.*/\1/p' "$OUT/$l.err")
	# one counts entry (40 bytes) and at most a user and a kernel stack (1024 bytes
	# each) per distinct folded stack, read once at the end
	echo "$l faultline $cpu $(awk -v c="$cpu" -v b="$bpf_all" 'BEGIN { printf "%.2f", c + b / 1e9 }') \
$((bpf_cnt > 0 ? bpf_pe / bpf_cnt : 0)) $samples \
$((samples > 0 ? distinct * (40 + 2048) / samples : 0)) $rss $((memlock >> 20)) \
$whole_c $whole_x" >>"$OUT/results"
}

# perf dwarf|fp HZ LABEL
run_perf() {
	local mode=$1 hz=$2 l=$3 cg=(-g)
	[ "$mode" = dwarf ] && cg=(--call-graph dwarf)
	tm "$OUT/$l.rtime" perf record -q -a -F "$hz" "${cg[@]}" -o "$OUT/$l.data" \
		-- sleep "$DURATION" >/dev/null 2>&1
	tm "$OUT/$l.stime" perf script -i "$OUT/$l.data" -F comm,ip,sym --no-inline \
		>"$OUT/$l.perf" 2>/dev/null
	read -r samples distinct whole_c whole_x < <("$WHOLE" perf "$OUT/$l.perf")
	echo "$l perf-$mode $(awk '{ c += $1 + $2; if ($3 > r) r = $3 } END { printf "%.2f %.2f", c, c }' \
		"$OUT/$l.rtime" "$OUT/$l.stime") - $samples \
$(($(stat -c %s "$OUT/$l.data") / (samples > 0 ? samples : 1))) \
$(awk '{ if ($3 > r) r = $3 } END { printf "%.1f", r / 1024 }' "$OUT/$l.rtime" "$OUT/$l.stime") - \
$whole_c $whole_x" >>"$OUT/results"
	rm -f "$OUT/$l.data" "$OUT/$l.perf"
}

# PROCS shells that each wake every 2 s and spin a little (all in one process group)
spawn_procs() {
	setsid bash -c 'for ((i = 0; i < '"$PROCS"'; i++)); do
		sh -c "while :; do i=0; while [ \$i -lt 1000 ]; do i=\$((i + 1)); done; sleep 3; done" &
	done; wait' &
	spawner=$!
	for ((i = 0; i < 60 && $(pgrep -c -s "$spawner" -x sh) < PROCS; i++)); do
		sleep 1
	done
	sleep 3
}

costs() { # LABEL: faultline's own account of its fixed costs, from -v
	local e=$OUT/$1.err
	printf '   faultline: user %s s, sys %s s; kallsyms %s ms, unwind tables %s s (%s), %s\n' \
		"$(awk '{ print $1 }' "$OUT/$1.time")" "$(awk '{ print $2 }' "$OUT/$1.time")" \
		"$(sed -n 's/.*kernel symbols in \([0-9.]*\) ms.*/\1/p' "$e" | head -1)" \
		"$(sed -n 's/.* \([0-9.]*\) s loading.*/\1/p' "$e")" \
		"$(sed -n 's/.*tables of \([0-9]* files\).*/\1/p' "$e")" \
		"ELF symbols $(sed -n 's/.*ELF files ([0-9]* symbols) in \([0-9.]*\) ms.*/\1/p' "$e") ms"
}

table() { # LABEL...: the results of those runs, with ratios to perf dwarf and perf fp
	python3 - "$OUT/results" "$@" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
want = sys.argv[2:]
hdr = ("tool", "CPU s", "+BPF s", "BPF ns/smp", "samples", "B/sample", "RSS MB",
       "maps MB", "whole cpu_ratio", "whole xz", "CPU/dwarf", "CPU/fp")
print("   %-14s %6s %7s %10s %8s %8s %7s %7s %15s %8s %9s %7s" % hdr)
for label in want:
    rs = [r for r in rows if r[0] == label]
    ref = {r[1]: float(r[3]) for r in rs}
    for r in rs:
        me = float(r[3])
        q = lambda t: "%.2fx" % (me / ref[t]) if ref.get(t) else "-"
        print("   %-14s %6s %7s %10s %8s %8s %7s %7s %14s%% %7s%% %9s %7s" %
              (r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
               q("perf-dwarf"), q("perf-fp")))
PY
}

"$TOOLS/cpu_ratio_nofp" 100000 >/dev/null &
pids+=($!)
xz -9 -T1 -c </dev/urandom >/dev/null &
pids+=($!)
sleep 1

for ((rep = 1; rep <= REPEAT; rep++)); do
	for hz in $HZS; do
		run_faultline "$hz" "${hz}Hz"
		run_perf dwarf "$hz" "${hz}Hz"
		run_perf fp "$hz" "${hz}Hz"
	done
	echo "== run $rep of $REPEAT: whole system, $DURATION s each, cpu_ratio_nofp + xz -9 busy"
	for hz in $HZS; do
		echo "-- $hz Hz"
		table "${hz}Hz"
		costs "${hz}Hz"
	done
	mv "$OUT/results" "$OUT/results.$rep"
done

[ "$PROCS" -gt 0 ] || exit 0
spawn_procs
n=$(pgrep -c -s "$spawner" -x sh)
run_faultline 99 procs
run_perf dwarf 99 procs
run_perf fp 99 procs
echo "== 99 Hz with $n more processes alive (each wakes every 3 s)"
table procs
costs procs
grep '^profile: in-kernel unwinding' "$OUT/procs.err" | sed 's/^/   /'
