"""Run one golden case (test/golden/*.npz) and compare with SparseConvNet's output.

    python -m scn.golden CASE.npz [--path eager|compiled] [--target cpu|cuda] [--flat] [--inter]

Rebuilds the network from ``spec_json`` (with the builder functions) or,
with ``--flat``, from ``spec_flat_json``; runs it; compares by the rules of
the golden README: sparse outputs by sorted coordinates (exact) and
features, dense and row outputs directly, each within
``tol * max(1, max|expected|)``; train-mode cases also compare the updated
BN running statistics with ``expect_param/...``.  Prints ``PASS <case>
max_err=...`` or ``FAIL <case> ...``; exit status 0 (pass), 1 (fail) or 2
(cannot run: bad arguments, unavailable path or target).

``--path compiled`` compiles the network with ``scn.compile`` (trace,
scn-import-torch, scn-compile --target=cpu) and runs the artifact; outputs
are compared by the same rules (sparse outputs by sorted coordinates), and a
train-mode case compares the updated statistics the compiled network returns.
``--path compiled --target cuda`` exits 2: CUDA code generation is not
implemented yet.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

from .spec import build_from_spec, input_from_spec
from .tensor import SparseConvNetTensor


def sort_sparse(coords, features):
    """Rows sorted by batch index, then x0, x1, ... (the golden files' order)."""
    c = np.asarray(coords)
    d = c.shape[1] - 1
    o = np.lexsort([c[:, i] for i in range(d - 1, -1, -1)] + [c[:, d]])
    return c[o], np.asarray(features)[o]


def _to_numpy(t):
    return t.detach().cpu().numpy()


def _sparse_arrays(x):
    sites = x.metadata.get_sites(x.spatial_size)
    return sort_sparse(_to_numpy(sites.coords), _to_numpy(x.features))


class Comparison(object):
    """Accumulates checks; ``ok`` and the largest error seen (with its bound)."""

    def __init__(self, tol):
        self.tol = tol
        self.ok = True
        self.max_err = 0.0
        self.messages = []

    def fail(self, msg):
        self.ok = False
        self.messages.append(msg)

    def close(self, what, got, exp):
        got = np.asarray(got, dtype=np.float64)
        exp = np.asarray(exp, dtype=np.float64)
        if got.shape != exp.shape:
            self.fail('%s: shape %s, expected %s' % (what, got.shape, exp.shape))
            return
        if exp.size == 0:
            return
        err = float(np.abs(got - exp).max()) if np.all(np.isfinite(got)) else float('inf')
        bound = self.tol * max(1.0, float(np.abs(exp).max()))
        self.max_err = max(self.max_err, err)
        if not err <= bound:
            self.fail('%s: max_err=%.3g > %.3g' % (what, err, bound))

    def equal(self, what, got, exp):
        got, exp = np.asarray(got), np.asarray(exp)
        if got.shape != exp.shape or not np.array_equal(got, exp):
            self.fail('%s: coordinates differ (got %s rows, expected %s)'
                      % (what, got.shape[0] if got.ndim else got.shape, exp.shape[0]))


def _compare_output(cmp, z, out):
    kind = str(z['out_kind'])
    if kind == 'sparse':
        if not isinstance(out, SparseConvNetTensor):
            cmp.fail('output: expected a sparse tensor, got %s' % type(out).__name__)
            return
        c, f = _sparse_arrays(out)
        cmp.equal('output', c, z['out_coords_sorted'])
        if c.shape == z['out_coords_sorted'].shape and np.array_equal(c, z['out_coords_sorted']):
            cmp.close('output features', f, z['out_features_sorted'])
        if 'out_spatial_size' in z.files and \
                tuple(out.spatial_size.tolist()) != tuple(z['out_spatial_size'].tolist()):
            cmp.fail('output spatial size %s, expected %s'
                     % (tuple(out.spatial_size.tolist()), tuple(z['out_spatial_size'].tolist())))
    elif kind == 'dense':
        cmp.close('dense output', _to_numpy(out), z['out_dense'])
    elif kind == 'rows':
        cmp.close('output rows', _to_numpy(out), z['out_rows'])
    else:
        cmp.fail('unknown out_kind %r' % kind)


def _compare_inter(cmp, z, i, out):
    """Compare a top-level layer's output with inter/layer<i>_... when the file has it."""
    outs = [('layer%d' % i, out)] if isinstance(out, SparseConvNetTensor) else \
        [('layer%d_branch%d' % (i, j), o) for j, o in enumerate(out)] if isinstance(out, list) else []
    for name, o in outs:
        key = 'inter/%s_coords_sorted' % name
        if key not in z.files or not isinstance(o, SparseConvNetTensor):
            continue
        c, f = _sparse_arrays(o)
        cmp.equal(name, c, z[key])
        if c.shape == z[key].shape and np.array_equal(c, z[key]):
            cmp.close(name + ' features', f, z['inter/%s_features_sorted' % name])


def _load_case(path, flat):
    """(arrays, case name, Comparison, input layer, model, input) of a golden file."""
    z = np.load(path, allow_pickle=False)
    meta = json.loads(str(z['meta_json'])) if 'meta_json' in z.files else {}
    name = meta.get('name', os.path.splitext(os.path.basename(path))[0])
    tol = float(meta.get('tolerance', {}).get('tol', 1e-4))
    spec = json.loads(str(z['spec_flat_json' if flat and 'spec_flat_json' in z.files else 'spec_json']))
    input_layer, model = build_from_spec(spec, z)
    return z, name, Comparison(tol), input_layer, model, input_from_spec(spec, z)


def run_case(path, flat=False, target='cpu', inter=False):
    """Run one case eagerly; returns (name, Comparison)."""
    z, name, cmp, input_layer, model, x = _load_case(path, flat)
    if target == 'cuda':
        model = model.to('cuda')
        x[1] = x[1].to('cuda')
    with torch.no_grad():
        h = input_layer(x)
        if 'in_coords_sorted' in z.files:
            c, f = _sparse_arrays(h)
            cmp.equal('input (merged)', c, z['in_coords_sorted'])
            if c.shape == z['in_coords_sorted'].shape and np.array_equal(c, z['in_coords_sorted']):
                cmp.close('input features (merged)', f, z['in_features_sorted'])
        for i, layer in enumerate(model):
            h = layer(h)
            if inter:
                _compare_inter(cmp, z, i, h)
        _compare_output(cmp, z, h)
    expect = [k for k in z.files if k.startswith('expect_param/')]
    if expect:
        sd = model.state_dict()
        for k in expect:
            n = k[len('expect_param/'):]
            if n not in sd:
                cmp.fail('%s: no such parameter in the model' % n)
            else:
                cmp.close(n, _to_numpy(sd[n]), z[k])
    return name, cmp


def run_case_compiled(path, flat=False, target='cpu'):
    """Run one case through ``scn.compile`` (trace, scn-import-torch, scn-compile, the
    artifact); returns (name, Comparison).  Sparse outputs come back in the runtime's row
    order with their coordinates and are compared by sorted coordinates like the eager
    path; a train-mode case compares the updated running statistics the compiled network
    returns (``updated_buffers``) with ``expect_param/...``."""
    from .compiled import compile as scn_compile
    z, name, cmp, input_layer, model, x = _load_case(path, flat)
    compiled = scn_compile(model, x, target=target, input_layer=input_layer)
    out = compiled(x)
    _compare_output(cmp, z, out)
    expect = [k for k in z.files if k.startswith('expect_param/')]
    if expect:
        sd = model.state_dict()
        for k in expect:
            n = k[len('expect_param/'):]
            if n in compiled.updated_buffers:
                cmp.close(n, _to_numpy(compiled.updated_buffers[n]), z[k])
            elif n in sd:
                cmp.close(n, _to_numpy(sd[n]), z[k])
            else:
                cmp.fail('%s: no such parameter in the model' % n)
    return name, cmp


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m scn.golden', description=__doc__.split('\n\n')[0])
    p.add_argument('case', help='a golden .npz file')
    p.add_argument('--path', choices=['eager', 'compiled'], default='eager')
    p.add_argument('--target', choices=['cpu', 'cuda'], default='cpu')
    p.add_argument('--flat', action='store_true', help='build from spec_flat_json')
    p.add_argument('--inter', action='store_true',
                   help='also compare every top-level layer with inter/... arrays')
    a = p.parse_args(argv)
    if a.path == 'compiled':
        from .compiled import missing_tools, tools_dir
        if a.inter:
            print('scn.golden: --inter is only available with --path eager (the compiled '
                  'network returns its outputs only)', file=sys.stderr)
            return 2
        if missing_tools():
            print('scn.golden: --path compiled needs %s in %s (build them, or set '
                  'SCN_TOOLS_DIR / SCN_BUILD_DIR)' % (', '.join(missing_tools()), tools_dir()),
                  file=sys.stderr)
            return 2
    # The compiled path runs CUDA through libscn_runtime, which reports a
    # missing GPU itself; the eager path needs torch's CUDA.
    if a.target == 'cuda' and a.path == 'eager' and not torch.cuda.is_available():
        print('scn.golden: --target cuda requested but CUDA is not available', file=sys.stderr)
        return 2
    if not os.path.isfile(a.case):
        print('scn.golden: no such file: %s' % a.case, file=sys.stderr)
        return 2
    try:
        if a.path == 'compiled':
            name, cmp = run_case_compiled(a.case, flat=a.flat, target=a.target)
        else:
            name, cmp = run_case(a.case, flat=a.flat, target=a.target, inter=a.inter)
    except (ValueError, KeyError, RuntimeError) as e:
        print('FAIL %s error: %s' % (os.path.basename(a.case), e))
        return 1
    if cmp.ok:
        print('PASS %s max_err=%.3g' % (name, cmp.max_err))
        return 0
    print('FAIL %s max_err=%.3g: %s' % (name, cmp.max_err, '; '.join(cmp.messages)))
    return 1


if __name__ == '__main__':
    sys.exit(main())
