#!/usr/bin/env bash
# The prepared GPU check (issue: CUDA): one short script for a machine with an
# NVIDIA GPU, using what was built on the CPU machine. On the CPU machine,
# after `bash scripts/setup.sh`:
#
#   bash bench/gpu/check.sh --prepare   (copies the Debian shared libraries the
#                                        binaries need, libomp and Google
#                                        Benchmark, into build/device-libs)
#
# then carry build/lib, build/test/Unit, build/bench and build/device-libs
# to the device machine and run there, from the repository root:
#
#   bash bench/gpu/check.sh          (writes its logs under $OUT, default /tmp/scn-gpu-check)
#
# What it checks today: the CUDA driver layer and the mgpu* ABI (a PTX kernel,
# device errors), the GPU site sets and UNet pyramid maps against the CPU
# runtime, and the time of the LiDAR map pyramid on the GPU next to the CPU
# one (same run). Not yet (no GPU code generation): golden cases and the
# CPU-vs-GPU differential test of compiled networks, W1/W3 in fp32/fp16.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${1:-}" = "--prepare" ]; then
  mkdir -p build/device-libs
  for binary in build/test/Unit/Runtime/RuntimeTests build/bench/runtime/bench_runtime_maps; do
    ldd "$binary" | awk '/libomp|libbenchmark/ {print $3}' | xargs -r -I{} cp -L {} build/device-libs/
  done
  ls build/device-libs
  exit 0
fi
export LD_LIBRARY_PATH="$PWD/build/lib:$PWD/build/device-libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
OUT=${OUT:-/tmp/scn-gpu-check}
mkdir -p "$OUT"
status=0

echo "== device"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/device.txt"

echo "== runtime GPU tests (driver layer, mgpu* ABI, GPU site sets vs CPU)"
build/test/Unit/Runtime/RuntimeTests --gtest_filter='Gpu*' > "$OUT/unit.txt" 2>&1 || status=1
grep -E '^\[ *(OK|FAILED|SKIPPED|PASSED) ' "$OUT/unit.txt"

echo "== LiDAR map pyramid: GPU vs CPU (2 threads), medians of 5"
build/bench/runtime/bench_runtime_maps --benchmark_filter='BM_UNetGeometryTotal' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  > "$OUT/pyramid.txt" 2>&1 || status=1
grep -E 'median|ERROR' "$OUT/pyramid.txt"

echo "== not run yet: golden cases, differential test, W1/W3 timings (no GPU code generation)"
exit $status
