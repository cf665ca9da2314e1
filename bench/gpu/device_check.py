#!/usr/bin/env python3
"""The GPU machine's half of bench/gpu/check.sh: runs what
bench/gpu/prepare_check.py built (build/gpu-check) with numpy and ctypes
only, and prints a short table; the full log goes to $OUT.

  1. every golden case on the GPU, by the rules of test/golden/README.md;
     bad input (NaN, out-of-range coordinates, an empty batch) fails or
     passes cleanly, and a good run after the failures is right;
  2. the differential test: random networks on the GPU against the eager
     PyTorch outputs computed on the CPU machine;
  3. the tensor-core kernels (f16, bf16, tf32): exact cases against the CPU's fp32
     output bit for bit, rounded ones against the CPU emulation;
  4. W1 (the LiDAR scan at 0.05 m, maps built in every run) and the W3 layers
     on the GPU in fp32 and on tensor cores (f16, bf16, tf32 inputs), and in the same run
     on this machine's CPU: medians, useful TFLOP/s, the share of the GPU's
     fp32 and fp16 GEMM throughput measured here with torch (cuBLAS), when
     torch with CUDA is installed, and the f16/bf16/tf32 error against fp32.
"""

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
CHECK = os.environ.get("SCN_GPU_CHECK_DIR", os.path.join(BUILD, "gpu-check"))
for sub in ("utils", "bench/cpu"):
    sys.path.insert(0, os.path.join(ROOT, sub))
import golden_compare  # noqa: E402
import run_cpu_bench  # noqa: E402
import timeline  # noqa: E402  (bench/gpu, this file's folder)

# scn/artifact.py by path: the scn package itself needs torch 1.13's API.
_spec = importlib.util.spec_from_file_location(
    "scn_artifact", os.path.join(ROOT, "frontends", "python", "scn", "artifact.py"))
artifact = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(artifact)


def load(path):
    return artifact.load_artifact(path, os.path.join(BUILD, "lib"))


def run(lib, manifest, arrays, persistent=None):
    """Outputs by name of one run on arrays by name."""
    inputs = [np.ascontiguousarray(arrays[i["name"]], artifact.DTYPES[i["dtype"]])
              for i in manifest["inputs"]]
    outs = artifact.run_artifact(lib, manifest, inputs, persistent)
    return {o["name"]: v for o, v in zip(manifest["outputs"], outs)}


# A correctness case with no result after this long is taken as hung (a
# kernel that never finishes, as a barrier that not all warps reach would
# give): its section goes on in a fresh process without it, so a hang costs
# one case, not the rest of its section.
CASE_SECONDS = float(os.environ.get("SCN_DEVICE_CHECK_CASE_SECONDS", "10"))
HUNG_EXIT = 75
# In a section's process (run_section): where each case's verdict goes, one
# line a case, for the parent (run_section_bounded), and the cases an
# earlier process of the section has a verdict for.
_PROGRESS = None
_SKIP = frozenset()


# Held while a case's verdict is written, and by the watchdog: a case that
# finishes as its watchdog fires is either written or reported hung.
_VERDICT_LOCK = threading.Lock()


def _hung(log, label, case, finished):
    """The watchdog's end of a case that did not finish."""
    with _VERDICT_LOCK:
        if finished.is_set():
            return
        print(f"{label} {case}: FAIL hung: no result after {CASE_SECONDS:g} s", file=log,
              flush=True)
        if _PROGRESS:
            with open(_PROGRESS, "a") as progress:
                print(f"{case}\tHUNG", file=progress)
        os._exit(HUNG_EXIT)


def record(log, label, cases, check):
    """Runs `check(case)` (a problem string, or None) on every case but those
    an earlier process of the section did; a failed case, raising or not,
    does not stop the others, and a hung one ends the process (HUNG_EXIT)
    after saying so. Logs each result; returns (number of cases run, failed
    cases)."""
    cases = list(cases)
    if _PROGRESS:
        with open(_PROGRESS, "a") as progress:
            print(f"#total {len(cases)}", file=progress)
    failed = []
    todo = [case for case in cases if str(case) not in _SKIP]
    for case in todo:
        finished = threading.Event()
        watchdog = threading.Timer(CASE_SECONDS, _hung, (log, label, case, finished))
        watchdog.daemon = True
        watchdog.start()
        try:
            problem = check(case)
        except Exception as e:
            problem = f"{type(e).__name__}: {e}"
        with _VERDICT_LOCK:  # the watchdog either ended the process or gives up
            finished.set()
            watchdog.cancel()
            print(f"{label} {case}: {'PASS' if problem is None else 'FAIL ' + problem}",
                  file=log, flush=True)
            if _PROGRESS:
                with open(_PROGRESS, "a") as progress:
                    print(f"{case}\t{'PASS' if problem is None else 'FAIL'}", file=progress)
        if problem is not None:
            failed.append(case)
    return len(todo), failed


def check_golden(log):
    directory = os.path.join(CHECK, "golden")

    def check(name):
        case = np.load(os.path.join(ROOT, "test", "golden", name + ".npz"))
        lib, manifest = load(os.path.join(directory, name + ".so"))
        inputs = {"coords": case["coords"], "features": case["features"]}
        # Twice: the second call finds the values the first prepared from
        # the baked weights (scn-gpu-prepare-parameters) and skips their
        # kernels.
        problems = []
        for call in ("first call", "second call"):
            problems += [f"{call}: {p}"
                         for p in golden_compare.compare_golden(case, run(lib, manifest, inputs))]
        return "; ".join(problems) if problems else None

    names = sorted(f[:-3] for f in os.listdir(directory) if f.endswith(".so"))
    return record(log, "golden", names, check)


def check_differential(log):
    directory = os.path.join(CHECK, "diff")

    def check(seed):
        z = np.load(os.path.join(directory, f"{seed}.npz"))
        lib, manifest = load(os.path.join(directory, f"{seed}.so"))
        got = run(lib, manifest, z)
        g, e = got["output"], z["expected/output"]
        if "expected/output_coords" in z.files:
            gc, ec = got["output_coords"], z["expected/output_coords"]
            go, eo = golden_compare.sort_rows(gc), golden_compare.sort_rows(ec)
            if not np.array_equal(gc[go], ec[eo]):
                return "output coordinates differ"
            g, e = g[go], e[eo]
        if g.shape != e.shape:
            return f"output shape {g.shape}, expected {e.shape}"
        err = float(np.abs(g - e).max()) if e.size else 0.0
        scale = max(1.0, float(np.abs(e).max())) if e.size else 1.0
        return None if err <= 1e-4 * scale else f"max error {err:.3g} (scale {scale:.3g})"

    seeds = sorted(int(f[:-3]) for f in os.listdir(directory) if f.endswith(".so"))
    return record(log, "differential", seeds, check)


def compute_capability():
    """This machine's GPU's compute capability ("9.0"), read once; None
    without nvidia-smi (the dry run on the CPU, whose artifacts are
    emulations)."""
    global _CAPABILITY
    if _CAPABILITY == "":
        try:
            caps = subprocess.run(
                ["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"],
                capture_output=True, text=True, check=True).stdout.split()
            _CAPABILITY = caps[0] if caps else None
        except (OSError, subprocess.CalledProcessError):
            _CAPABILITY = None
    return _CAPABILITY


_CAPABILITY = ""


def runnable(artifact):
    """Whether this GPU runs `artifact` (a file or target name): those built
    for sm_90 alone (names with "wgmma", sm_90a; "sharedw90") only on
    compute capability 9.0 (H100, H200)."""
    if "wgmma" not in artifact and "sharedw90" not in artifact:
        return True
    return compute_capability() in (None, "9.0")


def check_tensor_cores(log):
    """Tensor-core kernels (f16, bf16, tf32) on the hardware: exact cases equal
    the CPU's fp32 output bit for bit (a fragment layout mistake cannot
    hide); rounded ones match the CPU emulation of the same kernels within
    test_tensor_cores.GPU_VS_EMULATION (the order of fp32 sums)."""
    directory = os.path.join(CHECK, "tensor-cores")
    sys.path.insert(0, os.path.join(ROOT, "test", "Integration", "CUDA"))
    import test_tensor_cores as tc

    def check(name):
        # A rounded case's own expected output, else its exact case's (one
        # file for every variant: "exact<seed>.npz").
        path = os.path.join(directory, name + ".npz")
        if not os.path.exists(path):
            path = os.path.join(directory, name.rsplit(".", 1)[0] + ".npz")
        z = np.load(path)
        lib, manifest = load(os.path.join(directory, name + ".so"))
        got, expected = run(lib, manifest, z)["output"], z["expected"]
        if got.shape != expected.shape:
            return f"output shape {got.shape}, expected {expected.shape}"
        err = float(np.abs(got - expected).max()) if expected.size else 0.0
        element = name.rsplit(".", 1)[1].split("-")[0]  # f16-async: f16's tolerance
        limit = 0.0 if bool(z["exact"]) else tc.GPU_VS_EMULATION[element] * \
            max(1.0, float(np.abs(expected).max()) if expected.size else 1.0)
        return None if err <= limit else f"max error {err:.3g} (allowed {limit:.3g})"

    names = sorted(f[:-3] for f in os.listdir(directory) if f.endswith(".so") and runnable(f))
    return record(log, "tensor cores", names, check)


