#!/usr/bin/env python3
"""What the order in which the GPU starts a tensor-core convolution's blocks
does to its last wave, on W1's geometry (the real LiDAR scan at 0.05 m),
from the CPU runtime's neighbour tables and row orders (no GPU needed).

A block of 4 warps takes 64 rows of the map's row order and runs the union
of their offsets (block weights; with weights in global memory each warp
runs its own, and the block ends with its slowest warp). The row-order key
(RowOrderKey.h) ranks masks with the offsets far from the centre as high
bits, so in key order the union grows along the rows and the last blocks
are the heaviest. The GPU starts blocks in index order as resident slots
free up, so in key order the heaviest blocks come last, and the last wave
runs them on a few SMs while the rest idle (ncu on W3 C64 wgmma,
2026-11-28: SMs active 83% of the kernel's cycles, 4.1 waves). Since
2026-11-28 the runtime sorts the key order's whole blocks heaviest first
(SCN_RUNTIME_BLOCK_ORDER=key keeps the key order).

The model: each of `SMs x blocks a SM` slots runs one block at a time, and a
block takes `prologue + union steps` (a latency-bound kernel: a block's time
is its own chain of steps, not a share of the SM's issue rate). With the
prologue at a quarter of the mean block, the key order's SMs are active
83.5% of the modelled time, as ncu measured. It prints, per W1 level, the
union steps by tenth of the blocks in key order and the modelled kernel
time in key order and in the runtime's order (heaviest first), against the
ideal of equal slots (sum / slots), and the union steps of blocks of 128
rows (8 warps), which pair blocks that are no longer neighbours in the key.
A model: the GPU check measures the kernels.

    /usr/bin/python3 bench/gpu/block_order.py [--sms 132] [--blocks-per-sm 5]
"""

import argparse
import heapq
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
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


def level_tables(block_order):
    """(level, neighbour table in the runtime's row order with
    SCN_RUNTIME_BLOCK_ORDER=`block_order`) of W1's five levels."""
    lib = tile_occupancy.runtime()
    for level, table, order in tile_occupancy.w1_levels(
            lib, {"SCN_RUNTIME_BLOCK_ORDER": block_order}):
        yield level, table[order]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sms", type=int, default=132, help="H100 SXM and H200: 132")
    p.add_argument("--blocks-per-sm", type=int, default=5,
                   help="resident blocks an SM (W3 C64 wgmma at 95 registers: 5)")
    a = p.parse_args()
    if a.sms < 1 or a.blocks_per_sm < 1:
        p.error(f"--sms {a.sms} and --blocks-per-sm {a.blocks_per_sm} must be at least 1")
    slots = a.sms * a.blocks_per_sm
    print(f"Blocks of {ROWS_A_BLOCK} rows, {slots} slots ({a.sms} SMs x {a.blocks_per_sm}); "
          "times in union steps, the prologue a quarter of the mean block.")
    print("| level | blocks | union steps by tenth of the blocks, key order | key order | "
          "heaviest first | ideal | key / heaviest | union steps of 128 rows, key order | "
          "heaviest first |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (level, keyed), (_, heaviest) in zip(level_tables("key"), level_tables("heaviest")):
        steps, runtime_steps = block_steps(keyed), block_steps(heaviest)
        assert sorted(steps) == sorted(runtime_steps)  # the same blocks, reordered
        prologue = 0.25 * steps.mean()
        key_time = schedule(prologue + steps, slots)
        heaviest_time = schedule(prologue + runtime_steps, slots)
        ideal = (prologue + steps).sum() / slots
        profile = " ".join(f"{t.mean():.1f}" for t in np.array_split(steps, 10))
        print(f"| {level} | {len(steps)} | {profile} | {key_time:.1f} | {heaviest_time:.1f} | "
              f"{ideal:.1f} | {key_time / heaviest_time:.2f} | "
              f"{block_steps(keyed, 128).sum()} | {block_steps(heaviest, 128).sum()} |")


if __name__ == "__main__":
    main()
