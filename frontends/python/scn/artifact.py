"""Load and run an scn-compile artifact with ctypes and numpy only.

``scn.compile`` uses this under its torch module; ``bench/gpu`` loads this
file by path on machines whose Python has numpy but not our package's
dependencies (the GPU machine): it imports nothing from ``scn``.

Runs go through the runtime's deployment API (scn/Runtime/Model.h:
scn_model_load, scn_model_run), as scn-run and C++ programs do; this file
passes numpy arrays in as scn_tensor_t and wraps the results, which the
runtime hands over, as numpy arrays without a copy.
"""

import ctypes
import json
import os
import weakref

import numpy as np

#: numpy dtypes of the manifest's dtype names.
DTYPES = {'f4': np.float32, 'i8': np.int64, 'i4': np.int32}

_libs = {}


class ArtifactError(RuntimeError):
    """The file is not an scn-compile artifact, or not one for this runtime."""


#: SCN_ERROR_OUT_OF_MEMORY (scn/Runtime/Status.h).
_OUT_OF_MEMORY = 4


class OutOfMemoryError(MemoryError, RuntimeError):
    """A call the runtime abandoned for want of memory (SCN_ERROR_OUT_OF_MEMORY:
    a buffer the system refused, on the host or the device; the message names
    its size and the op). A MemoryError, and a RuntimeError as the runtime's
    other errors; the network can be called again."""


def _bind_runtime(lib):
    """The runtime calls from ``lib`` (the artifact: dlsym searches its dependencies)."""
    signatures = {
        'scn_run_create': (ctypes.c_void_p, []),
        'scn_run_destroy': (None, [ctypes.c_void_p]),
        'scn_last_error_message': (ctypes.c_char_p, []),
        'scn_run_set_reuse_geometry': (None, [ctypes.c_void_p, ctypes.c_int32]),
        'scn_run_geometry_hits': (ctypes.c_int64, [ctypes.c_void_p]),
        'scn_run_prepared_hits': (ctypes.c_int64, [ctypes.c_void_p]),
        'scn_gpu_keep_resident': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int64]),
        'scn_gpu_release_resident': (None, [ctypes.c_void_p]),
        'scn_result_free': (None, [ctypes.c_void_p]),
        'scn_gpu_profile_reset': (None, []),
        'scn_gpu_synchronize': (ctypes.c_int, []),
        'scn_model_load': (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]),
        'scn_model_free': (None, [ctypes.c_void_p]),
        'scn_model_run': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32,
                                         ctypes.c_void_p, ctypes.c_int32]),
        'scn_model_run_in': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                            ctypes.c_int32, ctypes.c_void_p, ctypes.c_int32]),
        'scn_model_memory_info': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name, None)
        if function is None:    # a runtime built without the CUDA layer
            continue
        function.restype = restype
        function.argtypes = argtypes


def _runtime(runtime_dir):
    """libscn_runtime (loaded once, global, before any artifact that needs
    it): from ``runtime_dir``, or where the library path finds it; None when
    neither has it."""
    if 'runtime' not in _libs:
        path = os.path.join(runtime_dir, 'libscn_runtime.so') if runtime_dir else None
        try:
            _libs['runtime'] = ctypes.CDLL(path if path and os.path.exists(path)
                                           else 'libscn_runtime.so', mode=ctypes.RTLD_GLOBAL)
            _bind_runtime(_libs['runtime'])
        except OSError:
            return None
    return _libs['runtime']


def load_artifact(path, runtime_dir=None):
    """(library, manifest) of the artifact at ``path``.  ``runtime_dir``: a
    directory whose libscn_runtime.so is loaded first (else the library
    path's, or the one beside the artifact, as a deployment ships them).
    The runtime's scn_model_load checks the file before dlopen (a truncated
    one would end the process), the runtime ABI it was compiled for and its
    manifest; its message becomes the ArtifactError.  Without a runtime
    found there, the artifact is not loaded at all: nothing would check it."""
    path = os.path.abspath(path)
    loader = _runtime(runtime_dir) or _runtime(os.path.dirname(path))
    if loader is None:
        raise ArtifactError("no libscn_runtime.so in %s, beside '%s' or on the library path: "
                            "the runtime that checks and runs the artifact"
                            % (runtime_dir or '(no runtime directory given)', path))
    model = ctypes.c_void_p()
    if loader.scn_model_load(path.encode(), ctypes.byref(model)) != 0:
        raise ArtifactError(_last_error(loader))
    # The artifact's own handle (dlopen counts references: the same
    # library), for its manifest.
    lib = ctypes.CDLL(path)
    try:
        manifest = ctypes.string_at(ctypes.addressof(ctypes.c_char.in_dll(lib, 'scn_model_manifest')))
        _bind_runtime(lib)
    except (ValueError, AttributeError) as e:
        loader.scn_model_free(model)
        raise ArtifactError("'%s' is not an scn-compile artifact: %s" % (path, e))
    lib.scn_model = model.value
    # Freed with the library object. The finalizer must not hold `lib` (a
    # function of it does, through ctypes), or it would keep it alive: a
    # pointer to the runtime's function, which stays loaded, does not.
    free = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(
        ctypes.cast(lib.scn_model_free, ctypes.c_void_p).value)
    weakref.finalize(lib, free, model.value).atexit = False
    return lib, json.loads(manifest.decode('utf-8'))


