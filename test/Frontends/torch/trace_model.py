#!/usr/bin/env python3
"""Traces one small scn model and saves it as TorchScript, for the importer tests.

    trace_model.py NAME OUT.pt      # NAME: see MODELS, or golden:<case.npz>
    trace_model.py --list

Every model is traced through ``scn.tracing`` with a fixed seed and a
fixed random input (two samples, batch index last), in eval mode unless
its name says train.  The traced model is run once more and must match
the eager model exactly.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'frontends', 'python'))

import torch  # noqa: E402

import scn  # noqa: E402
from scn.tracing import Network, trace  # noqa: E402


def random_input(dimension, size, n, channels, seed=0):
    g = torch.Generator().manual_seed(seed)
    coords = torch.cat([torch.randint(0, size, (n, dimension), generator=g),
                        torch.randint(0, 2, (n, 1), generator=g)], 1)
    return coords, torch.randn(n, channels, generator=g)


def seq(*layers):
    m = scn.Sequential()
    for layer in layers:
        m.add(layer)
    return m


class SortFeatures(torch.nn.Module):
    """Error case: an op with no scn equivalent on the features."""

    def forward(self, x):
        values, _ = torch.sort(x.features, 1)
        return scn.SparseConvNetTensor(values, x.metadata, x.spatial_size, x.sites_token)


class ScaleFeatures(torch.nn.Module):
    """Error case: a plain tensor op on the features (aten::mul)."""

    def forward(self, x):
        return scn.SparseConvNetTensor(x.features * 2, x.metadata, x.spatial_size,
                                       x.sites_token)


def _models():
    """name -> (dimension, spatial size, channels, model builder)."""
    d3 = 3
    return {
        'subm': (d3, 16, 2, lambda: seq(scn.SubmanifoldConvolution(d3, 2, 4, 3, True))),
        'subm_groups': (2, 16, 4, lambda: seq(
            scn.SubmanifoldConvolution(2, 4, 6, [3, 1], False, groups=2))),
        'conv': (d3, 16, 2, lambda: seq(scn.Convolution(d3, 2, 4, 2, 2, False),
                                        scn.BatchNormReLU(4))),
        'deconv': (d3, 15, 2, lambda: seq(scn.Convolution(d3, 2, 4, 3, 2, False),
                                          scn.Deconvolution(d3, 4, 3, 3, 2, True))),
        'fullconv': (2, 12, 3, lambda: seq(scn.FullConvolution(2, 3, 2, 3, 2, False))),
        'nin': (d3, 16, 5, lambda: seq(scn.NetworkInNetwork(5, 3, True))),
        'maxpool': (2, 31, 8, lambda: seq(scn.MaxPooling(2, 3, 2, nFeaturesToDrop=1))),
        'avgpool_unpool': (d3, 16, 3, lambda: seq(scn.AveragePooling(d3, 2, 2),
                                                  scn.UnPooling(d3, 2, 2))),
        'batchnorm': (d3, 16, 4, lambda: seq(scn.BatchNormalization(4, affine=False),
                                             scn.BatchNormLeakyReLU(4, leakiness=0.1))),
        'batchnorm_train': (d3, 16, 4, lambda: seq(scn.BatchNormReLU(4, momentum=0.9))),
        'activations': (1, 50, 3, lambda: seq(scn.ReLU(), scn.LeakyReLU(0.2), scn.Sigmoid(),
                                              scn.Tanh(), scn.ELU(), scn.SELU(),
                                              scn.Dropout(0.25))),
        'tables': (d3, 16, 4, lambda: seq(
            scn.ConcatTable().add(scn.Identity()).add(scn.NetworkInNetwork(4, 2)),
            scn.JoinTable(),
            scn.ConcatTable().add(scn.Identity()).add(scn.ReLU()),
            scn.AddTable())),
        'output': (d3, 16, 2, lambda: seq(scn.SubmanifoldConvolution(d3, 2, 3, 3, False),
                                          scn.OutputLayer(d3))),
        'sparse_to_dense': (2, 8, 2, lambda: seq(scn.Convolution(2, 2, 3, 2, 2, False),
                                                 scn.SparseToDense(2, 3))),
        'unet': (d3, 16, 1, lambda: seq(
            scn.SubmanifoldConvolution(d3, 1, 4, 3, False),
            scn.UNet(d3, 1, [4, 8], residual_blocks=True, downsample=[2, 2]),
            scn.BatchNormReLU(4), scn.OutputLayer(d3))),
        'vgg': (2, 31, 1, lambda: seq(
            scn.SparseVggNet(2, 1, [['C', 4], 'MP', ['C', 4, 4], ['C3/2', 8]]))),
        'error_sort': (d3, 16, 2, lambda: seq(scn.SubmanifoldConvolution(d3, 2, 4, 3, False),
                                              SortFeatures())),
        'error_mul': (d3, 16, 2, lambda: seq(ScaleFeatures())),
    }


class _BLNetwork(torch.nn.Module):
    def __init__(self):
        super(_BLNetwork, self).__init__()
        self.input_layer = scn.BLInputLayer(2, 16, mode=3)
        self.conv = scn.SubmanifoldConvolution(2, 3, 3, 3, False)
        self.output_layer = scn.BLOutputLayer(2)

    def forward(self, coords, features):
        return self.output_layer(self.conv(self.input_layer([coords, features])))


class _DenseNetwork(torch.nn.Module):
    def __init__(self):
        super(_DenseNetwork, self).__init__()
        self.to_sparse = scn.DenseToSparse(2)
        self.conv = scn.SubmanifoldConvolution(2, 2, 3, 3, False)

    def forward(self, dense):
        return self.conv(self.to_sparse(dense)).features


def build(name):
    """(module, example inputs, eager output) for a model name."""
    torch.manual_seed(0)
    if name.startswith('golden:'):
        import numpy as np
        from scn import spec as S
        z = np.load(name[len('golden:'):])
        spec = json.loads(str(z['spec_flat_json']))
        input_layer, model = S.build_from_spec(spec, z)
        x = S.input_from_spec(spec, z)
        net = Network(input_layer, model, spec.get('batch_size', 0))
        inputs = (x[0], x[1])
    elif name == 'bl_io':
        net = _BLNetwork().eval()
        g = torch.Generator().manual_seed(0)
        coords = torch.randint(0, 16, (2, 20, 2), generator=g)
        coords[1, 15:] = -1   # padding rows
        inputs = (coords, torch.randn(2, 20, 3, generator=g))
    elif name == 'dense_to_sparse':
        net = _DenseNetwork().eval()
        g = torch.Generator().manual_seed(0)
        dense = torch.randn(2, 2, 6, 6, generator=g) * (torch.rand(2, 1, 6, 6, generator=g) > 0.6)
        inputs = (dense,)
    else:
        dimension, size, channels, make = _models()[name]
        model = make()
        model.train(name.endswith('_train'))
        net = Network(scn.InputLayer(dimension, size, mode=4), model)
        inputs = random_input(dimension, size, 60, channels)
    return net, inputs


def main(argv):
    if argv and argv[0] == '--list':
        print('\n'.join(sorted(list(_models()) + ['bl_io', 'dense_to_sparse'])))
        return 0
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    name, out = argv
    net, inputs = build(name)
    with torch.no_grad():
        expected = net(*inputs) if not name.endswith('_train') else None
        traced = trace(net, *inputs)
        if expected is not None:
            got = traced(*inputs)
            if not torch.equal(expected, got):
                raise SystemExit('trace_model.py: the traced %s differs from the eager model'
                                 % name)
    traced.save(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
