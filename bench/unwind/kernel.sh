#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The in-kernel unwinder's cost per sample: a whole-system `faultline profile`
# with cpu_ratio_nofp and xz (both without frame pointers) busy, once per
# user-stack mode (fp: bpf_get_stackid; kernel: .eh_frame tables) and rate,
# reading the sampling program's run_time_ns / run_cnt from `bpftool prog
# show` (kernel.bpf_stats_enabled=1). Also prints how often the stacks of
# both programs reach main (libc's __libc_start_call_main for stripped xz).
#
#   bench/unwind/kernel.sh [DURATION]      (default 10)
set -u
cd "$(dirname "$0")/../.."
DURATION=${1:-${DURATION:-10}}
FAULTLINE=${FAULTLINE:-$PWD/build/faultline}
TOOLS=${TOOLS:-$PWD/build/tools}
OUT=$(mktemp -d /tmp/faultline-bench-kunwind.XXXXXX)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
pids=()
trap 'sysctl -q kernel.bpf_stats_enabled=$old_stats; kill ${pids[*]} 2>/dev/null; rm -rf "$OUT"' EXIT

for t in bpftool xz python3; do
	command -v $t >/dev/null || { echo "bench: $t missing"; exit 1; }
done
[ -x "$FAULTLINE" ] && [ -x "$TOOLS/cpu_ratio_nofp" ] || { echo "bench: run make first"; exit 1; }
sysctl -q kernel.bpf_stats_enabled=1

"$TOOLS/cpu_ratio_nofp" 100000 >/dev/null &
pids+=($!)
xz -9 -T1 -c </dev/urandom >/dev/null &
pids+=($!)
sleep 1

# prog_stats PID FILE BEFORE: the last "run_time_ns run_cnt" of the profile_sample
# program PID loaded, while PID runs: by owner when bpftool can tell (pid
# iterators), else the one whose id is not in BEFORE (loaded since)
prog_stats() {
	python3 - "$1" "$2" "$3" <<'PY' &
import json, os, subprocess, sys, time
pid, out, last = int(sys.argv[1]), sys.argv[2], (0, 0)
before = set(int(i) for i in sys.argv[3].split())
while os.path.exists(f"/proc/{pid}"):
    try:
        progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"],
                                          capture_output=True, text=True).stdout or "[]")
    except ValueError:
        progs = []
    for p in progs:
        if p.get("name") != "profile_sample":
            continue
        if ("pids" in p and any(h.get("pid") == pid for h in p["pids"])) or \
                ("pids" not in p and p["id"] not in before):
            last = max(last, (p.get("run_time_ns", 0), p.get("run_cnt", 0)))
    time.sleep(0.5)
open(out, "w").write(f"{last[0]} {last[1]}\n")
PY
}

prog_ids() { # ids of the profile_sample programs loaded now
	bpftool -j prog show | python3 -c 'import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p.get("name") == "profile_sample"))'
}

whole() { # FOLDED: "% of cpu_ratio_nofp, % of xz samples reaching main"
	python3 - "$1" <<'PY'
import sys
tot, ok = {}, {}
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip("\n").rpartition(" ")
    f = stack.split(";")
    if f[0] not in ("cpu_ratio_nofp", "xz"):
        continue
    tot[f[0]] = tot.get(f[0], 0) + int(n)
    if "main" in f or "__libc_start_call_main" in f[:-1]:
        ok[f[0]] = ok.get(f[0], 0) + int(n)
print(" ".join(f"{c} {100 * ok.get(c, 0) / max(tot.get(c, 0), 1):5.1f}%"
               for c in ("cpu_ratio_nofp", "xz")))
PY
}

printf '%-8s %6s %10s %12s %10s %10s  %s\n' mode Hz samples "BPF ns/run" "MiB rows" \
	"FP, early" "stacks reaching main"
for mode in fp kernel; do
	for hz in 99 999; do
		before=$(prog_ids)
		"$FAULTLINE" profile -F "$hz" -d "$DURATION" --unwind "$mode" -o "$OUT/p.folded" \
			2>"$OUT/err" &
		fpid=$!
		sleep 0.2
		prog_stats "$fpid" "$OUT/stats" "$before"
		spid=$!
		wait "$fpid" "$spid"
		read -r ns cnt <"$OUT/stats"
		mib=$(sed -n 's/.*tables of [0-9]* files (\([0-9.]*\) of.*/\1/p' "$OUT/err")
		early=$(sed -n 's/.*, \([0-9]*\) process tables not loaded yet.*/\1/p' "$OUT/err")
		printf '%-8s %6d %10d %12d %10s %10s  %s\n' "$mode" "$hz" "$cnt" \
			$((cnt > 0 ? ns / cnt : 0)) "${mib:--}" "${early:--}" "$(whole "$OUT/p.folded")"
	done
done
