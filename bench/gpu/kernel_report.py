#!/usr/bin/env python3
"""What ptxas makes of W1's CUDA kernels, without a GPU: W1 (or one W3
layer) goes through --scn-cuda-pipeline, every kernel's PTX through
`ptxas -v` for the chip, and the report gives, per kind of kernel
(tensor-core convolutions, the rest), registers a thread, spilled bytes,
and the global loads and stores by bytes (2 to 16): what limits a
kernel's occupancy and its load instructions, which is all that can be
checked here of its speed.

    /usr/bin/python3 bench/gpu/kernel_report.py [--workload W1|W3_C64]
        [--element-type f16|bf16|tf32] [--activations f32] [--tensor-core-rows 0]
        [--tensor-core-loads 0] [--tensor-core-columns 0]
        [--tensor-core-weights global|shared|large|staged|block]
        [--tensor-core-block-warps 4|8] [--tensor-core-cluster-blocks 1|2]
        [--tensor-core-gathers registers|async] [--tensor-core-stages 0]
        [--tensor-core-min-blocks 0]
        [--epilogue-taps true|false] [--linear-as-convolution true|false]
        [--chip sm_90|sm_90a] [--per-kernel]

(--chip sm_90a with --tensor-core-weights block: the wgmma kernels.)
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))
PTXAS = os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "bin", "ptxas")
for sub in ("utils", "bench/cpu"):
    sys.path.insert(0, os.path.join(ROOT, sub))
import point_clouds  # noqa: E402
import run_cpu_bench  # noqa: E402
import spec_to_mlir  # noqa: E402

BINARY = re.compile(r'gpu\.binary @(\w+).*?assembly = "((?:[^"\\]|\\.)*)"')
# A global load or store: its vector length and element bits, e.g.
# ld.global.v4.b32 (16 bytes), st.global.b16 (2 bytes).
MEMORY = re.compile(r"\b(ld|st)\.global(?:\.nc)?(?:\.v([24]))?\.[a-z]+(\d+)")


def unescape(text):
    """An MLIR string attribute's bytes (\\XX hex escapes)."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i] == "\\":
            if text[i + 1] in '\\"':
                out += text[i + 1].encode()
                i += 2
            else:
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
        else:
            out += text[i].encode()
            i += 1
    return bytes(out).rstrip(b"\0").decode()


def kernels(mlir, options):
    """(name, PTX) of every kernel the pipeline serializes."""
    out = subprocess.run([os.path.join(BUILD, "bin", "scn-opt"), mlir,
                          f"--scn-cuda-pipeline={options} format=isa"],
                         check=True, capture_output=True, text=True).stdout
    return [(m.group(1), unescape(m.group(2))) for m in BINARY.finditer(out)]


def ptxas_info(ptx, chip, tmp):
    path = os.path.join(tmp, "k.ptx")
    with open(path, "w") as f:
        f.write(ptx)
    info = subprocess.run([PTXAS, "-v", f"-arch={chip}", path, "-o", os.devnull],
                          check=True, capture_output=True, text=True).stderr
    registers = int(re.search(r"Used (\d+) registers", info).group(1))
    spills = sum(int(n) for n in re.findall(r"(\d+) bytes spill (?:stores|loads)", info))
    return registers, spills


