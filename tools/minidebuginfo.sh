#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Strips IN into OUT the way Fedora ships binaries: no .symtab, and the
# symbols of the functions .dynsym lacks in an xz-compressed ELF in a
# .gnu_debugdata section (gdb's "MiniDebugInfo" recipe). With --plain, OUT is
# only stripped (no .gnu_debugdata): the same binary without the names.
#
#   tools/minidebuginfo.sh [--plain] IN OUT
set -eu
plain=0
if [ "${1:-}" = --plain ]; then
	plain=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: tools/minidebuginfo.sh [--plain] IN OUT" >&2; exit 2; }
in=$1 out=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minidebuginfo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

objcopy --strip-all -R .comment -R .gnu_debuglink "$in" "$tmp/stripped"
if [ $plain = 0 ]; then
	nm -D "$in" --format=posix --defined-only | awk '{ print $1 }' | sort >"$tmp/dynsyms"
	nm "$in" --format=posix --defined-only |
		awk '$2 == "T" || $2 == "t" { print $1 }' | sort >"$tmp/funcsyms"
	comm -13 "$tmp/dynsyms" "$tmp/funcsyms" >"$tmp/keep"
	objcopy --only-keep-debug "$in" "$tmp/debug"
	objcopy -S -R .gdb_index -R .comment --keep-symbols="$tmp/keep" "$tmp/debug" "$tmp/mini"
	xz -q "$tmp/mini"
	objcopy --add-section .gnu_debugdata="$tmp/mini.xz" "$tmp/stripped"
fi
mv "$tmp/stripped" "$out"
