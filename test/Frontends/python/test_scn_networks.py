"""Builders, state_dict compatibility, spatial-size back-computation, BL layers."""

import json
import os

import numpy as np
import pytest
import torch

import scn
from scn.spec import build_from_spec
from scn_test_helpers import GOLDEN_DIR, random_sites

MSGS = [[" X   X  XXX  X    X    XX     X       X   XX   XXX   X    XXX   ",
         " X   X  X    X    X   X  X    X       X  X  X  X  X  X    X  X  ",
         " XXXXX  XX   X    X   X  X    X   X   X  X  X  XXX   X    X   X ",
         " X   X  X    X    X   X  X     X X X X   X  X  X  X  X    X  X  ",
         " X   X  XXX  XXX  XXX  XX       X   X     XX   X  X  XXX  XXX   "],
        [" XXX              XXXXX      x   x     x  xxxxx  xxx ",
         " X  X  X   XXX       X       x   x x   x  x     x  x ",
         " XXX                X        x   xxxx  x  xxxx   xxx ",
         " X     X   XXX       X       x     x   x      x    x ",
         " X     X          XXXX   x   x     x   x  xxxx     x "]]


def hello_world_model():
    return scn.Sequential().add(
        scn.SparseVggNet(2, 1, [['C', 8], ['C', 8], ['MP', 3, 2],
                                ['C', 16], ['C', 16], ['MP', 3, 2],
                                ['C', 24], ['C', 24], ['MP', 3, 2]])
    ).add(scn.SubmanifoldConvolution(2, 24, 32, 3, False)).add(scn.SparseToDense(2, 32))


def test_hello_world_input_spatial_size_and_run():
    model = hello_world_model()
    size = model.input_spatial_size(torch.LongTensor([10, 10]))
    assert size.tolist() == [87, 87]
    locations = [[y, x, b] for b, msg in enumerate(MSGS) for y, line in enumerate(msg)
                 for x, c in enumerate(line) if c == 'X']
    x = scn.InputLayer(2, size)([torch.LongTensor(locations), torch.ones(len(locations), 1)])
    model.eval()
    out = model(x)
    assert out.shape == (2, 32, 10, 10)


def test_input_spatial_size_inverts_forward_arithmetic():
    net = scn.Sequential(scn.Convolution(3, 1, 1, 3, 2, False), scn.MaxPooling(3, 2, 2),
                         scn.FullConvolution(3, 1, 1, 3, 2, False),
                         scn.Deconvolution(3, 1, 1, 2, 2, False), scn.UnPooling(3, 3, 1),
                         scn.ReLU(), scn.BatchNormReLU(1))
    # forward sizes: 33 -> 16 -> 8 -> 17 -> 34 -> 36
    assert net.input_spatial_size(torch.LongTensor([36, 36, 36])).tolist() == [33, 33, 33]
    with pytest.raises(ValueError):
        scn.Deconvolution(3, 1, 1, 2, 2, False).input_spatial_size(torch.LongTensor([5, 5, 5]))


def test_unet_state_dict_matches_golden_names():
    """UNet built from the unet3d spec has SCN's parameter names: those the file holds."""
    z = np.load(os.path.join(GOLDEN_DIR, 'unet3d_small_rows.npz'))
    spec = json.loads(str(z['spec_json']))
    desc = [l for l in spec['layers'] if l['type'] == 'UNet'][0]
    unet = scn.UNet(3, desc['reps'], desc['nPlanes'], residual_blocks=desc['residual_blocks'],
                    downsample=desc['downsample'], leakiness=desc['leakiness'],
                    n_input_planes=desc['n_input_planes'])
    assert set(unet.state_dict()) >= set(desc['state_dict'])
    assert set(unet.state_dict()) == set(desc['state_dict'])
    # the whole network: file names are param/<state_dict name>
    _, model = build_from_spec(spec, z)
    names = {k[len('param/'):] for k in z.files if k.startswith('param/')}
    assert set(model.state_dict()) >= names


def test_state_dict_round_trip_gives_same_outputs():
    torch.manual_seed(0)
    a = scn.Sequential(scn.SubmanifoldConvolution(3, 2, 8, 3, False),
                       scn.UNet(3, 1, [8, 12], residual_blocks=True),
                       scn.BatchNormReLU(8), scn.OutputLayer(3))
    b = scn.Sequential(scn.SubmanifoldConvolution(3, 2, 8, 3, False),
                       scn.UNet(3, 1, [8, 12], residual_blocks=True),
                       scn.BatchNormReLU(8), scn.OutputLayer(3))
    a.train()
    coords = random_sites(3, 16, 300)
    x = [coords, torch.randn(len(coords), 2)]
    for _ in range(2):  # move the running stats away from their defaults
        a(scn.InputLayer(3, 16)(x))
    a.eval()
    b.load_state_dict(a.state_dict(), strict=True)
    b.eval()
    torch.testing.assert_close(a(scn.InputLayer(3, 16)(x)), b(scn.InputLayer(3, 16)(x)))
    for n, t in a.state_dict().items():
        assert 'num_batches_tracked' not in n


@pytest.mark.parametrize('layers', [
    [['C', 8], ['C', 4, 4], 'MP', ['C3/2', 6], ['C', 4, 4, 4]],
    [['C', 4, 2, 2, 2]],
])
def test_vgg_plus_variants_run(layers):
    net = scn.Sequential(scn.SparseVggNet(2, 1, layers), scn.SparseToDense(2, sum(layers[-1][1:])))
    coords = random_sites(2, 63, 400)
    x = scn.InputLayer(2, 63)([coords, torch.ones(len(coords), 1)])
    assert net(x).shape[0] == 2


