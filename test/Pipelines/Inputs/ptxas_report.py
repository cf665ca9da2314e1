#!/usr/bin/env python3
"""ptxas -v on every tensor-core kernel (mma.sync or wgmma) of scn-opt's
--scn-cuda-pipeline output with format=isa, read from stdin: one line per
kernel, `NAME: R registers, S bytes spilled`, for FileCheck (the lit
feature cuda-toolkit). bench/gpu/kernel_report.py does the same for whole
workloads.

    scn-opt net.mlir --scn-cuda-pipeline="... format=isa" | ptxas_report.py sm_90a
"""

import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))
import kernel_report  # noqa: E402


def main():
    chip = sys.argv[1]
    text = sys.stdin.read()
    with tempfile.TemporaryDirectory() as tmp:
        for m in kernel_report.BINARY.finditer(text):
            name, ptx = m.group(1), kernel_report.unescape(m.group(2))
            if "mma.sync" in ptx or "wgmma.mma_async" in ptx:
                registers, spilled = kernel_report.ptxas_info(ptx, chip, tmp)
                print(f"{name}: {registers} registers, {spilled} bytes spilled")


if __name__ == "__main__":
    main()
