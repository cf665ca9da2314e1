"""Differential test on the GPU: the random networks of the CPU differential
test (random_networks.py), JIT-compiled by scn-run --target=cuda, against the
eager PyTorch reference. Runs where a GPU is present (SCN_DIFF_CASES cases,
default 200). On every machine: the first SCN_DIFF_CUDA_COMPILE cases
(default 20) are compiled for CUDA, so that CI checks that every op the
generator uses lowers to PTX that ptxas accepts, and a quarter of
SCN_DIFF_CASES run through the CUDA pipeline emulated on the CPU
(--target=cuda-emulated: its host code and kernels, without a GPU)."""

import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
sys.path.insert(0, os.path.dirname(HERE))
from cuda_device import cuda_device_present, cuda_toolkit_present  # noqa: E402
import test_differential_cpu as cpu  # noqa: E402

HAS_GPU = cuda_device_present()
HAS_TOOLKIT = cuda_toolkit_present()
COMPILE_CASES = int(os.environ.get("SCN_DIFF_CUDA_COMPILE", "20"))
SCN_COMPILE = os.path.join(cpu.BUILD, "bin", "scn-compile")


@pytest.mark.skipif(not HAS_TOOLKIT, reason="needs ptxas (CUDA toolkit)")
@pytest.mark.parametrize("element_type", ["f32", "f16"])
@pytest.mark.parametrize("seed", range(COMPILE_CASES))
def test_random_network_compiles_for_cuda(seed, element_type, tmp_path):
    spec, arrays = cpu.random_networks.random_case(seed)
    mlir = tmp_path / "net.mlir"
    mlir.write_text(cpu.spec_to_mlir.spec_to_mlir(spec, arrays, "const"))
    proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", str(tmp_path / "net.so"),
                           "--target=cuda", "--chip=sm_90",
                           "--element-type=" + element_type],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("seed", range(cpu.CASES // 4))
def test_random_network_cuda_emulated_on_cpu(seed, tmp_path):
    """The CUDA pipeline's host code and kernels, run on the CPU."""
    cpu.check_random_network(seed, tmp_path, target="cuda-emulated")


@pytest.mark.parametrize("seed", range(cpu.CASES // 20))
def test_random_network_weight_stationary_cuda_emulated_on_cpu(seed, tmp_path):
    """Weight-stationary kernels on the CUDA path read pair lists, which
    device geometry builds too (scn_cg_gpu_pair_*)."""
    cpu.check_random_network(seed, tmp_path, plan=cpu.WEIGHT_STATIONARY,
                             target="cuda-emulated")


# Site sets built where the network first uses them (--hoist-site-sets=false),
# or the whole pyramid where the network first uses one of them
# (--site-sets-at-first-use), the GPU check's comparisons with the pyramid
# hoisted before the first layer: the same layers on the same sets.
@pytest.mark.parametrize("placement", ["--hoist-site-sets=false", "--site-sets-at-first-use"])
@pytest.mark.parametrize("seed", range(max(1, cpu.CASES // 40)))
def test_random_network_sets_at_first_use_cuda_emulated_on_cpu(seed, placement, tmp_path):
    cpu.check_random_network(seed, tmp_path, target="cuda-emulated", extra_args=(placement,))


# SIMT kernels with other thread tiles than the plan's 4 rows x 1 channel
# (--simt-rows, --simt-channels): partial row tiles, vector weight loads,
# channel tiles that do not divide every layer. fp32, so against the same
# tolerance as the plan's tiles.
@pytest.mark.parametrize("tile", ["1x8", "3x2", "8x4"])
@pytest.mark.parametrize("seed", range(max(1, cpu.CASES // 40)))
def test_random_network_simt_tiles_cuda_emulated_on_cpu(tile, seed, tmp_path):
    rows, channels = tile.split("x")
    cpu.check_random_network(seed, tmp_path, target="cuda-emulated",
                             extra_args=("--simt-rows=" + rows, "--simt-channels=" + channels))


# Activations stored in f16 / bf16 (--activations): every op's loads and
# stores convert, kernels compute in f32. The error against the eager fp32
# reference is about one rounding of the output (measured on 25 networks:
# at most 1.2 and 1.4 units of roundoff, 2^-11 and 2^-8), so the bound is
# four units.
NARROW_TOLERANCE = {"f16": 4 * 2.0 ** -11, "bf16": 4 * 2.0 ** -8}


@pytest.mark.parametrize("activations,seed",
                         [("f16", s) for s in range(cpu.CASES // 10)]
                         + [("bf16", s) for s in range(cpu.CASES // 40)])
def test_random_network_narrow_activations_cuda_emulated_on_cpu(activations, seed, tmp_path):
    cpu.check_random_network(seed, tmp_path, target="cuda-emulated",
                             extra_args=("--activations=" + activations,),
                             tolerance=NARROW_TOLERANCE[activations])


# Without a GPU each GPU test is one skipped entry, not one per seed.
GPU_CASES = cpu.CASES if HAS_GPU else 1


@pytest.mark.skipif(not HAS_GPU, reason="needs a CUDA device")
@pytest.mark.parametrize("seed", range(GPU_CASES))
def test_random_network_on_gpu(seed, tmp_path):
    cpu.check_random_network(seed, tmp_path, target="cuda")


@pytest.mark.skipif(not HAS_GPU, reason="needs a CUDA device")
@pytest.mark.parametrize("seed", range(max(1, GPU_CASES // 4)))
def test_random_network_weight_stationary_on_gpu(seed, tmp_path):
    cpu.check_random_network(seed, tmp_path, plan=cpu.WEIGHT_STATIONARY, target="cuda")


# Input modes 3 and 4 merge a site's rows on the CUDA path by a gather over
# the site's rows in ascending order (scn_cg_rows_by_site), the CPU's order:
# the merged features equal the CPU's bit for bit, with about 5 rows a site
# in shuffled order and values whose sums round differently by order.
MERGE_NETWORK = """
func.func @main(%c: tensor<COORDSxi64> {scn.name = "coords"}, %f: tensor<FEATURESxf32> {scn.name = "features"})
    -> (tensor<?x8xf32> {scn.name = "output"}) {
  %s, %x = scn.OP %c, %f {mode = MODE : i64} : tensor<COORDSxi64>, tensor<FEATURESxf32> -> !scn.sites<2, [6, 6]>, tensor<?x8xf32>
  return %x : tensor<?x8xf32>
}
"""


def assert_merge_equals_cpu(op, mode, coords, features, tmp_path):
    """The merged features of scn.input / scn.bl_input in `mode` through
    --target=cuda-emulated equal the CPU's bit for bit."""
    np.savez(tmp_path / "in.npz", coords=coords.astype(np.int64), features=features)
    batch_length = "?x" if op == "bl_input" else ""
    mlir = tmp_path / "merge.mlir"
    mlir.write_text(MERGE_NETWORK.replace("OP", op).replace("MODE", str(mode))
                    .replace("COORDS", batch_length + "?x" + str(coords.shape[-1]))
                    .replace("FEATURES", batch_length + "?x8"))
    outputs = []
    for target in ("cpu", "cuda-emulated"):
        out = tmp_path / f"{target}.npz"
        proc = subprocess.run([os.path.join(cpu.BUILD, "bin", "scn-run"), str(mlir), "--input",
                               str(tmp_path / "in.npz"), "--output", str(out),
                               f"--target={target}"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        outputs.append(np.load(out)["output"])
    assert outputs[0].shape == outputs[1].shape and outputs[0].size
    np.testing.assert_array_equal(outputs[1], outputs[0])


def spread_features(rng, shape):
    """Normal values scaled by 10^-3..10^3 a row: sums depend on order."""
    scale = 10.0 ** rng.integers(-3, 4, shape[:-1] + (1,))
    return (rng.standard_normal(shape) * scale).astype(np.float32)


@pytest.mark.parametrize("mode", [3, 4])
def test_input_merge_equals_cpu_bit_for_bit_cuda_emulated(mode, tmp_path):
    rng = np.random.default_rng(mode)
    sites = np.stack([rng.integers(0, 6, 40), rng.integers(0, 6, 40), rng.integers(0, 2, 40)], 1)
    coords = sites[rng.integers(0, 40, 200)]  # about 5 rows a site, shuffled
    assert_merge_equals_cpu("input", mode, coords, spread_features(rng, (200, 8)), tmp_path)


@pytest.mark.parametrize("mode", [3, 4])
def test_bl_input_merge_equals_cpu_bit_for_bit_cuda_emulated(mode, tmp_path):
    """The same for BLInputLayer: [batch, length] rows, some empty (-1)."""
    rng = np.random.default_rng(10 + mode)
    coords = rng.integers(0, 6, (3, 60, 2))
    coords[rng.random((3, 60)) < 0.1] = -1  # empty positions
    assert_merge_equals_cpu("bl_input", mode, coords, spread_features(rng, (3, 60, 8)), tmp_path)
