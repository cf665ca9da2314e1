"""Weights kept on the GPU (scn_gpu_keep_resident, artifact.ResidentParameters):
a CUDA artifact that takes its weights as arguments gives the CPU's output
whether they are uploaded in every call, kept resident, or released again.
Without a GPU, keeping them resident fails with the driver's reason."""

import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
from cuda_device import cuda_device_present, cuda_toolkit_present  # noqa: E402
from test_arguments_read_only import (  # noqa: E402
    artifact, compile_with_weight_arguments, residual_bn_case)


def build(target, tmp_path):
    """(library, manifest, inputs, the weight arrays among them)."""
    spec, data = residual_bn_case()
    extra = ["--chip=sm_80,sm_90"] if target == "cuda" else []
    lib, manifest, inputs = compile_with_weight_arguments(spec, data, target, tmp_path, extra)
    weights = [a for i, a in zip(manifest["inputs"], inputs)
               if i["name"] not in ("coords", "features")]
    return lib, manifest, inputs, weights


@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs ptxas (CUDA toolkit)")
@pytest.mark.skipif(cuda_device_present(), reason="a GPU is here: the test below runs")
def test_keeping_weights_without_a_gpu_fails_with_the_reason(tmp_path):
    lib, _, _, weights = build("cuda", tmp_path)
    with pytest.raises(RuntimeError, match="scn_gpu_keep_resident: .*libcuda"):
        artifact.ResidentParameters(lib, weights)


def test_resident_parameters_need_contiguous_arrays(tmp_path):
    lib, _, _, _ = build("cpu", tmp_path)
    with pytest.raises(ValueError, match="C-contiguous"):
        artifact.ResidentParameters(lib, [np.zeros((4, 4), np.float32)[:, ::2]])


@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs ptxas (CUDA toolkit)")
@pytest.mark.skipif(not cuda_device_present(), reason="needs a GPU")
def test_resident_weights_give_the_cpu_output(tmp_path):
    lib, manifest, inputs, weights = build("cuda", tmp_path)
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
