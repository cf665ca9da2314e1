"""The tensor-core convolutions (--element-type=f16 / bf16: mma.sync
m16n8k16 kernels, TensorCoreLowering.cpp) against the CPU's fp32 result.

On every machine they run through --target=cuda-emulated, where each warp's
32 lanes are a loop and the mma reads the lanes' fragments back by the PTX
ISA's layout, so the gathers, packing, rounding, tiling, epilogues and
fragment layout are checked without a GPU:
- exact cases: inputs and weights are small integers or halves, so every
  product is exact in f16 and bf16 and every sum exact in fp32; the result
  must equal the CPU's bit for bit. A fragment or index mistake cannot hide
  under a tolerance.
- rounded cases: deeper networks with normal weights, within the error that
  rounding inputs to f16 (11 bits) or bf16 (8 bits) explains.
On a GPU the same networks run on the tensor cores and must match the
emulation: bit for bit in the exact cases, within GPU_VS_EMULATION in the
rounded ones (the order of the fp32 sums differs).
"""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
from cuda_device import cuda_device_present  # noqa: E402
import spec_to_mlir  # noqa: E402
import tile_occupancy  # noqa: E402

BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
SCN_COMPILE = os.path.join(BUILD, "bin", "scn-compile")
SCN_RUN = os.path.join(BUILD, "bin", "scn-run")
HAS_GPU = cuda_device_present()
TYPES = ["f16", "bf16", "tf32"]
# Relative error (to the output's largest magnitude) that rounding the
# inputs of each layer explains: 2^-11 (f16, tf32) and 2^-8 (bf16) per
# product, grown through a few layers.
TOLERANCE = {"f16": 4e-3, "bf16": 3e-2, "tf32": 4e-3}
# The GPU against the emulation of the same kernels, rounded cases: the
# tensor cores add the fp32 products in another order (and align them
# before adding, not rounding each sum), so an intermediate activation
# rounded to f16 or bf16 at the next layer's input can land one unit
# apart, which moves the output by up to the type's unit roundoff. Seen on
# an H200 (2026-11-27): 9.1e-5 (f16) and 2.7e-4 (bf16). Layout or index
# mistakes give errors of the outputs' own size, and the exact cases still
# compare bit for bit.
GPU_VS_EMULATION = {"f16": 2.0 ** -11, "bf16": 2.0 ** -8, "tf32": 2.0 ** -11}


class Network:
    """A golden-format spec (test/golden/README.md) built layer by layer."""

    def __init__(self, rng, dim, exact):
        self.rng, self.dim, self.exact = rng, dim, exact
        self.arrays = {}

    def values(self, shape, scale):
        if self.exact:  # -1, -0.5, 0, 0.5, 1: exact in f16 and bf16
            return (self.rng.integers(-2, 3, shape) * 0.5).astype(np.float32)
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def param(self, shape, scale):
        ref = f"param/{len(self.arrays)}"
        self.arrays[ref] = self.values(shape, scale)
        return ref

    def conv(self, kind, c_in, c_out, filt, stride=None, bias=False):
        vol = int(np.prod(filt))
        layer = {"type": kind, "nIn": c_in, "nOut": c_out, "filter_size": filt,
                 "bias": bias, "groups": 1,
                 "params": {"weight": self.param((vol, 1, c_in, c_out),
                                                 1 / np.sqrt(vol * c_in))}}
        if stride:
            layer["filter_stride"] = stride
        if bias:
            layer["params"]["bias"] = self.param((c_out,), 0.2)
        return layer


