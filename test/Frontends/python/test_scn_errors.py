"""Bad inputs raise ValueError with a message that names the layer and the value."""

import pytest
import torch

import scn


def inp(coords, feats, d=2, size=10, mode=3):
    return scn.InputLayer(d, size, mode)([torch.as_tensor(coords), feats])


def test_negative_coordinate():
    with pytest.raises(ValueError, match=r'InputLayer.*\(-1, 3\).*row 1.*10x10'):
        inp([[1, 2, 0], [-1, 3, 0]], torch.ones(2, 1))


def test_coordinate_too_large():
    with pytest.raises(ValueError, match=r'InputLayer.*\(4, 10\).*outside the spatial size 10x10'):
        inp([[4, 10, 0]], torch.ones(1, 1))


def test_negative_batch_index():
    with pytest.raises(ValueError, match=r'InputLayer: negative batch index -2'):
        inp([[4, 1, -2]], torch.ones(1, 1))


def test_wrong_column_count():
    with pytest.raises(ValueError, match=r'InputLayer: coords must have shape \[N, 2\] or \[N, 3\].*\[1, 5\]'):
        inp([[1, 2, 3, 4, 0]], torch.ones(1, 1))


def test_feature_rows_mismatch():
    with pytest.raises(ValueError, match=r'InputLayer: features must have shape \[N, C\] with N = 2'):
        inp([[1, 2, 0], [2, 2, 0]], torch.ones(3, 1))


def test_nan_features():
    f = torch.ones(2, 2)
    f[1, 0] = float('nan')
    with pytest.raises(ValueError, match=r'InputLayer: features contain NaN.*row 1'):
        inp([[1, 2, 0], [2, 2, 0]], f)


def test_mode0_duplicates_and_bad_mode():
    with pytest.raises(ValueError, match=r'mode 0 requires distinct sites'):
        inp([[1, 2, 0], [1, 2, 0]], torch.ones(2, 1), mode=0)
    with pytest.raises(ValueError, match=r'mode must be 0..4, got 7'):
        scn.InputLayer(2, 10, mode=7)


@pytest.mark.parametrize('layer', [
    scn.SubmanifoldConvolution(2, 3, 4, 3, False),
    scn.Convolution(2, 3, 4, 2, 2, False),
    scn.NetworkInNetwork(3, 4, False),
    scn.BatchNormReLU(3),
    scn.SparseToDense(2, 3),
], ids=lambda m: type(m).__name__)
def test_channel_mismatch(layer):
    x = inp([[1, 2, 0], [2, 2, 0]], torch.ones(2, 2))
    with pytest.raises(ValueError, match=r'%s.*expected 3 input channels.*got features with 2'
                       % type(layer).__name__):
        layer(x)


def test_spatial_size_does_not_divide():
    x = inp([[1, 2, 0]], torch.ones(1, 1), size=10)
    with pytest.raises(ValueError, match=r'Convolution 1->1 C3/2: input spatial size 10x10 does not fit'):
        scn.Convolution(2, 1, 1, 3, 2, False)(x)


def test_deconvolution_without_matching_set():
    x = inp([[1, 2, 0]], torch.ones(1, 1), size=10)
    with pytest.raises(ValueError, match=r'Deconvolution 1->1 C2/2: no active set at the output spatial size 20x20'):
        scn.Deconvolution(2, 1, 1, 2, 2, False)(x)


def test_output_layer_needs_input_size():
    x = inp([[1, 2, 0]], torch.ones(1, 1), size=10)
    y = scn.Convolution(2, 1, 1, 2, 2, False)(x)
    with pytest.raises(ValueError, match=r'OutputLayer: expected a tensor at the input spatial size 10x10, got 5x5'):
        scn.OutputLayer(2)(y)


def test_join_table_different_sets():
    x = inp([[1, 2, 0], [3, 3, 0]], torch.ones(2, 1), size=10)
    y = scn.Convolution(2, 1, 1, 2, 2, False)(x)
    with pytest.raises(ValueError, match=r'JoinTable: input 1 is on a different active set'):
        scn.JoinTable()([x, y])


def test_groups_must_divide():
    with pytest.raises(ValueError, match=r'divisible by groups=2'):
        scn.SubmanifoldConvolution(2, 3, 4, 3, False, groups=2)


def test_spec_errors():
    from scn.spec import build_from_spec
    spec = {'dimension': 2, 'spatial_size': [8, 8], 'layers': [
        {'type': 'NetworkInNetwork', 'nIn': 2, 'nOut': 3, 'bias': True,
         'params': {'weight': 'w'}}]}
    with pytest.raises(ValueError, match=r"layer 0 \(NetworkInNetwork\).*no array for \['bias'\]"):
        build_from_spec(spec, {'w': torch.zeros(2, 3).numpy()})
    spec['layers'][0]['params']['bias'] = 'b'
    with pytest.raises(ValueError, match=r"array 'b', which is not in the file"):
        build_from_spec(spec, {'w': torch.zeros(2, 3).numpy()})
    with pytest.raises(ValueError, match=r"weight has shape \(2, 3\) in the module but 'w' holds \(3, 2\)"):
        build_from_spec(spec, {'w': torch.zeros(3, 2).numpy(), 'b': torch.zeros(3).numpy()})
    with pytest.raises(ValueError, match=r"unknown layer type 'Conv9D'"):
        build_from_spec({'dimension': 2, 'spatial_size': [8, 8], 'layers': [{'type': 'Conv9D'}]})
