"""Batch normalisation with SparseConvNet's conventions and fused leaky activation.

Parameters ``weight``/``bias`` and buffers ``running_mean``/``running_var``
(no ``num_batches_tracked``) match SCN's state_dict.  Note SCN's momentum
convention (running <- momentum * running + (1 - momentum) * batch) and
default momentum 0.99, both unlike torch.nn.BatchNorm.
"""

import torch
from torch.nn import Module, Parameter

from .. import functional as F
from .. import ops
from ..tensor import derive
from ..utils import check_channels, optional_param


class BatchNormalization(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, then y > 0 ? y : leakiness * y.

    leakiness 1 means no activation, 0 a ReLU.
    """

    def __init__(self, nPlanes, eps=1e-4, momentum=0.99, affine=True, leakiness=1):
        Module.__init__(self)
        self.nPlanes = nPlanes
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.leakiness = leakiness
        self.register_buffer('running_mean', torch.zeros(nPlanes))
        self.register_buffer('running_var', torch.ones(nPlanes))
        if affine:
            self.weight = Parameter(torch.ones(nPlanes))
            self.bias = Parameter(torch.zeros(nPlanes))

    def forward(self, input):
        if input.features.numel() == 0:
            return input
        check_channels(repr(self), self.nPlanes, input.features)
        if ops.tracing(input, repr(self)):
            return derive(input, torch.ops.scn.batch_norm(
                input.features, self.running_mean, self.running_var,
                optional_param(self, 'weight'), optional_param(self, 'bias'), float(self.eps),
                float(self.momentum), float(self.leakiness), bool(self.training)))
        f = F.batch_norm(input.features, optional_param(self, 'weight'),
                         optional_param(self, 'bias'), self.running_mean, self.running_var,
                         self.eps, self.momentum, self.training, self.leakiness)
        return derive(input, f)

    def input_spatial_size(self, out_size):
        return out_size

    def __repr__(self):
        s = '%s(%d,eps=%g,momentum=%g,affine=%s' % (type(self).__name__, self.nPlanes,
                                                     self.eps, self.momentum, self.affine)
        if self.leakiness != 1:
            s += ',leakiness=%g' % self.leakiness
        return s + ')'


class BatchNormReLU(BatchNormalization):
    def __init__(self, nPlanes, eps=1e-4, momentum=0.99):
        BatchNormalization.__init__(self, nPlanes, eps, momentum, True, 0)


class BatchNormLeakyReLU(BatchNormalization):
    def __init__(self, nPlanes, eps=1e-4, momentum=0.99, leakiness=0.333):
        BatchNormalization.__init__(self, nPlanes, eps, momentum, True, leakiness)


def BatchNormELU(nPlanes, eps=1e-4, momentum=0.9):
    """A Sequential(BatchNormalization, ELU), as in SparseConvNet (note momentum 0.9)."""
    from .activations import ELU
    from .tables import Sequential
    return Sequential().add(BatchNormalization(nPlanes, eps, momentum)).add(ELU())
