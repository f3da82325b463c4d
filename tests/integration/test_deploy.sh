#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The deployment files stay true to the agent: the DaemonSet is valid YAML whose
# arguments `faultline agent` accepts, and it grants the capabilities the systemd
# unit grants; `make install` puts the binary, unit, config and man page in place.
. "$(dirname "$0")/lib.sh"

top="$(cd "$(dirname "$0")/../.." && pwd)"
ds="$top/tools/deploy/faultline-agent.daemonset.yaml"
unit="$top/tools/deploy/faultline-agent.service"

/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"
/usr/bin/python3 - "$ds" >"$TMP/ds" <<'PY' || fail "DaemonSet: $(cat "$TMP/ds")"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["kind"] == "DaemonSet", d["kind"]
spec = d["spec"]["template"]["spec"]
assert spec["hostPID"] is True, "the agent reads /proc/PID of the host"
c = spec["containers"][0]
assert c["args"][0] == "agent", c["args"]
print("ARGS", " ".join(a for a in c["args"][1:] if a.startswith("--")))
print("CAPS", " ".join(sorted(c["securityContext"]["capabilities"]["add"])))
PY

"$FAULTLINE" agent --help >"$TMP/help" 2>&1 || fail "agent --help failed"
for opt in $(sed -n 's/^ARGS //p' "$TMP/ds"); do
	grep -q -- "$opt\b" "$TMP/help" || fail "DaemonSet passes $opt, which agent --help does not list"
done
unit_caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit" | tr ' ' '\n' | sed 's/^CAP_//' | sort | tr '\n' ' ')
ds_caps="$(sed -n 's/^CAPS //p' "$TMP/ds") "
[ "$unit_caps" = "$ds_caps" ] || fail "capabilities differ: unit '$unit_caps', DaemonSet '$ds_caps'"

dest="$TMP/root"
# -o: install the binary under test as it is, never rebuild it here.
build="$(dirname "$FAULTLINE")"
make -s -C "$top" install DESTDIR="$dest" BUILD="$build" -o "$build/faultline" >"$TMP/install" 2>&1 ||
	fail "make install: $(tail -5 "$TMP/install")"
for f in usr/local/bin/faultline usr/local/share/man/man1/faultline.1 etc/faultline/agent.conf; do
	[ -s "$dest/$f" ] || fail "make install did not install /$f: $(cd "$dest" && find . -type f)"
done
find "$dest" -name faultline-agent.service | grep -q . || fail "no unit installed"
grep -q '^ExecStart=/usr/local/bin/faultline agent' "$(find "$dest" -name faultline-agent.service)" ||
	fail "unit's ExecStart does not name the installed binary"
echo "ok: DaemonSet, unit and make install agree with the agent"
