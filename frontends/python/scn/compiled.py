"""``scn.compile``: run an scn model through the compiler (trace, import, scn-compile).

    compiled = scn.compile(model, [coords, features], target='cpu')
    y = compiled([coords, features])          # same input form as model(...)

``model`` is called the way SparseConvNet users call it: on the InputLayer's
input ``[coords, features]`` (or ``[coords, features, batch_size]``), so it
starts with its InputLayer (``scn.Sequential(scn.InputLayer(...), ...)`` or a
module whose forward calls its input layer).  When the input layer is a
separate module, pass it: ``scn.compile(model, x, input_layer=input_layer)``
compiles ``model(input_layer(x))``.

The pipeline: ``scn.tracing`` traces the model (on a copy, so tracing leaves
the model's buffers alone) -> ``torch.jit.save`` -> ``scn-import-torch
--output-coords`` -> ``scn-compile --target=cpu`` -> the shared library is
loaded with ctypes.  Shapes are dynamic: other point counts and batch sizes
run on the same artifact without recompiling.  Weights are compile-time
constants (a later change to the model's parameters needs a new
``scn.compile``).

Outputs mirror the eager model's: a dense tensor (OutputLayer,
SparseToDense, ...) is the same tensor; a sparse output is a
``SparseConvNetTensor`` whose rows are in the compiled runtime's order (first
appearance of each site in the input; a downsampled set in the order of its
first contributing input site), with the coordinates of those rows
(``get_spatial_locations()``); the eager path gives sorted order, so compare
sparse outputs by coordinate.  A train-mode BatchNorm's updated running
statistics are not written back; they are in ``compiled.updated_buffers``
(state_dict name -> tensor) after each call.

Tools are looked up in ``$SCN_TOOLS_DIR`` (the directory holding
scn-import-torch and scn-compile), else ``$SCN_BUILD_DIR/bin``, else the
repository's ``build/bin``; the runtime library in ``<build>/lib`` (the
artifact also finds it through its rpath).
"""

import copy
import ctypes
import json
import os
import shutil
import subprocess
import tempfile
import time
import weakref

import numpy as np
import torch

from .artifact import (DTYPES, ArtifactError, OutOfMemoryError, load_artifact, memory_info,  # noqa: F401
                       run_artifact)
from .metadata import Metadata
from .geometry import SiteSet
from .tensor import SparseConvNetTensor
from .tracing import trace

__all__ = ['compile', 'CompiledNetwork', 'tools_dir', 'tools_available', 'CompileError']

#: Number of artifacts built by this process (tests check that a call does not rebuild).
build_count = 0


class CompileError(RuntimeError):
    """A step of the compile pipeline (import or scn-compile) failed; the message is the tool's."""


_REPO_BUILD = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'build'))


def _build_dir():
    return os.environ.get('SCN_BUILD_DIR') or _REPO_BUILD


def tools_dir():
    """Directory holding scn-import-torch and scn-compile."""
    return os.environ.get('SCN_TOOLS_DIR') or os.path.join(_build_dir(), 'bin')


def _tool(name):
    return os.path.join(tools_dir(), name)


def tools_available():
    """True when scn-import-torch and scn-compile exist (a reason string otherwise is in
    ``missing_tools()``)."""
    return not missing_tools()


def missing_tools():
    return [n for n in ('scn-import-torch', 'scn-compile') if not os.access(_tool(n), os.X_OK)]


def _run_tool(args, what):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        raise CompileError('%s failed (exit %d): %s' % (what, r.returncode,
                                                        (r.stderr or r.stdout).strip()))
    return r


