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
