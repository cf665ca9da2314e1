"""CUDA eager path: same results and gradients as the CPU path (skipped without a GPU)."""

import pytest
import torch

import scn
from scn_test_helpers import random_sites

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')


def build():
    return scn.Sequential(scn.SubmanifoldConvolution(3, 2, 8, 3, True),
                          scn.UNet(3, 1, [8, 12, 16], residual_blocks=True),
                          scn.MaxPooling(3, 2, 2), scn.UnPooling(3, 2, 2),
                          scn.FullConvolution(3, 8, 4, 3, 2, False),
                          scn.BatchNormReLU(4), scn.SparseToDense(3, 4))


def test_cuda_matches_cpu_forward_and_backward():
    torch.manual_seed(0)
    cpu = build().train()
    gpu = build().cuda().train()
    gpu.load_state_dict(cpu.state_dict())
    coords = random_sites(3, 32, 3000, batch=3)
    feats = torch.randn(len(coords), 2)
    outs, grads = [], []
    for net, dev in ((cpu, 'cpu'), (gpu, 'cuda')):
        f = feats.clone().to(dev).requires_grad_(True)
        x = scn.InputLayer(3, 32, mode=4)([coords.to(dev), f, 3])
        y = net(x)
        (y * torch.arange(y.numel(), device=dev).reshape(y.shape).sin()).sum().backward()
        outs.append(y.detach().cpu())
        grads.append(f.grad.cpu())
    torch.testing.assert_close(outs[1], outs[0], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(grads[1], grads[0], rtol=1e-3, atol=1e-3)
    for (n, a), (_, b) in zip(cpu.state_dict().items(), gpu.state_dict().items()):
        torch.testing.assert_close(b.cpu(), a, rtol=1e-4, atol=1e-4, msg=n)
