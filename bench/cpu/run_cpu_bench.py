#!/usr/bin/env python3
"""CPU benchmark of compiled networks (issue: CPU code generation).

Workloads (DESIGN.md section 8), one feature (1.0) per site, inference, batch 1:
  W1  SubmanifoldConvolution(3, 1, 32, 3, False) + UNet(3, reps=2,
      [32, 64, 96, 128, 160], residual_blocks=True, downsample=[2, 2])
      + BatchNormReLU(32) + OutputLayer on the real LiDAR scan at 0.05 m
  W2  SubmanifoldConvolution(3, 1, 16, 3, False) + UNet(3, reps=1,
      [16, 32, 48, 64, 80, 96, 112]) + BatchNormReLU(16) + OutputLayer on the
      real room scan at 0.02 m
  W3  single 3x3x3 submanifold layers on the W1 input, C in = C out.

For each: median end-to-end time (maps built in the run), the median with
site sets and maps built once and reused (`scn-run --reuse-maps`), GFLOP/s of the
useful multiply-adds (2 FLOP each, counted from the real kernel maps), the
share of the machine's fp32 GEMM peak measured in the same run (OpenBLAS
sgemm through numpy; install libopenblas0-pthread), and peak memory.

    /usr/bin/python3 bench/cpu/run_cpu_bench.py [--workloads W3,W2,W1] [--repeat 5]
        [--baseline OTHER_BUILD_DIR [--rounds 3]]

With --baseline (the build directory of another commit: its scn-compile,
scn-run and runtime), each workload is compiled and run by both builds,
alternating for --rounds rounds, and a second table gives the medians over
the rounds and the speed-up over the baseline, measured in the same run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))
import spec_to_mlir  # noqa: E402
import point_clouds  # noqa: E402

BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))


def gemm_peak(n=2048, repeat=5):
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    a @ b
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / np.median(times) / 1e9


def random_weights(args, rng):
    """Random parameters for every weight argument (name, type) of the IR."""
    arrays = {}
    for name, ty in args:
        if name in ("coords", "features"):
            continue
        shape = [int(d) for d in ty[len("tensor<"):-1].split("x")[:-1]]
        if name.endswith("_var"):
            arrays[name] = rng.uniform(0.5, 2.0, shape).astype(np.float32)
        elif name.endswith("_gamma"):
            arrays[name] = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        elif name.endswith(("_beta", "_mean", "_bias")):
            arrays[name] = (0.1 * rng.standard_normal(shape)).astype(np.float32)
        else:
            fan_in = int(np.prod(shape[:-1]))
            arrays[name] = (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)
    return arrays


def unet_spec(size, first, reps, planes, residual):
    layers = [{"type": "SubmanifoldConvolution", "nIn": 1, "nOut": first,
               "filter_size": [3, 3, 3], "bias": False}]
    layers += spec_to_mlir.unet_layers(reps, planes, residual_blocks=residual)
    layers += [{"type": "BatchNormReLU", "nPlanes": planes[0]}, {"type": "OutputLayer"}]
    return {"dimension": 3, "spatial_size": list(size), "input_mode": 4,
            "in_channels": 1, "layers": layers}


def layer_spec(size, c):
    return {"dimension": 3, "spatial_size": list(size), "input_mode": 4, "in_channels": c,
            "layers": [{"type": "SubmanifoldConvolution", "nIn": c, "nOut": c,
                        "filter_size": [3, 3, 3], "bias": False}]}


def prepare(spec, coords, channels, tmp, label):
    """The workload's IR and input arrays (random weights), written once."""
    text, args = spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")
    mlir = os.path.join(tmp, label + ".mlir")
    with open(mlir, "w") as f:
        f.write(text)
    arrays = random_weights(args, np.random.default_rng(0))
    arrays["coords"] = coords
    arrays["features"] = np.ones((len(coords), channels), np.float32)
    npz = os.path.join(tmp, label + ".npz")
    np.savez(npz, **arrays)
    return mlir, npz


