#!/usr/bin/env bash
# Installs every missing Debian package, configures and builds everything.
# Used by scripts/run-main.sh and scripts/run-tests.sh (the README's two
# commands) and by CI. Safe to run again: only missing packages are installed
# and the build is incremental (ccache).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache git
  # LLVM/MLIR 22 (libMLIR.so, mlir-tblgen, FileCheck, lit, clang for fuzzers)
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22
  libclang-rt-22-dev libomp-22-dev zlib1g-dev libzstd-dev
  # the runtime's reader of artifact manifests (JSON)
  nlohmann-json3-dev
  # runtime tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # Python frontend and its tests (Debian's torch is for /usr/bin/python3)
  python3 python3-numpy python3-pytest python3-torch libtorch-dev pybind11-dev
  # examples: pictures (matplotlib), PNG digits (PIL), an optimised BLAS for
  # the GEMM peak the benchmark tables compare against
  python3-matplotlib python3-pil libopenblas0-pthread
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

BUILD_DIR=${SCN_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  echo "== configuring $BUILD_DIR"
  cmake -G Ninja -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
fi
echo "== building $BUILD_DIR"
ninja -C "$BUILD_DIR" -j"${SCN_JOBS:-$(nproc)}" | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0
