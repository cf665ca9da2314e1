"""Child process of test_fake_driver_runs.py: with two (fake) devices, a
caller selects device 1 before loading a CUDA artifact (its kernels load
there), selects device 0 again (as for another model), and runs the
artifact; prints the device selected after the run, and whether kernels
launched on device 1, as JSON. The run must go to device 1, where the
artifact's kernels are loaded.

    fake_driver_device.py FAKE_LIBCUDA ARTIFACT INPUTS.npz
"""

import ctypes
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
from test_arguments_read_only import artifact  # noqa: E402


def main():
    fake_path, artifact_path, inputs_path = sys.argv[1:4]
    fake = ctypes.CDLL(fake_path, mode=ctypes.RTLD_GLOBAL)
    fake.scn_fake_cuda_set(b"devices", ctypes.c_longlong(2))
    runtime = ctypes.CDLL(os.path.join(BUILD, "lib", "libscn_runtime.so"),
                          mode=ctypes.RTLD_GLOBAL)
    selected = runtime.scn_gpu_init(1)
    lib, manifest = artifact.load_artifact(artifact_path, os.path.join(BUILD, "lib"))
    selected |= runtime.scn_gpu_init(0)
    z = np.load(inputs_path)
    artifact.run_artifact(lib, manifest, [z[i["name"]] for i in manifest["inputs"]])
    # The fake driver refuses a launch of a kernel loaded on another device
    # than the current one, and counts those on device 1.
    fake.scn_fake_cuda_last.restype = ctypes.c_longlong
    print(json.dumps({"init": selected, "device after the run": runtime.scn_gpu_current_device(),
                      "launched on device 1": fake.scn_fake_cuda_last(b"launches_on_device_1") > 0}))


if __name__ == "__main__":
    main()
