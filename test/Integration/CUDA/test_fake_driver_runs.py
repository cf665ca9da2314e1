"""A compiled CUDA network's host code over a fake driver (the unit tests'
FakeCudaDriver.cpp: device memory is host memory, kernels do not run), so
that what the generated code does with device memory is checked without a
GPU: every block it allocates in a run is freed by the run's end, run after
run, streams come from the runtime's pool and no events are left behind,
and an allocation that fails anywhere in a run, on the device or the
host, fails that run with the out-of-memory error, frees what the run had
allocated, and leaves the next run to succeed. Host geometry (--device-geometry=false): the GPU geometry
builders use the CUDA runtime library, which the fake does not serve. The
outputs are not checked (no kernel ran); the emulated CUDA tests check the
numbers."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
FAKE = os.path.join(BUILD, "test", "Unit", "Runtime", "fake-cuda", "libcuda.so.1")
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
from cuda_device import cuda_toolkit_present  # noqa: E402
from test_arguments_read_only import compile_with_weight_arguments, residual_bn_case  # noqa: E402


@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs ptxas (CUDA toolkit)")
@pytest.mark.skipif(not os.path.exists(FAKE), reason="the fake driver was not built")
@pytest.mark.parametrize("element_type", ["f32", "f16"])
def test_runs_free_what_they_allocate_and_survive_out_of_memory(element_type, tmp_path):
    spec, data = residual_bn_case()
    lib, manifest, inputs = compile_with_weight_arguments(
        spec, data, "cuda", tmp_path,
        ["--chip=sm_80", "--device-geometry=false", f"--element-type={element_type}"])
    np.savez(tmp_path / "inputs.npz", **{i["name"]: a for i, a in zip(manifest["inputs"], inputs)})
    weights = ",".join(i["name"] for i in manifest["inputs"]
                       if i["name"] not in ("coords", "features"))
    proc = subprocess.run([sys.executable, os.path.join(HERE, "fake_driver_runs.py"), FAKE,
                           str(tmp_path / "net.cuda.so"), str(tmp_path / "inputs.npz"), weights],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # Nothing of a run stays on the device (its weights are arguments,
    # uploaded for the call).
    assert report["held"] == [0, 0, 0], report
    assert report["allocations"] > 10, report
    # Streams come from the runtime's pool after the first run, and no run
    # leaves events behind.
    assert report["streams created"][1:] == [0, 0], report
    assert report["events alive"] == [0, 0, 0], report
    for failure in report["failures"]:
        assert failure["error"] is not None and "out of device memory" in failure["error"], \
            failure
        assert failure["held"] == 0 and failure["held after the next run"] == 0, failure
    # A host buffer refused anywhere in a run (GeneratedCall.h; here the
    # page-locked blocks of the results): the run is abandoned with the
    # out-of-memory error, and releases its device blocks, parameter copies
    # and events once the GPU is idle.
    assert len(report["host failures"]) >= 1, report
    for failure in report["host failures"]:
        assert "the network's results: out of memory: a buffer of" in failure["error"], failure
        assert failure["held"] == 0 and failure["events alive"] == 0, failure
        assert failure["held after the next run"] == 0, failure
    # ... also after a device block failed first in that run: the GPU error
    # it left does not fail the next run.
    both = report["device then host failure"]
    assert "the network's results: out of memory" in both["error"], both
    assert "before it, a GPU error: " in both["error"] and "out of device memory" in both["error"]
    assert both["next run's error"] is None and both["held"] == 0, both
    # Resident weights: the first call prepares the values derived from the
    # weights alone (batch norm's scale and shift, and in f16 the packed
    # weights) into one block of the process; the next calls find them,
    # in the kept run or a fresh one, and skip those kernels and
    # allocations. A weight kept again (a new copy) makes the values stale:
    # prepared again into a block that replaces the old one, then found.
    resident = report["resident"]
    launches, allocations = resident["launches"], resident["allocations"]
    # A call abandoned for host memory after it took the block (a hit too,
    # so the fourth call counts two) gave it back (below: the replaced block
    # is freed, not kept for that call).
    assert "out of memory: a buffer of" in resident["abandoned"], resident
    assert resident["prepared hits"] == [0, 1, 1, 2, 3], resident
    assert launches[1] == launches[2] == launches[4] < launches[0] == launches[3], resident
    assert allocations[1] == allocations[2] == allocations[4] < allocations[0], resident
    # Nothing grows from call to call (the kept run's geometry, one
    # prepared block, replaced rather than added to); the block outlives the
    # run and the weights, until replaced or the artifact unloads.
    assert resident["held"] == [resident["held"][0]] * 5, resident
    block = resident["held after release"]
    assert 0 < block < resident["held"][0] and block % 256 == 0, resident


@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs ptxas (CUDA toolkit)")
@pytest.mark.skipif(not os.path.exists(FAKE), reason="the fake driver was not built")
def test_a_run_stays_on_the_device_the_caller_selected(tmp_path):
    """scn_gpu_init(1) before loading: the kernels load on device 1, and
    runs (scn_model_run) go there, though device 0 was selected since."""
    spec, data = residual_bn_case()
    lib, manifest, inputs = compile_with_weight_arguments(
        spec, data, "cuda", tmp_path, ["--chip=sm_80", "--device-geometry=false"])
    np.savez(tmp_path / "inputs.npz", **{i["name"]: a for i, a in zip(manifest["inputs"], inputs)})
    proc = subprocess.run([sys.executable, os.path.join(HERE, "fake_driver_device.py"), FAKE,
                           str(tmp_path / "net.cuda.so"), str(tmp_path / "inputs.npz")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"init": 0, "device after the run": 1, "launched on device 1": True}, report
