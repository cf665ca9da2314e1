"""The comparison rules of test/golden/README.md for the outputs of a
compiled network, with numpy only (the CPU tests and the GPU check share it).

    problems = compare_golden(case, outputs)   # [] when the case passes

`case`: the arrays of a golden .npz; `outputs`: the network's outputs by
name (output, output_coords for sparse results, param/... for train-mode
running statistics)."""

import json

import numpy as np


def sort_rows(coords):
    """Row order of sparse coordinates [N, D+1]: by batch, then axes in order."""
    d = coords.shape[1] - 1
    return np.lexsort([coords[:, i] for i in range(d - 1, -1, -1)] + [coords[:, d]])


def compare_golden(case, outputs):
    problems = []
    tol = json.loads(str(case["meta_json"]))["tolerance"]["tol"]

    def close(name, got, expected):
        if got.shape != expected.shape:
            problems.append(f"{name}: shape {got.shape}, expected {expected.shape}")
            return
        if not got.size:
            return
        err = float(np.abs(got - expected).max())
        scale = max(1.0, float(np.abs(expected).max()))
        if not err <= tol * scale:
            problems.append(f"{name}: max error {err:.3g} > {tol:.3g} x {scale:.3g}")

    kind = str(case["out_kind"])
    if kind == "sparse":
        got_coords, got = outputs["output_coords"], outputs["output"]
        order = sort_rows(got_coords)
        if not np.array_equal(got_coords[order], case["out_coords_sorted"]):
            problems.append("output_coords differ from the expected sites")
            return problems
        close("output", got[order], case["out_features_sorted"])
    elif kind == "dense":
        close("output", outputs["output"], case["out_dense"])
    else:
        close("output", outputs["output"], case["out_rows"])
    # Train mode: the updated running statistics too.
    for key in case.files:
        if key.startswith("expect_param/"):
            name = "param/" + key[len("expect_param/"):]
            close(name, outputs[name], case[key])
    return problems
