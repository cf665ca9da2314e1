"""Batch norms of residual sums as tap epilogues against kernels of their own.

SparseConvNet's residual UNets (W1) batch-norm every block's sum, which is
also the next block's shortcut: the sum has two readers, so its batch norm
used to be a kernel that read the sum back. With `scn-fuse-epilogue` taps
the convolution that makes the sum writes it (its tapped result; straight
into a concatenation's slice where that is the sum's only other reader)
and the batch norm of it, from its registers. This compiles the workload
both ways (`scn-compile --epilogue-taps=true|false`), counts the
batch-norm kernels left, the f32 bytes the taps no longer move (the batch
norms' reads of the sums, and the concatenations' copies of them), and
times both end to end, alternating, in the same run: medians and their
ratio.

    /usr/bin/python3 bench/cpu/epilogue_taps.py --workloads W1,W2 --rounds 3 --repeat 3
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import run_cpu_bench as cpu  # noqa: E402

BIN = os.path.join(cpu.BUILD, "bin")


def workload(name):
    """(spec, coords) of W1 or W2, as run_cpu_bench.py builds them."""
    if name == "W1":
        coords, size = cpu.point_clouds.voxelize(cpu.point_clouds.load_kitti(), 0.05,
                                                 multiple=16)
        return cpu.unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True), coords
    coords, size = cpu.point_clouds.voxelize(cpu.point_clouds.load_room(), 0.02, multiple=64)
    return cpu.unet_spec(size, 16, 1, [16, 32, 48, 64, 80, 96, 112], False), coords


def tapped_bytes(graph, coords):
    """(batch-norm kernels, tapped ops, f32 bytes the taps no longer move) in
    the graph pipeline's output `graph`: one pass over each tapped op's rows
    (the batch norm's read), and two more (the copy's read and write) where
    the tapped rows go straight into a concatenation's slice. Rows of a
    site set: the input's sites, halved per downsample (filter 2, stride 2:
    the unique parents)."""
    level = {}
    for line in graph.splitlines():
        if m := re.search(r"(%[\w]+), %[\w]+ = scn\.input", line):
            level[m.group(1)] = 0
        elif m := re.search(r"(%[\w]+) = scn\.downsample (%[\w]+)", line):
            level[m.group(1)] = level[m.group(2)] + 1
    sites = {}
    pass_bytes = {}  # tapped value -> bytes of one f32 pass over its rows
    for line in graph.splitlines():
        if "#scn.step<tap>" not in line:
            continue
        tapped = re.search(r"%[\w]+, (%[\w]+) = scn\.", line).group(1)
        where = re.search(r"(?: on | to )(%[\w]+)", line).group(1)
        channels = int(re.search(r"tensor<\d+x\d+x\d+x(\d+)xf32>", line).group(1))
        k = level[where]
        if k not in sites:
            sites[k] = len(np.unique(coords[:, :3] // (2 ** k), axis=0))
        pass_bytes[tapped] = sites[k] * channels * 4
    total = sum(pass_bytes.values())
    for line in graph.splitlines():
        if m := re.search(r"scn\.concat ([^{:]*)\{fused_operands = array<i64: ([\d, ]+)>", line):
            operands = [o.strip() for o in m.group(1).split(",")]
            for index in (int(i) for i in m.group(2).split(",")):
                total += 2 * pass_bytes.get(operands[index], 0)
    return graph.count("scn.batch_norm"), len(pass_bytes), total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workloads", default="W1,W2")
    p.add_argument("--rounds", type=int, default=3,
                   help="alternations of the two artifacts, each an scn-run of --repeat runs")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    print(f"threads: OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'all')}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.workloads.split(","):
            spec, coords = workload(name)
            text, args = cpu.spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")
            mlir = os.path.join(tmp, name + ".mlir")
            with open(mlir, "w") as f:
                f.write(text)
            arrays = cpu.random_weights(args, np.random.default_rng(0))
            arrays["coords"] = coords
            arrays["features"] = np.ones((len(coords), 1), np.float32)
            npz = os.path.join(tmp, name + ".npz")
            np.savez(npz, **arrays)
            graphs, libraries = {}, {}
            for taps in ("true", "false"):
                graphs[taps] = subprocess.run(
                    [os.path.join(BIN, "scn-opt"), mlir,
                     f"--scn-graph-pipeline=epilogue-taps={taps}"],
                    check=True, capture_output=True, text=True).stdout
                libraries[taps] = os.path.join(tmp, f"{name}.{taps}.so")
                subprocess.run([os.path.join(BIN, "scn-compile"), mlir, "-o",
                                libraries[taps], f"--epilogue-taps={taps}"],
                               check=True, capture_output=True)
            outputs, times = {}, {"true": [], "false": []}
            for _ in range(a.rounds):
                for taps in ("true", "false"):
                    out = os.path.join(tmp, f"{name}.{taps}.out.npz")
                    proc = subprocess.run(
                        [os.path.join(BIN, "scn-run"), libraries[taps], "--input", npz,
                         "--output", out, "--repeat", str(a.repeat)],
                        check=True, capture_output=True, text=True)
                    times[taps].append(float(proc.stdout.split("median ")[1].split(" ms")[0]))
                    outputs[taps] = np.load(out)["output"]
            scale = max(1.0, float(np.abs(outputs["false"]).max()))
            difference = float(np.abs(outputs["true"] - outputs["false"]).max()) / scale
            kernels_off, _, _ = tapped_bytes(graphs["false"], coords)
            kernels_on, taps, saved = tapped_bytes(graphs["true"], coords)
            on, off = statistics.median(times["true"]), statistics.median(times["false"])
            print(f"{name} per-invocation medians, ms: taps {times['true']}, "
                  f"no taps {times['false']}")
            rows.append((name, kernels_off, kernels_on, taps, saved / 1e6, off, on, off / on,
                         difference))
    print()
    print("| workload | batch-norm kernels, no taps | with taps | tapped ops | "
          "f32 MB not moved | no taps ms | taps ms | speedup | output difference |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.1f} | {r[5]:.1f} | {r[6]:.1f} | "
              f"{r[7]:.3f}x | {r[8]:.1e} |")


if __name__ == "__main__":
    main()
