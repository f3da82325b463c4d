#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `profile --unwind dwarf` on binaries built without frame pointers: whole
# stacks down to main and __libc_start_main, the right callers in between,
# the 3:1 ratio of cpu_ratio, the caller of a libc syscall wrapper, and
# stacks that cross a signal frame. --unwind auto walks them in the kernel
# with .eh_frame tables instead (test_unwind_kernel.sh).
. "$(dirname "$0")/lib.sh"
need_root

start() { # NAME SECONDS: runs $TOOLS/NAME in the background, sets $wpid
	"$TOOLS/$1" "$2" >"$TMP/$1.out" &
	wpid=$!
	on_exit "kill $wpid"
	sleep 0.3
}

check() { # FOLDED SCRIPT: python3 on the folded stacks, fails the test with its output
	python3 - "$1" >"$TMP/check" 2>&1 <<<"$2" || fail "$(basename "$1"): $(cat "$TMP/check")"
	cat "$TMP/check"
}

# Shared by the checks: stacks as (frames, count), helpers to judge them.
PYLIB='
import re, sys
stacks = []
for line in open(sys.argv[1]):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    stacks.append(([re.sub(r"@.*$", "", f) for f in stack.split(";")], int(count)))
total = sum(n for _, n in stacks)
def share(pred):
    return sum(n for f, n in stacks if pred(f, ";".join(f))) / max(total, 1)
def whole(f, s):
    return "main" in f and ("__libc_start_main" in f or "__libc_start_call_main" in f)
if total < 50:
    sys.exit(f"only {total} samples")
'

start cpu_ratio_nofp 40
expect_exit 0 "$FAULTLINE" profile -v -p "$wpid" -d 5 --unwind snapshot -o "$TMP/ratio.folded"
assert_match "$TMP/err" 'user stacks: DWARF .*--unwind dwarf' "-v output"
assert_match "$TMP/err" '^profile: DWARF unwinding: [0-9]+ user stacks' "summary"
# every unwound sample is in the output, once
unwound=$(sed -n 's/^profile: DWARF unwinding: \([0-9]*\) user stacks.*/\1/p' "$TMP/err")
counted=$(awk '{ n += $NF } END { print n + 0 }' "$TMP/ratio.folded")
[ "$unwound" = "$counted" ] || fail "$unwound stacks unwound but $counted in the output"
check "$TMP/ratio.folded" "$PYLIB"'
a = share(lambda f, s: "burn_a" in f)
b = share(lambda f, s: "burn_b" in f)
print(f"samples {total}, whole {share(whole):.3f}, burn_a {a:.3f}, burn_b {b:.3f}")
if share(whole) < 0.95:
    sys.exit("under 95% of the stacks reach main and __libc_start_main")
if share(lambda f, s: "burn_a" in f and "main;run_heavy;burn_a" not in s) > 0.01:
    sys.exit("burn_a without main;run_heavy above it")
if share(lambda f, s: "burn_b" in f and "main;run_light;burn_b" not in s) > 0.01:
    sys.exit("burn_b without main;run_light above it")
if not b or not 2.2 <= a / b <= 4.0:
    sys.exit(f"ratio {a / max(b, 1e-9):.2f}, not about 3")
'
kill "$wpid"

# The same program with frame pointers: auto walks in the kernel, fp as asked.
start cpu_ratio 20
expect_exit 0 "$FAULTLINE" profile -v -p "$wpid" -d 1 -o "$TMP/fp.folded"
assert_match "$TMP/err" 'user stacks: walked in the kernel with .eh_frame tables' "-v output"
assert_no_match "$TMP/err" 'DWARF unwinding:'
expect_exit 0 "$FAULTLINE" profile -v -p "$wpid" -d 1 --unwind fp -o "$TMP/fp.folded"
assert_match "$TMP/err" 'user stacks: frame pointers \(--unwind fp' "-v output"
assert_no_match "$TMP/err" 'in-kernel unwinding:'
kill "$wpid"

# read(2) from a function of a binary without frame pointers: the caller shows.
start read_nofp 20
expect_exit 0 "$FAULTLINE" profile -p "$wpid" -d 3 --unwind dwarf -o "$TMP/read.folded"
check "$TMP/read.folded" "$PYLIB"'
r = share(lambda f, s: re.search(r"main;read_zeros;(__libc_|__)?read(;|$)", s))
print(f"samples {total}, main;read_zeros;read {r:.3f}")
if r < 0.9:
    sys.exit("read_zeros missing between main and read")
'
kill "$wpid"

# Time spent in a signal handler: unwound through __restore_rt to main.
start signal_nofp 20
expect_exit 0 "$FAULTLINE" profile -p "$wpid" -d 3 --unwind dwarf -o "$TMP/signal.folded"
check "$TMP/signal.folded" "$PYLIB"'
h = share(lambda f, s: "handler_work" in f)
good = share(lambda f, s: "main;wait_loop;" in s and "__restore_rt;on_alarm;handler_work" in s)
print(f"samples {total}, in the handler {h:.3f}, of which through the signal frame {good:.3f}")
if h < 0.2 or good < 0.95 * h:
    sys.exit("handler stacks do not reach main through the signal frame")
if share(whole) < 0.95:
    sys.exit("under 95% of the stacks reach main and __libc_start_main")
'
kill "$wpid"

# The sanitizer build unwinds too, without leaks or UB.
if [ -x "${FAULTLINE_ASAN:-}" ]; then
	start cpu_ratio_nofp 20
	expect_exit 0 "$FAULTLINE_ASAN" profile -p "$wpid" -d 2 --unwind dwarf -o "$TMP/asan.folded"
	assert_match "$TMP/asan.folded" 'main;run_heavy;burn_a' "ASan build's profile"
fi
pass "DWARF unwinding gives whole stacks without frame pointers"
