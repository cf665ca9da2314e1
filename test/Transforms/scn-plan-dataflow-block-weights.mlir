// tensor-core-weights=block: the warps of a block of 4 share each offset's
// weights through stages of shared memory (weights_memory = "block"): 16
// bytes of warp masks, then kBlockWeightStages (2) stages of one offset's
// weights (input x output channels of the warp's column tile, f16: 2
// bytes) with gathers in registers, or one a gather stage with async
// gathers, beside the warps' gather stages. Filters of more than 32
// offsets keep global weights (a block runs the offsets of its warps'
// neighbour masks). Hand-written ones: scn-plan-dataflow-block-weights-budget.mlir.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block" | FileCheck %s
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-gathers=async" | FileCheck %s --check-prefix=ASYNC
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-gathers=async tensor-core-stages=8 tensor-core-shared-bytes=101376" | FileCheck %s --check-prefix=ASYNC86
// tensor-core-block-warps=8: blocks of 8 warps (block_warps), 32 bytes of
// masks; with async gathers 8 warps' gather stages beside the weights'
// (3 stages: 8 x 12 KiB + 3 x 8 KiB + 32 = 122912 bytes, once within
// 227 KiB; 2 stages fit twice, which the plan takes).
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-block-warps=8" | FileCheck %s --check-prefix=EIGHT
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-block-warps=8 tensor-core-gathers=async" | FileCheck %s --check-prefix=EIGHTASYNC
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-block-warps=8" | FileCheck %s --check-prefix=EIGHTGLOBAL

// 64 -> 64 at 3x3x3: 8 KiB of weights an offset. With async gathers over
// the caller's f32 rows a stage also holds 4 warps x 4 KiB: 3 stages take
// 73744 bytes, twice within 227 KiB; under sm_86's 99 KiB two blocks an
// SM leave room for 2 of the 8 asked for.
// CHECK-LABEL: func @layer
// CHECK: scn.submanifold_conv {{.*}}channel_tile = 64 : i64
// CHECK-NOT: gathers
// CHECK-SAME: weights_memory = "block"
// ASYNC-LABEL: func @layer
// ASYNC: scn.submanifold_conv {{.*}}gather_stages = 3 : i64, gathers = "async"{{.*}}weights_memory = "block"
// ASYNC86-LABEL: func @layer
// ASYNC86: scn.submanifold_conv {{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "block"
// EIGHT-LABEL: func @layer
// EIGHT: scn.submanifold_conv {{.*}}block_warps = 8 : i64{{.*}}weights_memory = "block"
// EIGHTASYNC-LABEL: func @layer
// EIGHTASYNC: scn.submanifold_conv {{.*}}block_warps = 8 : i64{{.*}}gather_stages = 2 : i64, gathers = "async"{{.*}}weights_memory = "block"
// Without block weights the option changes nothing.
// EIGHTGLOBAL-LABEL: func @layer
// EIGHTGLOBAL-NOT: block
func.func @layer(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// 125 offsets: more than a neighbour mask holds.
// CHECK-LABEL: func @largeFilter
// CHECK-NOT: block
// ASYNC-LABEL: func @largeFilter
// ASYNC-NOT: block
// EIGHT-LABEL: func @largeFilter
// EIGHT-NOT: block
func.func @largeFilter(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<125x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}
