// The whole CPU pipeline on the hello-world network leaves only the LLVM
// dialect and OpenMP (translated to libomp calls with the rest of LLVM IR):
// the entry takes the run handle first, calls the runtime for the geometry
// and runs every layer as an OpenMP worksharing loop over output row tiles.
// Buffers come from MLIR's generic allocation functions (renamed to the
// runtime's scn_cg_alloc and scn_cg_free in LLVM IR: the model's planned
// block, runtime/lib/CPU/RunArena.h), not malloc.
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-cpu-pipeline | FileCheck %s

// CHECK-NOT: {{(=|^) *(scn|memref|scf|vector|arith|func|bufferization)\.}}
// CHECK-NOT: @malloc
// CHECK-LABEL: llvm.func @main(%{{.*}}: !llvm.ptr,
// CHECK: llvm.call @scn_cg_input(
// CHECK: llvm.call @scn_cg_kernel_map(
// CHECK: omp.parallel
// CHECK: omp.wsloop
// CHECK: llvm.call @_mlir_memref_to_llvm_free(
// CHECK-NOT: {{(=|^) *(scn|memref|scf|vector|arith|func|bufferization)\.}}
