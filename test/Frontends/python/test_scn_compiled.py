"""``scn.compile``: the compiled path (trace -> scn-import-torch -> scn-compile -> ctypes).

The compiled module must give what the eager model gives: dense outputs
exactly the same tensor (within float tolerance), sparse outputs the same
rows after sorting by coordinates (the runtime's row order differs from the
eager sorted order).  Shape changes (point count, batch size) must run on the
same artifact.  Skipped where scn-import-torch / scn-compile are not built
(set SCN_TOOLS_DIR or SCN_BUILD_DIR, or build into build/bin).
"""

import os
import sys

import numpy as np
import pytest
import torch

import scn
import scn.compiled as C
from scn import golden
from scn_test_helpers import GOLDEN_DIR, GOLDEN_FILES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

needs_tools = pytest.mark.skipif(
    not C.tools_available(),
    reason='scn.compile needs %s in %s' % (', '.join(C.missing_tools()), C.tools_dir()))

TOL = 1e-4


def _input(dimension, size, n, batch, channels, seed):
    """[coords, features]: distinct random sites (batch last) in [0, size)^D."""
    g = torch.Generator().manual_seed(seed)
    c = torch.cat([torch.randint(0, size, (n, dimension), generator=g),
                   torch.randint(0, batch, (n, 1), generator=g)], 1)
    c = c[torch.randperm(len(c), generator=g)]  # not sorted: row order matters
    return [c, torch.randn(len(c), channels, generator=g)]


def _sorted(t):
    """(coords, features) of a SparseConvNetTensor, rows sorted by coordinate."""
    return golden.sort_sparse(t.get_spatial_locations().numpy(), t.features.detach().numpy())


def _assert_same(compiled_out, eager_out, tol=None):
    tol = TOL if tol is None else tol
    if isinstance(eager_out, scn.SparseConvNetTensor):
        assert isinstance(compiled_out, scn.SparseConvNetTensor)
        assert tuple(compiled_out.spatial_size.tolist()) == tuple(eager_out.spatial_size.tolist())
        gc, gf = _sorted(compiled_out)
        ec, ef = _sorted(eager_out)
        np.testing.assert_array_equal(gc, ec)
        np.testing.assert_allclose(gf, ef, rtol=0, atol=tol * max(1.0, float(np.abs(ef).max())))
    else:
        e = eager_out.detach().numpy()
        np.testing.assert_allclose(compiled_out.numpy(), e, rtol=0,
                                   atol=tol * max(1.0, float(np.abs(e).max())))


def _model_2d():
    """InputLayer inside the model (the usual SparseConvNet form); sparse output."""
    torch.manual_seed(1)
    return scn.Sequential(
        scn.InputLayer(2, 32, mode=3),
        scn.SubmanifoldConvolution(2, 3, 8, 3, False),
        scn.BatchNormReLU(8),
        scn.MaxPooling(2, 2, 2),
        scn.SubmanifoldConvolution(2, 8, 8, 3, True),
        scn.Convolution(2, 8, 6, 2, 2, False),
        scn.LeakyReLU(0.1)).eval()


def _model_3d():
    """A small UNet (downsample, deconvolution, JoinTable) after a separate InputLayer."""
    torch.manual_seed(2)
    model = scn.Sequential(
        scn.SubmanifoldConvolution(3, 2, 4, 3, False),
        scn.UNet(3, 1, [4, 8], residual_blocks=True),
        scn.BatchNormReLU(4)).eval()
    with torch.no_grad():    # non-trivial running statistics
        for name, b in model.named_buffers():
            if name.endswith('running_mean'):
                b.normal_(0, 0.1)
            elif name.endswith('running_var'):
                b.uniform_(0.5, 1.5)
    return scn.InputLayer(3, 16, mode=4), model


def _eager(input_layer, model, x):
    with torch.no_grad():
        return model(input_layer(x)) if input_layer is not None else model(x)


@needs_tools
@pytest.mark.parametrize('dim', [2, 3])
def test_compiled_matches_eager_across_shapes(dim):
    if dim == 2:
        input_layer, model = None, _model_2d()
        inputs = [_input(2, 32, 60, 2, 3, seed=0), _input(2, 32, 200, 4, 3, seed=1)]
    else:
        input_layer, model = _model_3d()
        inputs = [_input(3, 16, 80, 2, 2, seed=2), _input(3, 16, 30, 1, 2, seed=3)]
    builds = C.build_count
    compiled = scn.compile(model, inputs[0], target='cpu', input_layer=input_layer)
    assert C.build_count == builds + 1
    stamp = os.stat(compiled.artifact).st_mtime_ns
    counts = set()
    for x in inputs:
        out = compiled(x)
        _assert_same(out, _eager(input_layer, model, x))
        counts.add(len(out.features))
    # other point counts and batch sizes ran on the same artifact
    assert len(counts) == 2
    assert C.build_count == builds + 1
    assert os.stat(compiled.artifact).st_mtime_ns == stamp
    # the (coords, features) call form gives the same
    x = inputs[1]
    np.testing.assert_array_equal(compiled(x[0], x[1]).features.numpy(),
                                  compiled(x).features.numpy())


