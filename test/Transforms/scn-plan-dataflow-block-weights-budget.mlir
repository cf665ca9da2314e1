// Hand-written block weights (weights_memory = "block") must fit the
// plan's budget and a neighbour mask.
// RUN: not scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-shared-bytes=101376" 2>&1 | FileCheck %s
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-block-warps=6" 2>&1 | FileCheck %s --check-prefix=OPTION
// OPTION: scn-plan-dataflow: tensor-core-block-warps 6 is not 4 or 8

// CHECK: error: 'scn.submanifold_conv' op has weights_memory "block" but a filter of 125 offsets; a block runs the offsets of its warps' neighbour masks, at most 32
func.func @handLargeFilter(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<125x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>, dataflow = "tensor_core", weights_memory = "block"} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// 512 -> 64: two stages of 64 KiB are more than sm_86's 99 KiB.
// CHECK: error: 'scn.submanifold_conv' op has weights_memory "block" with channel_tile 64, taking 131088 bytes a block, which with the kernel's own 128 is more than the 101376 a block may have on the target chips
func.func @handTooWide(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x512xf32>, %w: tensor<27x1x512x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block"} : tensor<?x512xf32>, tensor<27x1x512x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// block_warps is for block weights, and is 4 or 8.
// CHECK: error: 'scn.submanifold_conv' op has block_warps 8, which is for weights_memory "block" and is 4 or 8
func.func @handBlockWarpsGlobal(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "global", block_warps = 8 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has block_warps 16, which is for weights_memory "block" and is 4 or 8
func.func @handBlockWarps16(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", block_warps = 16 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has block_warps = "8"; it must be an integer
func.func @stringBlockWarps(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", block_warps = "8"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// An absurd count is named, not multiplied into the budget.
// CHECK: error: 'scn.submanifold_conv' op has block_warps 4611686018427387904, which is for weights_memory "block" and is 4 or 8
func.func @hugeBlockWarps(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "block", block_warps = 4611686018427387904 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}
