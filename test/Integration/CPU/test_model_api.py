"""The runtime's deployment API (scn/Runtime/Model.h) called the way a C
program calls it (ctypes here): the signature it reads from the manifest,
a run's results, every argument it refuses with a message that names what
is wrong, and concurrent calls on one model."""

import ctypes
import os
import subprocess
import threading

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
NETWORK = os.path.join(HERE, "subm1d.mlir")
MAX_RANK = 16
F32, I64, I32 = 0, 1, 2


class Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK)]


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK)]


@pytest.fixture(scope="module")
def rt():
    lib = ctypes.CDLL(os.path.join(BUILD, "lib", "libscn_runtime.so"))
    m = ctypes.c_void_p
    for name, restype, argtypes in [
            ("scn_model_load", ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(m)]),
            ("scn_model_from_entry", ctypes.c_int,
             [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(m)]),
            ("scn_model_free", None, [m]),
            ("scn_model_num_inputs", ctypes.c_int32, [m]),
            ("scn_model_num_outputs", ctypes.c_int32, [m]),
            ("scn_model_input_info", ctypes.c_int, [m, ctypes.c_int32,
                                                    ctypes.POINTER(TensorInfo)]),
            ("scn_model_output_info", ctypes.c_int, [m, ctypes.c_int32,
                                                     ctypes.POINTER(TensorInfo)]),
            ("scn_model_target", ctypes.c_char_p, [m]),
            ("scn_model_set_reuse_geometry", ctypes.c_int, [m, ctypes.c_int32]),
            ("scn_model_run", ctypes.c_int, [m, ctypes.POINTER(Tensor), ctypes.c_int32,
                                             ctypes.POINTER(Tensor), ctypes.c_int32]),
            ("scn_result_free", None, [ctypes.c_void_p]),
            ("scn_last_error_message", ctypes.c_char_p, [])]:
        f = getattr(lib, name)
        f.restype, f.argtypes = restype, argtypes
    return lib


@pytest.fixture(scope="module")
def model(rt, tmp_path_factory):
    so = str(tmp_path_factory.mktemp("model") / "net.so")
    subprocess.run([os.path.join(BUILD, "bin", "scn-compile"), NETWORK, "-o", so], check=True,
                   capture_output=True)
    handle = ctypes.c_void_p()
    assert rt.scn_model_load(so.encode(), ctypes.byref(handle)) == 0, \
        rt.scn_last_error_message()
    yield handle
    rt.scn_model_free(handle)


def tensor(a, dtype=None, rank=None):
    t = Tensor()
    t.data = a.ctypes.data if a.size else None
    t.dtype = {np.float32: F32, np.int64: I64, np.int32: I32}[a.dtype.type] \
        if dtype is None else dtype
    t.rank = a.ndim if rank is None else rank
    for d, n in enumerate(a.shape):
        t.shape[d] = n
    return t


COORDS = np.array([[1, 0], [2, 0], [5, 0]], np.int64)
FEATURES = np.array([[1.], [2.], [3.]], np.float32)


def run(rt, model, inputs, num_outputs=2):
    ins = (Tensor * max(1, len(inputs)))(*inputs)
    outs = (Tensor * max(1, num_outputs))()
    status = rt.scn_model_run(model, ins, len(inputs), outs, num_outputs)
    if status != 0:
        return status, rt.scn_last_error_message().decode()
    arrays = []
    for t in outs[:num_outputs]:
        shape = tuple(t.shape[:t.rank])
        dtype = {F32: np.float32, I64: np.int64, I32: np.int32}[t.dtype]
        n = int(np.prod(shape))
        a = np.ctypeslib.as_array((ctypes.c_char * (n * np.dtype(dtype).itemsize))
                                  .from_address(t.data)).view(dtype).reshape(shape).copy() \
            if n else np.zeros(shape, dtype)
        rt.scn_result_free(t.data)
        arrays.append(a)
    return 0, arrays


def test_signature(rt, model):
    assert rt.scn_model_target(model) == b"cpu"
    assert (rt.scn_model_num_inputs(model), rt.scn_model_num_outputs(model)) == (2, 2)
    info = TensorInfo()
    assert rt.scn_model_input_info(model, 0, ctypes.byref(info)) == 0
    assert (info.name, info.dtype, info.rank, list(info.shape[:2])) == (b"coords", I64, 2, [-1, 2])
    assert rt.scn_model_output_info(model, 0, ctypes.byref(info)) == 0
    assert (info.name, info.dtype, list(info.shape[:2])) == (b"output", F32, [-1, 1])
    assert rt.scn_model_input_info(model, 2, ctypes.byref(info)) != 0
    assert "input 2 is outside [0, 2)" in rt.scn_last_error_message().decode()


