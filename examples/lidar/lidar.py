#!/usr/bin/env python3
"""The W1 network on a real driving LiDAR scan: compile, run, time, render.

    PYTHONPATH=frontends/python /usr/bin/python3 examples/lidar/lidar.py

W1 (docs/design.md section 8) is SparseConvNet's 3-D segmentation backbone:
SubmanifoldConvolution(3, 1, 32, 3) + UNet(3, reps=2, [32, 64, 96, 128, 160],
residual_blocks=True) + BatchNormReLU(32) + OutputLayer, here with seeded
random weights (the timing does not depend on them). The scan
(bench/data/kitti-lidar-scan.npz, 198k points) is voxelised at 0.05 m:
about 173k active sites, then 126k, 67k, 28k and 11k at strides 2..16.

Steps: voxelise and render the scan (PNG, top-down, coloured by height);
build the network with the scn package; scn.compile it (traced on a small
crop: the artifact runs any point count); run the eager model once and the
compiled one --repeat times on the whole scan; print the benchmark table of
bench/cpu (median ms, GFLOP/s from the real kernel maps, share of this
machine's fp32 GEMM peak measured in the same run, peak memory).
"""

import argparse
import os
import resource
import sys
import time

import numpy as np
import torch

import scn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import point_clouds  # noqa: E402  (scan loading and voxelisation, shared with the benchmark)
from timing import median_ms  # noqa: E402  (shared by the examples)
import run_cpu_bench  # noqa: E402  (W1's spec for FLOP counting, the GEMM peak)

PLANES = [32, 64, 96, 128, 160]
# Largest |compiled - eager| accepted per element type of the CUDA target:
# absolute for fp32, relative to the largest output (at least 1) for tensor
# cores, which round their inputs.
TOLERANCE = {"f32": 1e-3, "f16": 2e-3, "bf16": 1e-2}


def build_w1(size):
    torch.manual_seed(0)
    model = scn.Sequential(
        scn.InputLayer(3, torch.LongTensor(size), mode=4),
        scn.SubmanifoldConvolution(3, 1, PLANES[0], 3, False),
        scn.UNet(3, 2, PLANES, residual_blocks=True, downsample=[2, 2]),
        scn.BatchNormReLU(PLANES[0]),
        scn.OutputLayer(3))
    # Trained-looking BatchNorm statistics, so that every layer does real work.
    for name, buf in model.named_buffers():
        if name.endswith("running_var"):
            buf.uniform_(0.5, 2.0)
        elif name.endswith("running_mean"):
            buf.normal_(0, 0.1)
    return model.eval()


def load_scan(voxel, crop):
    points = point_clouds.load_kitti()
    if crop:
        points = points[(np.abs(points[:, 0]) < crop) & (np.abs(points[:, 1]) < crop)]
    coords, size = point_clouds.voxelize(points, voxel, multiple=16)
    return points, coords, size


