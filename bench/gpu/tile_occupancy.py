#!/usr/bin/env python3
"""How much of a tensor-core warp's work is real on W1's geometry (the real
LiDAR scan at 0.05 m), for every level of its UNet pyramid, from the CPU
runtime's neighbour tables (libscn_runtime through ctypes; no GPU needed).

A tensor-core warp (TensorCoreLowering.cpp) takes 16 output rows and walks
the 27 offsets of a 3x3x3 submanifold convolution; an offset that none of
its 16 rows has is skipped by a warp vote. Per level, for tiles of 16
consecutive rows in three orders: the sites' own order, the rows sorted by
their plain neighbour mask (bit k for offset k; the runtime's row order
before 2026-11-27), and the map's row order (scn_kmap_get_row_order: a Gray
code rank of the mask with the offsets far from the centre as high bits,
then whole 64-row blocks heaviest first, which keeps every 16-row tile;
runtime/lib/CPU/RowOrderKey.h; what the kernel uses), this prints:
- the share of (16-row tile, offset) steps the warp runs (not skipped);
- the share of the rows of those steps that have a neighbour, i.e. the
  useful part of each mma (the rest multiplies zeros);
then, on level 0 (W3's layer), the union steps of block-weight blocks of
16 to 256 rows and the weights they copy.

    /usr/bin/python3 bench/gpu/tile_occupancy.py
"""

import contextlib
import ctypes
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))
import point_clouds  # noqa: E402

SCN_KMAP_SUBMANIFOLD = 0
SCN_KMAP_STRIDED = 1
SCN_INDEX_INT64 = 1
TILE = 16


class KmapInfo(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int32), ("dim", ctypes.c_int32),
                ("volume", ctypes.c_int64), ("num_in", ctypes.c_int64),
                ("num_out", ctypes.c_int64), ("num_pairs", ctypes.c_int64),
                ("filter", ctypes.POINTER(ctypes.c_int64)),
                ("stride", ctypes.POINTER(ctypes.c_int64)),
                ("neighbors", ctypes.POINTER(ctypes.c_int32)),
                ("pair_offsets", ctypes.POINTER(ctypes.c_int64)),
                ("pair_in_rows", ctypes.POINTER(ctypes.c_int32)),
                ("pair_out_rows", ctypes.POINTER(ctypes.c_int32))]


def runtime():
    lib = ctypes.CDLL(os.path.join(BUILD, "lib", "libscn_runtime.so"))
    lib.scn_last_error_message.restype = ctypes.c_char_p
    return lib


def check(lib, status):
    if status != 0:
        raise RuntimeError(lib.scn_last_error_message().decode())


@contextlib.contextmanager
def runtime_environment(variables):
    """The environment with `variables` (name: value, None: unset) while
    the block runs, for the runtime's choices that it reads when it builds
    (SCN_RUNTIME_ROW_ORDER, SCN_RUNTIME_BLOCK_ORDER); then as before."""
    saved = {name: os.environ.pop(name, None) for name in variables}
    for name, value in variables.items():
        if value is not None:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def submanifold_row_order(lib, coords, size, choice=None, block_order=None, packing=None):
    """The runtime's row order (scn_kmap_get_row_order) of the 3^dim
    submanifold map of the mode-0 input set of `coords` [n, dim + 1] on a
    grid of `size`, with SCN_RUNTIME_ROW_ORDER=`choice`,
    SCN_RUNTIME_BLOCK_ORDER=`block_order` and
    SCN_RUNTIME_ROW_PACKING=`packing` (None: unset, the default)."""
    dim = len(size)
    grid = (ctypes.c_int64 * dim)(*size)
    rows = np.ascontiguousarray(coords, np.int64)
    sites, kmap = ctypes.c_void_p(), ctypes.c_void_p()
    variables = {"SCN_RUNTIME_ROW_ORDER": choice, "SCN_RUNTIME_BLOCK_ORDER": block_order,
                 "SCN_RUNTIME_ROW_PACKING": packing}
    try:
        check(lib, lib.scn_sites_from_coords(dim, grid, rows.ctypes.data_as(ctypes.c_void_p),
                                             SCN_INDEX_INT64, ctypes.c_int64(len(rows)),
                                             ctypes.c_int64(dim + 1), 0, ctypes.c_int64(1),
                                             ctypes.byref(sites)))
        three = (ctypes.c_int64 * dim)(*[3] * dim)
        check(lib, lib.scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, three, None,
                                      ctypes.byref(kmap)))
        order = ctypes.POINTER(ctypes.c_int32)()
        with runtime_environment(variables):
            check(lib, lib.scn_kmap_get_row_order(kmap, ctypes.byref(order)))
        return np.ctypeslib.as_array(order, (len(rows),)).copy()
    finally:
        lib.scn_kmap_free(kmap)
        lib.scn_sites_free(sites)


