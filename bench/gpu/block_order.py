#!/usr/bin/env python3
"""What the order in which the GPU starts a tensor-core convolution's blocks
does to its last wave, on W1's geometry (the real LiDAR scan at 0.05 m),
from the CPU runtime's neighbour tables (no GPU needed).

A block of 4 warps takes 64 rows of the map's row order and runs the union
of their offsets (block weights; with weights in global memory each warp
runs its own, the block ends with its slowest warp). The row order ranks
masks with the offsets far from the centre as high bits, so the union
grows along the rows: the last blocks are the heaviest. The GPU starts
blocks in index order as resident slots free up, so in the sites' order
the heaviest blocks arrive last and the last wave runs them on a few SMs
while the rest idle (ncu, W3 C64 wgmma, 2026-11-28: SM active cycles 83% of
the elapsed cycles, 4.1 waves).

The model: each of `SMs x blocks a SM` slots runs one block at a time, and a
block takes `prologue + union steps` (a latency-bound kernel: a block's
time is its own chain of steps, not a share of the SM's issue rate). It
prints, per workload level, the union steps by tenth of the blocks and the
modelled kernel time in the index order, in reverse (what the kernel runs
since 2026-11-28), and heaviest first (sorted), against the ideal of equal
slots (sum / slots). It is a model; the GPU check measures the kernel.

    /usr/bin/python3 bench/gpu/block_order.py [--sms 132] [--blocks-per-sm 5]
"""

import argparse
import ctypes
import heapq
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))
import point_clouds  # noqa: E402
import tile_occupancy  # noqa: E402

ROWS_A_BLOCK = 64


def block_steps(table, rows=ROWS_A_BLOCK):
    """Union steps of each block of `rows` consecutive rows of `table`
    [rows, volume] (rows already in the map's row order)."""
    n, volume = table.shape
    padded = np.full((-(-n // rows) * rows, volume), -1, np.int32)
    padded[:n] = table
    return (padded >= 0).reshape(-1, rows, volume).any(axis=1).sum(axis=1)


def schedule(durations, slots):
    """The end of a list schedule: blocks start in order on the first free
    slot."""
    free = [0.0] * slots
    end = 0.0
    for d in durations:
        start = heapq.heappop(free)
        end = max(end, start + d)
        heapq.heappush(free, start + d)
    return end


def orders(steps, prologue, slots):
    """Modelled times (index order, reversed, heaviest first) and the ideal."""
    d = prologue + steps.astype(float)
    return (schedule(d, slots), schedule(d[::-1], slots), schedule(np.sort(d)[::-1], slots),
            d.sum() / slots)


def level_tables():
    """(level, neighbour table in row order) of W1's five levels."""
    lib = tile_occupancy.runtime()
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    sites = ctypes.c_void_p()
    rows = np.ascontiguousarray(coords, np.int64)
    tile_occupancy.check(lib, lib.scn_sites_from_coords(
        3, (ctypes.c_int64 * 3)(*size), rows.ctypes.data_as(ctypes.c_void_p),
        tile_occupancy.SCN_INDEX_INT64, ctypes.c_int64(len(rows)), ctypes.c_int64(4), 4,
        ctypes.c_int64(1), ctypes.byref(sites)))
    three, two = (ctypes.c_int64 * 3)(3, 3, 3), (ctypes.c_int64 * 3)(2, 2, 2)
    try:
        for level in range(5):
            kmap = ctypes.c_void_p()
            tile_occupancy.check(lib, lib.scn_kmap_build(
                tile_occupancy.SCN_KMAP_SUBMANIFOLD, sites, sites, three, None,
                ctypes.byref(kmap)))
            try:
                info = tile_occupancy.KmapInfo()
                tile_occupancy.check(lib, lib.scn_kmap_get_info(kmap, ctypes.byref(info)))
                table = np.ctypeslib.as_array(info.neighbors, (info.num_out, info.volume))
                order = ctypes.POINTER(ctypes.c_int32)()
                tile_occupancy.check(lib, lib.scn_kmap_get_row_order(kmap, ctypes.byref(order)))
                order = np.ctypeslib.as_array(order, (info.num_out,))
                yield level, table[order].copy()
            finally:
                lib.scn_kmap_free(kmap)
            if level < 4:
                down = ctypes.c_void_p()
                tile_occupancy.check(lib, lib.scn_sites_downsample(sites, two, two,
                                                                   ctypes.byref(down)))
                lib.scn_sites_free(sites)
                sites = down
    finally:
        lib.scn_sites_free(sites)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sms", type=int, default=132, help="H100 SXM and H200: 132")
    p.add_argument("--blocks-per-sm", type=int, default=5,
                   help="resident blocks an SM (W3 C64 wgmma at 95 registers: 5)")
    a = p.parse_args()
    slots = a.sms * a.blocks_per_sm
    print(f"Blocks of {ROWS_A_BLOCK} rows in the map's row order, {slots} slots "
          f"({a.sms} SMs x {a.blocks_per_sm}); times in union steps.")
    print("| level | blocks | union steps by tenth of the blocks | prologue | index order | "
          "reversed | heaviest first | ideal | index / reversed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for level, table in level_tables():
        steps = block_steps(table)
        tenths = np.array_split(steps, 10)
        profile = " ".join(f"{t.mean():.1f}" for t in tenths)
        for share in (0.25, 0.5):
            prologue = share * steps.mean()
            forward, backward, heaviest, ideal = orders(steps, prologue, slots)
            print(f"| {level} | {len(steps)} | {profile} | {share:.2f} x mean | {forward:.1f} | "
                  f"{backward:.1f} | {heaviest:.1f} | {ideal:.1f} | {forward / backward:.2f} |")


if __name__ == "__main__":
    main()
