#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The flame graph's script in a real browser: headless chromium loads
# tests/fixtures/output/svg_harness.html, which hovers, zooms and searches
# the fixture graph of test_output_svg and reports each check in the DOM.
# Fails on any failed check and on any uncaught script error.
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-build}
writer=$BUILD/tests/test_output_svg
harness=$(dirname "$0")/../fixtures/output/svg_harness.html
browser=$(command -v chromium || command -v chromium-browser) ||
	skip "chromium not installed (Debian chromium, tools/install-deps.sh test)"
[ -x "$writer" ] || skip "$writer is not built: run make test (make test-integration does not build it)"

FAULTLINE_SVG_OUT=$TMP/graph.svg "$writer" >"$TMP/writer.log" 2>&1 ||
	fail "test_output_svg failed: $(tail -n 5 "$TMP/writer.log")"
xmllint --noout "$TMP/graph.svg" || fail "graph.svg is not well-formed XML"
cp "$harness" "$TMP/harness.html"
mkdir -p "$TMP/home" "$TMP/profile"

# Root needs --no-sandbox; the rest keeps a throwaway profile off the network.
# The harness reads the graph in its iframe, hence file access from files.
HOME=$TMP/home timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	--disable-background-networking --disable-component-update --disable-sync \
	--no-first-run --user-data-dir="$TMP/profile" --allow-file-access-from-files \
	--enable-logging=stderr --v=0 --virtual-time-budget=5000 \
	--dump-dom "file://$TMP/harness.html" >"$TMP/dom" 2>"$TMP/browser.log" ||
	fail "chromium exited $?: $(grep -v dbus "$TMP/browser.log" | tail -n 5)"

grep -q '^DONE' "$TMP/dom" || fail "the harness did not finish: $(head -c 800 "$TMP/dom")"
if grep -q '^FAIL' "$TMP/dom"; then
	fail "$(grep '^FAIL' "$TMP/dom")"
fi
npass=$(grep -c '^PASS' "$TMP/dom")
[ "$npass" -ge 17 ] || fail "only $npass checks passed: $(head -c 800 "$TMP/dom")"
if grep -q 'CONSOLE.*Uncaught' "$TMP/browser.log"; then
	fail "script error: $(grep 'CONSOLE.*Uncaught' "$TMP/browser.log" | head -n 3)"
fi
pass "$npass browser checks of hover, zoom and search passed"
