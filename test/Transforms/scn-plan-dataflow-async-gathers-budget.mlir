// Hand-written async gathers must fit the plan's budget: 8 stages of a
// 128-channel warp (8 KiB each) x 4 warps take 262144 bytes, past sm_90's
// 232448.
// A 5x5x5 filter's 125 offsets are more than a neighbour mask holds.
// Hand-written attributes of the wrong kind are errors too (below).
// RUN: not scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true" 2>&1 | FileCheck %s

// CHECK: error: 'scn.submanifold_conv' op has 8 gather stages taking 262144 bytes a block, which with the kernel's own 128 is more than the 232448 a block may have on the target chips
func.func @handStages(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x128xf32>, %w: tensor<27x1x128x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", gathers = "async", gather_stages = 8 : i64} : tensor<?x128xf32>, tensor<27x1x128x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has gathers "async" but a filter of 125 offsets; async gathers run the offsets of a warp's neighbour mask, at most 32
func.func @handLargeFilter(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<125x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>, dataflow = "tensor_core", gathers = "async"} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has weights_memory "staged", which copies the weights into the stages of gathers "async", without them
func.func @handStagedWithoutGathers(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "staged"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has weights_memory "staged", which copies the weights into the stages of gathers "async", which a filter of 125 offsets cannot have
func.func @handStagedLargeFilter(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<125x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>, dataflow = "tensor_core", weights_memory = "staged"} : tensor<?x16xf32>, tensor<125x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// Schedule attributes of the wrong kind: errors, not crashes.
// CHECK: error: 'scn.submanifold_conv' op has rows_per_tile = "16"; it must be an integer
func.func @stringRows(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", rows_per_tile = "16"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has weights_memory = 1 : i64; it must be a string
func.func @integerMemory(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = 1} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// Stages are sized by the rows a convolution reads as stored: the f32
// tapped rows of a producer whose first result is stored in f16 (the
// storage type is the first result's) take 8 stages x 8 KiB x 4 warps,
// past the budget; had the planner taken the f16 of the first result, it
// would have planned 131072 bytes for a kernel that needs twice that.
// CHECK: error: 'scn.submanifold_conv' op has 8 gather stages taking 262144 bytes a block
func.func @handStagesOfTappedRows(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x128xf32>, %w: tensor<27x1x128x128xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>) {
  %z, %t = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, epilogue = [#scn.step<tap>, #scn.step<relu>], storage_type = f16} : tensor<?x128xf32>, tensor<27x1x128x128xf32>, !scn.sites<3, [16, 16, 16]>
  %a = scn.submanifold_conv %z, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x128xf32>, tensor<27x1x128x128xf32>, !scn.sites<3, [16, 16, 16]>
  %c = scn.submanifold_conv %t, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", gathers = "async", gather_stages = 8 : i64} : tensor<?x128xf32>, tensor<27x1x128x128xf32>, !scn.sites<3, [16, 16, 16]>
  return %a, %c : tensor<?x128xf32>, tensor<?x128xf32>
}
