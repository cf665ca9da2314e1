#!/usr/bin/env python3
"""SparseConvNet's README "hello world", written with the scn package,
run eagerly and compiled with scn.compile.

    PYTHONPATH=frontends/python /usr/bin/python3 examples/hello-world/hello_world.py

Builds SparseConvNet's hello-world network (SparseVggNet + a submanifold
convolution + BatchNormReLU + SparseToDense) with the scn package, feeds it
the two messages of SparseConvNet's README (one feature 1.0 per 'X'),
compiles it for this CPU and checks that the compiled output equals the
eager one: 2 samples x 32 feature planes x 10 x 10.
"""

import os
import sys
import time

import torch

import scn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from timing import median_ms  # noqa: E402  (shared by the examples)

MESSAGES = [[" X   X  XXX  X    X    XX     X       X   XX   XXX   X    XXX   ",
             " X   X  X    X    X   X  X    X       X  X  X  X  X  X    X  X  ",
             " XXXXX  XX   X    X   X  X    X   X   X  X  X  XXX   X    X   X ",
             " X   X  X    X    X   X  X     X X X X   X  X  X  X  X    X  X  ",
             " X   X  XXX  XXX  XXX  XX       X   X     XX   X  X  XXX  XXX   "],
            [" XXX              XXXXX      x   x     x  xxxxx  xxx ",
             " X  X  X   XXX       X       x   x x   x  x     x  x ",
             " XXX                X        x   xxxx  x  xxxx   xxx ",
             " X     X   XXX       X       x     x   x      x    x ",
             " X     X          XXXX   x   x     x   x  xxxx     x "]]


def build_model():
    torch.manual_seed(0)
    model = scn.Sequential().add(
        scn.SparseVggNet(2, 1, [['C', 8], ['C', 8], ['MP', 3, 2],
                                ['C', 16], ['C', 16], ['MP', 3, 2],
                                ['C', 24], ['C', 24], ['MP', 3, 2]])
    ).add(scn.SubmanifoldConvolution(2, 24, 32, 3, False)
    ).add(scn.BatchNormReLU(32)
    ).add(scn.SparseToDense(2, 32))
    return model.eval()


def messages_input():
    locations = [[y, x, batch] for batch, msg in enumerate(MESSAGES)
                 for y, line in enumerate(msg) for x, c in enumerate(line) if c == 'X']
    locations = torch.LongTensor(locations)
    return [locations, torch.ones(len(locations), 1)]


def main():
    model = build_model()
    size = model.input_spatial_size(torch.LongTensor([10, 10]))
    input_layer = scn.InputLayer(2, size)
    x = messages_input()
    print('input spatial size:', 'x'.join(str(int(s)) for s in size),
          '| active sites:', len(x[0]))
    with torch.no_grad():
        eager = model(input_layer(x))
    t = time.perf_counter()
    compiled = scn.compile(model, x, input_layer=input_layer, verbose=True)
    compile_s = time.perf_counter() - t
    out = compiled(x)
    print('output:', 'x'.join(str(d) for d in out.shape),
          '(2 samples, 32 feature planes, 10x10)')
    err = float((out - eager).abs().max())
    print('max |compiled - eager| = %.2e' % err)
    with torch.no_grad():
        eager_ms = median_ms(lambda: model(input_layer(x)), 10)
    compiled_ms = median_ms(lambda: compiled(x), 10)
    print('scn.compile: %.2f s; median per run: eager %.2f ms, compiled %.2f ms'
          % (compile_s, eager_ms, compiled_ms))
    assert tuple(out.shape) == (2, 32, 10, 10) and err <= 1e-4
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
