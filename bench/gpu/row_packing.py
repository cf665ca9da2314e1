#!/usr/bin/env python3
"""How many union steps a packing of rows into 64-row blocks saves, on W1's
geometry (the real LiDAR scan at 0.05 m), against the key order's cuts (the
map's row order with SCN_RUNTIME_ROW_PACKING=key), from the CPU runtime's
neighbour tables (no GPU needed). The greedy over a whole level is a model
(see its cost below); the runtime packs within chunks of 256 rows
(runtime/lib/CPU/RowPacking.h, the same rules on the CPU and the GPU),
whose union steps the chunk table shows beside the model's.

A block of 64 rows (4 warps; one warpgroup on wgmma) runs every offset that
one of its rows has: its union steps bound both its matrix work and the
weights it copies (tile_occupancy.py's block table). The row order sorts
rows by a Gray code rank of their neighbour masks, so consecutive rows have
similar masks, and cuts the sorted rows into blocks wherever 64 falls. This
packs instead: every mask with at least 64 rows first fills whole blocks of
its own; then each further block starts from the remaining mask with the
fewest offsets (most rows on ties) and takes, while it has room, the rows
whose masks add the fewest offsets to its union (most rows, then most
offsets, first). Rows keep the row order's order inside a block, so its
16-row warps stay similar too. It runs over the distinct masks (31060 on
level 0), block by block: about 7 s in numpy here, far too slow to build
in every run (the GPU builds a row order in well under a millisecond);
what it shows is how far the sort's blocks are from a packing.

Chunked (`--chunks 256 512`): the same packing within each run of N
consecutive rows of the key's order (SCN_RUNTIME_ROW_PACKING=key and
SCN_RUNTIME_BLOCK_ORDER=key), the chunks independent of each other: the
form the runtime builds, a GPU warp a chunk. (The runtime takes the masks
a block's union holds in row order where this model takes the ones with
the most rows first: within 0.1% of each other at 256 rows.)

    /usr/bin/python3 bench/gpu/row_packing.py [--levels 0] [--chunks 256 512]
    /usr/bin/python3 bench/gpu/row_packing.py --strided --levels 0 1 2 3 --chunks 256
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tile_occupancy  # noqa: E402

BLOCK = 64


def bit_count(masks, bits):
    count = np.zeros(masks.shape, np.int64)
    for i in range(bits):
        count += ((masks >> np.uint64(i)) & np.uint64(1)).astype(np.int64)
    return count


def packed_blocks(masks, counts, bits):
    """[(block, distinct mask index, rows)]: the greedy packing above."""
    offsets = bit_count(masks, bits)
    left = counts.copy()
    out, block = [], 0
    for m in np.flatnonzero(left >= BLOCK):
        for _ in range(left[m] // BLOCK):
            out.append((block, m, BLOCK))
            block += 1
    left %= BLOCK
    while left.any():
        alive = np.flatnonzero(left)
        seed = alive[np.lexsort((-left[alive], offsets[alive]))[0]]
        union, room = masks[seed], BLOCK
        take = min(room, left[seed])
        left[seed] -= take
        room -= take
        out.append((block, seed, take))
        while room and left.any():
            alive = np.flatnonzero(left)
            added = bit_count(masks[alive] | union, bits) - bit_count(np.array([union]), bits)[0]
            least = added.min()
            ties = alive[added == least]
            for m in ties[np.lexsort((-offsets[ties], -left[ties]))]:
                take = min(room, left[m])
                left[m] -= take
                room -= take
                union |= masks[m]
                out.append((block, m, take))
                # A mask that added offsets changes what the others add.
                if not room or least:
                    break
        block += 1
    return out


def packed_order(table, order):
    """The rows of `table` packed into blocks (packed_blocks), each block's
    rows in the row order's order."""
    bits = table.shape[1]
    masks = ((table >= 0).astype(np.uint64) << np.arange(bits, dtype=np.uint64)).sum(
        axis=1, dtype=np.uint64)
    distinct, which, counts = np.unique(masks, return_inverse=True, return_counts=True)
    position = np.empty(len(order), np.int64)
    position[order] = np.arange(len(order))
    by_mask = order[np.argsort(which[order], kind="stable")]
    first = np.searchsorted(which[by_mask], np.arange(len(distinct)))
    used = np.zeros(len(distinct), np.int64)
    blocks = {}
    for block, m, rows in packed_blocks(distinct, counts, bits):
        start = first[m] + used[m]
        used[m] += rows
        blocks.setdefault(block, []).append(by_mask[start:start + rows])
    out = []
    for block in sorted(blocks):
        rows = np.concatenate(blocks[block])
        out.append(rows[np.argsort(position[rows], kind="stable")])
    packed = np.concatenate(out)
    assert len(packed) == len(order) and len(np.unique(packed)) == len(order)
    return packed, len(distinct)


