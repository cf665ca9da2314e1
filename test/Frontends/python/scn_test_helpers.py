"""Shared test helpers: paths and random sparse inputs."""

import glob
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
PY_ROOT = os.path.join(REPO, 'frontends', 'python')
GOLDEN_DIR = os.path.join(REPO, 'test', 'golden')
GOLDEN_FILES = sorted(glob.glob(os.path.join(GOLDEN_DIR, '*.npz')))


def random_sites(dimension, size, n, batch=2, seed=0):
    """Distinct random coords [M, D+1] (batch last), M <= n, inside [0, size)."""
    g = torch.Generator().manual_seed(seed)
    c = torch.cat([torch.randint(0, size, (n, dimension), generator=g),
                   torch.randint(0, batch, (n, 1), generator=g)], 1)
    return torch.unique(c, dim=0)


def dense_occupancy(coords, dimension, size, batch):
    """[B, 1, *size] float mask of the active sites."""
    m = torch.zeros([batch, 1] + [size] * dimension, dtype=torch.float64)
    idx = [coords[:, dimension], torch.zeros(len(coords), dtype=torch.long)] + \
        [coords[:, a] for a in range(dimension)]
    m[tuple(idx)] = 1
    return m


def to_dense(coords, features, dimension, size, batch):
    """[B, C, *size] float64 dense tensor with the features at the active sites."""
    c = features.shape[1]
    d = torch.zeros([batch] + [size] * dimension + [c], dtype=torch.float64)
    d[tuple([coords[:, dimension]] + [coords[:, a] for a in range(dimension)])] = \
        features.double()
    return d.permute(*([0, dimension + 1] + list(range(1, dimension + 1))))


def gather_dense(dense, coords, dimension):
    """Rows of a dense [B, C, *size] tensor at coords [M, D+1]."""
    perm = dense.permute(*([0] + list(range(2, 2 + dimension)) + [1]))
    return perm[tuple([coords[:, dimension]] + [coords[:, a] for a in range(dimension)])]


def dense_weight(weight, filter_size):
    """SCN weight [V, 1, nIn, nOut] -> torch conv weight [nOut, nIn, *filter] (no flip)."""
    V, G, ci, co = weight.shape
    assert G == 1
    return weight[:, 0].permute(2, 1, 0).reshape([co, ci] + list(filter_size)).double()
