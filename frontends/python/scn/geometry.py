"""Sparse geometry in plain torch ops: active sets, neighbour and kernel maps.

Everything here works on whatever device the coordinates live on (CPU or
CUDA): sites are hashed to int64 keys (batch index first, then axis 0, 1, ...
in row-major order, so sorting the keys sorts the sites the way the golden
files do), sorted once, and neighbours are found with ``searchsorted``.

A kernel map ("rulebook" in SparseConvNet) is a list of (input row, output
row) pairs grouped by filter offset ``k``; ``k`` is the row-major (last axis
fastest) index of the offset inside the filter box, which is SparseConvNet's
weight layout ``[V, G, nIn/G, nOut/G]``.  Convolutions, pooling and their
transposes are all "for every offset, gather these rows, transform, scatter
into those rows", so one map format serves them all.
"""

import itertools

import torch

from .utils import size_str

# Keys are int64; keep a safety margin so that sums of keys never overflow.
_MAX_KEY = 2 ** 62


class SiteSet(object):
    """The active sites of one spatial size: ``coords [N, D+1]`` (batch LAST).

    Row ``i`` of the features of every tensor at this scale belongs to site
    ``coords[i]``.  Row order is whatever the producer chose (input order
    for InputLayer mode 0, sorted order elsewhere); lookups go through a
    sorted copy of the keys plus the permutation back to rows.
    """

    def __init__(self, coords, spatial_size, batch_size, keys=None, is_sorted=False):
        self.coords = coords
        self.spatial_size = tuple(int(v) for v in spatial_size)
        self.batch_size = int(batch_size)
        check_key_range(self.spatial_size, self.batch_size)
        self._keys = keys
        self._sorted_keys = None
        self._perm = None
        if is_sorted:
            self._sorted_keys = self.keys
            self._perm = None  # identity

    @property
    def dimension(self):
        return len(self.spatial_size)

    @property
    def device(self):
        return self.coords.device

    def __len__(self):
        return int(self.coords.shape[0])

    @property
    def keys(self):
        if self._keys is None:
            self._keys = site_keys(self.coords, self.spatial_size)
        return self._keys

    def _ensure_sorted(self):
        if self._sorted_keys is None:
            self._sorted_keys, self._perm = torch.sort(self.keys)

    def lookup(self, query):
        """Row of each query key in this set, or -1 where the site is inactive."""
        self._ensure_sorted()
        n = len(self)
        if n == 0 or query.numel() == 0:
            return torch.full_like(query, -1)
        pos = torch.searchsorted(self._sorted_keys, query).clamp_(max=n - 1)
        found = self._sorted_keys[pos] == query
        rows = pos if self._perm is None else self._perm[pos]
        return torch.where(found, rows, torch.full_like(rows, -1))

    def same_sites(self, other):
        """True when both sets hold the same sites (in any row order)."""
        if len(self) != len(other) or self.spatial_size != other.spatial_size:
            return False
        self._ensure_sorted()
        other._ensure_sorted()
        return bool(torch.equal(self._sorted_keys, other._sorted_keys.to(self.device)))

    def __repr__(self):
        return 'SiteSet(%d sites, spatial size %s, batch size %d)' % (
            len(self), size_str(self.spatial_size), self.batch_size)


class KernelMap(object):
    """Pairs (in_idx[p], out_idx[p]) grouped by filter offset.

    The pairs of offset ``k`` are ``ptr[k]:ptr[k+1]``.  ``ptr`` lives on the
    CPU (its values are needed as Python ints to slice); the index tensors
    live with the features.
    """

    def __init__(self, in_idx, out_idx, ptr, n_in, n_out):
        self.in_idx = in_idx
        self.out_idx = out_idx
        self.ptr = ptr
        self.n_in = int(n_in)
        self.n_out = int(n_out)
        self._bounds = None

    @property
    def volume(self):
        return int(self.ptr.numel()) - 1

    @property
    def bounds(self):
        if self._bounds is None:
            self._bounds = [int(v) for v in self.ptr.tolist()]
        return self._bounds

    def transposed(self):
        """The same pairs with the roles of input and output swapped."""
        return KernelMap(self.out_idx, self.in_idx, self.ptr, self.n_out, self.n_in)

    def __repr__(self):
        return 'KernelMap(%d offsets, %d pairs, %d -> %d rows)' % (
            self.volume, int(self.in_idx.numel()), self.n_in, self.n_out)


