// A tensor-core convolution whose filter has more than 32 offsets (5x5x5:
// 125) cannot keep a row tile's neighbour offsets in an i32 mask: each
// offset's step loads the lane's two table entries of its row tile and votes
// (nvvm.vote.sync any), instead of one redux per row tile before the loop
// (scn-cuda-tensor-cores.mlir). test_tensor_cores.py checks its values.
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90" | FileCheck %s

// CHECK: llvm.func @main(
// CHECK-NOT: redux.sync
// CHECK-COUNT-1: vote.sync.any.pred
// CHECK-NOT: redux.sync
func.func @main(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x32xf32> {
  %w = arith.constant dense<0.5> : tensor<125x1x16x32xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [16, 16, 16]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 5, 5, 5>} : tensor<?x16xf32>, tensor<125x1x16x32xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x32xf32>
}
