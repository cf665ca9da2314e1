"""Weight-stationary convolutions on the CPU run a block of output rows'
offsets in turn (blocks of about 1024 pairs, scn_cg_pair_blocks). The random
networks of test_differential_cpu.py hold too few sites for a second block;
this network has 6000 sites on a 32^3 grid in two samples (14,286 pairs,
about 14 blocks, in its submanifold map), with a submanifold layer and its
fused batch norm, a strided convolution and a deconvolution (a transposed
map), all planned weight-stationary. Against the eager reference, and bit for bit the same on
1 and 2 threads (the blocks' cut does not depend on the thread count)."""

import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_differential_cpu as differential  # noqa: E402
from random_networks import Builder  # noqa: E402

SIZE = [32, 32, 32]
SITES = 6000


def blocks_case():
    r = np.random.default_rng(11)
    b = Builder(r, 3, SIZE)
    cells = r.choice(np.prod(SIZE), SITES, replace=False)
    coords = np.stack([cells // 1024, cells // 32 % 32, cells % 32, cells % 2], 1)
    b.arrays["coords"] = coords.astype(np.int64)
    b.arrays["features"] = r.standard_normal((SITES, 8)).astype(np.float32)

    def conv(kind, n_in, n_out, f, t=None):
        vol = f ** 3
        layer = {"type": kind, "nIn": n_in, "nOut": n_out, "filter_size": [f] * 3,
                 "bias": True, "groups": 1,
                 "params": {"weight": b.param("weight", (vol, 1, n_in, n_out),
                                              1 / np.sqrt(vol * n_in)),
                            "bias": b.param("bias", (n_out,), 0.2)}}
        if t:
            layer["filter_stride"] = [t] * 3
        return layer

    layers = [conv("SubmanifoldConvolution", 8, 16, 3),
              {"type": "BatchNormReLU", "nPlanes": 16, "eps": 1e-4, "momentum": 0.9,
               "params": {"weight": b.param("weight", (16,)),
                          "bias": b.param("bias", (16,), 0.2),
                          "running_mean": b.param("running_mean", (16,), 0.1),
                          "running_var": b.param("running_var", (16,), positive=True)}},
              conv("Convolution", 16, 16, 2, 2),
              conv("Deconvolution", 16, 8, 2, 2),
              {"type": "OutputLayer"}]
    spec = {"dimension": 3, "spatial_size": SIZE, "input_mode": 0, "train": False,
            "batch_size": 2, "coords": "coords", "features": "features", "layers": layers}
    return spec, b.arrays


def submanifold_pairs(coords):
    """Pairs of the 3x3x3 submanifold map of `coords` (x, y, z, batch)."""
    sites = {tuple(c) for c in coords.tolist()}
    return sum((x + dx, y + dy, z + dz, b) in sites
               for x, y, z, b in sites
               for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1))


def test_many_blocks_against_eager_and_on_one_thread(tmp_path):
    spec, arrays = blocks_case()
    # The case's premise: the submanifold map holds many blocks of about
    # 1024 pairs (runtime/lib/CPU/KernelMap.h, kPairsPerBlock).
    assert submanifold_pairs(arrays["coords"]) > 10 * 1024
    differential.check_against_eager(spec, arrays, tmp_path, plan=differential.WEIGHT_STATIONARY)
    planned = tmp_path / "planned.mlir"
    assert "weight_stationary" in planned.read_text()
    outputs = []
    for threads in ("1", "2"):
        out = tmp_path / f"out{threads}.npz"
        proc = subprocess.run([differential.SCN_RUN, str(planned), "--input",
                               str(tmp_path / "in.npz"), "--output", str(out)],
                              capture_output=True, text=True,
                              env={**os.environ, "OMP_NUM_THREADS": threads})
        assert proc.returncode == 0, proc.stderr
        outputs.append(np.load(out)["output"])
    np.testing.assert_array_equal(outputs[0], outputs[1])
