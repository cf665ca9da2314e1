// warpgroup_mma written by hand: only for chip=sm_90a, and only on block
// weights with gathers in registers, f16/bf16, input channels in 64s, 64
// output channels a warp and 16 rows.
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=global" 2>&1 | FileCheck %s --check-prefix=SHAPE

// CHIP: error: 'scn.submanifold_conv' op has warpgroup_mma, whose wgmma runs only on sm_90a
// SHAPE: error: 'scn.submanifold_conv' op has warpgroup_mma, which runs wgmma m64nNk16 on block weights (weights_memory "block", gathers in registers) with f16 or bf16 multiplicands, input channels in multiples of 64, channel_tile 64 or 128 and rows_per_tile 16; it has 64 input channels, channel_tile 64, rows_per_tile 16
func.func @hand(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, warpgroup_mma} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x64xf32>
}
