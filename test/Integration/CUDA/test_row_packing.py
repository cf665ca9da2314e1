"""bench/gpu/row_packing.py, the model of packing rows into 64-row blocks:
every row lands in exactly one block, blocks hold 64 rows but the last, a
mask of 64 rows or more fills blocks of its own, and the packing runs fewer
union steps than cuts of the sorted rows where rows have few offsets."""

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
import row_packing  # noqa: E402


def union_steps(table, order, rows=64):
    has = np.zeros((-(-len(order) // rows) * rows, table.shape[1]), bool)
    has[:len(order)] = table[order] >= 0
    return int(has.reshape(-1, rows, table.shape[1]).any(axis=1).sum())


def table_of(masks, bits):
    """A neighbour table whose row i has offset k when bit k of masks[i] is set."""
    return np.where((np.array(masks)[:, None] >> np.arange(bits)) & 1, 0, -1).astype(np.int32)


def test_packing_beats_the_sorted_cuts_on_few_offsets_a_row():
    # Rows with offset 0 and one or two of 6 more (as a LiDAR surface's
    # rows have few neighbours): 64-row cuts of the rows sorted by mask
    # against the packing, over three draws.
    for seed in range(3):
        rng = np.random.default_rng(seed)
        masks = np.array([1 | (1 << int(rng.integers(0, 6)))
                          | ((1 << int(rng.integers(0, 6))) if rng.random() < 0.5 else 0)
                          for _ in range(1000)])
        table = table_of(masks, 6)
        by_mask = np.argsort(masks, kind="stable")
        packed, _ = row_packing.packed_order(table, by_mask)
        assert union_steps(table, packed) < union_steps(table, by_mask), seed


def test_a_mask_of_a_block_or_more_fills_blocks_of_its_own():
    masks = [0b111] * 130 + [0b001] * 30 + [0b010] * 30
    blocks = row_packing.packed_blocks(*np.unique(np.array(masks, np.uint64),
                                                  return_counts=True), 3)
    own = [(block, rows) for block, m, rows in blocks if m == 2 and rows == 64]
    assert len(own) == 2, blocks


def test_every_row_once_and_full_blocks_but_the_last():
    rng = np.random.default_rng(5)
    masks = rng.integers(1, 1 << 6, 1000)
    table = table_of(masks, 6)
    order = np.argsort(masks, kind="stable")
    blocks = row_packing.packed_blocks(*np.unique(masks.astype(np.uint64), return_counts=True),
                                       6)
    sizes = {}
    for block, _, rows in blocks:
        sizes[block] = sizes.get(block, 0) + rows
    assert sum(sizes.values()) == 1000
    assert all(sizes[b] == 64 for b in sorted(sizes)[:-1]), sizes
    packed, _ = row_packing.packed_order(table, order)
    assert sorted(packed.tolist()) == list(range(1000))
    assert union_steps(table, packed) <= union_steps(table, order)


def test_chunks_pack_each_run_of_the_order_on_its_own():
    rng = np.random.default_rng(9)
    masks = rng.integers(1, 1 << 6, 640)
    table = table_of(masks, 6)
    order = np.argsort(masks, kind="stable")
    chunked = row_packing.chunked_order(table, order, 128)
    assert sorted(chunked.tolist()) == list(range(640))
    # Every chunk keeps its own rows.
    for start in range(0, 640, 128):
        assert sorted(chunked[start:start + 128].tolist()) == \
            sorted(order[start:start + 128].tolist())
    assert union_steps(table, chunked) <= union_steps(table, order)