def check_errors(log):
    """Bad input fails with the runtime's message, in one process, and a
    good run after the failures still gives the right numbers (a failure
    must not leave a broken CUDA context behind)."""
    directory = os.path.join(CHECK, "errors")
    z = np.load(os.path.join(directory, "cases.npz"))
    lib, manifest = load(os.path.join(directory, "net.so"))
    expected_errors = {"nan": "input features contain NaN",
                       "range": "coords row 1 column 0 = 9 is outside [0, 8)",
                       "empty": None, "good": None}
    # f16-range.mlir: a feature of 70000 on the f16 paths, then bf16.
    range_errors = {"tc16": "exceeds the f16 range of the tensor-core convolutions",
                    "act16": "exceeds the f16 range of --activations=f16", "bf16": None}
    if os.path.exists(os.path.join(directory, "range.npz")):
        expected_errors.update({"f16 range " + k: v for k, v in range_errors.items()})
        expected_errors["good"] = expected_errors.pop("good")  # last, after every failure
        big = dict(np.load(os.path.join(directory, "range.npz")))

    def check(name):
        if name.startswith("f16 range "):
            kind = name.split()[-1]
            lib16, manifest16 = load(os.path.join(directory, f"range-{kind}.so"))
            try:
                out = run(lib16, manifest16, big)["output"]
            except RuntimeError as e:
                error = expected_errors[name]
                return None if error and error in str(e) else f"error: {e}"
            if expected_errors[name]:
                return f"no error (expected one containing '{expected_errors[name]}')"
            return None if np.isfinite(out).all() else "output not finite"
        arrays = {"coords": z[name + "_coords"], "features": z[name + "_features"]}
        error = expected_errors[name]
        try:
            out = run(lib, manifest, arrays)["output"]
        except RuntimeError as e:
            return None if error and error in str(e) else f"error: {e}"
        if error:
            return f"no error (expected one containing '{error}')"
        if name == "good" and not np.allclose(out, z["good_expected"]):
            return f"output {out.ravel().tolist()}"
        if name == "empty" and out.shape != (0, 1):
            return f"output shape {out.shape}"
        return None

    return record(log, "errors", list(expected_errors), check)


GEMM_PEAKS = r"""
import json, time
import torch
if not torch.cuda.is_available():
    print("null")
    raise SystemExit
torch.backends.cuda.matmul.allow_tf32 = False
peaks = []
for dtype in (torch.float32, torch.float16):
    a = torch.randn(8192, 8192, device="cuda", dtype=dtype)
    b = torch.randn(8192, 8192, device="cuda", dtype=dtype)
    a @ b
    torch.cuda.synchronize()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        a @ b
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    times.sort()
    peaks.append(2 * 8192 ** 3 / times[2] / 1e12)
# Device memory bandwidth: a 2 GiB device-to-device copy, bytes read plus
# written.
src = torch.empty(2 ** 31, dtype=torch.uint8, device="cuda").random_()
dst = torch.empty_like(src)
dst.copy_(src)
torch.cuda.synchronize()
times = []
for _ in range(5):
    t = time.perf_counter()
    dst.copy_(src)
    torch.cuda.synchronize()
    times.append(time.perf_counter() - t)
times.sort()
peaks.append(2 * 2 ** 31 / times[2] / 1e12)
print(json.dumps(peaks))
"""


