"""Small helpers shared by the modules: size normalisation and error messages.

SparseConvNet stores every per-axis size (spatial size, filter size, stride)
as a CPU ``torch.LongTensor`` of length ``dimension``; modules here do the
same so that user code that inspects ``module.filter_size`` keeps working.
Internally the geometry code uses plain tuples, which are hashable and are
therefore used as dictionary keys for the per-scale caches.
"""

import torch


def toLongTensor(dimension, x):
    """Normalise an int, list/tuple or tensor to a LongTensor of length ``dimension``.

    Same contract as SparseConvNet's helper of the same name, with checks that
    raise ``ValueError`` instead of ``assert`` so that bad arguments produce a
    readable message even under ``python -O``.
    """
    if isinstance(x, torch.Tensor):
        t = x.detach().to('cpu', torch.int64).reshape(-1)
        if t.numel() == 1 and dimension != 1:
            t = t.expand(dimension).clone()
    elif isinstance(x, (list, tuple)):
        t = torch.tensor([int(v) for v in x], dtype=torch.int64)
    else:
        t = torch.full((dimension,), int(x), dtype=torch.int64)
    if t.numel() != dimension:
        raise ValueError(
            'expected %d per-axis values, got %s' % (dimension, list(t.tolist())))
    return t


def as_tuple(x):
    """A size (LongTensor, list, tuple) as a tuple of Python ints (cache key)."""
    if isinstance(x, torch.Tensor):
        return tuple(int(v) for v in x.reshape(-1).tolist())
    return tuple(int(v) for v in x)


def size_str(s):
    """Human-readable per-axis size, e.g. ``32x32x32``, for error messages."""
    return 'x'.join(str(v) for v in as_tuple(s))


def check_channels(layer, expected, features):
    """Raise a clear ValueError when features do not have ``expected`` columns."""
    if features.dim() != 2:
        raise ValueError('%s: expected features of shape [N, %d], got %s'
                         % (layer, expected, list(features.shape)))
    if features.shape[1] != expected:
        raise ValueError('%s: expected %d input channels (nIn), got features with %d'
                         % (layer, expected, features.shape[1]))


def optional_param(module, name):
    """``module.name`` if the module has that parameter, else None (e.g. no bias)."""
    return getattr(module, name, None)


def size_repr(size, stride=None):
    """Short size/stride description used by the modules' ``__repr__``."""
    s = as_tuple(size)
    txt = str(s[0]) if len(set(s)) == 1 else '(' + ','.join(map(str, s)) + ')'
    if stride is not None:
        t = as_tuple(stride)
        txt += '/' + (str(t[0]) if len(set(t)) == 1 else '(' + ','.join(map(str, t)) + ')')
    return txt
