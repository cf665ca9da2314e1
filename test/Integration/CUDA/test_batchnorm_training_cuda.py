"""Training-mode batch norms on the CUDA path: the batch statistics are
summed by GPU kernels (chunks of 256 rows, then the chunks in order), so
that they never leave the GPU. Run through --target=cuda-emulated against
the CPU's sequential sums, on row counts around the chunk size (none, one,
a partial chunk, several chunks with a partial last one), for the output
and the updated running statistics. The sums are in another order than
the CPU's, hence a tolerance of a few f32 roundings, not bit equality."""

import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "utils"))
import spec_to_mlir  # noqa: E402

BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
SCN_COMPILE = os.path.join(BUILD, "bin", "scn-compile")
SCN_RUN = os.path.join(BUILD, "bin", "scn-run")
CHANNELS = 12


def network(rows, seed):
    """A training batch norm with a leaky activation, then a plain one, on
    `rows` distinct 2-D sites with features of mean 3 (so that E[x^2] -
    E[x]^2 cancels digits, as real activations do)."""
    r = np.random.default_rng(seed)
    side = 64
    flat = r.choice(side * side, size=rows, replace=False)
    coords = np.stack([flat // side, flat % side, np.zeros(rows, np.int64)], 1)
    arrays = {"coords": coords.astype(np.int64),
              "features": (3 + r.standard_normal((rows, CHANNELS))).astype(np.float32)}

    def bn(kind, index):
        names = {p: f"param/{index}_{p}" for p in ("weight", "bias", "running_mean",
                                                   "running_var")}
        arrays[names["weight"]] = r.uniform(0.5, 2, CHANNELS).astype(np.float32)
        arrays[names["bias"]] = r.standard_normal(CHANNELS).astype(np.float32)
        arrays[names["running_mean"]] = r.standard_normal(CHANNELS).astype(np.float32)
        arrays[names["running_var"]] = r.uniform(0.5, 2, CHANNELS).astype(np.float32)
        return {"type": kind, "nPlanes": CHANNELS, "eps": 1e-4, "momentum": 0.9,
                "params": names}

    spec = {"dimension": 2, "spatial_size": [side, side], "input_mode": 0, "train": True,
            "batch_size": 1, "coords": "coords", "features": "features",
            "layers": [bn("BatchNormLeakyReLU", 0), bn("BatchNormalization", 1)]}
    return spec, arrays


def run(spec, arrays, tmp_path, target):
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    library = tmp_path / f"{target}.so"
    proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", str(library), f"--target={target}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    np.savez(tmp_path / "in.npz", coords=arrays["coords"], features=arrays["features"])
    out = tmp_path / f"{target}.npz"
    proc = subprocess.run([SCN_RUN, str(library), "--input", str(tmp_path / "in.npz"),
                           "--output", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return dict(np.load(out))


@pytest.mark.parametrize("rows", [0, 1, 200, 256, 1000])
def test_training_statistics_on_gpu_match_cpu(rows, tmp_path):
    spec, arrays = network(rows, seed=rows)
    expected = run(spec, arrays, tmp_path, "cpu")
    got = run(spec, arrays, tmp_path, "cuda-emulated")
    assert sorted(got) == sorted(expected)
    # The output, its coordinates, and both batch norms' updated running
    # mean and variance.
    assert len(expected) == 6 and "param/1_running_var" in expected
    for name, want in expected.items():
        assert got[name].shape == want.shape, name
        np.testing.assert_allclose(got[name], want, rtol=2e-5, atol=2e-5, err_msg=name)