def measure(build, mlir, npz, repeat, library):
    """Compiles `mlir` with `build`'s scn-compile and runs it with its
    scn-run: (median ms, median ms with maps prebuilt, compile s, peak MiB)."""
    t = time.perf_counter()
    subprocess.run([os.path.join(build, "bin", "scn-compile"), mlir, "-o", library],
                   check=True, capture_output=True)
    compile_s = time.perf_counter() - t
    scn_run = os.path.join(build, "bin", "scn-run")
    proc = subprocess.run([scn_run, library, "--input", npz, "--repeat", str(repeat)],
                          check=True, capture_output=True, text=True)
    median_ms = float(proc.stdout.split("median ")[1].split(" ms")[0])
    # scn-run's own peak (the arrays it loaded, the network's buffers, maps).
    peak_mb = float(proc.stdout.split("peak RSS ")[1].split(" MiB")[0])
    # The same with site sets and maps built once and reused.
    proc = subprocess.run([scn_run, library, "--input", npz, "--repeat", str(repeat + 1),
                           "--reuse-maps"], check=True, capture_output=True, text=True)
    prebuilt_ms = float(proc.stdout.split("median ")[1].split(" ms")[0])
    return median_ms, prebuilt_ms, compile_s, peak_mb


def run(spec, coords, channels, a, tmp, label):
    """measure() for each build, alternating for a.rounds rounds: per build,
    the median of each measure over the rounds."""
    mlir, npz = prepare(spec, coords, channels, tmp, label)
    builds = [BUILD] + ([a.baseline] if a.baseline else [])
    got = {build: [] for build in builds}
    for _ in range(a.rounds):
        for i, build in enumerate(builds):
            library = os.path.join(tmp, f"{label}.{i}.so")
            got[build].append(measure(build, mlir, npz, a.repeat, library))
    return [tuple(float(np.median(v)) for v in zip(*got[build])) for build in builds]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workloads", default="W3,W2,W1")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--channels", default="16,32,64,128")
    p.add_argument("--baseline", help="another commit's build directory, run beside ours")
    p.add_argument("--rounds", type=int, default=1)
    a = p.parse_args()
    peak = gemm_peak()
    print(f"fp32 GEMM peak (OpenBLAS sgemm 2048^3 via numpy, same run): {peak:.1f} GFLOP/s")
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'all')}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        kitti = None
        for w in a.workloads.split(","):
            if w in ("W1", "W3") and kitti is None:
                kitti = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
            if w == "W3":
                coords, size = kitti
                pairs = point_clouds.count_submanifold_pairs(coords[:, :3])
                for c in [int(v) for v in a.channels.split(",")]:
                    results = run(layer_spec(size, c), coords, c, a, tmp, f"w3_{c}")
                    rows.append((f"W3 C={c}", len(coords), 2.0 * pairs * c * c, results))
            elif w in ("W1", "W2"):
                if w == "W1":
                    coords, size = kitti
                    spec = unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True)
                else:
                    coords, size = point_clouds.voxelize(point_clouds.load_room(), 0.02,
                                                         multiple=64)
                    spec = unet_spec(size, 16, 1, [16, 32, 48, 64, 80, 96, 112], False)
                flop = point_clouds.count_network_flops(spec, coords)
                rows.append((w, len(coords), flop, run(spec, coords, 1, a, tmp, w.lower())))
    print()
    print("| workload | sites | GFLOP | median ms | maps prebuilt ms | GFLOP/s | "
          "share of GEMM peak | time at GEMM peak (ratio) | scn-compile s | "
          "scn-run peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, n, flop, results in rows:
        ms, pre, cs, mb = results[0]
        gflops = flop / (ms / 1e3) / 1e9
        ideal = flop / (peak * 1e9) * 1e3
        print(f"| {name} | {n} | {flop / 1e9:.2f} | {ms:.1f} | {pre:.1f} | {gflops:.1f} | "
              f"{100 * gflops / peak:.0f}% | {ms / ideal:.1f}x | {cs:.2f} | {mb:.0f} |")
    if a.baseline:
        print()
        print(f"Against the baseline {a.baseline} (medians of {a.rounds} alternating rounds):")
        print()
        print("| workload | baseline ms | ours ms | speed-up | baseline prebuilt ms | "
              "ours prebuilt ms | speed-up | baseline peak RSS MiB | ours peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, n, flop, results in rows:
            (ms, pre, _, mb), (bms, bpre, _, bmb) = results
            print(f"| {name} | {bms:.1f} | {ms:.1f} | {bms / ms:.2f}x | {bpre:.1f} | {pre:.1f} | "
                  f"{bpre / pre:.2f}x | {bmb:.0f} | {mb:.0f} |")


if __name__ == "__main__":
    main()
