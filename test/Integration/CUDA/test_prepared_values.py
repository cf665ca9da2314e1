"""What a compiled CUDA network derives from its parameters alone
(scn-gpu-prepare-parameters: tensor-core weights packed to f16, batch norm's
scale and shift) is kept by a run that serves several calls, while the
parameters it came from are the same (scn_cg_gpu_prepared), and the calls
that find it skip those kernels. On the CUDA pipeline emulated on the CPU,
whose host code is the GPU build's: there, weights baked into the artifact
are kept sources, and weight arguments, copied for each call, are not.
Either way every call's output equals the build without the pass
(--prepare-parameters=false) bit for bit; the fake-driver test checks the
GPU side (resident copies, a weight kept again) and the unit tests the
runtime's bookkeeping."""

import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
sys.path.insert(0, os.path.join(ROOT, "utils"))
import spec_to_mlir  # noqa: E402
from test_arguments_read_only import (  # noqa: E402
    BUILD, SCN_COMPILE, artifact, compile_with_weight_arguments, residual_bn_case)
from test_planned_buffers import abandon_at_each_buffer  # noqa: E402
from test_tensor_cores import tensor_core_case  # noqa: E402


def compile_constants(spec, arrays, tmp_path, name, flags):
    """(library, manifest) of `spec` with its weights baked in."""
    mlir = tmp_path / f"{name}.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    path = str(tmp_path / f"{name}.so")
    proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", path, "--target=cuda-emulated"] + flags,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return artifact.load_artifact(path, os.path.join(BUILD, "lib"))


@pytest.mark.parametrize("seed", [0, 1])
def test_kept_values_from_baked_weights_give_the_same_output(seed, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    flags = ["--element-type=f16"]
    lib, manifest = compile_constants(spec, arrays, tmp_path, "prepared", flags)
    plain, plain_manifest = compile_constants(spec, arrays, tmp_path, "plain",
                                              flags + ["--prepare-parameters=false"])
    coords, features = arrays["coords"], arrays["features"]
    # Other features, then other sites: a kernel wrongly taken for a
    # preparation would keep values of the first call's rows.
    calls = [(coords, features), (coords, features * 2 - 1),
             (coords[::2].copy(), features[::2].copy())]
    run = artifact.PersistentRun(lib)
    hits = []
    for c, f in calls:
        expected = artifact.run_artifact(plain, plain_manifest, [c, f])
        got = artifact.run_artifact(lib, manifest, [c, f], run)
        hits.append(run.prepared_hits)
        for o, x, y in zip(manifest["outputs"], got, expected):
            np.testing.assert_array_equal(x, y, err_msg=o["name"])
    # The first call prepares; the next ones find what it kept.
    assert hits == [0, 1, 2]
    # A run of its own for each call keeps nothing across calls.
    fresh = artifact.PersistentRun(lib)
    artifact.run_artifact(lib, manifest, [coords, features], fresh)
    assert fresh.prepared_hits == 0


def test_weight_arguments_copied_per_call_are_prepared_every_call(tmp_path):
    spec, data = residual_bn_case()
    lib, manifest, inputs = compile_with_weight_arguments(spec, data, "cuda-emulated", tmp_path)
    cpu, cpu_manifest, cpu_inputs = compile_with_weight_arguments(spec, data, "cpu", tmp_path)
    expected = artifact.run_artifact(cpu, cpu_manifest, cpu_inputs)
    run = artifact.PersistentRun(lib)
    for _ in range(2):
        got = artifact.run_artifact(lib, manifest, inputs, run)
        for o, x, y in zip(manifest["outputs"], got, expected):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5, err_msg=o["name"])
    assert run.prepared_hits == 0


def test_a_call_abandoned_while_values_are_prepared_keeps_none_half_made(tmp_path, monkeypatch):
    """A call abandoned for memory (runtime/lib/CPU/GeneratedCall.h) may have
    begun values it never finished: the run drops them, so later calls
    prepare them again and then keep them, with the right output."""
    spec, arrays = tensor_core_case(0, exact=True)
    lib, manifest = compile_constants(spec, arrays, tmp_path, "prepared", ["--element-type=f16"])
    inputs = [arrays["coords"], arrays["features"]]
    runs = abandon_at_each_buffer(lib, manifest, inputs, monkeypatch)
    assert len(runs) >= 3
    # The first call that finished prepared the values, the second found them.
    assert [run.prepared_hits for run in runs] == [1] * len(runs)
