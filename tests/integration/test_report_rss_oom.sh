#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An OOM kill whose memory grew at one call site while another churned three
# times as much (faulted in, then given back): the report's OOM incident names
# the keeping site in memory_growth, from RSS growth samples with the rss
# source (-e all), and from the live heap with --heap PID. JSON, text and HTML.
# With the default sources (rss off) the report says what grew is unknown.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

name=faultline-rss-$$
memcg_create "$name" 64

# check_growth REC SOURCE: the victim's incident names keep_site first.
check_growth() {
	local rec=$1 source=$2 kept
	report_json "$rec"
	kept=$(awk '/^kept_bytes/ { k = $2 } END { print k + 0 }' "$TMP/churn.out")
	[ "$kept" -gt 0 ] || fail "rss_churn printed nothing: $(cat "$TMP/churn.out")"
	python3 - "$TMP/report.json" "$victim" "$source" "$kept" <<'PY' ||
import json, sys
d, pid, source, kept = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
mine = [i for i in d["incidents"] if i["root_cause"]["type"] == "oom_kill"
        and i["root_cause"]["victim"]["pid"] == pid]
assert len(mine) == 1, "victim in %d OOM incidents" % len(mine)
g = mine[0]["memory_growth"]
syms = lambda r: [f.get("symbol") for f in r["stack"]]
assert g and "keep_site" in syms(g[0]), g
top = g[0]
assert top["source"] == source and top["pid"] == pid, top
assert top["share"] >= 0.8, "keep_site share %.3f" % top["share"]
# what it kept, as the workload says (the kill came between two of its lines)
assert kept * 0.5 <= top["bytes"] <= kept * 1.5 + (4 << 20), (top["bytes"], kept)
churn = [r for r in g if "churn_site" in syms(r)]
assert all(r["share"] < top["share"] and r["bytes"] < top["bytes"] for r in churn), churn
assert any("keep_site" in s for s in mine[0]["next_steps"]), mine[0]["next_steps"]
PY
		fail "memory_growth ($source): $(python3 -c 'import json,sys; [print(json.dumps(i.get("memory_growth"))[:1500]) for i in json.load(open(sys.argv[1]))["incidents"]]' "$TMP/report.json")"
	assert_match "$TMP/report.txt" "Memory grew +[0-9.]+ MiB +[0-9.]+%  keep_site < main"
	"$FAULTLINE" report "$rec" -o "$TMP/report.html" || fail "html report failed"
	assert_match "$TMP/report.html" "<dt>Memory grew at</dt>"
	assert_match "$TMP/report.html" "<summary>keep_site &lt; main"
}

# run_churn: rss_churn in the memory cgroup, waiting for $TMP/go; its pid in $victim.
run_churn() {
	rm -f "$TMP/go"
	sh -c "echo \$\$ > $cg/cgroup.procs && exec $TOOLS/rss_churn --delay-ms 20 \
		--wait-file $TMP/go" >"$TMP/churn.out" 2>&1 &
	churn=$!
	for i in $(seq 1 50); do grep -q '^pid' "$TMP/churn.out" && break; sleep 0.1; done
	victim=$(awk '/^pid/ { print $2; exit }' "$TMP/churn.out")
	[ "$victim" = "$churn" ] || fail "rss_churn did not start: $(cat "$TMP/churn.out")"
}

finish_churn() {
	touch "$TMP/go"
	wait "$churn"
	local rc=$?
	[ "$rc" = 137 ] || fail "rss_churn exited $rc, expected 137 (OOM kill): $(tail -3 "$TMP/churn.out")"
}

# Default options: no rss source, nothing to name; said so.
run_churn
start_record "$TMP/default.rec" --no-profile
finish_churn
stop_record "$TMP/default.rec"
report_json "$TMP/default.rec"
python3 - "$TMP/report.json" "$victim" <<'PY' || fail "default options: $(head -c 2000 "$TMP/report.txt")"
import json, sys
d, pid = json.load(open(sys.argv[1])), int(sys.argv[2])
i = [i for i in d["incidents"] if i["root_cause"].get("victim", {}).get("pid") == pid][0]
assert i["memory_growth"] == [], i["memory_growth"]
assert any(s.startswith("what grew the memory is unknown") for s in i["evidence"]), i["evidence"]
PY
assert_no_match "$TMP/report.txt" "Memory grew"

# -e all: rss is on, memory_growth comes from RSS growth samples.
run_churn
start_record "$TMP/rss.rec" -e all
finish_churn
stop_record "$TMP/rss.rec"
check_growth "$TMP/rss.rec" rss

# --heap PID: the live heap ranks the same sites.
run_churn
start_record "$TMP/heap.rec" --events oom,rss --heap "$victim" --no-profile
finish_churn
stop_record "$TMP/heap.rec"
check_growth "$TMP/heap.rec" heap
pass "OOM incident: memory_growth names the keeping site above the churning one (rss, heap)"
