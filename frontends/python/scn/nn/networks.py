"""Network builders with SparseConvNet's signatures and module nesting.

The nesting (which Sequential/ConcatTable holds which layer, in which
order) is part of the contract: it fixes the state_dict names, so weights
trained with SparseConvNet load into these networks unchanged.
"""


from .batchnorm import BatchNormReLU, BatchNormLeakyReLU
from .convolution import SubmanifoldConvolution, Convolution, Deconvolution, NetworkInNetwork
from .pooling import MaxPooling, UnPooling
from .tables import Sequential, ConcatTable, JoinTable, AddTable, Identity


def SparseVggNet(dimension, nInputPlanes, layers):
    """VGG-style net of submanifold convolutions.

    ``layers`` entries: 'MP' or ['MP', size, stride] (max pooling),
    'C3/2' or ['C3/2', n] (strided conv 3/2 + BNReLU), ['C', n] (SC 3 +
    BNReLU), and the 'plus' variants ['C', a, b], ['C', a, b, c],
    ['C', a, b, c, d] that concatenate an SC branch with 1, 2 or 3
    down-up branches (stride 2 then back with Deconvolution).
    """
    nPlanes = nInputPlanes
    m = Sequential()

    def down_up(n, depth):
        # Convolution 3/2 down `depth` times then Deconvolution 3/2 back up,
        # with SC 3 + BNReLU at every level; the upward path mirrors the
        # downward one except that the last Deconvolution has no BNReLU after it.
        s = Sequential()
        for level in range(depth):
            s.add(Convolution(dimension, nPlanes if level == 0 else n, n, 3, 2, False))
            s.add(BatchNormReLU(n))
            s.add(SubmanifoldConvolution(dimension, n, n, 3, False))
            s.add(BatchNormReLU(n))
        for level in range(depth):
            s.add(Deconvolution(dimension, n, n, 3, 2, False))
            if level < depth - 1:
                s.add(BatchNormReLU(n))
                s.add(SubmanifoldConvolution(dimension, n, n, 3, False))
                s.add(BatchNormReLU(n))
        return s

    for x in layers:
        if x == 'MP':
            m.add(MaxPooling(dimension, 3, 2))
        elif x[0] == 'MP':
            m.add(MaxPooling(dimension, x[1], x[2]))
        elif x == 'C3/2':
            m.add(Convolution(dimension, nPlanes, nPlanes, 3, 2, False))
            m.add(BatchNormReLU(nPlanes))
        elif x[0] == 'C3/2':
            m.add(Convolution(dimension, nPlanes, x[1], 3, 2, False))
            nPlanes = x[1]
            m.add(BatchNormReLU(nPlanes))
        elif x[0] == 'C' and 2 <= len(x) <= 5:
            if len(x) == 2:
                m.add(SubmanifoldConvolution(dimension, nPlanes, x[1], 3, False))
            else:
                t = ConcatTable().add(SubmanifoldConvolution(dimension, nPlanes, x[1], 3, False))
                for depth, n in enumerate(x[2:], 1):
                    t.add(down_up(n, depth))
                m.add(t).add(JoinTable())
            nPlanes = sum(x[1:])
            m.add(BatchNormReLU(nPlanes))
        else:
            raise ValueError('SparseVggNet: unknown layer description %r' % (x,))
    return m


def SparseResNet(dimension, nInputPlanes, layers):
    """Pre-activated ResNet; ``layers`` = [[block_type, nPlanes, reps, stride], ...]
    with block_type starting with 'b' (basic block)."""
    nPlanes = nInputPlanes
    m = Sequential()

    def shortcut(nIn, nOut, stride):
        if stride > 1:
            return Convolution(dimension, nIn, nOut, 3, stride, False)
        if nIn != nOut:
            return NetworkInNetwork(nIn, nOut, False)
        return Identity()

    for blockType, n, reps, stride in layers:
        for rep in range(reps):
            if blockType[0] == 'b':
                if rep == 0:
                    m.add(BatchNormReLU(nPlanes))
                    first = (SubmanifoldConvolution(dimension, nPlanes, n, 3, False) if stride == 1
                             else Convolution(dimension, nPlanes, n, 3, stride, False))
                    m.add(ConcatTable()
                          .add(Sequential().add(first).add(BatchNormReLU(n))
                               .add(SubmanifoldConvolution(dimension, n, n, 3, False)))
                          .add(shortcut(nPlanes, n, stride)))
                else:
                    m.add(ConcatTable()
                          .add(Sequential().add(BatchNormReLU(nPlanes))
                               .add(SubmanifoldConvolution(dimension, nPlanes, n, 3, False))
                               .add(BatchNormReLU(n))
                               .add(SubmanifoldConvolution(dimension, n, n, 3, False)))
                          .add(Identity()))
            nPlanes = n
            m.add(AddTable())
    m.add(BatchNormReLU(nPlanes))
    return m