def tensor_core_case(seed, exact):
    """(spec, arrays): a network whose convolutions fit tensor cores, on
    random sites (2-D or 3-D, a batch of two, any row count including
    none and ones that leave the last 16-row tile partial)."""
    r = np.random.default_rng(seed)
    dim = 2 + seed % 2
    # Odd sides for the filter-3 stride-2 convolution (shape 2), even ones
    # for filter 2 stride 2 (SparseConvNet's exact size arithmetic).
    odd = int(exact and seed % 4 == 2)
    size = [(16 if dim == 2 else 8) + odd] * dim
    net = Network(r, dim, exact)
    n = 0 if seed == 3 else int(r.integers(20, 300))
    coords = np.concatenate([np.stack([r.integers(0, s, n) for s in size], 1),
                             r.integers(0, 2, (n, 1))], 1).astype(np.int64)
    coords = np.unique(coords, axis=0)
    c_in = int(r.choice([16, 32]))
    features = (r.integers(-2, 3, (len(coords), c_in)) * 0.5 if exact
                else r.standard_normal((len(coords), c_in))).astype(np.float32)
    f3, f2 = [3] * dim, [2] * dim
    wide = int(r.choice([16, 48, 64, 128]))
    if exact:
        # One tensor-core layer on the (exact) input, or two where the first
        # one's sums stay small integers (conv then deconv, weights and
        # features in {-1, 0, 1}).
        shape = seed % 4
        if shape == 0:
            layers = [net.conv("SubmanifoldConvolution", c_in, wide, f3, bias=True),
                      {"type": "ReLU"}]
        elif shape == 1:
            anisotropic = [3, 1, 3][:dim] if dim == 3 else [3, 1]
            layers = [{"type": "ConcatTable", "branches": [
                          [net.conv("SubmanifoldConvolution", c_in, 16, f2)],
                          [net.conv("SubmanifoldConvolution", c_in, wide, anisotropic)]]},
                      {"type": "JoinTable"}]
        elif shape == 2:
            layers = [net.conv("Convolution", c_in, 32, f3, stride=[2] * dim, bias=True)]
        else:
            # Sums of at most 8 x 32 terms of {-1, 0, 1}: integers up to 256,
            # exact in bf16 too.
            features = np.rint(features)
            down = net.conv("Convolution", c_in, 16, f2, stride=[2] * dim)
            weight = down["params"]["weight"]
            net.arrays[weight] = np.rint(net.arrays[weight])
            layers = [down, net.conv("Deconvolution", 16, wide, f2, stride=[2] * dim)]
    else:
        layers = [net.conv("SubmanifoldConvolution", c_in, 32, f3, bias=True),
                  {"type": "BatchNormReLU", "nPlanes": 32, "eps": 1e-4, "momentum": 0.99,
                   "params": {"weight": _positive(net, 32),
                              "bias": net.param((32,), 0.2),
                              "running_mean": net.param((32,), 0.25),
                              "running_var": _positive(net, 32)}},
                  net.conv("Convolution", 32, wide, f2, stride=[2] * dim),
                  net.conv("SubmanifoldConvolution", wide, wide, f3),
                  net.conv("Deconvolution", wide, 32, f2, stride=[2] * dim),
                  {"type": "ConcatTable", "branches": [
                      [{"type": "Identity"}],
                      [net.conv("SubmanifoldConvolution", 32, 32, f3), {"type": "ReLU"}]]},
                  {"type": "AddTable"},
                  # A residual block (SparseConvNet's order): the sum above
                  # is its shortcut and, batch-normed, its convolution's
                  # input, so the convolution that sums taps its sum.
                  {"type": "ConcatTable", "branches": [
                      [{"type": "Identity"}],
                      [{"type": "BatchNormReLU", "nPlanes": 32, "eps": 1e-4, "momentum": 0.99,
                        "params": {"weight": _positive(net, 32),
                                   "bias": net.param((32,), 0.2),
                                   "running_mean": net.param((32,), 0.25),
                                   "running_var": _positive(net, 32)}},
                       net.conv("SubmanifoldConvolution", 32, 32, f3)]]},
                  {"type": "AddTable"},
                  # That block's sum joined with a convolution of its batch
                  # norm (a UNet's skip): the sum's convolution taps it
                  # straight into its slice of the concatenation.
                  {"type": "ConcatTable", "branches": [
                      [{"type": "BatchNormReLU", "nPlanes": 32, "eps": 1e-4, "momentum": 0.99,
                        "params": {"weight": _positive(net, 32),
                                   "bias": net.param((32,), 0.2),
                                   "running_mean": net.param((32,), 0.25),
                                   "running_var": _positive(net, 32)}},
                       net.conv("SubmanifoldConvolution", 32, 16, f3)],
                      [{"type": "Identity"}]]},
                  {"type": "JoinTable"},
                  # A NetworkInNetwork shortcut (as W1's decoder blocks'),
                  # which runs on tensor cores as a 1x1 convolution.
                  {"type": "ConcatTable", "branches": [
                      [{"type": "NetworkInNetwork", "nIn": 48, "nOut": 16, "bias": True,
                        "params": {"weight": net.param((48, 16), 1 / np.sqrt(48)),
                                   "bias": net.param((16,), 0.2)}}],
                      [net.conv("SubmanifoldConvolution", 48, 16, f3, bias=True)]]},
                  {"type": "AddTable"}]
    net.arrays["coords"], net.arrays["features"] = coords, features
    spec = {"dimension": dim, "spatial_size": size, "input_mode": 0, "train": False,
            "batch_size": 2, "coords": "coords", "features": "features",
            "layers": layers}
    return spec, net.arrays


def many_tiles_case(out_channels=64, in_channels=64, points=4500):
    """An exact `in_channels` -> `out_channels` layer (3x3x3) on 7k sites
    (`points` random points): 250 warp tiles, many blocks of each kind, and
    input channels in 64s (wgmma's shape)."""
    r = np.random.default_rng(7)
    net = Network(r, 3, exact=True)
    coords = np.unique(np.concatenate([r.integers(0, 16, (points, 3)),
                                       r.integers(0, 2, (points, 1))], 1),
                       axis=0).astype(np.int64)
    features = (r.integers(-2, 3, (len(coords), in_channels)) * 0.5).astype(np.float32)
    net.arrays["coords"], net.arrays["features"] = coords, features
    spec = {"dimension": 3, "spatial_size": [16, 16, 16], "input_mode": 0, "train": False,
            "batch_size": 2, "coords": "coords", "features": "features",
            "layers": [net.conv("SubmanifoldConvolution", in_channels, out_channels,
                                [3, 3, 3], bias=True)]}
    return spec, net.arrays


def wide_case():
    """An exact 192 -> 64 layer on 623 sites: a lane's rows of an offset
    take it 48 registers in f16 (gathered one compute ahead) and 96 in f32
    (gathered in the step; TensorCoreConv::gathersAhead). (W1's widest
    decoder layer, 256 -> 128, is the same case at twice the weights, which
    the GPU check's carry has no room for.)"""
    return many_tiles_case(out_channels=64, in_channels=192, points=650)


def _positive(net, c):
    ref = f"param/{len(net.arrays)}"
    net.arrays[ref] = net.rng.uniform(0.5, 2.0, (c,)).astype(np.float32)
    return ref


def run(spec, arrays, tmp_path, name, compile_args, env=None):
    """Output of the network: compiled by scn-compile with `compile_args`, or
    JIT-compiled for the CPU by scn-run when there are none; scn-run with
    the environment variables `env` added."""
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    np.savez(tmp_path / "in.npz", coords=arrays["coords"], features=arrays["features"])
    network = mlir
    if compile_args:
        network = tmp_path / (name + ".so")
        proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", str(network)] + compile_args,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    out = tmp_path / (name + ".npz")
    proc = subprocess.run([SCN_RUN, str(network), "--input", str(tmp_path / "in.npz"),
                           "--output", str(out)], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))
    assert proc.returncode == 0, proc.stderr
    return np.load(out)["output"]


