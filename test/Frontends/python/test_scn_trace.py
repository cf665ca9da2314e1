"""The TorchScript path: tracing scn models and importing them with scn-import-torch.

Tracing must give a graph of scn:: ops whose kernels are the eager code (so
the traced and reloaded models compute what the eager model does), and the
importer must turn every golden network into IR that scn-opt verifies.
The importer tests are skipped where scn-import-torch or scn-opt is not
built (set SCN_IMPORT_TORCH / SCN_OPT, or build into build/bin).
"""

import importlib.util
import json
import os
import subprocess

import numpy as np
import pytest
import torch

import scn
from scn import ops, spec as S
from scn.tracing import Network, trace
from scn_test_helpers import GOLDEN_FILES, REPO

TRACE_MODEL = os.path.join(REPO, 'test', 'Frontends', 'torch', 'trace_model.py')


def _load_trace_model():
    s = importlib.util.spec_from_file_location('trace_model', TRACE_MODEL)
    m = importlib.util.module_from_spec(s)
    s.loader.exec_module(m)
    return m


TM = _load_trace_model()
MODEL_NAMES = [n for n in sorted(list(TM._models()) + ['bl_io', 'dense_to_sparse'])
               if not n.startswith('error_')]


def _tool(env, name):
    path = os.environ.get(env) or os.path.join(REPO, 'build', 'bin', name)
    return path if os.path.exists(path) else None


IMPORTER = _tool('SCN_IMPORT_TORCH', 'scn-import-torch')
SCN_OPT = _tool('SCN_OPT', 'scn-opt')
needs_tools = pytest.mark.skipif(IMPORTER is None or SCN_OPT is None,
                                 reason='scn-import-torch or scn-opt is not built')


def _import(pt, *args):
    return subprocess.run([IMPORTER, str(pt)] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)


