#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rss: rss_churn keeps memory from keep_site while churn_site faults in and
# gives back three times as much. watch's rss_growth events (periodic, then the
# exit's) attribute the kept anonymous RSS to keep_site, within 15% of what the
# program says it kept, the churn to its given-back total; -p filters by
# process and --rss-step sets the step; the classic tracepoint fallback does the
# same. --rss-step without the source (off by default) is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
need_root
[ -x "${FAULTLINE_ASAN:-}" ] && WATCH_BIN=$FAULTLINE_ASAN

# start_churn NAME ARGS...: rss_churn waiting for $TMP/NAME.go; its pid in $churn.
start_churn() {
	local name=$1
	shift
	"$TOOLS/rss_churn" --wait-file "$TMP/$name.go" "$@" >"$TMP/$name.out" &
	churn=$!
	on_exit "kill -KILL $churn"
	wait_line "$TMP/$name.out" '^pid ' 10 || fail "rss_churn did not start"
}

# check NAME STEP: the exit's rss_growth of $churn against the truth NAME printed.
check() {
	events "e['type'] == 'rss_growth' and e['pid'] == $churn and e['exited']" >"$TMP/$1.ev"
	assert_lines "$TMP/$1.ev" 1
	python3 - "$TMP/$1.ev" "$TMP/$1.out" "$2" <<'PY' || fail "$1: wrong rss_growth: $(cat "$TMP/$1.ev")"
import json, sys
e = json.load(open(sys.argv[1]))
last = open(sys.argv[2]).read().split("\n")[-2].split()
kept, churned, step = int(last[1]), int(last[3]), int(sys.argv[3])
def site(name):
    rows = [r for r in e["growth"] if any(f.get("symbol") == name for f in r["stack"])]
    return sum(r["bytes"] for r in rows), sum(r["grown_bytes"] for r in rows)
keep, keep_grown = site("keep_site")
churn, churn_grown = site("churn_site")
print(sys.argv[1], "kept", kept, "churned", churned, "keep_site", keep, "churn_site", churn,
      churn_grown, "returned", e["returned_bytes"], "steps", e["steps"])
assert e["final"] and e["step_bytes"] == step, e
assert any(f.get("symbol") == "keep_site" for f in e["growth"][0]["stack"]), "top stack"
assert abs(keep - kept) <= kept * 0.15, "keep_site %d, kept %d" % (keep, kept)
assert churn <= kept * 0.05 + step, "churn_site kept %d" % churn
assert churned * 0.8 <= churn_grown <= churned * 1.2, "churn_site grew %d" % churn_grown
assert churned * 0.8 <= e["returned_bytes"] <= churned * 1.2, e["returned_bytes"]
assert e["growth"][0]["share"] >= 0.8, e["growth"][0]
# a step is one multiple crossed; a counter folded in late may cross two at once
assert e["grown_bytes"] // step // 2 <= e["steps"] <= e["grown_bytes"] // step, e["steps"]
PY
}

# Whole system, default step: a periodic summary while it runs, then the exit's.
start_churn all --max-mb 24 --delay-ms 250
start_watch --events rss
touch "$TMP/all.go"
wait "$churn" || fail "rss_churn failed"
stop_watch
have_symbolizer || skip "this build does not symbolize"
check all 262144
events "e['type'] == 'rss_growth' and e['pid'] == $churn and not e['final']" >"$TMP/periodic"
[ -s "$TMP/periodic" ] || fail "no periodic rss_growth of $churn"
assert_match "$TMP/watch.err" "^    hooks: tp_btf rss_stat, tp_btf sched_process_exit" "watch stderr"
pass "rss_growth: kept RSS attributed to keep_site, churn given back"

# -p and --rss-step: only that process, 1 MiB steps, as big as its blocks: each
# block crosses one multiple up and one down. watch ends when the process does.
start_churn one --max-mb 16 --delay-ms 20
start_watch --events rss -p "$churn" --rss-step 1048576
touch "$TMP/one.go"
wait "$churn" || fail "rss_churn failed"
wait "$WATCH_PID" || fail "watch exited $?: $(tail -c 800 "$TMP/watch.err")"
check one 1048576
events "e['type'] == 'rss_growth' and e['pid'] != $churn" >"$TMP/others"
[ ! -s "$TMP/others" ] || fail "-p $churn: events of other processes: $(head -c 300 "$TMP/others")"
pass "rss_growth: -p filter and --rss-step"

# Without typed tracepoints: the classic kmem:rss_stat, its exact size.
start_churn tp --max-mb 16 --delay-ms 20
FAULTLINE_WATCH_FORCE_TP=1 start_watch --events rss -p "$churn"
touch "$TMP/tp.go"
wait "$churn" || fail "rss_churn failed"
wait "$WATCH_PID" || fail "watch exited $?: $(tail -c 800 "$TMP/watch.err")"
check tp 262144
assert_match "$TMP/watch.err" "^    hooks: tracepoint kmem:rss_stat, tracepoint sched:sched_process_exit"
pass "rss_growth: classic tracepoint fallback"

expect_exit 2 "$FAULTLINE" watch --rss-step 65536
assert_match "$TMP/err" "--rss-step needs the rss source"
pass "--rss-step without the rss source is refused"
