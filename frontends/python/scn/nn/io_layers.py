"""Input/output layers: where user tensors become sparse tensors and back.

InputLayer validates its input (the only place coordinates come from the
user) and raises ValueError naming the layer and the offending value:
wrong shapes, coordinates outside [0, spatial_size), negative batch
indices, NaN features, duplicates in mode 0.
"""

import torch
from torch.nn import Module

from .. import functional as F
from .. import geometry
from .. import ops
from ..metadata import Metadata
from ..tensor import SparseConvNetTensor
from ..utils import toLongTensor, as_tuple, size_str, check_channels


class InputRules(object):
    """How the original input rows map to the sites (for OutputLayer / BLOutputLayer)."""

    def __init__(self, row_site, spatial_size, mode, shape=None):
        self.row_site = row_site        # [N] site row per input row, -1 = dropped
        self.spatial_size = tuple(spatial_size)
        self.mode = mode
        self.shape = shape              # (B, L) for BL layers


def _check_mode(layer, mode):
    if mode not in (0, 1, 2, 3, 4):
        raise ValueError('%s: mode must be 0..4, got %r' % (layer, mode))


def _as_long(layer, name, x):
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x)
        except Exception:
            raise ValueError('%s: %s must be a tensor, got %s' % (layer, name, type(x).__name__))
    return x.long()


def _check_range(layer, xyz, spatial_size, rows=None):
    """Every coordinate in [0, spatial_size); report the first bad row otherwise."""
    if xyz.numel() == 0:
        return
    size = torch.tensor(spatial_size, dtype=torch.int64, device=xyz.device)
    bad = ((xyz < 0) | (xyz >= size)).any(1)
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        r = i if rows is None else int(rows[i])
        raise ValueError('%s: coordinate %s of input row %d is outside the spatial size %s '
                         '(coordinates must be >= 0 and < spatial size)'
                         % (layer, tuple(xyz[i].tolist()), r, size_str(spatial_size)))


def _check_nan(layer, features):
    if features.is_floating_point() and features.numel():
        nan = torch.isnan(features).any(1)
        if bool(nan.any()):
            raise ValueError('%s: features contain NaN (first in input row %d)'
                             % (layer, int(nan.nonzero()[0, 0])))


def _traced_coords(layer, coords):
    """Coordinates as the traced model takes them: an int64 model input (a
    conversion would be a node of the graph that the importer rejects)."""
    if not isinstance(coords, torch.Tensor) or coords.dtype != torch.int64:
        raise ValueError('%s: trace with int64 coordinates (got %s)'
                         % (layer, getattr(coords, 'dtype', type(coords).__name__)))
    return coords


def _traced_tensor(features, sites):
    """The SparseConvNetTensor of a traced input op (its sites carry the geometry)."""
    info = ops.sites_info(sites)
    return SparseConvNetTensor(features, info.metadata, ops.size_tensor(info.spatial_size),
                               sites)


class InputLayer(Module):
    """[coords [N, D] or [N, D+1] (batch last), features [N, C] (, batch_size)] -> sparse tensor.

    Duplicate sites: mode 0 = none allowed, 1 = keep the first row, 2 = keep
    the last row, 3 = sum, 4 = average.  The batch size is
    max(batch_size, 1 + largest batch index).
    """

    def __init__(self, dimension, spatial_size, mode=3):
        Module.__init__(self)
        _check_mode('InputLayer', mode)
        self.dimension = dimension
        self.spatial_size = toLongTensor(dimension, spatial_size)
        self.mode = mode
        self.device = None

    def to(self, *args, **kwargs):
        # SparseConvNet's InputLayer remembers a device for the features.
        if args and not isinstance(args[0], (torch.dtype, torch.Tensor)):
            self.device = args[0]
        elif 'device' in kwargs:
            self.device = kwargs['device']
        return Module.to(self, *args, **kwargs)

    def forward(self, input):
        name = 'InputLayer'
        if not hasattr(input, '__getitem__') or len(input) not in (2, 3):
            raise ValueError('%s: expected [coords, features] or [coords, features, batch_size]'
                             % name)
        d = self.dimension
        features = input[1]
        if not isinstance(features, torch.Tensor):
            raise ValueError('%s: features must be a tensor, got %s' % (name, type(features).__name__))
        if self.device is not None:
            features = features.to(self.device)
        if torch.jit.is_tracing():
            # The op's kernel is this forward, run untraced (see ops.py).
            if features.dim() != 2:
                raise ValueError('%s: features must have shape [N, C], got %s'
                                 % (name, list(features.shape)))
            batch_size = int(input[2]) if len(input) == 3 else 0
            sites, f = torch.ops.scn.input(_traced_coords(name, input[0]), features,
                                           ops.int_list(self.spatial_size), self.mode,
                                           batch_size, int(features.shape[1]))
            return _traced_tensor(f, sites)
        coords = _as_long(name, 'coords', input[0])
        batch_size = int(input[2]) if len(input) == 3 else 0
        if coords.dim() != 2 or coords.shape[1] not in (d, d + 1):
            raise ValueError('%s: coords must have shape [N, %d] or [N, %d] (dimension %d, batch '
                             'index in the last column), got %s'
                             % (name, d, d + 1, d, list(coords.shape)))
        if features.dim() != 2 or features.shape[0] != coords.shape[0]:
            raise ValueError('%s: features must have shape [N, C] with N = %d coordinate rows, '
                             'got %s' % (name, coords.shape[0], list(features.shape)))
        coords = coords.to(features.device)
        n = coords.shape[0]
        if coords.shape[1] == d:
            coords = torch.cat([coords, coords.new_zeros((n, 1))], 1)
        spatial = as_tuple(self.spatial_size)
        _check_range(name, coords[:, :d], spatial)
        if n and bool((coords[:, d] < 0).any()):
            i = int((coords[:, d] < 0).nonzero()[0, 0])
            raise ValueError('%s: negative batch index %d in input row %d'
                             % (name, int(coords[i, d]), i))
        _check_nan(name, features)
        if n:
            batch_size = max(batch_size, int(coords[:, d].max()) + 1)
        sites, row_site = geometry.merge_input_rows(coords, spatial, batch_size, self.mode)
        if self.mode == 0 and n:
            if int(torch.unique(sites.keys).numel()) != n:
                raise ValueError('%s: mode 0 requires distinct sites, but the coordinates '
                                 'repeat a site; use mode 1..4 to merge duplicates' % name)
        m = Metadata(d)
        m.set_sites(sites)
        m.input_rules = InputRules(row_site, spatial, self.mode)
        if self.mode == 0:
            f = features
        else:
            f = F.input_layer(features, row_site, len(sites), self.mode == 4)
        return SparseConvNetTensor(f, m, self.spatial_size.clone())

    def __repr__(self):
        return 'InputLayer(%d,%s,mode=%d)' % (self.dimension, size_str(self.spatial_size), self.mode)


