"""Convolution modules with SparseConvNet's arguments, parameter names and layouts.

Weights are ``[V, G, nIn/G, nOut/G]`` (V = filter volume, offsets row-major),
biases ``[nOut]`` and only present when ``bias=True``, so a SparseConvNet
``state_dict`` loads unchanged.  Initialisation follows SCN (normal with
std sqrt(2 G / (nIn V)), zero bias) so that freshly built networks train
the same way.  Each forward builds or reuses a kernel map from the input's
Metadata and then calls one function of ``scn.functional``.
"""

import torch
from torch.nn import Module, Parameter

from .. import functional as F
from .. import ops
from ..tensor import derive
from ..utils import toLongTensor, as_tuple, check_channels, optional_param, size_repr


def _back_compute_transposed(name, out_size, filter_size, stride):
    """Input size of an up-sampling layer: (out - s) / t + 1, which must be exact."""
    out_size = toLongTensor(len(filter_size), out_size)
    num = out_size - filter_size
    if bool((num < 0).any()) or bool((num % stride != 0).any()):
        raise ValueError('%s: output size %s cannot be produced with filter size %s and '
                         'stride %s' % (name, as_tuple(out_size), as_tuple(filter_size),
                                        as_tuple(stride)))
    return torch.div(num, stride, rounding_mode='floor') + 1


