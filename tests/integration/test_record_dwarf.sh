#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `record --unwind dwarf` on a binary built without frame pointers: profile
# buckets hold whole stacks (main -> run_heavy -> burn_a, 3:1 against
# run_light -> burn_b), and each bucket holds the samples of its own second,
# not running totals (alike stacks at other addresses used to be diffed
# against each other).
. "$(dirname "$0")/lib.sh"
need_root

"$TOOLS/cpu_ratio_nofp" 30 >"$TMP/ratio.out" &
wpid=$!
on_exit "kill $wpid"
sleep 0.3
expect_exit 0 "$FAULTLINE" record -v -o "$TMP/dw.rec" -p "$wpid" --unwind dwarf -d 5
assert_match "$TMP/err" 'record: user stacks: DWARF'

python3 - "$TMP/dw.rec" >"$TMP/check" 2>&1 <<'PY' || fail "$(cat "$TMP/check")"
import gzip, json, sys
recs = [json.loads(l) for l in gzip.open(sys.argv[1], "rt")]
hdr = recs[0]
assert hdr["options"]["unwind"] == "dwarf", hdr["options"]
pstacks = {r["id"]: [f["name"].split("@")[0] for f in r["frames"]]
           for r in recs if r["rec"] == "pstack"}
buckets = [r for r in recs if r["rec"] == "profile"]
assert len(buckets) >= 3, len(buckets)
# One single-threaded process at 99 Hz: about 99 samples a second, never a running total
# (which would reach k x 99 in the k-th bucket). Stack copies are unwound as the poll loop
# gets to them, so on a loaded machine some move into the next bucket: allow 2.5x.
for b in buckets:
    assert b["total"] <= 99 * b["duration_ns"] / 1e9 * 2.5, (b["time"], b["total"])
    assert b["total"] == sum(n for _, n in b["samples"]), b
total = sum(b["total"] for b in buckets)
assert total >= 150, total
def share(pred):
    return sum(n for b in buckets for i, n in b["samples"] if pred(pstacks[i])) / total
whole = share(lambda f: "main" in f and ("__libc_start_call_main" in f or "__libc_start_main" in f))
heavy = share(lambda f: f[-3:] == ["main", "run_heavy", "burn_a"])
light = share(lambda f: f[-3:] == ["main", "run_light", "burn_b"])
assert whole >= 0.95, f"only {whole:.0%} of samples reach main"
assert light > 0 and 2.0 <= heavy / light <= 4.5, f"heavy {heavy:.0%} light {light:.0%}"
print(f"{total} samples, {whole:.0%} whole, heavy:light {heavy / light:.2f}")
PY
cat "$TMP/check"
pass "record --unwind dwarf: whole stacks, per-bucket counts"
