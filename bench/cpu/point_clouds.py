"""Real scans for the CPU benchmarks: loading, voxelisation, FLOP counts.

kitti-lidar-scan.npz (bench/data, spconv's test data, Apache-2.0) and
room-scan.pcd (shared data, PCL example data, BSD-3-Clause). The PCD reader
handles binary_compressed files (LZF), column-major fields.
"""

import os
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIRS = [os.path.join(ROOT, "bench", "data"),
             os.path.join(os.path.dirname(ROOT), "shared", "data")]


def find(name):
    for d in DATA_DIRS:
        path = os.path.join(d, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{name} not found in {DATA_DIRS}")


def load_kitti():
    return np.load(find("kitti-lidar-scan.npz"))["pc"][:, :3].astype(np.float64)


def lzf_decompress(data, size):
    out = bytearray(size)
    i = o = 0
    n = len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:  # literal run of ctrl + 1 bytes
            length = ctrl + 1
            out[o:o + length] = data[i:i + length]
            i += length
            o += length
        else:  # back reference
            length = ctrl >> 5
            ref = o - ((ctrl & 0x1F) << 8) - 1
            if length == 7:
                length += data[i]
                i += 1
            ref -= data[i]
            i += 1
            length += 2
            for k in range(length):  # may overlap
                out[o + k] = out[ref + k]
            o += length
    if o != size:
        raise ValueError(f"LZF: decompressed {o} bytes, expected {size}")
    return bytes(out)


def load_pcd(path):
    with open(path, "rb") as f:
        raw = f.read()
    header, fields, sizes, counts, points = {}, [], [], [], 0
    pos = 0
    while True:
        end = raw.index(b"\n", pos)
        line = raw[pos:end].decode("ascii").strip()
        pos = end + 1
        if not line or line.startswith("#"):
            continue
        key, *vals = line.split()
        header[key] = vals
        if key == "DATA":
            break
    fields = header["FIELDS"]
    sizes = [int(v) for v in header["SIZE"]]
    types = header["TYPE"]
    counts = [int(v) for v in header.get("COUNT", ["1"] * len(fields))]
    points = int(header["POINTS"][0])
    if header["DATA"][0] != "binary_compressed":
        raise ValueError("only binary_compressed PCD files are supported")
    comp, uncomp = struct.unpack("<II", raw[pos:pos + 8])
    data = lzf_decompress(raw[pos + 8:pos + 8 + comp], uncomp)
    columns, off = {}, 0
    for name, size, ty, count in zip(fields, sizes, types, counts):
        dtype = {("F", 4): "<f4", ("F", 8): "<f8", ("U", 1): "u1", ("U", 4): "<u4",
                 ("I", 4): "<i4", ("U", 2): "<u2"}[(ty, size)]
        nbytes = points * size * count
        columns[name] = np.frombuffer(data[off:off + nbytes], dtype=dtype)
        off += nbytes
    xyz = np.stack([columns["x"], columns["y"], columns["z"]], 1).astype(np.float64)
    return xyz[np.isfinite(xyz).all(1)]


def load_room():
    return load_pcd(find("room-scan.pcd"))


def voxelize(points, voxel, multiple=16):
    """Unique voxel coordinates [N, 4] (x, y, z, batch 0) and a spatial size
    rounded up to `multiple` (so that every 2/2 downsampling divides)."""
    v = np.floor((points - points.min(0)) / voxel).astype(np.int64)
    v = np.unique(v, axis=0)
    size = [int(-(-(int(m) + 1) // multiple) * multiple) for m in v.max(0)]
    coords = np.concatenate([v, np.zeros((len(v), 1), np.int64)], 1)
    return coords, size


def _keys(c, size):
    return (c[:, 0] * (size[1] + 2) + c[:, 1]) * (size[2] + 2) + c[:, 2]


def count_submanifold_pairs(c, size=None):
    """Active (input, output) pairs of a 3x3x3 submanifold map on sites c."""
    c = c[:, :3] + 1
    size = size or [int(v) + 2 for v in c.max(0)]
    keys = np.sort(_keys(c, size))
    pairs = 0
    for d in np.array(np.meshgrid([-1, 0, 1], [-1, 0, 1], [-1, 0, 1])).reshape(3, -1).T:
        k = _keys(c + d, size)
        i = np.searchsorted(keys, k)
        i[i == len(keys)] = 0
        pairs += int((keys[i] == k).sum())
    return pairs


def count_network_flops(spec, coords):
    """2 x multiply-adds of the convolutions and NIN layers of a flat spec,
    from the real site counts and submanifold pairs at every scale."""
    scales = {}

    def sites(level, c):
        if level not in scales:
            scales[level] = (len(c), count_submanifold_pairs(c))
        return scales[level]

    sets = {0: coords[:, :3]}
    total = 0.0

    def walk(layers, level):
        nonlocal total
        for layer in layers:
            t = layer["type"]
            if t == "Sequential":
                level = walk(layer["layers"], level)
            elif t == "ConcatTable":
                for b in layer["branches"]:
                    walk(b, level)
            elif t == "SubmanifoldConvolution":
                n, pairs = sites(level, sets[level])
                total += 2.0 * pairs * layer["nIn"] * layer["nOut"] / layer.get("groups", 1)
            elif t == "NetworkInNetwork":
                total += 2.0 * len(sets[level]) * layer["nIn"] * layer["nOut"]
            elif t == "Convolution":
                # 2/2: every input site feeds exactly one output through one offset.
                total += 2.0 * len(sets[level]) * layer["nIn"] * layer["nOut"]
                if level + 1 not in sets:
                    sets[level + 1] = np.unique(sets[level] // 2, axis=0)
                level += 1
            elif t == "Deconvolution":
                level -= 1
                total += 2.0 * len(sets[level]) * layer["nIn"] * layer["nOut"]
        return level

    walk(spec["layers"], 0)
    return total
