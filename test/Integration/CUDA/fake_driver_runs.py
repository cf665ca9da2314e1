"""Child process of test_fake_driver_runs.py: runs a CUDA artifact (host
geometry) over the fake libcuda.so.1 of the unit tests, which must be
loaded before the runtime's first dlopen of the driver, hence a process of
its own. Prints one JSON object: the device bytes held after each of three
runs, the allocations a run makes, the streams each run creates and the
events alive after it, and for each injected out-of-memory
failure the run's error and the bytes held after it and after the next,
good, run; the same for each host buffer of a run refused in turn. Then,
with the weights resident and one run kept across calls, the launches and
allocations of each call (a call abandoned at its last host buffer comes
before the weight kept again), the run's prepared hits, and the bytes held once all is
released; `weights` names the arguments that are weights.

    fake_driver_runs.py FAKE_LIBCUDA ARTIFACT INPUTS.npz
"""

import ctypes
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "CPU"))
# scn/artifact.py as the other integration tests load it (without torch);
# loading it does not load the runtime, so the fake still comes first.
from test_arguments_read_only import artifact  # noqa: E402


def main():
    fake_path, artifact_path, inputs_path, weights = sys.argv[1:5]
    fake = ctypes.CDLL(fake_path, mode=ctypes.RTLD_GLOBAL)
    fake.scn_fake_cuda_calls.restype = ctypes.c_longlong
    fake.scn_fake_cuda_last.restype = ctypes.c_longlong
    lib, manifest = artifact.load_artifact(artifact_path, os.path.join(BUILD, "lib"))
    z = np.load(inputs_path)
    inputs = [z[i["name"]] for i in manifest["inputs"]]

    def held():
        return fake.scn_fake_cuda_last(b"allocated_bytes")

    def allocations():
        return fake.scn_fake_cuda_calls(b"cuMemAllocAsync") + \
            fake.scn_fake_cuda_calls(b"cuMemAllocManaged")

    def calls(entry):
        return fake.scn_fake_cuda_calls(entry.encode())

    report = {"held": [], "failures": [], "streams created": [], "events alive": []}
    for _ in range(3):
        before = allocations()
        streams = calls("cuStreamCreate")
        artifact.run_artifact(lib, manifest, inputs)
        report["held"].append(held())
        report["allocations"] = allocations() - before
        report["streams created"].append(calls("cuStreamCreate") - streams)
        report["events alive"].append(calls("cuEventCreate") - calls("cuEventDestroy"))
    n = report["allocations"]
    for k in sorted({0, 1, n // 2, n - 1}):
        fake.scn_fake_cuda_set(b"fail_allocation_after", ctypes.c_longlong(k))
        try:
            artifact.run_artifact(lib, manifest, inputs)
            error = None
        except RuntimeError as e:
            error = str(e)
        failed_held = held()
        fake.scn_fake_cuda_set(b"fail_allocation_after", ctypes.c_longlong(-1))
        artifact.run_artifact(lib, manifest, inputs)
        report["failures"].append({"after": k, "error": error, "held": failed_held,
                                   "held after the next run": held()})
    report["host failures"] = host_failures(lib, manifest, inputs, calls, held)
    report["device then host failure"] = device_then_host_failure(fake, lib, manifest, inputs,
                                                                  held, n - 1)
    report["resident"] = resident_calls(lib, manifest, inputs, weights.split(","), calls, held,
                                        len(report["host failures"]))
    print(json.dumps(report))


def host_failures(lib, manifest, inputs, calls, held):
    """Each host buffer of a run refused in turn (SCN_RUNTIME_FAIL_ALLOCATION,
    runtime/lib/CPU/GeneratedCall.h): the abandoned run's error, the device
    bytes and events it left, and the bytes held after the next, good, run."""
    out = []
    while True:
        os.environ["SCN_RUNTIME_FAIL_ALLOCATION"] = str(len(out) + 1)
        try:
            artifact.run_artifact(lib, manifest, inputs)
            break  # the run has fewer host buffers
        except RuntimeError as e:
            error = str(e)
        finally:
            del os.environ["SCN_RUNTIME_FAIL_ALLOCATION"]
        failure = {"error": error, "held": held(),
                   "events alive": calls("cuEventCreate") - calls("cuEventDestroy")}
        artifact.run_artifact(lib, manifest, inputs)
        failure["held after the next run"] = held()
        out.append(failure)
    return out


def device_then_host_failure(fake, lib, manifest, inputs, held, after):
    """A run whose device block after the first `after` fails (the GPU error
    is kept and later kernels skipped; the geometry is built) and then its
    first host buffer (the call is abandoned): its error, and the next
    run's (None: it ran), which the kept GPU error must not fail."""
    fake.scn_fake_cuda_set(b"fail_allocation_after", ctypes.c_longlong(after))
    os.environ["SCN_RUNTIME_FAIL_ALLOCATION"] = "1"
    try:
        artifact.run_artifact(lib, manifest, inputs)
        error = None
    except RuntimeError as e:
        error = str(e)
    finally:
        del os.environ["SCN_RUNTIME_FAIL_ALLOCATION"]
        fake.scn_fake_cuda_set(b"fail_allocation_after", ctypes.c_longlong(-1))
    try:
        artifact.run_artifact(lib, manifest, inputs)
        next_error = None
    except RuntimeError as e:
        next_error = str(e)
    return {"error": error, "next run's error": next_error, "held": held()}


def resident_calls(lib, manifest, inputs, weights, calls, held, host_buffers):
    """Calls with the weights resident: the first prepares the values derived
    from them alone (packed weights, batch norm's scale and shift) into a
    block of the process; the next ones, in the same kept run or in fresh
    runs, find it and launch fewer kernels; keeping one weight again (a new
    copy) makes the next call prepare them again, into a block that
    replaces the old one."""
    names = [i["name"] for i in manifest["inputs"]]
    kept = [a for name, a in zip(names, inputs) if name in weights]
    before = held()
    resident = artifact.ResidentParameters(lib, kept)
    weight_bytes = held() - before
    run = artifact.PersistentRun(lib)
    out = {"launches": [], "allocations": [], "prepared hits": [], "held": []}

    def call(persistent):
        launches, allocs = calls("cuLaunchKernel"), calls("cuMemAllocAsync")
        artifact.run_artifact(lib, manifest, inputs, persistent)
        out["launches"].append(calls("cuLaunchKernel") - launches)
        out["allocations"].append(calls("cuMemAllocAsync") - allocs)
        out["prepared hits"].append(run.prepared_hits)
        out["held"].append(held() - before - weight_bytes)

    call(run)
    call(run)
    call(None)  # a fresh run finds the process's block too
    # A call of the kept run abandoned at its last host buffer, after it
    # took the prepared block (a hit): the block must be given back, or the
    # replacement below could not free it.
    os.environ["SCN_RUNTIME_FAIL_ALLOCATION"] = str(host_buffers)
    try:
        artifact.run_artifact(lib, manifest, inputs, run)
        out["abandoned"] = None
    except RuntimeError as e:
        out["abandoned"] = str(e)
    finally:
        del os.environ["SCN_RUNTIME_FAIL_ALLOCATION"]
    # A batch norm's variance (prepared in f32 and f16 alike) kept again:
    # a new device copy, which may sit at the old one's address.
    again = next(a for name, a in zip(names, inputs) if name in weights and "var" in name)
    lib.scn_gpu_keep_resident(again.ctypes.data, again.nbytes)
    call(run)
    call(run)
    del run
    resident.release()
    out["held after release"] = held() - before
    return out


if __name__ == "__main__":
    main()
