#!/usr/bin/env python3
"""W1 with spconv's API on the GPU: the peer of bench/gpu/device_check.py.

The network of W1 (bench/cpu/run_cpu_bench.py: SubmanifoldConvolution(3, 1,
32, 3) + UNet(reps=2, [32, 64, 96, 128, 160], residual blocks, 2x2x2
downsampling) + BatchNormReLU) written with spconv 2.x modules (SubMConv3d,
SparseConv3d, SparseInverseConv3d, BatchNorm1d), the same layers and FLOPs
as SparseConvNet's UNet, on the LiDAR scan at 0.05 m (build/gpu-check/bench
/inputs.npz). Each timed run builds its rulebooks (a new SparseConvTensor),
like our end-to-end W1. fp32 and fp16, median of --repeat runs after two
warm-ups (Triton compiles its kernels in the first), with the output left
on the GPU and copied to the host (as our artifacts return it).

The peer is spconv 2.3.8 (spconv-cu126) when it imports: its wheels (97 MB)
exceed what a device call carries (64 MiB), so bench/gpu/stage_peer.sh packs
them installed (xz, 43 MiB) into build/peer.tar.xz, which bench/gpu/check.sh
unpacks into build/peer-site in the same call. Else spconv-Triton (a Triton re-implementation with spconv's
API, 70 KB), installed next to the check from the CPU machine:

    pip download --no-deps spconv-triton==1.0.0 -d /tmp/peer-wheels
    pip install --no-deps --target build/gpu-check/peer /tmp/peer-wheels/spconv_triton-1.0.0-py3-none-any.whl

    python3 bench/gpu/peer_w1.py [--repeat 5]      (on the GPU machine)
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(BUILD, "gpu-check", "peer"))
sys.path.insert(0, os.path.join(BUILD, "peer-site"))   # bench/gpu/stage_peer.sh
try:
    import spconv.pytorch as sp
    PEER = "spconv " + __import__("spconv").__version__
except ImportError:
    import spconv_triton.pytorch as sp
    PEER = "spconv-Triton " + __import__("spconv_triton").__version__


def bn_relu(c):
    return torch.nn.Sequential(torch.nn.BatchNorm1d(c), torch.nn.ReLU())


def features(x, f):
    return x.replace_feature(f(x.features))


class Residual(torch.nn.Module):
    """SparseConvNet's residual block: BN-ReLU, 3^3 conv, BN-ReLU, 3^3 conv,
    plus the input (through a 1x1 linear layer when the width changes)."""

    def __init__(self, a, b, key):
        super().__init__()
        self.skip = torch.nn.Linear(a, b, bias=False) if a != b else None
        self.bn1, self.bn2 = bn_relu(a), bn_relu(b)
        self.conv1 = sp.SubMConv3d(a, b, 3, bias=False, indice_key=key)
        self.conv2 = sp.SubMConv3d(b, b, 3, bias=False, indice_key=key)

    def forward(self, x):
        skip = x.features if self.skip is None else self.skip(x.features)
        y = self.conv1(features(x, self.bn1))
        y = self.conv2(features(y, self.bn2))
        return y.replace_feature(y.features + skip)


class UNet(torch.nn.Module):
    def __init__(self, planes, reps, level=0):
        super().__init__()
        key = f"subm{level}"
        self.down_blocks = torch.nn.ModuleList(
            Residual(planes[0], planes[0], key) for _ in range(reps))
        self.inner = None
        if len(planes) > 1:
            self.bn_down = bn_relu(planes[0])
            self.down = sp.SparseConv3d(planes[0], planes[1], 2, 2, bias=False,
                                        indice_key=f"down{level}")
            self.inner = UNet(planes[1:], reps, level + 1)
            self.bn_up = bn_relu(planes[1])
            self.up = sp.SparseInverseConv3d(planes[1], planes[0], 2, bias=False,
                                             indice_key=f"down{level}")
            self.up_blocks = torch.nn.ModuleList(
                Residual(planes[0] * (2 if i == 0 else 1), planes[0], key)
                for i in range(reps))

    def forward(self, x):
        for block in self.down_blocks:
            x = block(x)
        if self.inner is None:
            return x
        y = self.up(features(self.inner(self.down(features(x, self.bn_down))), self.bn_up))
        x = x.replace_feature(torch.cat([x.features, y.features], 1))
        for block in self.up_blocks:
            x = block(x)
        return x


class W1(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = sp.SubMConv3d(1, 32, 3, bias=False, indice_key="subm0")
        self.unet = UNet([32, 64, 96, 128, 160], reps=2)
        self.head = bn_relu(32)

    def forward(self, x):
        return features(self.unet(self.stem(x)), self.head)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    coords = np.load(os.path.join(BUILD, "gpu-check", "bench", "inputs.npz"))["coords"]
    # Ours: [x, y, z, batch]; spconv: [batch, z, y, x] int32.
    indices = torch.from_numpy(np.ascontiguousarray(
        np.stack([coords[:, 3], coords[:, 2], coords[:, 1], coords[:, 0]], 1))).int().cuda()
    shape = [int(coords[:, i].max()) + 2 for i in (2, 1, 0)]
    print(f"peer: {PEER}, torch {torch.__version__}, {len(coords)} sites")
    for dtype in (torch.float32, torch.float16):
        net = W1().cuda().eval().to(dtype)
        # The features bench/gpu/device_check.py gives ours.
        feats = torch.from_numpy(np.random.default_rng(1).uniform(
            -1.0, 1.0, (len(coords), 1)).astype(np.float32)).cuda().to(dtype)
        # On the GPU (spconv's own use), and with the output features copied
        # to the host as fp32, which is what our end-to-end times include.
        for to_host in (False, True):
            times = []
            with torch.no_grad():
                for i in range(a.repeat + 2):
                    torch.cuda.synchronize()
                    t = time.perf_counter()
                    out = net(sp.SparseConvTensor(feats, indices, shape, 1))
                    if to_host:
                        host = out.features.float().cpu()
                    torch.cuda.synchronize()
                    if i >= 2:
                        times.append(time.perf_counter() - t)
            where = "fp32 output on the host" if to_host else "output on the GPU"
            print(f"| W1 {PEER} {str(dtype).split('.')[-1]} | {where} | "
                  f"{1e3 * np.median(times):.1f} ms | {out.features.shape[0]} output rows |")
        del host

if __name__ == "__main__":
    main()
