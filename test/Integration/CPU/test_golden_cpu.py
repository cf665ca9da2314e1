"""Every golden case (test/golden, SparseConvNet's own outputs) through the
compiled CPU path: the case's network as scn IR (utils/spec_to_mlir.py, weights
as constants), compiled ahead of time by scn-compile (--scn-cpu-pipeline) and
run by scn-run, compared by the rules of test/golden/README.md."""

import glob
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
SCN_RUN = os.path.join(BUILD, "bin", "scn-run")
SCN_COMPILE = os.path.join(BUILD, "bin", "scn-compile")
sys.path.insert(0, os.path.join(ROOT, "utils"))
import golden_compare  # noqa: E402
import spec_to_mlir  # noqa: E402

CASES = sorted(glob.glob(os.path.join(ROOT, "test", "golden", "*.npz")))


def compile_case(path, tmp_path, target_args=()):
    """scn-compile of a case's network (target_args: e.g. --target=cuda);
    returns the case's arrays, the library and its input arrays."""
    z = np.load(path)
    spec = json.loads(str(z["spec_flat_json"]))
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, z, "const"))
    inputs = tmp_path / "in.npz"
    np.savez(inputs, coords=z["coords"], features=z["features"])
    library = tmp_path / "net.so"
    proc = subprocess.run([SCN_COMPILE, str(mlir), "-o", str(library), *target_args],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return z, library, inputs


def run_case(path, tmp_path, target_args=()):
    z, library, inputs = compile_case(path, tmp_path, target_args)
    outputs = tmp_path / "out.npz"
    proc = subprocess.run([SCN_RUN, str(library), "--input", str(inputs),
                           "--output", str(outputs)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return z, np.load(outputs)


@pytest.mark.parametrize("path", CASES, ids=[os.path.basename(c)[:-4] for c in CASES])
def test_golden_case_compiled(path, tmp_path):
    check_case(path, *run_case(path, tmp_path))


def check_case(path, z, out):
    """Compares the outputs of a run with the case's expected numbers."""
    problems = golden_compare.compare_golden(z, out)
    assert not problems, problems


def test_bitwise_identical_across_threads_and_runs(tmp_path):
    """Every output row is written by one loop iteration: results do not
    depend on the thread count or on the run."""
    z = np.load(os.path.join(ROOT, "test", "golden", "unet3d_small_rows.npz"))
    spec = json.loads(str(z["spec_flat_json"]))
    mlir = tmp_path / "net.mlir"
    mlir.write_text(spec_to_mlir.spec_to_mlir(spec, z, "const"))
    inputs = tmp_path / "in.npz"
    np.savez(inputs, coords=z["coords"], features=z["features"])
    results = []
    for threads in ("1", "2", "2"):
        out = tmp_path / f"out{len(results)}.npz"
        env = dict(os.environ, OMP_NUM_THREADS=threads)
        proc = subprocess.run([SCN_RUN, str(mlir), "--input", str(inputs), "--output",
                               str(out), "--repeat", "2"], capture_output=True,
                              text=True, env=env)
        assert proc.returncode == 0, proc.stderr
        results.append(np.load(out)["output"])
    assert results[0].tobytes() == results[1].tobytes() == results[2].tobytes()
