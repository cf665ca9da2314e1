"""Tracing an scn model to TorchScript for ``scn-import-torch``.

``torch.jit.trace`` of an scn model gives a graph of ``scn::`` custom ops
(see ``ops.py``) plus aten ops for activations and tables.  The traced
module must contain the InputLayer (that is where the sites tensors of the
graph are created) and must take and return plain tensors, so a model and
its input layer are wrapped in ``Network``::

    net = scn.tracing.Network(input_layer, model).eval()
    traced = scn.tracing.trace(net, coords, features)
    traced.save('model.pt')      # scn-import-torch model.pt -o net.mlir

The traced forward takes ``(coords [N, D+1] int64, features [N, C] float32)``
and returns the model's output (the features when the model ends on a
sparse tensor).
"""

import warnings

import torch

from .tensor import SparseConvNetTensor


class Network(torch.nn.Module):
    """``forward(coords, features)``: the input layer, then the model.

    ``input_layer`` may be None when ``model`` starts with its own input
    layer (e.g. ``Sequential(InputLayer(...), ...)``).  ``batch_size`` is
    the InputLayer's optional third input (0: from the coordinates).
    """

    def __init__(self, input_layer, model, batch_size=0):
        super(Network, self).__init__()
        self.input_layer = input_layer
        self.model = model
        self.batch_size = int(batch_size)

    def forward(self, coords, features):
        x = [coords, features] + ([self.batch_size] if self.batch_size else [])
        if self.input_layer is not None:
            x = self.input_layer(x)
        y = self.model(x)
        if isinstance(y, SparseConvNetTensor):
            return y.features
        if isinstance(y, (list, tuple)):
            return tuple(t.features if isinstance(t, SparseConvNetTensor) else t for t in y)
        return y


def trace(module, *example_inputs, **kwargs):
    """``torch.jit.trace`` with the settings an scn model needs.

    The trace check re-runs the model and compares outputs; it is off by
    default because the scn ops' kernels already are the eager code.
    Warnings the tracer gives for the modules' Python-side checks (shape
    comparisons that only validate the input) are silenced.
    """
    kwargs.setdefault('check_trace', False)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        return torch.jit.trace(module, tuple(example_inputs), **kwargs)
