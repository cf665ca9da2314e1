"""Every golden case through the CUDA path, compared by the rules of
test/golden/README.md:
- compiled by scn-compile --target=cuda (--scn-cuda-pipeline, ptxas and
  fatbinary) on every machine; without a GPU, scn-run must refuse the
  artifact with a clear message instead of crashing;
- compiled by scn-compile --target=cuda-emulated (the same pipeline, with
  scn-gpu-emulate-on-host after scn-gpu-offload) and run on the CPU: the
  CUDA path's host code (buffer placement, copies in and out, tiling and
  guards of the mapped loops) and kernels, checked on every machine;
- run on the GPU where one is present."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
sys.path.insert(0, os.path.dirname(HERE))
from cuda_device import cuda_device_present, cuda_toolkit_present  # noqa: E402
from test_golden_cpu import CASES, SCN_RUN, check_case, compile_case, run_case  # noqa: E402

HAS_GPU = cuda_device_present()
HAS_TOOLKIT = cuda_toolkit_present()
IDS = [os.path.basename(c)[:-4] for c in CASES]
# One chip keeps CI fast; the GPU run below embeds both.
COMPILE_ONLY = ("--target=cuda", "--chip=sm_90")


@pytest.mark.skipif(not HAS_TOOLKIT, reason="needs ptxas (CUDA toolkit)")
@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_golden_case_compiles_for_cuda(path, tmp_path):
    _, library, inputs = compile_case(path, tmp_path, COMPILE_ONLY)
    if HAS_GPU:
        return
    proc = subprocess.run([SCN_RUN, str(library), "--input", str(inputs),
                           "--output", str(tmp_path / "out.npz")],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "compiled for CUDA and needs a GPU" in proc.stderr, proc.stderr


@pytest.mark.skipif(not HAS_TOOLKIT, reason="needs ptxas (CUDA toolkit)")
@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_golden_case_compiles_for_tensor_cores(path, tmp_path):
    """--element-type=f16: the tensor-core kernels of every case that has
    16-channel convolutions lower to PTX that ptxas accepts."""
    compile_case(path, tmp_path, COMPILE_ONLY + ("--element-type=f16",))


@pytest.mark.parametrize("device_geometry", ["true", "false"])
@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_golden_case_cuda_emulated_on_cpu(path, device_geometry, tmp_path):
    """Both geometry paths: device builders where they apply (emulated by the
    CPU runtime), and CPU geometry with copies of every array kernels read."""
    check_case(path, *run_case(path, tmp_path, ("--target=cuda-emulated",
                                                "--device-geometry=" + device_geometry)))


# Without a GPU the GPU test is one skipped entry, not one per case.
@pytest.mark.skipif(not HAS_GPU, reason="needs a CUDA device")
@pytest.mark.parametrize("path", CASES if HAS_GPU else CASES[:1],
                         ids=IDS if HAS_GPU else IDS[:1])
def test_golden_case_on_gpu(path, tmp_path):
    check_case(path, *run_case(path, tmp_path, ("--target=cuda", "--chip=sm_80,sm_90")))
