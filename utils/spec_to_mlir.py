#!/usr/bin/env python3
"""Writes scn dialect IR for a network described as a golden-case spec.

The spec format is the one of test/golden/README.md (section 2): primitive
SparseConvNet layers, Sequential, ConcatTable/JoinTable/AddTable. Builders
(SparseVggNet, UNet) must be expanded first: golden files carry the expansion
in `spec_flat_json`, and `unet_layers()` below expands a UNet the way
SparseConvNet's builder does (for tests that need larger networks than the
golden cases).

Weights become function arguments (`--weights=args`) or `dense_resource`
constants read from the case's arrays (`--weights=const`).

    /usr/bin/python3 utils/spec_to_mlir.py test/golden/hello_world_vgg2d.npz \
        --weights=const -o examples/mlir/hello-world.mlir

Once the Python frontend (frontends/python/scn) can import traced models, it
takes over from this script; until then it is the test suite's converter.
"""

import argparse
import json
import struct
import sys

ACTIVATIONS = {"ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh",
               "ELU": "elu", "SELU": "selu"}


def tensor_type(shape, element="f32"):
    dims = "x".join("?" if d is None else str(d) for d in shape)
    return f"tensor<{dims}x{element}>"


def sites_type(size):
    return f"!scn.sites<{len(size)}, [{', '.join(str(s) for s in size)}]>"


def i64_array(values):
    return f"array<i64: {', '.join(str(int(v)) for v in values)}>"


def f64(value):
    return f"{float(value)!r} : f64".replace("inf", "0x7FF0000000000000")