class _ConvolutionBase(Module):
    """Shared constructor: SCN's weight shape, init and optional bias."""

    _has_stride = True

    def __init__(self, dimension, nIn, nOut, filter_size, filter_stride, bias, groups=1):
        Module.__init__(self)
        if groups < 1 or nIn % groups or nOut % groups:
            raise ValueError('%s: nIn=%d and nOut=%d must both be divisible by groups=%d'
                             % (type(self).__name__, nIn, nOut, groups))
        self.dimension = dimension
        self.groups = groups
        self.nIn = nIn
        self.nOut = nOut
        self.filter_size = toLongTensor(dimension, filter_size)
        self.filter_volume = int(self.filter_size.prod().item())
        if filter_stride is not None:
            self.filter_stride = toLongTensor(dimension, filter_stride)
        std = (2.0 * groups / nIn / self.filter_volume) ** 0.5
        self.weight = Parameter(torch.empty(
            self.filter_volume, groups, nIn // groups, nOut // groups).normal_(0, std))
        if bias:
            self.bias = Parameter(torch.zeros(nOut))

    def _conv(self, input, km, out_size, metadata=None):
        f = F.sparse_convolution(input.features, self.weight, optional_param(self, 'bias'),
                                 km.in_idx, km.out_idx, km.ptr, km.n_out)
        return derive(input, f, out_size, metadata)

    def _traced(self, op, input, in_sites, out_sites):
        """The traced path: one scn op from ``in_sites`` to ``out_sites``."""
        f = op(input.features, self.weight, optional_param(self, 'bias'), in_sites, out_sites,
               ops.int_list(self.filter_size), ops.int_list(self.filter_stride))
        info = ops.sites_info(out_sites)
        return derive(input, f, ops.size_tensor(info.spatial_size), info.metadata, out_sites)

    def __repr__(self):
        s = '%s %d->%d C%s' % (type(self).__name__, self.nIn, self.nOut,
                               size_repr(self.filter_size,
                                         getattr(self, 'filter_stride', None)))
        if self.groups != 1:
            s += ' groups=%d' % self.groups
        return s


class SubmanifoldConvolution(_ConvolutionBase):
    """Output sites = input sites; each reads its active neighbours in the filter box."""

    def __init__(self, dimension, nIn, nOut, filter_size, bias, groups=1):
        _ConvolutionBase.__init__(self, dimension, nIn, nOut, filter_size, None, bias, groups)

    def forward(self, input):
        check_channels(repr(self), self.nIn, input.features)
        if ops.tracing(input, repr(self)):
            return derive(input, torch.ops.scn.submanifold_conv(
                input.features, self.weight, optional_param(self, 'bias'), input.sites_token,
                ops.int_list(self.filter_size)))
        km = input.metadata.submanifold_map(input.spatial_size, self.filter_size, repr(self))
        return self._conv(input, km, input.spatial_size)

    def input_spatial_size(self, out_size):
        return toLongTensor(self.dimension, out_size)


class ValidConvolution(SubmanifoldConvolution):
    """Old SparseConvNet name of SubmanifoldConvolution."""


class Convolution(_ConvolutionBase):
    """Strided convolution: out = (in - s) / t + 1; output j active iff its window holds an input."""

    _randomized = False

    def forward(self, input):
        check_channels(repr(self), self.nIn, input.features)
        if ops.tracing(input, repr(self)):
            if self._randomized and self.training:
                raise ValueError('%s: a randomized stride cannot be traced in training mode; '
                                 'call eval() first' % repr(self))
            out_sites = torch.ops.scn.downsample(input.sites_token,
                                                 ops.int_list(self.filter_size),
                                                 ops.int_list(self.filter_stride))
            return self._traced(torch.ops.scn.conv, input, input.sites_token, out_sites)
        out_size, km = input.metadata.convolution_map(
            input.spatial_size, self.filter_size, self.filter_stride,
            randomized=self._randomized and self.training, layer=repr(self))
        return self._conv(input, km, out_size)

    def input_spatial_size(self, out_size):
        return (toLongTensor(self.dimension, out_size) - 1) * self.filter_stride + self.filter_size


class RandomizedStrideConvolution(Convolution):
    """Like Convolution at test time; in training, window starts move by random
    steps (t-1, t, t+1) per axis, like fractional max pooling.  A later
    Deconvolution reuses the same (random) map, as in SparseConvNet."""

    _randomized = True


class Deconvolution(_ConvolutionBase):
    """Transposed convolution back onto the active set that already exists at the
    larger size (the input set of the matching Convolution)."""

    def forward(self, input):
        check_channels(repr(self), self.nIn, input.features)
        if ops.tracing(input, repr(self)):
            big = ops.matching_sites(input.sites_token, self.filter_size, self.filter_stride,
                                     repr(self))
            return self._traced(torch.ops.scn.deconv, input, input.sites_token, big)
        out_size, km = input.metadata.deconvolution_map(
            input.spatial_size, self.filter_size, self.filter_stride, layer=repr(self))
        return self._conv(input, km, out_size)

    def input_spatial_size(self, out_size):
        return _back_compute_transposed(repr(self), out_size, self.filter_size, self.filter_stride)


class FullConvolution(_ConvolutionBase):
    """Transposed convolution onto the full support (a new active set and a new Metadata)."""

    def forward(self, input):
        check_channels(repr(self), self.nIn, input.features)
        if ops.tracing(input, repr(self)):
            out_sites = torch.ops.scn.full_sites(input.sites_token,
                                                 ops.int_list(self.filter_size),
                                                 ops.int_list(self.filter_stride))
            return self._traced(torch.ops.scn.full_conv, input, input.sites_token, out_sites)
        m, out_size, km = input.metadata.full_convolution(
            input.spatial_size, self.filter_size, self.filter_stride, layer=repr(self))
        return self._conv(input, km, out_size, metadata=m)

    def input_spatial_size(self, out_size):
        return _back_compute_transposed(repr(self), out_size, self.filter_size, self.filter_stride)


TransposeConvolution = FullConvolution


class NetworkInNetwork(Module):
    """Per-site linear map ``x @ W + b`` with W [nIn, nOut] (a 1x1 convolution)."""

    def __init__(self, nIn, nOut, bias=False):
        Module.__init__(self)
        self.nIn = nIn
        self.nOut = nOut
        self.weight = Parameter(torch.empty(nIn, nOut).normal_(0, (2.0 / nIn) ** 0.5))
        if bias:
            self.bias = Parameter(torch.zeros(nOut))

    def forward(self, input):
        check_channels(repr(self), self.nIn, input.features)
        if ops.tracing(input, repr(self)):
            return derive(input, torch.ops.scn.linear(input.features, self.weight,
                                                      optional_param(self, 'bias')))
        return derive(input, F.network_in_network(input.features, self.weight,
                                                  optional_param(self, 'bias')))

    def input_spatial_size(self, out_size):
        return out_size

    def __repr__(self):
        return 'NetworkInNetwork %d->%d' % (self.nIn, self.nOut)
