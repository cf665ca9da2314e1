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