@needs_tools
def test_compiled_dense_output_is_the_same_tensor():
    torch.manual_seed(3)
    model = scn.Sequential(
        scn.InputLayer(2, 8, mode=3),
        scn.SubmanifoldConvolution(2, 2, 4, 3, False),
        scn.ReLU(),
        scn.SparseToDense(2, 4)).eval()
    x = _input(2, 8, 20, 2, 2, seed=4)
    compiled = scn.compile(model, x)
    for y in (x, _input(2, 8, 40, 3, 2, seed=5)):
        out = compiled(y)
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
        _assert_same(out, _eager(None, model, y))


@needs_tools
def test_thread_count_does_not_change_results():
    torch.manual_seed(6)
    model = scn.Sequential(
        scn.InputLayer(3, 24, mode=4),
        scn.SubmanifoldConvolution(3, 3, 16, 3, False),
        scn.BatchNormReLU(16),
        scn.Convolution(3, 16, 8, 2, 2, False),
        scn.SparseToDense(3, 8)).eval()
    x = _input(3, 24, 3000, 2, 3, seed=7)
    compiled = scn.compile(model, x)
    compiled.set_num_threads(1)
    one = compiled(x)
    compiled.set_num_threads(0)
    assert torch.equal(compiled(x), one)
    with pytest.raises(ValueError, match='must be >= 0'):
        compiled.set_num_threads(-1)


@needs_tools
def test_calls_after_the_first_take_their_buffers_from_the_planned_block():
    torch.manual_seed(8)
    model = scn.Sequential(
        scn.InputLayer(3, 24, mode=4),
        scn.SubmanifoldConvolution(3, 3, 16, 3, False),
        scn.BatchNormReLU(16),
        scn.SubmanifoldConvolution(3, 16, 16, 3, False),
        scn.OutputLayer(3)).eval()
    x = _input(3, 24, 3000, 2, 3, seed=9)
    compiled = scn.compile(model, x)
    before = compiled.memory_info()
    outputs = [compiled(x) for _ in range(3)]
    info = compiled.memory_info()
    for out in outputs[1:]:
        assert torch.equal(out, outputs[0])
    _assert_same(outputs[0], _eager(None, model, x))
    assert info['calls'] - before['calls'] == 3
    assert info['calls_in_block'] - before['calls_in_block'] >= 2
    assert info['block_bytes'] > 0 and info['block_allocations'] > 0


@needs_tools
def test_compile_leaves_train_mode_model_alone_and_returns_statistics():
    torch.manual_seed(4)
    model = scn.Sequential(scn.InputLayer(3, 16, mode=3),
                           scn.SubmanifoldConvolution(3, 2, 4, 3, False),
                           scn.BatchNormReLU(4, momentum=0.9)).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = _input(3, 16, 50, 2, 2, seed=6)
    compiled = scn.compile(model, x)
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    out = compiled(x)
    eager = model(x)      # updates the eager model's running statistics
    _assert_same(out, eager)
    assert sorted(compiled.updated_buffers) == ['2.running_mean', '2.running_var']
    for k, v in compiled.updated_buffers.items():
        np.testing.assert_allclose(v.numpy(), model.state_dict()[k].numpy(), rtol=0, atol=1e-5)


@needs_tools
def test_bad_inputs_raise_the_runtime_message():
    model = _model_2d()
    x = _input(2, 32, 40, 2, 3, seed=7)
    compiled = scn.compile(model, x)
    c, f = x[0].clone(), x[1].clone()
    c[3, 1] = 32
    with pytest.raises(RuntimeError, match=r'outside \[0, 32\)'):
        compiled([c, f])
    c, f = x[0].clone(), x[1].clone()
    f[5, 2] = float('nan')
    with pytest.raises(RuntimeError, match='NaN'):
        compiled([c, f])
    # the module still works after an error
    _assert_same(compiled(x), _eager(None, model, x))
    # a channel mismatch is caught before the call
    with pytest.raises(ValueError, match='features'):
        compiled([x[0], torch.randn(len(x[0]), 5)])


