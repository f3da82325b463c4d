# SPDX-License-Identifier: GPL-2.0
"""Helpers for the watch integration tests: read JSON Lines, name stack frames.

Frames carry a symbol when the symbolizer resolved one; otherwise the address
is resolved here from the process's /proc/PID/maps (captured by the test while
the process lived) and the executable's symbol table (nm), so a stack can be
checked for a function name either way.
"""
import bisect
import json
import os
import subprocess
import sys


def die(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def load_events(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                die(f"{path}:{n}: not JSON ({e}): {line[:200]}")
    return out


def _maps(path, exe):
    real = os.path.realpath(exe)
    spans = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and os.path.realpath(parts[5]) == real:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                spans.append((lo, hi, int(parts[2], 16)))
    return spans


def _load_segments(exe):
    segs = []
    out = subprocess.run(["readelf", "-lW", exe], capture_output=True, text=True).stdout
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segs.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))  # off, vaddr, filesz
    return segs


def _symbols(exe):
    out = subprocess.run(["nm", "-n", "--defined-only", exe], capture_output=True,
                         text=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "tTwW":
            syms.append((int(p[0], 16), p[2]))
    return syms


def stack_names(frames, maps_path=None, exe=None):
    """Function names of @frames, leaf first; None for what cannot be named."""
    spans = _maps(maps_path, exe) if maps_path and exe else []
    segs = _load_segments(exe) if spans else []
    syms = _symbols(exe) if spans else []
    addrs = [s[0] for s in syms]
    names = []
    for i, fr in enumerate(frames):
        if fr.get("symbol"):
            names.append(fr["symbol"])
            continue
        # A return address can be the first byte after its caller: look one back.
        addr, name = int(fr["addr"], 16) - (1 if i else 0), None
        for lo, hi, pgoff in spans:
            if lo <= addr < hi:
                off = addr - lo + pgoff
                for soff, vaddr, size in segs:
                    if soff <= off < soff + size:
                        j = bisect.bisect_right(addrs, vaddr + off - soff) - 1
                        name = syms[j][1] if j >= 0 else None
        names.append(name)
    return names
