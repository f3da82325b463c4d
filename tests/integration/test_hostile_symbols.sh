#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Symbols are only what a file says: user nobody must not get root's symbols
# printed through a planted .gnu_debuglink, nor give root's process the fake
# names of a copy with the same build-id.
. "$(dirname "$0")/lib.sh"
need_root
id nobody >/dev/null 2>&1 || skip "no user nobody"
command -v gcc >/dev/null && command -v objcopy >/dev/null || skip "needs gcc and objcopy"

pub=$(mktemp -d /tmp/faultline-pub.XXXXXX)
on_exit "rm -rf $pub"
chmod 1777 "$pub"
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)

cat >"$TMP/spin.c" <<'C'
#include <time.h>
volatile unsigned long sink;
__attribute__((noinline)) void FN(void)
{
	time_t end = time(0) + 30;	/* killed at the end; long enough for a slow start */
	while (time(0) < end)
		for (int i = 0; i < 1000000; i++)
			sink += i;
}
int main(void) { FN(); return 0; }
C
build() { gcc -O1 -g -fno-omit-frame-pointer -DFN="$1" "$TMP/spin.c" -o "$2" || fail "gcc"; }

# A: root's private ELF with the same layout, named root_secret_function.
build root_secret_function "$TMP/secret.elf"
chmod 600 "$TMP/secret.elf"
build nobody_spin "$TMP/victim.full"
# Worst case for us: no build-id, and a debuglink whose CRC matches the secret.
objcopy --strip-all --remove-section .note.gnu.build-id \
	--add-gnu-debuglink="$TMP/secret.elf" "$TMP/victim.full" "$pub/victim"
chown nobody "$pub/victim"
"${as_nobody[@]}" ln -s "$TMP/secret.elf" "$pub/secret.elf"
"${as_nobody[@]}" "$pub/victim" &
victim=$!
on_exit "kill $victim"
expect_exit 0 "$FAULTLINE" profile -p "$victim" -d 2 -o "$TMP/a.folded"
assert_no_match "$TMP/a.folded" 'root_secret_function' "profile of nobody's binary"
assert_match "$TMP/a.folded" 'victim' "profile of nobody's binary"
pass "a debuglink planted by another user shows no root-only symbols"

# B: root's binary and nobody's copy with the same build-id, symbols renamed.
mkdir "$TMP/r"
build real_work "$TMP/r/prog"
objcopy --redefine-sym real_work=fake_work "$TMP/r/prog" "$pub/prog"
chown nobody "$pub/prog"
[ "$(readelf -n "$TMP/r/prog" | grep 'Build ID')" = "$(readelf -n "$pub/prog" | grep 'Build ID')" ] ||
	fail "the copy's build-id differs"
"${as_nobody[@]}" "$pub/prog" &
fake=$!
on_exit "kill $fake"
sleep 0.5
"$TMP/r/prog" &
real=$!
on_exit "kill $real"
expect_exit 0 "$FAULTLINE" profile -p "$fake" -p "$real" --pid-in-name -d 2 -o "$TMP/b.folded"
grep -E "^prog \(?$real\)?|-$real;|\[$real\]|$real" "$TMP/b.folded" | grep -v "$fake" >"$TMP/real" ||
	fail "no samples of root's process: $(head -5 "$TMP/b.folded")"
assert_match "$TMP/real" 'real_work' "root's process"
assert_no_match "$TMP/real" 'fake_work' "root's process"
pass "a same-build-id copy owned by another user names only its own process"
