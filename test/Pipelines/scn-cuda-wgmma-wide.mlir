// Wide layers on wgmma (chip=sm_90a, the default block weights): a lane
// gathers its rows of the next offset one compute ahead only where they
// take it at most 64 registers (TensorCoreConv::gathersAhead); wider rows
// are gathered in the offset's own step. W1's 256 -> 128 decoder layer over
// f32 rows took 255 registers and spilled 1576 bytes with its rows ahead
// (128 words of them); in the step it spills nothing. Rows stay f32 here by
// narrow-tensor-core-inputs=false (in W1 other ops read them too): the
// 256-channel layer then took 255 registers and spilled 1612 bytes with
// its rows ahead, and takes 218 and spills none. ptxas -v on the PTX.
// REQUIRES: cuda-toolkit
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a narrow-tensor-core-inputs=false format=isa" -split-input-file | %python %S/Inputs/ptxas_report.py sm_90a | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a format=isa" -split-input-file | %python %S/Inputs/ptxas_report.py sm_90a | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a" -split-input-file | FileCheck %s --check-prefix=WGMMA

// CHECK: tensor_core_conv: {{[0-9]+}} registers, 0 bytes spilled
// CHECK: tensor_core_conv: {{[0-9]+}} registers, 0 bytes spilled
// WGMMA-LABEL: llvm.func @wide(
// WGMMA: gpu.binary @tensor_core_conv
// WGMMA-SAME: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// WGMMA-LABEL: llvm.func @ahead(
// WGMMA: gpu.binary @tensor_core_conv
// WGMMA-SAME: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16

// 256 input channels: 128 words a lane in f32, gathered in the step; 64
// in f16 (narrowed rows, the default), gathered ahead.
func.func @wide(%c: tensor<?x4xi64>, %f: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x256x128xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x256xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x256xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x256xf32>, tensor<27x1x256x128xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x128xf32>
}

// -----

// 64 input channels: 32 words a lane in f32, gathered ahead.
func.func @ahead(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x128xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x128xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x128xf32>
}
