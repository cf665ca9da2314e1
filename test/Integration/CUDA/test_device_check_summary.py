"""bench/gpu/device_check.py's line on the issue's W3 goal: the best f16 or
bf16 convolution of each W3 layer with C >= 64 against 50% of its
roofline (the profiles' rows feed it on a GPU; here, given shares)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
import device_check  # noqa: E402


def test_goal_line_names_each_large_layer_its_best_and_the_verdict():
    line = device_check.w3_goal_line({"W3_C64": (0.573, "cuda-f16-blockw"),
                                      "W3_C128": (0.5, "cuda-f16-wgmma128x8"),
                                      "W3_C32": (0.9, "cuda-f16")})
    assert "W3_C64 cuda-f16-blockw 57.3% (met)" in line, line
    # 50% exactly is not above it; C < 64 is not the goal's.
    assert "W3_C128 cuda-f16-wgmma128x8 50.0% (not met)" in line, line
    assert "W3_C32" not in line, line


def test_goal_line_without_profiles_says_so():
    assert device_check.w3_goal_line({}).endswith("no W3 profile")
