"""examples/segmentation runs as documented, in its reduced form (so it cannot rot)."""

import os
import re
import struct
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build")), "bin")


@pytest.mark.skipif(not os.path.exists(os.path.join(TOOLS, "scn-compile")),
                    reason="scn.compile needs the tools built in build/bin")
def test_segmentation_reduced(tmp_path):
    png = tmp_path / "segmentation.png"
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "frontends", "python"))
    # 30 iterations: enough to exercise train -> compile -> compare -> PNG,
    # not to learn the classes well, so the IoU values are not checked.
    proc = subprocess.run([sys.executable,
                           os.path.join(ROOT, "examples", "segmentation", "segmentation.py"),
                           "--iterations", "30", "--log-every", "10", "--png", str(png)],
                          capture_output=True, text=True, env=env, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "iter   30/30" in out
    diff = re.search(r"max \|compiled - eager\| logits = (\S+);", out)
    assert diff and float(diff.group(1)) <= 1e-3, out
    assert re.search(r"held-out IoU: ground [\d.]+%, vegetation [\d.]+%, roof [\d.]+%; "
                     r"mean IoU [\d.]+%", out), out
    assert "inference on the whole tile" in out
    # A PNG: the signature, then the IHDR chunk with the picture's size.
    with open(str(png), "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", head
    width, height = struct.unpack(">II", head[16:24])
    assert width >= 800 and height >= 400, (width, height)
