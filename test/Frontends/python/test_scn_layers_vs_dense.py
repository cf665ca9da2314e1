"""Each sparse layer against an independent dense PyTorch computation (float64).

The golden files pin SparseConvNet's behaviour on fixed inputs; these tests
check the same rules on random sets, sizes, filter shapes and dimensions,
using torch's dense conv / conv_transpose / pooling as the reference.
"""

import pytest
import torch
import torch.nn.functional as TF

import scn
from scn_test_helpers import random_sites, dense_occupancy, to_dense, gather_dense, dense_weight

CONV = {1: TF.conv1d, 2: TF.conv2d, 3: TF.conv3d}
CONVT = {1: TF.conv_transpose1d, 2: TF.conv_transpose2d, 3: TF.conv_transpose3d}
MAXP = {1: TF.max_pool1d, 2: TF.max_pool2d, 3: TF.max_pool3d}
AVGP = {1: TF.avg_pool1d, 2: TF.avg_pool2d, 3: TF.avg_pool3d}


def make_input(d, size, n, c, batch=2, seed=0, dtype=torch.float64):
    coords = random_sites(d, size, n, batch, seed)
    g = torch.Generator().manual_seed(seed + 1)
    feats = torch.randn(len(coords), c, generator=g, dtype=dtype)
    # shuffle rows so that nothing relies on sorted input
    p = torch.randperm(len(coords), generator=g)
    coords, feats = coords[p], feats[p]
    x = scn.InputLayer(d, size, mode=3)([coords, feats, batch])
    return x, coords, feats


def sparse_rows(x):
    s = x.metadata.get_sites(x.spatial_size)
    return s.coords, x.features


def active_from_dense_mask(mask, d):
    nz = (mask[:, 0] > 0).nonzero()
    return torch.cat([nz[:, 1:], nz[:, :1]], 1)


def same_set(a, b):
    return set(map(tuple, a.tolist())) == set(map(tuple, b.tolist()))


@pytest.mark.parametrize('d,size,fs', [(1, 30, [3]), (1, 30, [4]), (2, 12, [3, 3]),
                                       (2, 12, [2, 3]), (3, 8, [3, 1, 2]), (3, 8, [3, 3, 3])])
