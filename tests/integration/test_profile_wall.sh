#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profile --wall: one thread of tools/wall_mix burns 300 ms of CPU then waits
# 700 ms on a pipe, five times, and prints what it measured. The wall graph
# must give the running and sleeping shares within 10 points of that, whole
# stacks reaching main, a total of the profile's duration within 10%; the
# units in every format; and go tool pprof reads it without a warning.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$TOOLS/wall_mix" ] || skip "tools/wall_mix not built"

expect_exit 2 "$FAULTLINE" profile --wall -d 1
assert_match "$TMP/err" 'needs -p PID or --tid'
expect_exit 2 "$FAULTLINE" profile --wall --off-cpu -p $$ -d 1
expect_exit 2 "$FAULTLINE" profile --wall --wakers -p $$ -d 1
expect_exit 2 "$FAULTLINE" profile --wall --cgroup / -p $$ -d 1
pass "--wall refuses the whole system and the options that cannot apply"

# run_mix ROUNDS FILE ARGS...: profile one wall_mix run (profile stops when it exits).
run_mix() {
	local rounds=$1 out=$2; shift 2
	"$TOOLS/wall_mix" "$rounds" 300 700 >"$TMP/mix.out" &
	local pid=$!
	wait_line "$TMP/mix.out" '^[0-9]+$' 5 || fail "wall_mix did not start"
	on_exit "kill $pid"
	: >"$TMP/profile.err"
	"$FAULTLINE" profile -v --wall -p "$pid" "$@" -o "$out" 2>"$TMP/profile.err" &
	local prof=$!
	wait_line "$TMP/profile.err" 'profile: sampling' 30 || fail "profile did not start: $(cat "$TMP/profile.err")"
	kill -USR1 "$pid"
	wait "$prof" || fail "profile --wall failed: $(cat "$TMP/profile.err")"
	wait "$pid" || fail "wall_mix failed"
}

run_mix 5 "$TMP/w.folded"
cat "$TMP/mix.out"
grep '^profile: .*wall\|^profile: running' "$TMP/profile.err"
# Shares of the profile against what the program measured, and sites reaching main.
python3 - "$TMP/w.folded" "$TMP/mix.out" "$TMP/profile.err" <<'PY' || fail "wall graph is off (above)"
import re, sys
stacks = []
for line in open(sys.argv[1]):
    path, n = line.rstrip('\n').rsplit(' ', 1)
    stacks.append((path.split(';'), int(n)))
truth = dict((l.split()[0], float(l.split()[1])) for l in open(sys.argv[2]) if ' ' in l)
dur = float(re.search(r'wall over ([0-9.]+) s', open(sys.argv[3]).read()).group(1)) * 1000
total = sum(n for _, n in stacks) / 1000
state = lambda s: sum(n for f, n in stacks if f[-1] == s) / 1000
under = lambda site: sum(n for f, n in stacks if site in ';'.join(f)) / 1000
ok = True
def check(what, got, want, tol):
    global ok
    good = abs(got - want) <= tol
    ok &= good
    print(f"{'ok' if good else 'BAD'}: {what}: {got:.1f}, expected {want:.1f} +- {tol:.1f}")
check("total ms against the profile's duration", total, dur, 0.1 * dur)
check("running %", 100 * state('[running]') / total, 100 * truth['cpu_ms'] / truth['wall_ms'], 10)
check("sleeping %", 100 * state('[sleeping]') / total, 100 * truth['wait_ms'] / truth['wall_ms'], 10)
# the sites themselves: burning (running, or preempted) and the pipe wait
check("ms in main;burn", under(';main;burn;'), truth['burn_ms'], 0.1 * truth['burn_ms'])
check("ms in main;wait_pipe;blocking_read (sleeping)",
      sum(n for f, n in stacks if ';main;wait_pipe;blocking_read;' in ';'.join(f) and
          f[-1] == '[sleeping]') / 1000, truth['wait_ms'], 0.1 * truth['wait_ms'])
sys.exit(0 if ok else 1)
PY
assert_match "$TMP/profile.err" 'ms wall over .* in 1 threads'
pass "running and sleeping shares as measured, whole stacks to main, total = duration"

run_mix 2 "$TMP/w.svg"
assert_match "$TMP/w.svg" 'ms wall'
assert_match "$TMP/w.svg" 'Wall-clock profile'
command -v xmllint >/dev/null && { xmllint --noout "$TMP/w.svg" || fail "SVG not well-formed"; }
run_mix 2 "$TMP/w.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
assert d["metadata"]["unit"] == "microseconds_wall", d["metadata"]
assert any(s["frames"][-1]["name"] == "[running]" for s in d["stacks"])
assert all(s["tid"] for s in d["stacks"])' "$TMP/w.json" || fail "JSON has no wall unit"
if command -v go >/dev/null; then
	run_mix 2 "$TMP/w.pb.gz"
	export HOME=$TMP GOCACHE=$TMP/gocache PPROF_TMPDIR=$TMP
	go tool pprof -sample_index=wall -top "$TMP/w.pb.gz" >"$TMP/top" 2>"$TMP/top.err" ||
		fail "go tool pprof failed: $(cat "$TMP/top.err")"
	[ ! -s "$TMP/top.err" ] || fail "go tool pprof warned: $(cat "$TMP/top.err")"
	assert_match "$TMP/top" 'Type: wall'
	assert_match "$TMP/top" '\[sleeping\]'
	go tool pprof -sample_index=samples -top "$TMP/w.pb.gz" >"$TMP/sm" 2>&1 ||
		fail "no samples sample type"
fi
pass "SVG, JSON and pprof state the wall unit"