@pytest.mark.parametrize("reuse", [0, 1])
def test_run(rt, model, reuse):
    assert rt.scn_model_set_reuse_geometry(model, reuse) == 0
    try:
        for _ in range(2):
            status, (out, out_coords) = run(rt, model, [tensor(COORDS), tensor(FEATURES)])
            assert status == 0
            np.testing.assert_array_equal(out[:, 0], [210.5, 21.5, 30.5])
            np.testing.assert_array_equal(out_coords, COORDS)
    finally:
        rt.scn_model_set_reuse_geometry(model, 0)


def test_an_empty_batch(rt, model):
    status, (out, out_coords) = run(rt, model, [tensor(np.zeros((0, 2), np.int64)),
                                                tensor(np.zeros((0, 1), np.float32))])
    assert status == 0 and out.shape == (0, 1) and out_coords.shape == (0, 2)


@pytest.mark.parametrize("inputs, outputs, message", [
    (lambda: [tensor(COORDS)], 2, "the network takes 2 inputs, not 1"),
    (lambda: [tensor(COORDS), tensor(FEATURES)], 1, "the network returns 2 outputs, not 1"),
    (lambda: [tensor(COORDS), tensor(FEATURES.astype(np.int32))], 2,
     "input 'features' has dtype i32, expected f32"),
    (lambda: [tensor(COORDS), tensor(FEATURES, rank=1)], 2,
     "input 'features' has rank 1, expected 2"),
    (lambda: [tensor(COORDS), tensor(np.ones((3, 2), np.float32))], 2,
     "input 'features' dimension 1 is 2, expected 1"),
    (lambda: [tensor(COORDS), tensor(np.ones((3, 1), np.float32), dtype=F32)], 2, None),
    (lambda: [tensor(COORDS), _without_data(tensor(FEATURES))], 2,
     "input 'features' has 3 elements and no data"),
    (lambda: [tensor(np.array([[1, 0], [9, 0]], np.int64)),
              tensor(np.ones((2, 1), np.float32))], 2, "is outside [0, 8)"),
    (lambda: [tensor(COORDS), tensor(np.array([[1.], [np.nan], [3.]], np.float32))], 2,
     "input features contain NaN"),
])
def test_refused(rt, model, inputs, outputs, message):
    status, got = run(rt, model, inputs(), outputs)
    if message is None:
        assert status == 0
        return
    assert status != 0
    assert message in got, got


def _without_data(t):
    t.data = None
    return t


def test_concurrent_calls(rt, model):
    """Each call without reuse has its own run; ctypes lets the threads run
    the network at once."""
    results, errors = [], []

    def call():
        for _ in range(20):
            status, got = run(rt, model, [tensor(COORDS), tensor(FEATURES)])
            (results if status == 0 else errors).append(got)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 80
    for out, _ in results:
        np.testing.assert_array_equal(out[:, 0], [210.5, 21.5, 30.5])


@pytest.mark.parametrize("manifest, message", [
    (b"not json", "the entry has a malformed manifest"),
    (b'{"format": "other"}', "the entry has no scn-compile/1 manifest"),
    (b'{"format": "scn-compile/1", "inputs": [], "outputs": [], "target": "tpu"}',
     "names target 'tpu', neither cpu nor cuda"),
    (b'{"format": "scn-compile/1", "inputs": [{"name": "x", "dtype": "f8", "shape": [1]}],'
     b' "outputs": []}', "inputs 'x' has dtype 'f8'"),
])
def test_a_bad_manifest(rt, manifest, message):
    handle = ctypes.c_void_p()
    # The entry is never called: the manifest is read first.
    entry = ctypes.cast(rt.scn_result_free, ctypes.c_void_p)
    assert rt.scn_model_from_entry(entry, manifest, ctypes.byref(handle)) != 0
    assert message in rt.scn_last_error_message().decode()


def test_a_manifest_dimension_below_minus_one(rt):
    handle = ctypes.c_void_p()
    entry = ctypes.cast(rt.scn_result_free, ctypes.c_void_p)
    manifest = (b'{"format": "scn-compile/1", "inputs": [{"name": "x", "dtype": "f4", '
                b'"shape": [-2]}], "outputs": []}')
    assert rt.scn_model_from_entry(entry, manifest, ctypes.byref(handle)) != 0
    assert "inputs 'x' has a dimension of -2" in rt.scn_last_error_message().decode()


