"""The math of every layer, one function per layer: (features, geometry tensors, params) -> features.

Modules (``scn.nn``) look up or build the geometry (kernel maps, row maps)
and then call exactly one of these functions.  Keeping the math here, free
of Metadata objects, is what lets a later tracing path record each call as
one custom op (``torch.ops.scn.*``) with plain tensor arguments.

All functions are written with ordinary differentiable torch ops (except
max pooling, whose gradient follows SparseConvNet's tie rule) and run on
CPU and CUDA alike.  Kernel maps come as ``in_idx, out_idx`` (int64 [P])
plus ``ptr`` (CPU int64 [V+1]): the pairs of filter offset ``k`` are
``ptr[k]:ptr[k+1]``.
"""

import torch
import torch.nn.functional as F


def _bounds(ptr):
    return [int(v) for v in ptr.tolist()]


def sparse_convolution(features, weight, bias, in_idx, out_idx, ptr, n_out):
    """Per-offset gather-matmul-scatter: out[o] = bias + sum_k sum_pairs in[i] @ W[k].

    ``weight`` is SparseConvNet's ``[V, G, nIn/G, nOut/G]``; groups are
    group-major (input channel g*nIn/G + p meets output g*nOut/G + q via
    W[k, g, p, q]).  Serves submanifold, strided, de- and full convolutions:
    only the map differs.
    """
    V, G, ci, co = weight.shape
    out = features.new_zeros((int(n_out), G * co))
    b = _bounds(ptr)
    for k in range(V):
        lo, hi = b[k], b[k + 1]
        if lo == hi:
            continue
        x = features.index_select(0, in_idx[lo:hi])
        if G == 1:
            y = torch.mm(x, weight[k, 0])
        else:
            y = torch.einsum('pgi,gio->pgo', x.reshape(-1, G, ci), weight[k]).reshape(-1, G * co)
        out.index_add_(0, out_idx[lo:hi], y)
    if bias is not None:
        out = out + bias
    return out


def network_in_network(features, weight, bias):
    """1x1 convolution: features @ W [nIn, nOut] (+ bias)."""
    out = torch.mm(features, weight)
    if bias is not None:
        out = out + bias
    return out


class _MaxPoolFunction(torch.autograd.Function):
    """Max pooling with SparseConvNet's conventions.

    The output starts at 0 (so an all-negative window gives 0), and the
    gradient flows to EVERY input that equals its output (ties included, a
    0 input under a 0 output included), exactly as SCN's backward does.
    """

    @staticmethod
    def forward(ctx, x, in_idx, out_idx, ptr, n_out):
        out = x.new_zeros((int(n_out), x.shape[1]))
        b = _bounds(ptr)
        for k in range(len(b) - 1):
            lo, hi = b[k], b[k + 1]
            if lo == hi:
                continue
            o = out_idx[lo:hi]  # distinct within one offset
            out[o] = torch.maximum(out[o], x.index_select(0, in_idx[lo:hi]))
        ctx.save_for_backward(x, out, in_idx, out_idx)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, out, in_idx, out_idx = ctx.saved_tensors
        hit = (x.index_select(0, in_idx) == out.index_select(0, out_idx)).to(grad_out.dtype)
        gx = torch.zeros_like(x)
        gx.index_add_(0, in_idx, grad_out.index_select(0, out_idx) * hit)
        return gx, None, None, None, None


def max_pooling(features, in_idx, out_idx, ptr, n_out, n_features_to_drop=0):
    """out[j] = max(0, max over active inputs in j's window); drops the first channels."""
    x = features[:, int(n_features_to_drop):]
    return _MaxPoolFunction.apply(x, in_idx, out_idx, ptr, n_out)


def average_pooling(features, in_idx, out_idx, ptr, n_out, pool_volume, n_features_to_drop=0):
    """Sum over active inputs divided by the FULL window volume (not the active count)."""
    x = features[:, int(n_features_to_drop):]
    out = x.new_zeros((int(n_out), x.shape[1]))
    out.index_add_(0, out_idx, x.index_select(0, in_idx))
    return out / float(pool_volume)


def unpooling(features, in_idx, out_idx, ptr, n_out, n_features_to_drop=0):
    """Each output site gets the SUM of every pooled site whose window contains it."""
    x = features[:, int(n_features_to_drop):]
    out = x.new_zeros((int(n_out), x.shape[1]))
    out.index_add_(0, out_idx, x.index_select(0, in_idx))
    return out


def batch_norm(features, weight, bias, running_mean, running_var, eps, momentum, train,
               leakiness):
    """SparseConvNet batch norm with its fused leaky activation.

    Train: statistics over all active rows; the biased variance normalises;
    running stats move as r <- momentum * r + (1 - momentum) * stat (the
    opposite of PyTorch's convention) with the UNBIASED variance.  Eval:
    running statistics.  Then y > 0 ? y : leakiness * y (leakiness 1 = none).
    """
    x = features
    if train:
        n = x.shape[0]
        mean = x.mean(0)
        var = (x - mean).pow(2).mean(0)
        with torch.no_grad():
            running_mean.mul_(momentum).add_(mean.detach().to(running_mean.dtype),
                                             alpha=1 - momentum)
            if n > 1:
                running_var.mul_(momentum).add_((var.detach() * (n / (n - 1.0))).to(running_var.dtype),
                                                alpha=1 - momentum)
        inv_std = torch.rsqrt(var + eps)
    else:
        mean = running_mean
        inv_std = torch.rsqrt(running_var + eps)
    y = (x - mean) * inv_std
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    if leakiness != 1:
        y = F.leaky_relu(y, float(leakiness))
    return y


def dropout(features, p, train, batchwise=False):
    """Non-inverted dropout: train multiplies by a 0/1 mask, eval by (1 - p)."""
    if not train:
        return features * (1 - p)
    shape = (1, features.shape[1]) if batchwise else features.shape
    keep = torch.full(shape, 1 - p, dtype=features.dtype, device=features.device)
    return features * torch.bernoulli(keep)


def input_layer(features, row_site, n_sites, average):
    """Merge input rows into site rows: row r adds into site row_site[r] (-1 = dropped).

    Modes 1/2 have one contributing row per site, 3 sums, 4 averages.
    """
    keep = row_site >= 0
    src = features
    dst = row_site
    if not bool(keep.all()):
        src = features[keep]
        dst = row_site[keep]
    out = features.new_zeros((int(n_sites), features.shape[1]))
    out.index_add_(0, dst, src)
    if average:
        counts = torch.bincount(dst, minlength=int(n_sites)).clamp_(min=1)
        out = out / counts.to(out.dtype)[:, None]
    return out


def output_layer(features, row_site):
    """One row per original input row: the site's vector, or zeros for a dropped duplicate."""
    rows = features.index_select(0, row_site.clamp(min=0))
    keep = (row_site >= 0)[:, None]
    return torch.where(keep, rows, torch.zeros_like(rows))


def sparse_to_dense(features, dense_idx, batch_size, spatial_size):
    """Scatter rows into a zero [B, C, *spatial] tensor (axis 2+i = coordinate column i)."""
    spatial_size = [int(s) for s in spatial_size]
    vol = 1
    for s in spatial_size:
        vol *= s
    c = features.shape[1]
    flat = features.new_zeros((int(batch_size) * vol, c)).index_copy(0, dense_idx, features)
    d = len(spatial_size)
    dense = flat.reshape([int(batch_size)] + spatial_size + [c])
    return dense.permute(*([0, d + 1] + list(range(1, d + 1)))).contiguous()
