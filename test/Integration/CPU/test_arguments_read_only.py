"""A compiled network reads its arguments and never writes them: weights
passed as arguments (scn-compile on IR whose parameters are function
arguments, what the benchmarks and deployments with external weights do)
come back unchanged, and a second call on the same arrays gives the same
output. Bufferization once reused the caller's running_var for a batch
norm's var + eps and its square root, so every call changed the next one's
parameters; this is the regression test, on the CPU and on the CUDA
pipeline emulated on the CPU (its host code is the GPU build's)."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
SCN_COMPILE = os.path.join(BUILD, "bin", "scn-compile")
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, HERE)
import random_networks  # noqa: E402
import spec_to_mlir  # noqa: E402

# scn/artifact.py by path: the scn package itself imports torch.
_spec = importlib.util.spec_from_file_location(
    "scn_artifact", os.path.join(ROOT, "frontends", "python", "scn", "artifact.py"))
artifact = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(artifact)

# Batch norms folded into the convolution before them (scale computed at
# run time from the arguments) and standalone ones (after the residual
# sum, and the last layer).
RESIDUAL_BN = {
    "dimension": 3, "spatial_size": [16, 16, 16], "input_mode": 4, "in_channels": 4,
    "layers": [
        {"type": "SubmanifoldConvolution", "nIn": 4, "nOut": 8, "filter_size": [3, 3, 3],
         "bias": False},
        {"type": "BatchNormReLU", "nPlanes": 8},
        {"type": "SubmanifoldConvolution", "nIn": 8, "nOut": 8, "filter_size": [3, 3, 3],
         "bias": True},
        {"type": "BatchNormLeakyReLU", "nPlanes": 8, "leakiness": 0.1},
        {"type": "OutputLayer"}]}


def random_parameters(args, rng):
    arrays = {}
    for name, ty in args:
        shape = [int(d) for d in ty[len("tensor<"):-1].split("x")[:-1]]
        if name.endswith("_var"):
            arrays[name] = rng.uniform(0.5, 2.0, shape).astype(np.float32)
        else:
            arrays[name] = rng.standard_normal(shape).astype(np.float32)
    return arrays


def residual_bn_case():
    rng = np.random.default_rng(7)
    coords = np.unique(rng.integers(0, 16, (300, 3)), axis=0)
    coords = np.concatenate([coords, np.zeros((len(coords), 1), np.int64)], 1)
    return RESIDUAL_BN, {"coords": coords,
                         "features": rng.standard_normal((len(coords), 4)).astype(np.float32)}


def cases():
    yield "residual_bn", residual_bn_case
    for seed in range(4):
        yield f"random{seed}", lambda seed=seed: random_networks.random_case(seed)


def compile_with_weight_arguments(spec, data, target, tmp_path, extra=()):
    """(library, manifest, inputs in manifest order) of `spec` compiled for
    `target` with its weights as arguments, random ones, and the case's
    coordinates and features."""
    text, args = spec_to_mlir.spec_to_mlir_with_args(spec, data, "args")
    mlir = tmp_path / "net.mlir"
    mlir.write_text(text)
    lib_path = str(tmp_path / f"net.{target}.so")
    proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", lib_path, "--target=" + target,
                           *extra], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lib, manifest = artifact.load_artifact(lib_path, os.path.join(BUILD, "lib"))
    arrays = random_parameters([a for a in args if a[0] not in ("coords", "features")],
                               np.random.default_rng(8))
    arrays.update(coords=data["coords"], features=data["features"])
    inputs = [np.ascontiguousarray(arrays[i["name"]], artifact.DTYPES[i["dtype"]])
              for i in manifest["inputs"]]
    return lib, manifest, inputs


@pytest.mark.parametrize("target", ["cpu", "cuda-emulated"])
@pytest.mark.parametrize("name,case", list(cases()), ids=[n for n, _ in cases()])
def test_arguments_are_read_only(name, case, target, tmp_path):
    spec, data = case()
    lib, manifest, inputs = compile_with_weight_arguments(spec, data, target, tmp_path)
    before = [a.copy() for a in inputs]
    first = artifact.run_artifact(lib, manifest, inputs)
    changed = [i["name"] for i, a, b in zip(manifest["inputs"], inputs, before)
               if not np.array_equal(a, b)]
    assert not changed, f"the call wrote its arguments {changed}"
    second = artifact.run_artifact(lib, manifest, inputs)
    for o, x, y in zip(manifest["outputs"], first, second):
        np.testing.assert_array_equal(x, y, err_msg=o["name"])
