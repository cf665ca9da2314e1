"""Weights kept on the GPU (scn_gpu_keep_resident, artifact.ResidentParameters):
a CUDA artifact that takes its weights as arguments gives the CPU's output
whether they are uploaded in every call, kept resident, or released again.
Without a GPU, keeping them resident fails with the driver's reason."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
import spec_to_mlir  # noqa: E402
from cuda_device import cuda_device_present, cuda_toolkit_present  # noqa: E402
from test_arguments_read_only import random_parameters, residual_bn_case  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "scn_artifact", os.path.join(ROOT, "frontends", "python", "scn", "artifact.py"))
artifact = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(artifact)


def build(target, tmp_path):
    spec, data = residual_bn_case()
    text, args = spec_to_mlir.spec_to_mlir_with_args(spec, data, "args")
    mlir = tmp_path / "net.mlir"
    mlir.write_text(text)
    so = str(tmp_path / f"net.{target}.so")
    extra = ["--chip=sm_80,sm_90"] if target == "cuda" else []
    proc = subprocess.run([os.path.join(BUILD, "bin", "scn-compile"), str(mlir), "-o", so,
                           "--target=" + target] + extra, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lib, manifest = artifact.load_artifact(so, os.path.join(BUILD, "lib"))
    arrays = random_parameters([a for a in args if a[0] not in ("coords", "features")],
                               np.random.default_rng(8))
    arrays.update(coords=data["coords"], features=data["features"])
    inputs = [np.ascontiguousarray(arrays[i["name"]], artifact.DTYPES[i["dtype"]])
              for i in manifest["inputs"]]
    weights = [a for i, a in zip(manifest["inputs"], inputs)
               if i["name"] not in ("coords", "features")]
    return lib, manifest, inputs, weights


@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs ptxas (CUDA toolkit)")
def test_resident_weights_give_the_cpu_output(tmp_path):
    lib, manifest, inputs, weights = build("cuda", tmp_path)
    if not cuda_device_present():
        with pytest.raises(RuntimeError, match="scn_gpu_keep_resident"):
            artifact.ResidentParameters(lib, weights)
        return
    cpu_lib, cpu_manifest, cpu_inputs, _ = build("cpu", tmp_path)
    expected = artifact.run_artifact(cpu_lib, cpu_manifest, cpu_inputs)[0]
    uploaded = artifact.run_artifact(lib, manifest, inputs)[0]
    resident = artifact.ResidentParameters(lib, weights)
    kept = [artifact.run_artifact(lib, manifest, inputs)[0] for _ in range(2)]
    resident.release()
    released = artifact.run_artifact(lib, manifest, inputs)[0]
    scale = max(1.0, float(np.abs(expected).max()))
    for got in [uploaded] + kept + [released]:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4 * scale)
    np.testing.assert_array_equal(kept[0], uploaded)
    np.testing.assert_array_equal(kept[1], uploaded)
