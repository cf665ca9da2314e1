#!/usr/bin/env python3
"""Builds, on the CPU machine, everything bench/gpu/device_check.py runs on
the GPU machine (which has neither our toolchain nor the CUDA toolkit):

  build/gpu-check/golden/<case>.so      every golden case, --target=cuda
  build/gpu-check/errors/net.so         bad inputs (NaN, out of range, empty)
  build/gpu-check/diff/<seed>.so        random networks (test/Integration/CPU/
               <seed>.npz               random_networks.py): inputs and the
                                        eager PyTorch outputs to compare with
  build/gpu-check/tensor-cores/<c>.<e>.so  the networks of test_tensor_cores.py
                       exact<s>.npz     for f16, bf16 and tf32 tensor cores
                       rounded<s>.<e>.npz  (variants <e>), with the CPU's exact
                                        output (one file a case) or the CPU
                                        emulation's (one a variant) to
                                        compare with
  build/gpu-check/bench/<w>.<t>.so      W1 and the W3 layers (C = 16..128) for
                                        cuda, cuda-f16 and cuda-bf16 (tensor
                                        cores),
                                        cuda-hostmaps (maps on the CPU), cpu;
                                        cuda-f16-act16 (activations stored in
                                        f16 too); cuda-tf32 (fp32 on tensor
                                        cores); cuda-f16-sharedw (weights
                                        in shared memory; -sharedw90 built
                                        for sm_90 alone); cuda-f16-blockw
                                        and -async-blockw (each offset's
                                        weights shared by a block's 4
                                        warps through shared stages);
                                        cuda-f16-wgmma and -wgmma128 (block
                                        weights on wgmma, built for sm_90a
                                        alone; warps of 64 and of 128
                                        output channels);
                                        cuda-f16-noprefetch, -wgmma- and
                                        -wgmma128-noprefetch: without the
                                        warps' row-table prefetch;
                                        cuda-f16-nohoist (W1): site sets
                                        built where first used;
                                        cuda-f16-firstuse (W1): the whole
                                        pyramid where a derived set is
                                        first used;

               inputs.npz, meta.json    their coordinates, weight arguments
                                        (regenerated from a seed on the GPU
                                        machine) and FLOP counts

    /usr/bin/python3 bench/gpu/prepare_check.py [--diff-cases 40] [--chips sm_80,sm_90]

--target=cpu builds the golden and differential networks for the CPU
instead: with SCN_GPU_CHECK_DIR pointing elsewhere, device_check.py then
runs here, a dry run of the check's own logic.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
OUT = os.environ.get("SCN_GPU_CHECK_DIR", os.path.join(BUILD, "gpu-check"))
for sub in ("utils", "bench/cpu", "test/Integration/CPU", "test/Integration/CUDA",
            "frontends/python"):
    sys.path.insert(0, os.path.join(ROOT, sub))
import point_clouds  # noqa: E402
import run_cpu_bench  # noqa: E402
import spec_to_mlir  # noqa: E402


def compile_mlir(text, path, target, chips, extra=()):
    mlir = path[:-3] + ".mlir"
    with open(mlir, "w") as f:
        f.write(text)
    args = [os.path.join(BUILD, "bin", "scn-compile"), mlir, "-o", path, "--target=" + target]
    if target == "cuda" and not any(a.startswith("--chip=") for a in extra):
        args += ("--chip=" + chips).split()
    subprocess.run(args + list(extra), check=True)
    os.remove(mlir)


def prepare_golden(chips, target):
    out = os.path.join(OUT, "golden")
    os.makedirs(out, exist_ok=True)
    cases = sorted(f for f in os.listdir(os.path.join(ROOT, "test", "golden"))
                   if f.endswith(".npz"))
    for name in cases:
        z = np.load(os.path.join(ROOT, "test", "golden", name))
        spec = json.loads(str(z["spec_flat_json"]))
        compile_mlir(spec_to_mlir.spec_to_mlir(spec, z, "const"),
                     os.path.join(out, name[:-4] + ".so"), target, chips)
    print(f"golden: {len(cases)} cases")


def prepare_bad_input(chips, target):
    """test/Integration/CPU/bad_input.mlir (a 1-D submanifold convolution)
    with inputs that must fail cleanly, then a good one with its expected
    output from the CPU, run in the same process after the failures."""
    out = os.path.join(OUT, "errors")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(ROOT, "test", "Integration", "CPU", "bad_input.mlir")) as f:
        compile_mlir(f.read(), os.path.join(out, "net.so"), target, chips)
    coords = np.array([[1, 0], [2, 0], [5, 0]], np.int64)
    features = np.array([[1.0], [2.0], [3.0]], np.float32)
    # Filter of ones over [x-1, x+1]: sites 1 and 2 see each other.
    expected = np.array([[3.0], [3.0], [3.0]], np.float32)
    np.savez(os.path.join(out, "cases.npz"),
             good_coords=coords, good_features=features, good_expected=expected,
             nan_coords=coords, nan_features=np.array([[1.0], [np.nan], [3.0]], np.float32),
             range_coords=np.array([[1, 0], [9, 0]], np.int64),
             range_features=np.ones((2, 1), np.float32),
             empty_coords=np.zeros((0, 2), np.int64),
             empty_features=np.zeros((0, 1), np.float32))
    # f16 range (test/Integration/CUDA/f16-range.mlir): a feature of 70000
    # fails the f16 tensor-core kernel and the f16 activation stores; bf16
    # runs it.
    if target == "cuda":
        with open(os.path.join(ROOT, "test", "Integration", "CUDA", "f16-range.mlir")) as f:
            text = f.read()
        for name, extra in (("tc16", ["--element-type=f16"]), ("act16", ["--activations=f16"]),
                            ("bf16", ["--element-type=bf16"])):
            compile_mlir(text, os.path.join(out, f"range-{name}.so"), target, chips, extra)
        big = np.ones((3, 16), np.float32)
        big[1, 5] = 70000
        np.savez(os.path.join(out, "range.npz"), coords=np.array([[1, 0], [2, 0], [3, 0]],
                                                                np.int64), features=big)
    print("errors: bad_input.mlir and its cases" + (", f16-range.mlir" if target == "cuda" else ""))


def prepare_differential(count, chips, target):
    import random_networks
    import test_differential_cpu as diff
    out = os.path.join(OUT, "diff")
    os.makedirs(out, exist_ok=True)
    for seed in range(count):
        spec, arrays = random_networks.random_case(seed)
        expected = diff.eager(spec, arrays)
        compile_mlir(spec_to_mlir.spec_to_mlir(spec, arrays, "const"),
                     os.path.join(out, f"{seed}.so"), target, chips)
        np.savez(os.path.join(out, f"{seed}.npz"), coords=arrays["coords"],
                 features=arrays["features"],
                 **{"expected/" + k: v for k, v in expected.items()})
    print(f"differential: {count} random networks")


def run_here(network, arrays, workdir):
    """Output of `network` (.mlir: JIT for the CPU; .so: an artifact) run
    by scn-run on this machine."""
    np.savez(os.path.join(workdir, "in.npz"), coords=arrays["coords"],
             features=arrays["features"])
    subprocess.run([os.path.join(BUILD, "bin", "scn-run"), network, "--input",
                    os.path.join(workdir, "in.npz"), "--output",
                    os.path.join(workdir, "out.npz")], check=True)
    return np.load(os.path.join(workdir, "out.npz"))["output"]


def tensor_core_variants():
    """(label, scn-compile flags) of the tensor-core section: each element
    type, f16 and tf32 with async gathers (cp.async into shared-memory
    stages, whose group counts only a GPU checks), and f16 with the weights
    staged too (the layout of their stages, likewise). A label's first part
    names the element type."""
    import test_tensor_cores as tc
    variants = [(e, ["--element-type=" + e]) for e in tc.TYPES] + \
        [(e + "-async", ["--element-type=" + e, "--tensor-core-gathers=async"])
         for e in ("f16", "tf32")] + \
        [("f16-staged", ["--element-type=f16", "--tensor-core-gathers=async",
                         "--tensor-core-weights=staged"])] + \
        [(e + "-block", ["--element-type=" + e, "--tensor-core-weights=block"])
         for e in ("f16", "tf32")] + \
        [("f16-async-block", ["--element-type=f16", "--tensor-core-gathers=async",
                              "--tensor-core-weights=block"])] + \
        [("f16-wgmma", ["--element-type=f16", "--tensor-core-weights=block",
                        "--chip=sm_90a"]),
         ("f16-wgmma128", ["--element-type=f16", "--tensor-core-weights=block",
                           "--chip=sm_90a", "--tensor-core-columns=128"])]
    # The f16 block-weight variants again in blocks of 8 warps ("x8"), and
    # the wgmma ones in clusters of two blocks ("cl2": multicast copies and
    # mbarriers, which only a GPU checks).
    variants += [(label + "x8", flags + ["--tensor-core-block-warps=8"])
                 for label, flags in variants
                 if label in ("f16-block", "f16-async-block", "f16-wgmma", "f16-wgmma128")]
    variants += [(label + "cl2", flags + ["--tensor-core-cluster-blocks=2"])
                 for label, flags in variants if label in ("f16-wgmma", "f16-wgmma128")]
    # Block weights over f32 rows (--narrow-tensor-core-inputs=false), on
    # mma.sync and wgmma: on the wide case, rows too wide to gather ahead
    # (TensorCoreConv::gathersAhead), gathered in the step.
    f32_rows = ["--element-type=f16", "--tensor-core-weights=block",
                "--narrow-tensor-core-inputs=false"]
    return variants + [("f16-block-f32rows", f32_rows),
                       ("f16-wgmma-f32rows", f32_rows + ["--chip=sm_90a"])]


TENSOR_CORE_VARIANTS = tensor_core_variants()
# The variants the many-tile cases run (the others run the seeded cases
# only): block weights and wgmma, whose blocks and warpgroups those cases
# exercise; on 128 output channels, wgmma's warps of 64 (two column tiles)
# and of 128.
# Blocks of 8 warps (two warpgroups, thirteenth session) run only there:
# 250 warp tiles make 31 full blocks and one of 2 warps with rows.
TILES_VARIANTS = {"tiles": ["f16-block", "tf32-block", "f16-async-block", "f16-wgmma",
                            "f16-wgmma128", "f16-blockx8", "f16-async-blockx8", "f16-wgmmax8",
                            "f16-wgmmacl2"],
                  "tiles128": ["f16-wgmma", "f16-wgmma128", "f16-wgmma128x8",
                               "f16-wgmma128cl2"],
                  # 192 -> 64 (twentieth session): rows gathered ahead in
                  # f16, in the step in f32.
                  "wide": ["f16-wgmma", "f16-block-f32rows", "f16-wgmma-f32rows"]}
TILES_ONLY = {"f16-blockx8", "f16-async-blockx8", "f16-wgmmax8", "f16-wgmma128x8",
              "f16-wgmmacl2", "f16-wgmma128cl2", "f16-block-f32rows", "f16-wgmma-f32rows"}


def prepare_tensor_cores(chips, target):
    """The networks of test/Integration/CUDA/test_tensor_cores.py for f16,
    bf16 and tf32 tensor cores, with what the GPU must give: the CPU's fp32 output,
    bit for bit, for the exact cases; the CPU emulation of the same kernels
    for the rounded ones. The dry run (--target=cpu) runs the emulation."""
    import test_tensor_cores as tc
    out = os.path.join(OUT, "tensor-cores")
    os.makedirs(out, exist_ok=True)
    # The seeded cases, the exact 64 -> 64 and 64 -> 128 layers of many
    # tiles (the only exact cases whose input channels come in 64s, which
    # wgmma needs; 128 output channels for warps of 128), and the exact
    # 192 -> 64 layer whose f32 rows are gathered in the step.
    cases = [(seed, True) for seed in tc.EXACT_SEEDS] + \
            [(seed, False) for seed in tc.ROUNDED_SEEDS] + \
            [("tiles", True), ("tiles128", True), ("wide", True)]
    for seed, exact in cases:
        spec, arrays = tc.many_tiles_case() if seed == "tiles" else \
            tc.many_tiles_case(128) if seed == "tiles128" else \
            tc.wide_case() if seed == "wide" else tc.tensor_core_case(seed, exact)
        text = spec_to_mlir.spec_to_mlir(spec, arrays, "const")
        mlir = os.path.join(out, "net.mlir")
        with open(mlir, "w") as f:
            f.write(text)
        cpu = run_here(mlir, arrays, out)
        # An exact case's inputs and expected output are the same for every
        # variant: one file a case (name "exact<seed>.npz"), which the carry
        # holds once (the many-tile cases' are 0.5 and 0.8 MB packed).
        if exact:
            np.savez_compressed(os.path.join(out, f"exact{seed}.npz"), coords=arrays["coords"],
                                features=arrays["features"], expected=cpu,
                                exact=np.array(True))
        for label, flags in TENSOR_CORE_VARIANTS:
            if label not in TILES_VARIANTS.get(seed, [label]) or \
                    (seed not in TILES_VARIANTS and label in TILES_ONLY):
                continue
            name = f"{'exact' if exact else 'rounded'}{seed}.{label}"
            emulated = os.path.join(out, name + ".emulated.so")
            compile_mlir(text, emulated, "cuda-emulated", chips, flags)
            expected = cpu if exact else run_here(emulated, arrays, out)
            if target == "cuda":
                compile_mlir(text, os.path.join(out, name + ".so"), "cuda", chips, flags)
                os.remove(emulated)
            else:
                os.rename(emulated, os.path.join(out, name + ".so"))
            # A rounded case's expected output is its variant's emulation.
            if not exact:
                np.savez_compressed(os.path.join(out, name + ".npz"),
                                    coords=arrays["coords"], features=arrays["features"],
                                    expected=expected, exact=np.array(False))
    for leftover in ("net.mlir", "in.npz", "out.npz"):
        os.remove(os.path.join(out, leftover))
    print(f"tensor cores: {len(cases) - len(TILES_VARIANTS)} networks x "
          f"{[label for label, _ in TENSOR_CORE_VARIANTS if label not in TILES_ONLY]}, "
          "and the many-tile cases x "
          f"{TILES_VARIANTS}")


F16 = ["--element-type=f16"]
ACT16 = ["--activations=f16"]
ASYNC = ["--tensor-core-gathers=async"]
# What the bench times beside cuda (fp32, the plan) and cpu: (target,
# scn-compile flags, workloads: "all"; "large", W1 and the W3 layers of the
# goal (C >= 64), where the check's time allows; "W3", those W3 layers
# alone; or one workload's name). A --chip in the flags replaces --chips
# (compile_mlir).
BENCH_VARIANTS = [
    # Maps built on the CPU and copied (the previous path).
    ("cuda-hostmaps", ["--device-geometry=false"], "all"),
    # Tensor cores (f16 or bf16 multiplicands, f32 accumulators), and f16
    # end to end (activations stored in f16 too).
    ("cuda-f16", F16, "all"),
    # Values derived from the weights alone prepared in every call, as
    # before scn-gpu-prepare-parameters (112 of W1's 190 launches a call).
    ("cuda-f16-noprep", F16 + ["--prepare-parameters=false"], "W1"),
    # Batch norms of rows that other ops read too as kernels of their own,
    # as before the seventeenth session (18 of W1's, and 4 concatenation
    # copies; the default fuses them into the producer's epilogue after a
    # tap step).
    ("cuda-f16-notaps", F16 + ["--epilogue-taps=false"], "W1"),
    # NetworkInNetwork layers as SIMT kernels, as before the seventeenth
    # session (W1's 4 decoder shortcuts; the default runs them on tensor
    # cores as 1x1 convolutions, scn-linear-as-convolution).
    ("cuda-f16-simtlinear", F16 + ["--linear-as-convolution=false"], "W1"),
    ("cuda-bf16", ["--element-type=bf16"], "all"),
    ("cuda-f16-act16", F16 + ACT16, "all"),
    # fp32 on tensor cores, rounded to tf32 (mma.m16n8k8).
    ("cuda-tf32", ["--element-type=tf32"], "large"),
    # Weights in shared memory, a copy per block of 16 warps that loop over
    # warp tiles (every warp reads its own from L2 by default).
    ("cuda-f16-sharedw", F16 + ["--tensor-core-weights=shared"], "large"),
    # The same built for sm_90 alone: one PTX for sm_80 and sm_90 gives a
    # block sm_80's 163 KiB, in which W3 C64's weights fit only for 32 of
    # its 64 output channels (each offset's rows gathered twice: 128 us on
    # the H200 against 86); sm_90's 227 KiB hold all 64 (216 KiB).
    ("cuda-f16-sharedw90", F16 + ["--tensor-core-weights=shared", "--chip=sm_90"], "large"),
    # (Async gathers alone, over f32 or f16 activations, equal to the
    # default on W3 C64 and slower on W1 and C128 on the H200, are no
    # longer timed, nor votes per offset, the shared weights over f16
    # activations or beside async gathers, `=large` on W1, staged weights
    # and the f32 storage of narrow rows: the check's carry has room for
    # the new variants only without them. Async gathers stay in the
    # tensor-core section and beside block weights.)
    # Block weights: the 4 warps of a block share each offset's weights,
    # copied once per block by cp.async into double-buffered shared
    # stages over the union of the warps' masks (every warp reads all of
    # an offset's 8 KiB on W3 C64 from L1/L2 by default: 455 MB of it per
    # run, about 137 MB a block at a time); with async gathers too, the
    # weights in the gathers' stages. (Loads 6 and 24 and the staged
    # weights over f16 activations, no faster than the default on the
    # H200, are no longer timed.)
    ("cuda-f16-blockw", F16 + ["--tensor-core-weights=block"], "large"),
    ("cuda-f16-async-blockw", F16 + ASYNC + ["--tensor-core-weights=block"], "large"),
    # The same block weights built for sm_90a alone: layers whose input
    # channels come in 64s multiply by wgmma m64n64k16, the 4 warps as one
    # warpgroup, B straight from the stage (runs only on sm_90: H100, H200).
    ("cuda-f16-wgmma", F16 + ["--tensor-core-weights=block", "--chip=sm_90a"], "large"),
    # The same with warps of 128 output channels where a layer has them
    # (wgmma m64n128k16: each gathered row serves twice the channels; W3
    # C128 130 registers). (cuda-f16-wide, the rows that only tensor cores
    # read stored in f32 as before the tenth session, 9% slower on W3 C64
    # on the H200, is no longer timed, for the carry's room.)
    ("cuda-f16-wgmma128", F16 + ["--tensor-core-weights=block", "--tensor-core-columns=128",
                                 "--chip=sm_90a"], "large"),
    # (Blocks of 8 warps on W3, cuda-f16-blockw8, -wgmma8 and -wgmma128x8,
    # slower than the 4-warp defaults in the nineteenth session's profiles
    # on the H200 (W3 C64 wgmma8 72 us against wgmma's 59; C128
    # wgmma128x8 158 against wgmma128's 130), are no longer timed, for the
    # carry's room; the tensor-core section still runs their cases.)
    # (The W3 wgmma kernels made to fit one more block an SM,
    # --tensor-core-min-blocks=6 on C64 and 4 on C128, were slower in the
    # fourth GPU session: 65.6 against 51.2 us, 228.6 against 115.4; no
    # longer timed.)
    # Clusters of two wgmma blocks (--tensor-core-cluster-blocks=2,
    # twenty-fourth session): each offset's weights cross L2 once per 128
    # rows (one multicast bulk copy into both blocks, half issued by each),
    # as in blocks of 8 warps, while a block keeps one warpgroup's registers.
    # W3 C128's wgmma128 kernel, at about 820 MB from L2 in 115 us, looked
    # bound by its weights' copies (547 MB of them). ptxas (registers
    # allocated 8 a thread at a time): C64 101 registers (94 without
    # clusters: 4 blocks an SM instead of 5), 96 and 5 blocks, no spill, at
    # --tensor-core-min-blocks=5, timed so (the cluster alone against the
    # default); C128 178 (154: 2 blocks an SM instead of 3), and 168 with 8
    # bytes spilled at --tensor-core-min-blocks=3, which keeps 3: both timed.
    ("cuda-f16-wgmma-cluster-min5", F16 + ["--tensor-core-weights=block", "--chip=sm_90a",
                                           "--tensor-core-cluster-blocks=2",
                                           "--tensor-core-min-blocks=5"], "W3_C64"),
    ("cuda-f16-wgmma128-cluster", F16 + ["--tensor-core-weights=block",
                                         "--tensor-core-columns=128", "--chip=sm_90a",
                                         "--tensor-core-cluster-blocks=2"], "W3_C128"),
    ("cuda-f16-wgmma128-cluster-min3", F16 + ["--tensor-core-weights=block",
                                              "--tensor-core-columns=128", "--chip=sm_90a",
                                              "--tensor-core-cluster-blocks=2",
                                              "--tensor-core-min-blocks=3"], "W3_C128"),
    # Without the warps' prefetch of their row-table lines
    # (--tensor-core-prefetch=false, twenty-first session): what the
    # prefetch gives, on the default (mma.sync) and the wgmma kernels.
    ("cuda-f16-noprefetch", F16 + ["--tensor-core-prefetch=false"], "large"),
    # W1's derived site sets where the network first uses them
    # (--hoist-site-sets=false) instead of the whole pyramid before its first
    # layer: the first layer then waits for level 0's geometry only, and the
    # deeper levels' builds overlap the layers before them (and sort their
    # own counts of keys), at the price of a host wait for each level's
    # count (twenty-first session: maps were 17-19% of W1's end to end).
    ("cuda-f16-nohoist", F16 + ["--hoist-site-sets=false"], "W1"),
    # The whole pyramid queued together right before the network first uses
    # a derived set (--site-sets-at-first-use, twenty-fifth session): level
    # 0's map and layers are queued first, so with the geometry on its own
    # stream the first layer waits for level 0's geometry only, and the
    # host's one wait for the counts overlaps level 0's layers.
    ("cuda-f16-firstuse", F16 + ["--site-sets-at-first-use"], "W1"),
    ("cuda-f16-wgmma-noprefetch", F16 + ["--tensor-core-weights=block", "--chip=sm_90a",
                                         "--tensor-core-prefetch=false"], "W3_C64"),
    ("cuda-f16-wgmma128-noprefetch", F16 + ["--tensor-core-weights=block",
                                            "--tensor-core-columns=128", "--chip=sm_90a",
                                            "--tensor-core-prefetch=false"], "W3_C128"),
]
# (fp32 SIMT threads of 4 x 1, 2 x 8 and 4 x 8 rows x channels, slower than
# the plan's 4 x 4 on the H200 on 2026-11-27, are no longer timed.)
# (cuda-f16-sync, every GPU op waited for as before scn-gpu-async-chain,
# 20.9 against 13.7 ms on W1 on the H200 in the first GPU session, is no
# longer timed either.)


def prepare_bench(chips, channels):
    out = os.path.join(OUT, "bench")
    os.makedirs(out, exist_ok=True)
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    pairs = point_clouds.count_submanifold_pairs(coords[:, :3])
    workloads = {"W1": (run_cpu_bench.unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True), 1)}
    for c in channels:
        workloads[f"W3_C{c}"] = (run_cpu_bench.layer_spec(size, c), c)
    meta = {}
    for name, (spec, in_channels) in workloads.items():
        text, args = spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")
        for target in ("cuda", "cpu"):
            compile_mlir(text, os.path.join(out, f"{name}.{target}.so"), target, chips)
        large = name == "W1" or in_channels >= 64
        for target, flags, scope in BENCH_VARIANTS:
            if scope == "all" or (scope == "large" and large) or scope == name or \
                    (scope == "W3" and large and name != "W1"):
                compile_mlir(text, os.path.join(out, f"{name}.{target}.so"), "cuda", chips,
                             flags)
        flop = (point_clouds.count_network_flops(spec, coords) if name == "W1"
                else 2.0 * pairs * in_channels * in_channels)
        meta[name] = {"args": args, "in_channels": in_channels, "flop": flop}
    np.savez_compressed(os.path.join(out, "inputs.npz"), coords=coords)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f)
    print(f"bench: {', '.join(workloads)} on {len(coords)} sites")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--diff-cases", type=int, default=40)
    p.add_argument("--chips", default="sm_80,sm_90")
    p.add_argument("--channels", default="16,32,64,128")
    p.add_argument("--target", default="cuda", choices=["cuda", "cpu"])
    a = p.parse_args()
    prepare_golden(a.chips, a.target)
    prepare_bad_input(a.chips, a.target)
    prepare_differential(a.diff_cases, a.chips, a.target)
    prepare_tensor_cores(a.chips, a.target)
    if a.target == "cuda":
        prepare_bench(a.chips, [int(c) for c in a.channels.split(",")])


if __name__ == "__main__":
    main()
