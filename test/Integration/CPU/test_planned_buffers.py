"""A model serves its network's buffers from one block planned from its
first call (runtime/lib/CPU/RunArena.h): later calls on inputs of other
sizes (smaller, larger, back) give, bit for bit, what every buffer from
malloc gives (SCN_RUNTIME_RUN_ARENA=heap), and calls that allocate as planned
do use the block. The block's buffers are filled with 0xff first
(SCN_RUNTIME_RUN_ARENA=poison: NaN as floats), so that generated code that
read a buffer before writing it would differ. On the CPU and on the CUDA
pipeline emulated on the CPU (whose host code is the GPU build's)."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_arguments_read_only import (  # noqa: E402
    artifact, cases, compile_with_weight_arguments)


@pytest.fixture
def heap_then_plan(monkeypatch):
    """Calls `call` on the heap and then with the block, poisoned; the
    environment is read at every call."""
    def both(call):
        monkeypatch.setenv("SCN_RUNTIME_RUN_ARENA", "heap")
        expected = call()
        monkeypatch.setenv("SCN_RUNTIME_RUN_ARENA", "poison")
        return expected, call()
    return both


@pytest.mark.parametrize("target", ["cpu", "cuda-emulated"])
@pytest.mark.parametrize("name,case", [c for c in cases() if c[0] in ("residual_bn", "random1")],
                         ids=["residual_bn", "random1"])
def test_planned_buffers_give_what_the_heap_gives(name, case, target, tmp_path,
                                                  heap_then_plan):
    spec, data = case()
    lib, manifest, inputs = compile_with_weight_arguments(spec, data, target, tmp_path)
    names = [i["name"] for i in manifest["inputs"]]
    at_coords, at_features = names.index("coords"), names.index("features")
    coords, features = inputs[at_coords], inputs[at_features]
    half = len(coords) // 2
    sets = [(coords, features), (coords, features), (coords[:half], features[:half]),
            (coords, features), (coords, features), (coords, features)]
    before = artifact.memory_info(lib)
    for step, (c, f) in enumerate(sets):
        arrays = list(inputs)
        arrays[at_coords], arrays[at_features] = np.ascontiguousarray(c), np.ascontiguousarray(f)
        expected, got = heap_then_plan(lambda: artifact.run_artifact(lib, manifest, arrays))
        for o, x, y in zip(manifest["outputs"], got, expected):
            np.testing.assert_array_equal(x, y, err_msg=f"call {step}: {o['name']}")
    info = artifact.memory_info(lib)
    assert info["calls"] - before["calls"] == len(sets), info
    # The first call plans; the half set fits the plan (smaller buffers);
    # the full set after it still does. Every call after the first uses the
    # block, for every buffer the call frees.
    assert info["plans"] - before["plans"] == 1, info
    assert info["calls_in_block"] - before["calls_in_block"] == len(sets) - 1, info
    assert info["block_bytes"] > 0 and info["block_allocations"] > 0, info


def test_artifacts_allocate_through_the_runtime(tmp_path):
    """The generated code's buffers come from scn_cg_alloc and go back
    through scn_cg_free (MLIR's generic allocation functions, renamed in
    LLVM IR so that no other MLIR-built library in the process can take
    them), not from malloc."""
    spec, data = dict(cases())["residual_bn"]()
    lib, _, _ = compile_with_weight_arguments(spec, data, "cpu", tmp_path)
    listing = subprocess.run(["nm", "-D", "--undefined-only", lib._name], capture_output=True,
                             text=True, check=True).stdout
    undefined = {line.split()[-1].split("@")[0] for line in listing.splitlines() if line.strip()}
    assert {"scn_cg_alloc", "scn_cg_free"} <= undefined, undefined
    assert not {"malloc", "free", "_mlir_memref_to_llvm_alloc",
                "_mlir_memref_to_llvm_free"} & undefined, undefined



# What the refused buffer was for: a layer's (the op's location), the
# results, or on the emulated CUDA path the values prepared from constants.
REFUSED = re.compile(r'^(op at loc\(".*\.mlir":\d+:\d+\)|the network\'s results|the values '
                     r'prepared from the parameters): out of memory: a buffer of .* was refused; '
                     r'the call was abandoned')


def abandon_at_each_buffer(lib, manifest, inputs, monkeypatch):
    """For each buffer the network allocates, in turn: a run kept across
    calls whose first call is abandoned for memory there
    (SCN_RUNTIME_FAIL_ALLOCATION=n refuses the n-th, as the system would),
    then two calls on it that must give what a call on a fresh run gives.
    The runs, one a buffer. Some buffers are a layer's, named by the op's
    location."""
    expected = artifact.run_artifact(lib, manifest, inputs)
    runs, refused_for = [], set()
    while True:
        run = artifact.PersistentRun(lib)
        monkeypatch.setenv("SCN_RUNTIME_FAIL_ALLOCATION", str(len(runs) + 1))
        try:
            artifact.run_artifact(lib, manifest, inputs, persistent=run)
            break  # the call has fewer buffers
        except RuntimeError as e:
            m = REFUSED.search(str(e))
            assert m, str(e)
            refused_for.add(m[1].split(" at ")[0])
        finally:
            monkeypatch.delenv("SCN_RUNTIME_FAIL_ALLOCATION")
        runs.append(run)
        for call in range(2):
            got = artifact.run_artifact(lib, manifest, inputs, persistent=run)
            for o, x, y in zip(manifest["outputs"], got, expected):
                np.testing.assert_array_equal(
                    x, y, err_msg=f"call {call} after buffer {len(runs)}: {o['name']}")
    assert "op" in refused_for, refused_for
    return runs


@pytest.mark.parametrize("target", ["cpu", "cuda-emulated"])
def test_a_call_abandoned_for_memory_leaves_the_next_calls_right(target, tmp_path, monkeypatch):
    """A buffer the system refuses ends the call with an out-of-memory error
    naming the op's location, and the call is abandoned there
    (runtime/lib/CPU/GeneratedCall.h), wherever that is. The run it used,
    kept across calls with the geometry the call built, then gives what a
    fresh run gives (the emulated CUDA path's prepared values:
    test/Integration/CUDA/test_prepared_values.py)."""
    spec, data = dict(cases())["residual_bn"]()
    lib, manifest, inputs = compile_with_weight_arguments(spec, data, target, tmp_path)
    runs = abandon_at_each_buffer(lib, manifest, inputs, monkeypatch)
    assert len(runs) >= 3
    # The last call of each run reused the geometry the run kept.
    assert all(run.hits > 0 for run in runs)
