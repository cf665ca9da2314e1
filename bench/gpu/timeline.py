#!/usr/bin/env python3
"""Sums up an SCN_GPU_PROFILE_TIMELINE file (runtime/lib/CUDA/KernelProfile.cpp):
every kernel, copy and geometry call of a profiled process as CSV rows
(label, start_ms, stop_ms, from the first span). The question it answers
for a network whose maps are built in every run: did the GPU build the maps
beside the layers, or did the layers wait for them?

A run starts at each input set's build (a "geometry scn_gpu_sites_from_coords"
or "... from_bl_coords" row; the whole file is one run without one). Per run:

    span       first start to last stop
    first      when the first tensor-core convolution started
    geometry   the union of the geometry calls' spans (a call's span runs
               from its stream reaching its first work to its last, waits
               for SMs included)
    kernels    the union of the other rows (kernels and copies)
    beside     geometry and kernels at once
    idle       neither

Runs anywhere:

    /usr/bin/python3 bench/gpu/timeline.py TIMELINE.csv [...]
"""

import csv
import statistics
import sys

GEOMETRY = "geometry "
RUN_STARTS = ("geometry scn_gpu_sites_from_coords", "geometry scn_gpu_sites_from_bl_coords")
FIELDS = ("span", "first", "geometry", "kernels", "beside", "idle")


def read(path):
    """[(label, start, stop)] sorted by start."""
    with open(path, newline="") as f:
        rows = [(r["label"], float(r["start_ms"]), float(r["stop_ms"]))
                for r in csv.DictReader(f)]
    return sorted(rows, key=lambda r: r[1])


def union(intervals):
    """Disjoint, sorted intervals covering `intervals`."""
    merged = []
    for start, stop in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return merged


def length(intervals):
    return sum(stop - start for start, stop in intervals)


def intersection(a, b):
    """Length of the overlap of two disjoint, sorted interval lists."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0.0, high - low)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def runs(rows):
    """The rows split where each run's input set is built."""
    starts = [i for i, r in enumerate(rows) if r[0].startswith(RUN_STARTS)]
    if not starts:
        return [rows] if rows else []
    bounds = starts + [len(rows)]
    return [rows[bounds[k]:bounds[k + 1]] for k in range(len(starts))]


def summarize_run(rows):
    """FIELDS of one run, in ms (first: None without a tensor-core conv)."""
    begin = min(r[1] for r in rows)
    end = max(r[2] for r in rows)
    geometry = union([(r[1], r[2]) for r in rows if r[0].startswith(GEOMETRY)])
    kernels = union([(r[1], r[2]) for r in rows if not r[0].startswith(GEOMETRY)])
    first = next((r[1] - begin for r in rows if r[0].startswith("tensor_core_conv")), None)
    busy = length(union([(r[1], r[2]) for r in rows]))
    return {"span": end - begin, "first": first, "geometry": length(geometry),
            "kernels": length(kernels), "beside": intersection(geometry, kernels),
            "idle": (end - begin) - busy}


def summarize(path):
    """Median of each field over the file's runs, and the number of runs."""
    per_run = [summarize_run(r) for r in runs(read(path))]
    medians = {}
    for field in FIELDS:
        values = [s[field] for s in per_run if s[field] is not None]
        medians[field] = statistics.median(values) if values else None
    return medians, len(per_run)


def cells(medians):
    return ["-" if medians[f] is None else f"{medians[f]:.3f}" for f in FIELDS]


def main(paths):
    print("| timeline | runs | " + " | ".join(f"{f} ms" for f in FIELDS) + " |")
    print("|---" * (len(FIELDS) + 2) + "|")
    for path in paths:
        medians, count = summarize(path)
        print(f"| {path} | {count} | " + " | ".join(cells(medians)) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
