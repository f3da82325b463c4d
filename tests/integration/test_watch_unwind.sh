#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# watch --unwind: events of a binary built without frame pointers. A slow
# read() two named functions below main: with --unwind dwarf the stack names
# both and reaches main and __libc_start_call_main; with --unwind fp it does
# not reach main (what the DWARF mode is for, and proof this test can fail).
# A SIGSEGV in such a binary reaches main too (under ASan), and `record
# --unwind dwarf` keeps the whole stack for `report`. conn events pair with
# their snapshots too. (The default, the in-kernel walk, is
# test_watch_kunwind.sh's.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/watch_lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root

# user_symbols PID: the user frames' symbols of PID's one event, leaf first;
# also checks the event says how its stack was unwound (UNWIND, "" for none).
user_symbols() {
	python3 - "$TMP/watch.out" "$1" "$2" 2>"$TMP/symbols.err" <<'PY'
import json, sys
path, pid, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
mine = [e for e in map(json.loads, open(path)) if e.get("pid") == pid and "stack" in e]
assert len(mine) == 1, "%d events of %d in %s" % (len(mine), pid, open(path).read()[-3000:])
assert mine[0].get("unwind", "") == how, mine[0].get("unwind")
for f in mine[0]["stack"]:
    if f["module"] and not f["module"].startswith("[k") and f["module"] != "[kernel]":
        print(f["symbol"] or "?")
PY
}

# in_order FILE NAMES...: NAMES appear in FILE's lines in this order (symbol
# versions like @@GLIBC_2.34 ignored).
in_order() {
	local file=$1
	shift
	python3 - "$file" "$@" <<'PY'
import sys
syms = [l.strip().split("@")[0] for l in open(sys.argv[1])]
pos = 0
for name in sys.argv[2:]:
    if name not in syms[pos:]:
        sys.exit("%s missing after position %d in %s" % (name, pos, syms))
    pos = syms.index(name, pos) + 1
PY
}

slow_read_nofp() {
	"$TOOLS/slow_read_nofp" 600 &
	local pid=$!
	wait $pid || fail "slow_read_nofp failed"
	echo $pid
}

start_watch --events slow --slow-threshold 150 --unwind dwarf -v
pid=$(slow_read_nofp)
stop_watch
have_symbolizer || skip "no symbolizer in this build"
user_symbols "$pid" dwarf >"$TMP/dwarf.syms" ||
	fail "no DWARF slow_syscall event of $pid: $(tail -c 3000 "$TMP/symbols.err")"
in_order "$TMP/dwarf.syms" read nofp_slow_read nofp_request main __libc_start_call_main ||
	fail "dwarf stack: $(tr '\n' ' ' <"$TMP/dwarf.syms")"
assert_match "$TMP/watch.err" '^watch: user stacks: DWARF .*--unwind dwarf'
assert_match "$TMP/watch.err" '^  user stacks: dwarf [1-9][0-9]*, '

start_watch --events slow --slow-threshold 150 --unwind fp
pid=$(slow_read_nofp)
stop_watch
user_symbols "$pid" "" >"$TMP/fp.syms" ||
	fail "no frame-pointer slow_syscall event of $pid: $(tail -c 3000 "$TMP/symbols.err")"
in_order "$TMP/fp.syms" read nofp_slow_read || fail "fp stack: $(tr '\n' ' ' <"$TMP/fp.syms")"
! grep -qx main "$TMP/fp.syms" || fail "a frame-pointer walk reached main: the test proves nothing"

# A crash, with the sanitizer build.
WATCH_BIN=$FAULTLINE_ASAN start_watch --events signal --unwind dwarf -v
"$TOOLS/segv_nofp" 100 2>/dev/null &
pid=$!
wait $pid
[ $? = 139 ] || fail "segv_nofp did not die of SIGSEGV"
stop_watch
user_symbols "$pid" dwarf >"$TMP/segv.syms" ||
	fail "no DWARF signal event of $pid: $(tail -c 3000 "$TMP/symbols.err")"
in_order "$TMP/segv.syms" nofp_crash nofp_handle main __libc_start_call_main ||
	fail "segv stack: $(tr '\n' ' ' <"$TMP/segv.syms")"

# conn prepares its event at the SYN and sends the snapshot when it reports
# from inside connect(): both loopback refusals pair with one.
start_watch --events conn --unwind dwarf
"$TOOLS/conn_refused" --mode both --wait-file "$TMP/go" >"$TMP/conn.out" 2>&1 &
pid=$!
sleep 0.3	# its maps, libraries included, are snapshot at exec and 10 ms later
touch "$TMP/go"
wait $pid || fail "conn_refused failed: $(cat "$TMP/conn.out")"
stop_watch
python3 - "$TMP/watch.out" "$pid" <<'PY' || fail "conn stacks: $(grep -c conn_ "$TMP/watch.out") events"
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
mine = [e for e in map(json.loads, open(path)) if e.get("pid") == pid]
assert sorted(e["mode"] for e in mine) == ["blocking", "nonblocking"], mine
for e in mine:
    assert e["unwind"] == "dwarf", e
    syms = [(f.get("symbol") or "?").split("@")[0] for f in e["stack"]]
    assert "main" in syms and "__libc_start_call_main" in syms, syms
PY

# record keeps the DWARF stack; report shows it in the incident.
start_record "$TMP/unwind.rec" --events signal --no-profile --unwind dwarf
"$TOOLS/segv_nofp" 100 2>/dev/null &
pid=$!
wait $pid
stop_record "$TMP/unwind.rec"
report_json "$TMP/unwind.rec"
report=$(head -c 2000 "$TMP/report.txt")
python3 - "$TMP/report.json" "$pid" <<'PY' || fail "recorded stack: $report"
import json, sys
d, pid = json.load(open(sys.argv[1])), int(sys.argv[2])
roots = [i["root_cause"] for i in d["incidents"] if i["root_cause"].get("pid") == pid]
assert len(roots) == 1, "%d incidents rooted at %d" % (len(roots), pid)
syms = [(f.get("symbol") or "?").split("@")[0] for f in roots[0]["stack"]]
for name in ("nofp_crash", "nofp_handle", "main", "__libc_start_call_main"):
    assert name in syms, "%s not in %s" % (name, syms)
PY
pass "watch and record unwind no-frame-pointer stacks with DWARF"
