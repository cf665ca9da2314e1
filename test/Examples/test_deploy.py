"""examples/deploy: a C++ program that links libscn_runtime alone runs an
scn-compile artifact through scn/Runtime/Model.h, and gets what scn-run
gets from the same artifact on the same arrays, bit for bit."""

import os
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
TOOLS = os.path.join(BUILD, "bin")
DEPLOY = os.path.join(TOOLS, "scn-example-deploy")
NETWORK = os.path.join(ROOT, "examples", "mlir", "hello-world.mlir")

pytestmark = pytest.mark.skipif(not os.path.exists(DEPLOY), reason="needs the build")


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    so = str(tmp_path_factory.mktemp("deploy") / "hw.so")
    subprocess.run([os.path.join(TOOLS, "scn-compile"), NETWORK, "-o", so], check=True,
                   capture_output=True)
    return so


def deploy(*args):
    return subprocess.run([DEPLOY, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("reuse", [False, True])
def test_the_example_equals_scn_run(artifact, tmp_path, reuse):
    out = tmp_path / "arrays"
    out.mkdir()
    flags = ["--reuse-geometry", "--repeat", "3"] if reuse else []
    r = deploy(artifact, "--extent", "87", "--write", str(out), *flags)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "input  coords           i64 [?, 3]" in r.stdout
    assert "output output: shape [1, 32, 10, 10]" in r.stdout
    # Calls after the first take the network's buffers from the planned block.
    assert ("used by 2 of 3 call(s)" if reuse else "used by 0 of 1 call(s)") in r.stdout
    coords = np.fromfile(out / "coords.i64", np.int64).reshape(-1, 3)
    features = np.fromfile(out / "features.f32", np.float32).reshape(-1, 1)
    assert len(coords) > 300 and len(np.unique(coords, axis=0)) == len(coords)
    np.savez(tmp_path / "in.npz", coords=coords, features=features)
    run = subprocess.run([os.path.join(TOOLS, "scn-run"), artifact, "--input",
                          str(tmp_path / "in.npz"), "--output", str(tmp_path / "out.npz")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    expected = np.load(tmp_path / "out.npz")["output"]
    got = np.fromfile(out / "output.f32", np.float32).reshape(expected.shape)
    assert np.abs(expected).sum() > 0
    np.testing.assert_array_equal(got, expected)


def test_a_bad_input_is_the_networks_message(artifact):
    r = deploy(artifact, "--extent", "100")
    assert r.returncode == 1
    assert "scn.input at loc(" in r.stderr and "is outside [0, 87)" in r.stderr, r.stderr


def test_an_unwritable_directory_is_a_message(artifact, tmp_path):
    # The outputs are written after the call: the exception reached main
    # uncaught (SIGABRT) before.
    r = deploy(artifact, "--extent", "87", "--write", str(tmp_path / "missing"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"cannot write {tmp_path / 'missing'}/output.f32" in r.stderr, r.stderr


@pytest.mark.parametrize("value", ["99999999999999999999", "20000000"])
def test_numbers_past_the_bounds_are_refused(artifact, value):
    r = deploy(artifact, "--points", value)
    assert r.returncode == 2
    assert f"--points is at most 10000000, not {value}" in r.stderr, r.stderr


def test_a_file_that_is_no_artifact(tmp_path):
    bogus = tmp_path / "net.so"
    bogus.write_bytes(b"\x7fELF" + b"\0" * 10)
    r = deploy(str(bogus))
    assert r.returncode == 1
    assert "is not a shared library" in r.stderr, r.stderr


def test_an_artifact_finds_the_runtime_beside_it(artifact):
    """A deployment ships net.so beside libscn_runtime.so: the artifact's
    run path ends with $ORIGIN (after the build's directories)."""
    dynamic = subprocess.run(["readelf", "-d", artifact], capture_output=True, text=True,
                             check=True).stdout
    runpath = [line for line in dynamic.splitlines() if "RUNPATH" in line or "RPATH" in line]
    assert runpath and runpath[0].rstrip().endswith(":$ORIGIN]"), runpath


def test_built_against_the_installed_runtime(artifact, tmp_path):
    """The deployment as a user does it: the runtime installed on its own
    (cmake --install --component scn_runtime), examples/deploy configured
    and built against it with find_package(scn_runtime), then run."""
    prefix, build = tmp_path / "prefix", tmp_path / "build"
    subprocess.run(["cmake", "--install", BUILD, "--component", "scn_runtime", "--prefix",
                    str(prefix)], check=True, capture_output=True)
    assert (prefix / "include" / "scn" / "Runtime" / "AbiId.h").exists()
    configure = subprocess.run(["cmake", "-G", "Ninja", "-S",
                                os.path.join(ROOT, "examples", "deploy"), "-B", str(build),
                                f"-DCMAKE_PREFIX_PATH={prefix}"], capture_output=True, text=True)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    make = subprocess.run(["ninja", "-C", str(build)], capture_output=True, text=True)
    assert make.returncode == 0, make.stdout + make.stderr
    program = str(build / "scn-example-deploy")
    linked = subprocess.run(["ldd", program], capture_output=True, text=True).stdout
    assert str(prefix / "lib" / "libscn_runtime.so") in linked, linked
    r = subprocess.run([program, artifact, "--extent", "87"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "output output: shape [1, 32, 10, 10]" in r.stdout
