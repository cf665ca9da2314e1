#!/usr/bin/env bash
# The README's main job: set up, build, then run the CPU pipeline built so far
# on the hello-world network of SparseConvNet's README and print the result.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${SCN_BUILD_DIR:-build}
echo "== scn-opt examples/hello-world.mlir --scn-graph-pipeline"
"$BUILD_DIR/bin/scn-opt" examples/hello-world.mlir --scn-graph-pipeline \
  --mlir-elide-resource-strings-if-larger=64

# Then compile it for this CPU and run it on the two messages of
# SparseConvNet's README (one feature 1.0 per 'X'; the input of the golden
# case hello_world_vgg2d), and compare with SparseConvNet's own output.
echo "== scn-compile examples/hello-world.mlir -o $BUILD_DIR/hello-world.so"
"$BUILD_DIR/bin/scn-compile" examples/hello-world.mlir -o "$BUILD_DIR/hello-world.so"
echo "== scn-run $BUILD_DIR/hello-world.so --input examples/hello-world-input.npz"
"$BUILD_DIR/bin/scn-run" "$BUILD_DIR/hello-world.so" --input examples/hello-world-input.npz \
  --output "$BUILD_DIR/hello-world-output.npz" --repeat 10
/usr/bin/python3 - "$BUILD_DIR/hello-world-output.npz" <<'PY'
import sys
import numpy as np
out = np.load(sys.argv[1])["output"]
ref = np.load("test/golden/hello_world_vgg2d.npz")["out_dense"]
print("output shape:", "x".join(map(str, out.shape)),
      "(2 samples, 32 feature planes, 10x10)")
print("max |compiled - SparseConvNet| = %.2e" % np.abs(out - ref).max())
PY