@needs_tools
def test_memory_refused_in_a_call_raises_memory_error_and_the_next_call_runs(monkeypatch):
    """A buffer the system refuses abandons the call (runtime/lib/CPU/
    GeneratedCall.h; SCN_RUNTIME_FAIL_ALLOCATION=n refuses the n-th, as the
    system would): a MemoryError (also a RuntimeError) naming the layer's
    location, and the module works on."""
    model = _model_2d()
    x = _input(2, 32, 40, 2, 3, seed=7)
    compiled = scn.compile(model, x)
    monkeypatch.setenv('SCN_RUNTIME_FAIL_ALLOCATION', '2')
    with pytest.raises(MemoryError, match=r'op at loc\(".*net\.mlir":\d+:\d+\): out of memory') as e:
        compiled(x)
    assert isinstance(e.value, scn.OutOfMemoryError) and isinstance(e.value, RuntimeError)
    monkeypatch.delenv('SCN_RUNTIME_FAIL_ALLOCATION')
    _assert_same(compiled(x), _eager(None, model, x))


def _cuda_device_present():
    sys.path.insert(0, os.path.join(ROOT, 'test', 'Integration'))
    from cuda_device import cuda_device_present
    return cuda_device_present()


@needs_tools
@pytest.mark.skipif(not os.access('/usr/local/cuda/bin/ptxas', os.X_OK) and
                    not os.environ.get('CUDA_HOME'), reason='needs ptxas (CUDA toolkit)')
def test_cuda_target():
    """target='cuda' compiles; it runs like the eager model where a GPU is, and
    elsewhere the call says that it needs one."""
    model = _model_2d()
    x = _input(2, 32, 10, 1, 3, seed=8)
    compiled = scn.compile(model, x, target='cuda', chips=['sm_90'])
    assert compiled.manifest['target'] == 'cuda'
    if _cuda_device_present():
        _assert_same(compiled(x), _eager(None, model, x))
    else:
        with pytest.raises(RuntimeError, match='compiled for CUDA and needs a GPU'):
            compiled(x)
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        scn.compile(model, x, target='tpu')
    with pytest.raises(ValueError, match="chips are for target='cuda'"):
        scn.compile(model, x, chips=['sm_90'])
    with pytest.raises(ValueError, match="element_type is for target='cuda'"):
        scn.compile(model, x, element_type='bf16')
    with pytest.raises(ValueError, match="element_type 'f8'"):
        scn.compile(model, x, target='cuda', element_type='f8')
    bf16 = scn.compile(model, x, target='cuda', chips=['sm_80'], element_type='bf16')
    assert bf16.manifest['target'] == 'cuda'
    with pytest.raises(ValueError, match="activations is for target='cuda'"):
        scn.compile(model, x, activations='f16')
    with pytest.raises(ValueError, match="activations 'f64'"):
        scn.compile(model, x, target='cuda', activations='f64')
    half = scn.compile(model, x, target='cuda', chips=['sm_80'], element_type='f16',
                       activations='f16')
    assert half.manifest['target'] == 'cuda'
    if _cuda_device_present():
        # Inputs and activations rounded to f16: a few units of 2^-11.
        _assert_same(half(x), _eager(None, model, x), tol=8 * 2.0 ** -11)
    # fp32 on tensor cores: inputs and weights rounded to tf32 (11 bits).
    tf32 = scn.compile(model, x, target='cuda', chips=['sm_80'], element_type='tf32')
    assert tf32.manifest['target'] == 'cuda'
    if _cuda_device_present():
        _assert_same(tf32(x), _eager(None, model, x), tol=8 * 2.0 ** -11)


@needs_tools
@pytest.mark.parametrize('case', [os.path.basename(f) for f in GOLDEN_FILES])
def test_golden_compiled(case, capsys):
    rc = golden.main([os.path.join(GOLDEN_DIR, case), '--path', 'compiled', '--target', 'cpu'])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert out.startswith('PASS ')


@needs_tools
@pytest.mark.skipif(not os.access('/usr/local/cuda/bin/ptxas', os.X_OK) and
                    not os.environ.get('CUDA_HOME'), reason='needs ptxas (CUDA toolkit)')
def test_golden_compiled_cuda(capsys):
    rc = golden.main([os.path.join(GOLDEN_DIR, 'nin2d.npz'), '--path', 'compiled',
                      '--target', 'cuda'])
    out = capsys.readouterr().out
    if _cuda_device_present():
        assert rc == 0, out
        assert out.startswith('PASS ')
    else:
        assert rc == 1
        assert 'compiled for CUDA and needs a GPU' in out