class _MemoryInfo(ctypes.Structure):
    """scn_model_memory_info_t (scn/Runtime/Model.h)."""
    _fields_ = [(name, ctypes.c_int64) for name in (
        'block_bytes', 'calls', 'calls_in_block', 'plans', 'block_allocations',
        'heap_allocations')]


def memory_info(lib):
    """The block the artifact's model keeps for its network's buffers and how
    its calls used it (scn_model_memory_info), as a dict."""
    info = _MemoryInfo()
    if lib.scn_model_memory_info(lib.scn_model, ctypes.byref(info)) != 0:
        raise RuntimeError(_last_error(lib))
    return {name: getattr(info, name) for name, _ in _MemoryInfo._fields_}


def _last_error(lib):
    msg = lib.scn_last_error_message()
    return (msg or b'unknown error').decode('utf-8', 'replace')


class ResidentParameters:
    """Keeps parameter arrays (weights) on the GPU while it lives
    (scn_gpu_keep_resident): CUDA artifacts that take them as arguments then
    read the device copies instead of uploading them in every call.  The
    arrays must stay alive and unchanged meanwhile: the runtime finds a copy
    by the array's address and size, so a change in place would run with
    stale weights.  Each array is therefore made read-only (numpy's
    ``writeable`` flag) while it is kept, so that writing through it raises
    instead; other views of the same memory (a torch tensor, say) are not
    guarded.  ``release()`` (or the object's end) drops the copies and
    makes the arrays writeable again."""

    def __init__(self, lib, arrays):
        self.lib = lib
        for a in arrays:
            # run_artifact passes a contiguous copy of any other array,
            # whose address would never match the kept one.
            if not a.flags['C_CONTIGUOUS']:
                raise ValueError('ResidentParameters: arrays must be C-contiguous, as '
                                 'run_artifact receives them')
        self.arrays = [a for a in arrays if a.size]
        self.kept = []  # (array, whether it was writeable)
        for a in self.arrays:
            if lib.scn_gpu_keep_resident(a.ctypes.data, a.nbytes) != 0:
                self.release()
                raise RuntimeError('keeping parameters on the GPU: ' + _last_error(lib))
            self.kept.append((a, a.flags.writeable))
            a.flags.writeable = False

    def release(self):
        for a, writeable in self.kept:
            self.lib.scn_gpu_release_resident(a.ctypes.data)
            if writeable:
                a.flags.writeable = True
        self.kept = []

    def __del__(self):
        if getattr(self, 'kept', None):
            self.release()


class PersistentRun:
    """A run kept across calls that reuses its site sets and kernel maps
    (and, for CUDA, their device copies) when the coordinates repeat: what
    benchmarks call "maps prebuilt" (scn_run_set_reuse_geometry)."""

    def __init__(self, lib):
        self.lib = lib
        self.handle = lib.scn_run_create()
        if not self.handle:
            raise MemoryError('scn_run_create failed')
        lib.scn_run_set_reuse_geometry(self.handle, 1)

    @property
    def hits(self):
        """Geometry calls answered from what the run kept, so far."""
        return self.lib.scn_run_geometry_hits(self.handle)

    @property
    def prepared_hits(self):
        """Calls that found the values derived from the parameters alone
        (packed weights, batch norm's scale and shift) kept from an earlier
        call, so far (scn_cg_gpu_prepared)."""
        return self.lib.scn_run_prepared_hits(self.handle)

    def __del__(self):
        if getattr(self, 'handle', None):
            self.lib.scn_run_destroy(self.handle)
            self.handle = None


