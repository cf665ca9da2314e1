"""The ``scn`` custom ops (``torch.ops.scn.*``) that a traced model is made of.

Under ``torch.jit.trace`` the modules of ``scn.nn`` call these ops instead of
their eager code, so the traced graph holds one ``scn::`` node per layer
(plus ordinary aten nodes for activations, JoinTable and AddTable) and
``scn-import-torch`` can map it onto the scn dialect.

Geometry is explicit, as in the dialect: an op that creates an active set
returns a *sites* tensor (the set's coordinates ``[N, D+1]``, batch last),
and every op that reads geometry takes the sites tensors it reads as
arguments.  Strided layers go through ``scn::downsample`` and full
convolutions through ``scn::full_sites``; a Deconvolution or UnPooling names
the sites of the matching downsample's input, so the pairing is visible in
the graph.

The kernels are the eager code: each sites tensor carries (as a Python
attribute, kept alive by PyTorch's PyObject preservation) the ``Metadata``
it belongs to, so a traced model computes exactly what the eager model
does, and a traced or reloaded model still runs in Python.  ``SCHEMAS`` must
stay identical to the list the C++ importer registers
(``scn-import-torch --print-schemas``); a test checks that.
"""

import functools
import warnings

import torch

from .utils import as_tuple

SCHEMAS = [
    'input(Tensor coords, Tensor features, int[] spatial_size, int mode, int batch_size, '
    'int channels) -> (Tensor sites, Tensor output)',
    'bl_input(Tensor coords, Tensor features, int[] spatial_size, int mode, int channels) '
    '-> (Tensor sites, Tensor output)',
    'output(Tensor input, Tensor sites) -> Tensor',
    'bl_output(Tensor input, Tensor sites) -> Tensor',
    'sparse_to_dense(Tensor input, Tensor sites) -> Tensor',
    'dense_to_sparse(Tensor input, int[] spatial_size, int channels) '
    '-> (Tensor sites, Tensor output)',
    'downsample(Tensor sites, int[] filter_size, int[] filter_stride) -> Tensor',
    'full_sites(Tensor sites, int[] filter_size, int[] filter_stride) -> Tensor',
    'submanifold_conv(Tensor input, Tensor weight, Tensor? bias, Tensor sites, '
    'int[] filter_size) -> Tensor',
    'conv(Tensor input, Tensor weight, Tensor? bias, Tensor in_sites, Tensor out_sites, '
    'int[] filter_size, int[] filter_stride) -> Tensor',
    'deconv(Tensor input, Tensor weight, Tensor? bias, Tensor in_sites, Tensor out_sites, '
    'int[] filter_size, int[] filter_stride) -> Tensor',
    'full_conv(Tensor input, Tensor weight, Tensor? bias, Tensor in_sites, Tensor out_sites, '
    'int[] filter_size, int[] filter_stride) -> Tensor',
    'linear(Tensor input, Tensor weight, Tensor? bias) -> Tensor',
    'max_pool(Tensor input, Tensor in_sites, Tensor out_sites, int[] filter_size, '
    'int[] filter_stride, int features_to_drop) -> Tensor',
    'avg_pool(Tensor input, Tensor in_sites, Tensor out_sites, int[] filter_size, '
    'int[] filter_stride, int features_to_drop) -> Tensor',
    'unpool(Tensor input, Tensor in_sites, Tensor out_sites, int[] filter_size, '
    'int[] filter_stride, int features_to_drop) -> Tensor',
    'batch_norm(Tensor input, Tensor(a!) running_mean, Tensor(b!) running_var, '
    'Tensor? weight, Tensor? bias, float eps, float momentum, float leakiness, '
    'bool training) -> Tensor',
    'dropout(Tensor input, float p, bool training, bool batchwise) -> Tensor',
]