def _verify(ir, tmp_path):
    path = tmp_path / 'net.mlir'
    path.write_text(ir)
    r = subprocess.run([SCN_OPT, str(path), '-o', os.devnull], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 0, r.stderr


def _nodes(traced):
    g = traced.inlined_graph
    return [n.kind() for n in g.nodes()]


# -- tracing -----------------------------------------------------------------

@pytest.mark.parametrize('name', MODEL_NAMES)
def test_traced_model_matches_eager(name, tmp_path):
    net, inputs = TM.build(name)
    train = name.endswith('_train')
    with torch.no_grad():
        expected = None if train else net(*inputs)
        traced = trace(net, *inputs)
    kinds = _nodes(traced)
    assert any(k.startswith('scn::') for k in kinds)
    # Geometry and layers are scn ops; only activations and tables are aten.
    allowed = {'aten::relu', 'aten::leaky_relu', 'aten::sigmoid', 'aten::tanh', 'aten::elu',
               'aten::selu', 'aten::cat', 'aten::add'}
    assert all(k.startswith(('scn::', 'prim::')) or k in allowed for k in kinds), kinds
    if train:
        return
    with torch.no_grad():
        assert torch.equal(traced(*inputs), expected)
    traced.save(str(tmp_path / 'm.pt'))
    with torch.no_grad():
        assert torch.equal(torch.jit.load(str(tmp_path / 'm.pt'))(*inputs), expected)


def test_traced_model_runs_on_new_input():
    net, (coords, features) = TM.build('unet')
    with torch.no_grad():
        traced = trace(net, coords, features)
        c2, f2 = TM.random_input(3, 16, 90, 1, seed=7)
        assert torch.equal(traced(c2, f2), net(c2, f2))


def test_eager_modules_do_not_record_ops():
    net, inputs = TM.build('conv')
    x = net.input_layer([inputs[0], inputs[1]])
    assert x.sites_token is None
    y = net.model(x)
    assert y.sites_token is None
    y.features.sum().backward()
    assert net.model[0].weight.grad is not None


def test_train_mode_batch_norm_updates_statistics_when_traced():
    net, inputs = TM.build('batchnorm_train')
    before = net.model[0].running_mean.clone()
    trace(net, *inputs)
    assert not torch.equal(before, net.model[0].running_mean)


def test_deconvolution_without_matching_convolution_cannot_be_traced():
    model = TM.seq(scn.Convolution(3, 2, 4, 2, 2, False), scn.Deconvolution(3, 4, 2, 3, 2, False))
    net = Network(scn.InputLayer(3, 16, mode=4), model).eval()
    coords, features = TM.random_input(3, 16, 40, 2)
    with pytest.raises(ValueError, match='Deconvolution.*cannot be traced'):
        trace(net, coords, features)


def test_randomized_stride_in_training_cannot_be_traced():
    model = TM.seq(scn.RandomizedStrideConvolution(3, 2, 4, 3, 2, False)).train()
    net = Network(scn.InputLayer(3, 15, mode=4), model)
    coords, features = TM.random_input(3, 15, 40, 2)
    with pytest.raises(ValueError, match='randomized stride'):
        trace(net, coords, features)


@pytest.mark.filterwarnings('ignore::torch.jit.TracerWarning')
def test_tracing_needs_the_input_layer_inside():
    coords, features = TM.random_input(3, 16, 40, 2)
    x = scn.InputLayer(3, 16)([coords, features])
    conv = scn.SubmanifoldConvolution(3, 2, 2, 3, False)
    with pytest.raises(ValueError, match='InputLayer'):
        torch.jit.trace(lambda f: conv(scn.SparseConvNetTensor(f, x.metadata, x.spatial_size))
                        .features, (x.features,))


def test_int32_coordinates_are_refused_when_tracing():
    net, (coords, features) = TM.build('subm')
    with pytest.raises(ValueError, match='int64 coordinates'):
        trace(net, coords.int(), features)


# -- importer ------------------------------------------------------------------

@needs_tools
def test_schemas_match_the_importer():
    r = subprocess.run([IMPORTER, '--print-schemas'], stdout=subprocess.PIPE,
                       universal_newlines=True, check=True)
    assert r.stdout.splitlines() == ['scn::' + s for s in ops.SCHEMAS]


@needs_tools
@pytest.mark.parametrize('path', GOLDEN_FILES, ids=lambda p: os.path.basename(p)[:-4])
def test_golden_case_imports_and_verifies(path, tmp_path):
    z = np.load(path)
    spec = json.loads(str(z['spec_flat_json']))
    input_layer, model = S.build_from_spec(spec, z)
    x = S.input_from_spec(spec, z)
    net = Network(input_layer, model, spec.get('batch_size', 0))
    with torch.no_grad():
        traced = trace(net, x[0], x[1])
    pt = tmp_path / 'm.pt'
    traced.save(str(pt))
    for args in ([], ['--weights-as-args']):
        r = _import(pt, *args)
        assert r.returncode == 0, r.stderr
        assert 'scn.input' in r.stdout
        if args:
            assert 'dense_resource' not in r.stdout
        _verify(r.stdout, tmp_path)


@needs_tools
def test_constant_weights_hold_the_parameter_values(tmp_path):
    net, inputs = TM.build('nin')
    trace(net, *inputs).save(str(tmp_path / 'm.pt'))
    r = _import(tmp_path / 'm.pt')
    assert r.returncode == 0, r.stderr
    w = net.model[0].weight.detach().numpy().astype('<f4')
    assert ('model_0_weight: "0x04000000' + w.tobytes().hex().upper() + '"') in r.stdout


@needs_tools
def test_unsupported_op_names_node_and_location(tmp_path):
    net, inputs = TM.build('error_sort')
    trace(net, *inputs).save(str(tmp_path / 'm.pt'))
    r = _import(tmp_path / 'm.pt')
    assert r.returncode == 1
    assert 'cannot import node aten::sort' in r.stderr
    assert 'trace_model.py:' in r.stderr
    assert "in the model's code code/__torch__" in r.stderr
    assert r.stdout == ''


@needs_tools
@pytest.mark.parametrize('name', ['unet', 'tables', 'bl_io'])
def test_torch2_traced_models_import(name, tmp_path):
    pt = os.path.join(REPO, 'test', 'Frontends', 'torch', 'Inputs', name + '.torch2.pt')
    r = _import(pt)
    assert r.returncode == 0, r.stderr
    _verify(r.stdout, tmp_path)
