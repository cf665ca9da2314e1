# -*- Python -*-
# lit configuration of the scn FileCheck tests (Dialect, Transforms, ...).
# GoogleTest binaries are a separate suite: Unit/lit.cfg.py.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SCN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.scn_obj_root, "test")
# Unit tests have their own suite; golden data is not a test.
config.excludes = ["Unit", "golden", "Inputs", "lit.cfg.py", "CMakeLists.txt"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%scn_src_root", config.scn_src_root))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.scn_tools_dir, append_path=True)

tool_dirs = [config.scn_tools_dir, config.llvm_tools_dir]
tools = ["scn-opt", "scn-run"]
config.substitutions.append(("%python", "/usr/bin/python3"))
llvm_config.add_tool_substitutions(tools, tool_dirs)

# GPU features: `cuda-toolkit` (ptxas and fatbinary, which scn-compile
# --target=cuda needs) and `cuda-device` (a GPU that runs kernels; the same
# check as the pytest suites).
import sys  # noqa: E402

sys.path.insert(0, os.path.join(config.scn_src_root, "test", "Integration"))
from cuda_device import cuda_device_present  # noqa: E402

if cuda_device_present():
    config.available_features.add("cuda-device")
_cuda_bins = [os.path.join(os.environ.get("CUDA_HOME", "/nonexistent"), "bin"),
              "/usr/local/cuda/bin"]
if any(os.access(os.path.join(d, "ptxas"), os.X_OK) for d in _cuda_bins):
    config.available_features.add("cuda-toolkit")
llvm_config.add_tool_substitutions(["scn-compile"], tool_dirs)

# The unit tests' fake CUDA driver (test/Unit/Runtime/FakeCudaDriver.cpp),
# for tests that run compiled CUDA code's host side without a GPU through
# LD_PRELOAD; built with the CUDA driver layer.
_fake_cuda = os.path.join(config.scn_obj_root, "test", "Unit", "Runtime", "fake-cuda",
                          "libcuda.so.1")
if os.path.exists(_fake_cuda):
    config.available_features.add("fake-cuda-driver")
    config.substitutions.append(("%fake_cuda_driver", _fake_cuda))