def gemm_peaks():
    """(fp32, fp16) TFLOP/s of cuBLAS GEMM 8192^3 through torch and the
    device copy bandwidth in TB/s, or None. In
    a process of its own, so that torch (and its OpenMP runtime) stays out of
    the process that times the CPU baseline."""
    try:
        proc = subprocess.run([sys.executable, "-c", GEMM_PEAKS], capture_output=True,
                              text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None
    try:
        peaks = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return tuple(peaks) if peaks else None


def time_runs(lib, manifest, arrays, repeat, persistent=None):
    """Median ms of `repeat` runs after a warm-up (module load, first-touch
    migration, and with a persistent run the geometry it then reuses)."""
    run(lib, manifest, arrays, persistent)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run(lib, manifest, arrays, persistent)
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


# Pairs of runs (one building its maps, one reusing them) a GPU target
# times: the map share is a difference of two times of about 1.4 ms in 7
# (W1 f16), and the same target timed 5 times in a row and again at the
# end of the bench differed by more than that (H200, 2026-11-28: 5.97
# against 6.89 ms prebuilt).
GPU_TIMED_PAIRS = 15


def time_pairs(lib, manifest, arrays, pairs, persistent):
    """(median ms end to end, median ms with maps prebuilt, median of each
    pair's map share 1 - prebuilt / end to end) of `pairs` runs of each,
    alternating, after a warm-up of both: whatever slows the machine for a
    while slows both sides of the pairs it spans, where two blocks of runs
    one after the other would each see a different machine."""
    run(lib, manifest, arrays)
    run(lib, manifest, arrays, persistent)
    fresh, prebuilt = [], []
    for _ in range(pairs):
        t = time.perf_counter()
        run(lib, manifest, arrays)
        fresh.append(time.perf_counter() - t)
        t = time.perf_counter()
        run(lib, manifest, arrays, persistent)
        prebuilt.append(time.perf_counter() - t)
    shares = [1.0 - p / f for f, p in zip(fresh, prebuilt)]
    return 1e3 * float(np.median(fresh)), 1e3 * float(np.median(prebuilt)), \
        float(np.median(shares))


# The most telling first: a run cut short still has W1 in f16 and fp32 and
# the W3 layers with C >= 64 (the issue's goals).
WORKLOADS = ("W1", "W3_C64", "W3_C128", "W3_C32", "W3_C16")
# The issue's numbers (f16, fp32, the CPU) and the candidates waiting for a
# GPU run for every workload before any other variant.
PRIMARY_TARGETS = ("cuda-f16", "cuda", "cpu", "cuda-f16-noprep", "cuda-f16+hostwaits",
                   "cuda-f16-notaps", "cuda-f16-simtlinear",
                   "cuda-f16-blockw",
                   "cuda-f16-async-blockw",
                   "cuda-f16-wgmma", "cuda-f16-wgmma128",
                   "cuda-f16-wgmma-cluster-min5", "cuda-f16-wgmma128-cluster",
                   "cuda-f16-wgmma128-cluster-min3",
                   "cuda-f16-noprefetch", "cuda-f16-wgmma-noprefetch",
                   "cuda-f16-wgmma128-noprefetch", "cuda-f16-nohoist", "cuda-f16-firstuse",
                   "cuda-f16+keypacking", "cuda-f16-wgmma+keypacking",
                   "cuda-f16+legacystream", "cuda-f16+driverpool",
                   "cuda-f16-sharedw", "cuda-f16-sharedw90",
                   "cuda-tf32", "cuda-bf16", "cuda-f16-act16")
OTHER_TARGETS = ("cuda-f16+hashlookups", "cuda-f16+maskorder", "cuda-f16+keyblocks",
                 "cuda-f16-wgmma+keyblocks", "cuda-hostmaps", "cuda-f16+pageable")
TARGETS = PRIMARY_TARGETS + OTHER_TARGETS
# A target ending so runs its artifact with SCN_GPU_PAGEABLE_UPLOADS=1: the
# driver's own path for large uploads instead of page-locked staging
# (StagedUpload.cpp), on the workloads whose features are large.
PAGEABLE = "+pageable"
PAGEABLE_WORKLOADS = ("W3_C64", "W3_C128")
# A target ending so runs its artifact with SCN_RUNTIME_ROW_ORDER=mask: the
# tensor-core tiles' rows sorted by the plain neighbour mask, the row order
# before the Gray code key (runtime/lib/CPU/RowOrderKey.h).
MASK_ORDER = "+maskorder"
# A target ending so runs its artifact with SCN_RUNTIME_BLOCK_ORDER=key: the
# row order's blocks of 64 rows in the key's order, heaviest last, as before
# 2026-11-28, instead of heaviest first (RowOrderKey.h; modelled 1.37x on
# W3's layer and 1.25-1.31x on W1's levels 1 and 2 by
# bench/gpu/block_order.py).
KEY_BLOCKS = "+keyblocks"
# A target ending so runs its artifact with SCN_RUNTIME_ROW_PACKING=key: the
# row order cut into blocks where the key's order falls, as before the
# twenty-second session, instead of packed within chunks of 256 rows
# (runtime/lib/CPU/RowPacking.h; 6.7-9.2% fewer union steps on W1's levels
# by bench/gpu/row_packing.py --levels 0 1 2 3 4 --chunks 256), on W1,
# whose maps are built in every run of its end-to-end time; the profiles
# time the W3 layers' kernels with it.
KEY_PACKING = "+keypacking"
# A target ending so runs its artifact with SCN_GPU_GEOMETRY_STREAM=default:
# device geometry on the CUDA default stream, as before the twenty-third
# session, instead of a stream of the device's greatest priority
# (runtime/lib/CUDA/GeometryStream.cpp: at equal priorities the GPU starts a
# builder's blocks only after every block of a convolution queued before
# it), on W1, whose maps are built in every run of its end-to-end time.
LEGACY_STREAM = "+legacystream"
# A target ending so runs its artifact with SCN_GPU_POOL_REUSE=driver: the
# driver's default reuse policy of the memory pool, which may make an
# allocation on one stream wait for another stream's work up to the free of
# the block it reuses, instead of no such hidden waits (CudaDriver.cpp,
# twenty-fourth session: they could queue the geometry stream's builders
# behind the network's kernels), on W1.
DRIVER_POOL = "+driverpool"
# A target ending so runs its artifact with SCN_RUNTIME_ALGORITHMS=hash:
# the maps built on the GPU look sites up in a hash table instead of by
# binary search (runtime/lib/CUDA/DeviceKeyTable.h), on W1, whose maps
# are built in every run of its end-to-end time.
HASH_LOOKUPS = "+hashlookups"
# A target ending so runs its artifact with SCN_GPU_GEOMETRY_WAIT=host: the
# host waits for every map, row order and derived set the GPU builds, and
# downsampled sets read their counts back as they are built (as before the
# sixteenth session), instead of fences on the GPU
# (scn_gpu_fence_stream) and counts left there, on W1, whose maps
# are built in every run.
HOST_WAITS = "+hostwaits"
# A target ending so is its artifact timed once more after every other
# target: the variant tables compare each variant with the mean of the
# default's two times. On the H200 (2026-11-28) W1's default, timed first,
# was up to 10% slower than variants timed later whose kernels were not
# faster (bench/gpu/README.md, "Third GPU session"): a drift over the bench
# that read as the variants' gain.
AGAIN = "+again"
# The environment of each suffix, and the workloads it runs on (None: all).
SUFFIXES = {PAGEABLE: ({"SCN_GPU_PAGEABLE_UPLOADS": "1"}, PAGEABLE_WORKLOADS),
            MASK_ORDER: ({"SCN_RUNTIME_ROW_ORDER": "mask"}, None),
            KEY_BLOCKS: ({"SCN_RUNTIME_BLOCK_ORDER": "key"}, None),
            KEY_PACKING: ({"SCN_RUNTIME_ROW_PACKING": "key"}, ("W1",)),
            LEGACY_STREAM: ({"SCN_GPU_GEOMETRY_STREAM": "default"}, ("W1",)),
            DRIVER_POOL: ({"SCN_GPU_POOL_REUSE": "driver"}, ("W1",)),
            HASH_LOOKUPS: ({"SCN_RUNTIME_ALGORITHMS": "hash"}, ("W1",)),
            HOST_WAITS: ({"SCN_GPU_GEOMETRY_WAIT": "host"}, ("W1",)),
            AGAIN: ({}, None)}


def suffix_of(target):
    """The SUFFIXES key `target` ends with, or None."""
    return next((x for x in SUFFIXES if target.endswith(x)), None)


def artifact_of(target):
    """The artifact a target runs (targets ending in a suffix run their
    base's)."""
    suffix = suffix_of(target)
    return target[:-len(suffix)] if suffix else target


# Schedules timed against their default (heading, default target, variant
# targets[, END_TO_END]) whose outputs must equal the default's bit for bit
# (wgmma's within a few f32 roundings: see bench()); compared with maps
# prebuilt, or end to end (maps built in every run) when the variant is
# about building them.
END_TO_END = "end to end"
VARIANT_TABLES = (
    ("Block weights: the 4 warps of a block share each offset's weights, copied once "
     "per block by cp.async into double-buffered shared stages over the union of the "
     "warps' neighbour masks (--tensor-core-weights=block); async-blockw: with async "
     "gathers, the weights in the gathers' stages; wgmma: block weights built for sm_90a, "
     "whose layers of input channels in 64s multiply by wgmma m64n64k16; wgmma128: the "
     "same with warps of 128 output channels where a layer has them (m64n128k16), "
     "f16.",
     "cuda-f16", ("cuda-f16-blockw", "cuda-f16-async-blockw", "cuda-f16-wgmma",
                  "cuda-f16-wgmma128")),
    ("wgmma block weights in clusters of two blocks (--tensor-core-cluster-blocks=2): "
     "each offset's weights reach both blocks by one multicast bulk copy, half issued by "
     "each, so they cross L2 once per 128 rows (as in blocks of 8 warps) while a block "
     "keeps one warpgroup's registers; mbarriers instead of block barriers. Against the "
     "same kernels in blocks of their own, W3 C64, f16 (-min5: ptxas held to the default's "
     "5 blocks an SM, 96 registers, no spill, against 101 and 4).",
     "cuda-f16-wgmma", ("cuda-f16-wgmma-cluster-min5",)),
    ("The same at 128 columns (W3 C128; -min3: ptxas held to the default's 3 blocks an SM, "
     "168 registers with 8 bytes spilled, against 178 and 2).",
     "cuda-f16-wgmma128", ("cuda-f16-wgmma128-cluster", "cuda-f16-wgmma128-cluster-min3")),
    ("Tensor-core weights in shared memory: a block of 16 warps copies its layer's "
     "weights for its output channels once, then its warps loop over warp tiles "
     "(--tensor-core-weights=shared; sharedw90: the same built for sm_90 alone, whose "
     "227 KiB hold W3 C64's weights for all 64 output channels, where sm_80's 163 KiB "
     "take 32), f16.",
     "cuda-f16", ("cuda-f16-sharedw", "cuda-f16-sharedw90")),
    ("Values derived from the weights alone (f16 packing, batch norm's scale and shift) "
     "prepared in every call (--prepare-parameters=false) against kept by the run "
     "across calls (the default, scn-gpu-prepare-parameters: W1 f16 launches 78 "
     "kernels a call instead of 190), W1 only, f16; a speed-up below 1 is the pass's gain.",
     "cuda-f16", ("cuda-f16-noprep",)),
    ("Device geometry ordered before the kernels that read it by fences on the GPU (the "
     "default since the sixteenth session: the host does not wait for maps, row orders "
     "and derived sets) against the host waiting for each build "
     "and downsampled sets reading their counts back (SCN_GPU_GEOMETRY_WAIT=host), W1 "
     "only, f16; a speed-up below 1 is the gain of fences and counts left on the GPU "
     "(end to end, where the maps are built in every run).",
     "cuda-f16", ("cuda-f16" + HOST_WAITS,)),
    ("Batch norms of residual sums (rows other ops read too) as kernels of their own "
     "(--epilogue-taps=false, as before the seventeenth session) against fused into the "
     "summing convolution's epilogue after a tap step, which writes the sum and its batch "
     "norm, into a concatenation's slice where that is the sum's other reader (the "
     "default: 22 fewer kernels a W1 call), W1 only, f16; a speed-up below 1 is "
     "the taps' gain.",
     "cuda-f16", ("cuda-f16-notaps",)),
    ("NetworkInNetwork layers as SIMT kernels (--linear-as-convolution=false, as before the "
     "seventeenth session) against tensor-core 1x1 convolutions over a filter-1 map built "
     "with the others (the default; W1's 4 decoder shortcuts, 64 -> 32 to 256 -> 128), W1 "
     "only, f16; a speed-up below 1 is the tensor cores' gain. Outputs differ: the "
     "tensor cores round the shortcuts' inputs to f16.",
     "cuda-f16", ("cuda-f16-simtlinear",)),
    ("Tensor-core tiles' rows sorted by the plain neighbour mask (SCN_RUNTIME_ROW_ORDER=mask, "
     "the order before the tenth session) instead of the Gray code key (the default; "
     "7-9% fewer tile steps on W1's levels, bench/gpu/tile_occupancy.py), f16; a "
     "speed-up below 1 is the key's gain.",
     "cuda-f16", ("cuda-f16" + MASK_ORDER,)),
    ("The row order's blocks of 64 rows in the key's order, heaviest last "
     "(SCN_RUNTIME_BLOCK_ORDER=key, the order before 2026-11-28), instead of heaviest first "
     "(the default: the GPU starts blocks in index order, so the last wave runs light "
     "blocks; bench/gpu/block_order.py), f16 (sm_80 and sm_90, mma.sync); a speed-up "
     "below 1 is the order's gain.",
     "cuda-f16", ("cuda-f16" + KEY_BLOCKS,)),
    ("The same on wgmma: the sm_90a artifact with the key's block order against its "
     "default, f16.",
     "cuda-f16-wgmma", ("cuda-f16-wgmma" + KEY_BLOCKS,)),
    ("Tensor-core warps without the prefetch of their rows' lines of the row table "
     "(--tensor-core-prefetch=false) against with it (the default since the twenty-first "
     "session: the lines are on their way while the masks load and the block waits at its "
     "barrier), f16, mma.sync; a speed-up below 1 is the prefetch's gain.",
     "cuda-f16", ("cuda-f16-noprefetch",)),
    ("The same on wgmma (W3 C64; sm_90a).",
     "cuda-f16-wgmma", ("cuda-f16-wgmma-noprefetch",)),
    ("The same on wgmma at 128 columns (W3 C128; sm_90a).",
     "cuda-f16-wgmma128", ("cuda-f16-wgmma128-noprefetch",)),
    ("The row order cut into blocks of 64 where the key's order falls "
     "(SCN_RUNTIME_ROW_PACKING=key, the order before the twenty-second session) against "
     "packed within chunks of 256 rows by their masks (the default: fewer offsets a "
     "block; runtime/lib/CPU/RowPacking.h, bench/gpu/row_packing.py), W1 only (the "
     "profiles time the W3 layers' kernels both ways), f16, mma.sync; a speed-up below 1 "
     "is the packing's gain on the kernels.",
     "cuda-f16", ("cuda-f16" + KEY_PACKING,)),
    ("The same on wgmma (sm_90a).",
     "cuda-f16-wgmma", ("cuda-f16-wgmma" + KEY_PACKING,)),
    ("The packing's cost with its gain: the row order cut where the key's order falls "
     "against packed (the default), f16, mma.sync; on W1, whose maps and row orders "
     "are built in every run, a speed-up below 1 is the packing's net gain.",
     "cuda-f16", ("cuda-f16" + KEY_PACKING,), END_TO_END),
    ("Device geometry on the CUDA default stream (SCN_GPU_GEOMETRY_STREAM=default, as before "
     "the twenty-third session) against a stream of the device's greatest priority (the "
     "default: the GPU starts the builders' blocks ahead of those of convolutions queued "
     "before them, so that deeper levels' maps are built while level 0's layers run), W1 "
     "only, f16; a speed-up below 1 is the priority's gain (end to end, where the maps are "
     "built in every run).",
     "cuda-f16", ("cuda-f16" + LEGACY_STREAM,), END_TO_END),
    ("The memory pool's reuse as the driver has it (SCN_GPU_POOL_REUSE=driver: an "
     "allocation on one stream may wait for another stream's work up to the free of the "
     "block it reuses) against no such hidden waits (the default since the twenty-fourth "
     "session, so that the geometry stream's builders do not queue behind the network's "
     "kernels), W1 only, f16; a speed-up below 1 is the policy's gain (end to end).",
     "cuda-f16", ("cuda-f16" + DRIVER_POOL,), END_TO_END),
    ("W1's derived site sets where the network first uses them (--hoist-site-sets=false), "
     "or the whole pyramid queued together where it first uses one of them, after level "
     "0's maps and layers (--site-sets-at-first-use, firstuse), against the whole pyramid "
     "queued before the first layer (the default, scn-hoist-site-sets), f16; a speed-up "
     "above 1 is the hoisting's loss (what each one's maps cost: the maps-built profile "
     "table).",
     "cuda-f16", ("cuda-f16-nohoist", "cuda-f16-firstuse"), END_TO_END),
)


def difference_key(variants):
    """The result key of a variant table's largest output difference (several
    tables share a default)."""
    return " / ".join(variants) + " difference"


def bench_inputs(meta, name):
    directory = os.path.join(CHECK, "bench")
    m = meta[name]
    arrays = run_cpu_bench.random_weights([tuple(a) for a in m["args"]],
                                          np.random.default_rng(0))
    arrays["coords"] = np.load(os.path.join(directory, "inputs.npz"))["coords"]
    # Random features (not ones or zeros, which can hide wrong indexing and
    # time differently), the same in every target of the workload.
    arrays["features"] = np.random.default_rng(1).uniform(
        -1.0, 1.0, (len(arrays["coords"]), m["in_channels"])).astype(np.float32)
    return arrays


def bench_one(name, target, repeat, result_path):
    """Times one artifact (in a process of its own: a GPU fault poisons only
    its own CUDA context) and saves its times (json) and output (npz)."""
    directory = os.path.join(CHECK, "bench")
    meta = json.load(open(os.path.join(directory, "meta.json")))
    arrays = bench_inputs(meta, name)
    times = repeat if target.startswith("cuda") else max(1, repeat // 2)
    lib, manifest = load(os.path.join(directory, f"{name}.{artifact_of(target)}.so"))
    output = run(lib, manifest, arrays)["output"]
    np.save(result_path + ".npy", output)
    result = {}
    resident = None
    try:
        if target.startswith("cuda"):
            # Every array uploaded in every call, weights included.
            result[target + " uploads"] = time_runs(lib, manifest, arrays, times)
            # Then the weights kept on the GPU, as a deployed model (and
            # spconv's modules) keep them: the timings below.
            resident = artifact.ResidentParameters(
                lib, [arrays[i["name"]] for i in manifest["inputs"]
                      if i["name"] not in ("coords", "features")])
        # Maps built in every run, and built once and reused (GPU: their
        # device copies too): alternating on the GPU (time_pairs).
        if target.startswith("cuda"):
            result[target], result[target + " prebuilt"], result[target + " maps share"] = \
                time_pairs(lib, manifest, arrays, max(times, GPU_TIMED_PAIRS),
                           artifact.PersistentRun(lib))
        else:
            result[target] = time_runs(lib, manifest, arrays, times)
            result[target + " prebuilt"] = time_runs(
                lib, manifest, arrays, times, artifact.PersistentRun(lib))
        if resident is not None:
            # A call that found the values prepared from the resident
            # weights against the first call, which prepared them.
            later = run(lib, manifest, arrays)["output"]
            result[target + " later call max difference"] = \
                float(np.abs(later - output).max()) if output.size else 0.0
    finally:
        if resident is not None:
            resident.release()
    with open(result_path + ".json", "w") as f:
        json.dump(result, f)


# A target's run in the benchmarks or the profiles past these is taken as
# hung, and the rest of the targets keep their time. The slowest benchmark,
# W1 on the CPU, took 19.4 s in all on the 2-core machine (2.7 s a run;
# `device_check.py --bench-one W1 cpu /tmp/w1cpu`, fourteenth session),
# where the H200's 16 cores took 0.62 s a run; a profile runs one GPU
# artifact 6 times (W1 f16: 11.2 ms a run on the H200) after loading it.
BENCH_TARGET_SECONDS = 40
PROFILE_TARGET_SECONDS = 20


def mark_issue_part_done(log):
    """Writes issue_seconds.txt beside the log: the seconds from check.sh's
    start (SCN_CHECK_STARTED, epoch seconds) to the end of what the issue
    asks of the check (the tests, every golden case, the differential test,
    W1's and W3's timings in fp32 and fp16). The variants and profiles that
    follow are ours; goals.py reports both times."""
    started = os.environ.get("SCN_CHECK_STARTED")
    if not started:
        return
    with open(os.path.join(os.path.dirname(os.path.abspath(log.name)), "issue_seconds.txt"),
              "w") as f:
        f.write(f"{time.time() - float(started):.0f}\n")


def bench(log, repeat, deadline, scratch):
    directory = os.path.join(CHECK, "bench")
    meta = json.load(open(os.path.join(directory, "meta.json")))
    peaks = gemm_peaks()
    print("GEMM peaks (cuBLAS via torch, same run): "
          + (f"fp32 {peaks[0]:.1f} TFLOP/s, fp16 {peaks[1]:.1f} TFLOP/s; device copy "
             f"{peaks[2]:.2f} TB/s (read + written)" if peaks
             else "not measured (no torch with CUDA)"), flush=True)
    sites = len(np.load(os.path.join(directory, "inputs.npz"))["coords"])
    names = [w for w in WORKLOADS if w in meta] + [w for w in meta if w not in WORKLOADS]
    results = {name: {} for name in names}
    outputs = {name: {} for name in names}

    def run_target(name, target):
        suffix = suffix_of(target)
        if not os.path.exists(os.path.join(directory, f"{name}.{artifact_of(target)}.so")) \
                or (suffix and SUFFIXES[suffix][1] is not None
                    and name not in SUFFIXES[suffix][1]) \
                or not runnable(target):
            return
        result = results[name]
        for key in ("", " prebuilt", " uploads"):
            result[target + key] = float("nan")
        left = deadline - time.time()
        if left < 5:
            print(f"bench {name} {target}: skipped, the bench's time is spent", file=log)
            return
        path = os.path.join(scratch, f"{name}.{target}")
        try:
            env = dict(os.environ, **(SUFFIXES[suffix][0] if suffix else {}))
            proc = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--bench-one", name, target,
                 path, "--repeat", str(repeat)],
                capture_output=True, text=True, timeout=min(left, BENCH_TARGET_SECONDS), env=env)
            if proc.returncode != 0:
                raise RuntimeError(f"exit {proc.returncode}: "
                                   + " / ".join(proc.stderr.strip().splitlines()[-2:]))
            result.update(json.load(open(path + ".json")))
            # Mapped, not read: every workload's outputs stay until the end.
            outputs[name][target] = np.load(path + ".npy", mmap_mode="r")
        except subprocess.TimeoutExpired:
            print(f"bench {name} {target}: timed out", file=log)
        except Exception as e:
            print(f"bench {name} {target}: {type(e).__name__}: {e}", file=log)
        log.flush()

    # The issue's numbers first for every workload (a run cut short by the
    # bench's time still has them), then the variants, those of the W3
    # layers the roofline goal is about first, then the rest.
    issue = ("cuda-f16", "cuda", "cpu")
    goal_first = sorted(names, key=lambda name: name not in ("W3_C64", "W3_C128"))
    # Last, the default again (AGAIN) of the workloads with variant tables.
    for step, (targets, order) in enumerate(((issue, names),
                           (tuple(t for t in PRIMARY_TARGETS if t not in issue), goal_first),
                           (OTHER_TARGETS, names),
                           (("cuda-f16" + AGAIN,), [n for n in names if n in ("W1", "W3_C64",
                                                                             "W3_C128")]))):
        for name in order:
            for target in targets:
                run_target(name, target)
            # Each workload's numbers as soon as they exist: a run cut short
            # by check.sh's timeout still reports what it measured.
            print(f"bench {name}: " + ", ".join(f"{k} {v:.3g}"
                                                for k, v in results[name].items()), flush=True)
        if step == 0:
            mark_issue_part_done(log)
    rows = []
    for name in names:
        result, out = results[name], outputs[name]
        # Tensor cores round the inputs to f16, bf16 or tf32: their error
        # against fp32 on the CPU, relative to the largest output; fp32 on
        # the GPU against the CPU too.
        reference = out.get("cpu")
        for element in ("fp32", "f16", "bf16", "tf32", "f16-act16"):
            result[element + " error"] = float("nan")
            got = out.get("cuda" if element == "fp32" else "cuda-" + element)
            if reference is not None and got is not None and got.shape == reference.shape \
                    and reference.size:
                scale = max(float(np.abs(reference).max()), 1e-30)
                result[element + " error"] = float(np.abs(got - reference).max()) / scale
        # Shared, block and async-staged weights change where a warp reads
        # its B fragments, async gathers where it reads A, the row order
        # which tile a row is in, none the order of any sum: each must give
        # its default's output bit for bit. wgmma may add a k step's
        # products in another order than mma.sync: its difference is a few
        # f32 roundings of the sums, not zero.
        # The same maps either way: the same output bit for bit.
        hashed = out.get("cuda-f16" + HASH_LOOKUPS)
        if hashed is not None and "cuda-f16" in out:
            result["hash lookups difference"] = float(np.abs(hashed - out["cuda-f16"]).max()) \
                if hashed.shape == out["cuda-f16"].shape else float("inf")
        for _, base, variants, *_ in VARIANT_TABLES:
            got = [out[t] for t in variants if t in out]
            if got and base in out:
                result[difference_key(variants)] = max(
                    float(np.abs(o - out[base]).max())
                    if o.shape == out[base].shape else float("inf") for o in got)
        rows.append((name, meta[name]["flop"], sites, result))
        print(f"bench {name}: {result}", file=log)
    log.flush()
    print_tables(rows, peaks)
    # For bench/gpu/goals.py: every workload's times (ms) and errors. Beside
    # the artifacts, not in $OUT: a device call brings back 8 files, which
    # check.sh's logs already are.
    with open(os.path.join(CHECK, "bench.json"), "w") as f:
        json.dump({name: result for name, _, _, result in rows}, f, indent=1)
    return peaks


