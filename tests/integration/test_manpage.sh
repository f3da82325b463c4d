#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# docs/faultline.1 renders without groff warnings and stays true to the CLI:
# every long option a command's --help prints is in that command's section (or,
# for record and agent, in the sections of the commands whose options they take).
. "$(dirname "$0")/lib.sh"

page="$(dirname "$0")/../../docs/faultline.1"
[ -r "$page" ] || fail "no $page"
command -v groff >/dev/null || skip "groff not installed"

groff -man -Tutf8 -ww -z "$page" 2>"$TMP/groff.err" || fail "groff failed: $(cat "$TMP/groff.err")"
[ ! -s "$TMP/groff.err" ] || fail "groff warnings: $(head -5 "$TMP/groff.err")"

# section_opts CMD...: the long options written in those .SS sections.
section_opts() {
	awk -v want=" $* " '
		/^\.S[SH] / { on = index(want, " " $2 " ") > 0 && $1 == ".SS"; next }
		on { gsub(/\\-/, "-"); while (match($0, /--[a-z][a-z0-9-]*/)) {
			print substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH) } }
	' "$page" | sort -u
}

check() { # CMD SECTIONS...
	local cmd=$1
	shift
	"$FAULTLINE" "$cmd" --help >"$TMP/help" 2>&1 || fail "$cmd --help failed"
	grep -o -- '--[a-z][a-z0-9-]*' "$TMP/help" | sort -u | grep -vx -- '--help\|--verbose' >"$TMP/want"
	[ -s "$TMP/want" ] || fail "no options parsed from $cmd --help"
	section_opts "$@" >"$TMP/have"
	missing=$(comm -23 "$TMP/want" "$TMP/have" | tr '\n' ' ')
	[ -z "$missing" ] || fail "faultline.1 lacks $cmd options: $missing"
}

check probe probe
check profile profile
check watch watch
check record record watch profile
check report report
check agent agent record watch profile

# The check can fail: a section without its options is caught.
section_opts report | grep -qx -- --incident || fail "section parsing finds nothing"
section_opts probe | grep -qx -- --incident && fail "section parsing leaks across sections"
echo "ok: faultline.1 renders cleanly and lists every option"
