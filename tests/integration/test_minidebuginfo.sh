#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stripped binaries: a static function is named from the MiniDebugInfo
# (.gnu_debugdata) of stripped_burner-mini, while the same binary stripped
# without it (stripped_burner-bare) reads module+0xOFFSET there; libc's own
# local functions are named from libc6-dbg's file under /usr/lib/debug/.build-id.
. "$(dirname "$0")/lib.sh"
need_root
for b in stripped_burner-mini stripped_burner-bare; do
	[ -x "$TOOLS/$b" ] || fail "$TOOLS/$b not built (make tools)"
done

profile_of() { # BINARY OUT: a 2 s profile of BINARY spinning, stderr at -vv in OUT.err
	"$TOOLS/$1" 120 &
	local pid=$!
	on_exit "kill $pid"
	sleep 0.3
	expect_exit 0 "$FAULTLINE" -vv profile -p "$pid" -d 2 -o "$2"
	cp "$TMP/err" "$2.err"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

profile_of stripped_burner-mini "$TMP/mini.folded"
assert_match "$TMP/mini.folded" '^stripped_burner;([^ ]*;)?main;stripped_burner_spin[; ]' \
	"profile of the binary with .gnu_debugdata"
assert_match "$TMP/mini.folded.err" 'stripped_burner-mini: [0-9]+ symbols from \.gnu_debugdata' \
	"-vv log"
pass "a static function of a stripped binary is named from its .gnu_debugdata"

profile_of stripped_burner-bare "$TMP/bare.folded"
assert_no_match "$TMP/bare.folded" 'stripped_burner_spin' "profile of the plain stripped binary"
assert_match "$TMP/bare.folded" 'stripped_burner-bare\+0x[0-9a-f]+ [0-9]+$' \
	"profile of the plain stripped binary"
pass "without .gnu_debugdata the same frame is stripped_burner-bare+0xOFFSET"

# libc6-dbg: its debug file by build-id names libc's local functions.
libc=$(awk '$NF ~ /\/libc\.so\.6$/ { print $NF; exit }' /proc/self/maps)
id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/.*Build ID: \([0-9a-f]*\)/\1/p')
[ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ] ||
	skip "no debug file for $libc (Debian package libc6-dbg)"
assert_match "$TMP/mini.folded.err" \
	"libc\.so\.6: [0-9]+ symbols from /usr/lib/debug/\.build-id/${id:0:2}/${id:2}\.debug" "-vv log"
assert_match "$TMP/mini.folded" ';__libc_start_call_main;main;stripped_burner_spin[; ]' \
	"profile of the binary with .gnu_debugdata"
pass "libc's local functions are named from its build-id debug file"