class OutputLayer(Module):
    """Sparse tensor -> [N, C] rows aligned with the InputLayer's input rows.

    Modes 0, 3, 4: every input row gets its site's vector; modes 1, 2: only the
    row that was kept does, dropped duplicates get zeros.
    """

    def __init__(self, dimension):
        Module.__init__(self)
        self.dimension = dimension

    def forward(self, input):
        if ops.tracing(input, 'OutputLayer'):
            return torch.ops.scn.output(input.features, input.sites_token)
        rules = input.metadata.input_rules
        if rules is None or rules.shape is not None:
            raise ValueError('OutputLayer: the input does not come from an InputLayer')
        if as_tuple(input.spatial_size) != rules.spatial_size:
            raise ValueError('OutputLayer: expected a tensor at the input spatial size %s, got %s'
                             % (size_str(rules.spatial_size), size_str(input.spatial_size)))
        return F.output_layer(input.features, rules.row_site)

    def input_spatial_size(self, out_size):
        return out_size


class BLInputLayer(Module):
    """[coords [B, L, D], features [B, L, C]] -> sparse tensor; a row whose first
    coordinate is negative (e.g. -1) is empty padding.

    Duplicate handling follows SparseConvNet's batch-length layer, which is
    NOT the same as InputLayer's: mode 1 keeps the LAST row of a site
    ("overwrite") and mode 2 the FIRST ("keep"); 0 = all rows distinct and
    present, 3 = sum, 4 = average.
    """

    def __init__(self, dimension, spatial_size, mode=3):
        Module.__init__(self)
        _check_mode('BLInputLayer', mode)
        self.dimension = dimension
        self.spatial_size = toLongTensor(dimension, spatial_size)
        self.mode = mode
        self.device = None

    def to(self, *args, **kwargs):
        if args and not isinstance(args[0], (torch.dtype, torch.Tensor)):
            self.device = args[0]
        elif 'device' in kwargs:
            self.device = kwargs['device']
        return Module.to(self, *args, **kwargs)

    def forward(self, input):
        name = 'BLInputLayer'
        d = self.dimension
        if not hasattr(input, '__getitem__') or len(input) != 2:
            raise ValueError('%s: expected [coords, features]' % name)
        features = input[1]
        if self.device is not None:
            features = features.to(self.device)
        if torch.jit.is_tracing():
            if not isinstance(features, torch.Tensor) or features.dim() != 3:
                raise ValueError('%s: features must have shape [B, L, C]' % name)
            sites, f = torch.ops.scn.bl_input(_traced_coords(name, input[0]), features,
                                              ops.int_list(self.spatial_size), self.mode,
                                              int(features.shape[2]))
            return _traced_tensor(f, sites)
        coords = _as_long(name, 'coords', input[0])
        if coords.dim() != 3 or coords.shape[2] != d:
            raise ValueError('%s: coords must have shape [B, L, %d], got %s'
                             % (name, d, list(coords.shape)))
        if features.dim() != 3 or features.shape[:2] != coords.shape[:2]:
            raise ValueError('%s: features must have shape [B, L, C] with B, L = %s, got %s'
                             % (name, list(coords.shape[:2]), list(features.shape)))
        coords = coords.to(features.device)
        B, L = coords.shape[0], coords.shape[1]
        flat = coords.reshape(B * L, d)
        batch = torch.arange(B, device=flat.device).repeat_interleave(L)
        flat = torch.cat([flat, batch[:, None]], 1)
        ff = features.reshape(B * L, features.shape[2])
        spatial = as_tuple(self.spatial_size)
        if self.mode == 0:
            rows = torch.arange(B * L, device=flat.device)
        else:
            rows = (flat[:, 0] >= 0).nonzero()[:, 0]
        _check_range(name, flat[rows, :d], spatial, rows)
        _check_nan(name, ff[rows])
        # BL modes 1/2 are swapped relative to InputLayer (see class docstring).
        mode = {1: 2, 2: 1}.get(self.mode, self.mode)
        sites, sub_site = geometry.merge_input_rows(flat[rows], spatial, B, mode)
        if self.mode == 0 and len(sites) and int(torch.unique(sites.keys).numel()) != len(sites):
            raise ValueError('%s: mode 0 requires distinct sites in every sample' % name)
        row_site = torch.full((B * L,), -1, dtype=torch.int64, device=flat.device)
        row_site[rows] = sub_site
        m = Metadata(d)
        m.set_sites(sites)
        m.input_rules = InputRules(row_site, spatial, self.mode, shape=(B, L))
        f = F.input_layer(ff, row_site, len(sites), self.mode == 4)
        return SparseConvNetTensor(f, m, self.spatial_size.clone())