class _StepPrinter:
    """``scn.compile(verbose=True)``: one line per step with its time."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.start = self.last = time.perf_counter()

    def __call__(self, what, total=False):
        now = time.perf_counter()
        if self.verbose:
            print('scn.compile: %-60s %6.2f s' % (what, now - (self.start if total else self.last)),
                  flush=True)
        self.last = now





# -- what gets traced -------------------------------------------------------------

class _Traced(torch.nn.Module):
    """forward(*tensors): the model on the input list; records the output structure.

    The input list is the traced tensors plus the constant ints of the example
    input (an InputLayer's batch_size); a bare-tensor example input (e.g. for
    DenseToSparse) is passed as is.
    """

    def __init__(self, input_layer, model, layout):
        super(_Traced, self).__init__()
        self.input_layer = input_layer
        self.model = model
        self.layout = layout        # None: one bare tensor; else per-element 'tensor' or an int
        self.structure = None

    def _input(self, tensors):
        if self.layout is None:
            return tensors[0]
        it = iter(tensors)
        return [next(it) if kind == 'tensor' else kind for kind in self.layout]

    def forward(self, *tensors):
        x = self._input(tensors)
        if self.input_layer is not None:
            x = self.input_layer(x)
        y = self.model(x)
        outs = list(y) if isinstance(y, (list, tuple)) else [y]
        structure, flat = [], []
        for o in outs:
            if isinstance(o, SparseConvNetTensor):
                structure.append(('sparse', tuple(int(v) for v in o.spatial_size.tolist()),
                                  o.metadata.dimension))
                flat.append(o.features)
            elif isinstance(o, torch.Tensor):
                structure.append(('tensor',))
                flat.append(o)
            else:
                raise TypeError('scn.compile: the model returns a %s; only SparseConvNetTensors '
                                'and tensors (or a list/tuple of them) can be compiled'
                                % type(o).__name__)
        self.structure = (isinstance(y, (list, tuple)), type(y), structure)
        return tuple(flat) if len(flat) > 1 else flat[0]


class _TracedCoordsFeatures(_Traced):
    """The usual case, with the inputs named as the IR's arguments: coords, features."""

    def forward(self, coords, features):
        return _Traced.forward(self, coords, features)


class _TracedDense(_Traced):
    def forward(self, dense):
        return _Traced.forward(self, dense)


def _traced_module(input_layer, model, layout, n_tensors):
    cls = _TracedCoordsFeatures if n_tensors == 2 else _TracedDense if n_tensors == 1 else _Traced
    return cls(input_layer, model, layout)


def _split_input(x):
    """(tensors, layout) of a model input: a list [coords, features(, batch_size)] or a tensor."""
    if isinstance(x, torch.Tensor):
        return [x], None
    if not isinstance(x, (list, tuple)):
        raise TypeError('scn.compile: the input must be a list [coords, features(, batch_size)] '
                        'or a tensor, got %s' % type(x).__name__)
    tensors, layout = [], []
    for e in x:
        if isinstance(e, torch.Tensor):
            tensors.append(e)
            layout.append('tensor')
        elif isinstance(e, (int, np.integer)):
            layout.append(int(e))
        else:
            raise TypeError('scn.compile: input elements must be tensors or ints, got %s'
                            % type(e).__name__)
    return tensors, layout


# -- the compiled module -------------------------------------------------------------