class Emitter:
    """Builds the body of one func.func, SSA value by SSA value."""

    def __init__(self, dimension, spatial_size, arrays, weights_mode):
        self.dimension = dimension
        self.arrays = arrays
        self.weights_mode = weights_mode
        self.lines = []
        self.args = []          # (name, type)
        self.resources = {}     # resource name -> hex blob
        self.counter = 0
        # SparseConvNet: within one input, a spatial size names one active
        # set. Maps tuple(size) -> (sites value, producer description).
        self.sites = {}
        self.input_sites = None
        self.train = False
        self.extra_results = []  # (value, type, name) returned after the output

    def fresh(self, prefix="v"):
        self.counter += 1
        return f"%{prefix}{self.counter}"

    def emit(self, text):
        self.lines.append("    " + text)

    def parameter(self, ref, shape, label):
        """A weight: function argument or constant from the case arrays."""
        ty = tensor_type(shape)
        if self.weights_mode == "args" or ref is None or self.arrays is None:
            name = f"%{label}"
            self.args.append((name, ty))
            return name
        import numpy as np
        data = np.asarray(self.arrays[ref], dtype=np.float32).reshape(shape)
        key = ref.replace("/", "_").replace(".", "_")
        self.resources[key] = "0x04000000" + data.tobytes().hex().upper()
        name = self.fresh("w")
        self.emit(f"{name} = arith.constant dense_resource<{key}> : {ty}")
        return name

    # -- geometry -----------------------------------------------------------
    def downsample(self, sites, size, filt, stride):
        out = tuple((s - f) // t + 1 for s, f, t in zip(size, filt, stride))
        if out in self.sites:
            return self.sites[out][0], out
        name = self.fresh("s")
        self.emit(f"{name} = scn.downsample {sites} {{filter_size = {i64_array(filt)}, "
                  f"filter_stride = {i64_array(stride)}}} : {sites_type(size)}")
        self.sites[out] = (name, "downsample")
        return name, out

    def full_sites(self, sites, size, filt, stride):
        out = tuple((s - 1) * t + f for s, f, t in zip(size, filt, stride))
        name = self.fresh("s")
        self.emit(f"{name} = scn.full_sites {sites} {{filter_size = {i64_array(filt)}, "
                  f"filter_stride = {i64_array(stride)}}} : {sites_type(size)}")
        self.sites[out] = (name, "full")
        return name, out

    # -- layers -------------------------------------------------------------
    def layers(self, layers, state, prefix):
        for i, layer in enumerate(layers):
            state = self.layer(layer, state, f"{prefix}{i}_")
        return state

    def layer(self, layer, state, label):
        kind = layer["type"]
        x, channels, sites, size = state
        if isinstance(x, list) and kind not in ("JoinTable", "AddTable"):
            raise ValueError(f"{kind} applied to a ConcatTable output")
        params = layer.get("params", {})
        d = self.dimension
        if kind == "Sequential":
            return self.layers(layer["layers"], state, label)
        if kind == "Identity":
            return state
        if kind == "ConcatTable":
            outs = [self.layers(branch, state, f"{label}b{j}_")
                    for j, branch in enumerate(layer["branches"])]
            return ([o[0] for o in outs], [o[1] for o in outs], outs[0][2], outs[0][3])
        if kind in ("JoinTable", "AddTable"):
            values, chans = x, channels
            types = ", ".join(tensor_type([None, c]) for c in chans)
            y = self.fresh()
            if kind == "JoinTable":
                self.emit(f"{y} = scn.concat {', '.join(values)} : {types}")
                return (y, sum(chans), sites, size)
            self.emit(f"{y} = scn.add {', '.join(values)} : {tensor_type([None, chans[0]])}")
            return (y, chans[0], sites, size)
        if kind in ("SubmanifoldConvolution", "ValidConvolution", "Convolution",
                    "Deconvolution", "FullConvolution"):
            n_in, n_out, groups = layer["nIn"], layer["nOut"], layer.get("groups", 1)
            filt = layer["filter_size"]
            filt = filt if isinstance(filt, list) else [filt] * d
            volume = 1
            for f in filt:
                volume *= f
            w = self.parameter(params.get("weight"),
                               [volume, groups, n_in // groups, n_out // groups], label + "weight")
            bias = ""
            if layer.get("bias"):
                b = self.parameter(params.get("bias"), [n_out], label + "bias")
                bias = f" bias({b} : {tensor_type([n_out])})"
            y = self.fresh()
            wt = tensor_type([volume, groups, n_in // groups, n_out // groups])
            xt = tensor_type([None, n_in])
            if kind in ("SubmanifoldConvolution", "ValidConvolution"):
                self.emit(f"{y} = scn.submanifold_conv {x}, {w} on {sites}{bias} "
                          f"{{filter_size = {i64_array(filt)}}} : {xt}, {wt}, {sites_type(size)}")
                return (y, n_out, sites, size)
            stride = layer["filter_stride"]
            stride = stride if isinstance(stride, list) else [stride] * d
            if kind == "Convolution":
                out_sites, out_size = self.downsample(sites, size, filt, stride)
                op = "conv"
            elif kind == "Deconvolution":
                out_size = tuple((s - 1) * t + f for s, f, t in zip(size, filt, stride))
                out_sites = self.sites[out_size][0]
                op = "deconv"
            else:
                out_sites, out_size = self.full_sites(sites, size, filt, stride)
                op = "full_conv"
            self.emit(f"{y} = scn.{op} {x}, {w} from {sites} to {out_sites}{bias} "
                      f"{{filter_size = {i64_array(filt)}, filter_stride = {i64_array(stride)}}} "
                      f": {xt}, {wt}, {sites_type(size)} -> {sites_type(out_size)}")
            return (y, n_out, out_sites, out_size)
        if kind in ("MaxPooling", "AveragePooling", "UnPooling"):
            filt, stride = layer["pool_size"], layer["pool_stride"]
            filt = filt if isinstance(filt, list) else [filt] * d
            stride = stride if isinstance(stride, list) else [stride] * d
            drop = layer.get("nFeaturesToDrop", 0)
            if kind == "UnPooling":
                out_size = tuple((s - 1) * t + f for s, f, t in zip(size, filt, stride))
                out_sites = self.sites[out_size][0]
            else:
                out_sites, out_size = self.downsample(sites, size, filt, stride)
            op = {"MaxPooling": "max_pool", "AveragePooling": "avg_pool", "UnPooling": "unpool"}[kind]
            y = self.fresh()
            attrs = f"filter_size = {i64_array(filt)}, filter_stride = {i64_array(stride)}"
            if drop:
                attrs += f", features_to_drop = {drop} : i64"
            self.emit(f"{y} = scn.{op} {x} from {sites} to {out_sites} {{{attrs}}} : "
                      f"{tensor_type([None, channels])}, {sites_type(size)} -> {sites_type(out_size)}")
            return (y, channels - drop, out_sites, out_size)
        if kind == "NetworkInNetwork":
            n_in, n_out = layer["nIn"], layer["nOut"]
            w = self.parameter(params.get("weight"), [n_in, n_out], label + "weight")
            bias = ""
            if layer.get("bias"):
                b = self.parameter(params.get("bias"), [n_out], label + "bias")
                bias = f" bias({b} : {tensor_type([n_out])})"
            y = self.fresh()
            self.emit(f"{y} = scn.linear {x}, {w}{bias} : {tensor_type([None, n_in])}, "
                      f"{tensor_type([n_in, n_out])}")
            return (y, n_out, sites, size)
        if kind in ("BatchNormalization", "BatchNormReLU", "BatchNormLeakyReLU"):
            c = layer["nPlanes"]
            leak = {"BatchNormReLU": 0.0}.get(kind, layer.get(
                "leakiness", 0.333 if kind == "BatchNormLeakyReLU" else 1.0))
            affine = layer.get("affine", True)
            vt = tensor_type([c])
            mean = self.parameter(params.get("running_mean"), [c], label + "mean")
            var = self.parameter(params.get("running_var"), [c], label + "var")
            extra = ""
            if affine:
                g = self.parameter(params.get("weight"), [c], label + "gamma")
                b = self.parameter(params.get("bias"), [c], label + "beta")
                extra = f" weight({g} : {vt}) bias({b} : {vt})"
            y = self.fresh()
            attrs = (f"eps = {f64(layer.get('eps', 1e-4))}, momentum = {f64(layer.get('momentum', 0.99))}, "
                     f"leakiness = {f64(leak)}")
            results = y
            if self.train:
                # Train mode also returns the updated running statistics,
                # which the function returns under their parameter names.
                attrs += ", training"
                results = f"{y}, {y}_stats:2"
                self.extra_results += [
                    (f"{y}_stats#0", vt, params.get("running_mean", label + "running_mean")),
                    (f"{y}_stats#1", vt, params.get("running_var", label + "running_var"))]
            self.emit(f"{results} = scn.batch_norm {x}, {mean}, {var}{extra} {{{attrs}}} : "
                      f"{tensor_type([None, c])}, {vt}, {vt}")
            return (y, c, sites, size)
        if kind in ACTIVATIONS:
            y = self.fresh()
            self.emit(f"{y} = scn.{ACTIVATIONS[kind]} {x} : {tensor_type([None, channels])}")
            return (y, channels, sites, size)
        if kind == "LeakyReLU":
            y = self.fresh()
            self.emit(f"{y} = scn.leaky_relu {x} {{alpha = {f64(layer.get('leak', 1 / 3))}}} : "
                      f"{tensor_type([None, channels])}")
            return (y, channels, sites, size)
        if kind == "Dropout":
            y = self.fresh()
            train = ", training" if self.train else ""
            self.emit(f"{y} = scn.dropout {x} {{p = {f64(layer.get('p', 0.5))}{train}}} : "
                      f"{tensor_type([None, channels])}")
            return (y, channels, sites, size)
        if kind == "SparseToDense":
            y = self.fresh()
            self.emit(f"{y} = scn.sparse_to_dense {x} on {sites} : {tensor_type([None, channels])}, "
                      f"{sites_type(size)}")
            return (y, ("dense", channels, size), sites, size)
        if kind == "OutputLayer":
            y = self.fresh()
            self.emit(f"{y} = scn.output {x} on {sites} : {tensor_type([None, channels])}, "
                      f"{sites_type(size)}")
            return (y, channels, sites, size)
        raise ValueError(f"layer type {kind!r} is not supported by spec_to_mlir")


def unet_layers(reps, planes, residual_blocks=False, downsample=(2, 2),
                leakiness=0.0, n_input_planes=-1, dimension=3):
    """SparseConvNet's UNet builder, expanded into primitive layers."""
    def bn(c):
        return {"type": "BatchNormLeakyReLU", "nPlanes": c, "leakiness": leakiness}

    def sc(a, b):
        return {"type": "SubmanifoldConvolution", "nIn": a, "nOut": b,
                "filter_size": [3] * dimension, "bias": False}

    def block(a, b):
        if residual_blocks:
            short = [{"type": "Identity"}] if a == b else [
                {"type": "NetworkInNetwork", "nIn": a, "nOut": b, "bias": False}]
            return [{"type": "ConcatTable", "branches": [short, [bn(a), sc(a, b), bn(b), sc(b, b)]]},
                    {"type": "AddTable"}]
        return [bn(a), sc(a, b)]

    def level(planes, n_in):
        layers = []
        for _ in range(reps):
            layers += block(n_in if n_in != -1 else planes[0], planes[0])
            n_in = -1
        if len(planes) > 1:
            size, stride = [downsample[0]] * dimension, [downsample[1]] * dimension
            down = [bn(planes[0]),
                    {"type": "Convolution", "nIn": planes[0], "nOut": planes[1],
                     "filter_size": size, "filter_stride": stride, "bias": False},
                    {"type": "Sequential", "layers": level(planes[1:], -1)},
                    bn(planes[1]),
                    {"type": "Deconvolution", "nIn": planes[1], "nOut": planes[0],
                     "filter_size": size, "filter_stride": stride, "bias": False}]
            layers.append({"type": "ConcatTable", "branches": [[{"type": "Identity"}], down]})
            layers.append({"type": "JoinTable"})
            for i in range(reps):
                layers += block(planes[0] * (2 if i == 0 else 1), planes[0])
        return layers

    return level(list(planes), n_input_planes)


def spec_to_mlir(spec, arrays=None, weights_mode="args", func_name="main",
                 coord_rows=None):
    """The network as scn IR text (see the module docstring)."""
    return spec_to_mlir_with_args(spec, arrays, weights_mode, func_name)[0]


def spec_to_mlir_with_args(spec, arrays=None, weights_mode="args", func_name="main"):
    """(IR text, [(argument name, type)]): the arguments after coords and
    features are the weights when `weights_mode` is "args"."""
    d = spec["dimension"]
    size = tuple(spec["spatial_size"])
    em = Emitter(d, size, arrays, weights_mode)
    em.train = bool(spec.get("train", False))
    em.args.append(("%coords", tensor_type([None, d + 1], "i64")))
    # Channels of the input: the first layer's nIn, or the case's features.
    if arrays is not None and spec.get("features", "features") in arrays:
        c_in = arrays[spec.get("features", "features")].shape[1]
    else:
        c_in = spec["in_channels"]
    em.args.append(("%features", tensor_type([None, c_in])))
    attrs = f"mode = {spec.get('input_mode', 3)} : i64"
    if "batch_size" in spec:
        attrs += f", batch_size = {spec['batch_size']} : i64"
    em.emit(f"%sites, %x = scn.input %coords, %features {{{attrs}}} : "
            f"{tensor_type([None, d + 1], 'i64')}, {tensor_type([None, c_in])} -> "
            f"{sites_type(size)}, {tensor_type([None, c_in])}")
    em.sites[size] = ("%sites", "input")
    y, channels, em.last_sites, out_size = em.layers(spec["layers"], ("%x", c_in, "%sites", size), "l")
    last = spec["layers"][-1]["type"] if spec["layers"] else ""
    # (value, type, scn.name) of every result; scn-run names outputs by it.
    if isinstance(channels, tuple):
        _, c, sz = channels
        results = [(y, tensor_type([None, c] + list(sz)), "output")]
    elif last == "OutputLayer":
        results = [(y, tensor_type([None, channels]), "output")]
    else:
        # A sparse output: its features and the coordinates of its sites.
        em.emit(f"%out_coords = scn.coordinates {em.last_sites} : {sites_type(out_size)}")
        results = [(y, tensor_type([None, channels]), "output"),
                   ("%out_coords", tensor_type([None, d + 1], "i64"), "output_coords")]
    results += em.extra_results
    em.emit(f"return {', '.join(r[0] for r in results)} : {', '.join(r[1] for r in results)}")
    rtype = "(" + ", ".join(f'{t} {{scn.name = "{n}"}}' for _, t, n in results) + ")"
    args = ", ".join(f'{n}: {t} {{scn.name = "{n[1:]}"}}' for n, t in em.args)
    out = [f"func.func @{func_name}({args}) -> {rtype} {{"] + em.lines + ["}"]
    if em.resources:
        out.append("")
        out.append("{-#")
        out.append("  dialect_resources: {")
        out.append("    builtin: {")
        items = list(em.resources.items())
        for i, (k, v) in enumerate(items):
            out.append(f"      {k}: \"{v}\"" + ("," if i + 1 < len(items) else ""))
        out.append("    }")
        out.append("  }")
        out.append("#-}")
    return "\n".join(out) + "\n", [(n[1:], t) for n, t in em.args]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("case", help="a golden-format .npz, or 'unet:REPS:P1,P2,...' "
                                "for a residual 3-D UNet with weights as arguments")
    p.add_argument("--weights", choices=["args", "const"], default="args")
    p.add_argument("-o", "--output", default="-")
    a = p.parse_args(argv)
    if a.case.startswith("unet:"):
        _, reps, planes = a.case.split(":")
        planes = [int(v) for v in planes.split(",")]
        spec = {"dimension": 3, "spatial_size": [4096, 4096, 256], "input_mode": 4,
                "in_channels": 1,
                "layers": [{"type": "SubmanifoldConvolution", "nIn": 1, "nOut": planes[0],
                            "filter_size": [3, 3, 3], "bias": False}]
                          + unet_layers(int(reps), planes, residual_blocks=True)
                          + [{"type": "BatchNormReLU", "nPlanes": planes[0]},
                             {"type": "OutputLayer"}]}
        text = spec_to_mlir(spec, None, "args")
    else:
        import numpy as np
        z = np.load(a.case)
        spec = json.loads(str(z["spec_flat_json"]))
        text = spec_to_mlir(spec, z, a.weights)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
