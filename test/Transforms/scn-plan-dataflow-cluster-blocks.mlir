// Hand-written cluster_blocks: 1 or 2, an integer, and 2 only where the plan
// gives the op wgmma block weights in blocks of 4 warps (chip=sm_90a:
// tensor-core-wgmma). The option itself: scn-cuda-wgmma-cluster.mlir.
// RUN: not scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-weights=block tensor-core-wgmma=true" 2>&1 | FileCheck %s
// What the option plans: scn-plan-dataflow-cluster-blocks-plan.mlir.

// 16 input channels: mma.sync block weights, no warpgroup.
// CHECK: error: 'scn.submanifold_conv' op has cluster_blocks 2, which is for warpgroup_mma (sm_90a) on block weights in blocks of 4 warps
func.func @narrow(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x16xf32>, %w: tensor<27x1x16x16xf32>) -> tensor<?x16xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", mma_type = "f16", cluster_blocks = 2 : i64} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x16xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has cluster_blocks 3; it is 1 or 2
func.func @three(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", mma_type = "f16", cluster_blocks = 3 : i64} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}

// -----

// CHECK: error: 'scn.submanifold_conv' op has cluster_blocks = "2"; it must be an integer
func.func @text(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", mma_type = "f16", cluster_blocks = "2"} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}
