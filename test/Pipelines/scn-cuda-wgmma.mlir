// chip=sm_90a with tensor-core-weights=block: the 64 -> 64 layer's blocks
// of 4 warps are one warpgroup that multiplies by wgmma.mma_async
// m64n64k16 (sm_90a only): per offset one inline PTX block with a fence,
// a wgmma per 16 input channels (A from registers, B through a
// shared-memory descriptor: 128-byte swizzle, 1024 bytes between 8-row
// core matrices, so the constant bits are 0x4000004000010000), a commit
// and a wait; the block's threads fence their copies for the async proxy
// before each offset's barrier (the loop's bottom in the PTX). Other chips, other element types and
// layers whose input channels are not in 64s keep mma.sync. No GPU needed.
// Hand-written warpgroup_mma: scn-cuda-wgmma-errors.mlir.
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block" -split-input-file | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=bf16 chip=sm_90a tensor-core-weights=block" -split-input-file | FileCheck %s --check-prefix=BF16
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-weights=block" -split-input-file | FileCheck %s --check-prefix=SM90
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=tf32 chip=sm_90a tensor-core-weights=block" -split-input-file | FileCheck %s --check-prefix=SM90
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=global" -split-input-file | FileCheck %s --check-prefix=SM90
// The default, tensor-core-weights=auto: for sm_90a with f16/bf16, block
// weights on wgmma in warps of up to 128 output channels (m64n128k16 for
// the 64 -> 128 layer, whose warps otherwise take 64), mma.sync block
// weights where the input channels are not in 64s (as in the artifacts
// measured on the H200); tf32, and tiles that wgmma does not take (32
// columns, 32 rows), keep global weights (no cp.async weight copies).
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a" -split-input-file | FileCheck %s --check-prefix=AUTO
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=tf32 chip=sm_90a" -split-input-file | FileCheck %s --check-prefix=SM90GLOBAL
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-columns=32" -split-input-file | FileCheck %s --check-prefix=SM90GLOBAL
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-rows=32" -split-input-file | FileCheck %s --check-prefix=SM90GLOBAL
// SM90GLOBAL-NOT: wgmma.mma_async
// SM90GLOBAL-NOT: cp.async.cg
// SM90GLOBAL: mma.sync.aligned
// AUTO-LABEL: llvm.func @layer(
// AUTO: gpu.binary @tensor_core_conv
// AUTO-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// AUTO-LABEL: llvm.func @narrow(
// AUTO: gpu.binary @tensor_core_conv
// AUTO-NOT: wgmma.mma_async
// AUTO-SAME: cp.async.cg
// AUTO-SAME: mma.sync.aligned.m16n8k16
// AUTO-LABEL: llvm.func @twoWidths(
// AUTO-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16
// AUTO-COUNT-8: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// tensor-core-block-warps=8: blocks of two warpgroups (256 threads) that
// share each offset's stage; each warpgroup runs the wgmmas of an offset
// only where one of its 4 warps has it (the union of its masks).
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block tensor-core-block-warps=8" -split-input-file | FileCheck %s --check-prefix=EIGHT
// The masks read back from shared memory: the block's 4 (one v4 load) with
// one warpgroup; with two, the block's 8 for the union of the copies (2
// v4 loads) and the 4 of the warp's warpgroup for its skips (LLVM 22 reads
// them as a v4 and a b32).
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.shared.v4.b32\|ld.shared.b32" | sort | uniq -c | FileCheck %s --check-prefix=FOURMASKS
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block tensor-core-block-warps=8" -split-input-file | awk "/gpu.binary @tensor_core_conv/ && !seen++" | grep -o "ld.shared.v4.b32\|ld.shared.b32" | sort | uniq -c | FileCheck %s --check-prefix=EIGHTMASKS
// FOURMASKS-NOT: ld.shared.b32
// FOURMASKS: {{^ *}}1 ld.shared.v4.b32
// EIGHTMASKS: {{^ *}}1 ld.shared.b32
// EIGHTMASKS-NEXT: {{^ *}}3 ld.shared.v4.b32

// CHECK-LABEL: llvm.func @layer(
// CHECK: gpu.binary @tensor_core_conv
// CHECK-SAME: .target sm_90a
// CHECK-SAME: bar.sync
// CHECK-SAME: wgmma.fence.sync.aligned;
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// CHECK-SAME: wgmma.commit_group.sync.aligned;
// CHECK-SAME: wgmma.wait_group.sync.aligned 0;
// CHECK-SAME: cp.async.wait_group
// CHECK-SAME: fence.proxy.async.shared::cta;
// CHECK-SAME: bar.sync
// CHECK-NOT: mma.sync.aligned
// CHECK: llvm.func @narrow(
// EIGHT-LABEL: llvm.func @layer(
// EIGHT: gpu.binary @tensor_core_conv
// EIGHT-SAME: .maxntid 256, 1, 1
// EIGHT-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// BF16: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// SM90-NOT: wgmma.mma_async
func.func @layer(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x64xf32>
}

// -----

// 32 input channels: mma.sync, on block weights.
// CHECK: gpu.binary @tensor_core_conv
// CHECK-NOT: wgmma.mma_async
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
func.func @narrow(%c: tensor<?x4xi64>, %f: tensor<?x32xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x32x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x32xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x32xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x32xf32>, tensor<27x1x32x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x64xf32>
}

// -----

// Two wgmma layers of 64 and 128 input channels (4 and 8 k steps: a
// placeholder each), and 128 output channels (two column tiles).
// CHECK-LABEL: llvm.func @twoWidths(
// CHECK-COUNT-12: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
func.func @twoWidths(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w0 = arith.constant dense<0.5> : tensor<27x1x64x128xf32>
  %w1 = arith.constant dense<0.25> : tensor<27x1x128x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w0 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x128xf32>, !scn.sites<3, [32, 32, 32]>
  %z = scn.submanifold_conv %y, %w1 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x128xf32>, tensor<27x1x128x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %z : tensor<?x64xf32>
}
