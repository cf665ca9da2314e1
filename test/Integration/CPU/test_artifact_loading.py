"""What scn-run and the Python loader do with an artifact that cannot run
here: an error that says why, never a crash.

An artifact runs only with the runtime it was compiled against. Its
manifest names the runtime's ABI id (a hash of the public headers) and it
refers to the symbol scn_runtime_abi_<id>, so that an artifact of another
id, or one from before ids, is refused instead of calling functions whose
arguments changed (a stale artifact crashed in scn_cg_num_sites when it
gained the run argument). A truncated file is refused before dlopen, which
would die of SIGBUS on it."""

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
SCN_COMPILE = os.path.join(BUILD, "bin", "scn-compile")
SCN_RUN = os.path.join(BUILD, "bin", "scn-run")
NETWORK = os.path.join(HERE, "subm1d.mlir")

sys.path.insert(0, HERE)
# scn/artifact.py as the other integration tests load it (without torch).
from test_arguments_read_only import artifact  # noqa: E402


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    d = tmp_path_factory.mktemp("abi")
    so = str(d / "net.so")
    subprocess.run([SCN_COMPILE, NETWORK, "-o", so], check=True, capture_output=True)
    inputs = str(d / "in.npz")
    np.savez(inputs, coords=np.array([[1, 0], [2, 0], [5, 0]], dtype=np.int64),
             features=np.array([[1.], [2.], [3.]], dtype=np.float32))
    lib, manifest = artifact.load_artifact(so, os.path.join(BUILD, "lib"))
    return d, so, inputs, manifest["runtime_abi"]


def patched(directory, so, name, old, new):
    data = open(so, "rb").read()
    assert data.count(old) >= 1 and len(old) == len(new)
    path = str(directory / name)
    with open(path, "wb") as f:
        f.write(data.replace(old, new))
    return path


