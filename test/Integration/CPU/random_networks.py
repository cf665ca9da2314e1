"""Random SparseConvNet networks and inputs for differential testing.

`random_case(seed)` returns (spec, arrays): a flat golden-format spec (see
test/golden/README.md) with every parameter in `arrays`, plus the input
`coords`/`features`. Networks mix every layer type the dialect has, in 1 to
4 dimensions, with anisotropic and even filters, groups, strided ops and the
matching deconvolution/unpooling, ConcatTable/JoinTable/AddTable, every input
mode, batches with empty samples, and dense, row or sparse outputs. Every
generated network is valid by SparseConvNet's rules (exact size arithmetic,
one active set per spatial size).
"""

import numpy as np

ACTIVATIONS = ["ReLU", "Sigmoid", "Tanh", "ELU", "SELU"]


class Builder:
    def __init__(self, rng, dim, size):
        self.rng = rng
        self.dim = dim
        self.arrays = {}
        self.sizes = {tuple(size)}
        self.stack = []  # (size before, filter, stride) of open downsamples

    def param(self, name, shape, scale=1.0, positive=False):
        a = self.rng.standard_normal(shape).astype(np.float32) * np.float32(scale)
        if positive:
            a = self.rng.uniform(0.5, 2.0, shape).astype(np.float32)
        ref = f"param/{len(self.arrays)}.{name}"
        self.arrays[ref] = a
        return ref

    def filt(self, low=1, high=3):
        if self.rng.random() < 0.3:
            return [int(v) for v in self.rng.integers(low, high + 1, self.dim)]
        return [int(self.rng.integers(low, high + 1))] * self.dim

    def same_size_layer(self, c, size):
        """A layer that keeps the active set: (layer, new channels)."""
        r = self.rng
        kind = r.choice(["subm", "nin", "bn", "act", "leaky", "dropout"],
                        p=[0.35, 0.15, 0.2, 0.15, 0.1, 0.05])
        if kind == "subm":
            groups = 2 if c % 2 == 0 and r.random() < 0.3 else 1
            n_out = int(r.integers(1, 5)) * groups
            # Filters fit inside the grid (the runtime's rule).
            f = [min(fi, s) for fi, s in zip(self.filt(1, 4), size)]
            vol = int(np.prod(f))
            layer = {"type": "SubmanifoldConvolution", "nIn": c, "nOut": n_out,
                     "filter_size": f, "bias": bool(r.random() < 0.5), "groups": groups,
                     "params": {"weight": self.param(
                         "weight", (vol, groups, c // groups, n_out // groups),
                         1 / np.sqrt(vol * c / groups))}}
            if layer["bias"]:
                layer["params"]["bias"] = self.param("bias", (n_out,), 0.2)
            return layer, n_out
        if kind == "nin":
            n_out = int(r.integers(1, 7))
            layer = {"type": "NetworkInNetwork", "nIn": c, "nOut": n_out,
                     "bias": bool(r.random() < 0.5),
                     "params": {"weight": self.param("weight", (c, n_out), 1 / np.sqrt(c))}}
            if layer["bias"]:
                layer["params"]["bias"] = self.param("bias", (n_out,), 0.2)
            return layer, n_out
        if kind == "bn":
            t = r.choice(["BatchNormalization", "BatchNormReLU", "BatchNormLeakyReLU"])
            layer = {"type": t, "nPlanes": c, "eps": 1e-4, "momentum": 0.99,
                     "params": {"weight": self.param("weight", (c,), positive=True),
                                "bias": self.param("bias", (c,), 0.2),
                                "running_mean": self.param("running_mean", (c,), 0.25),
                                "running_var": self.param("running_var", (c,), positive=True)}}
            if t == "BatchNormalization":
                layer.update(affine=True, leakiness=float(r.choice([1.0, 0.0, 0.1])))
            if t == "BatchNormLeakyReLU":
                layer["leakiness"] = 0.333
            return layer, c
        if kind == "act":
            return {"type": str(r.choice(ACTIVATIONS))}, c
        if kind == "leaky":
            return {"type": "LeakyReLU", "leak": float(r.choice([0.1, 1 / 3]))}, c
        return {"type": "Dropout", "p": float(r.choice([0.0, 0.25, 0.5]))}, c

    def downsample(self, size, c):
        """A strided layer with exact size arithmetic, or None."""
        r = self.rng
        for _ in range(6):
            f = self.filt(1, 3)
            t = [int(v) for v in r.integers(1, 3, self.dim)]
            if any(fi > s or (s - fi) % ti for fi, ti, s in zip(f, t, size)):
                continue
            if all(fi == 1 and ti == 1 for fi, ti in zip(f, t)):
                continue  # SparseConvNet's filter-1 Convolution defect
            out = tuple((s - fi) // ti + 1 for fi, ti, s in zip(f, t, size))
            if out in self.sizes or min(out) < 1:
                continue
            kind = r.choice(["Convolution", "MaxPooling", "AveragePooling"])
            if kind == "Convolution":
                n_out = int(r.integers(1, 6))
                vol = int(np.prod(f))
                layer = {"type": kind, "nIn": c, "nOut": n_out, "filter_size": f,
                         "filter_stride": t, "bias": bool(r.random() < 0.5), "groups": 1,
                         "params": {"weight": self.param("weight", (vol, 1, c, n_out),
                                                         1 / np.sqrt(vol * c))}}
                if layer["bias"]:
                    layer["params"]["bias"] = self.param("bias", (n_out,), 0.2)
            else:
                drop = int(r.integers(0, c)) if c > 1 and r.random() < 0.2 else 0
                layer = {"type": kind, "pool_size": f, "pool_stride": t,
                         "nFeaturesToDrop": drop}
                n_out = c - drop
            self.sizes.add(out)
            self.stack.append((tuple(size), f, t))
            return layer, n_out, out
        return None

    def upsample(self, c):
        size, f, t = self.stack.pop()
        if self.rng.random() < 0.5:
            n_out = int(self.rng.integers(1, 6))
            vol = int(np.prod(f))
            layer = {"type": "Deconvolution", "nIn": c, "nOut": n_out, "filter_size": f,
                     "filter_stride": t, "bias": bool(self.rng.random() < 0.5), "groups": 1,
                     "params": {"weight": self.param("weight", (vol, 1, c, n_out),
                                                     1 / np.sqrt(vol * c))}}
            if layer["bias"]:
                layer["params"]["bias"] = self.param("bias", (n_out,), 0.2)
            return layer, n_out, size
        return {"type": "UnPooling", "pool_size": f, "pool_stride": t,
                "nFeaturesToDrop": 0}, c, size


def random_case(seed):
    r = np.random.default_rng(seed)
    dim = int(r.integers(1, 5))
    side = {1: (8, 40), 2: (6, 14), 3: (5, 9), 4: (4, 6)}[dim]
    size = [int(v) for v in r.integers(side[0], side[1] + 1, dim)]
    b = Builder(r, dim, size)
    c_in = int(r.integers(1, 5))
    mode = int(r.integers(0, 5))
    batch = int(r.integers(1, 4))
    cells = int(np.prod(size))
    n = int(r.integers(0, min(cells, 150) + 1)) if r.random() < 0.9 else 0
    coords = np.concatenate([np.stack([r.integers(0, s, n) for s in size], 1),
                             r.integers(0, batch, (n, 1))], 1).astype(np.int64)
    if mode == 0:
        coords = np.unique(coords, axis=0)
        coords = coords[r.permutation(len(coords))]
    features = r.standard_normal((len(coords), c_in)).astype(np.float32)
    b.arrays["coords"], b.arrays["features"] = coords, features

    layers, c, cur = [], c_in, tuple(size)
    for _ in range(int(r.integers(1, 8))):
        roll = r.random()
        if roll < 0.15:
            d = b.downsample(cur, c)
            if d:
                layer, c, cur = d
                layers.append(layer)
                continue
        if roll < 0.3 and b.stack and b.stack[-1] and \
                tuple((s - f) // t + 1 for s, f, t in zip(*b.stack[-1])) == cur:
            layer, c, cur = b.upsample(c)
            layers.append(layer)
            continue
        if roll < 0.4:
            # ConcatTable of two same-size branches, then Join or Add.
            join = r.random() < 0.5
            branches, outs = [], []
            for _ in range(2):
                branch, cc = [], c
                for _ in range(int(r.integers(0, 3))):
                    layer, cc = b.same_size_layer(cc, cur)
                    branch.append(layer)
                if not branch:
                    branch = [{"type": "Identity"}]
                branches.append(branch)
                outs.append(cc)
            if not join and outs[0] != outs[1]:
                n_out = outs[0]
                for i in (1,):
                    branches[i].append({"type": "NetworkInNetwork", "nIn": outs[i],
                                        "nOut": n_out, "bias": False,
                                        "params": {"weight": b.param(
                                            "weight", (outs[i], n_out), 1 / np.sqrt(outs[i]))}})
                outs[1] = n_out
            layers.append({"type": "ConcatTable", "branches": branches})
            layers.append({"type": "JoinTable" if join else "AddTable"})
            c = sum(outs) if join else outs[0]
            continue
        layer, c = b.same_size_layer(c, cur)
        layers.append(layer)
    end = r.random()
    if end < 0.25 and cur == tuple(size):
        layers.append({"type": "OutputLayer"})
    elif end < 0.5:
        layers.append({"type": "SparseToDense", "nPlanes": c})
    spec = {"dimension": dim, "spatial_size": size, "input_mode": mode, "train": False,
            "batch_size": batch, "coords": "coords", "features": "features",
            "layers": layers}
    return spec, b.arrays
