"""Differential test: random networks (random_networks.py) compiled by
--scn-cpu-pipeline and run by scn-run, against the eager PyTorch reference
(frontends/python/scn, which passes every golden case). SCN_DIFF_CASES sets
the number of cases (default 200); the first quarter of them also runs with
every convolution that has a kernel map planned weight-stationary (the
default plan makes only layers of 64 channels or more so), and again with
the CUDA plan (channel_parallel kernels) run on the CPU."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
SCN_RUN = os.path.join(BUILD, "bin", "scn-run")
SCN_OPT = os.path.join(BUILD, "bin", "scn-opt")
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.join(ROOT, "frontends", "python"))
sys.path.insert(0, HERE)
import random_networks  # noqa: E402
import spec_to_mlir  # noqa: E402

torch = pytest.importorskip("torch")
import scn  # noqa: E402
from scn.spec import build_from_spec, input_from_spec  # noqa: E402

CASES = int(os.environ.get("SCN_DIFF_CASES", "200"))


def eager(spec, arrays):
    input_layer, model = build_from_spec(spec, arrays)
    with torch.no_grad():
        out = model(input_layer(input_from_spec(spec, arrays)))
    if isinstance(out, torch.Tensor):
        return {"output": out.numpy()}
    coords = out.get_spatial_locations().numpy()
    return {"output": out.features.numpy(), "output_coords": coords}


def sort_rows(coords):
    d = coords.shape[1] - 1
    return np.lexsort([coords[:, i] for i in range(d - 1, -1, -1)] + [coords[:, d]])


# Plans forced before scn-run's own (ops that carry a dataflow keep it).
WEIGHT_STATIONARY = "weight-stationary-min-channels=1 weight-stationary-min-channels-alone=1"
# The GPU plan (channel_parallel kernels), run on the CPU: the kernels'
# arithmetic is the same IR for both targets, so this checks the CUDA
# kernels' logic on every machine.
CUDA_PLAN = "plan-target=cuda"


@pytest.mark.parametrize("seed", range(CASES))
def test_random_network(seed, tmp_path):
    check_random_network(seed, tmp_path)


@pytest.mark.parametrize("seed", range(CASES // 4))
def test_random_network_weight_stationary(seed, tmp_path):
    check_random_network(seed, tmp_path, plan=WEIGHT_STATIONARY)


@pytest.mark.parametrize("seed", range(CASES // 4))
def test_random_network_cuda_plan_on_cpu(seed, tmp_path):
    check_random_network(seed, tmp_path, plan=CUDA_PLAN)


def check_random_network(seed, tmp_path, plan=None, target="cpu", extra_args=(),
                         tolerance=1e-4):
    spec, arrays = random_networks.random_case(seed)
    return check_against_eager(spec, arrays, tmp_path, plan, target, extra_args, tolerance)


def check_against_eager(spec, arrays, tmp_path, plan=None, target="cpu", extra_args=(),
                        tolerance=1e-4):
    """The network of a golden-format spec, compiled (after the graph
    pipeline `plan`, if any) and run by scn-run, against the eager
    reference: the largest error relative to the output's magnitude."""
    expected = eager(spec, arrays)
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    if plan:
        planned = tmp_path / "planned.mlir"
        proc = subprocess.run([SCN_OPT, str(mlir), "--scn-graph-pipeline=" + plan,
                               "-o", str(planned)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        mlir = planned
    np.savez(tmp_path / "in.npz", coords=arrays["coords"], features=arrays["features"])
    proc = subprocess.run([SCN_RUN, str(mlir), "--input", str(tmp_path / "in.npz"),
                           "--output", str(tmp_path / "out.npz"), f"--target={target}",
                           *extra_args],
                          capture_output=True, text=True)
    assert proc.returncode == 0, json.dumps(spec)[:2000] + "\n" + proc.stderr
    got = np.load(tmp_path / "out.npz")
    g, e = got["output"], expected["output"]
    if "output_coords" in expected:
        gc, ec = got["output_coords"], expected["output_coords"]
        go, eo = sort_rows(gc), sort_rows(ec)
        np.testing.assert_array_equal(gc[go], ec[eo])
        g, e = g[go], e[eo]
    assert g.shape == e.shape, (g.shape, e.shape)
    if e.size:
        err = np.abs(g - e).max()
        assert err <= tolerance * max(1.0, np.abs(e).max()), (err, json.dumps(spec)[:2000])
        return err / max(1.0, np.abs(e).max())
    return 0.0
