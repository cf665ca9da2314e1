"""Prints `same` when every .npz given has the arrays of the first: equal
integer arrays, float arrays within 1e-4 relative to their largest value."""

import sys

import numpy as np

reference = np.load(sys.argv[1])
for path in sys.argv[2:]:
    other = np.load(path)
    assert sorted(other.files) == sorted(reference.files), (path, other.files)
    for name in reference.files:
        a, b = reference[name], other[name]
        assert a.shape == b.shape, (path, name, a.shape, b.shape)
        if np.issubdtype(a.dtype, np.floating):
            scale = max(1.0, float(np.abs(a).max())) if a.size else 1.0
            err = float(np.abs(a - b).max()) if a.size else 0.0
            assert err <= 1e-4 * scale, (path, name, err)
        else:
            assert (a == b).all(), (path, name)
print("same")