@needs_tools
@pytest.mark.parametrize('mode', [1, 2, 3, 4])
def test_bl_layers_compiled_match_eager(mode):
    """BLInputLayer/BLOutputLayer compiled: SparseConvNet's batch-length rules
    (mode 1 keeps the last duplicate, 2 the first; a negative first coordinate
    is padding) as in the eager reference, on two batch shapes."""
    rng = np.random.default_rng(mode)
    model = scn.Sequential(scn.BLInputLayer(2, [4, 4], mode=mode),
                           scn.SubmanifoldConvolution(2, 2, 3, 3, True),
                           scn.BLOutputLayer(2)).eval()

    def example(b, length):
        coords = torch.from_numpy(rng.integers(0, 3, (b, length, 2))).long()
        coords[0, 1, 0] = -1  # padding
        feats = torch.from_numpy(rng.standard_normal((b, length, 2)).astype(np.float32))
        return [coords, feats]

    first = example(3, 7)
    compiled = scn.compile(model, first)
    for x in (first, example(2, 9)):
        with torch.no_grad():
            ref = model(x)
        got = compiled(x)
        got = got if isinstance(got, torch.Tensor) else got.features
        assert got.shape == ref.shape
        assert float((got - ref).abs().max()) <= TOL * max(1.0, float(ref.abs().max()))


@needs_tools
def test_saved_network_loads_in_another_process(tmp_path):
    """compiled.save(dir), then scn.load_compiled(dir) in a fresh process that
    has neither the model's code nor the compiler tools on its path: the same
    SparseConvNetTensor (coordinates and features, bit for bit)."""
    input_layer, model = _model_3d()
    x = _input(3, 16, 80, 2, 2, seed=2)
    compiled = scn.compile(model, x, input_layer=input_layer)
    saved = tmp_path / 'saved'
    compiled.save(str(saved))
    assert sorted(os.listdir(saved)) == ['net.mlir', 'net.so', 'scn-compiled.json']
    y = _input(3, 16, 50, 3, 2, seed=6)
    torch.save(y, str(tmp_path / 'input.pt'))
    expected = compiled(y)
    script = (
        "import sys, torch, scn\n"
        "net = scn.load_compiled(sys.argv[1])\n"
        "out = net(torch.load(sys.argv[2]))\n"
        "torch.save([out.get_spatial_locations(), out.features, out.spatial_size], sys.argv[3])\n")
    env = dict(os.environ, SCN_TOOLS_DIR=str(tmp_path / 'no-tools'))
    env['PYTHONPATH'] = os.path.join(ROOT, 'frontends', 'python')
    import subprocess
    proc = subprocess.run([sys.executable, '-c', script, str(saved), str(tmp_path / 'input.pt'),
                           str(tmp_path / 'out.pt')], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    coords, features, size = torch.load(str(tmp_path / 'out.pt'))
    np.testing.assert_array_equal(coords.numpy(), expected.get_spatial_locations().numpy())
    np.testing.assert_array_equal(features.numpy(), expected.features.numpy())
    assert size.tolist() == expected.spatial_size.tolist()


@needs_tools
def test_saving_over_a_loaded_network_keeps_it_running(tmp_path):
    """save() into the directory a loaded network came from: its own save
    leaves the files, and another network's replaces them without
    rewriting the pages the loaded one runs from."""
    input_layer, model = _model_3d()
    x = _input(3, 16, 80, 2, 2, seed=2)
    compiled = scn.compile(model, x, input_layer=input_layer)
    saved = str(tmp_path / 'saved')
    compiled.save(saved)
    loaded = scn.load_compiled(saved)
    loaded.save(saved)
    expected = loaded(x).features
    scn.compile(model, _input(3, 16, 60, 2, 2, seed=3), input_layer=input_layer).save(saved)
    assert sorted(os.listdir(saved)) == ['net.mlir', 'net.so', 'scn-compiled.json']
    np.testing.assert_array_equal(loaded(x).features.numpy(), expected.numpy())


def test_load_compiled_refuses_what_is_not_a_saved_network(tmp_path):
    with pytest.raises(C.CompileError, match='cannot read'):
        scn.load_compiled(str(tmp_path))
    (tmp_path / 'scn-compiled.json').write_text('{"format": "other"}')
    with pytest.raises(C.CompileError, match='is not a saved scn.compile network'):
        scn.load_compiled(str(tmp_path))
    (tmp_path / 'scn-compiled.json').write_text(
        '{"format": "scn-compiled/1", "structure": [["tensor"]], "return_type": null, '
        '"returns_sequence": false, "layout": null}')
    with pytest.raises(C.CompileError, match="cannot load|cannot open|No such file"):
        scn.load_compiled(str(tmp_path))
