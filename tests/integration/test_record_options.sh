#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# record takes profile's and watch's options and each one acts on the
# recording: --cgroup keeps events and samples of that cgroup only,
# --kernel-only/--user-only shape the profile stacks, -F is capped at the
# kernel's limit; options that cannot apply are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

refused() { # REGEX ARGS...: exit 2, one error line and the hint
	local want=$1; shift
	expect_exit 2 "$FAULTLINE" record "$@"
	assert_match "$TMP/err" "^Error: record: $want"
	assert_lines "$TMP/err" 2
}
refused "--hist does not apply to record \(watch only\)" -o "$TMP/x.rec" --hist
refused "--format does not apply to record \(profile only\)" -o "$TMP/x.rec" --format svg
refused "--json does not apply to record" -o "$TMP/x.rec" -j
refused "--kernel-only shapes profile samples" -o "$TMP/x.rec" --no-profile --kernel-only
refused "--kernel-only and --user-only exclude each other" -o "$TMP/x.rec" --kernel-only \
	--user-only
[ ! -e "$TMP/x.rec" ] && [ ! -e "$TMP/x.rec.partial" ] || fail "a refused record wrote a file"

# recording FILE: its records as JSON lines in FILE.jsonl, for the checks below.
unpack() { python3 -c 'import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1], "rt").read())' "$1" >"$1.jsonl"; }

# --cgroup: a signal inside the cgroup is recorded, the same signal outside is
# not, and every profile sample is of a task in the cgroup.
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$v2" ] && mkdir "$v2/faultline-rec-$$" 2>/dev/null; then
	cg=$v2/faultline-rec-$$
	"$TOOLS/cpu_ratio" 30 >/dev/null &
	burner=$!
	on_exit "kill $burner; sleep 0.3; rmdir $cg"
	echo $burner >"$cg/cgroup.procs" || fail "cannot move the burner into $cg"
	start_record "$TMP/cg.rec" --cgroup "$cg" --events signal
	bash -c "echo \$\$ >$cg/cgroup.procs && exec $TOOLS/segv 100" >/dev/null 2>&1 &
	inside=$!
	"$TOOLS/segv" 100 >/dev/null 2>&1 &
	outside=$!
	{ wait $inside $outside; } 2>/dev/null	# both die of SIGSEGV
	sleep 1.5	# a profile bucket or two with the burner
	stop_record "$TMP/cg.rec"
	unpack "$TMP/cg.rec"
	python3 - "$TMP/cg.rec.jsonl" "$inside" "$outside" "$burner" "$cg" <<'PY' || fail "record --cgroup"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
inside, outside, burner = map(int, sys.argv[2:5])
events = [r for r in recs if r["rec"] == "event"]
pids = {e["pid"] for e in events}
assert inside in pids, f"the signal in the cgroup is missing: {pids}"
assert pids <= {inside}, f"events from outside the cgroup: {pids - {inside}}"
pstacks = [r for r in recs if r["rec"] == "pstack"]
assert any(p["pid"] == burner for p in pstacks), "no samples of the burner in the cgroup"
stray = {(p["pid"], p["comm"]) for p in pstacks} - {(burner, "cpu_ratio"), (inside, "segv"), (inside, "bash")}
assert not stray, f"samples from outside the cgroup: {stray}"
assert recs[0]["options"]["cgroup"] == sys.argv[5], recs[0]["options"]
print(f"{len(events)} events, {len(pstacks)} stacks, all in the cgroup")
PY
else
	echo "no writable cgroup v2 hierarchy: record --cgroup not checked"
fi

# --kernel-only: stacks of a syscall loop with no user frame; --user-only: no kernel frame.
"$TOOLS/getppid_loop" 2000000000 >/dev/null &
gp=$!
on_exit "kill $gp"
expect_exit 0 "$FAULTLINE" record -o "$TMP/k.rec" -p $gp --kernel-only --events signal -d 2
expect_exit 0 "$FAULTLINE" record -o "$TMP/u.rec" -p $gp --user-only --events signal -d 2
unpack "$TMP/k.rec"
unpack "$TMP/u.rec"
python3 - "$TMP/k.rec.jsonl" "$TMP/u.rec.jsonl" <<'PY' || fail "record --kernel-only/--user-only"
import json, sys
for path, want, other in ((sys.argv[1], "kernel", "user"), (sys.argv[2], "user", "kernel")):
    recs = [json.loads(l) for l in open(path)]
    assert recs[0]["options"]["profile_stacks"] == want, recs[0]["options"]
    kinds = [f["kind"] for r in recs if r["rec"] == "pstack" for f in r["frames"]]
    assert kinds.count(want) > 0, f"{path}: no {want} frames"
    assert other not in kinds, f"{path}: {other} frames in a {want}-only recording"
    print(f"{want}-only: {len(kinds)} frames, none {other}")
PY

# -F above kernel.perf_event_max_sample_rate: the limit is used, and said.
rate=/proc/sys/kernel/perf_event_max_sample_rate
max=$(cat $rate)
if [ "$max" -gt 20000 ]; then
	on_exit "echo $max >$rate"
	echo 20000 >$rate || fail "cannot lower $rate"
	max=20000
fi
expect_exit 0 "$FAULTLINE" profile -F $((max + 1)) -p $gp -d 1 -o "$TMP/f.folded"
assert_match "$TMP/err" "^profile: -F $((max + 1)) is above kernel.perf_event_max_sample_rate: sampling at $max Hz$"
assert_match "$TMP/err" "\(cpu-clock, $max Hz, "
expect_exit 0 "$FAULTLINE" profile -F $max -p $gp -d 1 -o "$TMP/f.folded"
assert_no_match "$TMP/err" 'max_sample_rate'
expect_exit 0 "$FAULTLINE" record -o "$TMP/f.rec" -F 100000 -p $gp --events signal -d 1
assert_match "$TMP/err" "^record: -F 100000 is above kernel.perf_event_max_sample_rate: sampling at $max Hz$"
unpack "$TMP/f.rec"
grep -q "\"freq_hz\":$max[,}]" "$TMP/f.rec.jsonl" || fail "the header does not record $max Hz"
pass "record applies profile's and watch's options; -F is capped"