def test_resnet_and_fully_convolutional_net():
    net = scn.Sequential(scn.SubmanifoldConvolution(2, 1, 8, 3, False),
                         scn.SparseResNet(2, 8, [['b', 8, 2, 1], ['b', 16, 2, 2]]),
                         scn.SparseToDense(2, 16))
    coords = random_sites(2, 31, 200)
    x = scn.InputLayer(2, 31)([coords, torch.ones(len(coords), 1)])
    assert net(x).shape == (2, 16, 15, 15)
    fcn = scn.Sequential(scn.SubmanifoldConvolution(2, 1, 8, 3, False),
                         scn.FullyConvolutionalNet(2, 1, [8, 16, 24], residual_blocks=True),
                         scn.OutputLayer(2))
    x = scn.InputLayer(2, 32)([coords, torch.ones(len(coords), 1)])
    assert fcn(x).shape == (len(coords), 8 + 16 + 24)


def test_spec_builders_match_flat_layers():
    """spec_json (builders) and spec_flat_json give the same modules and names."""
    z = np.load(os.path.join(GOLDEN_DIR, 'hello_world_vgg2d.npz'))
    _, a = build_from_spec(json.loads(str(z['spec_json'])), z)
    _, b = build_from_spec(json.loads(str(z['spec_flat_json'])), z)
    assert set(a.state_dict()) == set(b.state_dict())


def test_bl_input_output_layers():
    # batch 0: sites (1,1) twice and (2,2); batch 1: (1,1) and padding (-1)
    coords = torch.tensor([[[1, 1], [2, 2], [1, 1]], [[1, 1], [-1, -1], [0, 0]]])
    feats = torch.tensor([[[1.0], [2.0], [4.0]], [[8.0], [16.0], [32.0]]])
    for mode, site11 in [(1, 4.0), (2, 1.0), (3, 5.0), (4, 2.5)]:
        x = scn.BLInputLayer(2, 4, mode)([coords, feats])
        assert len(x.features) == 4
        d = scn.SparseToDense(2, 1)(x)
        assert d[0, 0, 1, 1].item() == site11 and d[1, 0, 1, 1].item() == 8.0
        out = scn.BLOutputLayer(2)(x)
        assert out.shape == (2, 3, 1)
        assert out[1, 1, 0].item() == 0  # padding row
        if mode == 1:    # overwrite: the last row of the site is kept, the first is zero
            assert out[0, :, 0].tolist() == [0.0, 2.0, 4.0]
        elif mode == 2:  # keep: the first row is kept
            assert out[0, :, 0].tolist() == [1.0, 2.0, 0.0]
        else:
            assert out[0, :, 0].tolist() == [site11, 2.0, site11]


def test_randomized_stride_layers():
    torch.manual_seed(0)
    coords = random_sites(2, 31, 300)
    feats = torch.randn(len(coords), 2)
    conv = scn.RandomizedStrideConvolution(2, 2, 4, 3, 2, False)
    de = scn.Deconvolution(2, 4, 2, 3, 2, False)
    pool = scn.RandomizedStrideMaxPooling(2, 3, 2)
    for training in (True, False):
        conv.train(training)
        pool.train(training)
        x = scn.InputLayer(2, 31)([coords, feats])
        y = conv(x)
        assert y.spatial_size.tolist() == [15, 15]
        z = de(y)  # reuses the (random) map: back exactly on the input sites
        assert torch.equal(z.metadata.get_sites(z.spatial_size).coords, x.metadata.get_sites(
            x.spatial_size).coords)
        assert pool(x).features.shape[1] == 2
    # eval: identical to a plain Convolution with the same weight
    plain = scn.Convolution(2, 2, 4, 3, 2, False)
    plain.load_state_dict(conv.state_dict())
    x = scn.InputLayer(2, 31)([coords, feats])
    torch.testing.assert_close(conv(x).features, plain(x).features)


def test_geometry_is_shared_and_cached():
    coords = random_sites(3, 16, 200)
    x = scn.InputLayer(3, 16)([coords, torch.randn(len(coords), 2)])
    a = scn.SubmanifoldConvolution(3, 2, 2, 3, False)
    a(x)
    n = len(x.metadata.kernel_maps)
    a(x)
    assert len(x.metadata.kernel_maps) == n  # rulebook reused
    y = scn.Convolution(3, 2, 2, 2, 2, False)(x)
    p = scn.MaxPooling(3, 2, 2)(x)          # same size/stride: same output set
    assert y.metadata is p.metadata and torch.equal(y.features.new_tensor(len(y.features)),
                                                    p.features.new_tensor(len(p.features)))
    assert x.get_spatial_locations([8, 8, 8]).shape == (len(y.features), 4)


def test_module_to_and_double_keep_working():
    """nn.Module conversions (.to/.double/.cuda go through Module._apply) work on every layer."""
    net = scn.Sequential(scn.SubmanifoldConvolution(2, 1, 4, 3, True), scn.ReLU(), scn.Tanh(),
                         scn.BatchNormELU(4), scn.Dropout(0.2), scn.Sigmoid(), scn.ELU(),
                         scn.SELU(), scn.LeakyReLU(), scn.BatchwiseDropout(),
                         scn.SparseToDense(2, 4))
    net = net.to(torch.float64).to('cpu').double().eval()
    coords = random_sites(2, 8, 20)
    x = scn.InputLayer(2, 8)([coords, torch.ones(len(coords), 1, dtype=torch.float64)])
    assert net(x).dtype == torch.float64
