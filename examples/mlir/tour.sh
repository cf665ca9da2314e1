#!/usr/bin/env bash
# A tour of the compiler for compiler engineers: the hello-world network of
# SparseConvNet's README (hello-world.mlir, next to this script) through
# every key pass of --scn-cpu-pipeline, then scn-compile and scn-run.
#
#   bash examples/mlir/tour.sh            (after scripts/setup.sh has built build/)
#
# Each step prints a few lines of the IR after the pass; the whole IR after
# every pass is kept in $TOUR_DIR (default build/examples/mlir-tour).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${SCN_BUILD_DIR:-build}
BIN=$BUILD_DIR/bin
TOUR_DIR=${TOUR_DIR:-$BUILD_DIR/examples/mlir-tour}
NET=examples/mlir/hello-world.mlir
rm -rf "$TOUR_DIR" && mkdir -p "$TOUR_DIR"

# The lines of FILE matching PATTERN, at most N of them, cut to 160 columns.
excerpt() {
  local file=$1 pattern=$2 n=$3
  echo "   ($(wc -l <"$file") lines in $file; $n lines matching /$pattern/:)"
  grep -E "$pattern" "$file" | head -n "$n" | cut -c1-160 | sed 's/^ */     /'
}

echo "== 0. The network: $(grep -cE '= scn\.' $NET) scn ops, weights as dense resources"
excerpt $NET ' scn\.(input|submanifold_conv|batch_norm|max_pool|sparse_to_dense) ' 6

PASSES=scn-fold-batchnorm,scn-fuse-epilogue,scn-materialize-kernel-maps,scn-plan-dataflow
PASSES+=,convert-scn-to-cpu,one-shot-bufferize,convert-scf-to-openmp,reconcile-unrealized-casts
"$BIN/scn-opt" $NET --scn-cpu-pipeline --mlir-print-ir-after=$PASSES \
  --mlir-print-ir-tree-dir="$TOUR_DIR" --mlir-elide-elementsattrs-if-larger=8 \
  --mlir-elide-resource-strings-if-larger=16 -o "$TOUR_DIR/final.mlir"
IR=$TOUR_DIR/builtin_module_no-symbol-name

echo
echo "== 1. scn-fold-batchnorm: each BatchNormReLU's scale and shift fold into the"
echo "      constant weights and bias of the convolution before it; its ReLU stays"
excerpt "$IR/0_scn-fold-batchnorm.mlir" ' scn\.(submanifold_conv|relu|batch_norm) ' 4
echo
echo "== 2. scn-fuse-epilogue: the ReLU becomes the convolution's epilogue (applied"
echo "      in registers before the one store of each output row)"
excerpt "$IR/1_scn-fuse-epilogue.mlir" ' scn\.submanifold_conv ' 3
echo
echo "== 3. scn-materialize-kernel-maps (+ CSE): geometry becomes SSA values; one"
echo "      map per (sites, filter, stride), shared by every layer that needs it"
excerpt "$IR/2_scn-materialize-kernel-maps.mlir" ' scn\.(kernel_map|downsample) ' 8
echo
echo "== 4. scn-plan-dataflow: a schedule per layer (channel tile, rows per tile)"
excerpt "$IR/3_scn-plan-dataflow.mlir" '= scn.*dataflow' 3
echo
echo "== 5. convert-scn-to-cpu: runtime calls build sites and maps; each convolution"
echo "      is a parallel loop over output rows with vector FMAs over the neighbour table"
excerpt "$IR/4_convert-scn-to-cpu.mlir" 'call @scn_cg_(input|kernel_map|downsample)|scf.parallel|vector.fma' 10
echo
echo "== 6. one-shot-bufferize: tensors become memrefs (one buffer per layer output)"
excerpt "$IR/5_one-shot-bufferize.mlir" 'memref.alloc\(' 4
echo
echo "== 7. convert-scf-to-openmp: parallel loops become OpenMP worksharing loops"
excerpt "$IR/6_convert-scf-to-openmp.mlir" 'omp\.(parallel|wsloop)' 4
echo
echo "== 8. the end of --scn-cpu-pipeline: only the LLVM and OpenMP dialects remain"
excerpt "$IR/7_reconcile-unrealized-casts.mlir" 'llvm.func @main|llvm.call @scn_cg_input|omp.parallel' 3
echo "   dialects left: $(grep -oE '^ *(%[^=]+= )?[a-z_]+\.[a-z_.]+' "$TOUR_DIR/final.mlir" \
  | sed -E 's/^ *(%[^=]+= )?//' | cut -d. -f1 | sort | uniq -c | sort -rn | awk '{printf "%s %s ops, ", $2, $1}' | sed 's/, $//')"

echo
echo "== 9. scn-compile: the same pipeline, then LLVM -O3 and a shared library"
"$BIN/scn-compile" $NET -o "$TOUR_DIR/hello-world.so" --time-phases 2>&1 |
  sed -nE 's/^(scn-compile: wrote.*)/   \1/p; s/.* ([0-9.]+) \( *[0-9.]+%\) +(.*)$/   \2: \1 s wall/p'
echo
echo "== 10. scn-run: the library on the README's two messages (inputs in an npz,"
echo "       one array per function argument), compared with SparseConvNet's output"
"$BIN/scn-run" "$TOUR_DIR/hello-world.so" --input examples/mlir/hello-world-input.npz \
  --output "$TOUR_DIR/output.npz" --repeat 10 | sed 's/^/   /'
/usr/bin/python3 - "$TOUR_DIR/output.npz" <<'PY'
import sys
import numpy as np
out = np.load(sys.argv[1])["output"]
ref = np.load("test/golden/hello_world_vgg2d.npz")["out_dense"]
err = float(np.abs(out - ref).max())
print("   output %s, max |scn-run - SparseConvNet| = %.2e" % ("x".join(map(str, out.shape)), err))
sys.exit(0 if err < 1e-4 else 1)
PY
