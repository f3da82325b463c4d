#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare user stacks from faultline's folded output and `perf script`.

  stacks.py FOLDED PERF_SCRIPT_OUTPUT [COMM]

PERF_SCRIPT_OUTPUT is `perf script -F comm,ip,sym --no-inline`. Both sides
are reduced to native user frames (kernel and Python `py:` frames, which
perf does not show, dropped), symbol versions
(`@@GLIBC_2.34`) stripped, unnamed frames (`[unknown]`, `module+0xoff`)
made equal, and compared as distributions: agreement is the
share of samples whose folded stack is matched by the other profiler's
(sum over stacks of the smaller of the two shares). Prints one JSON object.
"""
import collections
import json
import re
import sys


def norm(frame):
    """Symbol versions stripped; a frame neither tool can name is "?" on both sides."""
    if frame == "[unknown]" or re.fullmatch(r"\S+\+0x[0-9a-f]+", frame):
        return "?"
    return re.sub(r"@.*$", "", frame)


def read_folded(path, comm):
    stacks = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        frames = stack.split(";")
        if comm and frames[0] != comm:
            continue
        user = [norm(f) for f in frames[1:]
                if not f.endswith("_[k]") and not f.startswith("py:")]
        stacks[";".join(user)] += int(count)
    return stacks


def read_perf(path, comm):
    stacks = collections.Counter()
    cur_comm, frames = None, []

    def flush():
        if cur_comm is not None and (not comm or cur_comm == comm):
            stacks[";".join(reversed(frames))] += 1

    for line in open(path, errors="replace"):
        if not line.strip():
            flush()
            cur_comm, frames = None, []
        elif not line[0].isspace():
            flush()
            cur_comm, frames = line.split()[0], []
        else:
            parts = line.split(None, 1)
            if parts[0].startswith("ffffffff"):
                continue
            frames.append(norm(parts[1].strip()) if len(parts) > 1 else "[unknown]")
    flush()
    return stacks


def main():
    comm = sys.argv[3] if len(sys.argv) > 3 else None
    ours, perf = read_folded(sys.argv[1], comm), read_perf(sys.argv[2], comm)
    n_ours, n_perf = sum(ours.values()), sum(perf.values())
    agree = 0.0
    if n_ours and n_perf:
        agree = sum(min(ours[s] / n_ours, perf[s] / n_perf) for s in ours)
    top = lambda c: c.most_common(1)[0][0] if c else ""
    print(json.dumps({
        "faultline_samples": n_ours, "perf_samples": n_perf,
        "agreement": round(agree, 4),
        "faultline_top": top(ours), "perf_top": top(perf),
    }))


main()
