#!/usr/bin/env python3
"""Where a kernel's warps stall, instruction by instruction: a summary of
Nsight Compute's source page (SASS, with the WarpStateStats and
SourceCounters sections collected), small enough to come back from a
device call where the CSV (300 KB a kernel) would not.

    ncu --import report.ncu-rep --page source --print-source sass --csv > k.csv
    python3 bench/gpu/sass_hotspots.py k.csv [--top 25]

Prints the instructions executed, the stall samples by opcode and by
reason, and the instructions with the most samples with their two main
reasons. On the H200 (2026-11-27) this view of W3 C64's tensor-core
convolution showed a 64-bit remainder by a kernel parameter in the offset
loop: the kernels' constants were arguments (bench/gpu/README.md)."""

import argparse
import collections
import csv
import sys

SAMPLES = "Warp Stall Sampling (All Samples)"
EXECUTED = "Instructions Executed"


def number(text):
    """A count of the CSV ("1,234"; empty or "N/A": 0)."""
    text = text.replace(",", "")
    return int(text) if text.isdigit() else 0


def opcode(source):
    """The opcode of a SASS line without predicate and modifiers:
    "@!P2 LDG.E.128 R8, ..." -> "LDG"."""
    words = source.split()
    if not words:
        return "?"
    word = words[1] if words[0].startswith("@") and len(words) > 1 else words[0]
    return word.split(".")[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("csv")
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args()
    rows = list(csv.reader(open(a.csv)))
    # The first row names the kernel; the second is the header.
    start = next((i for i, r in enumerate(rows) if SAMPLES in r), None)
    if start is None:
        sys.exit(f"{a.csv}: no column '{SAMPLES}' (export the source page of a report "
                 "taken with --section WarpStateStats --section SourceCounters)")
    header, data = rows[start], rows[start + 1:]
    at = {h: i for i, h in enumerate(header)}
    missing = [c for c in ("Source", EXECUTED) if c not in at]
    if missing:
        sys.exit(f"{a.csv}: no column {', '.join(repr(c) for c in missing)} on the source page")
    data = [r for r in data if len(r) == len(header)]
    total = sum(number(r[at[SAMPLES]]) for r in data) or 1
    print(f"{rows[0][1] if len(rows[0]) > 1 else ''}: {sum(number(r[at[EXECUTED]]) for r in data)} "
          f"warp instructions executed, {total} stall samples")
    samples, executed = collections.Counter(), collections.Counter()
    for r in data:
        samples[opcode(r[at["Source"]])] += number(r[at[SAMPLES]])
        executed[opcode(r[at["Source"]])] += number(r[at[EXECUTED]])
    print("by opcode (share of samples, instructions executed):")
    for op, s in samples.most_common(a.top):
        print(f"  {op:10s} {100 * s / total:5.1f}%  {executed[op]:>12d}")
    reasons = [h for h in header if h.startswith("stall_") and "Not Issued" not in h]
    by_reason = {h[len("stall_"):]: sum(number(r[at[h]]) for r in data) for h in reasons}
    print("stall reasons: " + ", ".join(
        f"{h} {100 * v / total:.1f}%" for h, v in sorted(by_reason.items(), key=lambda x: -x[1])
        if v))
    print(f"the {a.top} instructions with the most samples (address, share, executed, "
          "SASS, main reasons):")
    for r in sorted(data, key=lambda r: -number(r[at[SAMPLES]]))[:a.top]:
        why = sorted(((number(r[at[h]]), h[len("stall_"):]) for h in reasons), reverse=True)[:2]
        print(f"  {r[at['Address']][-5:]} {100 * number(r[at[SAMPLES]]) / total:5.1f}% "
              f"{number(r[at[EXECUTED]]):>9d} {r[at['Source']].strip()[:64]:64s} "
              + ", ".join(f"{w} {n}" for n, w in why if n))


if __name__ == "__main__":
    main()
