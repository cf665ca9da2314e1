"""Whether this machine can run CUDA kernels: the driver library loads and
reports at least one device. Tests that launch kernels skip otherwise (lit
has the same check as its `cuda-device` feature)."""

import ctypes


def cuda_device_present():
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return False
    return count.value > 0


def cuda_toolkit_present():
    """ptxas and fatbinary, which scn-compile --target=cuda runs."""
    import os
    dirs = [os.path.join(os.environ.get("CUDA_HOME", "/nonexistent"), "bin"),
            "/usr/local/cuda/bin"]
    return any(os.access(os.path.join(d, "ptxas"), os.X_OK) for d in dirs)