def uses_tensor_cores(spec, arrays, tmp_path, element_type):
    """The PTX of the network has mma.sync of `element_type` (a case that
    planned no tensor-core kernel would test nothing)."""
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    proc = subprocess.run(
        [os.path.join(BUILD, "bin", "scn-opt"), str(mlir),
         f"--scn-cuda-pipeline=element-type={element_type} chip=sm_80 format=isa"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    shape = "m16n8k8" if element_type == "tf32" else "m16n8k16"
    return f"mma.sync.aligned.{shape}.row.col.f32.{element_type}.{element_type}.f32" \
        in proc.stdout


def shared_weight_loads(spec, arrays, tmp_path, flags):
    """How many 16-byte shared-memory loads the network's PTX has, compiled
    with scn-compile's `flags` as --scn-cuda-pipeline options: without
    async gathers only B fragments come from shared memory, so 0 means the
    plan kept global weights and the case would test nothing new (with
    async gathers, f32 A chunks do too: check bar.sync)."""
    return ptx_count(spec, arrays, tmp_path, flags, "ld.shared.v4.b32")


def async_copies(spec, arrays, tmp_path, flags):
    """How many cp.async the network's PTX has (as shared_weight_loads): 0
    means the plan kept every gather in registers."""
    return ptx_count(spec, arrays, tmp_path, flags, "cp.async.c")


def ptx_count(spec, arrays, tmp_path, flags, text):
    """How often `text` occurs in the network's PTX, compiled with
    scn-compile's `flags` as --scn-cuda-pipeline options."""
    return ptx_of(spec, arrays, tmp_path, flags).count(text)


def ptx_of(spec, arrays, tmp_path, flags):
    """The network's PTX (in the pipeline's output), compiled with
    scn-compile's `flags` as --scn-cuda-pipeline options."""
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    options = " ".join(f.lstrip("-") for f in flags)
    if "chip=" not in options:
        options += " chip=sm_80"
    proc = subprocess.run(
        [os.path.join(BUILD, "bin", "scn-opt"), str(mlir),
         f"--scn-cuda-pipeline={options} format=isa"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


EXACT_SEEDS = range(8)
ROUNDED_SEEDS = range(2)


def assert_emulation_equals_cpu(spec, arrays, tmp_path, flags):
    """The network through --target=cuda-emulated with `flags` gives the
    CPU's fp32 output bit for bit (the exact cases)."""
    expected = run(spec, arrays, tmp_path, "cpu", [])
    got = run(spec, arrays, tmp_path, "emulated", ["--target=cuda-emulated"] + flags)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("element_type", TYPES)
@pytest.mark.parametrize("seed", EXACT_SEEDS)
def test_exact_case_equals_cpu(seed, element_type, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    assert_emulation_equals_cpu(spec, arrays, tmp_path, ["--element-type=" + element_type])


# The cases above run the plan's warps of 16 rows (one row tile); these
# run warps of two and of four row tiles, whose last warp of a layer is
# partial too.
@pytest.mark.parametrize("rows", [32, 64])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_case_other_warp_rows(seed, rows, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    assert_emulation_equals_cpu(spec, arrays, tmp_path,
                                ["--element-type=f16", f"--tensor-core-rows={rows}"])


# Loads in flight (--tensor-core-loads) group the input-channel blocks of
# an offset's step: one block at a time, and all of them at once.
@pytest.mark.parametrize("loads", [1, 64])
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_case_other_load_groups(seed, loads, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    assert_emulation_equals_cpu(spec, arrays, tmp_path,
                                ["--element-type=f16", f"--tensor-core-loads={loads}"])


# Shared memory, each mode with what its PTX must show (else the plan
# left it out and the case would test nothing new). Weights in shared
# memory (--tensor-core-weights=shared): a block copies its column tile's
# weights once and its warps take warp tiles by a grid-stride loop (the
# emulation runs 3 blocks of 16 warps, as a small GPU would). Async
# gathers (--tensor-core-gathers=async): each lane copies its input chunks
# of an offset into shared-memory stages (cp.async; a plain copy in the
# emulation) some offsets ahead, in the order of the warp's neighbour
# mask, and reads them back for the offset's mmas; a wrong stage, offset
# or chunk gives other sums. Block weights (--tensor-core-weights=block):
# the threads of a block of 4 warps copy each offset's weights into
# shared stages (cp.async; a plain copy in the emulation, where every warp
# makes its block's copies itself) over the union of the warps' masks, and
# each warp reads its fragments there; a wrong stage, offset or union gives
# other sums. Seed 3 has no sites.
SHARED_MEMORY_MODES = {"shared-weights": (["--tensor-core-weights=shared"], "ld.shared.v4.b32"),
                       "async-gathers": (["--tensor-core-gathers=async"], "cp.async.c"),
                       "block-weights": (["--tensor-core-weights=block"], "cp.async.c")}


@pytest.mark.parametrize("mode", SHARED_MEMORY_MODES)
@pytest.mark.parametrize("element_type", ["f16", "tf32"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_exact_case_shared_memory(seed, element_type, mode, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    extra, ptx = SHARED_MEMORY_MODES[mode]
    flags = ["--element-type=" + element_type] + extra
    assert_emulation_equals_cpu(spec, arrays, tmp_path, flags)
    assert ptx_count(spec, arrays, tmp_path, flags, ptx) > 0


# Enough rows that each emulated block's warps take several tiles (3 blocks
# x 16 warps, 250 warp tiles), through a layer whose weights fit sm_86's 99
# KiB only in narrower column tiles (64 -> 64 at 3x3x3: 16 channels, 55 KiB),
# with a two-row-tile warp, and planned by "large" (64 x 64 channels is
# its threshold).
@pytest.mark.parametrize("flags", [["--chip=sm_86", "--tensor-core-weights=shared"],
                                   ["--chip=sm_90", "--tensor-core-weights=shared",
                                    "--tensor-core-rows=32"],
                                   ["--chip=sm_90", "--tensor-core-weights=large"],
                                   ["--chip=sm_90", "--tensor-core-weights=shared",
                                    "--tensor-core-gathers=async", "--tensor-core-stages=2"],
                                   ["--chip=sm_90", "--tensor-core-weights=block"],
                                   ["--chip=sm_90", "--tensor-core-weights=block",
                                    "--tensor-core-rows=32"],
                                   ["--chip=sm_90a", "--tensor-core-weights=block"],
                                   # blocks of 8 warps: 31 full and one of 2 warps
                                   # with rows; 256 threads copy each stage. The
                                   # emulation runs each warp on its own (over its
                                   # block's union, which adds only offsets its rows
                                   # lack): it checks the copies of 256 threads and
                                   # the 8-warp stages' sizes, not the barriers, the
                                   # published masks or a warpgroup's skips, which
                                   # the GPU check's exacttiles x8 cases do.
                                   ["--chip=sm_90", "--tensor-core-weights=block",
                                    "--tensor-core-block-warps=8"],
                                   ["--chip=sm_90", "--tensor-core-weights=block",
                                    "--tensor-core-block-warps=8",
                                    "--tensor-core-gathers=async"],
                                   ["--chip=sm_90a", "--tensor-core-weights=block",
                                    "--tensor-core-block-warps=8"],
                                   # clusters of two blocks (an even grid: 63
                                   # blocks with rows and one without), which the
                                   # emulation runs as blocks of 8 warps: it checks
                                   # the pair's union and the sums, not the
                                   # multicast copies or the mbarriers, which the
                                   # GPU check's exacttiles cluster cases do.
                                   ["--chip=sm_90a", "--tensor-core-weights=block",
                                    "--tensor-core-cluster-blocks=2"]])
def test_exact_shared_weights_many_tiles(flags, tmp_path):
    spec, arrays = many_tiles_case()
    assert len(arrays["coords"]) > 3 * 16 * 16 * 3
    assert_emulation_equals_cpu(spec, arrays, tmp_path, ["--element-type=f16"] + flags)
    assert shared_weight_loads(spec, arrays, tmp_path, ["--element-type=f16"] + flags) > 0
    if "--chip=sm_90a" in flags:  # the 64 -> 64 layer on wgmma
        assert ptx_count(spec, arrays, tmp_path, ["--element-type=f16"] + flags,
                         "wgmma.mma_async") > 0
    if "--tensor-core-cluster-blocks=2" in flags:  # mbarriers, not block barriers
        for text in (".reqnctapercluster 2, 1, 1", "barrier.cluster.arrive.release.aligned",
                     "mbarrier.try_wait.parity.shared::cta",
                     "mbarrier.arrive.shared::cluster",
                     "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes."
                     "multicast::cluster"):
            assert ptx_count(spec, arrays, tmp_path, ["--element-type=f16"] + flags, text) > 0
        assert ptx_count(spec, arrays, tmp_path, ["--element-type=f16"] + flags,
                         "bar.sync") == 0
    elif "--tensor-core-weights=block" in flags:  # blocks of 4 or 8 warps, barriers per offset
        assert ptx_count(spec, arrays, tmp_path, ["--element-type=f16"] + flags,
                         "bar.sync") > 0
        threads = 256 if "--tensor-core-block-warps=8" in flags else 128
        assert ptx_count(spec, arrays, tmp_path, ["--element-type=f16"] + flags,
                         f".maxntid {threads}, 1, 1") == 1
    if "--tensor-core-gathers=async" in flags:  # 2 stages leave 16 columns of weights room
        assert ptx_count(spec, arrays, tmp_path, ["--element-type=f16"] + flags,
                         "bar.sync") > 0
        assert async_copies(spec, arrays, tmp_path, ["--element-type=f16"] + flags) > 0


# Warps of 128 output channels (--tensor-core-columns=128: each gathered row
# serves twice the mmas), on mma.sync and on wgmma m64n128k16 (64
# accumulators a lane, atoms of 128 rows in the stages).
@pytest.mark.parametrize("flags", [[], ["--chip=sm_90a", "--tensor-core-weights=block"],
                                   ["--chip=sm_90a", "--tensor-core-weights=block",
                                    "--tensor-core-block-warps=8"],
                                   ["--chip=sm_90a", "--tensor-core-weights=block",
                                    "--tensor-core-cluster-blocks=2"]])
def test_exact_128_columns(flags, tmp_path):
    spec, arrays = many_tiles_case(out_channels=128)
    flags = ["--element-type=f16", "--tensor-core-columns=128"] + flags
    assert_emulation_equals_cpu(spec, arrays, tmp_path, flags)
    shape = "wgmma.mma_async.sync.aligned.m64n128k16" if "--chip=sm_90a" in flags \
        else "mma.sync.aligned.m16n8k16"
    assert ptx_count(spec, arrays, tmp_path, flags, shape) > 0
    threads = 256 if "--tensor-core-block-warps=8" in flags else 128
    assert ptx_count(spec, arrays, tmp_path, flags, f".maxntid {threads}, 1, 1") == 1
    if "--chip=sm_90a" not in flags:  # 16 mmas of 8 channels a k step
        assert ptx_count(spec, arrays, tmp_path, flags, "mma.sync.aligned.m16n8k16") >= 64


# Block weights on a layer whose rows are too wide to gather ahead (f32 rows,
# --narrow-tensor-core-inputs=false: 96 registers a lane) and on the same
# layer in f16 rows (48: ahead), on mma.sync and wgmma m64n64k16.
@pytest.mark.parametrize("flags", [["--tensor-core-weights=block"],
                                   ["--chip=sm_90a", "--tensor-core-weights=block"]])
@pytest.mark.parametrize("narrow", [[], ["--narrow-tensor-core-inputs=false"]])
def test_exact_wide_rows(flags, narrow, tmp_path):
    spec, arrays = wide_case()
    assert len(arrays["coords"]) > 2 * 64 * 4  # several blocks of 4 warps
    flags = ["--element-type=f16"] + flags + narrow
    assert_emulation_equals_cpu(spec, arrays, tmp_path, flags)
    shape = "wgmma.mma_async.sync.aligned.m64n64k16" if "--chip=sm_90a" in flags \
        else "mma.sync.aligned.m16n8k16"
    assert ptx_count(spec, arrays, tmp_path, flags, shape) > 0


# wgmma with bf16 multiplicands (the exact case's halves and small integers
# are exact in bf16 too).
def test_exact_wgmma_bf16(tmp_path):
    spec, arrays = many_tiles_case()
    flags = ["--element-type=bf16", "--chip=sm_90a", "--tensor-core-weights=block"]
    assert_emulation_equals_cpu(spec, arrays, tmp_path, flags)
    assert ptx_count(spec, arrays, tmp_path, flags,
                     "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16") > 0


# Staged weights (--tensor-core-weights=staged): each lane copies its B
# fragments of an offset into its warp's stages with its input chunks and
# reads them back for the offset's mmas.
@pytest.mark.parametrize("element_type", ["f16", "tf32"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_exact_case_staged_weights(seed, element_type, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    flags = ["--element-type=" + element_type, "--tensor-core-gathers=async",
             "--tensor-core-weights=staged"]
    assert_emulation_equals_cpu(spec, arrays, tmp_path, flags)
    registers_only = ["--element-type=" + element_type, "--tensor-core-gathers=async"]
    # More copies than the input chunks' alone: the B fragments'.
    assert async_copies(spec, arrays, tmp_path, flags) > \
        async_copies(spec, arrays, tmp_path, registers_only)


# Other stage counts, warps of two row tiles, f16 activations (8-byte
# chunks), and async gathers beside shared weights (the stages after the
# weights in a block's shared memory).
@pytest.mark.parametrize("extra", [["--tensor-core-stages=2"], ["--tensor-core-stages=5"],
                                   ["--tensor-core-rows=32"], ["--activations=f16"],
                                   ["--tensor-core-weights=shared"],
                                   ["--tensor-core-weights=shared", "--activations=f16"],
                                   ["--tensor-core-weights=staged", "--activations=f16"],
                                   ["--tensor-core-weights=staged", "--tensor-core-rows=32"],
                                   ["--tensor-core-weights=block"],
                                   ["--tensor-core-weights=block", "--activations=f16",
                                    "--tensor-core-stages=4"]])
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_case_async_gather_variants(seed, extra, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    flags = ["--element-type=f16", "--tensor-core-gathers=async"] + extra
    assert_emulation_equals_cpu(spec, arrays, tmp_path, flags)
    assert async_copies(spec, arrays, tmp_path, flags) > 0
    if any(w in extra for w in ("--tensor-core-weights=shared",
                                "--tensor-core-weights=block")):  # copies end in barriers
        assert ptx_count(spec, arrays, tmp_path, flags, "bar.sync") > 0


# Every case above takes each row tile's neighbour mask once; with
# --neighbour-masks=false the warps vote per offset, as filters of more
# than 32 offsets always do (the 5x5x5 test below).
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_case_votes(seed, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    assert_emulation_equals_cpu(spec, arrays, tmp_path,
                                ["--element-type=f16", "--neighbour-masks=false"])


# Filters of more than 32 offsets (5x5x5: 125) vote per offset.
@pytest.mark.parametrize("seed", [0, 1])
def test_exact_case_large_filter_votes(seed, tmp_path):
    r = np.random.default_rng(100 + seed)
    net = Network(r, 3, exact=True)
    coords = np.unique(np.concatenate([r.integers(0, 8, (150, 3)), r.integers(0, 2, (150, 1))],
                                      1), axis=0).astype(np.int64)
    features = (r.integers(-2, 3, (len(coords), 16)) * 0.5).astype(np.float32)
    net.arrays["coords"], net.arrays["features"] = coords, features
    spec = {"dimension": 3, "spatial_size": [8, 8, 8], "input_mode": 0, "train": False,
            "batch_size": 2, "coords": "coords", "features": "features",
            "layers": [net.conv("SubmanifoldConvolution", 16, 32, [5, 5, 5], bias=True)]}
    assert_emulation_equals_cpu(spec, net.arrays, tmp_path, ["--element-type=f16"])
    assert uses_tensor_cores(spec, net.arrays, tmp_path, "f16")


# Activations stored in f16 (--activations=f16): the exact cases' values
# (halves, and sums of them below 2^11) are f16 numbers, so the output must
# still equal the CPU's fp32 output bit for bit.
@pytest.mark.parametrize("seed", EXACT_SEEDS)
def test_exact_case_f16_activations(seed, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=True)
    assert_emulation_equals_cpu(spec, arrays, tmp_path,
                                ["--element-type=f16", "--activations=f16"])


@pytest.mark.parametrize("element_type", TYPES)
@pytest.mark.parametrize("seed", ROUNDED_SEEDS)
def test_rounded_case_within_precision(seed, element_type, tmp_path):
    spec, arrays = tensor_core_case(seed, exact=False)
    expected = run(spec, arrays, tmp_path, "cpu", [])
    got = run(spec, arrays, tmp_path, "emulated",
              ["--target=cuda-emulated", "--element-type=" + element_type])
    scale = max(1.0, float(np.abs(expected).max()))
    err = float(np.abs(got - expected).max()) / scale
    assert err <= TOLERANCE[element_type], err
    # Rounding did happen: the comparison is not vacuous.
    assert err > 0


@pytest.mark.parametrize("seed", ROUNDED_SEEDS)
def test_rounded_case_against_eager_reference(seed, tmp_path):
    """The rounded cases' CPU output, the reference of the comparisons
    above, against PyTorch's eager layers, which fuse nothing: a fused
    epilogue (the residual block's tap) that both targets got wrong the
    same way would pass those. The f16 tensor cores too, within their
    rounding."""
    pytest.importorskip("torch")
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
    import test_differential_cpu as differential
    spec, arrays = tensor_core_case(seed, exact=False)
    differential.check_against_eager(spec, arrays, tmp_path)
    differential.check_against_eager(spec, arrays, tmp_path, target="cuda-emulated",
                                     extra_args=["--element-type=f16"],
                                     tolerance=TOLERANCE["f16"])


@pytest.mark.parametrize("flags", [["--element-type=f16"], ["--element-type=bf16"],
                                   ["--element-type=f16", "--tensor-core-gathers=async"]])
@pytest.mark.parametrize("seed", ROUNDED_SEEDS)
def test_row_orders_give_the_same_output(seed, flags, tmp_path):
    """The row order (which rows share a tensor-core tile, and which tiles
    a block runs first) changes which offsets a tile skips, never a row's
    sums: the rounded case gives the same output bit for bit with the Gray
    code key, chunks packed and whole blocks heaviest first (the default),
    the plain mask (SCN_RUNTIME_ROW_ORDER=mask), the key's own block order
    (SCN_RUNTIME_BLOCK_ORDER=key) and the key's cuts
    (SCN_RUNTIME_ROW_PACKING=key), whose orders differ there."""
    spec, arrays = tensor_core_case(seed, exact=False)
    # The first layer's map, as the runtime orders it each way (mode 0, as
    # the case's input).
    lib = tile_occupancy.runtime()
    orders = {name: tile_occupancy.submanifold_row_order(
                  lib, arrays["coords"], spec["spatial_size"], *choices)
              for name, choices in (("gray", ()), ("mask", ("mask",)),
                                    ("key", (None, "key")), ("cuts", (None, None, "key")))}
    assert not np.array_equal(orders["mask"], orders["gray"])
    assert not np.array_equal(orders["key"], orders["gray"])
    assert not np.array_equal(orders["cuts"], orders["gray"])
    compile_args = ["--target=cuda-emulated"] + flags
    default = run(spec, arrays, tmp_path, "gray", compile_args)
    masked = run(spec, arrays, tmp_path, "mask", compile_args, {"SCN_RUNTIME_ROW_ORDER": "mask"})
    np.testing.assert_array_equal(default, masked)
    keyed = run(spec, arrays, tmp_path, "key", compile_args, {"SCN_RUNTIME_BLOCK_ORDER": "key"})
    np.testing.assert_array_equal(default, keyed)
    cut = run(spec, arrays, tmp_path, "cuts", compile_args, {"SCN_RUNTIME_ROW_PACKING": "key"})
    np.testing.assert_array_equal(default, cut)
    # The variables reach the runtime's row order: other values fail the run.
    with pytest.raises(AssertionError, match="SCN_RUNTIME_ROW_ORDER"):
        run(spec, arrays, tmp_path, "bad", compile_args, {"SCN_RUNTIME_ROW_ORDER": "sorted"})
    with pytest.raises(AssertionError, match="SCN_RUNTIME_BLOCK_ORDER"):
        run(spec, arrays, tmp_path, "bad", compile_args,
            {"SCN_RUNTIME_BLOCK_ORDER": "lightest"})
    with pytest.raises(AssertionError, match="SCN_RUNTIME_ROW_PACKING"):
        run(spec, arrays, tmp_path, "bad", compile_args, {"SCN_RUNTIME_ROW_PACKING": "greedy"})


@pytest.mark.parametrize("flags", [["--element-type=f16"],
                                   ["--element-type=f16", "--activations=f16"],
                                   ["--element-type=bf16", "--tensor-core-weights=block"]])
def test_taps_give_the_same_output(flags, tmp_path):
    """A batch norm of a residual sum fused after a tap (the default)
    computes what its own kernel did, from the same f32 sum: the rounded
    case (whose residual block taps a tensor-core sum) gives the same
    output bit for bit with --epilogue-taps=false (the GPU check's
    cuda-f16-notaps expects the same on W1). With f16 activations the
    batch-norm kernel read the sum rounded to f16, the tap takes it from
    the registers: one rounding fewer, so the outputs differ by about
    that rounding."""
    spec, arrays = tensor_core_case(0, exact=False)
    compile_args = ["--target=cuda-emulated"] + flags
    taps = run(spec, arrays, tmp_path, "taps", compile_args)
    kernels = run(spec, arrays, tmp_path, "notaps", compile_args + ["--epilogue-taps=false"])
    if "--activations=f16" not in flags:
        np.testing.assert_array_equal(taps, kernels)
        return
    scale = max(1.0, float(np.abs(kernels).max()))
    difference = float(np.abs(taps - kernels).max()) / scale
    assert 0 < difference <= TOLERANCE["f16"], difference


@pytest.mark.parametrize("flags", [["--element-type=f16"], ["--element-type=bf16"],
                                   ["--element-type=f16", "--tensor-core-gathers=async"],
                                   ["--element-type=f16", "--tensor-core-weights=shared"]])
@pytest.mark.parametrize("seed", ROUNDED_SEEDS)
def test_narrow_inputs_give_the_same_output(seed, flags, tmp_path):
    """Rows that only tensor-core convolutions read are stored in their
    multiplicand type (the default) or in f32 (--narrow-tensor-core-inputs=
    false): the convolutions round them to that type either way, so the
    rounded case gives the same output bit for bit, while its kernels
    convert far fewer values (the narrow rows are rounded once, where they
    are made: the comparison is not vacuous)."""
    spec, arrays = tensor_core_case(seed, exact=False)
    emulated = ["--target=cuda-emulated"] + flags
    narrow = run(spec, arrays, tmp_path, "narrow", emulated)
    wide = run(spec, arrays, tmp_path, "wide", emulated + ["--narrow-tensor-core-inputs=false"])
    np.testing.assert_array_equal(narrow, wide)
    element = flags[0].split("=")[1]
    # Values rounded to the element type: one a cvt, two a paired one
    # (vector stores and the async gathers' chunks convert pairs).
    conversions = []
    for extra in ([], ["--narrow-tensor-core-inputs=false"]):
        ptx = ptx_of(spec, arrays, tmp_path, flags + extra)
        conversions.append(ptx.count(f"cvt.rn.{element}.f32")
                           + 2 * ptx.count(f"cvt.rn.{element}x2.f32"))
    assert conversions[0] < conversions[1], conversions


def narrow_producers_case(seed):
    """(spec, arrays): rows that only tensor-core convolutions read, made by
    each kind of op the plan narrows besides convolutions: summed input rows
    (mode 4, duplicate coordinates), a concatenation its convolutions write
    into, and pooling (max or average)."""
    r = np.random.default_rng(100 + seed)
    net = Network(r, 3, exact=False)
    size = [8, 8, 8]
    n = 260
    coords = np.concatenate([np.stack([r.integers(0, s, n) for s in size], 1),
                             r.integers(0, 2, (n, 1))], 1).astype(np.int64)
    features = r.standard_normal((n, 16)).astype(np.float32)
    f3 = [3, 3, 3]
    pool = "MaxPooling" if seed % 2 == 0 else "AveragePooling"
    layers = [net.conv("SubmanifoldConvolution", 16, 32, f3),
              {"type": "ConcatTable", "branches": [
                  [net.conv("SubmanifoldConvolution", 32, 16, f3)],
                  [net.conv("SubmanifoldConvolution", 32, 16, f3)]]},
              {"type": "JoinTable"},
              net.conv("SubmanifoldConvolution", 32, 32, f3),
              {"type": pool, "pool_size": 2, "pool_stride": 2},
              net.conv("SubmanifoldConvolution", 32, 16, f3, bias=True)]
    net.arrays["coords"], net.arrays["features"] = coords, features
    spec = {"dimension": 3, "spatial_size": size, "input_mode": 4, "train": False,
            "batch_size": 2, "coords": "coords", "features": "features", "layers": layers}
    return spec, net.arrays


@pytest.mark.parametrize("element_type", ["f16", "bf16"])
@pytest.mark.parametrize("seed", [0, 1])
def test_narrow_producers_give_the_same_output(seed, element_type, tmp_path):
    """The same, with the rows narrowed where a mode-4 input sums them, where
    a concatenation's convolutions write them, and where pooling makes them
    (the plan marks each of those ops: checked on its output)."""
    spec, arrays = narrow_producers_case(seed)
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    proc = subprocess.run(
        [os.path.join(BUILD, "bin", "scn-opt"), str(mlir), "--canonicalize",
         "--scn-fold-batchnorm", "--scn-fuse-epilogue", "--canonicalize",
         "--scn-materialize-kernel-maps", "--cse",
         f"--scn-plan-dataflow=target=cuda tensor-cores=true tensor-core-type={element_type}"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pool = "scn.max_pool" if seed % 2 == 0 else "scn.avg_pool"
    for op in ("scn.input", "scn.concat", pool):
        marked = [line for line in proc.stdout.splitlines()
                  if op + " " in line and f"storage_type = {element_type}" in line]
        assert marked, f"{op} not narrowed:\n{proc.stdout}"
    emulated = ["--target=cuda-emulated", "--element-type=" + element_type]
    narrow = run(spec, arrays, tmp_path, "narrow", emulated)
    wide = run(spec, arrays, tmp_path, "wide", emulated + ["--narrow-tensor-core-inputs=false"])
    assert narrow.size
    np.testing.assert_array_equal(narrow, wide)


def test_narrow_inputs_flag_is_for_cuda(tmp_path):
    spec, arrays = tensor_core_case(0, exact=False)
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", str(tmp_path / "net.so"),
                           "--narrow-tensor-core-inputs=false"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "--narrow-tensor-core-inputs is for --target=cuda" in proc.stderr


def tf32_round(values):
    """float32 `values` rounded to tf32 as cvt.rna.tf32.f32 does: to nearest,
    ties away from zero, 10 bits of mantissa (NaN aside)."""
    bits = values.astype(np.float32).view(np.uint32)
    return ((bits + np.uint32(0x1000)) & np.uint32(0xFFFFE000)).view(np.float32)


# tf32 rounding bit for bit: isolated sites (no neighbours but themselves)
# through a 16 -> 16 submanifold convolution whose centre weights are the
# identity, so each output is its input rounded to tf32 (times 1, plus
# exact zeros). The inputs' low 13 bits are set to the cases that matter:
# just below, at and just above the halfway point (ties go away from zero),
# all ones (a carry into the exponent), and random.
def test_tf32_rounds_to_nearest_ties_away(tmp_path):
    r = np.random.default_rng(5)
    grid = np.stack(np.meshgrid(*[np.arange(0, 8, 2)] * 3, indexing="ij"), -1).reshape(-1, 3)
    coords = np.concatenate([grid, np.zeros((len(grid), 1), np.int64)], 1).astype(np.int64)
    high = (r.uniform(0.5, 4.0, (len(coords), 16)) * r.choice([-1, 1], (len(coords), 16)))
    bits = high.astype(np.float32).view(np.uint32) & np.uint32(0xFFFFE000)
    low = r.choice([0x0FFF, 0x1000, 0x1001, 0x1FFF, 0x0000], (len(coords), 16)).astype(np.uint32)
    low[: len(coords) // 2] = r.integers(0, 0x2000, (len(coords) // 2, 16)).astype(np.uint32)
    features = (bits | low).view(np.float32)
    weight = np.zeros((27, 1, 16, 16), np.float32)
    weight[13, 0] = np.eye(16, dtype=np.float32)
    arrays = {"coords": coords, "features": features, "param/0": weight}
    spec = {"dimension": 3, "spatial_size": [8, 8, 8], "input_mode": 0, "train": False,
            "batch_size": 1, "coords": "coords", "features": "features",
            "layers": [{"type": "SubmanifoldConvolution", "nIn": 16, "nOut": 16,
                        "filter_size": [3, 3, 3], "bias": False, "groups": 1,
                        "params": {"weight": "param/0"}}]}
    expected = tf32_round(features)
    assert not np.array_equal(expected, features)
    got = run(spec, arrays, tmp_path, "emulated", ["--target=cuda-emulated", "--element-type=tf32"])
    np.testing.assert_array_equal(got, expected)
    assert uses_tensor_cores(spec, arrays, tmp_path, "tf32")
    if HAS_GPU:
        gpu = run(spec, arrays, tmp_path, "gpu",
                  ["--target=cuda", "--chip=sm_80,sm_90", "--element-type=tf32"])
        np.testing.assert_array_equal(gpu, expected)


def test_every_case_plans_tensor_cores(tmp_path):
    for seed in list(EXACT_SEEDS) + [100 + s for s in ROUNDED_SEEDS]:
        exact = seed < 100
        spec, arrays = tensor_core_case(seed % 100, exact)
        assert uses_tensor_cores(spec, arrays, tmp_path, "bf16"), seed


def test_rounded_case_runs_its_network_in_network_on_tensor_cores(tmp_path):
    """The CUDA pipeline makes the rounded cases' NetworkInNetwork a 1x1
    tensor-core convolution (scn-linear-as-convolution), so that their
    comparisons cover it."""
    spec, arrays = tensor_core_case(0, False)
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    proc = subprocess.run(
        [os.path.join(BUILD, "bin", "scn-opt"), str(mlir), "--scn-linear-as-convolution",
         "--scn-materialize-kernel-maps", "--scn-plan-dataflow=target=cuda tensor-cores=true"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "scn.linear" not in proc.stdout
    ones = [line for line in proc.stdout.splitlines()
            if "scn.submanifold_conv" in line and "filter_size = array<i64: 1, 1>" in line]
    assert len(ones) == 1 and 'dataflow = "tensor_core"' in ones[0], proc.stdout


def test_rounded_case_taps_a_tensor_core_sum(tmp_path):
    """The rounded cases' residual blocks make tensor-core convolutions
    write their residual sums (the tap) and the batch norm of them, one of
    them into a concatenation's slice, so that their comparisons cover
    tapped epilogues."""
    spec, arrays = tensor_core_case(0, False)
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    proc = subprocess.run(
        [os.path.join(BUILD, "bin", "scn-opt"), str(mlir), "--scn-fold-batchnorm",
         "--scn-fuse-epilogue", "--scn-materialize-kernel-maps",
         "--scn-plan-dataflow=target=cuda tensor-cores=true"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    tapped = [line for line in proc.stdout.splitlines()
              if 'dataflow = "tensor_core"' in line and "#scn.step<tap>" in line]
    assert len(tapped) == 2, proc.stdout
    assert "scn.batch_norm" not in proc.stdout
    assert "scn.linear" in proc.stdout  # the plan alone does not rewrite it
    # The second one's tapped rows go into the concatenation's slice.
    assert re.search(r"scn\.concat %\w+, %tapped_\d+ \{fused_operands = array<i64: 0, 1>[,}]",
                     proc.stdout), proc.stdout


# Without a GPU this is one skipped entry, not one per case.
@pytest.mark.skipif(not HAS_GPU, reason="needs a CUDA device")
@pytest.mark.parametrize("element_type", TYPES)
@pytest.mark.parametrize("seed", list(EXACT_SEEDS) if HAS_GPU else [0])
def test_gpu_matches_emulation(seed, element_type, tmp_path):
    for exact in (True, False):
        spec, arrays = tensor_core_case(seed, exact)
        emulated = run(spec, arrays, tmp_path, "emulated",
                       ["--target=cuda-emulated", "--element-type=" + element_type])
        gpu = run(spec, arrays, tmp_path, "gpu",
                  ["--target=cuda", "--chip=sm_80,sm_90", "--element-type=" + element_type])
        scale = max(1.0, float(np.abs(emulated).max()))
        limit = 0.0 if exact else GPU_VS_EMULATION[element_type] * scale
        assert float(np.abs(gpu - emulated).max()) <= limit, (seed, exact)
