"""A small 2D network trains: SGD with train-mode batch norm and dropout lowers the loss."""

import torch

import scn


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.sparse = scn.Sequential(
            scn.SubmanifoldConvolution(2, 1, 8, 3, False),
            scn.BatchNormReLU(8),
            scn.MaxPooling(2, 3, 2),
            scn.SubmanifoldConvolution(2, 8, 16, 3, True),
            scn.BatchNormLeakyReLU(16),
            scn.Dropout(0.1),
            scn.Convolution(2, 16, 16, 3, 2, False),
            scn.BatchNormalization(16),
            scn.SparseToDense(2, 16))
        self.input = scn.InputLayer(2, self.sparse.input_spatial_size(torch.LongTensor([3, 3])))
        self.linear = torch.nn.Linear(16 * 3 * 3, 2)

    def forward(self, coords, feats, batch):
        x = self.sparse(self.input([coords, feats, batch]))
        return self.linear(x.reshape(x.shape[0], -1))

def make_batch(n, seed):
    """Class 0: horizontal strokes, class 1: vertical strokes (15x15 grid)."""
    g = torch.Generator().manual_seed(seed)
    coords, labels = [], []
    for b in range(n):
        label = b % 2
        r = int(torch.randint(2, 13, (1,), generator=g))
        s = int(torch.randint(0, 5, (1,), generator=g))
        for t in range(s, s + 9):
            coords.append([r, t, b] if label == 0 else [t, r, b])
        labels.append(label)
    coords = torch.tensor(coords)
    return coords, torch.ones(len(coords), 1), torch.tensor(labels)

def test_sgd_lowers_loss():
    torch.manual_seed(0)
    net = Net()
    assert net.input.spatial_size.tolist() == [15, 15]
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    coords, feats, labels = make_batch(16, 0)
    net.train()
    losses = []
    for step in range(12):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(coords, feats, 16), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.6 * losses[0], losses
    # every parameter received a gradient, and BN running stats moved (SCN momentum)
    assert all(p.grad is not None for p in net.parameters())
    bn = net.sparse[1]
    assert not torch.allclose(bn.running_mean, torch.zeros(8))
    # eval mode runs deterministically (dropout scales by 1 - p)
    net.eval()
    with torch.no_grad():
        a = net(coords, feats, 16)
        b = net(coords, feats, 16)
    assert torch.equal(a, b)
