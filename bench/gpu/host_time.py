#!/usr/bin/env python3
"""The host's own time per run of a compiled CUDA network, on any machine:
the artifact runs over the unit tests' fake CUDA driver
(build/test/Unit/Runtime/fake-cuda/libcuda.so.1, FakeCudaDriver.cpp), whose
launches, allocations and waits return at once and whose copies move
nothing, so what is left is the Python harness, the generated host code and
the runtime. On a GPU the driver's own cost per call and the device's time
come on top; W1 f16 took 11.2 ms end to end on the H200 against 5.95 ms of
device time (bench/gpu/README.md), and this says how much of the rest the
host side can be without a GPU.

    bash bench/gpu/check.sh --prepare        (builds build/gpu-check)
    /usr/bin/python3 bench/gpu/host_time.py [--workload W1]
        [--target cuda-hostmaps] [--runs 300]

Only artifacts with host geometry (the check's `cuda-hostmaps`) run here:
the GPU geometry builders use the CUDA runtime library, which the fake
driver does not serve. Maps are prebuilt and weights resident, as in the
check's "prebuilt" timings (`--fresh`: a new run for every call, whose maps
are built on the CPU each time, as end to end); prints the median and
fastest run and the driver calls per run.
"""

import argparse
import ctypes
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
FAKE = os.path.join(BUILD, "test", "Unit", "Runtime", "fake-cuda", "libcuda.so.1")
ENTRIES = ("cuLaunchKernel", "cuMemAllocAsync", "cuMemFreeAsync", "cuMemcpyAsync",
           "cuStreamSynchronize", "cuModuleGetFunction")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="W1")
    p.add_argument("--target", default="cuda-hostmaps")
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--fresh", action="store_true",
                   help="a new run for every call (maps built on the CPU in each, as end to "
                        "end), instead of one run that keeps them")
    a = p.parse_args()
    if not os.path.exists(FAKE):
        sys.exit(f"host_time.py: no fake driver at {FAKE} (built with the unit tests when "
                 "cuda.h is found: ninja -C build scn_fake_cuda_driver)")
    # Before the runtime's first dlopen("libcuda.so.1"), which then finds
    # the fake by its soname.
    fake = ctypes.CDLL(FAKE, mode=ctypes.RTLD_GLOBAL)
    fake.scn_fake_cuda_calls.restype = ctypes.c_longlong
    fake.scn_fake_cuda_set(b"move_data", ctypes.c_longlong(0))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import device_check as dc

    directory = os.path.join(dc.CHECK, "bench")
    artifact_path = os.path.join(directory, f"{a.workload}.{a.target}.so")
    if not os.path.exists(artifact_path):
        sys.exit(f"host_time.py: no artifact {artifact_path} (run bash bench/gpu/check.sh "
                 "--prepare first; only host-geometry targets such as cuda-hostmaps run here)")
    meta = json.load(open(os.path.join(directory, "meta.json")))
    arrays = dc.bench_inputs(meta, a.workload)
    lib, manifest = dc.load(artifact_path)
    resident = dc.artifact.ResidentParameters(
        lib, [arrays[i["name"]] for i in manifest["inputs"]
              if i["name"] not in ("coords", "features")])
    persistent = None if a.fresh else dc.artifact.PersistentRun(lib)
    dc.run(lib, manifest, arrays, persistent)  # builds and keeps the maps
    before = {e: fake.scn_fake_cuda_calls(e.encode()) for e in ENTRIES}
    times = []
    for _ in range(a.runs):
        start = time.perf_counter()
        dc.run(lib, manifest, arrays, persistent)
        times.append(time.perf_counter() - start)
    calls = {e: (fake.scn_fake_cuda_calls(e.encode()) - before[e]) / a.runs for e in ENTRIES}
    resident.release()
    maps = "maps built in every call" if a.fresh else "maps prebuilt"
    print(f"{a.workload} {a.target}, {maps}, weights resident, over the fake driver: "
          f"median {1e3 * np.median(times):.3f} ms, fastest {1e3 * min(times):.3f} ms "
          f"({a.runs} runs)")
    print("driver calls per run: " + ", ".join(f"{e} {n:g}" for e, n in calls.items()))


if __name__ == "__main__":
    main()
