#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# watch and record with default options walk user stacks in the kernel with
# .eh_frame tables, through Debian's libc (no frame pointers):
#  (a) a slow read() in slow_read_nofp reaches nofp_request and main, also
#      for the first event of each of several fresh processes (counted);
#  (b) an fd leak through libc's open() from nofp_leak_open: the leak site
#      (watch JSON and text, and record + report) names it and main;
#  (c) no frame of any event lies outside an executable mapping;
#  (d) --unwind fp does not reach main (proof the test can fail);
# and record's profile half walks cpu_ratio_nofp's samples to main.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

# user_syms PID TYPE: the user frames' symbols of PID's events of TYPE, one
# event per line (frames space-separated, leaf first, versions stripped),
# each checked to say it was walked in the kernel (UNWIND, default kernel).
user_syms() {
	python3 - "$TMP/watch.out" "$1" "$2" "${3-kernel}" <<'PY'
import json, sys
path, pid, typ, how = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
for e in map(json.loads, open(path)):
    if e.get("pid") != pid or e["type"] != typ:
        continue
    assert e.get("unwind", "") == how, (how, e.get("unwind"))
    print(" ".join((f.get("symbol") or "?").split("@")[0] for f in e["stack"]
                   if f.get("module") and not f["module"].startswith("[k")))
PY
}

# (c) every frame of our tools' events (stacks and leak-site stacks) lies in
# a mapping the symbolizer knows, or is the [truncated] marker at the root.
# (Other processes on the host may exit before their maps could be read, so
# their frames can be unnamed: that says nothing about the walk.)
frames_are_code() {
	python3 - "$TMP/watch.out" <<'PY'
import json, sys
n = 0
for e in map(json.loads, open(sys.argv[1])):
    if e.get("comm") not in ("slow_read_nofp", "fd_leak_nofp"):
        continue
    stacks = [e.get("stack", [])] + [s.get("stack", []) for s in e.get("leak_sites") or []]
    for st in stacks:
        for i, f in enumerate(st):
            n += 1
            if f.get("symbol") == "[truncated]":
                assert i == len(st) - 1, ("[truncated] not at the root", e["type"], st)
                continue
            assert f.get("module") and f["module"] not in ("[heap]", "[stack]"), (e["type"], f)
print("%d frames checked" % n)
PY
}

# (a) a slow read through libc's read(), and the first-event count: fresh
# processes, one slow read each. A process is loaded at exec and again 10
# and 100 ms later; a watch that falls behind (a host busy with other
# events) walks a first event with checked frame pointers: counted, not
# hidden. The cgroup keeps other jobs' events on this host out of the count.
memcg_create "faultline-kunwind-$$" 1024
# in_cg ARGS...: runs ARGS in the cgroup, in the background
in_cg() { sh -c "echo \$\$ > $cg/cgroup.procs && exec $*" & }
runs=5
start_watch --events slow --slow-threshold 150 --cgroup "$cg" -v
assert_match "$TMP/watch.err" '^watch: user stacks: walked in the kernel with .eh_frame tables'
in_cg "$TOOLS/slow_read_nofp" 1200
main_pid=$!
pids=()
for i in $(seq 1 $runs); do
	in_cg "$TOOLS/slow_read_nofp" 300
	pids+=($!)
done
for p in "${pids[@]}" $main_pid; do wait "$p" || fail "slow_read_nofp failed"; done
stop_watch
have_symbolizer || skip "no symbolizer in this build"
user_syms "$main_pid" slow_syscall >"$TMP/slow.main" || fail "events of $main_pid: see above"
grep -Eq '^read nofp_slow_read nofp_request main __libc_start_call_main' "$TMP/slow.main" ||
	fail "slow read of $main_pid: $(cat "$TMP/slow.main")"
whole=0
for p in "${pids[@]}"; do
	user_syms "$p" slow_syscall "" >/dev/null 2>&1 || true
	python3 - "$TMP/watch.out" "$p" <<'PY' && whole=$((whole + 1))
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
ev = [e for e in map(json.loads, open(path)) if e.get("pid") == pid and e["type"] == "slow_syscall"]
assert ev, "no slow_syscall event of %d" % pid
syms = [(f.get("symbol") or "?").split("@")[0] for f in ev[0]["stack"]]
if ev[0].get("unwind") == "kernel" and "nofp_request" in syms and "main" in syms:
    sys.exit(0)
sys.exit("first event of %d: %s %s" % (pid, ev[0].get("unwind"), " ".join(syms)))
PY
done
echo "first slow reads of $runs fresh processes: $whole whole"
[ "$whole" -ge 1 ] || fail "no first event of $runs fresh processes walked whole"
assert_match "$TMP/watch.err" '^  user stacks: walked in the kernel with .eh_frame tables [1-9]'
grep '^  user stacks: walked' "$TMP/watch.err"
frames_are_code || fail "a frame outside an executable mapping"

