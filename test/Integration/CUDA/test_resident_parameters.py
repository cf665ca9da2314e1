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


class FakeRuntime:
    """scn_gpu_keep_resident that keeps the first `succeed` arrays, then
    fails: the bookkeeping of ResidentParameters without a GPU."""

    def __init__(self, succeed):
        self.succeed, self.kept, self.released = succeed, [], []

    def scn_gpu_keep_resident(self, address, nbytes):
        if len(self.kept) == self.succeed:
            return 1
        self.kept.append(address)
        return 0

    def scn_gpu_release_resident(self, address):
        self.released.append(address)

    def scn_last_error_message(self):
        return b"out of device memory"


def test_kept_arrays_are_read_only_until_released():
    frozen = np.ones(3, np.float32)
    frozen.flags.writeable = False
    arrays = [np.zeros(4, np.float32), np.zeros((2, 2), np.float64), frozen]
    runtime = FakeRuntime(succeed=3)
    resident = artifact.ResidentParameters(runtime, arrays)
    for a in arrays:
        with pytest.raises(ValueError, match="read-only"):
            a[...] = 1
    resident.release()
    assert runtime.released == [a.ctypes.data for a in arrays]
    assert arrays[0].flags.writeable and arrays[1].flags.writeable
    assert not frozen.flags.writeable  # read-only before, read-only after


def test_a_failed_keep_releases_and_unfreezes_what_it_kept():
    arrays = [np.zeros(4, np.float32) for _ in range(3)]
    runtime = FakeRuntime(succeed=2)
    with pytest.raises(RuntimeError, match="out of device memory"):
        artifact.ResidentParameters(runtime, arrays)
    assert runtime.released == runtime.kept == [a.ctypes.data for a in arrays[:2]]
    assert all(a.flags.writeable for a in arrays)


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
    # A kept array is found by its address: writing it in place would run
    # with stale device weights, so it is read-only until released.
    with pytest.raises(ValueError, match="read-only"):
        weights[0][...] = 0
    resident.release()
    assert all(w.flags.writeable for w in weights)
    released = artifact.run_artifact(lib, manifest, inputs)[0]
    scale = max(1.0, float(np.abs(expected).max()))
    for got in [uploaded] + kept + [released]:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4 * scale)
    np.testing.assert_array_equal(kept[0], uploaded)
    np.testing.assert_array_equal(kept[1], uploaded)