def maps_share(r, target):
    """The maps' share of `target`'s end to end: the median of its pairs'
    shares (time_pairs), else from the two medians."""
    return r.get(f"{target} maps share", 1 - r[f"{target} prebuilt"] / r[target])


def print_tables(rows, peaks):
    print()
    print("End to end: maps built in every run, on the GPU (host maps: on the CPU, "
          "copied), weights kept on the GPU (scn_gpu_keep_resident); uploads: the "
          "weights uploaded in every run too; prebuilt: maps built once and reused "
          f"(GPU: {GPU_TIMED_PAIRS} runs of each, alternating). Maps share: the median of "
          "the pairs' 1 - prebuilt / end to end. TFLOP/s and roofline shares from "
          "the prebuilt GPU time. fp32 error: GPU fp32 against the CPU, relative to "
          "the largest output.")
    print("| workload | sites | GFLOP | GPU fp32 ms | GPU prebuilt ms | maps share | "
          "GPU with weight uploads ms | GPU host maps ms | CPU ms (same machine) | "
          "CPU prebuilt ms | GPU speed-up | GPU TFLOP/s | share of fp32 GEMM | "
          "share of fp16 tensor GEMM | fp32 error |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, flop, sites, r in rows:
        if "cuda" not in r:
            continue
        gpu, pre = r["cuda"], r["cuda prebuilt"]
        tflops = flop / (pre / 1e3) / 1e12
        shares = (f"{100 * tflops / peaks[0]:.1f}% | {100 * tflops / peaks[1]:.1f}%"
                  if peaks else "- | -")
        print(f"| {name} | {sites} | {flop / 1e9:.2f} | {gpu:.1f} | {pre:.1f} | "
              f"{100 * maps_share(r, 'cuda'):.0f}% | {r['cuda uploads']:.1f} | "
              f"{r.get('cuda-hostmaps', float('nan')):.1f} | "
              f"{r['cpu']:.1f} | {r['cpu prebuilt']:.1f} | {r['cpu'] / gpu:.1f}x | "
              f"{tflops:.2f} | {shares} | {r['fp32 error']:.1e} |")
    print()
    print("Tensor cores (mma.sync m16n8k16, tf32 m16n8k8, f32 accumulators; W3 and every "
          "W1 layer but the 1-channel stem): error relative to the largest fp32 CPU output. "
          "f16-act16: activations stored in f16 between ops too (f16 end to end). tf32's "
          "share is of the fp16 GEMM rate (tf32's peak is half of it).")
    print("| workload | type | GPU ms | prebuilt ms | maps share | with weight uploads ms | "
          "TFLOP/s | share of fp16 tensor GEMM | speed-up over GPU fp32 | max rel. error |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, flop, sites, r in rows:
        for element in ("f16", "bf16", "tf32", "f16-act16"):
            if "cuda-" + element not in r:
                continue
            gpu, pre = r["cuda-" + element], r["cuda-" + element + " prebuilt"]
            tflops = flop / (pre / 1e3) / 1e12
            share = f"{100 * tflops / peaks[1]:.1f}%" if peaks else "-"
            print(f"| {name} | {element} | {gpu:.1f} | {pre:.1f} | "
                  f"{100 * maps_share(r, 'cuda-' + element):.0f}% | "
                  f"{r['cuda-' + element + ' uploads']:.1f} | "
                  f"{tflops:.2f} | {share} | "
                  f"{r.get('cuda', float('nan')) / gpu:.1f}x | {r[element + ' error']:.1e} |")
    print()
    print("Feature uploads through page-locked staging (StagedUpload.cpp, the default) "
          "against the driver's pageable path (SCN_GPU_PAGEABLE_UPLOADS=1), f16, end to "
          "end with weights resident.")
    print("| workload | staged ms | pageable ms | speed-up |")
    print("|---|---|---|---|")
    for name, flop, sites, r in rows:
        if "cuda-f16" + PAGEABLE not in r:
            continue
        staged, pageable = r["cuda-f16"], r["cuda-f16" + PAGEABLE]
        print(f"| {name} | {staged:.2f} | {pageable:.2f} | {pageable / staged:.2f}x |")
    print()
    print("Maps built on the GPU in every run, their sites looked up by binary search in "
          "sorted keys (the default) or in a hash table (SCN_RUNTIME_ALGORITHMS=hash), f16, "
          "end to end with weights resident; the maps alone: the pyramid's "
          "BM_SubmanifoldMapsGpu lines.")
    print("| workload | sorted ms | hash table ms | speed-up | maps prebuilt ms | "
          "max difference |")
    print("|---|---|---|---|---|---|")
    for name, flop, sites, r in rows:
        if "cuda-f16" + HASH_LOOKUPS not in r:
            continue
        nan = float("nan")
        sorted_ms, hashed = r.get("cuda-f16", nan), r["cuda-f16" + HASH_LOOKUPS]
        print(f"| {name} | {sorted_ms:.2f} | {hashed:.2f} | {sorted_ms / hashed:.2f}x | "
              f"{r.get('cuda-f16 prebuilt', nan):.2f} | "
              f"{r.get('hash lookups difference', float('nan')):.1e} |")
    print_variant_tables(rows)


def print_variant_tables(rows):
    """VARIANT_TABLES, from the bench's rows (name, FLOPs, sites, results)."""
    for heading, base, variants, *timing in VARIANT_TABLES:
        # The result key of a time: maps prebuilt, or built in every run.
        key = "" if timing == [END_TO_END] else " prebuilt"
        print()
        print(heading + (" End to end, maps built in every run" if key == "" else
                         " Maps prebuilt")
              + "; the best variant's speed-up over the default, and "
              "the largest difference of any variant's output from the default's (0: the "
              "same sums in the same order, as it must be; wgmma may order a k step's "
              "products otherwise: a few f32 roundings).")
        print(f"| workload | {base} (default) ms | default timed again last ms | "
              + " | ".join(f"{v} ms" for v in variants)
              + " | best speed-up (over the default's mean) | max difference |")
        print("|---|" + "---|" * (len(variants) + 4))
        for name, flop, sites, r in rows:
            if f"{variants[0]}{key}" not in r:
                continue
            nan = float("nan")
            first, again = r.get(f"{base}{key}", nan), r.get(f"{base}{AGAIN}{key}", nan)
            measured = [t for t in (first, again) if t == t]  # not nan
            default = sum(measured) / len(measured) if measured else nan
            times = [r.get(f"{t}{key}", nan) for t in variants]
            # A variant that did not run (nan) is not the best.
            best = min((t for t in times if t == t), default=nan)
            print(f"| {name} | {first:.2f} | {again:.2f} | "
                  + " | ".join(f"{t:.2f}" for t in times) + " | "
                  f"{default / best:.2f}x | "
                  f"{r.get(difference_key(variants), nan):.1e} |")


# Where the device time goes (SCN_GPU_PROFILE, runtime/lib/CUDA/
# KernelProfile.h): W1 and the W3 layers with C >= 64, whose convolution kernel is timed on the
# device here (their end-to-end times above are mostly the host's copies of
# 44-88 MB of features in and out, and the merge of their input rows).
# The W3 layers' convolution against its roofline (the issue's goal) first:
# the defaults (each candidate's baseline in the same call), then the
# twelfth and thirteenth sessions' candidates (block weights, wgmma, 8-warp
# blocks) ahead of the rest, so that the profiles' time bound cuts W1's last: global and shared
# weights, tf32, fp32. (W3's layer reads the merged input rows, in f16 by
# default as only its convolution reads them, so f16 activations change
# only its stores: no act16 profiles. 32-row warps were slower on the
# H200.)
# Baselines first (W1's for the gap between its end to end and its device
# time, which the wall, span and host columns split), then the W3 goal's
# candidates: the list's end may be cut by the profiles' time.
PROFILES = (("W3_C64", "cuda-f16"), ("W3_C128", "cuda-f16"), ("W1", "cuda-f16"),
            ("W1", "cuda-f16-nohoist"), ("W1", "cuda-f16-firstuse"),
            ("W3_C64", "cuda-f16-blockw"),
            ("W3_C64", "cuda-f16-wgmma"), ("W3_C64", "cuda-f16-wgmma" + KEY_BLOCKS),
            ("W3_C64", "cuda-f16" + KEY_BLOCKS), ("W3_C64", "cuda-f16-async-blockw"),
            ("W3_C128", "cuda-f16-blockw"), ("W3_C128", "cuda-f16-wgmma"),
            ("W3_C128", "cuda-f16-wgmma128"), ("W3_C128", "cuda-f16-wgmma128" + KEY_BLOCKS),
            ("W3_C128", "cuda-f16-wgmma128-cluster"),
            ("W3_C128", "cuda-f16-wgmma128-cluster-min3"),
            ("W3_C64", "cuda-f16-wgmma-cluster-min5"),
            ("W3_C64", "cuda-f16-wgmma" + KEY_PACKING),
            ("W3_C128", "cuda-f16-wgmma128" + KEY_PACKING),
            ("W1", "cuda-f16" + KEY_PACKING),
            ("W3_C64", "cuda-f16-wgmma-noprefetch"), ("W3_C128", "cuda-f16-wgmma128-noprefetch"),
            ("W3_C64", "cuda-f16-noprefetch"), ("W1", "cuda-f16-noprefetch"),
            ("W1", "cuda-f16" + KEY_BLOCKS),
            ("W3_C128", "cuda-f16-async-blockw"),
            ("W1", "cuda-f16-blockw"),
            ("W1", "cuda-f16-wgmma"), ("W1", "cuda-f16-wgmma128"),
            ("W3_C64", "cuda-f16-sharedw90"),
            ("W3_C64", "cuda-f16-sharedw"),
            ("W3_C64", "cuda-tf32"), ("W3_C64", "cuda"),
            ("W3_C128", "cuda-f16-sharedw"),
            ("W3_C128", "cuda-tf32"),
            ("W3_C128", "cuda"),
            ("W1", "cuda-f16-sharedw"), ("W1", "cuda-f16-sharedw90"),
            ("W1", "cuda"))
PROFILE_RUNS = 5
# Profiled with maps built in every run too (profile_one's maps_built):
# where the maps' share of end to end goes.
MAPS_BUILT_PROFILES = (("W1", "cuda-f16"), ("W1", "cuda-f16-nohoist"), ("W1", "cuda-f16-firstuse"),
                       ("W1", "cuda-f16" + LEGACY_STREAM), ("W1", "cuda-f16" + DRIVER_POOL))
MAPS_BUILT = " maps built"
# The GPU builders' rows and host lines (GpuSites.cu's geometryCall: the
# scn_gpu_sites_* and scn_gpu_kmap_* entry points; not the runtime's
# scn_gpu_upload, scn_gpu_parameter or scn_gpu_alloc).
GEOMETRY_ROW = "geometry "
GEOMETRY_CALL = ("scn_gpu_sites_", "scn_gpu_kmap_")
PROFILE_SPAN = re.compile(r"^# device span ([\d.]+) ms")
PROFILE_HOST = re.compile(r"^# host (\S+) +\d+ calls +([\d.]+) ms")
PROFILE_WALL = re.compile(r"^# wall ([\d.]+) ms")
PROFILE_ROW = re.compile(r"^  (.+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)%  (.*)$")


def profile_one(name, target, report, maps_built=False):
    """Runs one artifact PROFILE_RUNS times with maps prebuilt (or, with
    `maps_built`, built in every run, under `target` + MAPS_BUILT in the
    report) and weights resident after a warm-up that the profile forgets
    (this process has SCN_GPU_PROFILE=report); the report is appended at
    exit."""
    directory = os.path.join(CHECK, "bench")
    meta = json.load(open(os.path.join(directory, "meta.json")))
    arrays = bench_inputs(meta, name)
    # A suffixed target runs in its suffix's environment (profiles() sets it
    # too; check.sh --ncu calls this directly).
    suffix = suffix_of(target)
    if suffix:
        os.environ.update(SUFFIXES[suffix][0])
    lib, manifest = load(os.path.join(directory, f"{name}.{artifact_of(target)}.so"))
    resident = artifact.ResidentParameters(
        lib, [arrays[i["name"]] for i in manifest["inputs"]
              if i["name"] not in ("coords", "features")])
    persistent = None if maps_built else artifact.PersistentRun(lib)
    run(lib, manifest, arrays, persistent)
    lib.scn_gpu_profile_reset()
    with open(report, "a") as f:
        f.write(f"## {name} {target}{MAPS_BUILT if maps_built else ''}: {PROFILE_RUNS} runs, "
                f"maps {'built in every run' if maps_built else 'prebuilt'}, weights resident\n")
    start = time.perf_counter()
    for _ in range(PROFILE_RUNS):
        run(lib, manifest, arrays, persistent)
    lib.scn_gpu_synchronize()
    wall = time.perf_counter() - start
    with open(report, "a") as f:
        f.write(f"# wall {1e3 * wall:.3f} ms (the {PROFILE_RUNS} runs as the harness saw them)\n")
    resident.release()


def block_lines(report, name, target):
    """The lines of the report's block of `name target` (profile_one's
    header to the next)."""
    inside = False
    for line in open(report):
        if line.startswith("## "):
            inside = line.startswith(f"## {name} {target}:")
        elif inside:
            yield line


def read_profile(report, name, target):
    """([(label, launches, total ms)], device span ms, host ms in the
    runtime's calls but the GPU builders', wall ms of the runs in the
    harness) of the block of `name target`."""
    rows, span, host, wall = [], 0.0, 0.0, 0.0
    for line in block_lines(report, name, target):
        if m := PROFILE_ROW.match(line):
            rows.append((m.group(1), int(m.group(2)), float(m.group(3))))
        elif m := PROFILE_SPAN.match(line):
            span = float(m.group(1))
        elif m := PROFILE_HOST.match(line):
            if not m.group(1).startswith(GEOMETRY_CALL):
                host += float(m.group(2))
        elif m := PROFILE_WALL.match(line):
            wall = float(m.group(1))
    return rows, span, host, wall


def read_geometry(report, name, target):
    """(device ms of the GPU builders' work on their stream, host ms
    in their calls) of the block of `name target`, all runs."""
    device, host = 0.0, 0.0
    for line in block_lines(report, name, target):
        if (m := PROFILE_ROW.match(line)) and m.group(1).startswith(GEOMETRY_ROW):
            device += float(m.group(3))
        elif (m := PROFILE_HOST.match(line)) and m.group(1).startswith(GEOMETRY_CALL):
            host += float(m.group(2))
    return device, host


def w3_roofline_ms(m, sites, target, peaks):
    """The floor of one W3 layer (METHOD: the larger of FLOPs over the
    matrix rate and the fewest bytes over the copy bandwidth): features read
    once (f32: the layer reads the merged input rows of mode 4, which stay
    f32 with act16 too), output written once (f32, or f16 with act16), the
    neighbour table (27 int32 per site) and the weights read once. The
    matrix rate: fp32 GEMM for fp32, half the fp16 GEMM for tf32 (its
    tensor-core peak), fp16 GEMM otherwise."""
    c = m["in_channels"]
    act = 2 if "act16" in target else 4
    weight = 4 if target in ("cuda", "cuda-tf32") else 2
    nbytes = sites * (c * 4 + c * act + 27 * 4) + 27 * c * c * weight
    rate = peaks[0] if target == "cuda" else peaks[1] / 2 if target == "cuda-tf32" else peaks[1]
    return max(m["flop"] / (rate * 1e12), nbytes / (peaks[2] * 1e12)) * 1e3, nbytes


def profiles(log, peaks, report, deadline):
    directory = os.path.join(CHECK, "bench")
    meta = json.load(open(os.path.join(directory, "meta.json")))
    sites = len(np.load(os.path.join(directory, "inputs.npz"))["coords"])
    print()
    print(f"Device time per run (SCN_GPU_PROFILE, {PROFILE_RUNS} runs after a warm-up, maps "
          f"prebuilt, weights resident; full report {report}). Copies: features in "
          "(upload) and output out (gpu.memcpy). Convolution kernel: the largest "
          "tensor_core_conv (fp32: the largest kernel); for W3 against the layer's "
          "roofline floor (FLOPs at the GEMM rate or fewest bytes at the copy "
          "bandwidth, whichever is larger). Span: from the first launch or copy to the "
          "end of the last, per run (with the harness's time between runs; far above "
          "the device time, the device waited for the host); host: the runtime's "
          "launch, memory and wait calls per run; wall: a run as the harness saw it, end "
          "to end (what neither the device's span nor the runtime's calls explain is the "
          "harness's and the generated host code's).")
    print("| workload | target | device ms | kernels ms | copies ms | launches | span ms | "
          "host ms | wall ms | convolution kernel | its ms | its TFLOP/s | roofline floor ms | "
          "share of roofline |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    best = {}  # W3 workload: (share of its fp16 roofline, target) of the best
    walls = {}  # (workload, target): wall ms of a prebuilt run
    # First, so that the profiles' time bound cannot leave them out; their
    # table comes after the main one.
    maps_built = [(name, target, profile_in_process(name, target, report, deadline, log,
                                                    maps_built=True))
                  for name, target in MAPS_BUILT_PROFILES
                  if name in meta and runnable(target) and deadline - time.time() >= 5]
    for name, target in PROFILES:
        if name not in meta or not runnable(target) or deadline - time.time() < 5:
            continue
        suffix = suffix_of(target)
        profile = profile_in_process(name, target, report, deadline, log)
        if profile is None:
            continue
        rows, span, host, wall = profile
        walls[name, target] = wall / PROFILE_RUNS
        copies = [r for r in rows if r[0].startswith(("copy", "upload"))]
        kernels = [r for r in rows if r not in copies and not r[0].startswith(GEOMETRY_ROW)]
        per_run = lambda rs: sum(r[2] for r in rs) / PROFILE_RUNS  # noqa: E731
        # The convolution: a tensor-core kernel (named tensor_core_conv by
        # the compiler), else the largest (fp32: the SIMT convolution; the
        # merge of input rows takes three kernels besides).
        convs = [r for r in kernels if r[0].startswith("tensor_core_conv")] or kernels
        largest = max(convs, key=lambda r: r[2]) if convs else ("-", 0, 0.0)
        its_ms = largest[2] / PROFILE_RUNS
        cells = ["-", "-", "-"]
        if name.startswith("W3") and peaks and its_ms > 0:
            floor, _ = w3_roofline_ms(meta[name], sites, target, peaks)
            cells = [f"{meta[name]['flop'] / (its_ms / 1e3) / 1e12:.2f}", f"{floor:.4f}",
                     f"{100 * floor / its_ms:.1f}%"]
            # The goal is the compiler's and the runtime's defaults': no
            # suffix's environment.
            if target.startswith(("cuda-f16", "cuda-bf16")) and not suffix:
                best[name] = max(best.get(name, (0.0, "")), (floor / its_ms, target))
        print(f"| {name} | {target} | {per_run(kernels + copies):.3f} | {per_run(kernels):.3f} | "
              f"{per_run(copies):.3f} | {sum(r[1] for r in kernels) // PROFILE_RUNS} | "
              f"{span / PROFILE_RUNS:.3f} | {host / PROFILE_RUNS:.3f} | "
              f"{wall / PROFILE_RUNS:.3f} | "
              f"{largest[0]} | {its_ms:.4f} | " + " | ".join(cells) + " |", flush=True)
    print(w3_goal_line(best))
    maps_built_table(report, maps_built, walls)


def profile_in_process(name, target, report, deadline, log, maps_built=False):
    """profile_one in a process of its own (in the target's suffix's
    environment), then its block of the report (read_profile), or None with
    the reason in the log."""
    suffix = suffix_of(target)
    label = target + (MAPS_BUILT if maps_built else "")
    try:
        env = dict(os.environ, SCN_GPU_PROFILE=report, **(SUFFIXES[suffix][0] if suffix else {}))
        if maps_built:
            # What ran beside what: the builders' calls and the kernels.
            env["SCN_GPU_PROFILE_TIMELINE"] = timeline_path(report, name, target)
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--profile-one", name, target,
             report] + (["--maps-built"] if maps_built else []),
            capture_output=True, text=True,
            timeout=min(PROFILE_TARGET_SECONDS, deadline - time.time()), env=env)
        if proc.returncode != 0:
            raise RuntimeError(" / ".join(proc.stderr.strip().splitlines()[-2:]))
        profile = read_profile(report, name, label)
        if not profile[0]:
            raise RuntimeError("no profile written")
        return profile
    except Exception as e:
        print(f"profile {name} {label}: {type(e).__name__}: {e}", file=log, flush=True)
        return None


def timeline_path(report, name, target):
    """Where a maps-built profile's timeline goes (SCN_GPU_PROFILE_TIMELINE):
    beside the report, so that check.sh keeps it under $OUT."""
    return os.path.join(os.path.dirname(os.path.abspath(report)),
                        f"timeline_{name}_{target}.csv")


def maps_built_table(report, maps_built, walls):
    """W1's profiles with maps built in every run (`maps_built`: (workload,
    target, read_profile's block or None)) beside their prebuilt wall time:
    what the maps' share of end to end is made of."""
    print()
    print(f"Maps built in every run (SCN_GPU_PROFILE, {PROFILE_RUNS} runs after a warm-up, "
          "weights resident), per run: the GPU builders' work on their stream "
          "(geometry device ms: from the stream reaching a builder call's first work to its "
          "last, gaps included) and the host time in their calls (geometry host ms), the "
          "network's kernels, span, the runtime's other calls (host ms) and the harness's "
          "wall time, against the wall time with maps prebuilt (the table above): the wall "
          "difference is what the maps cost end to end.")
    print("| workload | target | geometry device ms | geometry host ms | kernels ms | span ms | "
          "host ms | wall ms | prebuilt wall ms | wall difference |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, target, profile in maps_built:
        if profile is None:
            continue
        rows, span, host, wall = profile
        geometry, geometry_host = read_geometry(report, name, target + MAPS_BUILT)
        kernels = sum(r[2] for r in rows
                      if not r[0].startswith(("copy", "upload", GEOMETRY_ROW)))
        per_run = lambda ms: ms / PROFILE_RUNS  # noqa: E731
        prebuilt = walls.get((name, target), float("nan"))
        print(f"| {name} | {target} | {per_run(geometry):.3f} | {per_run(geometry_host):.3f} | "
              f"{per_run(kernels):.3f} | {per_run(span):.3f} | {per_run(host):.3f} | "
              f"{per_run(wall):.3f} | {prebuilt:.3f} | {per_run(wall) - prebuilt:.3f} |",
              flush=True)
    print()
    print("The same runs on the GPU's timeline (SCN_GPU_PROFILE_TIMELINE, bench/gpu/timeline.py; "
          "medians over the runs, a run from its input set's build): when the first "
          "tensor-core convolution started, the union of the geometry calls' spans and of the "
          "kernels and copies, how long both ran at once (the maps built beside the layers) "
          "and how long neither ran.")
    print("| workload | target | runs | " + " | ".join(f"{f} ms" for f in timeline.FIELDS) +
          " |")
    print("|---" * (len(timeline.FIELDS) + 3) + "|")
    for name, target, profile in maps_built:
        path = timeline_path(report, name, target)
        if profile is None or not os.path.exists(path):
            continue
        medians, count = timeline.summarize(path)
        print(f"| {name} | {target} | {count} | " + " | ".join(timeline.cells(medians)) + " |",
              flush=True)


def w3_goal_line(best):
    """The issue's W3 goal (the convolution above 50% of the fp16 roofline
    for C >= 64) from the best f16/bf16 profile of each W3 layer; whether
    that target's outputs equal the default's is in the tables above."""
    cells = [f"{name} {target} {100 * share:.1f}% ({'met' if share > 0.5 else 'not met'})"
             for name, (share, target) in sorted(best.items())
             if int(name.split("_C")[1]) >= 64]
    return "W3 goal, the best f16 convolution against its roofline (> 50%; its outputs " \
        "against the default's: the tables above): " + \
        ("; ".join(cells) if cells else "no W3 profile")


SECTIONS = {
    "golden": ("golden cases on the GPU", check_golden),
    "errors": ("bad input on the GPU (NaN, range, empty, f16 range, then good)", check_errors),
    "differential": ("differential CPU-eager vs GPU", check_differential),
    "tensor-cores": ("tensor cores f16/bf16/tf32: exact = CPU fp32, rounded = CPU emulation",
                     check_tensor_cores),
}

# Only for test_device_check_summary.py, on any machine: a section of four
# cases whose named case (the variable's value) never finishes and whose
# case "c" fails.
if os.environ.get("SCN_DEVICE_CHECK_SELFTEST"):
    def _check_selftest(log):
        def check(case):
            if case == os.environ["SCN_DEVICE_CHECK_SELFTEST"]:
                time.sleep(3600)
            return "wrong" if case == "c" else None
        return record(log, "selftest", ["a", "b", "c", "d"], check)
    SECTIONS["selftest"] = ("watchdog self-test", _check_selftest)


def run_section(name, log_path, progress_path, skip):
    """One correctness section in this process, without the cases in `skip`;
    verdicts go to `progress_path` (run_section_bounded prints the line).
    Exit status: 0, 1 (a case failed), HUNG_EXIT (record's watchdog)."""
    global _PROGRESS, _SKIP
    _PROGRESS, _SKIP = progress_path, frozenset(skip)
    check = SECTIONS[name][1]
    with open(log_path, "a") as log:
        try:
            _, failed = check(log)
        except Exception:
            traceback.print_exc(file=log)
            with open(progress_path, "a") as progress:
                print("#crashed", file=progress)
            return 1
    return int(bool(failed))


def read_progress(path):
    """(total cases or None, {case: PASS | FAIL | HUNG}, crashed) from a
    section's progress file."""
    total, verdicts, crashed = None, {}, False
    if os.path.exists(path):
        for line in open(path).read().splitlines():
            if line.startswith("#total "):
                total = int(line.split()[1])
            elif line == "#crashed":
                crashed = True
            elif "\t" in line:
                case, verdict = line.rsplit("\t", 1)
                verdicts[case] = verdict
    return total, verdicts, crashed


def run_section_bounded(name, log_path, seconds):
    """A correctness section in processes of its own, within `seconds`: a
    kernel fault poisons only that process's CUDA context, and after a hung
    case the section goes on in a fresh process without the cases it has
    verdicts for. Prints the section's line; returns its exit status."""
    label = SECTIONS[name][0]
    progress_path = log_path + ".progress"
    open(log_path, "w").close()
    open(progress_path, "w").close()
    deadline = time.time() + seconds
    ended = None
    while True:
        left = deadline - time.time()
        if left < 1:
            ended = f"timed out after {seconds:g} s"
            break
        done = read_progress(progress_path)[1]
        command = [sys.executable, os.path.abspath(__file__), "--section", name, "--log",
                   log_path, "--progress", progress_path]
        for case in done:
            command += ["--skip", case]
        try:
            code = subprocess.run(command, timeout=left).returncode
        except subprocess.TimeoutExpired:
            ended = f"timed out after {seconds:g} s"
            break
        if code != HUNG_EXIT:
            if code not in (0, 1):
                ended = f"the process died (exit {code})"
            break
    total, verdicts, crashed = read_progress(progress_path)
    os.remove(progress_path)
    failed = [case for case, verdict in verdicts.items() if verdict != "PASS"]
    hung = [case for case, verdict in verdicts.items() if verdict == "HUNG"]
    total = total if total is not None else len(verdicts)
    notes = [f"failed: {failed}"] if failed else []
    notes += [f"hung: {hung}"] if hung else []
    notes += ["crashed (see the log)"] if crashed else []
    notes += [ended] if ended else []
    notes += [f"{total - len(verdicts)} not run"] if total > len(verdicts) else []
    print(f"{label}: {len(verdicts) - len(failed)}/{total} pass"
          + "".join(f"; {note}" for note in notes), flush=True)
    return int(bool(failed) or total == 0 or crashed or ended is not None)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--log", default=os.path.join(os.environ.get("OUT", "/tmp"), "device_check.log"))
    p.add_argument("--section", choices=sorted(SECTIONS), help=argparse.SUPPRESS)
    p.add_argument("--progress", help=argparse.SUPPRESS)
    p.add_argument("--skip", action="append", default=[], help=argparse.SUPPRESS)
    p.add_argument("--bench-one", nargs=3, metavar=("WORKLOAD", "TARGET", "RESULT"),
                   help=argparse.SUPPRESS)
    p.add_argument("--profile-one", nargs=3, metavar=("WORKLOAD", "TARGET", "REPORT"),
                   help=argparse.SUPPRESS)
    p.add_argument("--maps-built", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--bench-seconds", type=float, default=150,
                   help="time for the benchmarks; targets past it are skipped")
    p.add_argument("--profile-seconds", type=float, default=60,
                   help="time for the device-time profiles (SCN_GPU_PROFILE)")
    p.add_argument("--only", choices=["checks", "bench", "profiles"], action="append",
                   help="run only these parts (default: all)")
    a = p.parse_args()
    if a.section:
        return run_section(a.section, a.log, a.progress or a.log + ".progress", a.skip)
    if a.bench_one:
        name, target, result_path = a.bench_one
        bench_one(name, target, a.repeat, result_path)
        return 0
    if a.profile_one:
        profile_one(*a.profile_one, maps_built=a.maps_built)
        return 0
    parts = set(a.only or ["checks", "bench", "profiles"])
    status = 0
    open(a.log, "w").close()
    for name in SECTIONS if "checks" in parts else ():
        section_log = f"{a.log}.{name}"
        status |= run_section_bounded(name, section_log, 45)
        # One log file in all ($OUT brings few files back).
        if os.path.exists(section_log):
            with open(a.log, "a") as log, open(section_log) as part:
                log.write(part.read())
            os.remove(section_log)
    if not os.path.isdir(os.path.join(CHECK, "bench")):
        print("no bench artifacts (prepared with --target=cpu?)")
        return status
    # Outputs of every target (W1's are 22 MB each): outside $OUT, which
    # brings back few files.
    scratch = tempfile.mkdtemp(prefix="scn-bench-")
    peaks = None
    with open(a.log, "a") as log:
        try:
            if "bench" in parts:
                peaks = bench(log, a.repeat, time.time() + a.bench_seconds, scratch)
            if "profiles" in parts:
                report = os.path.join(os.path.dirname(os.path.abspath(a.log)), "profile.txt")
                open(report, "w").close()
                profiles(log, peaks or gemm_peaks(), report, time.time() + a.profile_seconds)
        except Exception:
            traceback.print_exc(file=log)
            print("bench or profiles crashed, see the log")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
