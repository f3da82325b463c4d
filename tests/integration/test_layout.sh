#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tree keeps the layering docs/architecture.md states: the folder table there
# ("may include") is read as the rule, so the document and the code can't drift.
set -u
cd "$(dirname "$0")/../.."
fail=0
bad() { echo "layout: $*"; fail=1; }

top=$(find userspace -maxdepth 1 -type f | wc -l)
[ "$top" -le 2 ] || bad "$top files directly in userspace/ (at most 2)"

while read -r dir n; do
	[ "$n" -le 32 ] || bad "$dir holds $n files (split it by concern)"
done < <(find userspace -mindepth 1 -type d | while read -r d; do
	echo "$d $(find "$d" -maxdepth 1 -type f | wc -l)"; done)

climb=$(grep -rn '#include "\.\./' userspace tests/unit bpf || true)
[ -z "$climb" ] || bad "includes that climb:"$'\n'"$climb"

dups=$(find userspace bpf -name '*.h' -printf '%f\n' | sort | uniq -d)
[ -z "$dups" ] || bad "header names used twice: $dups"

# "| `folder/` | owns | `a`, `b` |" rows of the folder table.
declare -A allowed
while IFS='|' read -r _ folder _ may _; do
	folder=$(echo "$folder" | tr -d ' `/')
	allowed[$folder]=" $(echo "$may" | tr -d '`,—' | xargs) "
done < <(sed -n '/^## Folders/,/^## /p' docs/architecture.md | grep '^| `[a-z/]*/` |')
[ ${#allowed[@]} -ge 6 ] || bad "docs/architecture.md: folder table not found"

for f in $(find userspace -mindepth 2 -name '*.[ch]'); do
	own=$(dirname "${f#userspace/}")
	key=${own//\//}
	rule=${allowed[$key]-}
	[ -n "$rule" ] || { bad "$own/ is not in docs/architecture.md's folder table"; continue; }
	[ "$rule" = " every folder " ] && continue
	for inc in $(sed -n 's|^#include "\([a-z_/]*\)/[a-z_]*\.h".*|\1|p' "$f" | sort -u); do
		[ "$inc" = "$own" ] && continue
		case "$rule" in *" $inc "*) ;; *) bad "$f includes $inc/ (allowed:$rule)";; esac
	done
done
[ $fail -eq 0 ] && echo "layout: ok"
exit $fail
