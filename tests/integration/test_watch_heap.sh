#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# heap: heap_grow keeps memory from keep_site and churns three times as much
# through churn_site; watch --heap attributes the live heap to keep_site
# within 5% of what the program says it kept, churn_site to at most 5% of it.
# --mix does the same through calloc, realloc, posix_memalign, aligned_alloc
# and reallocarray, with the churn freed by another thread. A target that
# exits has its uprobes detached at once, and watch says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root
[ -x "${FAULTLINE_ASAN:-}" ] && WATCH_BIN=$FAULTLINE_ASAN

# start_grow NAME ARGS...: heap_grow waiting for $TMP/NAME.go; its pid in $grow.
start_grow() {
	local name=$1
	shift
	"$TOOLS/heap_grow" --wait-file "$TMP/$name.go" "$@" >"$TMP/$name.out" &
	on_exit "kill -KILL $!"
	wait_line "$TMP/$name.out" '^pid ' 10 || fail "heap_grow did not start"
	grow=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$TMP/$name.out")
}

# check NAME PID TOLERANCE SAMPLE: the last heap_summary of PID against the
# truth NAME printed, live bytes within TOLERANCE (a fraction).
check() {
	events "e['type'] == 'heap_summary' and e['pid'] == $2" | tail -n 1 >"$TMP/$1.ev"
	[ -s "$TMP/$1.ev" ] || fail "$1: no heap_summary for $2: $(tail -c 600 "$TMP/watch.err")"
	python3 - "$TMP/$1.ev" "$TMP/$1.out" "$1" "$3" "$4" <<'PY' || fail "$1: wrong summary: $(cat "$TMP/$1.ev")"
import json, re, sys
e = json.load(open(sys.argv[1]))
truth = dict(re.findall(r"(\w+) (\d+)", open(sys.argv[2]).read().split("\n")[1]))
kept, churned = int(truth["kept_bytes"]), int(truth["churned_bytes"])
tol, sample = float(sys.argv[4]), int(sys.argv[5])
def site(name):
    return sum(r["bytes"] for r in e["live"] if any(f.get("symbol") == name for f in r["stack"]))
keep, churn = site("keep_site"), site("churn_site")
print(sys.argv[3], "kept", kept, "keep_site", keep, "churn_site", churn,
      "live", e["live_bytes"], "allocated", e["allocated_bytes"], "freed", e["freed_bytes"])
assert abs(keep - kept) <= kept * tol, "keep_site %d, kept %d" % (keep, kept)
assert churn <= e["live_bytes"] * 0.05, "churn_site %d of %d live" % (churn, e["live_bytes"])
assert any(f.get("symbol") == "keep_site" for f in e["live"][0]["stack"]), "top stack"
assert kept + churned <= e["allocated_bytes"] <= (kept + churned) * 1.05, e["allocated_bytes"]
assert churned * (1 - tol) <= e["freed_bytes"] <= churned * (1 + tol), e["freed_bytes"]
assert e["estimated"] is (sample > 0) and e["sample_bytes"] == sample
PY
}

# --heap-sample 4096 with 256-byte blocks keeps one in 16: 4096 of keep_site's
# 65536, an estimate within 8% (over five standard deviations). jemalloc, when
# installed, is preloaded: its malloc is the one hooked.
JEMALLOC=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -n 1)
modes=(plain mix sample)
[ -n "$JEMALLOC" ] && modes+=(jemalloc)
for mode in "${modes[@]}"; do
	extra=() wopts=() tol=0.05 sample=0 lib='libc\.so'
	[ $mode = mix ] && extra=(--mix)
	[ $mode = jemalloc ] && extra=(--mix) lib=libjemalloc
	[ $mode = sample ] && extra=(--size 256 --objects 65536) wopts=(--heap-sample 4096) \
		tol=0.08 sample=4096
	if [ $mode = jemalloc ]; then
		LD_PRELOAD=$JEMALLOC start_grow $mode "${extra[@]}"
	else
		start_grow $mode "${extra[@]}"
	fi
	start_watch --heap "$grow" --heap-interval 1 "${wopts[@]}"
	touch "$TMP/$mode.go"
	wait_line "$TMP/$mode.out" '^kept_bytes ' 30 || fail "$mode: heap_grow did not finish"
	sleep 1.5	# one periodic summary after the work
	stop_watch
	have_symbolizer || skip "this build does not symbolize"
	check $mode "$grow" $tol $sample
	events "e['type'] == 'heap_summary' and e['pid'] == $grow and not e['final']" \
		>"$TMP/periodic"
	[ -s "$TMP/periodic" ] || fail "$mode: no periodic heap_summary"
	assert_match "$TMP/watch.err" "^    hooks: uprobes on [0-9]+ functions of .*$lib" \
		"$mode: watch stderr"
	kill -KILL "$grow"
	wait "$grow" 2>/dev/null
	pass "$mode: live heap attributed to keep_site"
done