# Result descriptors as generated code may return them, from an entry
# written here (scn_model_from_entry): each case's rows must come back
# right, and nothing the caller does not own may be freed (a free() of the
# wrong pointer aborts the process).
_LIBC = ctypes.CDLL(None)
_LIBC.malloc.restype, _LIBC.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
ENTRY = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_void_p))
TWO_OUTPUTS = (b'{"format": "scn-compile/1", "inputs": [{"name": "x", "dtype": "f4", '
               b'"shape": [-1, 2]}], "outputs": [{"name": "a", "dtype": "f4", "shape": [-1, 2]},'
               b' {"name": "b", "dtype": "f4", "shape": [-1, 2]}]}')


def fake_entry(case):
    """An entry whose results are `case(x_pointer, rows)`: two descriptors of
    (allocated, aligned, offset, sizes, strides)."""
    def entry(args):
        word = lambda i: ctypes.cast(args[i], ctypes.POINTER(ctypes.c_int64))[0]
        pointer, rows = word(2), word(4)  # the input's aligned pointer, its rows
        results = ctypes.cast(args[8], ctypes.POINTER(ctypes.c_int64))
        for i, value in enumerate(case(pointer, rows)):
            results[i] = value
    return ENTRY(entry)


def malloc_rows(values, lead):
    """A malloc block of lead bytes then the float32 values (the aligned
    pointer)."""
    block = _LIBC.malloc(lead + values.nbytes)
    ctypes.memmove(block + lead, values.ctypes.data, values.nbytes)
    return block, block + lead


@pytest.mark.parametrize("case_name", ["alias the input", "one block, both views",
                                       "rows past the block's start", "a strided view"])
@pytest.mark.parametrize("rows", [0, 3])
def test_result_descriptors(rt, case_name, rows):
    x = np.arange(rows * 2, dtype=np.float32).reshape(rows, 2)
    expected_a = expected_b = x
    if case_name == "alias the input":
        case = lambda p, n: [p, p, 0, n, 2, 2, 1] * 2
    elif case_name == "one block, both views":
        block, aligned = malloc_rows(x * 10, 48)
        case = lambda p, n: [block, aligned, 0, n, 2, 2, 1] * 2
        expected_a = expected_b = x * 10
    elif case_name == "rows past the block's start":
        block, aligned = malloc_rows(x * 10, 48)
        block2, aligned2 = malloc_rows(x * 20, 16)
        case = lambda p, n: [block, aligned, 0, n, 2, 2, 1, block2, aligned2, 0, n, 2, 2, 1]
        expected_a, expected_b = x * 10, x * 20
    else:
        # b is x transposed in place: sizes [n, 2] over a [2, n] block.
        block, aligned = malloc_rows(np.ascontiguousarray(x.T) * 10, 0)
        case = lambda p, n: [p, p, 0, n, 2, 2, 1, block, aligned, 0, n, 2, 1, n]
        expected_b = x * 10
    entry = fake_entry(case)
    handle = ctypes.c_void_p()
    assert rt.scn_model_from_entry(ctypes.cast(entry, ctypes.c_void_p), TWO_OUTPUTS,
                                   ctypes.byref(handle)) == 0, rt.scn_last_error_message()
    try:
        status, got = run(rt, handle, [tensor(x)])
        assert status == 0, got
        np.testing.assert_array_equal(got[0], expected_a)
        np.testing.assert_array_equal(got[1], expected_b)
    finally:
        rt.scn_model_free(handle)


def test_an_empty_input_whose_other_sizes_overflow(rt):
    # [0, 2^40, 2^40] has no elements, but its row-major strides would be
    # 2^80: refused before the entry (never called here) sees them.
    entry = ctypes.cast(rt.scn_result_free, ctypes.c_void_p)
    manifest = (b'{"format": "scn-compile/1", "inputs": [{"name": "x", "dtype": "f4", '
                b'"shape": [-1, -1, -1]}], "outputs": []}')
    handle = ctypes.c_void_p()
    assert rt.scn_model_from_entry(entry, manifest, ctypes.byref(handle)) == 0, \
        rt.scn_last_error_message()
    try:
        x = tensor(np.zeros((0, 1, 1), np.float32))
        x.shape[1] = x.shape[2] = 1 << 40
        status, message = run(rt, handle, [x], num_outputs=0)
        assert status != 0
        assert "input 'x' has more than 2^63 elements" in message, message
    finally:
        rt.scn_model_free(handle)


def test_null_arguments_name_the_call(rt, model):
    ins = (Tensor * 2)(tensor(COORDS), tensor(FEATURES))
    assert rt.scn_model_run(None, ins, 2, None, 0) != 0
    assert rt.scn_last_error_message().decode().startswith("scn_model_run: model"), \
        rt.scn_last_error_message()
    assert rt.scn_model_run(model, ins, 2, None, 2) != 0
    assert rt.scn_last_error_message().decode() == "the array of 2 outputs is null"
