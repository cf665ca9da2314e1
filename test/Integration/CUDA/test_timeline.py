"""SCN_GPU_PROFILE_TIMELINE (runtime/lib/CUDA/KernelProfile.cpp) and its
summary (bench/gpu/timeline.py): what ran beside what in a profiled process.
The summary on a hand-made timeline whose answers are known; the runtime
writing one over the unit tests' fake driver (whose events all read 0 ms,
so only the rows' labels and form are checked there)."""

import csv
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
FAKE_TESTS = os.path.join(BUILD, "test", "Unit", "Runtime", "FakeDriverTests")
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
sys.path.insert(0, os.path.dirname(HERE))
import timeline  # noqa: E402
from cuda_device import cuda_toolkit_present  # noqa: E402


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "start_ms", "stop_ms"])
        w.writerows(rows)


def test_two_runs_split_at_their_input_sets_with_known_overlaps(tmp_path):
    path = tmp_path / "timeline.csv"
    # Run 1: input 0-1, a map 1-3 beside a copy 2-4, the first conv 3-5,
    # a deeper map 4.5-6 beside it and idle 6-7 before the last kernel 7-8.
    # Run 2 (from 10): the same shape, shifted.
    run = [("geometry scn_gpu_sites_from_coords", 0, 1),
           ("geometry scn_gpu_kmap_build", 1, 3),
           ("upload (scn_gpu_parameter)", 2, 4),
           ("tensor_core_conv #3", 3, 5),
           ("geometry scn_gpu_kmap_build", 4.5, 6),
           ("main_kernel #7", 7, 8)]
    write(path, run + [(label, a + 10, b + 10) for label, a, b in run])
    medians, count = timeline.summarize(str(path))
    assert count == 2
    assert medians["span"] == pytest.approx(8)
    assert medians["first"] == pytest.approx(3)
    assert medians["geometry"] == pytest.approx(1 + 2 + 1.5)
    assert medians["kernels"] == pytest.approx(3 + 1)  # 2-5 and 7-8
    assert medians["beside"] == pytest.approx(1 + 0.5)  # 2-3 and 4.5-5
    assert medians["idle"] == pytest.approx(1)  # 6-7


def test_a_timeline_without_input_sets_is_one_run_without_a_convolution(tmp_path):
    path = tmp_path / "timeline.csv"
    write(path, [("main_kernel #0", 0.5, 1.0), ("copy (gpu.memcpy)", 2.0, 3.0)])
    medians, count = timeline.summarize(str(path))
    assert count == 1
    assert medians["first"] is None
    assert medians["span"] == pytest.approx(2.5) and medians["idle"] == pytest.approx(1.0)
    assert medians["geometry"] == 0 and medians["beside"] == 0


@pytest.mark.skipif(not cuda_toolkit_present(), reason="needs the CUDA toolkit")
@pytest.mark.skipif(not os.path.exists(FAKE_TESTS), reason="the fake driver was not built")
def test_the_runtime_writes_each_launch_to_the_timeline(tmp_path):
    report, path = tmp_path / "profile.txt", tmp_path / "timeline.csv"
    proc = subprocess.run(
        [FAKE_TESTS, "--gtest_filter=FakeDriver.TwoLaunchesAndAWaitForTheirStream"],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, SCN_GPU_PROFILE=str(report), SCN_GPU_PROFILE_TIMELINE=str(path)))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    rows = timeline.read(str(path))
    assert len(rows) == 2, path.read_text()
    assert all(label.startswith("main_kernel") for label, _, _ in rows), rows
    assert all(0 <= start <= stop for _, start, stop in rows), rows