def chunked_order(table, key_order, chunk):
    """packed_order within each run of `chunk` rows (a multiple of BLOCK)
    of `key_order`, the runs one after the other."""
    assert chunk % BLOCK == 0
    parts = []
    for start in range(0, len(key_order), chunk):
        rows = key_order[start:start + chunk]
        packed, _ = packed_order(table[rows], np.arange(len(rows)))
        parts.append(rows[packed])
    return np.concatenate(parts)


# The row order without the runtime's packing, its blocks in the key's order.
KEY_CUTS = {"SCN_RUNTIME_ROW_PACKING": "key", "SCN_RUNTIME_BLOCK_ORDER": "key"}


def chunk_table(lib, levels, chunks, strided=False):
    print()
    print("Packed within chunks of N rows of the key's order, union steps of 64-row "
          "blocks, against the key order's cuts; the runtime's row order (the default: "
          "packed within chunks of 256 rows, then its blocks heaviest first, which moves "
          "them whole) beside this model's."
          + (" Strided maps from each level to the next (which the runtime does not "
             "pack)." if strided else ""))
    print("| level | key cuts | runtime (chunks of 256) | "
          + " | ".join(f"model, chunks of {n}" for n in chunks)
          + " | 16-row tiles: key cuts | 16-row tiles: runtime |")
    print("|---|---|---|" + "---|" * len(chunks) + "---|---|")
    by_level = {level: order
                for level, _, order in tile_occupancy.w1_levels(lib, strided=strided)}
    for level, table, key_order in tile_occupancy.w1_levels(lib, KEY_CUTS, strided):
        if level not in levels:
            continue
        before = tile_occupancy.tile_steps(table[key_order], BLOCK)[0]
        runtime = tile_occupancy.tile_steps(table[by_level[level]], BLOCK)[0]
        cells = [f"{runtime} ({100 * (runtime / before - 1):+.1f}%)"]
        for n in chunks:
            after = tile_occupancy.tile_steps(table[chunked_order(table, key_order, n)],
                                              BLOCK)[0]
            cells.append(f"{after} ({100 * (after / before - 1):+.1f}%)")
        # mma.sync's warps of 16 rows, which the packing keeps in row order.
        warps = tile_occupancy.tile_steps(table[key_order], 16)[0]
        packed_warps = tile_occupancy.tile_steps(table[by_level[level]], 16)[0]
        cells += [str(warps), f"{packed_warps} ({100 * (packed_warps / warps - 1):+.1f}%)"]
        print(f"| {level} | {before} | " + " | ".join(cells) + " |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--levels", type=int, nargs="*", default=[0],
                   help="W1 levels to pack (0: W3's layer)")
    p.add_argument("--chunks", type=int, nargs="*", default=[],
                   help="also pack within chunks of these many rows (multiples of 64)")
    p.add_argument("--strided", action="store_true",
                   help="the chunk table alone, of the strided maps from level to level")
    a = p.parse_args()
    lib = tile_occupancy.runtime()
    if a.strided:
        chunk_table(lib, a.levels, a.chunks or [256], strided=True)
        return
    print("Union steps of blocks of R rows: the key order's cuts against the greedy packing "
          "of a whole level into 64-row blocks (row_packing.py), and the bound of the "
          "neighbour pairs over R (every block's rows with the same offsets).")
    print("| level | sites | distinct masks | R | key cuts | packed | change | pairs / R |")
    print("|---|---|---|---|---|---|---|---|")
    for level, table, order in tile_occupancy.w1_levels(lib, KEY_CUTS):
        if level not in a.levels:
            continue
        start = time.perf_counter()
        packed, distinct = packed_order(table, order)
        seconds = time.perf_counter() - start
        pairs = int((table >= 0).sum())
        for rows in (16, 32, 64, 128):
            before = tile_occupancy.tile_steps(table[order], rows)[0]
            after = tile_occupancy.tile_steps(table[packed], rows)[0]
            print(f"| {level} | {len(table)} | {distinct} | {rows} | {before} | {after} | "
                  f"{100 * (after / before - 1):+.1f}% | {pairs / rows:.0f} |")
        print(f"(level {level}: packed in {seconds:.1f} s)", file=sys.stderr)
    if a.chunks:
        chunk_table(lib, a.levels, a.chunks)


if __name__ == "__main__":
    main()
