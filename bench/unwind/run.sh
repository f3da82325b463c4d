#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DWARF unwinding against perf, in the same run: one workload process is
# profiled at 99 Hz for $DURATION s by `faultline profile --unwind dwarf -p`
# and by `perf record --call-graph dwarf -p` (+ `perf script`, where perf
# unwinds) at the same time. Workloads: python3 in a busy loop (a Debian
# binary without frame pointers, /usr/bin/python3) and cpu_ratio_nofp.
#
# Per tool: stack agreement (share of samples whose folded user stack is
# matched by the other tool's, bench/unwind/stacks.py), CPU seconds
# (user+sys; faultline's also with its BPF program's run time), bytes moved
# per sample (faultline: ring buffer record; perf: perf.data bytes / samples),
# peak RSS. Targets: agreement >= 95%, faultline CPU <= 0.5x perf's, RSS <= 100 MB.
#
#   bench/unwind/run.sh [DURATION]      (default 20)
set -u
cd "$(dirname "$0")/../.."
DURATION=${1:-${DURATION:-20}}
FAULTLINE=${FAULTLINE:-$PWD/build/faultline}
TOOLS=${TOOLS:-$PWD/build/tools}
STACKS=$PWD/bench/unwind/stacks.py
OUT=$(mktemp -d /tmp/faultline-bench-unwind.XXXXXX)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -q kernel.bpf_stats_enabled=$old_stats; kill $wpid 2>/dev/null; rm -rf "$OUT"' EXIT
wpid=

for t in perf bpftool /usr/bin/time python3; do
	command -v $t >/dev/null || { echo "bench: $t missing (tools/install-deps.sh bench)"; exit 1; }
done
[ -x "$FAULTLINE" ] && [ -x "$TOOLS/cpu_ratio_nofp" ] || { echo "bench: run make first"; exit 1; }
sysctl -q kernel.bpf_stats_enabled=1

# bpf_time PID FILE: the highest run_time_ns of the DWARF sampling program while PID
# runs: the one PID holds when bpftool can tell (pid iterators), else by name
bpf_time() {
	python3 - "$1" "$2" <<'PY' &
import json, os, subprocess, sys, time
pid, out, best = int(sys.argv[1]), sys.argv[2], 0
while os.path.exists(f"/proc/{pid}"):
    try:
        progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"],
                                          capture_output=True, text=True).stdout or "[]")
    except ValueError:
        progs = []
    mine = sum(p.get("run_time_ns", 0) for p in progs
               if any(h.get("pid") == pid for h in p.get("pids", [])) or
               ("pids" not in p and p.get("name") == "profile_dwarf"))
    best = max(best, mine)
    time.sleep(0.5)
open(out, "w").write(f"{best}\n")
PY
}

# cpu_rss FILE: "user+sys maxrss_kb" from /usr/bin/time -f '%U %S %M'
cpu_of() { awk '{ printf "%.2f", $1 + $2 }' "$1"; }
rss_of() { awk '{ printf "%.1f", $3 / 1024 }' "$1"; }

run_one() { # LABEL COMM CMD...: profiles CMD with both tools, prints a report
	local label=$1 comm=$2 fpid bpid
	shift 2
	"$@" >/dev/null 2>&1 &
	wpid=$!
	sleep 1
	/usr/bin/time -f '%U %S %M' -o "$OUT/$label.ftime" "$FAULTLINE" profile -p "$wpid" \
		-d "$DURATION" --unwind dwarf -o "$OUT/$label.folded" 2>"$OUT/$label.ferr" &
	fpid=$!
	sleep 0.2
	bpf_time "$(pgrep -P $fpid -x faultline || echo $fpid)" "$OUT/$label.bpf"
	bpid=$!
	/usr/bin/time -f '%U %S %M' -o "$OUT/$label.prec" perf record -q -F 99 \
		--call-graph dwarf -p "$wpid" -o "$OUT/$label.data" -- sleep "$DURATION" \
		>/dev/null 2>&1
	wait $fpid $bpid
	kill $wpid 2>/dev/null
	wait $wpid 2>/dev/null
	/usr/bin/time -f '%U %S %M' -o "$OUT/$label.pscr" perf script -i "$OUT/$label.data" \
		-F comm,ip,sym --no-inline >"$OUT/$label.perf" 2>/dev/null
	report "$label" "$comm"
}

report() { # LABEL COMM
	local l=$1 cmp fcpu bpf fbytes psamples pcpu pbytes frss prss
	cmp=$("$STACKS" "$OUT/$l.folded" "$OUT/$l.perf" "$2")
	fcpu=$(cpu_of "$OUT/$l.ftime")
	bpf=$(awk '{ printf "%.3f", $1 / 1e9 }' "$OUT/$l.bpf" 2>/dev/null || echo 0)
	fbytes=$(sed -n 's/.*; \([0-9]*\) stack bytes per sample.*/\1/p' "$OUT/$l.ferr")
	psamples=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["perf_samples"])' "$cmp")
	pcpu=$(awk -v a="$(cpu_of "$OUT/$l.prec")" -v b="$(cpu_of "$OUT/$l.pscr")" \
		'BEGIN { printf "%.2f", a + b }')
	pbytes=$(( $(stat -c %s "$OUT/$l.data") / (psamples > 0 ? psamples : 1) ))
	frss=$(rss_of "$OUT/$l.ftime")
	prss=$(awk -v a="$(rss_of "$OUT/$l.prec")" -v b="$(rss_of "$OUT/$l.pscr")" \
		'BEGIN { print (a > b ? a : b) }')
	echo "== $l ($DURATION s at 99 Hz, same process, same time)"
	echo "   $cmp"
	grep '^profile: DWARF unwinding' "$OUT/$l.ferr" | sed 's/^/   /'
	printf '   %-28s %12s %12s %8s\n' "" faultline perf ratio
	awk -v f="$fcpu" -v b="$bpf" -v p="$pcpu" 'BEGIN {
		printf "   %-28s %12.2f %12.2f %8.2f\n", "CPU s (user+sys)", f, p, p ? f / p : 0
		printf "   %-28s %12.2f %12s %8.2f\n", "CPU s incl. BPF run time", f + b, "-",
			p ? (f + b) / p : 0 }'
	awk -v f="$fbytes" -v p="$pbytes" 'BEGIN {
		f += 72; printf "   %-28s %12d %12d %8.2f\n", "bytes moved per sample", f, p, p ? f / p : 0 }'
	awk -v f="$frss" -v p="$prss" 'BEGIN {
		printf "   %-28s %12.1f %12.1f %8.2f\n", "peak RSS MB", f, p, p ? f / p : 0 }'
}

run_one python python3 /usr/bin/python3 -c 'while True: pass'
run_one cpu_ratio_nofp cpu_ratio_nofp "$TOOLS/cpu_ratio_nofp" $((DURATION + 5))