class SitesInfo(object):
    """What a sites tensor stands for: an active set of a Metadata.

    ``parent`` is ``(big_sites_tensor, filter_size, stride)`` for the output
    of a downsample (what a Deconvolution/UnPooling maps back onto);
    ``full_map`` is the kernel map of a full_sites step.
    """

    def __init__(self, metadata, spatial_size, parent=None, full_map=None):
        self.metadata = metadata
        self.spatial_size = tuple(int(v) for v in spatial_size)
        self.parent = parent
        self.full_map = full_map


def sites_info(sites, op='scn op'):
    info = getattr(sites, '_scn_sites', None)
    if info is None:
        raise RuntimeError('%s: the sites tensor was not produced by an scn op of this '
                           'process (sites tensors carry their geometry)' % op)
    return info


def _make_sites(metadata, spatial_size, **kw):
    """A fresh sites tensor for the set at ``spatial_size`` of ``metadata``."""
    coords = metadata.get_sites(spatial_size).coords
    t = coords.clone()
    t._scn_sites = SitesInfo(metadata, spatial_size, **kw)
    return t


def _untraced(fn):
    """Run a kernel with tracing switched off, so that the eager modules it
    calls take their eager path and nothing they do enters the graph."""

    @functools.wraps(fn)
    def wrapper(*args):
        state = torch._C._get_tracing_state()
        torch._C._set_tracing_state(None)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', torch.jit.TracerWarning)
                return fn(*args)
        finally:
            torch._C._set_tracing_state(state)
    return wrapper


def _fresh(out, *inputs):
    # A kernel must not return one of its inputs: the tracer would give the
    # input's value a second producer.
    for i in inputs:
        if out is i:
            return out.clone()
    return out


# -- kernels ------------------------------------------------------------------

@_untraced
def _input(coords, features, spatial_size, mode, batch_size, channels):
    from .nn.io_layers import InputLayer
    _check_channels('scn::input', features, channels, 1)
    x = [coords, features] + ([batch_size] if batch_size else [])
    t = InputLayer(len(spatial_size), spatial_size, mode)(x)
    return _make_sites(t.metadata, spatial_size), _fresh(t.features, features)


@_untraced
def _bl_input(coords, features, spatial_size, mode, channels):
    from .nn.io_layers import BLInputLayer
    _check_channels('scn::bl_input', features, channels, 2)
    t = BLInputLayer(len(spatial_size), spatial_size, mode)([coords, features])
    return _make_sites(t.metadata, spatial_size), _fresh(t.features, features)


def _check_channels(op, features, channels, axis):
    if features.dim() <= axis or features.shape[axis] != channels:
        raise ValueError('%s: the traced model expects %d input channels, got features of '
                         'shape %s' % (op, channels, list(features.shape)))


def _tensor_on(x, sites, op):
    from .tensor import SparseConvNetTensor
    info = sites_info(sites, op)
    return SparseConvNetTensor(x, info.metadata, torch.tensor(info.spatial_size))


@_untraced
def _output(x, sites):
    from .nn.io_layers import OutputLayer
    info = sites_info(sites, 'scn::output')
    return _fresh(OutputLayer(len(info.spatial_size))(_tensor_on(x, sites, 'scn::output')), x)


@_untraced
def _bl_output(x, sites):
    from .nn.io_layers import BLOutputLayer
    info = sites_info(sites, 'scn::bl_output')
    return BLOutputLayer(len(info.spatial_size))(_tensor_on(x, sites, 'scn::bl_output'))


@_untraced
def _sparse_to_dense(x, sites):
    from .nn.io_layers import SparseToDense
    info = sites_info(sites, 'scn::sparse_to_dense')
    m = SparseToDense(len(info.spatial_size), x.shape[1])
    return m(_tensor_on(x, sites, 'scn::sparse_to_dense'))


@_untraced
def _dense_to_sparse(dense, spatial_size, channels):
    from .nn.io_layers import DenseToSparse
    if dense.dim() != len(spatial_size) + 2 or list(dense.shape[2:]) != list(spatial_size):
        raise ValueError('scn::dense_to_sparse: the traced model expects a dense input of '
                         'spatial size %s, got shape %s' % (list(spatial_size), list(dense.shape)))
    _check_channels('scn::dense_to_sparse', dense, channels, 1)
    t = DenseToSparse(len(spatial_size))(dense)
    return _make_sites(t.metadata, spatial_size), t.features


