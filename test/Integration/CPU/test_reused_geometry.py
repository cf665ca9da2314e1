"""A run that keeps its geometry for the next call (artifact.PersistentRun,
scn_run_set_reuse_geometry: the benchmarks' "maps prebuilt") gives what a
fresh run gives for every call: it reuses site sets and kernel maps only for
coordinates equal to those they were built from, compares contents rather
than addresses (coordinates changed in place are new ones), keeps several
sets apart, and does reuse them (scn_run_geometry_hits). On the CPU and on the CUDA pipeline emulated on the CPU,
whose host code is the GPU build's (its inputs go through the device
geometry's cache, runtime/lib/CPU/DeviceCodegen.cpp)."""

import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_arguments_read_only import (  # noqa: E402
    artifact, cases, compile_with_weight_arguments)


def free_neighbour(coords, spatial_size):
    """A site (batch 0) that `coords` (batch in the last column) does not
    hold, next to one it holds other than row 0 (so that moving row 0 there
    changes what a 3x3 filter sees, whether or not it was isolated)."""
    taken = {tuple(c) for c in coords[coords[:, -1] == 0, :-1].tolist()}
    dim = len(spatial_size)
    for row in coords[1:]:
        if row[-1] != 0:
            continue
        for step in np.ndindex(*([3] * dim)):
            site = tuple(int(x) + s - 1 for x, s in zip(row[:-1], step))
            if site not in taken and all(0 <= x < n for x, n in zip(site, spatial_size)):
                return site
    raise AssertionError("no free site next to another")


@pytest.mark.parametrize("target", ["cpu", "cuda-emulated"])
@pytest.mark.parametrize("name,case", [c for c in cases() if c[0] in ("residual_bn", "random0")],
                         ids=["residual_bn", "random0"])
def test_reused_geometry_follows_the_coordinates(name, case, target, tmp_path):
    spec, data = case()
    lib, manifest, inputs = compile_with_weight_arguments(spec, data, target, tmp_path)
    names = [i["name"] for i in manifest["inputs"]]
    at_coords, at_features = names.index("coords"), names.index("features")
    coords, features = inputs[at_coords], inputs[at_features]
    assert coords.shape == (len(coords), spec["dimension"] + 1) and len(coords) > 1

    def call(c, f, persistent=None):
        arrays = list(inputs)
        arrays[at_coords], arrays[at_features] = c, f
        return artifact.run_artifact(lib, manifest, arrays, persistent)

    persistent = artifact.PersistentRun(lib)
    fewer = (coords[:-1].copy(), features[:-1].copy())
    calls = [("the first set", lambda: (coords, features)),
             ("another set", lambda: fewer),
             ("the first set again", lambda: (coords, features)),
             ("the first set, other features", lambda: (coords, features * 2 - 1)),
             ("the other set again", lambda: fewer)]
    # Whether each call found its geometry kept: a set's first call builds
    # it, a repeated set's is answered from what the run kept.
    reused = [False, False, True, True, True]
    for (what, arrays), expect_reuse in zip(calls, reused):
        c, f = arrays()
        hits = persistent.hits
        got, fresh = call(c, f, persistent), call(c, f)
        assert (persistent.hits > hits) == expect_reuse, (what, hits, persistent.hits)
        for o, x, y in zip(manifest["outputs"], got, fresh):
            np.testing.assert_array_equal(x, y, err_msg=f"{what}: {o['name']}")
    # The same array, one site moved in place: the address is the one the
    # kept geometry came from, the contents are not.
    coords[0, :-1] = free_neighbour(coords, spec["spatial_size"])
    coords[0, -1] = 0
    hits = persistent.hits
    got, fresh = call(coords, features, persistent), call(coords, features)
    assert persistent.hits == hits, "coordinates changed in place were taken as kept"
    for o, x, y in zip(manifest["outputs"], got, fresh):
        np.testing.assert_array_equal(x, y, err_msg=f"coordinates changed in place: {o['name']}")
