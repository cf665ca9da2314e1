// Tensor-core blocks run heaviest first: the map's row order puts the rows
// with the most neighbour offsets last, and the GPU starts blocks in index
// order, so block x takes the warp tiles of block gridX - 1 - x
// (bench/gpu/block_order.py measures what that does to the last wave).
// RUN: scn-opt %s --scn-materialize-kernel-maps --convert-scn-to-gpu -split-input-file | FileCheck %s

// CHECK-LABEL: func @conv
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%[[GX:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in
// CHECK-SAME: function(@tensor_core_conv)
// CHECK: %[[LAST:.*]] = arith.subi %[[GX]], %{{.*}} : index
// CHECK: %[[MINE:.*]] = arith.subi %[[LAST]], %[[BX]] : index
// CHECK-DAG: %[[FIRST:.*]] = arith.muli %[[MINE]], %{{.*}} : index
// CHECK-DAG: %[[WARP:.*]] = arith.divui %[[TX]], %{{.*}} : index
// CHECK: arith.addi %[[FIRST]], %[[WARP]] : index
func.func @conv(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

// Blocks of 4 warps sharing each offset's weights on wgmma: the same order.
// CHECK-LABEL: func @warpgroup
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%[[GX:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in
// CHECK-SAME: function(@tensor_core_conv)
// CHECK: %[[LAST:.*]] = arith.subi %[[GX]], %{{.*}} : index
// CHECK: %[[MINE:.*]] = arith.subi %[[LAST]], %[[BX]] : index
// CHECK-DAG: %[[FIRST:.*]] = arith.muli %[[MINE]], %{{.*}} : index
// CHECK-DAG: %[[WARP:.*]] = arith.divui %[[TX]], %{{.*}} : index
// CHECK: arith.addi %[[FIRST]], %[[WARP]] : index
func.func @warpgroup(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", mma_type = f16, channel_tile = 64 : i64, weights_memory = "block", warpgroup_mma} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x64xf32>
}