@_untraced
def _downsample(sites, filter_size, filter_stride):
    info = sites_info(sites, 'scn::downsample')
    out_size, _ = info.metadata.convolution_map(info.spatial_size, filter_size, filter_stride,
                                                layer='scn::downsample')
    return _make_sites(info.metadata, out_size,
                       parent=(sites, tuple(filter_size), tuple(filter_stride)))


@_untraced
def _full_sites(sites, filter_size, filter_stride):
    info = sites_info(sites, 'scn::full_sites')
    m, out_size, km = info.metadata.full_convolution(info.spatial_size, filter_size,
                                                     filter_stride, layer='scn::full_sites')
    return _make_sites(m, out_size, parent=(sites, tuple(filter_size), tuple(filter_stride)),
                       full_map=km)


def _strided_map(op, in_sites, out_sites, filter_size, filter_stride):
    """The kernel map of a strided op (conv, pooling) from in_sites to out_sites."""
    info = sites_info(in_sites, op)
    out = sites_info(out_sites, op)
    out_size, km = info.metadata.convolution_map(info.spatial_size, filter_size, filter_stride,
                                                 layer=op)
    if out_size != out.spatial_size:
        raise ValueError('%s: output sites have spatial size %s, expected %s'
                         % (op, out.spatial_size, out_size))
    return km


def _transposed_map(op, in_sites, out_sites, filter_size, filter_stride):
    """Deconvolution/UnPooling: the map back onto the existing (larger) set."""
    info = sites_info(in_sites, op)
    out_size, km = info.metadata.deconvolution_map(info.spatial_size, filter_size,
                                                   filter_stride, layer=op)
    if out_size != sites_info(out_sites, op).spatial_size:
        raise ValueError('%s: output sites have spatial size %s, expected %s'
                         % (op, sites_info(out_sites, op).spatial_size, out_size))
    return km


@_untraced
def _submanifold_conv(x, weight, bias, sites, filter_size):
    from . import functional as F
    info = sites_info(sites, 'scn::submanifold_conv')
    km = info.metadata.submanifold_map(info.spatial_size, filter_size, 'scn::submanifold_conv')
    return F.sparse_convolution(x, weight, bias, km.in_idx, km.out_idx, km.ptr, km.n_out)


@_untraced
def _conv(x, weight, bias, in_sites, out_sites, filter_size, filter_stride):
    from . import functional as F
    km = _strided_map('scn::conv', in_sites, out_sites, filter_size, filter_stride)
    return F.sparse_convolution(x, weight, bias, km.in_idx, km.out_idx, km.ptr, km.n_out)


@_untraced
def _deconv(x, weight, bias, in_sites, out_sites, filter_size, filter_stride):
    from . import functional as F
    km = _transposed_map('scn::deconv', in_sites, out_sites, filter_size, filter_stride)
    return F.sparse_convolution(x, weight, bias, km.in_idx, km.out_idx, km.ptr, km.n_out)


@_untraced
def _full_conv(x, weight, bias, in_sites, out_sites, filter_size, filter_stride):
    from . import functional as F
    info = sites_info(out_sites, 'scn::full_conv')
    if info.full_map is None or info.parent is None or info.parent[0] is not in_sites:
        raise ValueError('scn::full_conv: out_sites must be the scn::full_sites of in_sites')
    km = info.full_map
    return F.sparse_convolution(x, weight, bias, km.in_idx, km.out_idx, km.ptr, km.n_out)


@_untraced
def _linear(x, weight, bias):
    from . import functional as F
    return F.network_in_network(x, weight, bias)


@_untraced
def _max_pool(x, in_sites, out_sites, filter_size, filter_stride, features_to_drop):
    from . import functional as F
    km = _strided_map('scn::max_pool', in_sites, out_sites, filter_size, filter_stride)
    return F.max_pooling(x, km.in_idx, km.out_idx, km.ptr, km.n_out, features_to_drop)