def check_key_range(spatial_size, batch_size):
    """Site keys are int64: refuse sizes whose key space would overflow."""
    total = max(int(batch_size), 1)
    for s in spatial_size:
        total *= max(int(s), 1)
    if total >= _MAX_KEY:
        raise ValueError(
            'spatial size %s with batch size %d has %d sites, more than the '
            'int64 site keys allow (2^62)' % (size_str(spatial_size), batch_size, total))


def site_keys(coords, spatial_size):
    """int64 key of each site: ((b * s0 + x0) * s1 + x1) * ... (batch-major)."""
    d = len(spatial_size)
    key = coords[..., d].clone()
    for a in range(d):
        key.mul_(int(spatial_size[a])).add_(coords[..., a])
    return key


def keys_to_coords(keys, spatial_size):
    """Inverse of ``site_keys``: coords [N, D+1] with the batch index last."""
    d = len(spatial_size)
    out = torch.empty((keys.shape[0], d + 1), dtype=torch.int64, device=keys.device)
    rest = keys.clone()
    for a in range(d - 1, -1, -1):
        s = int(spatial_size[a])
        out[:, a] = torch.remainder(rest, s)
        rest = torch.div(rest, s, rounding_mode='floor')
    out[:, d] = rest
    return out


def filter_offsets(filter_size, device=None):
    """All offsets of a filter box, [V, D] int64, row-major (last axis fastest)."""
    ranges = [range(int(s)) for s in filter_size]
    offs = list(itertools.product(*ranges))
    if not offs:
        return torch.zeros((0, len(filter_size)), dtype=torch.int64, device=device)
    return torch.tensor(offs, dtype=torch.int64, device=device).reshape(-1, len(filter_size))


def _ptr_from_offsets(k, volume):
    counts = torch.bincount(k, minlength=volume).cpu()
    ptr = torch.zeros(volume + 1, dtype=torch.int64)
    ptr[1:] = torch.cumsum(counts, 0)
    return ptr


def _empty_map(volume, n_in, n_out, device):
    e = torch.zeros(0, dtype=torch.int64, device=device)
    return KernelMap(e, e.clone(), torch.zeros(volume + 1, dtype=torch.int64), n_in, n_out)


def submanifold_map(sites, filter_size):
    """Kernel map of a submanifold convolution: output set == input set.

    Output site x reads input x + delta - floor(s/2) through weight k(delta),
    for delta in [0, s)^D; with an even s that is the window [x - s/2, x + s/2 - 1].
    """
    d = sites.dimension
    dev = sites.device
    fs = torch.tensor([int(v) for v in filter_size], dtype=torch.int64, device=dev)
    offs = filter_offsets(filter_size, dev) - torch.div(fs, 2, rounding_mode='floor')
    vol = offs.shape[0]
    n = len(sites)
    if n == 0 or vol == 0:
        return _empty_map(vol, n, n, dev)
    size = torch.tensor(sites.spatial_size, dtype=torch.int64, device=dev)
    q = sites.coords[None, :, :d] + offs[:, None, :]                 # [V, N, D]
    valid = ((q >= 0) & (q < size)).all(-1)                           # [V, N]
    qc = torch.cat([q, sites.coords[None, :, d:].expand(vol, n, 1)], -1)
    rows = sites.lookup(site_keys(qc, sites.spatial_size).reshape(-1)).reshape(vol, n)
    valid &= rows >= 0
    k, out_rows = valid.nonzero(as_tuple=True)                        # k-major order
    return KernelMap(rows[k, out_rows], out_rows, _ptr_from_offsets(k, vol), n, n)