class CompiledNetwork(torch.nn.Module):
    """A network compiled by ``scn.compile``; ``forward`` takes what the eager model takes."""

    def __init__(self, library, manifest, layout, structure, workdir, buffer_prefix=''):
        super(CompiledNetwork, self).__init__()
        self._lib = library
        self.manifest = manifest
        self.inputs = manifest['inputs']
        self.outputs = manifest['outputs']
        self._layout = layout
        self._returns_sequence, self._return_type, self._structure = structure
        self.workdir = workdir
        self.artifact = os.path.join(workdir, 'net.so')
        self.mlir = os.path.join(workdir, 'net.mlir')
        self._buffer_prefix = buffer_prefix
        self.updated_buffers = {}
        n_flat = len(self._structure)
        names = ['output'] if n_flat == 1 else ['output%d' % i for i in range(n_flat)]
        by_name = {o['name']: i for i, o in enumerate(self.outputs)}
        if len(self.outputs) == 1:
            by_name = {names[0]: 0}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise CompileError('the artifact has no result %s (manifest outputs: %s)'
                               % (missing, [o['name'] for o in self.outputs]))
        self._result_index = [by_name[n] for n in names]
        self._coords_index = [by_name.get(n + '_coords') for n in names]
        for s, c in zip(self._structure, self._coords_index):
            if s[0] == 'sparse' and c is None:
                raise CompileError('the artifact does not return the coordinates of a sparse '
                                   'output (import with --output-coords)')
        used = set(self._result_index) | set(i for i in self._coords_index if i is not None)
        self._buffer_results = [(i, o['name']) for i, o in enumerate(self.outputs) if i not in used]

    def save(self, directory):
        """Writes the artifact (``net.so``, and ``net.mlir`` when there is one)
        and what ``forward`` needs beside it (``scn-compiled.json``: the input
        layout and the output structure) into ``directory``.
        ``scn.load_compiled(directory)`` gives this network back, in another
        process too, without the model or a trace.  The artifact runs only
        with the runtime it was compiled against (its ABI id): a later build
        refuses it and says to compile again."""
        os.makedirs(directory, exist_ok=True)

        def place(source, name):
            # Into a new file, renamed over the old: a net.so that this
            # process has loaded keeps its pages (rewriting it in place would
            # end the process on the next call into it), and saving into the
            # directory the network came from keeps its files.
            target = os.path.join(directory, name)
            if os.path.exists(target) and os.path.samefile(source, target):
                return
            partial = target + '.partial'
            shutil.copyfile(source, partial)
            os.replace(partial, target)

        place(self.artifact, 'net.so')
        if os.path.exists(self.mlir):
            place(self.mlir, 'net.mlir')
        described = {
            'format': _SAVED_FORMAT,
            'layout': self._layout,
            'returns_sequence': self._returns_sequence,
            'return_type': {list: 'list', tuple: 'tuple'}.get(self._return_type),
            'structure': [list(s) for s in self._structure],
            'buffer_prefix': self._buffer_prefix,
        }
        with open(os.path.join(directory, _SAVED_DESCRIPTION), 'w') as f:
            json.dump(described, f, indent=1)

    def set_num_threads(self, n):
        """Threads for later calls: ``n`` >= 1, or 0 for every core.

        Sets both thread pools a compiled network uses: the runtime's map
        builders (``scn_set_num_threads``, process-wide) and the OpenMP team
        of the generated kernels (``omp_set_num_threads`` of the calling
        thread).  Results do not depend on it.
        """
        n = int(n)
        if n < 0:
            raise ValueError('set_num_threads: n = %d must be >= 0' % n)
        self._lib.scn_set_num_threads(ctypes.c_int32(n))
        self._lib.omp_set_num_threads(ctypes.c_int(n or (os.cpu_count() or 1)))

    def memory_info(self):
        """The block the loaded network keeps for its buffers between calls,
        planned from its first call, and how its calls used it (a dict of
        ``scn_model_memory_info``: block_bytes, calls, calls_in_block, plans,
        block_allocations and heap_allocations of the last call)."""
        return memory_info(self._lib)

    def extra_repr(self):
        return 'artifact=%s, inputs=%s, outputs=%s' % (
            self.artifact, [i['name'] for i in self.inputs], [o['name'] for o in self.outputs])

    # -- marshalling ----------------------------------------------------------
    def _arrays(self, x):
        tensors, layout = _split_input(x)
        if (layout is None) != (self._layout is None) or \
                (layout is not None and len(layout) != len(self._layout)):
            raise ValueError('scn.compile: the compiled network takes inputs like its example '
                             '(%s), got %s' % (self._describe_layout(), self._describe(layout)))
        if layout is not None:
            for got, want in zip(layout, self._layout):
                if want != 'tensor' and got != want:
                    raise ValueError('scn.compile: batch_size %s was compiled in as a constant; '
                                     'got %s (compile again for another value)' % (want, got))
        if len(tensors) != len(self.inputs):
            raise ValueError('scn.compile: %d input tensors, the artifact takes %d'
                             % (len(tensors), len(self.inputs)))
        arrays = []
        for t, sig in zip(tensors, self.inputs):
            a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype=DTYPES[sig['dtype']])
            shape = sig['shape']
            if a.ndim != len(shape) or any(s >= 0 and s != d for s, d in zip(shape, a.shape)):
                raise ValueError("scn.compile: input '%s' has shape %s, the compiled network "
                                 "takes %s (-1: any)" % (sig['name'], list(a.shape), shape))
            arrays.append(a)
        return arrays

    def _describe_layout(self):
        return self._describe(self._layout)

    @staticmethod
    def _describe(layout):
        if layout is None:
            return 'one tensor'
        return '[%s]' % ', '.join('tensor' if k == 'tensor' else 'int' for k in layout)

    def run_arrays(self, arrays):
        """Run on numpy arrays (the manifest's inputs, in order); returns the result arrays
        (the manifest's outputs, in order).  Raises RuntimeError with the runtime's message
        (OutOfMemoryError, also a MemoryError, where memory was refused)."""
        return run_artifact(self._lib, self.manifest, arrays)

    # -- forward ---------------------------------------------------------------
    def forward(self, *x):
        if len(x) > 1:          # compiled(coords, features) as well as compiled([coords, features])
            x = list(x)
        else:
            x = x[0]
        arrays = self._arrays(x)
        outs = self.run_arrays(arrays)
        batch = self._batch_size(x, arrays)
        results = []
        for s, r, c in zip(self._structure, self._result_index, self._coords_index):
            features = torch.from_numpy(outs[r])
            if s[0] == 'sparse':
                _, size, dim = s
                coords = torch.from_numpy(outs[c])
                b = max(batch, int(coords[:, dim].max()) + 1 if len(coords) else 1)
                m = Metadata(dim)
                m.set_sites(SiteSet(coords, size, b))
                results.append(SparseConvNetTensor(features, m, size))
            else:
                results.append(features)
        self.updated_buffers = {name[len(self._buffer_prefix):] if name.startswith(
            self._buffer_prefix) else name: torch.from_numpy(outs[i])
            for i, name in self._buffer_results}
        if not self._returns_sequence:
            return results[0]
        return list(results) if self._return_type is list else tuple(results)

    def _batch_size(self, x, arrays):
        if self._layout is not None:
            ints = [k for k in self._layout if k != 'tensor']
            if ints:
                return int(ints[0])
        for a, sig in zip(arrays, self.inputs):
            if sig['dtype'] == 'i8' and a.ndim == 2 and a.shape[0]:
                return int(a[:, -1].max()) + 1
        return 1


