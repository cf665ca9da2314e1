// Async gathers beside attributes written by hand: shared weights that
// leave no room for stages keep the gathers in registers (no error), and
// hand-written stages are the plan's.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async" | FileCheck %s

// Shared weights written by hand (64 columns: 221184 bytes) leave no room
// for stages: the plan keeps the gathers in registers, without an error.
// CHECK-LABEL: func @handShared
// CHECK: scn.submanifold_conv
// CHECK-NOT: gathers
// CHECK-SAME: weights_memory = "shared"
func.func @handShared(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "shared", channel_tile = 64 : i64} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// Stages written by hand are the plan's.
// CHECK-LABEL: func @handStages
// CHECK: scn.submanifold_conv {{.*}}gather_stages = 2 : i64, gathers = "async"
func.func @handStages(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, gather_stages = 2 : i64} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}