# leaker: starts fd_leak_nofp waiting for $TMP/go; its pid in $leaker.
leaker() {
	rm -f "$TMP/go" "$TMP/leak.out"
	"$TOOLS/fd_leak_nofp" 96 2000 "$TMP/go" >"$TMP/leak.out" &
	leaker_job=$!
	on_exit "kill $leaker_job"
	wait_line "$TMP/leak.out" '^pid ' 10 || fail "fd_leak_nofp did not start"
	leaker=$(awk '/^pid /{print $2}' "$TMP/leak.out")
}

# (b) the leak site, in the fd events' JSON, from a -p target (loaded before
# watch attaches, so every fd has its whole creating stack).
leaker
start_watch --events fd -p "$leaker"
touch "$TMP/go"
wait $leaker_job
[ $? = 3 ] || fail "fd_leak_nofp did not reach EMFILE: $(cat "$TMP/leak.out")"
wait $WATCH_PID || fail "watch failed: $(tail -c 500 "$TMP/watch.err")"
assert_match "$TMP/watch.err" '^faultline: every watched process has exited'
python3 - "$TMP/watch.out" "$leaker" <<'PY' || fail "leak sites of $leaker"
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
ev = [e for e in map(json.loads, open(path))
      if e.get("pid") == pid and e["type"] in ("fd_exhausted", "fd_pressure")]
assert any(e["type"] == "fd_exhausted" for e in ev), [e["type"] for e in ev]
for e in ev:
    top = e["leak_sites"][0]
    assert top["site"].startswith("nofp_leak_open <- nofp_leak_loop <- main"), top["site"]
    syms = [(f.get("symbol") or "?").split("@")[0] for f in top["stack"]]
    assert syms[:4] == ["open", "nofp_leak_open", "nofp_leak_loop", "main"], syms
    assert e["type"] == "fd_pressure" or top["verdict"] == "leak", top
print("leak site:", top["summary"])
PY
frames_are_code || fail "a frame outside an executable mapping"

# (d) frame pointers from libc's read() do not get to main.
start_watch --events slow --slow-threshold 150 --unwind fp
"$TOOLS/slow_read_nofp" 300 &
pid=$!
wait $pid || fail "slow_read_nofp failed"
stop_watch
user_syms "$pid" slow_syscall "" >"$TMP/fp.syms" || fail "fp event of $pid"
grep -q '^read' "$TMP/fp.syms" || fail "no frame-pointer slow_syscall event: $(cat "$TMP/fp.syms")"
! grep -qw main "$TMP/fp.syms" || fail "a frame-pointer walk reached main: the test proves nothing"

# Text output: the leak site line names the function, not open.
leaker
: >"$TMP/text.err"
"$FAULTLINE" watch --events fd -p "$leaker" >"$TMP/text.out" 2>"$TMP/text.err" &
wpid=$!
wait_ready "$wpid" "$TMP/text.err" watch
touch "$TMP/go"
wait $wpid || fail "watch failed: $(tail -c 500 "$TMP/text.err")"
assert_match "$TMP/text.out" 'nofp_leak_open <- nofp_leak_loop <- main'

# record: the events' leak site in report, and the profile half's samples.
"$TOOLS/cpu_ratio_nofp" 30 >/dev/null &
burner=$!
on_exit "kill $burner"
leaker
start_record "$TMP/k.rec" --events fd -p "$leaker" -p "$burner"
touch "$TMP/go"
wait $leaker_job
sleep 2
stop_record "$TMP/k.rec"
kill $burner
report_json "$TMP/k.rec"
assert_match "$TMP/report.txt" 'fds opened at nofp_leak_open \(fd_leak_nofp\) are never closed: [0-9]+ still open; find the path that keeps them \(called from nofp_leak_loop <- main\)'
python3 - "$TMP/k.rec" <<'PY' || fail "recorded profile"
import gzip, json, sys
recs = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
assert recs[0]["options"]["unwind"] == "auto", recs[0]["options"]
pstacks = {r["id"]: [f["name"].split("@")[0] for f in r["frames"]]
           for r in recs if r["rec"] == "pstack"}
mine = set(i for i, f in pstacks.items() if "burn_a" in f or "burn_b" in f)
n = sum(c for r in recs if r["rec"] == "profile" for i, c in r["samples"] if i in mine)
whole = sum(c for r in recs if r["rec"] == "profile" for i, c in r["samples"]
            if i in mine and "main" in pstacks[i])
assert n >= 100, n
assert whole >= 0.95 * n, "%d of %d burner samples reach main" % (whole, n)
print("record's profile: %d of %d burner samples reach main" % (whole, n))
PY
pass "watch and record walk whole stacks in the kernel by default"
