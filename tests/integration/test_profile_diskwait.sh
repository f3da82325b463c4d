#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Waiting on the disk: tools/fsync_writer writes 256 KB and fsync()s it, 200
# times, on a filesystem backed by a block device (where /var/tmp is, else an
# ext4 image on a loop device made here), timing each fsync itself.
# profile --off-cpu --state D charges the fsync call site its measured time
# within 10%, the stack reaching main; --wall names that time "[disk wait]".
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$TOOLS/fsync_writer" ] || skip "tools/fsync_writer not built"

# A directory whose filesystem sits on a block device: /var/tmp's if it does
# (DISK_LOOP=1 takes the loop device anyway).
disk_dir() {
	local src
	src=$(findmnt -n -o SOURCE -T /var/tmp 2>/dev/null)
	if [ -b "$src" ] && [ -z "${DISK_LOOP:-}" ]; then
		DIR=$(mktemp -d /var/tmp/faultline-disk.XXXXXX)
		on_exit "rm -rf $DIR"
		echo "disk: /var/tmp is on $src ($(stat -f -c %T /var/tmp))"
		return 0
	fi
	command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null ||
		skip "/var/tmp is on $src (no block device) and losetup/mkfs.ext4 are missing"
	local img dev
	img=$(mktemp /var/tmp/faultline-disk.XXXXXX.img)
	on_exit "rm -f $img"
	truncate -s 64M "$img" && mkfs.ext4 -q -F "$img" ||
		skip "/var/tmp is on $src (no block device) and no ext4 image could be made there"
	dev=$(losetup -f --show "$img") || skip "/var/tmp is on $src and no loop device is free"
	on_exit "losetup -d $dev"
	DIR=$TMP/mnt
	mkdir -p "$DIR"
	mount "$dev" "$DIR" || skip "mounting $dev (ext4 on a loop device) failed"
	CLEANUP_CMDS=("umount $DIR" "${CLEANUP_CMDS[@]}")
	echo "disk: ext4 on $dev (an image in /var/tmp: /var/tmp is on $src)"
}
disk_dir

# run_writer FILE ARGS...: profile one fsync_writer run (profile stops when it exits).
run_writer() {
	local out=$1; shift
	"$TOOLS/fsync_writer" "$DIR/data" 200 256 >"$TMP/fw.out" &
	local pid=$!
	wait_line "$TMP/fw.out" '^[0-9]+$' 5 || fail "fsync_writer did not start"
	on_exit "kill $pid"
	: >"$TMP/profile.err"
	"$FAULTLINE" profile -v -p "$pid" "$@" -o "$out" 2>"$TMP/profile.err" &
	local prof=$!
	wait_line "$TMP/profile.err" 'profile: sampling' 30 || fail "profile did not start: $(cat "$TMP/profile.err")"
	kill -USR1 "$pid"
	wait "$prof" || fail "profile $* failed: $(cat "$TMP/profile.err")"
	wait "$pid" || fail "fsync_writer failed"
}

site=';main;write_and_sync;do_fsync;'
run_writer "$TMP/d.folded" --off-cpu --state D
want=$(awk '$1 == "blocked_ms" { print $2 }' "$TMP/fw.out")
got=$(awk -v s="$site" 'index($0, s) { n += $NF } END { printf "%.1f", n / 1000 }' "$TMP/d.folded")
echo "main;write_and_sync;do_fsync: $got ms uninterruptible, measured $want ms blocked in fsync"
python3 -c "import sys; w, g = float(sys.argv[1]), float(sys.argv[2]);
sys.exit(0 if abs(g - w) <= 0.1 * w else 1)" "$want" "$got" ||
	fail "fsync charged $got ms, measured $want ms blocked: $(sort -t' ' -k2 -nr "$TMP/d.folded" | head -3)"
grep "$site" "$TMP/d.folded" | grep -q '^fsync_writer;.*;main;' || fail "fsync stacks do not reach main"
pass "the fsync call site is charged its measured uninterruptible time"

run_writer "$TMP/w.folded" --wall
want=$(awk '$1 == "fsync_ms" { print $2 }' "$TMP/fw.out")
awk -v s="$site" 'index($0, s) { split($0, f, ";"); leaf = f[length(f)]; sub(/ [0-9]+$/, "", leaf)
	t[leaf] += $NF } END { for (l in t) printf "--wall: under do_fsync: %s %.1f ms\n", l, t[l] / 1000 }' \
	"$TMP/w.folded"
disk=$(awk -v s="$site" 'index($0, s) && /;\[disk wait\] [0-9]+$/ { n += $NF }
	END { printf "%.1f", n / 1000 }' "$TMP/w.folded")
echo "--wall: $disk ms [disk wait] under do_fsync"
python3 -c "import sys; w, g = float(sys.argv[1]), float(sys.argv[2]);
sys.exit(0 if g >= 0.8 * w else 1)" "$want" "$disk" ||
	fail "--wall: only $disk ms of fsync's $want ms named [disk wait]"
assert_no_match "$TMP/w.folded" ';\[uninterruptible\] [0-9]+$' "--wall (fsync D sleeps are disk waits)"
pass "--wall names fsync's uninterruptible sleeps disk waits"
