#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Outputs created as root in a world-writable directory where user nobody
# planted links, FIFOs and files first: nothing is written through a link,
# nothing blocks, no device node is replaced, no run clobbers another's file,
# and a full disk is named as such with what was written kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/report_lib.sh"
need_root
[ -x "$TOOLS/segv" ] || skip "tools/segv not built"
id nobody >/dev/null 2>&1 || skip "no user nobody"

pub=$(mktemp -d /tmp/faultline-pub.XXXXXX)
on_exit "rm -rf $pub"
chmod 1777 "$pub"
echo "root only" >"$TMP/secret"
chmod 600 "$TMP/secret"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# A link planted at FILE.partial: record refuses, the target is untouched.
as_nobody ln -s "$TMP/secret" "$pub/x.fl.partial" || fail "nobody cannot plant a link"
expect_exit 1 timeout 10 "$FAULTLINE" record -o "$pub/x.fl" -d 1 --no-profile
assert_match "$TMP/err" 'x.fl.partial exists|\.partial file exists'
[ "$(cat "$TMP/secret")" = "root only" ] || fail "record wrote through a planted link"
# ... and at FILE itself, for record and for profile/report outputs.
as_nobody ln -s "$TMP/secret" "$pub/y.fl"
as_nobody ln -s "$TMP/secret" "$pub/y.svg"
expect_exit 1 timeout 10 "$FAULTLINE" record -o "$pub/y.fl" -d 1 --no-profile
assert_match "$TMP/err" 'symbolic link'
expect_exit 1 timeout 10 "$FAULTLINE" profile -d 1 -o "$pub/y.svg"
assert_match "$TMP/err" 'symbolic link'
[ "$(cat "$TMP/secret")" = "root only" ] || fail "an output was written through a link"
pass "planted links are not followed"

# A FIFO planted at FILE.partial or at -o: no hang (timeout would exit 124).
as_nobody mkfifo "$pub/f.fl.partial" "$pub/f.svg"
expect_exit 1 timeout 10 "$FAULTLINE" record -o "$pub/f.fl" -d 1 --no-profile
expect_exit 1 timeout 10 "$FAULTLINE" profile -d 1 -o "$pub/f.svg"
assert_match "$TMP/err" 'cannot write .*f.svg: Broken pipe'
[ -p "$pub/f.svg" ] || fail "the FIFO was replaced"
pass "planted FIFOs block nothing"

# A recording to report on, then outputs that must not be replaced.
start_record "$TMP/r.fl" --events signal --no-profile
"$TOOLS/segv" 100 >/dev/null 2>&1
stop_record "$TMP/r.fl"
cp "$TMP/r.fl" "$TMP/r.copy"
expect_exit 1 "$FAULTLINE" report "$TMP/r.fl" -o "$TMP/r.fl" --format text
assert_match "$TMP/err" 'it is the input file'
cmp -s "$TMP/r.fl" "$TMP/r.copy" || fail "report overwrote its own input"
mknod "$TMP/full" c 1 7 || skip "cannot create device nodes here"
expect_exit 1 "$FAULTLINE" report "$TMP/r.fl" -o "$TMP/full" --format text
assert_match "$TMP/err" 'No space left on device'
[ -c "$TMP/full" ] || fail "report replaced a device node with a regular file"
expect_exit 0 "$FAULTLINE" report "$TMP/r.fl" -o /dev/stdout --format text
assert_match "$TMP/out" 'SIGSEGV'
[ -c /dev/null ] && [ -L /dev/stdout ] || fail "/dev was changed"
pass "inputs, devices and /dev/stdout are written, never replaced"

# An existing output keeps its owner and mode.
echo old >"$pub/keep.txt"
chown nobody "$pub/keep.txt"
chmod 640 "$pub/keep.txt"
expect_exit 0 "$FAULTLINE" report "$TMP/r.fl" -o "$pub/keep.txt"
[ "$(stat -c '%U %a' "$pub/keep.txt")" = "nobody 640" ] ||
	fail "replaced output is $(stat -c '%U %a' "$pub/keep.txt"), was nobody 640"
pass "a replaced output keeps its owner and mode"

# Two recorders on one name: the second stops at once, the first's file is whole.
start_record "$TMP/same.fl" --events signal --no-profile
first=$RECORD_PID
expect_exit 1 timeout 10 "$FAULTLINE" record -o "$TMP/same.fl" -d 1 --no-profile
assert_match "$TMP/err" 'another record is writing it'
"$TOOLS/segv" 100 >/dev/null 2>&1
RECORD_PID=$first
stop_record "$TMP/same.fl"
expect_exit 0 "$FAULTLINE" report "$TMP/same.fl"
assert_match "$TMP/out" 'SIGSEGV'
pass "a concurrent record -o of the same file is refused"

# A full filesystem: record names ENOSPC, stops, and keeps what it wrote.
mkdir "$TMP/small"
mount -t tmpfs -o size=48k tmpfs "$TMP/small" || skip "cannot mount a tmpfs"
on_exit "umount $TMP/small"
head -c 44k /dev/zero >"$TMP/small/filler" 2>/dev/null
(sleep 1; for i in $(seq 200); do "$TOOLS/segv" 100; done) >/dev/null 2>&1 &
on_exit "kill $!"
expect_exit 1 timeout 60 "$FAULTLINE" record -o "$TMP/small/s.fl" -d 30 --events signal \
	--no-profile
[ -s "$TMP/small/s.fl.partial" ] || fail "what was written before the disk filled is gone"
assert_match "$TMP/err" 'No space left on device'
assert_no_match "$TMP/err" 'Input/output error'
pass "a full disk is reported as ENOSPC"
