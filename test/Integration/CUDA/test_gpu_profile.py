"""SCN_GPU_PROFILE's report (runtime/lib/CUDA/KernelProfile.cpp), written when
the process exits: device times per kernel and copy, the device span, and
the host time of the runtime's calls. The runtime's GPU unit tests make the
calls: with a GPU they launch kernels and copy; without one the calls fail
cleanly, and the host rows still count them."""

import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
TESTS = os.path.join(BUILD, "test", "Unit", "Runtime", "RuntimeTests")
sys.path.insert(0, os.path.dirname(HERE))
from cuda_device import cuda_toolkit_present  # noqa: E402


# Without the toolkit the runtime is built without CUDA: no mgpu* calls, no
# report.
@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs the CUDA toolkit")
def test_the_report_gives_device_span_and_host_calls(tmp_path):
    assert os.path.exists(TESTS), "build the runtime's unit tests first"
    report = tmp_path / "profile.txt"
    proc = subprocess.run([TESTS, "--gtest_filter=Gpu.*"], capture_output=True, text=True,
                          env=dict(os.environ, SCN_GPU_PROFILE=str(report)), timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    text = report.read_text()
    assert text.startswith("# SCN_GPU_PROFILE: device time of"), text
    span = re.search(r"^# device span ([\d.]+) ms .* busy ([\d.]+) ms", text, re.M)
    assert span, text
    host = dict(re.findall(r"^# host (\S+) +(\d+) calls", text, re.M))
    # Every test allocates and frees through the mgpu* ABI, on a GPU or not.
    assert int(host.get("mgpuMemAlloc", 0)) > 0 and int(host.get("mgpuMemFree", 0)) > 0, text
    # The rows of kernels and copies are the only lines that do not start
    # with "#" (device_check.py reads them by that).
    rows = [line for line in text.splitlines() if not line.startswith("#")]
    assert all(line.startswith("  ") for line in rows), rows
    if "mgpuLaunchKernel" in host:  # a GPU ran the tests' kernels
        assert rows and float(span.group(1)) > 0, text
