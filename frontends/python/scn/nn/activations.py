"""Pointwise layers on the features of a SparseConvNetTensor (geometry unchanged)."""

import torch
import torch.nn.functional as TF
from torch.nn import Module

from .. import functional as F
from ..tensor import derive


class _Pointwise(Module):
    def input_spatial_size(self, out_size):
        return out_size

    def forward(self, input):
        return derive(input, self._fn(input.features))


class ReLU(_Pointwise):
    def _fn(self, x):
        return TF.relu(x)


class LeakyReLU(_Pointwise):
    def __init__(self, leak=1 / 3):
        Module.__init__(self)
        self.leak = leak

    def _fn(self, x):
        return TF.leaky_relu(x, self.leak)


class Sigmoid(_Pointwise):
    def _fn(self, x):
        return torch.sigmoid(x)


class Tanh(_Pointwise):
    def _fn(self, x):
        return torch.tanh(x)


class ELU(_Pointwise):
    def _fn(self, x):
        return TF.elu(x)


class SELU(_Pointwise):
    def _fn(self, x):
        return TF.selu(x)


class Dropout(_Pointwise):
    """Not inverted: training zeroes features with probability p; eval multiplies by 1 - p."""

    def __init__(self, p=0.5):
        Module.__init__(self)
        self.p = p

    def _fn(self, x):
        if torch.jit.is_tracing():
            return torch.ops.scn.dropout(x, float(self.p), bool(self.training), False)
        return F.dropout(x, self.p, self.training)


class BatchwiseDropout(_Pointwise):
    """Like Dropout, but one mask per channel for the whole batch."""

    def __init__(self, p=0.5):
        Module.__init__(self)
        self.p = p

    def _fn(self, x):
        if torch.jit.is_tracing():
            return torch.ops.scn.dropout(x, float(self.p), bool(self.training), True)
        return F.dropout(x, self.p, self.training, batchwise=True)
