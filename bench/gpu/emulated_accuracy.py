#!/usr/bin/env python3
"""The error of the tensor-core kernels (f16, bf16 and tf32 multiplicands, fp32
accumulators; and f16 with activations stored in f16 between ops) against
the fp32 CPU kernels, on the real LiDAR scan at
0.05 m, without a GPU: the networks are compiled with
--target=cuda-emulated, whose tensor-core kernels round exactly as the GPU
ones do (only the order of the fp32 sums inside an mma differs).

    /usr/bin/python3 bench/gpu/emulated_accuracy.py W3   # one 64-channel layer, ~15 s
    /usr/bin/python3 bench/gpu/emulated_accuracy.py W1   # the UNet, ~11 min on 2 cores

Weights are bench/cpu/run_cpu_bench.py's random ones (seed 0); features are
standard normal (seed 1). Errors are relative to the largest |output| (max)
and to the mean |output| (mean).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
for sub in ("bench/cpu", "utils"):
    sys.path.insert(0, os.path.join(ROOT, sub))
import point_clouds  # noqa: E402
import run_cpu_bench  # noqa: E402
import spec_to_mlir  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["W1", "W3"])
    a = p.parse_args()
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    if a.workload == "W1":
        spec, channels = run_cpu_bench.unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True), 1
    else:
        spec, channels = run_cpu_bench.layer_spec(size, 64), 64
    text, args = spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")
    arrays = run_cpu_bench.random_weights([tuple(x) for x in args], np.random.default_rng(0))
    arrays["coords"] = coords
    arrays["features"] = np.random.default_rng(1).standard_normal(
        (len(coords), channels)).astype(np.float32)
    outputs = {}
    with tempfile.TemporaryDirectory() as tmp:
        mlir, inputs = os.path.join(tmp, "net.mlir"), os.path.join(tmp, "in.npz")
        with open(mlir, "w") as f:
            f.write(text)
        np.savez(inputs, **arrays)
        # f16-act16: f16 multiplicands and activations stored in f16 between
        # ops (--activations=f16): f16 end to end.
        variants = {"f32": [], "f16": ["--element-type=f16"], "bf16": ["--element-type=bf16"],
                    "tf32": ["--element-type=tf32"],
                    "f16-act16": ["--element-type=f16", "--activations=f16"]}
        for element, flags in variants.items():
            library = os.path.join(tmp, element + ".so")
            target = flags and ["--target=cuda-emulated"] + flags
            subprocess.run([os.path.join(BUILD, "bin", "scn-compile"), mlir, "-o", library]
                           + target, check=True, capture_output=True)
            out = os.path.join(tmp, element + ".npz")
            start = time.perf_counter()
            subprocess.run([os.path.join(BUILD, "bin", "scn-run"), library, "--input", inputs,
                            "--output", out], check=True, capture_output=True)
            outputs[element] = np.load(out)["output"]
            print(f"{element}: ran in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    reference = outputs["f32"]
    print(f"{a.workload} on {len(coords)} sites, output {reference.shape}")
    print("| multiplicands | max error / max |output| | mean error / mean |output| |")
    print("|---|---|---|")
    for element in ("f16", "bf16", "tf32", "f16-act16"):
        error = np.abs(outputs[element] - reference)
        print(f"| {element} | {error.max() / np.abs(reference).max():.2e} | "
              f"{error.mean() / np.abs(reference).mean():.2e} |")


if __name__ == "__main__":
    main()
