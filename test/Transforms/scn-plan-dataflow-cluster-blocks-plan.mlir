// tensor-core-cluster-blocks=2 gives cluster_blocks = 2 to the layers the
// plan puts on wgmma block weights in blocks of 4 warps (64 -> 64), and
// leaves the others alone (16 -> 16: mma.sync block weights). Hand-written
// values: scn-plan-dataflow-cluster-blocks.mlir.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-wgmma=true tensor-core-cluster-blocks=2" | FileCheck %s
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-wgmma=true" | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: func.func @wide(
// CHECK: scn.submanifold_conv
// CHECK-SAME: cluster_blocks = 2
// CHECK-SAME: warpgroup_mma
// OFF-NOT: cluster_blocks
func.func @wide(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func.func @narrow(
// CHECK-NOT: cluster_blocks
// CHECK: return
func.func @narrow(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}
