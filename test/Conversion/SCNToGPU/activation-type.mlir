// convert-scn-to-gpu activation-type=f16: feature rows between ops are f16
// buffers; kernels load them as f32 (arith.extf) and round their stores
// (arith.truncf), per-channel parameters stay f32, and only the function's
// result is extended back to an f32 tensor (the caller's type). A
// weight-stationary convolution, which accumulates in its output rows, is
// refused. The pipeline takes the option as `activations`.
// RUN: scn-opt %s --scn-graph-pipeline="plan-target=cuda" --convert-scn-to-gpu="activation-type=f16" --canonicalize --split-input-file --verify-diagnostics | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="activations=bf16 chip=sm_90" --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=BF16
// RUN: not scn-opt %s --scn-cuda-pipeline="activations=f8" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not scn-opt %s --convert-scn-to-gpu="activation-type=f64" 2>&1 | FileCheck %s --check-prefix=BADPASS

// CHECK-LABEL: func.func @main(
// The input's rows, stored rounded, 4 channels a thread.
// CHECK: %[[X:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x16xf16>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK: vector.store %{{.*}}, %[[X]]{{.*}} {alignment = 8 : i64} : memref<?x16xf16>, vector<4xf16>
// The convolution reads f16 rows as f32, 4 input channels a load, and
// stores f16, 4 output channels a thread: at its epilogue's tap the sums
// (%y, which the add reads too), then the batch norm of them (%z), whose
// scale and shift stay f32.
// CHECK: %[[Z:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32xf16>
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32xf16>
// CHECK: vector.load %[[X]]{{.*}} {alignment = 8 : i64} : memref<?x16xf16>, vector<4xf16>
// CHECK-NEXT: arith.extf %{{.*}} : vector<4xf16> to vector<4xf32>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK-NEXT: vector.store %{{.*}}, %[[Y]]{{.*}} {alignment = 8 : i64} : memref<?x32xf16>, vector<4xf16>
// CHECK-NEXT: vector.load %{{.*}} {alignment = 16 : i64} : memref<32xf32>, vector<4xf32>
// CHECK-NEXT: vector.load %{{.*}} {alignment = 16 : i64} : memref<32xf32>, vector<4xf32>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK-NEXT: vector.store %{{.*}}, %[[Z]]{{.*}} {alignment = 8 : i64} : memref<?x32xf16>, vector<4xf16>
// The add reads both, f16 rows as f32; no batch-norm kernel reads %y back.
// CHECK: %[[R:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32xf16>
// CHECK: vector.load %[[Z]]{{.*}} {alignment = 8 : i64} : memref<?x32xf16>, vector<4xf16>
// CHECK: vector.load %[[Y]]{{.*}} {alignment = 8 : i64} : memref<?x32xf16>, vector<4xf16>
// Only the result goes back to f32.
// CHECK-NOT: arith.extf %{{.*}} : tensor
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[R]] {{.*}} : memref<?x32xf16> to tensor<?x32xf16>
// CHECK-NEXT: %[[W:.*]] = arith.extf %[[T]] : tensor<?x32xf16> to tensor<?x32xf32>
// CHECK-NEXT: return %[[W]]
// BF16-LABEL: llvm.func @main(
// BF16: gpu.launch_func
// BAD: scn-cuda-pipeline: activations=f8 is not one of f32, f16, bf16
// BADPASS: convert-scn-to-gpu: activation-type 'f64' is not one of f32, f16, bf16
func.func @main(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x32xf32> {
  %w1 = arith.constant dense<0.25> : tensor<27x1x16x32xf32>
  %m = arith.constant dense<0.1> : tensor<32xf32>
  %v = arith.constant dense<2.0> : tensor<32xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w1 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x32xf32>, !scn.sites<3, [32, 32, 32]>
  %z = scn.batch_norm %y, %m, %v {eps = 1.0e-4 : f64, momentum = 0.9 : f64, leakiness = 0.0 : f64} : tensor<?x32xf32>, tensor<32xf32>, tensor<32xf32>
  %r = scn.add %z, %y : tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// -----

func.func @weight_stationary(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  // expected-error @+1 {{is weight_stationary, which accumulates in its output rows, but they are stored in f16/bf16 (activations or storage_type); use channel_parallel or tensor_core}}
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "weight_stationary"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}
