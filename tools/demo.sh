#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: a short tour on this machine. Profiles the whole system while a
# known CPU burner runs, watches while real faults are provoked, then records
# an fd-leak incident and reports its root cause. Needs root.
set -u
cd "$(dirname "$0")/.."
FL=./build/faultline
T=./build/tools
OUT=build/demo
mkdir -p "$OUT"
[ "$(id -u)" = 0 ] || { echo "Error: make run needs root (sudo make run)" >&2; exit 1; }
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "faultline probe: what this kernel offers (capabilities)"
$FL probe | sed -n '/^CAPABILITY/,$p'

say "faultline profile: whole system for 4 s, a 3:1 CPU burner running"
$T/cpu_ratio 6 >/dev/null &
pids+=($!)
$FL profile -d 4 -o "$OUT/profile.svg" 2>/dev/null
$FL profile -d 4 2>&1 | head -n 14
echo "(interactive flame graph of the first run: $OUT/profile.svg)"

say "faultline watch: 5 s while a crash, a slow read and a refused connection happen"
$FL watch -d 5 2>"$OUT/watch.err" &
watcher=$!
for _ in $(seq 50); do grep -q watching "$OUT/watch.err" 2>/dev/null && break; sleep 0.1; done
( "$T/segv" >/dev/null 2>&1 ) 2>/dev/null  # its crash is the point: keep the shell quiet
$T/slow_read >/dev/null 2>&1
$T/conn_refused --mode both --count 1 >/dev/null 2>&1
wait $watcher
grep -E '^  (events|lost)' "$OUT/watch.err"

say "faultline record + report: a server leaking sockets until EMFILE while clients connect"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$FL record -o "$OUT/incident.rec" --events fd,conn 2>"$OUT/record.err" &
recorder=$!
for _ in $(seq 100); do grep -q watching "$OUT/record.err" 2>/dev/null && break; sleep 0.1; done
$T/leaky_server -p "$port" -l 64 -g 20 >/dev/null 2>&1 &
server=$!
sleep 0.3
$T/scenario_client -p "$port" -n 4 -i 50 -s 5 >/dev/null 2>&1
wait $server 2>/dev/null
sleep 2.5
kill -INT $recorder
wait $recorder
$FL report "$OUT/incident.rec"
$FL report "$OUT/incident.rec" --format html -o "$OUT/incident.html"
echo
echo "Files: $OUT/profile.svg, $OUT/incident.rec, $OUT/incident.html"