class BLOutputLayer(Module):
    """Sparse tensor -> [B, L, C] aligned with the BLInputLayer's input (zeros for empty rows)."""

    def __init__(self, dimension):
        Module.__init__(self)
        self.dimension = dimension

    def forward(self, input):
        if ops.tracing(input, 'BLOutputLayer'):
            return torch.ops.scn.bl_output(input.features, input.sites_token)
        rules = input.metadata.input_rules
        if rules is None or rules.shape is None:
            raise ValueError('BLOutputLayer: the input does not come from a BLInputLayer')
        if as_tuple(input.spatial_size) != rules.spatial_size:
            raise ValueError('BLOutputLayer: expected a tensor at the input spatial size %s, got %s'
                             % (size_str(rules.spatial_size), size_str(input.spatial_size)))
        out = F.output_layer(input.features, rules.row_site)
        return out.reshape(rules.shape[0], rules.shape[1], out.shape[1])

    def input_spatial_size(self, out_size):
        return out_size


class SparseToDense(Module):
    """Sparse tensor -> dense [B, nPlanes, *spatial_size]; inactive sites are zero."""

    def __init__(self, dimension, nPlanes):
        Module.__init__(self)
        self.dimension = dimension
        self.nPlanes = nPlanes

    def forward(self, input):
        check_channels(repr(self), self.nPlanes, input.features)
        if ops.tracing(input, repr(self)):
            return torch.ops.scn.sparse_to_dense(input.features, input.sites_token)
        sites = input.metadata.get_sites(input.spatial_size, repr(self))
        key = ('dense', sites.spatial_size)
        idx = input.metadata.kernel_maps.get(key)
        if idx is None:
            idx = geometry.dense_index(sites)
            input.metadata.kernel_maps[key] = idx
        return F.sparse_to_dense(input.features, idx, sites.batch_size, sites.spatial_size)

    def input_spatial_size(self, out_size):
        return out_size

    def __repr__(self):
        return 'SparseToDense(%d,%d)' % (self.dimension, self.nPlanes)


class DenseToSparse(Module):
    """Dense [B, C, *spatial] -> sparse tensor on the sites whose feature vector is nonzero."""

    def __init__(self, dimension):
        Module.__init__(self)
        self.dimension = dimension

    def forward(self, input):
        d = self.dimension
        if not isinstance(input, torch.Tensor) or input.dim() != d + 2:
            raise ValueError('DenseToSparse: expected a dense tensor [B, C, %s], got %s'
                             % (', '.join(['s'] * d), list(getattr(input, 'shape', []))))
        spatial = tuple(int(v) for v in input.shape[2:])
        if torch.jit.is_tracing():
            sites, f = torch.ops.scn.dense_to_sparse(input, list(spatial), int(input.shape[1]))
            return _traced_tensor(f, sites)
        aa = input.permute(*([0] + list(range(2, 2 + d)) + [1]))
        nz = (aa.detach().abs().sum(-1) != 0).nonzero()            # [M, 1 + D], b first
        coords = torch.cat([nz[:, 1:], nz[:, :1]], 1)
        features = aa[tuple(nz.t())]
        m = Metadata(d)
        m.set_sites(geometry.SiteSet(coords, spatial, input.shape[0]))
        return SparseConvNetTensor(features, m, torch.tensor(spatial, dtype=torch.int64))

    def input_spatial_size(self, out_size):
        return out_size

    def __repr__(self):
        return 'DenseToSparse(%d)' % self.dimension
