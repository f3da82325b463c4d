#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Samples, distinct stacks, and the share of the workload's samples whose stack is whole.

  whole.py folded|perf FILE

FILE is faultline's folded output, or `perf script -F comm,ip,sym` output.
A stack of cpu_ratio_nofp or xz is whole when it reaches main or libc's
__libc_start_call_main (xz is stripped: its main has no name) other than as
the leaf. Prints: total samples, distinct stacks, % whole of cpu_ratio_nofp,
% whole of xz.
"""
import sys

WORKLOAD = ("cpu_ratio_nofp", "xz")


def whole(frames):
    """frames root first"""
    return "main" in frames or "__libc_start_call_main" in frames[:-1]


def folded(path):
    for line in open(path, errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        f = stack.split(";")
        yield f[0], f[1:], int(n)


def perf(path):
    comm, frames = None, []
    for line in open(path, errors="replace"):
        if not line.strip():
            if comm is not None:
                yield comm, frames[::-1], 1
            comm, frames = None, []
        elif not line[0].isspace():
            if comm is not None:
                yield comm, frames[::-1], 1
            comm, frames = line.split()[0], []
        else:
            parts = line.split(None, 1)
            frames.append(parts[1].strip().split("+0x")[0] if len(parts) > 1 else "[unknown]")
    if comm is not None:
        yield comm, frames[::-1], 1


def main():
    total, tot, ok, distinct = 0, {}, {}, set()
    for comm, frames, n in (folded if sys.argv[1] == "folded" else perf)(sys.argv[2]):
        total += n
        distinct.add((comm, tuple(frames)))
        if comm in WORKLOAD:
            tot[comm] = tot.get(comm, 0) + n
            if whole(frames):
                ok[comm] = ok.get(comm, 0) + n
    pct = [100 * ok.get(c, 0) / tot[c] if tot.get(c) else 0 for c in WORKLOAD]
    print(total, len(distinct), f"{pct[0]:.1f}", f"{pct[1]:.1f}")


main()