def UNet(dimension, reps, nPlanes, residual_blocks=False, downsample=[2, 2], leakiness=0,
         n_input_planes=-1):
    """U-Net: at each level ``reps`` blocks, then (except at the bottom) a
    ConcatTable(Identity, down-U-up) + JoinTable and ``reps`` more blocks.

    Blocks are pre-activation: residual (ConcatTable(Identity or NIN,
    BNLeakyReLU-SC-BNLeakyReLU-SC) + AddTable) or VGG (BNLeakyReLU-SC).
    Down/up sampling is Convolution/Deconvolution(downsample[0], downsample[1]).
    """

    def block(m, a, b):
        if residual_blocks:
            m.add(ConcatTable()
                  .add(Identity() if a == b else NetworkInNetwork(a, b, False))
                  .add(Sequential()
                       .add(BatchNormLeakyReLU(a, leakiness=leakiness))
                       .add(SubmanifoldConvolution(dimension, a, b, 3, False))
                       .add(BatchNormLeakyReLU(b, leakiness=leakiness))
                       .add(SubmanifoldConvolution(dimension, b, b, 3, False)))
                  ).add(AddTable())
        else:
            m.add(Sequential()
                  .add(BatchNormLeakyReLU(a, leakiness=leakiness))
                  .add(SubmanifoldConvolution(dimension, a, b, 3, False)))

    def level(planes, n_in=-1):
        m = Sequential()
        for i in range(reps):
            block(m, n_in if n_in != -1 else planes[0], planes[0])
            n_in = -1
        if len(planes) > 1:
            m.add(ConcatTable()
                  .add(Identity())
                  .add(Sequential()
                       .add(BatchNormLeakyReLU(planes[0], leakiness=leakiness))
                       .add(Convolution(dimension, planes[0], planes[1],
                                        downsample[0], downsample[1], False))
                       .add(level(planes[1:]))
                       .add(BatchNormLeakyReLU(planes[1], leakiness=leakiness))
                       .add(Deconvolution(dimension, planes[1], planes[0],
                                          downsample[0], downsample[1], False))))
            m.add(JoinTable())
            for i in range(reps):
                block(m, planes[0] * (2 if i == 0 else 1), planes[0])
        return m

    return level(list(nPlanes), n_input_planes)


def FullyConvolutionalNet(dimension, reps, nPlanes, residual_blocks=False, downsample=[2, 2]):
    """Like UNet but the way back up is UnPooling and every level's features are
    concatenated (output channels = sum(nPlanes))."""

    def block(m, a, b):
        if residual_blocks:
            m.add(ConcatTable()
                  .add(Identity() if a == b else NetworkInNetwork(a, b, False))
                  .add(Sequential()
                       .add(BatchNormReLU(a))
                       .add(SubmanifoldConvolution(dimension, a, b, 3, False))
                       .add(BatchNormReLU(b))
                       .add(SubmanifoldConvolution(dimension, b, b, 3, False)))
                  ).add(AddTable())
        else:
            m.add(Sequential()
                  .add(BatchNormReLU(a))
                  .add(SubmanifoldConvolution(dimension, a, b, 3, False)))

    def level(planes):
        m = Sequential()
        for _ in range(reps):
            block(m, planes[0], planes[0])
        if len(planes) > 1:
            m.add(ConcatTable()
                  .add(Identity())
                  .add(Sequential()
                       .add(BatchNormReLU(planes[0]))
                       .add(Convolution(dimension, planes[0], planes[1],
                                        downsample[0], downsample[1], False))
                       .add(level(planes[1:]))
                       .add(UnPooling(dimension, downsample[0], downsample[1]))))
            m.add(JoinTable())
        return m

    return level(list(nPlanes))
