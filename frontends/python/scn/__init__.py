"""scn: a drop-in for SparseConvNet's Python API (``import scn`` as ``import sparseconvnet as scn``).

This package is the eager reference path of the SCN compiler: every module
runs in plain PyTorch (CPU or CUDA, autograd included), with SparseConvNet's
constructor arguments, parameter names, tensor layouts and numerical
conventions, so SparseConvNet state_dicts load unchanged.  The compiled
path (``scn.compile(model, example_input)``, see ``compiled.py``) traces the
same modules and runs them through scn-import-torch and scn-compile.
"""

from .metadata import Metadata
from .tensor import SparseConvNetTensor
from .nn import *  # noqa: F401,F403
from .nn import __all__ as _nn_all
from . import functional, geometry, nn
from .compiled import compile, load_compiled, CompiledNetwork, OutOfMemoryError  # noqa: A001

__all__ = ['Metadata', 'SparseConvNetTensor', 'functional', 'geometry', 'nn', 'compile',
           'load_compiled', 'CompiledNetwork', 'OutOfMemoryError'] + list(_nn_all)
