"""The examples run as documented (so they cannot rot)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build")), "bin")


@pytest.mark.skipif(not os.path.exists(os.path.join(TOOLS, "scn-compile")),
                    reason="scn.compile needs the tools built in build/bin")
def test_hello_world_python():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "frontends", "python"))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "hello-world",
                                                        "hello_world.py")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "output: 2x32x10x10" in proc.stdout
    assert "max |compiled - eager|" in proc.stdout


def _run_example(args, timeout=600):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "frontends", "python"))
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.skipif(not os.path.exists(os.path.join(TOOLS, "scn-compile")),
                    reason="scn.compile needs the tools built in build/bin")
def test_lidar_on_a_crop(tmp_path):
    """examples/lidar on a 16 m square of the scan, one timed run."""
    png = tmp_path / "lidar.png"
    out = _run_example([sys.executable, os.path.join(ROOT, "examples", "lidar", "lidar.py"),
                        "--crop", "8", "--repeat", "1", "--png", str(png)])
    assert "scn.compile: scn-compile" in out
    assert "max |compiled - eager|" in out
    assert "| W1 |" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not os.path.exists(os.path.join(TOOLS, "scn-run")),
                    reason="the tour needs the tools built in build/bin")
def test_mlir_tour(tmp_path):
    env = dict(os.environ, TOUR_DIR=str(tmp_path / "tour"))
    proc = subprocess.run(["bash", os.path.join(ROOT, "examples", "mlir", "tour.sh")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for step in range(11):
        assert "== %d." % step in proc.stdout
    assert "epilogue = [#scn.step<relu>]" in proc.stdout
    assert "scn.kernel_map submanifold" in proc.stdout
    assert "dialects left: llvm" in proc.stdout and "scn " not in proc.stdout.split(
        "dialects left:")[1].splitlines()[0]
    assert "max |scn-run - SparseConvNet|" in proc.stdout
