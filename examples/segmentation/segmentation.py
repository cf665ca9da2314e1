#!/usr/bin/env python3
"""Semantic segmentation of an aerial LiDAR tile with a sparse 3D UNet,
trained eagerly with the scn package and then compiled with scn.compile.

    PYTHONPATH=frontends/python /usr/bin/python3 examples/segmentation/segmentation.py

The tile (examples/data/aerial-lidar-labelled.ply, 22,300 points) has
per-point labels ground / vegetation / roof on about 11% of its points
(the rest are -1, unlabelled).  A band across the tile is held out; the
network (SparseConvNet's UNet builder) trains on random rotated crops of
the rest, then predicts every point of the tile.  The script prints
per-class IoU on the held-out labelled points, checks that the compiled
network gives the eager network's logits, times both, and draws a
top-down picture of prediction vs. ground truth.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

import scn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from timing import median_ms  # noqa: E402  (shared by the examples)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data', 'aerial-lidar-labelled.ply')
CLASSES = ['ground', 'vegetation', 'roof']
COLOURS = ['#c8a86b', '#2e9e3a', '#d62728']     # ground, vegetation, roof
UNLABELLED_COLOUR = '#d0d0d0'
# The held-out band, in metres from the tile's south edge.  The labelled
# points are three separate patches (ground in the west, roofs in the
# middle, trees in the east), so no cut along one side of the tile holds
# out some of every class; a west-east band across the middle crosses all
# three (it holds out 65% / 44% / 44% of the ground / vegetation / roof
# labels, on 21% of the tile's area).
HELD_OUT_Y = (15.0, 39.0)


# -- data ----------------------------------------------------------------------

PLY_TYPES = {'char': 'i1', 'uchar': 'u1', 'short': '<i2', 'ushort': '<u2', 'int': '<i4',
             'uint': '<u4', 'float': '<f4', 'double': '<f8', 'int8': 'i1', 'uint8': 'u1',
             'int16': '<i2', 'uint16': '<u2', 'int32': '<i4', 'uint32': '<u4',
             'float32': '<f4', 'float64': '<f8'}


def read_ply(path):
    """The vertex element of a binary little-endian PLY file as a numpy structured array."""
    with open(path, 'rb') as f:
        if f.readline().strip() != b'ply':
            raise ValueError('%s: not a PLY file' % path)
        elements = []                           # [name, count, [(property, dtype)]]
        while True:
            line = f.readline()
            if not line:
                raise ValueError('%s: the header has no end_header' % path)
            words = line.decode('ascii').split()
            if not words or words[0] in ('comment', 'obj_info'):
                continue
            if words[0] == 'format' and words[1] != 'binary_little_endian':
                raise ValueError('%s: only binary_little_endian PLY is supported, got %s'
                                 % (path, words[1]))
            if words[0] == 'element':
                elements.append([words[1], int(words[2]), []])
            elif words[0] == 'property':
                if words[1] == 'list':
                    raise ValueError('%s: list properties are not supported' % path)
                elements[-1][2].append((words[2], PLY_TYPES[words[1]]))
            elif words[0] == 'end_header':
                break
        # The body is the elements back to back, in header order.
        for name, count, props in elements:
            data = np.fromfile(f, dtype=np.dtype(props), count=count)
            if len(data) != count:
                raise ValueError('%s: truncated %s data' % (path, name))
            if name == 'vertex':
                return data
    raise ValueError('%s: no vertex element' % path)


def point_features(n):
    """One constant feature per point: the network sees only the geometry.

    The colour in the file cannot be an input: it is a rendering of the
    label (black where unlabelled).  A height-above-local-ground feature
    was tried as a second input and made no difference on the held-out
    points (mean IoU over seeds 0-2: 99.1% with it, 98.9% without), so the
    3D shape alone, as in SparseConvNet's own examples, is the input: the
    UNet's receptive field is wide enough to see a roof's height above the
    ground around it.
    """
    return np.ones((n, 1), np.float32)


def voxel_coords(xyz, voxel, origin, batch=0):
    """Integer voxel coordinates, batch index last (scn.InputLayer's layout)."""
    c = np.floor((xyz - origin) / voxel).astype(np.int64)
    return np.concatenate([c, np.full((len(c), 1), batch, np.int64)], 1)


class Crops(object):
    """Random training samples: a disc of the training points around a labelled point,
    rotated about z, maybe mirrored, jittered; placed at the grid's centre."""

    def __init__(self, xyz, labels, voxel, size, radius, rng):
        self.xyz, self.labels = xyz, labels
        self.voxel, self.size, self.radius, self.rng = voxel, size, radius, rng
        self.centres = np.flatnonzero(labels >= 0)

    def sample(self, batch):
        coords, feats, labels = [], [], []
        for b in range(batch):
            centre = self.xyz[self.rng.choice(self.centres)]
            d = self.xyz[:, :2] - centre[:2]
            keep = np.flatnonzero((d ** 2).sum(1) < self.radius ** 2)
            a = self.rng.uniform(0, 2 * np.pi)
            rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
            if self.rng.random() < 0.5:
                rot[:, 0] = -rot[:, 0]
            p = np.empty((len(keep), 3))
            p[:, :2] = d[keep] @ rot.T
            p[:, 2] = self.xyz[keep, 2] - self.xyz[keep, 2].min()
            p += self.rng.normal(0, 0.05, p.shape)      # a few cm, less than a voxel
            # Centred in the grid (z from 1 voxel up, so that the jitter stays
            # inside), with a random sub-voxel shift so that the voxel
            # boundaries fall anywhere.
            origin = -np.array([self.size[0] / 2, self.size[1] / 2, 1]) * self.voxel \
                - self.rng.uniform(0, self.voxel, 3)
            coords.append(voxel_coords(p, self.voxel, origin, b))
            feats.append(point_features(len(keep)))
            labels.append(self.labels[keep])
        return (torch.from_numpy(np.concatenate(coords)), torch.from_numpy(np.concatenate(feats)),
                torch.from_numpy(np.concatenate(labels)).long())


# -- model -----------------------------------------------------------------------

def build_model(n_in, m, levels, spatial_size):
    """InputLayer (mode 4: points sharing a voxel are averaged) -> UNet -> a per-voxel
    linear classifier -> OutputLayer (each point gets its voxel's logits).  The
    classifier is a NetworkInNetwork so that scn.compile compiles the whole model."""
    return scn.Sequential(
        scn.InputLayer(3, torch.LongTensor(spatial_size), mode=4),
        scn.SubmanifoldConvolution(3, n_in, m, 3, False),
        scn.UNet(3, 1, [m * (i + 1) for i in range(levels)], residual_blocks=False,
                 downsample=[2, 2]),
        scn.BatchNormReLU(m),
        scn.NetworkInNetwork(m, len(CLASSES), True),
        scn.OutputLayer(3))


def recalibrate_batchnorm(model, crops, batches, batch_size):
    """Set every BatchNorm's running statistics to the average over `batches`
    training batches, with the final weights.

    SparseConvNet's running statistics move slowly (momentum 0.99), so after
    a short training they still describe the early, untrained network and
    the eval-mode model predicts badly.  A forward pass per batch, no
    gradients, fixes that; with the momentum k/(k+1) at the k-th batch the
    running value is the plain average of the batch statistics.
    """
    norms = [m for m in model.modules() if isinstance(m, scn.BatchNormalization)]
    saved = [m.momentum for m in norms]
    model.train()
    with torch.no_grad():
        for k in range(batches):
            for m in norms:
                m.momentum = k / (k + 1.0)
            coords, feats, _ = crops.sample(batch_size)
            model([coords, feats])
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    model.eval()


# -- metrics and picture ----------------------------------------------------------

def confusion(pred, truth, n):
    return np.bincount(truth * n + pred, minlength=n * n).reshape(n, n)


def iou(conf):
    tp = np.diag(conf).astype(np.float64)
    return tp / np.maximum(conf.sum(0) + conf.sum(1) - tp, 1)


def draw(path, xyz, pred, labels, held_out_y, title):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    order = np.argsort(xyz[:, 2])           # seen from above: draw the highest points last
    x, y = xyz[order, 0], xyz[order, 1]
    palette = np.array(COLOURS + [UNLABELLED_COLOUR])
    fig, axes = plt.subplots(1, 2, figsize=(12, 7), dpi=100)
    panels = [('prediction (every point)', pred[order]),
              ('labels (scored: the labelled points in the band)', np.where(labels < 0, 3, labels)[order])]
    for ax, (name, cls) in zip(axes, panels):
        # Without antialiasing the dots keep their exact colours: a few
        # colours compress well, so the PNG stays small.
        ax.scatter(x, y, c=palette[cls], s=3, linewidths=0, antialiased=False)
        ax.add_patch(Rectangle((x.min(), held_out_y[0]), x.max() - x.min(),
                               held_out_y[1] - held_out_y[0], fill=False, ls='--', lw=1.5,
                               ec='black'))
        ax.text(x.min() + 1, held_out_y[1] - 0.5, 'held out', va='top', fontsize=10,
                bbox=dict(fc='white', ec='none', alpha=0.8, pad=1))
        ax.set_title(name)
        ax.set_aspect('equal')
        ax.set_xlabel('x (m)')
    axes[0].set_ylabel('y (m)')
    handles = [Line2D([], [], ls='', marker='o', color=c, label=n)
               for n, c in zip(CLASSES + ['unlabelled'], list(COLOURS) + [UNLABELLED_COLOUR])]
    fig.legend(handles=handles, loc='lower center', ncol=4, frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- main --------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--iterations', type=int, default=300, help='training iterations')
    p.add_argument('--batch', type=int, default=4, help='crops per iteration')
    p.add_argument('--voxel', type=float, default=1.0, help='voxel size in metres')
    p.add_argument('--planes', type=int, default=16, help='feature planes at the top level')
    p.add_argument('--levels', type=int, default=4, help='UNet levels')
    p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--log-every', type=int, default=25)
    # One thread by default: the eager sparse ops are many small kernels, and on
    # a 2-core machine shared with other work PyTorch's second OpenMP thread
    # mostly waits for a core (measured here: 10-30x slower, not faster).
    # Debian's torch 1.13 trains several times slower with 2 threads than
    # with 1 on the 2-core development machine (most of the time in the
    # kernel), so eager runs on one thread by default.
    p.add_argument('--threads', type=int, default=1,
                   help='threads of PyTorch (eager) and of the compiled network in the '
                        'side-by-side timing (the compiled one is also timed on every core)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--png', default=os.path.join(HERE, 'segmentation.png'))
    args = p.parse_args()
    start = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    ply = read_ply(DATA)
    xyz = np.stack([ply['x'], ply['y'], ply['z']], 1)
    xyz -= xyz.min(0)                        # metres from the tile's corner
    labels = ply['label'].astype(np.int64)
    held = (xyz[:, 1] >= HELD_OUT_Y[0]) & (xyz[:, 1] < HELD_OUT_Y[1])
    train = ~held
    extent = xyz.max(0)
    print('tile: %d points, %.0f x %.0f x %.0f m; labelled: %s' % (
        len(xyz), extent[0], extent[1], extent[2],
        ', '.join('%s %d' % (c, (labels == k).sum()) for k, c in enumerate(CLASSES))))
    print('held out: y in [%g, %g) m, %d points (%d labelled); training: %d points (%d labelled)'
          % (HELD_OUT_Y + (held.sum(), (labels[held] >= 0).sum(),
                           train.sum(), (labels[train] >= 0).sum())))

    # One grid for the training crops and the whole tile: a power of two per
    # axis (the UNet halves it levels-1 times) that holds the tile.
    def pow2(n):
        return 1 << int(np.ceil(np.log2(n)))
    size = [pow2(max(extent[:2]) / args.voxel + 2)] * 2 + [pow2(extent[2] / args.voxel + 2)]
    # Nothing of the held-out band reaches training, not even its geometry.
    crops = Crops(xyz[train], labels[train], args.voxel, size, radius=20.0, rng=rng)
    model = build_model(1, args.planes, args.levels, size)
    n_params = sum(p.numel() for p in model.parameters())
    print('model: UNet, %d levels, %d planes at the top, %d parameters; voxel %g m, grid %s'
          % (args.levels, args.planes, n_params, args.voxel, 'x'.join(map(str, size))))

    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.iterations)
    model.train()
    t0 = time.perf_counter()
    loss_sum = correct = seen = 0
    for it in range(1, args.iterations + 1):
        coords, feats, y = crops.sample(args.batch)
        logits = model([coords, feats])
        loss = torch.nn.functional.cross_entropy(logits, y, ignore_index=-1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        mask = y >= 0
        loss_sum += float(loss)
        correct += int((logits.argmax(1)[mask] == y[mask]).sum())
        seen += int(mask.sum())
        if it % args.log_every == 0 or it == args.iterations:
            n = args.log_every if it % args.log_every == 0 else it % args.log_every
            print('iter %4d/%d  time %6.1fs  loss %.4f  train acc %5.1f%%  lr %.2e  voxels %d'
                  % (it, args.iterations, time.perf_counter() - t0, loss_sum / n,
                     100.0 * correct / max(seen, 1), scheduler.get_last_lr()[0],
                     len(torch.unique(coords, dim=0))), flush=True)
            loss_sum = correct = seen = 0

    recalibrate_batchnorm(model, crops, batches=20, batch_size=args.batch)
    # Inference on the whole tile: every point gets a class, the held-out
    # labelled points are scored.
    x = [torch.from_numpy(voxel_coords(xyz, args.voxel, np.zeros(3))),
         torch.from_numpy(point_features(len(xyz)))]
    with torch.no_grad():
        eager = model(x)
    t = time.perf_counter()
    compiled = scn.compile(model, x, verbose=True)
    compile_s = time.perf_counter() - t
    compiled.set_num_threads(args.threads)   # the same thread count on both paths
    out = compiled(x)
    diff = float((out - eager).abs().max())
    pred = eager.argmax(1).numpy()
    agree = float((out.argmax(1).numpy() == pred).mean())
    print('scn.compile: %.1f s; max |compiled - eager| logits = %.2e; same class for %.2f%% '
          'of points' % (compile_s, diff, 100 * agree))

    score = held & (labels >= 0)
    conf = confusion(pred[score], labels[score], len(CLASSES))
    ious = iou(conf)
    print('held-out IoU: ' + ', '.join('%s %.1f%%' % (c, 100 * v) for c, v in zip(CLASSES, ious))
          + '; mean IoU %.1f%%; accuracy %.1f%% (%d points)'
          % (100 * ious.mean(), 100.0 * np.trace(conf) / conf.sum(), conf.sum()))

    with torch.no_grad():
        eager_ms = median_ms(lambda: model(x), 5)
    compiled_ms = median_ms(lambda: compiled(x), 5)
    print('inference on the whole tile (%d points), median on %d thread(s): eager %.1f ms, '
          'compiled %.1f ms (%.1fx)' % (len(xyz), args.threads, eager_ms, compiled_ms,
                                       eager_ms / compiled_ms))
    cores = os.cpu_count() or 1
    if cores > args.threads:
        compiled.set_num_threads(0)
        print('compiled on all %d cores: %.1f ms' % (cores, median_ms(lambda: compiled(x), 5)))

    draw(args.png, xyz, pred, labels, HELD_OUT_Y,
         'Sparse 3D UNet on an aerial LiDAR tile: held-out mean IoU %.1f%%' % (100 * ious.mean()))
    print('picture: %s' % os.path.relpath(args.png))
    print('total: %.1f s' % (time.perf_counter() - start))
    # float32 sums in another order: agreement to a few ulps of the largest logit.
    assert diff <= 1e-4 * max(1.0, float(eager.abs().max())), 'compiled and eager logits differ'
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