def w1_levels(lib, variables=None, strided=False):
    """(level, neighbour table [rows, 27] in site order, row order) of the
    3x3x3 submanifold map of each of W1's five levels (the real scan at
    0.05 m, its input set in mode 4, then 2x2x2 downsampling), the row
    order built with the environment `variables` (runtime_environment; None:
    as it is). `strided`: instead, the 2x2x2 strided map from each level to
    the next (levels 0-3, tables [rows of the next level, 8]). The arrays
    are copies."""
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    sites = ctypes.c_void_p()
    rows = np.ascontiguousarray(coords, np.int64)
    check(lib, lib.scn_sites_from_coords(3, (ctypes.c_int64 * 3)(*size),
                                         rows.ctypes.data_as(ctypes.c_void_p),
                                         SCN_INDEX_INT64, ctypes.c_int64(len(rows)),
                                         ctypes.c_int64(4), 4, ctypes.c_int64(1),
                                         ctypes.byref(sites)))
    three = (ctypes.c_int64 * 3)(3, 3, 3)
    two = (ctypes.c_int64 * 3)(2, 2, 2)
    try:
        for level in range(4 if strided else 5):
            down = ctypes.c_void_p()
            if level < 4:
                check(lib, lib.scn_sites_downsample(sites, two, two, ctypes.byref(down)))
            kmap = ctypes.c_void_p()
            if strided:
                check(lib, lib.scn_kmap_build(SCN_KMAP_STRIDED, sites, down, two, two,
                                              ctypes.byref(kmap)))
            else:
                check(lib, lib.scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, three, None,
                                              ctypes.byref(kmap)))
            try:
                info = KmapInfo()
                check(lib, lib.scn_kmap_get_info(kmap, ctypes.byref(info)))
                table = np.ctypeslib.as_array(info.neighbors, (info.num_out, info.volume))
                order = ctypes.POINTER(ctypes.c_int32)()
                with runtime_environment(variables or {}):
                    check(lib, lib.scn_kmap_get_row_order(kmap, ctypes.byref(order)))
                order = np.ctypeslib.as_array(order, (info.num_out,))
                yield level, table.copy(), order.copy()
            finally:
                lib.scn_kmap_free(kmap)
            if level < 4:
                lib.scn_sites_free(sites)
                sites = down
    finally:
        lib.scn_sites_free(sites)


def tile_steps(table, tile=TILE):
    """(tile steps run, all tile steps, rows with a neighbour in the steps
    run) of a neighbour table [rows, 27] in tiles of `tile` rows."""
    rows, volume = table.shape
    padded = np.full((-(-rows // tile) * tile, volume), -1, np.int32)
    padded[:rows] = table
    has = (padded >= 0).reshape(-1, tile, volume)
    run = has.any(axis=1)              # [tiles, 27]: the warp vote / block union
    return int(run.sum()), run.size, int(has.sum())


def occupancy(table, tile=TILE):
    """(share of tile steps run, share of useful rows in them) of a
    neighbour table [rows, 27] in tiles of `tile` rows."""
    steps, total, useful = tile_steps(table, tile)
    return steps / total, useful / (steps * tile)


def block_weight_table(table):
    """Block weights on W3's layer (level 0, rows in the map's row order): a
    block of `rows` rows copies each offset of its union once, so the
    weights that cross L2 are union steps x input x output channels x 2
    bytes (f16) per column tile: 64 x 64 for C64, 128 x 128 for C128 at
    128 columns; 4 warps of 16 rows are 64 rows, 8 warps 128."""
    pairs = int((table >= 0).sum())
    print()
    print("Block weights on level 0 (W3's layer): union steps of blocks of R rows, "
          "their useful rows, and the f16 weights copied per run. Neighbour pairs: "
          f"{pairs}, whose gathered f16 rows are {pairs * 64 * 2 / 1e6:.0f} MB at C64 and "
          f"{pairs * 128 * 2 / 1e6:.0f} MB at C128.")
    print("| rows a block | union steps | useful rows | weights C64 MB | "
          "weights C128 (128 columns) MB |")
    print("|---|---|---|---|---|")
    for rows in (16, 32, 64, 128, 256):
        steps, _, useful = tile_steps(table, rows)
        print(f"| {rows} | {steps} | {100 * useful / (steps * rows):.1f}% | "
              f"{steps * 64 * 64 * 2 / 1e6:.0f} | {steps * 128 * 128 * 2 / 1e6:.0f} |")


def main():
    lib = runtime()
    print("| level | sites | steps run, site order | useful rows, site order | "
          "steps run, mask order | useful rows, mask order | "
          "steps run, row order | useful rows, row order |")
    print("|---|---|---|---|---|---|---|---|")
    for level, table, order in w1_levels(lib):
        masks = ((table >= 0).astype(np.int64) << np.arange(table.shape[1])).sum(axis=1)
        by_mask = np.argsort(masks, kind="stable")
        cells = [occupancy(table), occupancy(table[by_mask]), occupancy(table[order])]
        if level == 0:
            level0 = table[order]
        print(f"| {level} | {len(table)} | "
              + " | ".join(f"{100 * run:.1f}% | {100 * useful:.1f}%" for run, useful in cells)
              + " |")
    block_weight_table(level0)


if __name__ == "__main__":
    main()
