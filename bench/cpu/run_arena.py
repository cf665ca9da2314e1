#!/usr/bin/env python3
"""Calls of compiled networks from Python with the model's planned block
(runtime/lib/CPU/RunArena.h, the default) and without it
(SCN_RUNTIME_RUN_ARENA=heap: every buffer through malloc, as before).

Python's process keeps glibc's default heap policy, under which every large
buffer is a fresh mapping faulted in page by page at every layer of every
call; scn-run and the deploy example set their own (mallopt), so this is
where the block matters. Each configuration runs in its own process, the two
alternating; each process loads the artifact (scn_model_load through
frontends/python/scn/artifact.py), calls it --calls times and reports the
median of the calls after the first (the first is recorded on the heap and
planned), the page faults of those calls, and the process's peak RSS.

    /usr/bin/python3 bench/cpu/run_arena.py [--workloads W3,W1] [--calls 11] [--rounds 3]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCN_BUILD_DIR", os.path.join(ROOT, "build"))


def child(library, npz, calls, reuse):
    sys.path.insert(0, os.path.join(ROOT, "frontends", "python", "scn"))
    import artifact  # noqa: E402 (numpy and ctypes only)
    lib, manifest = artifact.load_artifact(library, os.path.join(BUILD, "lib"))
    data = np.load(npz)
    arrays = [np.ascontiguousarray(data[i["name"]]) for i in manifest["inputs"]]
    run = artifact.PersistentRun(lib) if reuse else None
    times, faults = [], []
    for _ in range(calls):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        out = artifact.run_artifact(lib, manifest, arrays, run)
        times.append((time.perf_counter() - start) * 1e3)
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
        del out
    print(json.dumps({"ms": float(np.median(times[1:])), "first_ms": times[0],
                      "faults": float(np.median(faults[1:])), "first_faults": faults[0],
                      "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def build(tmp, label, spec, coords, channels):
    sys.path.insert(0, os.path.join(ROOT, "utils"))
    sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))
    import run_cpu_bench  # noqa: E402
    import spec_to_mlir  # noqa: E402
    text, args = spec_to_mlir.spec_to_mlir_with_args(spec, None, "args")
    mlir = os.path.join(tmp, label + ".mlir")
    with open(mlir, "w") as f:
        f.write(text)
    arrays = run_cpu_bench.random_weights(args, np.random.default_rng(0))
    arrays["coords"] = coords
    arrays["features"] = np.ones((len(coords), channels), np.float32)
    npz = os.path.join(tmp, label + ".npz")
    np.savez(npz, **arrays)
    library = os.path.join(tmp, label + ".so")
    subprocess.run([os.path.join(BUILD, "bin", "scn-compile"), mlir, "-o", library], check=True,
                   capture_output=True)
    return library, npz


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workloads", default="W3,W1")
    p.add_argument("--calls", type=int, default=11)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--child", nargs=4, metavar=("LIBRARY", "NPZ", "CALLS", "REUSE"))
    a = p.parse_args()
    if a.child:
        child(a.child[0], a.child[1], int(a.child[2]), a.child[3] == "1")
        return
    sys.path.insert(0, os.path.join(ROOT, "bench", "cpu"))
    import point_clouds  # noqa: E402
    import run_cpu_bench  # noqa: E402
    coords, size = point_clouds.voxelize(point_clouds.load_kitti(), 0.05, multiple=16)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for w in a.workloads.split(","):
            if w == "W3":
                library, npz = build(tmp, "w3", run_cpu_bench.layer_spec(size, 64), coords, 64)
                name, calls = "W3 C=64", a.calls
            else:
                spec = run_cpu_bench.unet_spec(size, 32, 2, [32, 64, 96, 128, 160], True)
                library, npz = build(tmp, "w1", spec, coords, 1)
                name, calls = "W1", max(5, a.calls // 2)
            for reuse in (1, 0):
                seen = {"plan": [], "heap": []}
                for _ in range(a.rounds):
                    for mode in ("plan", "heap"):
                        env = dict(os.environ, SCN_RUNTIME_RUN_ARENA=mode)
                        out = subprocess.run(
                            [sys.executable, os.path.abspath(__file__), "--child", library, npz,
                             str(calls), str(reuse)], env=env, check=True, capture_output=True,
                            text=True).stdout
                        seen[mode].append(json.loads(out.strip().splitlines()[-1]))
                rows.append((name, "prebuilt" if reuse else "built", calls, seen))
    print("| workload | maps | calls a process | block: median ms | heap: median ms | "
          "heap / block | block: faults a call | heap: faults a call | block: peak RSS MiB | "
          "heap: peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, maps, calls, seen in rows:
        def cell(mode, key, fmt):
            return ", ".join(fmt % r[key] for r in seen[mode])
        ratio = (np.median([r["ms"] for r in seen["heap"]]) /
                 np.median([r["ms"] for r in seen["plan"]]))
        print(f"| {name} | {maps} | {calls} | {cell('plan', 'ms', '%.1f')} | "
              f"{cell('heap', 'ms', '%.1f')} | {ratio:.2f}x | {cell('plan', 'faults', '%.0f')} | "
              f"{cell('heap', 'faults', '%.0f')} | {cell('plan', 'rss_mib', '%.0f')} | "
              f"{cell('heap', 'rss_mib', '%.0f')} |")


if __name__ == "__main__":
    main()