_SAVED_FORMAT = 'scn-compiled/1'
_SAVED_DESCRIPTION = 'scn-compiled.json'


def load_compiled(directory):
    """The ``CompiledNetwork`` that ``CompiledNetwork.save(directory)`` wrote:
    it takes and returns what the compiled model did, without the model's
    code, a trace or the compiler tools (only this build's runtime)."""
    path = os.path.join(directory, _SAVED_DESCRIPTION)
    try:
        with open(path) as f:
            described = json.load(f)
    except (OSError, ValueError) as e:
        raise CompileError("scn.load_compiled: cannot read '%s': %s" % (path, e))
    if not isinstance(described, dict) or described.get('format') != _SAVED_FORMAT:
        raise CompileError("scn.load_compiled: '%s' is not a saved scn.compile network (%s)"
                           % (path, _SAVED_FORMAT))
    try:
        structure = [('sparse', tuple(int(v) for v in s[1]), int(s[2])) if s[0] == 'sparse'
                     else ('tensor',) for s in described['structure']]
        return_type = {'list': list, 'tuple': tuple}.get(described['return_type'])
        returns_sequence = bool(described['returns_sequence'])
        layout, prefix = described['layout'], str(described.get('buffer_prefix', ''))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise CompileError("scn.load_compiled: '%s' is malformed: %r" % (path, e))
    try:
        lib, manifest = load_artifact(os.path.join(directory, 'net.so'),
                                      os.path.join(_build_dir(), 'lib'))
    except (ArtifactError, OSError) as e:
        raise CompileError('scn.load_compiled: %s' % e)
    return CompiledNetwork(lib, manifest, layout, (returns_sequence, return_type, structure),
                           directory, buffer_prefix=prefix)