def render(points, coords, voxel, path):
    """Top-down view of the voxelised scan, coloured by height, with a zoom on
    the car's surroundings at stride 1 and at stride 4 (the UNet's third level)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    origin = points.min(0)
    xyz = coords[:, :3] * voxel + origin + voxel / 2
    order = np.argsort(xyz[:, 2])  # draw high voxels last, so roofs and trees stay visible
    xyz = xyz[order]
    fig = plt.figure(figsize=(16, 7), dpi=100, facecolor="black")
    grid = fig.add_gridspec(2, 3, width_ratios=[2.2, 1, 1], wspace=0.05, hspace=0.15)
    ax = fig.add_subplot(grid[:, 0])
    zlim = np.percentile(xyz[:, 2], [1, 99])
    ax.scatter(xyz[:, 0], xyz[:, 1], c=xyz[:, 2], s=0.4, cmap="turbo",
               vmin=zlim[0], vmax=zlim[1], linewidths=0)
    ax.set_title(f"{len(coords):,} active voxels at {voxel} m (top-down, colour = height)",
                 color="white")
    zoom = 12.0
    ax.add_patch(plt.Rectangle((-zoom, -zoom), 2 * zoom, 2 * zoom, fill=False,
                               edgecolor="white", linewidth=0.8))
    for row, stride in enumerate([1, 4]):
        sub = fig.add_subplot(grid[row, 1:])
        c = np.unique(coords[:, :3] // stride, axis=0)
        v = voxel * stride
        p = c * v + origin + v / 2
        keep = (np.abs(p[:, 0]) < zoom) & (np.abs(p[:, 1]) < zoom)
        p = p[keep][np.argsort(p[keep][:, 2])]
        sub.scatter(p[:, 0], p[:, 1], c=p[:, 2], s=(0.6 if stride == 1 else 6), marker="s",
                    cmap="turbo", vmin=zlim[0], vmax=zlim[1], linewidths=0)
        sub.set_title(f"stride {stride}: {len(c):,} sites ({v:.2f} m voxels); "
                      f"zoom on the {2 * zoom:.0f} m square", color="white", fontsize=10)
    for a in fig.axes:
        a.set_aspect("equal")
        a.set_facecolor("black")
        a.set_xticks([])
        a.set_yticks([])
    fig.savefig(path, facecolor="black", bbox_inches="tight")
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--voxel", type=float, default=0.05, help="voxel size in metres")
    p.add_argument("--crop", type=float, default=0.0,
                   help="keep points with |x|,|y| below this many metres (0: the whole scan)")
    p.add_argument("--repeat", type=int, default=5, help="compiled runs to time")
    p.add_argument("--no-eager", action="store_true", help="skip the eager reference run")
    p.add_argument("--png", default=os.path.join(ROOT, "examples", "lidar", "lidar.png"))
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    p.add_argument("--target", choices=["cpu", "cuda"], default="cpu",
                   help="where the compiled network runs (cuda: fp32 kernels, needs a GPU; "
                        "see docs/cuda.md)")
    p.add_argument("--element-type", choices=list(TOLERANCE), default="f32",
                   help="cuda: f16 or bf16 runs the convolutions of 16k channels on tensor "
                        "cores (sm_80+)")
    a = p.parse_args()
    if a.element_type != "f32" and a.target != "cuda":
        p.error("--element-type is for --target cuda (the CPU target is f32)")
    # Debian's torch starts with one thread; the compiled code uses every core.
    torch.set_num_threads(a.threads or os.cpu_count())

    points, coords, size = load_scan(a.voxel, a.crop)
    pyramid = [len(np.unique(coords[:, :3] // (2 ** k), axis=0)) for k in range(len(PLANES))]
    print(f"scan: {len(points):,} points -> {len(coords):,} voxels at {a.voxel} m, grid "
          f"{'x'.join(map(str, size))}; sites per UNet level: "
          + ", ".join(f"{n:,}" for n in pyramid), flush=True)
    t = time.perf_counter()
    render(points, coords, a.voxel, a.png)
    print(f"wrote {os.path.relpath(a.png)} in {time.perf_counter() - t:.1f} s", flush=True)

    model = build_w1(size)
    x = [torch.from_numpy(coords), torch.ones(len(coords), 1)]
    # Trace on a small crop (tracing runs the eager model once); shapes are dynamic.
    near = np.abs(coords[:, :2] * a.voxel + points.min(0)[:2]).max(1) < 5
    example = [x[0][torch.from_numpy(near)], x[1][torch.from_numpy(near)]]
    t = time.perf_counter()
    compiled = scn.compile(model, example, target=a.target, verbose=True,
                           element_type=a.element_type if a.target == "cuda" else None)
    compile_s = time.perf_counter() - t

    print(f"compiled W1 ({a.target}, {a.element_type}), {a.repeat} runs on the whole scan:",
          flush=True)
    out = compiled(x)  # warm-up: first touch of the buffers and the thread pool
    compiled_ms = median_ms(lambda: compiled(x), a.repeat, progress=True)
    eager_ms = err = None
    if not a.no_eager:
        t = time.perf_counter()
        with torch.no_grad():
            ref = model(x)
        eager_ms = (time.perf_counter() - t) * 1e3
        err = float((out - ref).abs().max())
        print(f"eager W1, 1 run: {eager_ms:.0f} ms; max |compiled - eager| = {err:.2e} "
              f"(outputs up to {float(ref.abs().max()):.2f})", flush=True)

    flop = point_clouds.count_network_flops(
        run_cpu_bench.unet_spec(size, PLANES[0], 2, PLANES, True), coords)
    # The CPU's GEMM peak is the roofline of the CPU target only.
    peak = run_cpu_bench.gemm_peak() if a.target == "cpu" else None
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gflops = flop / (compiled_ms / 1e3) / 1e9
    print()
    if peak:
        print(f"fp32 GEMM peak (OpenBLAS sgemm 2048^3 through numpy, same run): "
              f"{peak:.1f} GFLOP/s; threads: {torch.get_num_threads()}")
    print("| workload | sites | GFLOP | eager ms | compiled median ms | speed-up | GFLOP/s | "
          "share of GEMM peak | scn.compile s | process peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    eager = f"{eager_ms:.0f}" if eager_ms else "-"
    speedup = f"{eager_ms / compiled_ms:.1f}x" if eager_ms else "-"
    print(f"| W1 | {len(coords)} | {flop / 1e9:.2f} | {eager} | {compiled_ms:.0f} | {speedup} | "
          f"{gflops:.1f} | {f'{100 * gflops / peak:.0f}%' if peak else '-'} | {compile_s:.1f} | "
          f"{rss_mib:.0f} |")
    assert out.shape == (len(coords), PLANES[0])
    if err is not None:
        # Tensor cores round inputs: f16 and bf16 W1 measured 3.4e-4 and
        # 1.9e-3 of the largest output (bench/gpu/README.md).
        scale = 1.0 if a.element_type == "f32" else max(1.0, float(ref.abs().max()))
        assert err < TOLERANCE[a.element_type] * scale, err
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
