#!/usr/bin/env python3
"""Handwritten digit classification with a sparse VGG network, trained
eagerly, then compiled with scn.compile.

    PYTHONPATH=frontends/python /usr/bin/python3 examples/handwriting/handwriting.py

The recipe follows SparseConvNet's handwriting examples (Assamese, Chinese
characters): each character is a sparse set of active sites in a 2D grid,
a SparseVggNet of submanifold convolutions and max-pooling shrinks the grid,
a strided convolution takes it to 1x1, and a per-site linear layer gives the
class scores.  Here the characters are 5,000 real handwritten digits
(examples/data/handwritten-digits.png); the whole classifier is scn modules,
so scn.compile compiles all of it, and the compiled network is checked
against the eager one on the held-out test set.

A quick run (about 10 s): --epochs 2 --train-per-class 200 --test-per-class 20
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import scn

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data',
                    'handwritten-digits.png')
DIGIT = 20          # each digit is a 20x20 tile
CLASSES = 10


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--train-per-class', type=int, default=400, help='of 500 digits per class')
    p.add_argument('--test-per-class', type=int, default=100,
                   help='held out, disjoint from the training digits')
    p.add_argument('--batch-size', type=int, default=100)
    p.add_argument('--lr', type=float, default=0.1)
    p.add_argument('--threshold', type=int, default=64,
                   help='a pixel is an active site when its grey level (0..255) is above this')
    # One thread by default: each layer's matrices are small (a few thousand
    # sites x 16-96 channels), so a second thread mostly adds synchronisation;
    # on a busy 2-core box it made an epoch 4x slower (9 s instead of 2.4 s).
    # Debian's torch 1.13 trains several times slower with 2 threads than
    # with 1 on the 2-core development machine, so one thread by default.
    p.add_argument('--threads', type=int, default=1,
                   help='threads of eager PyTorch and of the compiled network in the side-by-side '
                        'timing (the compiled one is also timed on every core)')
    p.add_argument('--repeats', type=int, default=5, help='timed passes over the test set')
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    if a.train_per_class + a.test_per_class > 500:
        p.error('--train-per-class + --test-per-class must be at most 500')
    return a


# -- data -----------------------------------------------------------------------

def load_digits(path=DATA):
    """(images uint8 [5000, 20, 20], labels int64 [5000]).

    The sheet is 50 rows x 100 columns of 20x20 digits; each class fills
    five consecutive rows (rows 0-4 are zeros, 5-9 ones, ...).
    """
    sheet = np.asarray(Image.open(path).convert('L'))
    rows, cols = sheet.shape[0] // DIGIT, sheet.shape[1] // DIGIT
    images = sheet.reshape(rows, DIGIT, cols, DIGIT).transpose(0, 2, 1, 3)
    images = images.reshape(rows * cols, DIGIT, DIGIT)
    labels = np.repeat(np.arange(rows) // (rows // CLASSES), cols)
    return images, labels


def split(labels, train_per_class, test_per_class, seed):
    """Indices of a fixed per-class split: the same digits every run with the same seed."""
    rng = np.random.RandomState(seed)
    train, test = [], []
    for c in range(CLASSES):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.append(idx[:train_per_class])
        test.append(idx[len(idx) - test_per_class:])
    return np.concatenate(train), np.concatenate(test)


def to_sparse(images, offsets, threshold):
    """[coords, features] for a batch: one site per pixel above the threshold.

    coords are (y, x, sample), the batch index last as scn.InputLayer takes
    it; each digit's 20x20 tile is placed at its (y, x) offset in the
    network's input grid.  The feature is the grey level in [0, 1], which
    keeps the stroke's anti-aliased edge.
    """
    images = torch.from_numpy(np.ascontiguousarray(images))
    b, y, x = torch.nonzero(images > threshold, as_tuple=True)
    offsets = torch.as_tensor(offsets, dtype=torch.int64)
    coords = torch.stack([y + offsets[b, 0], x + offsets[b, 1], b], 1)
    features = images[b, y, x].float().div_(255).unsqueeze(1)
    return [coords, features]


# -- model ----------------------------------------------------------------------

def build_model():
    """SparseVggNet down to 3x3, a 3/2 convolution to 1x1, a linear layer to 10 scores.

    The result is a dense [B, 10, 1, 1] tensor (SparseToDense at size 1x1),
    so the classifier head is an scn module too and gets compiled.
    """
    model = scn.Sequential(
        scn.SparseVggNet(2, 1, [['C', 16], ['C', 16], ['MP', 3, 2],
                                ['C', 32], ['C', 32], ['MP', 3, 2],
                                ['C', 48], ['C', 48], ['MP', 3, 2]]),
        scn.Convolution(2, 48, 96, 3, 2, False),
        scn.BatchNormReLU(96),
        scn.NetworkInNetwork(96, CLASSES, True),
        scn.SparseToDense(2, CLASSES))
    # SparseConvNet's BatchNorm momentum (0.99, the weight of the OLD running
    # statistics) suits long runs; after a few hundred steps the running
    # statistics would still be close to their initial 0/1, and eval-mode
    # accuracy would suffer.
    for m in model.modules():
        if isinstance(m, scn.BatchNormalization):
            m.momentum = 0.9
    return model


# -- training and evaluation ------------------------------------------------------

def train(model, input_layer, images, labels, args, centre):
    """SGD with Nesterov momentum and exponential learning-rate decay (as in
    SparseConvNet's recipes), each digit shifted by up to 2 pixels at random
    (the network has seen only a few thousand digits)."""
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=1e-4)
    decay = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.7)
    rng = np.random.RandomState(args.seed + 1)
    n = len(labels)
    steps = (n + args.batch_size - 1) // args.batch_size
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for step in range(steps):
            idx = order[step * args.batch_size:(step + 1) * args.batch_size]
            offsets = centre + rng.randint(-2, 3, size=(len(idx), 2))
            x = to_sparse(images[idx], offsets, args.threshold)
            y = torch.from_numpy(labels[idx])
            logits = model(input_layer(x)).view(len(idx), CLASSES)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y).sum())
            if sys.stdout.isatty():
                print('\repoch %d/%d  [%d/%d]  loss %.4f' % (epoch, args.epochs, step + 1, steps,
                                                            float(loss)), end='', flush=True)
        if sys.stdout.isatty():
            print('\r', end='')
        print('epoch %d/%d  time %5.1f s  lr %.4f  train loss %.4f  train acc %5.1f%%'
              % (epoch, args.epochs, time.perf_counter() - t0, opt.param_groups[0]['lr'],
                 loss_sum / n, 100.0 * correct / n), flush=True)
        decay.step()


def test_batches(images, labels, args, centre):
    """The test set as fixed input batches (every digit at the centre of the grid)."""
    batches = []
    for i in range(0, len(labels), args.batch_size):
        imgs = images[i:i + args.batch_size]
        offsets = np.tile(centre, (len(imgs), 1))
        batches.append((to_sparse(imgs, offsets, args.threshold), labels[i:i + args.batch_size]))
    return batches


def logits_of(run, batches):
    """[N, 10] scores of the whole test set; ``run`` maps [coords, features] to [B, 10, 1, 1]."""
    return torch.cat([run(x).reshape(len(y), CLASSES) for x, y in batches])


def time_passes(run, batches, repeats):
    """Median wall time of a full pass over the test batches, in seconds."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for x, _ in batches:
            run(x)
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def main():
    args = parse_args()
    start = time.perf_counter()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    images, labels = load_digits()
    # An empty digit would give a sample with no sites, and batches without
    # their last sample (the batch size comes from the largest batch index).
    empty = int((~(images > args.threshold).any(axis=(1, 2))).sum())
    if empty:
        raise SystemExit('--threshold %d leaves %d digits with no active pixel; use a lower one'
                         % (args.threshold, empty))
    train_idx, test_idx = split(labels, args.train_per_class, args.test_per_class, args.seed)
    model = build_model()
    size = model.input_spatial_size(torch.LongTensor([1, 1]))      # 31x31 for a 1x1 output
    input_layer = scn.InputLayer(2, size, mode=0)                    # one row per pixel
    centre = (np.array([int(s) for s in size]) - DIGIT) // 2
    print('digits: %d train, %d test (%d classes) | input grid %s, digit at offset %s'
          % (len(train_idx), len(test_idx), CLASSES, 'x'.join(str(int(s)) for s in size),
             tuple(int(c) for c in centre)))
    print('parameters: %d | threads: %d' % (sum(p.numel() for p in model.parameters()),
                                            args.threads))

    t = time.perf_counter()
    train(model, input_layer, images[train_idx], labels[train_idx], args, centre)
    train_s = time.perf_counter() - t

    model.eval()
    batches = test_batches(images[test_idx], labels[test_idx], args, centre)
    y_test = torch.from_numpy(labels[test_idx])

    def eager(x):
        with torch.no_grad():
            return model(input_layer(x))

    t = time.perf_counter()
    compiled = scn.compile(model, batches[0][0], input_layer=input_layer, verbose=True)
    compile_s = time.perf_counter() - t
    compiled.set_num_threads(args.threads)

    eager_logits = logits_of(eager, batches)
    compiled_logits = logits_of(compiled, batches)
    eager_acc = float((eager_logits.argmax(1) == y_test).float().mean()) * 100
    compiled_acc = float((compiled_logits.argmax(1) == y_test).float().mean()) * 100
    max_diff = float((compiled_logits - eager_logits).abs().max())
    agree = int((compiled_logits.argmax(1) == eager_logits.argmax(1)).sum())
    print('test accuracy: eager %.2f%%, compiled %.2f%%' % (eager_acc, compiled_acc))
    print('compiled vs eager: max |logit diff| %.2e, predictions agree on %d/%d digits'
          % (max_diff, agree, len(y_test)))

    eager_s = time_passes(eager, batches, args.repeats)
    compiled_s = time_passes(compiled, batches, args.repeats)
    n_test, n_batches = len(y_test), len(batches)

    print()
    print('%-28s %12s %12s' % ('', 'eager', 'compiled'))
    print('%-28s %11.2f%% %11.2f%%' % ('test accuracy', eager_acc, compiled_acc))
    print('%-28s %12.2f %12.2f' % ('median ms / batch of %d' % args.batch_size,
                                   1e3 * eager_s / n_batches, 1e3 * compiled_s / n_batches))
    print('%-28s %12.0f %12.0f' % ('digits / s', n_test / eager_s, n_test / compiled_s))
    print('%-28s %12s %12.2f' % ('scn.compile time (s)', '', compile_s))
    cores = os.cpu_count() or 1
    if cores > args.threads:
        compiled.set_num_threads(0)
        all_s = time_passes(compiled, batches, args.repeats)
        print('%-28s %12s %12.2f' % ('... compiled on all %d cores' % cores, '',
                                     1e3 * all_s / n_batches))
    print('threads: %d; training %.1f s, compiled speed-up %.1fx, total wall time %.1f s'
          % (args.threads, train_s, eager_s / compiled_s, time.perf_counter() - start))

    ok = max_diff < 1e-3
    print('compiled matches eager: %s' % ('yes' if ok else 'NO'))
    return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