def output_spatial_size(in_size, filter_size, stride, layer='Convolution'):
    """``(in - s) / t + 1`` per axis, refusing sizes that do not divide exactly."""
    out = []
    for i, s, t in zip(in_size, filter_size, stride):
        i, s, t = int(i), int(s), int(t)
        if t < 1 or s < 1 or i < s or (i - s) % t != 0:
            raise ValueError(
                '%s: input spatial size %s does not fit filter size %s and stride %s '
                '(need (in - size) %% stride == 0 and in >= size on every axis)'
                % (layer, size_str(in_size), size_str(filter_size), size_str(stride)))
        out.append((i - s) // t + 1)
    return tuple(out)


def transposed_spatial_size(in_size, filter_size, stride):
    """``(in - 1) * t + s`` per axis (Deconvolution, FullConvolution, UnPooling)."""
    return tuple((int(i) - 1) * int(t) + int(s) for i, s, t in zip(in_size, filter_size, stride))


def regular_window_starts(out_size, stride):
    """Per axis, where each output's window starts: j * t."""
    return [torch.arange(int(o), dtype=torch.int64) * int(t) for o, t in zip(out_size, stride)]


def randomized_window_starts(in_size, out_size, filter_size, stride, generator=None):
    """Per axis, window starts with randomly shuffled steps (fractional-pooling style).

    Mirrors SparseConvNet's randomized-stride regions: out//3 steps of t-1,
    as many of t+1 and the rest t, shuffled, so that the last window still
    ends on the last input cell.  Axes with stride < 2 stay regular.
    """
    starts = []
    for i, o, s, t in zip(in_size, out_size, filter_size, stride):
        i, o, s, t = int(i), int(o), int(s), int(t)
        if t < 2 or o < 2:
            starts.append(torch.arange(o, dtype=torch.int64) * t)
            continue
        a = o // 3
        steps = [t - 1] * a + [t + 1] * a + [t] * (o - 1 - 2 * a)
        perm = torch.randperm(len(steps), generator=generator)
        steps = torch.tensor(steps, dtype=torch.int64)[perm]
        st = torch.zeros(o, dtype=torch.int64)
        st[1:] = torch.cumsum(steps, 0)
        assert int(st[-1]) + s - 1 == i - 1
        starts.append(st)
    return starts


def strided_map(sites, filter_size, out_size, window_starts, out_sites=None, layer='Convolution'):
    """Kernel map of a strided convolution / pooling from ``sites``.

    Output j is active when its window [start_j, start_j + s - 1] (per axis)
    holds an active input; input x meets output j through weight
    k(x - start_j).  With ``out_sites=None`` the output set is built (sorted)
    and returned; otherwise pairs are looked up in the given output set
    (used by Deconvolution/UnPooling, which map back onto an existing set)
    and pairs whose output is not in it are dropped.
    Returns ``(out_sites, KernelMap)``.
    """
    d = sites.dimension
    dev = sites.device
    in_size = sites.spatial_size
    offs = filter_offsets(filter_size, dev)
    vol = offs.shape[0]
    n = len(sites)
    # inverse tables: input position of a window start -> output index (or -1)
    inv = []
    for a in range(d):
        t = torch.full((in_size[a],), -1, dtype=torch.int64, device=dev)
        st = window_starts[a].to(dev)
        t[st] = torch.arange(st.numel(), dtype=torch.int64, device=dev)
        inv.append(t)
    if n == 0 or vol == 0:
        if out_sites is None:
            out_sites = SiteSet(torch.zeros((0, d + 1), dtype=torch.int64, device=dev),
                                out_size, sites.batch_size)
        return out_sites, _empty_map(vol, n, len(out_sites), dev)
    p = sites.coords[None, :, :d] - offs[:, None, :]                  # window starts [V, N, D]
    valid = (p >= 0).all(-1)
    j = torch.empty_like(p)
    for a in range(d):
        pa = p[..., a].clamp(min=0)
        ja = inv[a][pa]
        valid &= ja >= 0
        j[..., a] = ja
    jc = torch.cat([j, sites.coords[None, :, d:].expand(vol, n, 1)], -1)
    k, in_rows = valid.nonzero(as_tuple=True)
    keys = site_keys(jc[k, in_rows], out_size)
    if out_sites is None:
        uniq, out_rows = torch.unique(keys, sorted=True, return_inverse=True)
        out_sites = SiteSet(keys_to_coords(uniq, out_size), out_size, sites.batch_size,
                            keys=uniq, is_sorted=True)
    else:
        out_rows = out_sites.lookup(keys)
        keep = out_rows >= 0
        if not bool(keep.all()):
            k, in_rows, out_rows = k[keep], in_rows[keep], out_rows[keep]
    return out_sites, KernelMap(in_rows, out_rows, _ptr_from_offsets(k, vol), n, len(out_sites))


def full_convolution_map(sites, filter_size, stride):
    """FullConvolution: output = union of every active input's window (new set).

    Input j reaches output i = j * t + delta through weight k(delta).
    Returns ``(out_sites, KernelMap)`` with the map oriented input -> output.
    """
    d = sites.dimension
    dev = sites.device
    out_size = transposed_spatial_size(sites.spatial_size, filter_size, stride)
    offs = filter_offsets(filter_size, dev)
    vol = offs.shape[0]
    n = len(sites)
    if n == 0 or vol == 0:
        out_sites = SiteSet(torch.zeros((0, d + 1), dtype=torch.int64, device=dev),
                            out_size, sites.batch_size)
        return out_sites, _empty_map(vol, n, 0, dev)
    t = torch.tensor([int(v) for v in stride], dtype=torch.int64, device=dev)
    i = sites.coords[None, :, :d] * t + offs[:, None, :]              # [V, N, D]
    ic = torch.cat([i, sites.coords[None, :, d:].expand(vol, n, 1)], -1)
    keys = site_keys(ic, out_size).reshape(-1)
    uniq, out_rows = torch.unique(keys, sorted=True, return_inverse=True)
    out_sites = SiteSet(keys_to_coords(uniq, out_size), out_size, sites.batch_size,
                        keys=uniq, is_sorted=True)
    in_rows = torch.arange(n, device=dev).repeat(vol)
    ptr = torch.arange(vol + 1, dtype=torch.int64) * n
    return out_sites, KernelMap(in_rows, out_rows, ptr, n, len(out_sites))


def merge_input_rows(coords, spatial_size, batch_size, mode):
    """InputLayer geometry: turn input rows into a set of distinct sites.

    ``coords`` [N, D+1] (batch last, already validated).  Returns
    ``(sites, row_site)`` where ``row_site[r]`` is the site that input row r
    feeds, or -1 for a duplicate that is dropped (modes 1 and 2).
    Mode 0 keeps every row as its own site in input order; modes 1..4 give
    the sites in sorted order.  Mode 1 keeps the FIRST row of a duplicated
    site, mode 2 the LAST (what SparseConvNet does, whatever its docstring says).
    """
    n = coords.shape[0]
    dev = coords.device
    keys = site_keys(coords, spatial_size)
    if mode == 0:
        sites = SiteSet(coords, spatial_size, batch_size, keys=keys)
        return sites, torch.arange(n, dtype=torch.int64, device=dev)
    uniq, inv, counts = torch.unique(keys, sorted=True, return_inverse=True, return_counts=True)
    sites = SiteSet(keys_to_coords(uniq, spatial_size), spatial_size, batch_size,
                    keys=uniq, is_sorted=True)
    if mode in (3, 4):
        return sites, inv
    # rows ordered by (site, row): the first/last row of each site's run
    order = torch.argsort(inv * max(n, 1) + torch.arange(n, device=dev))
    ends = torch.cumsum(counts, 0)
    pick = ends - counts if mode == 1 else ends - 1
    kept = order[pick]
    row_site = torch.full((n,), -1, dtype=torch.int64, device=dev)
    row_site[kept] = torch.arange(uniq.numel(), dtype=torch.int64, device=dev)
    return sites, row_site


def dense_index(sites):
    """Flat index of each site in a dense [B, *spatial] grid (SparseToDense)."""
    vol = _prod(sites.spatial_size)
    d = sites.dimension
    lin = sites.coords[:, d] * vol
    stride = 1
    for a in range(d - 1, -1, -1):
        lin = lin + sites.coords[:, a] * stride
        stride *= sites.spatial_size[a]
    return lin


def _prod(xs):
    r = 1
    for x in xs:
        r *= int(x)
    return r