def compile(model, example_input, target='cpu', input_layer=None, workdir=None,
            opt_level=None, verbose=False, chips=None,
            element_type=None, activations=None):  # noqa: A001 (scn.compile, like torch.compile)
    """Compile ``model`` (called on ``example_input``) and return a ``CompiledNetwork``.

    ``example_input``: what the eager model takes, ``[coords, features]``
    (coords int64 ``[N, D+1]``, batch last; features float32 ``[N, C]``),
    optionally with a batch size, or a dense tensor for DenseToSparse.
    ``input_layer``: a separate InputLayer applied before ``model``.
    ``workdir``: keep the artifacts (model.pt, net.mlir, net.so) there
    instead of a temporary directory removed with the module.
    ``target``: 'cpu', or 'cuda' (kernels for ``chips``, default
    ``['sm_80', 'sm_90']``, plus PTX that newer GPUs compile; needs ptxas from
    the CUDA toolkit to compile and a GPU to run; inputs and outputs are
    still CPU arrays, copied to and from the GPU by the call).
    ``element_type``: for 'cuda', 'f32' (default), or 'f16' / 'bf16' / 'tf32'
    to run convolutions whose channels are multiples of 16 on tensor cores
    (sm_80 or newer; inputs rounded to that type, fp32 accumulators; tf32
    keeps fp32's range with 10 bits of mantissa).
    ``activations``: for 'cuda', 'f32' (default), or 'f16' / 'bf16' to store
    the feature rows between layers in that type (half the bytes; kernels
    compute in fp32; inputs and outputs stay float32 arrays).
    ``verbose``: print one line per step (trace, import, scn-compile, load)
    with its time, for networks whose compile takes a while.  Tracing runs the
    model once on ``example_input``, so a small example (a crop of a scan)
    compiles faster; the artifact runs any point count.
    """
    global build_count
    if target not in ('cpu', 'cuda'):
        raise ValueError("scn.compile: unknown target %r (use 'cpu' or 'cuda')" % (target,))
    if chips is not None and target != 'cuda':
        raise ValueError("scn.compile: chips are for target='cuda'")
    if element_type is not None and target != 'cuda':
        raise ValueError("scn.compile: element_type is for target='cuda' (the CPU target is f32)")
    if element_type not in (None, 'f32', 'f16', 'bf16', 'tf32'):
        raise ValueError("scn.compile: element_type %r is not 'f32', 'f16', 'bf16' or 'tf32'"
                         % (element_type,))
    if activations is not None and target != 'cuda':
        raise ValueError("scn.compile: activations is for target='cuda' (the CPU target is f32)")
    if activations not in (None, 'f32', 'f16', 'bf16'):
        raise ValueError("scn.compile: activations %r is not 'f32', 'f16' or 'bf16'"
                         % (activations,))
    missing = missing_tools()
    if missing:
        raise CompileError('scn.compile: %s not found in %s (build them, or set SCN_TOOLS_DIR / '
                           'SCN_BUILD_DIR)' % (', '.join(missing), tools_dir()))
    step = _StepPrinter(verbose)
    tensors, layout = _split_input(example_input)
    if any(t.is_cuda for t in tensors):
        tensors = [t.cpu() for t in tensors]
    # Trace a CPU copy: tracing runs the model once, which must not touch the
    # caller's model (train-mode BatchNorm updates its running statistics).
    net = _traced_module(copy.deepcopy(input_layer), copy.deepcopy(model), layout,
                         len(tensors)).cpu()
    state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    with torch.no_grad():
        traced = trace(net, *tensors)
        for k, v in traced.state_dict().items():
            if k in state:
                v.copy_(state[k])
    step('traced the model on %d input rows' % (tensors[0].shape[0] if tensors else 0))
    if net.structure is None:
        raise CompileError('scn.compile: tracing did not run the model')
    own_dir = workdir is None
    workdir = tempfile.mkdtemp(prefix='scn-compile-') if own_dir else workdir
    os.makedirs(workdir, exist_ok=True)
    try:
        pt = os.path.join(workdir, 'model.pt')
        ir = os.path.join(workdir, 'net.mlir')
        so = os.path.join(workdir, 'net.so')
        traced.save(pt)
        _run_tool([_tool('scn-import-torch'), pt, '--output-coords', '-o', ir], 'scn-import-torch')
        step('scn-import-torch: TorchScript -> scn dialect')
        args = [_tool('scn-compile'), ir, '--target=' + target, '-o', so]
        if chips:
            args.append('--chip=' + ','.join(chips))
        if element_type:
            args.append('--element-type=' + element_type)
        if activations:
            args.append('--activations=' + activations)
        if opt_level is not None:
            args.append('-O%d' % int(opt_level))
        _run_tool(args, 'scn-compile')
        step('scn-compile: scn dialect -> %s code (%.1f MB)'
             % ('native' if target == 'cpu' else 'host and CUDA', os.path.getsize(so) / 1e6))
        build_count += 1
        try:
            lib, manifest = load_artifact(so, os.path.join(_build_dir(), 'lib'))
        except ArtifactError as e:
            raise CompileError(str(e))
        step('loaded; total', total=True)
        compiled = CompiledNetwork(lib, manifest, layout, net.structure, workdir,
                                   buffer_prefix='model.')
    except BaseException:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    if own_dir:
        # The library stays mapped after its file is gone; remove the directory with the module.
        weakref.finalize(compiled, shutil.rmtree, workdir, True)
    return compiled
