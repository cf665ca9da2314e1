"""Pooling modules (SparseConvNet arguments: dimension, pool_size, pool_stride, nFeaturesToDrop).

They share the strided kernel maps of convolutions (same cache key), so a
MaxPooling 3/2 and a Convolution 3/2 from the same set see the same output
set, and an UnPooling maps back onto the set its pooling came from.
"""

import torch
from torch.nn import Module

from .. import functional as F
from .. import ops
from ..tensor import derive
from ..utils import toLongTensor, size_repr


class _PoolingBase(Module):
    _randomized = False

    def __init__(self, dimension, pool_size, pool_stride, nFeaturesToDrop=0):
        super(_PoolingBase, self).__init__()
        self.dimension = dimension
        self.pool_size = toLongTensor(dimension, pool_size)
        self.pool_stride = toLongTensor(dimension, pool_stride)
        self.nFeaturesToDrop = nFeaturesToDrop

    def _check(self, input):
        f = input.features
        if f.dim() != 2 or f.shape[1] < self.nFeaturesToDrop:
            raise ValueError('%s: cannot drop %d features from features of shape %s'
                             % (repr(self), self.nFeaturesToDrop, list(f.shape)))

    def _traced(self, op, input, in_sites, out_sites):
        """The traced path: one scn op from ``in_sites`` to ``out_sites``."""
        f = op(input.features, in_sites, out_sites, ops.int_list(self.pool_size),
               ops.int_list(self.pool_stride), int(self.nFeaturesToDrop))
        info = ops.sites_info(out_sites)
        return derive(input, f, ops.size_tensor(info.spatial_size), info.metadata, out_sites)

    def _traced_down(self, op, input):
        if self._randomized and self.training:
            raise ValueError('%s: a randomized stride cannot be traced in training mode; '
                             'call eval() first' % repr(self))
        self._check(input)
        out_sites = torch.ops.scn.downsample(input.sites_token, ops.int_list(self.pool_size),
                                             ops.int_list(self.pool_stride))
        return self._traced(op, input, input.sites_token, out_sites)

    def _down(self, input):
        self._check(input)
        return input.metadata.convolution_map(
            input.spatial_size, self.pool_size, self.pool_stride,
            randomized=self._randomized and self.training, layer=repr(self))

    def input_spatial_size(self, out_size):
        return (toLongTensor(self.dimension, out_size) - 1) * self.pool_stride + self.pool_size

    def __repr__(self):
        s = type(self).__name__ + size_repr(self.pool_size, self.pool_stride)
        if self.nFeaturesToDrop > 0:
            s += ' nFeaturesToDrop = %d' % self.nFeaturesToDrop
        return s


class MaxPooling(_PoolingBase):
    """max(0, max over the active inputs of the window): the output starts from zero."""

    def forward(self, input):
        if ops.tracing(input, repr(self)):
            return self._traced_down(torch.ops.scn.max_pool, input)
        out_size, km = self._down(input)
        f = F.max_pooling(input.features, km.in_idx, km.out_idx, km.ptr, km.n_out,
                          self.nFeaturesToDrop)
        return derive(input, f, out_size)


class RandomizedStrideMaxPooling(MaxPooling):
    """MaxPooling whose window starts move by random steps while training."""

    _randomized = True


class AveragePooling(_PoolingBase):
    """Sum of the active inputs divided by the full window volume prod(pool_size)."""

    def forward(self, input):
        if ops.tracing(input, repr(self)):
            return self._traced_down(torch.ops.scn.avg_pool, input)
        out_size, km = self._down(input)
        f = F.average_pooling(input.features, km.in_idx, km.out_idx, km.ptr, km.n_out,
                              int(self.pool_size.prod().item()), self.nFeaturesToDrop)
        return derive(input, f, out_size)


class UnPooling(_PoolingBase):
    """Back onto the existing set at size (in - 1) * t + s; each site sums all its parents."""

    def forward(self, input):
        self._check(input)
        if ops.tracing(input, repr(self)):
            big = ops.matching_sites(input.sites_token, self.pool_size, self.pool_stride,
                                     repr(self))
            return self._traced(torch.ops.scn.unpool, input, input.sites_token, big)
        out_size, km = input.metadata.deconvolution_map(
            input.spatial_size, self.pool_size, self.pool_stride, layer=repr(self))
        f = F.unpooling(input.features, km.in_idx, km.out_idx, km.ptr, km.n_out,
                        self.nFeaturesToDrop)
        return derive(input, f, out_size)

    def input_spatial_size(self, out_size):
        # The inverse of the up-sampling arithmetic.  (SparseConvNet returns
        # (out - 1) * t + s here, the down-sampling formula; that is a bug.)
        out_size = toLongTensor(self.dimension, out_size)
        num = out_size - self.pool_size
        if bool((num < 0).any()) or bool((num % self.pool_stride != 0).any()):
            raise ValueError('%s: output size %s cannot be produced by this unpooling'
                             % (repr(self), out_size.tolist()))
        return torch.div(num, self.pool_stride, rounding_mode='floor') + 1