#: SCN_MAX_TENSOR_RANK (scn/Runtime/Model.h).
_MAX_RANK = 16


class _Tensor(ctypes.Structure):
    """scn_tensor_t (scn/Runtime/Model.h)."""
    _fields_ = [('data', ctypes.c_void_p), ('dtype', ctypes.c_int), ('rank', ctypes.c_int32),
                ('shape', ctypes.c_int64 * _MAX_RANK)]


#: scn_tensor_t as a numpy record, to fill the inputs' array by columns.
_TENSOR = np.dtype([('data', np.uint64), ('dtype', np.int32), ('rank', np.int32),
                    ('shape', np.int64, (_MAX_RANK,))])
assert _TENSOR.itemsize == ctypes.sizeof(_Tensor)
#: scn_dtype_t of each numpy dtype, and back.
_CODES = {np.dtype(np.float32): 0, np.dtype(np.int64): 1, np.dtype(np.int32): 2}
_TYPES = {code: dtype for dtype, code in _CODES.items()}


def input_tensors(arrays, manifest=None):
    """The scn_tensor_t array of scn_model_run over numpy arrays (C-contiguous;
    they are read in place). Filled by columns: W1's 231 arrays in about
    0.2 ms (bench/gpu/host_waits.py --marshal)."""
    tensors = np.zeros(len(arrays), _TENSOR)
    codes = []
    for i, a in enumerate(arrays):
        names = manifest['inputs'] if manifest else []
        name = names[i]['name'] if i < len(names) else str(i)
        if not isinstance(a, np.ndarray):
            raise TypeError("input '%s': a numpy array, not %s" % (name, type(a).__name__))
        code = _CODES.get(a.dtype)
        problem = ('dtype %s is not f4, i8 or i4' % a.dtype if code is None
                   else 'not C-contiguous' if not a.flags['C_CONTIGUOUS']
                   else 'rank %d is more than %d' % (a.ndim, _MAX_RANK)
                   if a.ndim > _MAX_RANK else None)
        if problem:
            raise ValueError("input '%s': %s" % (name, problem))
        codes.append(code)
    tensors['data'] = [a.ctypes.data if a.size else 0 for a in arrays]
    tensors['dtype'] = codes
    tensors['rank'] = [a.ndim for a in arrays]
    shapes = tensors['shape']
    for i, a in enumerate(arrays):
        shapes[i, :a.ndim] = a.shape
    return tensors


def run_artifact(lib, manifest, arrays, persistent=None):
    """Runs the artifact on numpy arrays (the manifest's inputs, in order, C-contiguous);
    returns the result arrays (the manifest's outputs, in order).  Raises RuntimeError
    with the runtime's message (the op's or the input's; for a CUDA artifact also the
    GPU's); OutOfMemoryError, a RuntimeError and a MemoryError, where memory was
    refused.  ``persistent``: a PersistentRun to use (and keep) instead of a new run."""
    tensors = input_tensors(arrays, manifest)
    n = len(manifest['outputs'])
    results = (_Tensor * max(1, n))()
    if persistent is not None:
        status = lib.scn_model_run_in(lib.scn_model, persistent.handle, tensors.ctypes.data,
                                      len(arrays), ctypes.addressof(results), n)
    else:
        status = lib.scn_model_run(lib.scn_model, tensors.ctypes.data, len(arrays),
                                   ctypes.addressof(results), n)
    if status == _OUT_OF_MEMORY:
        raise OutOfMemoryError(_last_error(lib))
    if status != 0:
        raise RuntimeError(_last_error(lib))
    return [_adopt(lib, t) for t in results[:n]]


def _adopt(lib, tensor):
    """A numpy array over a result the runtime handed over, without a copy:
    it owns the memory and hands it to scn_result_free when it is gone
    (CUDA results are page-locked blocks of a pool kept across runs; a copy
    into fresh memory would fault every page in)."""
    dtype = _TYPES[tensor.dtype]
    shape = tuple(tensor.shape[:tensor.rank])
    if not tensor.data:
        return np.zeros(shape, dtype)
    count = int(np.prod(shape)) if shape else 1
    buf = (ctypes.c_char * (count * dtype.itemsize)).from_address(tensor.data)
    # Not at interpreter exit, when arrays that view the buffer may still be
    # read: the process's end reclaims it then.
    weakref.finalize(buf, lib.scn_result_free, ctypes.c_void_p(tensor.data)).atexit = False
    return np.ndarray(shape, dtype, buffer=buf)