# A binary without frame pointers: allocation stacks walked in the kernel with
# its .eh_frame reach main through keep_blocks and alloc_block; frame pointers
# (--unwind fp) do not, which proves the check can fail.
heap_nofp_top() { # WATCH-ARGS...: the top live stack's user symbols, leaf first
	rm -f "$TMP/nofp.go"
	"$TOOLS/heap_nofp" "$TMP/nofp.go" >"$TMP/nofp.out" &
	local pid=$!
	on_exit "kill -KILL $pid"
	wait_line "$TMP/nofp.out" '^[0-9]+$' 10 || fail "heap_nofp did not start"
	start_watch --heap "$pid" --heap-interval 1 "$@"
	touch "$TMP/nofp.go"
	wait_line "$TMP/nofp.out" '^kept 256$' 10 || fail "heap_nofp did not allocate"
	sleep 1.5	# a summary after the allocations
	kill -KILL "$pid"
	stop_watch
	events "e['type'] == 'heap_summary' and e['pid'] == $pid and e['live']" | tail -n 1 |
		python3 -c 'import json, sys
e = json.loads(sys.stdin.read())
print(" ".join(f.get("symbol") or "?" for f in e["live"][0]["stack"]))'
}
top=$(heap_nofp_top)
case " $top " in *" alloc_block keep_blocks main "*) ;; *) fail "--heap stack of a binary without frame pointers: $top" ;; esac
top=$(heap_nofp_top --unwind fp)
case " $top " in *" keep_blocks main "*) fail "frame pointers reached main: the check proves nothing ($top)" ;; esac
pass "--heap stacks of a binary without frame pointers reach main"

# The human output: the summary line, then the table by stack.
start_grow human
"$FAULTLINE" watch --heap "$grow" -d 3 >"$TMP/human.out" 2>"$TMP/human.err" &
wpid=$!
wait_ready "$wpid" "$TMP/human.err" watch
touch "$TMP/human.go"
wait "$wpid" || fail "watch -d 3 failed: $(tail -c 600 "$TMP/human.err")"
kill -KILL "$grow"
wait "$grow" 2>/dev/null
assert_match "$TMP/human.out" "^[0-9:.]+ info +heap_summary +$grow/heap_grow live 8\.0 MiB in 4096 objects" \
	"human output"
assert_match "$TMP/human.out" "^ +LIVE +OBJECTS +SHARE +ALLOCATED AT" "human output"
assert_match "$TMP/human.out" "^ +8\.0 MiB +4096 +100\.0%  keep_site\+0x[0-9a-f]+ < main" \
	"human output"
pass "human output: summary line and table"

# record --heap: the summaries are recorded, their stacks interned.
start_grow rec --hold 1
"$FAULTLINE" record --no-profile --heap "$grow" --heap-interval 1 -o "$TMP/heap.rec" \
	>"$TMP/rec.out" 2>"$TMP/rec.err" &
rpid=$!
wait_line "$TMP/rec.err" '^faultline: watching' 30 || fail "record did not start"
touch "$TMP/rec.go"
wait "$rpid" || fail "record failed: $(tail -c 600 "$TMP/rec.err")"
python3 - "$TMP/heap.rec" <<'PY' || fail "recording: no heap_summary attributed to keep_site"
import gzip, json, sys
recs = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
stacks = {r["id"]: r["frames"] for r in recs if r["rec"] == "stack"}
heap = [r for r in recs if r["rec"] == "event" and r["type"] == "heap_summary"]
assert heap and heap[-1]["exited"], heap[-1:]
top = heap[-1]["live"][0]
assert any(f.get("symbol") == "keep_site" for f in stacks[top["stack_id"]]), top
PY
pass "record --heap: summaries recorded with their stacks"

# heap_links PID: BPF links (one per uprobe) of the heap_* programs process PID holds.
heap_links() {
	python3 - "$1" <<'PY'
import glob, json, re, subprocess, sys
ours = set()
for f in glob.glob("/proc/%s/fdinfo/*" % sys.argv[1]):
    try:
        m = re.search(r"^prog_id:\s*(\d+)", open(f).read(), re.M)
    except OSError:
        continue
    if m:
        ours.add(int(m.group(1)))
progs = json.loads(subprocess.check_output(["bpftool", "prog", "show", "-j"]))
heap = {p["id"] for p in progs if p["id"] in ours and p.get("name", "").startswith("heap_")}
links = json.loads(subprocess.check_output(["bpftool", "link", "show", "-j"]))
print(sum(1 for l in links if l.get("prog_id") in heap))
PY
}

start_grow short --objects 64 --hold 2
short=$grow
start_grow long --objects 64
long=$grow
start_watch --heap "$short" --heap "$long" --heap-interval 1
command -v bpftool >/dev/null || skip "no bpftool to count links"
both=$(heap_links "$WATCH_PID")
[ "$both" -ge 18 ] || fail "expected at least 18 uprobe links for two targets, found $both"
touch "$TMP/short.go" "$TMP/long.go"
wait_line "$TMP/watch.err" "^faultline: heap: process $short exited; its uprobes are detached" 20 ||
	fail "no exit notice for $short: $(tail -c 600 "$TMP/watch.err")"
one=$(heap_links "$WATCH_PID")
[ "$one" -eq $((both / 2)) ] || fail "uprobes after $short exited: $one of $both"
events "e['type'] == 'heap_summary' and e['pid'] == $short and e['exited']" >"$TMP/exit.ev"
assert_lines "$TMP/exit.ev" 1
kill -KILL "$long"
wait "$WATCH_PID"
rc=$?
[ "$rc" = 0 ] || fail "watch exited $rc once its targets were gone"
assert_match "$TMP/watch.err" "^faultline: heap: process $long exited" "watch stderr"
pass "an exited target's uprobes are detached ($both -> $one uprobe links), watch ends with the last"

expect_exit 2 "$FAULTLINE" watch --heap-sample 4096
expect_exit 2 "$FAULTLINE" watch --events heap
expect_exit 2 "$FAULTLINE" watch --heap 0
pass "usage errors"