def test_the_manifest_and_the_symbol_name_the_runtime_id(compiled):
    d, so, inputs, abi = compiled
    assert re.fullmatch(r"[0-9a-f]{16}", abi)
    data = open(so, "rb").read()
    assert b"scn_runtime_abi_" + abi.encode() in data
    r = subprocess.run([SCN_RUN, so, "--input", inputs, "--print"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert "[210.5, 21.5, 30.5]" in r.stdout


def test_an_artifact_of_another_runtime_is_refused(compiled):
    d, so, inputs, abi = compiled
    other = "0123456789abcdef" if abi != "0123456789abcdef" else "fedcba9876543210"
    path = patched(d, so, "other.so", abi.encode(), other.encode())
    r = subprocess.run([SCN_RUN, path, "--input", inputs], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert (f"'{path}' was compiled for runtime ABI {other}, but this libscn_runtime is ABI "
            f"{abi}: recompile it") in r.stderr
    with pytest.raises(artifact.ArtifactError,
                       match=f"compiled for runtime ABI {other}, but this libscn_runtime is "
                             f"ABI {abi}: recompile"):
        artifact.load_artifact(path, os.path.join(BUILD, "lib"))


def test_an_artifact_from_before_ids_is_refused(compiled):
    d, so, inputs, abi = compiled
    # The key renamed in place: a manifest without "runtime_abi".
    path = patched(d, so, "old.so", b'"runtime_abi":', b'"runtime_abz":')
    r = subprocess.run([SCN_RUN, path, "--input", inputs], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"was compiled before runtime ABI ids, but this libscn_runtime is ABI {abi}" \
        in r.stderr
    with pytest.raises(artifact.ArtifactError, match="compiled before runtime ABI ids"):
        artifact.load_artifact(path, os.path.join(BUILD, "lib"))


def run_id_script(headers, output):
    subprocess.run(["cmake", f"-DHEADER_DIR={headers}", "-DREVISION=1", f"-DOUTPUT={output}",
                    "-P", os.path.join(ROOT, "runtime", "cmake", "RuntimeAbiId.cmake")],
                   check=True, capture_output=True)
    return re.search(r'SCN_RUNTIME_ABI_ID "([0-9a-f]+)"', open(output).read()).group(1)


@pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")
def test_the_id_is_the_headers(tmp_path, compiled):
    headers = tmp_path / "Runtime"
    shutil.copytree(os.path.join(ROOT, "runtime", "include", "scn", "Runtime"), headers)
    output = str(tmp_path / "AbiId.h")
    assert run_id_script(headers, output) == compiled[3]
    mtime = os.stat(output).st_mtime_ns
    # The same headers again: the file is left alone (nothing rebuilds).
    assert run_id_script(headers, output) == compiled[3]
    assert os.stat(output).st_mtime_ns == mtime
    codegen = headers / "Codegen.h"
    # A comment or layout edit leaves it: deployed artifacts keep loading.
    text = codegen.read_text()
    codegen.write_text("/* Edited documentation. */\n" + text.replace(
        "scn_cg_num_sites(scn_run_t run, void *sites)",
        "scn_cg_num_sites(scn_run_t run,  // the run\n    void *sites)"))
    assert run_id_script(headers, output) == compiled[3]
    codegen.write_text(text)
    codegen.write_text(codegen.read_text().replace(
        "scn_cg_num_sites(scn_run_t run, void *sites)",
        "scn_cg_num_sites(scn_run_t run, int64_t extra, void *sites)"))
    assert run_id_script(headers, output) != compiled[3]


@pytest.mark.parametrize("keep", [60, 3000])
def test_a_truncated_artifact_is_an_error_not_a_crash(compiled, keep):
    """dlopen of a truncated library dies of SIGBUS: the runtime reads the
    ELF headers first (scn_artifact_check_file)."""
    d, so, inputs, abi = compiled
    path = str(d / f"truncated{keep}.so")
    with open(so, "rb") as f, open(path, "wb") as out:
        out.write(f.read(keep))
    expected = "is not a shared library" if keep == 60 else "is truncated: its segment"
    r = subprocess.run([SCN_RUN, path, "--input", inputs], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"'{path}' {expected}" in r.stderr, r.stderr
    with pytest.raises(artifact.ArtifactError, match=expected):
        artifact.load_artifact(path, os.path.join(BUILD, "lib"))


def test_an_artifact_is_known_by_its_bytes(compiled):
    """scn-run takes an artifact named otherwise than *.so (and a library
    that is not one is refused as such, not parsed as .mlir)."""
    d, so, inputs, abi = compiled
    renamed = str(d / "net.artifact")
    shutil.copy(so, renamed)
    r = subprocess.run([SCN_RUN, renamed, "--input", inputs, "--print"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert "[210.5, 21.5, 30.5]" in r.stdout
    runtime = os.path.join(BUILD, "lib", "libscn_runtime.so")
    r = subprocess.run([SCN_RUN, runtime, "--input", inputs], capture_output=True, text=True)
    assert r.returncode == 1
    assert "is not an scn-compile artifact" in r.stderr, r.stderr


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    """Opening a FIFO that no one writes blocks: the check looks at the
    file's type first."""
    fifo = str(tmp_path / "net.so")
    os.mkfifo(fifo)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import artifact\n"
            "try:\n    artifact.load_artifact(sys.argv[2], sys.argv[3])\n"
            "except artifact.ArtifactError as e:\n    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code,
                        os.path.join(ROOT, "frontends", "python", "scn"), fifo,
                        os.path.join(BUILD, "lib")],
                       capture_output=True, text=True, timeout=60)
    assert f"'{fifo}' is not a regular file" in r.stdout, r.stdout + r.stderr


def test_inputs_that_are_no_arrays_are_named(compiled):
    d, so, inputs, abi = compiled
    lib, manifest = artifact.load_artifact(so, os.path.join(BUILD, "lib"))
    coords = np.array([[1, 0]], np.int64)
    with pytest.raises(TypeError, match="input 'features': a numpy array, not NoneType"):
        artifact.run_artifact(lib, manifest, [coords, None])
    with pytest.raises(ValueError, match="input 'features': rank 17 is more than 16"):
        artifact.run_artifact(lib, manifest, [coords, np.zeros((1,) * 17, np.float32)])
    # One array too many: the runtime's count check, not an IndexError.
    with pytest.raises(RuntimeError, match="takes 2 inputs, not 3"):
        artifact.run_artifact(lib, manifest, [coords, np.zeros((1, 1), np.float32), coords])


def test_without_a_runtime_the_artifact_is_not_loaded(compiled, tmp_path):
    """No libscn_runtime to check it first: refused, not dlopen'ed unchecked."""
    d, so, inputs, abi = compiled
    alone = tmp_path / "net.so"
    shutil.copy(so, alone)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import artifact\n"
            "try:\n    artifact.load_artifact(sys.argv[2])\n"
            "except artifact.ArtifactError as e:\n    print(e)\n")
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    r = subprocess.run([sys.executable, "-c", code,
                        os.path.join(ROOT, "frontends", "python", "scn"), str(alone)],
                       capture_output=True, text=True, timeout=60, env=env)
    assert "no libscn_runtime.so in (no runtime directory given), beside" in r.stdout, \
        r.stdout + r.stderr
