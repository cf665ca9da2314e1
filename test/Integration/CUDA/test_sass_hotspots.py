"""bench/gpu/sass_hotspots.py on a small source page in Nsight Compute's CSV
form (two header rows, counts with thousands separators)."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TOOL = os.path.join(ROOT, "bench", "gpu", "sass_hotspots.py")

HEADER = ["Address", "Source", "Warp Stall Sampling (All Samples)", "Instructions Executed",
          "stall_long_sb", "stall_wait", "stall_long_sb (Not Issued)"]
ROWS = [["0x7f0000000010", "LDG.E.128 R8, desc[UR4][R2.64]", "2", "1,000", "0", "2", "0"],
        ["0x7f0000000020", "@!P2  PRMT R6, R8, 0x7732, RZ", "90", "1,000", "80", "10", "75"],
        ["0x7f0000000030", "HMMA.16816.F32 R20, R40, R68, R20", "8", "4,000", "0", "8", "0"]]


def test_stalls_by_opcode_reason_and_instruction(tmp_path):
    page = tmp_path / "k.csv"
    lines = ['"Kernel Name","tensor_core_conv",'] + [
        ",".join(f'"{cell}"' for cell in row) for row in [HEADER] + ROWS]
    page.write_text("\n".join(lines) + "\n")
    out = subprocess.run([sys.executable, TOOL, str(page), "--top", "2"], check=True,
                         capture_output=True, text=True).stdout
    assert "tensor_core_conv: 6000 warp instructions executed, 100 stall samples" in out, out
    # The predicate is not the opcode; shares are of all samples.
    assert "PRMT        90.0%" in out and "HMMA         8.0%" in out, out
    assert "stall reasons: long_sb 80.0%, wait 20.0%" in out, out
    top = out.split("main reasons):\n")[1].splitlines()
    assert len(top) == 2 and "PRMT" in top[0] and "long_sb 80, wait 10" in top[0], out
