#!/usr/bin/env python3
"""Counts, in W1's compiled CUDA host code, what one run asks of the driver:
host waits (mgpuStreamSynchronize), streams, allocations, DMA copies and
parameter requests, with scn-gpu-async-chain (the default) and without it
(--scn-cuda-pipeline async-chain=false). Static counts of the calls in the
LLVM dialect output; W1 has no loops around them, so each runs once per run.
Runs anywhere (no GPU):

    /usr/bin/python3 bench/gpu/host_waits.py [--element-type f16]

With --marshal it also times what the Python harness does per call before
the compiled code runs: scn.artifact.input_tensors over W1's arrays (its
weights, batch-norm parameters, coordinates and features: the scn_tensor_t
array of scn_model_run), median of 50.

A second table counts the device geometry's calls (scn_cg_gpu_*) and the
host waits they make when the run builds its maps, by the runtime's code
(runtime/lib/CPU/DeviceCodegen.cpp, DeviceSites.h): before the sixteenth
session (every build waited for its stream; inputs and downsampled sets
read their counts back) and now (fences; derived sets' counts left on the
GPU; an input's validation and size in one read). A call that finds its
result built waits no more in either.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
for sub in ("utils", "bench/cpu", "frontends/python"):
    sys.path.insert(0, os.path.join(ROOT, sub))
import point_clouds  # noqa: E402
import run_cpu_bench  # noqa: E402
import spec_to_mlir  # noqa: E402

CALLS = ["mgpuStreamSynchronize", "mgpuStreamCreate", "mgpuMemAlloc", "mgpuMemFree",
         "mgpuMemcpy", "scn_cg_gpu_parameter", "scn_gpu_before_host_access"]


# Host waits of one geometry call that builds: (before the sixteenth
# session, now). An input: (before) its upload, its validation and size
# read (two reads before; again two now when its batch indices exceed the
# batch size the op gives, not for W1), and (before) its build; a
# downsample: (before) its size read and build; a FullConvolution set reads
# its size either way; a pair list reads its K offsets back.
GEOMETRY_WAITS = {
    "scn_cg_gpu_input": (4, 1), "scn_cg_gpu_bl_input": (4, 1),
    "scn_cg_gpu_dense_to_sparse": (2, 2),
    "scn_cg_gpu_downsample": (2, 0), "scn_cg_gpu_full_sites": (2, 1),
    "scn_cg_gpu_kernel_map": (1, 0),
    "scn_cg_gpu_site_row_start": (1, 0), "scn_cg_gpu_rows_by_site": (1, 0),
    "scn_cg_gpu_row_order": (1, 0), "scn_cg_gpu_row_masks": (1, 0),
    "scn_cg_gpu_row_table": (1, 0),
    "scn_cg_gpu_pair_offsets": (2, 1), "scn_cg_gpu_pair_count": (1, 0),
    "scn_cg_gpu_pair_in_rows": (1, 0), "scn_cg_gpu_pair_out_rows": (1, 0),
}


def lowered(mlir, options):
    return subprocess.run([os.path.join(BUILD, "bin", "scn-opt"), mlir,
                           f"--scn-cuda-pipeline={options}"],
                          check=True, capture_output=True, text=True).stdout


def counts(out):
    result = {c: len(re.findall(rf"llvm\.call @{c}\(", out)) for c in CALLS}
    result["kernel launches"] = len(re.findall(r"gpu\.launch_func", out))
    return result


def print_geometry_waits(out):
    """The geometry calls of `out` and their host waits (GEOMETRY_WAITS)."""
    print("Device geometry, calls per run and host waits when the maps are built:")
    print("| call | calls | waits before the sixteenth session | waits now |")
    print("|---|---|---|---|")
    total = [0, 0]
    for name, (host, fenced) in GEOMETRY_WAITS.items():
        n = len(re.findall(rf"llvm\.call @{name}\(", out))
        if n:
            print(f"| {name} | {n} | {n * host} | {n * fenced} |")
            total[0] += n * host
            total[1] += n * fenced
    if re.search(r"llvm\.call @scn_cg_gpu_downsample\(", out):
        # The pyramid's counts, queued together before the first layer
        # (scn-hoist-site-sets): the first read waits, the others find theirs.
        print("| the downsampled sets' counts, first read | 1 | 0 | 1 |")
        total[1] += 1
    print(f"| all | | {total[0]} | {total[1]} |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--element-type", default="f16")
    p.add_argument("--tensor-core-weights", default="global", choices=["global", "shared", "large"])
    p.add_argument("--marshal", action="store_true",
                   help="also time the harness's argument marshalling of W1's arrays")
    a = p.parse_args()
    options = f"element-type={a.element_type}"
    if a.tensor_core_weights != "global":
        options += f" tensor-core-weights={a.tensor_core_weights}"
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    spec = run_cpu_bench.unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True)
    text, args = spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")
    with tempfile.TemporaryDirectory() as tmp:
        mlir = os.path.join(tmp, "w1.mlir")
        with open(mlir, "w") as f:
            f.write(text)
        chained_ir = lowered(mlir, options)
        chained = counts(chained_ir)
        waited = counts(lowered(mlir, options + " async-chain=false"))
    print(f"W1 ({options}), calls per run in the host code:")
    print("| call | async-chain=false | async-chain (default) |")
    print("|---|---|---|")
    for name in ["kernel launches"] + CALLS:
        print(f"| {name} | {waited[name]} | {chained[name]} |")
    print_geometry_waits(chained_ir)
    if a.marshal:
        print(f"harness marshalling of W1's arrays: {marshal_ms(args, coords):.3f} ms "
              "(median of 50)")


def marshal_ms(args, coords):
    """Median ms of scn.artifact.input_tensors over W1's arrays."""
    from scn import artifact
    arrays = list(run_cpu_bench.random_weights([tuple(x) for x in args],
                                               np.random.default_rng(0)).values())
    arrays += [np.ascontiguousarray(coords, np.int64),
               np.zeros((len(coords), 1), np.float32)]
    times = []
    for _ in range(50):
        start = time.perf_counter()
        artifact.input_tensors(arrays)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


if __name__ == "__main__":
    main()