def workload_mlir(name):
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    if name == "W1":
        spec = run_cpu_bench.unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True)
    else:
        spec = run_cpu_bench.layer_spec(size, int(name.split("_C")[1]))
    return spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="W1")
    p.add_argument("--element-type", default="f16")
    p.add_argument("--activations", default="f32")
    p.add_argument("--tensor-core-rows", type=int, default=0)
    p.add_argument("--tensor-core-loads", type=int, default=0)
    p.add_argument("--tensor-core-columns", type=int, default=0)
    p.add_argument("--tensor-core-weights", default="global", choices=["global", "shared", "large", "staged", "block"])
    p.add_argument("--tensor-core-block-warps", type=int, default=4, choices=[4, 8])
    p.add_argument("--tensor-core-cluster-blocks", type=int, default=1, choices=[1, 2])
    p.add_argument("--tensor-core-gathers", default="registers", choices=["registers", "async"])
    p.add_argument("--tensor-core-stages", type=int, default=0)
    p.add_argument("--tensor-core-min-blocks", type=int, default=0,
                   help="resident blocks an SM ptxas must allow (.minnctapersm)")
    p.add_argument("--narrow-tensor-core-inputs", default="true", choices=["true", "false"])
    p.add_argument("--epilogue-taps", default="true", choices=["true", "false"],
                   help="false: batch norms of rows other ops read too stay kernels")
    p.add_argument("--linear-as-convolution", default="true", choices=["true", "false"],
                   help="false: NetworkInNetwork layers stay SIMT kernels")
    p.add_argument("--chip", default="sm_90")
    p.add_argument("--per-kernel", action="store_true",
                   help="also list every tensor-core kernel: registers, spilled bytes, "
                        "mmas, threads a block (.maxntid)")
    a = p.parse_args()
    options = f"element-type={a.element_type} activations={a.activations} chip={a.chip}"
    if a.tensor_core_rows:
        options += f" tensor-core-rows={a.tensor_core_rows}"
    if a.tensor_core_loads:
        options += f" tensor-core-loads={a.tensor_core_loads}"
    if a.tensor_core_columns:
        options += f" tensor-core-columns={a.tensor_core_columns}"
    if a.tensor_core_weights != "global":
        options += f" tensor-core-weights={a.tensor_core_weights}"
    if a.tensor_core_block_warps != 4:
        options += f" tensor-core-block-warps={a.tensor_core_block_warps}"
    if a.tensor_core_cluster_blocks != 1:
        options += f" tensor-core-cluster-blocks={a.tensor_core_cluster_blocks}"
    if a.tensor_core_gathers != "registers":
        options += f" tensor-core-gathers={a.tensor_core_gathers}"
    if a.tensor_core_stages:
        options += f" tensor-core-stages={a.tensor_core_stages}"
    if a.tensor_core_min_blocks:
        options += f" tensor-core-min-blocks={a.tensor_core_min_blocks}"
    if a.narrow_tensor_core_inputs != "true":
        options += " narrow-tensor-core-inputs=false"
    if a.epilogue_taps != "true":
        options += " epilogue-taps=false"
    if a.linear_as_convolution != "true":
        options += " linear-as-convolution=false"
    groups = collections.defaultdict(lambda: collections.Counter())
    registers = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        mlir = os.path.join(tmp, "w.mlir")
        with open(mlir, "w") as f:
            f.write(workload_mlir(a.workload))
        for name, ptx in kernels(mlir, options):
            # mma.sync, or wgmma (sm_90a, block weights)
            tensor_cores = "mma.sync" in ptx or "wgmma.mma_async" in ptx
            kind = "tensor-core convolutions" if tensor_cores else "other kernels"
            regs, spills = ptxas_info(ptx, a.chip, tmp)
            if a.per_kernel and tensor_cores:
                threads = re.search(r"\.maxntid (\d+)", ptx)
                least = re.search(r"\.minnctapersm (\d+)", ptx)
                print(f"{name}: {regs} registers, {spills} bytes spilled, "
                      f"{len(re.findall(r'mma[.]sync|wgmma[.]mma_async', ptx))} mmas, "
                      f"{threads.group(1) if threads else '?'} threads a block"
                      + (f", at least {least.group(1)} blocks an SM" if least else ""))
            g = groups[kind]
            g["kernels"] += 1
            g["spilled bytes"] += spills
            g["kernels that spill"] += bool(spills)
            registers[kind].append(regs)
            for op, lanes, bits in MEMORY.findall(ptx):
                g[f"{op} {int(lanes or 1) * int(bits) // 8}B"] += 1
    print(f"{a.workload}, --scn-cuda-pipeline='{options}', ptxas -v -arch={a.chip}:")
    columns = ["kernels", "registers (min-max)", "kernels that spill", "spilled bytes"]
    columns += [f"{op} {n}B" for op in ("ld", "st") for n in (2, 4, 8, 16)]
    print("| kind | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for kind, g in sorted(groups.items()):
        regs = registers[kind]
        cells = [str(g["kernels"]), f"{min(regs)}-{max(regs)}"]
        cells += [str(g[c]) for c in columns[2:]]
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
