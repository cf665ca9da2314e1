// narrow-tensor-core-inputs (on by default): rows that only f16 / bf16
// tensor-core convolutions read, as their input, are stored in the
// multiplicand type (storage_type on the op that makes them), which the
// convolutions round them to anyway. Rows read by anything else (a
// residual, an add, the function's result, a SIMT kernel) or accumulated in
// (a weight-stationary convolution, or a concatenation one writes into)
// stay f32; so do all rows with tf32, f16 activations or the option off.
// Async gathers then size their stages for the narrow rows.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true" | FileCheck %s
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-type=bf16" | FileCheck %s --check-prefix=BF16
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-type=tf32" | FileCheck %s --check-prefix=OFF
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true activation-bytes=2" | FileCheck %s --check-prefix=OFF
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true narrow-tensor-core-inputs=false" | FileCheck %s --check-prefix=OFF
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda" | FileCheck %s --check-prefix=OFF
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-stages=8 tensor-core-shared-bytes=101376" | FileCheck %s --check-prefix=ASYNC
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-gathers=async tensor-core-stages=8 tensor-core-shared-bytes=101376 narrow-tensor-core-inputs=false" | FileCheck %s --check-prefix=ASYNCWIDE

// OFF-NOT: storage_type

// The input rows and the first convolution's rows feed only tensor-core
// convolutions; the second's rows are the function's result.
// CHECK-LABEL: func @chain
// CHECK: scn.input {{.*}}storage_type = f16
// CHECK: scn.submanifold_conv {{.*}}storage_type = f16
// CHECK: %[[LAST:.*]] = scn.submanifold_conv
// CHECK-NOT: storage_type
// CHECK: return %[[LAST]]
// BF16-LABEL: func @chain
// BF16: scn.input {{.*}}storage_type = bf16
// BF16: scn.submanifold_conv {{.*}}storage_type = bf16
// 64 -> 64 at 3x3x3 under 99 KiB, 8 stages asked for: a warp's stage of
// f16 rows takes 2 KiB, so 6 stages of 4 warps (48 KiB) leave room for two
// blocks an SM; f32 rows' 4 KiB stages allow 3.
// ASYNC-LABEL: func @chain
// ASYNC: scn.submanifold_conv {{.*}}gather_stages = 6 : i64
// ASYNCWIDE-LABEL: func @chain
// ASYNCWIDE: scn.submanifold_conv {{.*}}gather_stages = 3 : i64
func.func @chain(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  %z = scn.submanifold_conv %y, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %z : tensor<?x64xf32>
}

// -----

// Rows that an add, a SIMT convolution (8 channels: no tensor-core shape;
// or channel_parallel by hand) or a residual read stay f32, and so do the
// rows of a weight-stationary convolution (it accumulates in them).
// CHECK-LABEL: func @other_readers
// CHECK-NOT: storage_type
// CHECK: return
func.func @other_readers(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x8xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %w8 = arith.constant dense<0.5> : tensor<27x1x16x8xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %a = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  %b = scn.submanifold_conv %x, %w8 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x8xf32>, !scn.sites<3, [32, 32, 32]>
  %c1 = scn.submanifold_conv %a, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  %d = scn.add %a, %c1 : tensor<?x16xf32>
  %e = scn.submanifold_conv %d, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "channel_parallel"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  %g = scn.submanifold_conv %e, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "weight_stationary"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  %h = scn.submanifold_conv %g, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %d, %b, %e, %h : tensor<?x16xf32>, tensor<?x8xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// A concatenation that only a tensor-core convolution reads is narrowed;
// one that a weight-stationary convolution writes into is not.
// CHECK-LABEL: func @concat
// CHECK: %[[J:.*]] = scn.concat {{.*}}storage_type = f16
// CHECK: %[[K:.*]] = scn.concat
// CHECK-NOT: storage_type
// CHECK: return
func.func @concat(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>, %f2: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %w32 = arith.constant dense<0.5> : tensor<27x1x32x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %j = scn.concat %x, %f2 : tensor<?x16xf32>, tensor<?x16xf32>
  %y = scn.submanifold_conv %j, %w32 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x32xf32>, tensor<27x1x32x16xf32>, !scn.sites<3, [32, 32, 32]>
  %ws = scn.submanifold_conv %f2, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "weight_stationary"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  %k = scn.concat %ws, %f2 : tensor<?x16xf32>, tensor<?x16xf32>
  %z = scn.submanifold_conv %k, %w32 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x32xf32>, tensor<27x1x32x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y, %z : tensor<?x16xf32>, tensor<?x16xf32>
}
