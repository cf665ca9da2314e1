"""Containers: Sequential, ConcatTable, JoinTable, AddTable and Identity.

Sequential and ConcatTable subclass ``torch.nn.Sequential`` and name their
children '0', '1', ... like SparseConvNet, so nested state_dict names
(e.g. ``1.2.1.0.weight`` inside a UNet) are the same.
"""

import torch
from torch.nn import Module

from ..tensor import derive
from ..utils import as_tuple


class Identity(Module):
    def forward(self, input):
        return input

    def input_spatial_size(self, out_size):
        return out_size


class Sequential(torch.nn.Sequential):
    """torch.nn.Sequential with SparseConvNet's ``add`` chaining and size back-computation."""

    def add(self, module):
        self._modules[str(len(self._modules))] = module
        return self

    def append(self, module):
        return self.add(module)

    def insert(self, index, module):
        for i in range(len(self._modules), index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        return self

    def __add__(self, other):
        r = Sequential()
        for m in self:
            r.add(m)
        for m in other:
            r.add(m)
        return r

    def input_spatial_size(self, out_size):
        """Spatial size the input must have to give ``out_size`` at the end (layers reversed)."""
        for name in reversed(list(self._modules)):
            out_size = self._modules[name].input_spatial_size(out_size)
        return out_size


class ConcatTable(torch.nn.Sequential):
    """Applies every child to the SAME input; returns the list of results."""

    def forward(self, input):
        return [module(input) for module in self._modules.values()]

    def add(self, module):
        self._modules[str(len(self._modules))] = module
        return self

    def input_spatial_size(self, out_size):
        return self._modules['0'].input_spatial_size(out_size)


def _check_same_geometry(layer, inputs):
    if not isinstance(inputs, (list, tuple)) or len(inputs) == 0:
        raise ValueError('%s: expected a non-empty list of SparseConvNetTensors (a ConcatTable '
                         'output), got %s' % (layer, type(inputs).__name__))
    first = inputs[0]
    for i, t in enumerate(inputs[1:], 1):
        if as_tuple(t.spatial_size) != as_tuple(first.spatial_size) or \
                t.features.shape[0] != first.features.shape[0] or \
                (t.metadata is not first.metadata and
                 not torch.equal(t.metadata.get_sites(t.spatial_size, layer).coords,
                                 first.metadata.get_sites(first.spatial_size, layer).coords)):
            raise ValueError('%s: input %d is on a different active set (spatial size %s, %d '
                             'rows) than input 0 (spatial size %s, %d rows)'
                             % (layer, i, as_tuple(t.spatial_size), t.features.shape[0],
                                as_tuple(first.spatial_size), first.features.shape[0]))


class JoinTable(torch.nn.Sequential):
    """Concatenates the channels of a list of tensors, in list order."""

    def forward(self, input):
        _check_same_geometry('JoinTable', input)
        return derive(input[0], torch.cat([i.features for i in input], 1))

    def input_spatial_size(self, out_size):
        return out_size


class AddTable(torch.nn.Sequential):
    """Sums a list of tensors on the same active set."""

    def forward(self, input):
        _check_same_geometry('AddTable', input)
        for i, t in enumerate(input[1:], 1):
            if t.features.shape[1] != input[0].features.shape[1]:
                raise ValueError('AddTable: input %d has %d channels, input 0 has %d'
                                 % (i, t.features.shape[1], input[0].features.shape[1]))
        out = input[0].features
        for t in input[1:]:
            out = out + t.features
        return derive(input[0], out)

    def input_spatial_size(self, out_size):
        return out_size