def test_submanifold_vs_dense(d, size, fs):
    torch.manual_seed(0)
    x, coords, feats = make_input(d, size, 60 * d, 3)
    conv = scn.SubmanifoldConvolution(d, 3, 4, fs, True).double()
    with torch.no_grad():
        conv.bias.normal_()
    y = conv(x)
    c, f = sparse_rows(y)
    assert same_set(c, coords)
    dense = to_dense(coords, feats, d, size, 2)
    # window [x - s//2, x + (s-1) - s//2]: pad s//2 before, s-1-s//2 after
    pad = []
    for s in reversed(fs):
        pad += [s // 2, s - 1 - s // 2]
    ref = CONV[d](TF.pad(dense, pad), dense_weight(conv.weight.detach(), fs), conv.bias.detach())
    torch.testing.assert_close(f, gather_dense(ref, c, d))


@pytest.mark.parametrize('d,size,fs,st', [(1, 31, [3], [2]), (2, 16, [2, 2], [2, 2]),
                                          (2, 15, [3, 3], [2, 2]), (3, 9, [3, 3, 3], [3, 3, 3]),
                                          (2, 14, [2, 4], [2, 2])])
def test_strided_conv_and_deconv_vs_dense(d, size, fs, st):
    torch.manual_seed(0)
    x, coords, feats = make_input(d, size, 50 * d, 2)
    conv = scn.Convolution(d, 2, 3, fs, st, True).double()
    y = conv(x)
    c, f = sparse_rows(y)
    occ = CONV[d](dense_occupancy(coords, d, size, 2), torch.ones([1, 1] + fs, dtype=torch.float64),
                  stride=st)
    assert same_set(c, active_from_dense_mask(occ, d))
    dense = to_dense(coords, feats, d, size, 2)
    ref = CONV[d](dense, dense_weight(conv.weight.detach(), fs), conv.bias.detach(), stride=st)
    torch.testing.assert_close(f, gather_dense(ref, c, d))
    # Deconvolution back onto the input set
    de = scn.Deconvolution(d, 3, 2, fs, st, True).double()
    with torch.no_grad():
        de.bias.normal_()
    z = de(y)
    cz, fz = sparse_rows(z)
    assert same_set(cz, coords)
    wt = de.weight.detach()[:, 0].permute(1, 2, 0).reshape([3, 2] + fs)
    ref = CONVT[d](to_dense(c, f.detach(), d, y.spatial_size[0].item(), 2), wt, de.bias.detach(),
                   stride=st)
    torch.testing.assert_close(fz, gather_dense(ref, cz, d))


@pytest.mark.parametrize('d,size,fs,st', [(2, 7, [3, 3], [2, 2]), (3, 5, [2, 2, 2], [2, 2, 2]),
                                          (1, 10, [3], [1])])
def test_full_convolution_vs_dense(d, size, fs, st):
    x, coords, feats = make_input(d, size, 12 * d, 2)
    conv = scn.FullConvolution(d, 2, 3, fs, st, False).double()
    y = conv(x)
    c, f = sparse_rows(y)
    assert y.metadata is not x.metadata
    occ = CONVT[d](dense_occupancy(coords, d, size, 2),
                   torch.ones([1, 1] + fs, dtype=torch.float64), stride=st)
    assert same_set(c, active_from_dense_mask(occ, d))
    wt = conv.weight.detach()[:, 0].permute(1, 2, 0).reshape([2, 3] + fs)
    ref = CONVT[d](to_dense(coords, feats, d, size, 2), wt, stride=st)
    torch.testing.assert_close(f, gather_dense(ref, c, d))


@pytest.mark.parametrize('d,size,ps,st', [(2, 15, [3, 3], [2, 2]), (3, 8, [2, 2, 2], [2, 2, 2]),
                                          (1, 21, [5], [4])])
def test_pooling_vs_dense(d, size, ps, st):
    x, coords, feats = make_input(d, size, 40 * d, 3)
    occ = CONV[d](dense_occupancy(coords, d, size, 2), torch.ones([1, 1] + ps, dtype=torch.float64),
                  stride=st)
    # max: inactive = -inf, result floored at 0; gradients flow only at the max
    y = scn.MaxPooling(d, ps, st)(x)
    c, f = sparse_rows(y)
    assert same_set(c, active_from_dense_mask(occ, d))
    dense = to_dense(coords, feats, d, size, 2)
    neg = torch.where(dense_occupancy(coords, d, size, 2) > 0, dense,
                      torch.full_like(dense, -float('inf')))
    ref = MAXP[d](neg, ps, st).clamp(min=0)
    torch.testing.assert_close(f, gather_dense(ref, c, d))
    # average: divided by the full window volume
    y = scn.AveragePooling(d, ps, st, nFeaturesToDrop=1)(x)
    c, f = sparse_rows(y)
    ref = AVGP[d](dense[:, 1:], ps, st)
    torch.testing.assert_close(f, gather_dense(ref, c, d))
    # unpooling: back on the input sites, sum over every window containing the site
    u = scn.UnPooling(d, ps, st)(y)
    cu, fu = sparse_rows(u)
    assert same_set(cu, coords)
    ones = torch.ones([2, 1] + ps, dtype=torch.float64)
    ref = CONVT[d](to_dense(c, f, d, y.spatial_size[0].item(), 2), ones, stride=st, groups=2)
    torch.testing.assert_close(fu, gather_dense(ref, cu, d))


def test_grouped_conv_matches_block_diagonal():
    x, coords, feats = make_input(2, 10, 60, 6)
    g = scn.SubmanifoldConvolution(2, 6, 4, 3, False, groups=2).double()
    y = g(x)
    # the same as a dense-channel conv with a block-diagonal weight (group-major channels)
    full = scn.SubmanifoldConvolution(2, 6, 4, 3, False).double()
    with torch.no_grad():
        full.weight.zero_()
        full.weight[:, 0, 0:3, 0:2] = g.weight[:, 0]
        full.weight[:, 0, 3:6, 2:4] = g.weight[:, 1]
    torch.testing.assert_close(y.features, full(x).features)


def test_gradcheck_layers():
    """Autograd through the gather/scatter math agrees with finite differences."""
    x, coords, feats = make_input(2, 8, 30, 2)
    layers = [scn.SubmanifoldConvolution(2, 2, 3, 3, True).double(),
              scn.Convolution(2, 2, 3, 2, 2, True).double(),
              scn.AveragePooling(2, 2, 2),
              scn.BatchNormLeakyReLU(2, leakiness=0.2).double().train()]
    for layer in layers:
        def f(inp, layer=layer):
            return layer(scn.SparseConvNetTensor(inp, x.metadata, x.spatial_size)).features
        inp = x.features.detach().clone().requires_grad_(True)
        assert torch.autograd.gradcheck(f, (inp,), eps=1e-6, atol=1e-5)


def test_maxpool_gradient_goes_to_every_maximum():
    """SparseConvNet's rule: every input equal to its output gets the gradient (ties included)."""
    coords = torch.tensor([[0, 0, 0], [0, 1, 0], [1, 1, 0]])
    feats = torch.tensor([[2.0, -1.0], [2.0, -3.0], [1.0, -2.0]], requires_grad=True)
    x = scn.InputLayer(2, 2)([coords, feats])
    y = scn.MaxPooling(2, 2, 2)(x)
    assert y.features.tolist() == [[2.0, 0.0]]
    y.features.sum().backward()
    assert feats.grad.tolist() == [[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]


def test_sparse_to_dense_and_back():
    x, coords, feats = make_input(3, 6, 50, 2, batch=3)
    dense = scn.SparseToDense(3, 2)(x)
    assert dense.shape == (3, 2, 6, 6, 6)
    torch.testing.assert_close(dense, to_dense(coords, feats, 3, 6, 3))
    s = scn.DenseToSparse(3)(dense)
    c, f = sparse_rows(s)
    assert same_set(c, coords)
    torch.testing.assert_close(f, gather_dense(dense, c, 3))


def test_empty_batch_samples_and_empty_input():
    coords = torch.tensor([[1, 1, 3]])
    x = scn.InputLayer(2, 4)([coords, torch.ones(1, 1), 2])
    assert x.batch_size() == 4
    d = scn.SparseToDense(2, 1)(x)
    assert d.shape == (4, 1, 4, 4) and d.sum() == 1 and d[3, 0, 1, 1] == 1
    empty = scn.InputLayer(2, 8)([torch.zeros(0, 3, dtype=torch.long), torch.zeros(0, 2), 2])
    net = scn.Sequential(scn.SubmanifoldConvolution(2, 2, 3, 3, True),
                         scn.Convolution(2, 3, 3, 2, 2, False),
                         scn.Deconvolution(2, 3, 3, 2, 2, False),
                         scn.MaxPooling(2, 2, 2), scn.SparseToDense(2, 3))
    out = net(empty)
    assert out.shape == (2, 3, 4, 4) and out.abs().sum() == 0
