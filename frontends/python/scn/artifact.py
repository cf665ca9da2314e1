"""Load and run an scn-compile artifact with ctypes and numpy only.

``scn.compile`` uses this under its torch module; ``bench/gpu`` loads this
file by path on machines whose Python has numpy but not our package's
dependencies (the GPU machine): it imports nothing from ``scn``.

An artifact exports ``scn_model_entry(void **args)`` (the packed entry: the
run, then one memref descriptor per input, then the result descriptors) and
``scn_model_manifest`` (JSON: inputs, outputs, target).
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


_ABI_SYMBOL = 'scn_runtime_abi_'


def _abi_mismatch(path, compiled_for, runtime_id):
    return ArtifactError(
        "'%s' was compiled %s, but %s: recompile it with this build's scn-compile"
        % (path, 'for runtime ABI ' + compiled_for if compiled_for else 'before runtime ABI ids',
           'this libscn_runtime is ABI ' + runtime_id if runtime_id
           else 'the libscn_runtime it loaded is another'))


def _runtime_abi_id(lib):
    function = lib.scn_runtime_abi_id
    function.restype = ctypes.c_char_p
    function.argtypes = []
    return function().decode('ascii')


def _bind_runtime(lib):
    """The runtime calls from ``lib`` (the artifact: dlsym searches its dependencies)."""
    signatures = {
        'scn_run_create': (ctypes.c_void_p, []),
        'scn_run_destroy': (None, [ctypes.c_void_p]),
        'scn_run_status': (ctypes.c_int, [ctypes.c_void_p]),
        'scn_run_error_message': (ctypes.c_char_p, [ctypes.c_void_p]),
        'scn_model_entry': (None, [ctypes.POINTER(ctypes.c_void_p)]),
        'scn_gpu_init': (ctypes.c_int, [ctypes.c_int32]),
        'scn_gpu_take_error': (ctypes.c_int, []),
        'scn_last_error_message': (ctypes.c_char_p, []),
        'scn_run_set_reuse_geometry': (None, [ctypes.c_void_p, ctypes.c_int32]),
        'scn_run_geometry_hits': (ctypes.c_int64, [ctypes.c_void_p]),
        'scn_run_prepared_hits': (ctypes.c_int64, [ctypes.c_void_p]),
        'scn_run_clear_error': (None, [ctypes.c_void_p]),
        'scn_gpu_keep_resident': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int64]),
        'scn_gpu_release_resident': (None, [ctypes.c_void_p]),
        'scn_result_free': (None, [ctypes.c_void_p]),
        'scn_gpu_profile_reset': (None, []),
        'scn_gpu_synchronize': (ctypes.c_int, []),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name, None)
        if function is None:    # a runtime built without the CUDA layer
            continue
        function.restype = restype
        function.argtypes = argtypes


def load_artifact(path, runtime_dir=None):
    """(library, manifest) of the artifact at ``path``.  ``runtime_dir``: a
    directory whose libscn_runtime.so is loaded first (else the artifact's
    rpath or LD_LIBRARY_PATH finds it)."""
    runtime = os.path.join(runtime_dir, 'libscn_runtime.so') if runtime_dir else None
    if 'runtime' not in _libs and runtime and os.path.exists(runtime):
        _libs['runtime'] = ctypes.CDLL(runtime, mode=ctypes.RTLD_GLOBAL)
    runtime_lib = _libs.get('runtime')
    if runtime_lib is not None:
        # A truncated file would end the process inside dlopen (SIGBUS).
        check = runtime_lib.scn_artifact_check_file
        check.restype, check.argtypes = ctypes.c_int, [ctypes.c_char_p]
        if check(os.path.abspath(path).encode()) != 0:
            _bind_runtime(runtime_lib)
            raise ArtifactError(_last_error(runtime_lib))
    try:
        lib = ctypes.CDLL(os.path.abspath(path))
    except OSError as e:
        # The artifact refers to scn_runtime_abi_<id> of the runtime it was
        # compiled against (scn/Runtime/Codegen.h): no such symbol here.
        message = str(e)
        at = message.find(_ABI_SYMBOL)
        if at < 0:
            raise
        wanted = message[at + len(_ABI_SYMBOL):].split()[0].rstrip(':,')
        raise _abi_mismatch(path, wanted, runtime_lib and _runtime_abi_id(runtime_lib)) from None
    try:
        manifest = ctypes.string_at(ctypes.addressof(ctypes.c_char.in_dll(lib, 'scn_model_manifest')))
        _bind_runtime(lib)
        runtime_id = _runtime_abi_id(lib)
    except (ValueError, AttributeError) as e:
        raise ArtifactError("'%s' is not an scn-compile artifact: %s" % (path, e))
    manifest = json.loads(manifest.decode('utf-8'))
    # Loading checked the symbol; a manifest from before ABI ids means an
    # artifact that nothing checked.
    if manifest.get('runtime_abi') != runtime_id:
        raise _abi_mismatch(path, manifest.get('runtime_abi'), runtime_id)
    return lib, manifest


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


def entry_arguments(run, arrays, results):
    """The argument array of scn_model_entry: the run handle, each array's
    memref descriptor words (allocated and aligned pointer, offset, sizes,
    strides), then the results' words. Returns it with what must outlive
    the call and the arrays' addresses (results that alias an input are
    copied). The words go into one int64 array and their addresses are
    computed by numpy, not one ctypes object a word: for W1's 231 arrays
    0.30 ms against 0.56-0.61 ms on the 2-core machine (medians of 200,
    five alternating rounds; bench/gpu/host_waits.py --marshal times it)."""
    dummy = np.zeros(1, np.int64)
    input_ptrs = set()
    flat = []
    for a in arrays:
        ptr = a.ctypes.data if a.size else dummy.ctypes.data
        input_ptrs.add(ptr)
        shape = a.shape
        strides = [1] * len(shape)  # row-major (the arrays are contiguous)
        for i in range(len(shape) - 2, -1, -1):
            strides[i] = strides[i + 1] * shape[i + 1]
        flat += (ptr, ptr, 0, *shape, *strides)
    words = np.array(flat, dtype=np.int64)
    run_ptr = ctypes.c_void_p(run)
    pointers = np.empty(len(flat) + 2, np.uint64)
    pointers[0] = ctypes.addressof(run_ptr)
    pointers[1:-1] = np.uint64(words.ctypes.data) + np.uint64(8) * np.arange(len(flat),
                                                                          dtype=np.uint64)
    pointers[-1] = ctypes.addressof(results)
    keep = [dummy, run_ptr, words, pointers]
    return pointers.ctypes.data_as(ctypes.POINTER(ctypes.c_void_p)), keep, input_ptrs


def run_artifact(lib, manifest, arrays, persistent=None):
    """Runs the artifact on numpy arrays (the manifest's inputs, in order, C-contiguous);
    returns the result arrays (the manifest's outputs, in order).  Raises RuntimeError
    with the runtime's message, or the GPU's for a CUDA artifact.  ``persistent``: a
    PersistentRun to use (and keep) instead of a new run."""
    on_gpu = manifest.get('target', 'cpu') == 'cuda'
    if on_gpu:
        # The kernels were loaded with the library; a failure then is the sticky GPU error.
        if lib.scn_gpu_init(0) != 0:
            raise RuntimeError('this network was compiled for CUDA and needs a GPU: '
                               + _last_error(lib))
        if lib.scn_gpu_take_error() != 0:
            raise RuntimeError("the network's GPU kernels did not load: " + _last_error(lib))
    if persistent is not None:
        run = persistent.handle
        lib.scn_run_clear_error(run)
    else:
        run = lib.scn_run_create()
        if not run:
            raise MemoryError('scn_run_create failed')
    try:
        outputs = manifest['outputs']
        n_results = sum(3 + 2 * len(o['shape']) for o in outputs)
        results = (ctypes.c_int64 * max(1, n_results))()
        args, keep, input_ptrs = entry_arguments(run, arrays, results)
        lib.scn_model_entry(args)
        outs = _collect(lib, outputs, results, input_ptrs)
        # Taken even when the run failed (as scn::ModelRunner does): a
        # failure the run reports, such as an allocation's, is the sticky GPU
        # error too, and left there it would fail every later call.
        gpu_failed = on_gpu and lib.scn_gpu_take_error() != 0
        gpu_error = _last_error(lib) if gpu_failed else ''
        if lib.scn_run_status(run) != 0:
            msg = lib.scn_run_error_message(run)
            raise RuntimeError((msg or b'compiled network failed').decode('utf-8', 'replace'))
        # After a GPU error every later kernel is skipped: the outputs are not valid.
        if gpu_failed:
            raise RuntimeError('GPU error: ' + gpu_error)
        return outs
    finally:
        if persistent is None:
            lib.scn_run_destroy(run)


def _collect(lib, outputs, results, input_ptrs):
    """Arrays over the results, without a copy: each array owns what the
    compiled code allocated for it (shared by the results that view one
    buffer) and hands it to scn_result_free when the last view is gone
    (CUDA results are page-locked blocks of a pool kept across runs; a copy
    into fresh memory would fault every page in). Results that are inputs
    are copied."""
    outs, owners, at = [], {}, 0
    for o in outputs:
        rank = len(o['shape'])
        allocated, aligned, offset = results[at], results[at + 1], results[at + 2]
        shape = [int(v) for v in results[at + 3:at + 3 + rank]]
        strides = [int(v) for v in results[at + 3 + rank:at + 3 + 2 * rank]]
        at += 3 + 2 * rank
        dtype = np.dtype(DTYPES[o['dtype']])
        count = int(np.prod(shape)) if shape else 1
        owned = allocated and allocated not in input_ptrs
        if count == 0 or not aligned:
            arr = np.zeros(shape, dtype)
        else:
            extent = offset + 1 + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0)
            buf = (ctypes.c_char * (extent * dtype.itemsize)).from_address(aligned)
            arr = np.ndarray(shape, dtype, buffer=buf, offset=offset * dtype.itemsize,
                             strides=[s * dtype.itemsize for s in strides])
            if not owned:
                arr = arr.copy()
            elif allocated in owners:
                # Another result's buffer: this view keeps that one alive.
                buf.owner = owners[allocated]
            else:
                owners[allocated] = buf
                # Not at interpreter exit, when arrays that view the buffer
                # may still be read: the process's end reclaims it then.
                weakref.finalize(buf, lib.scn_result_free,
                                 ctypes.c_void_p(allocated)).atexit = False
        outs.append(arr)
    # Buffers no array ended up viewing (empty results).
    for a in {results[i] for i in _allocated_slots(outputs)} - set(owners) - input_ptrs - {0}:
        lib.scn_result_free(ctypes.c_void_p(a))
    return outs


def _allocated_slots(outputs):
    """The indices of the `allocated` words of the result descriptors."""
    at = 0
    for o in outputs:
        yield at
        at += 3 + 2 * len(o['shape'])