@_untraced
def _avg_pool(x, in_sites, out_sites, filter_size, filter_stride, features_to_drop):
    from . import functional as F
    km = _strided_map('scn::avg_pool', in_sites, out_sites, filter_size, filter_stride)
    volume = 1
    for s in filter_size:
        volume *= int(s)
    return F.average_pooling(x, km.in_idx, km.out_idx, km.ptr, km.n_out, volume,
                             features_to_drop)


@_untraced
def _unpool(x, in_sites, out_sites, filter_size, filter_stride, features_to_drop):
    from . import functional as F
    km = _transposed_map('scn::unpool', in_sites, out_sites, filter_size, filter_stride)
    return F.unpooling(x, km.in_idx, km.out_idx, km.ptr, km.n_out, features_to_drop)


@_untraced
def _batch_norm(x, running_mean, running_var, weight, bias, eps, momentum, leakiness,
                training):
    from . import functional as F
    return _fresh(F.batch_norm(x, weight, bias, running_mean, running_var, eps, momentum,
                               training, leakiness), x)


@_untraced
def _dropout(x, p, training, batchwise):
    from . import functional as F
    return F.dropout(x, p, training, batchwise)


_KERNELS = {
    'input': _input, 'bl_input': _bl_input, 'output': _output, 'bl_output': _bl_output,
    'sparse_to_dense': _sparse_to_dense, 'dense_to_sparse': _dense_to_sparse,
    'downsample': _downsample, 'full_sites': _full_sites,
    'submanifold_conv': _submanifold_conv, 'conv': _conv, 'deconv': _deconv,
    'full_conv': _full_conv, 'linear': _linear, 'max_pool': _max_pool,
    'avg_pool': _avg_pool, 'unpool': _unpool, 'batch_norm': _batch_norm,
    'dropout': _dropout,
}


def _register():
    try:
        defs = torch.library.Library('scn', 'DEF')
    except RuntimeError:
        # Already defined in this process (scn imported under a second name).
        return None
    for s in SCHEMAS:
        defs.define(s)
    impls = torch.library.Library('scn', 'IMPL')
    for name, fn in _KERNELS.items():
        impls.impl(name, fn, 'CompositeExplicitAutograd')
    return defs, impls


_LIBS = _register()


# -- helpers for the modules' traced path ---------------------------------------

def tracing(input, layer):
    """True when ``input`` is being traced: the module must call its scn op.

    Tracing needs the InputLayer inside the traced module: the sites
    tensors are created there.
    """
    if not torch.jit.is_tracing():
        return False
    if getattr(input, 'sites_token', None) is None:
        raise ValueError('%s: cannot trace a sparse tensor that was built outside the traced '
                         'module; trace a module that starts with InputLayer (see '
                         'scn.tracing.Network)' % layer)
    return True


def matching_sites(sites, filter_size, filter_stride, layer):
    """The sites a Deconvolution/UnPooling maps back onto: the input of the
    downsample (same filter size and stride) that produced ``sites``."""
    info = sites_info(sites, layer)
    want = (tuple(int(v) for v in filter_size), tuple(int(v) for v in filter_stride))
    if info.parent is None or info.full_map is not None or \
            (tuple(info.parent[1]), tuple(info.parent[2])) != want:
        raise ValueError('%s: cannot be traced: its input sites do not come from a strided '
                         'Convolution/pooling with filter size %s and stride %s'
                         % (layer, list(want[0]), list(want[1])))
    return info.parent[0]


def size_tensor(size):
    """A spatial-size LongTensor made outside the trace (a graph constant,
    not aten nodes)."""
    state = torch._C._get_tracing_state()
    torch._C._set_tracing_state(None)
    try:
        return torch.tensor([int(v) for v in size], dtype=torch.int64)
    finally:
        torch._C._set_tracing_state(state)


def int_list(x):
    """A per-axis size (LongTensor, list) as the int[] an op takes."""
    return list(as_tuple(x))
