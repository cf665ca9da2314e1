// storage_type written by hand (scn-plan-dataflow-narrow-inputs.mlir for
// the plan's own): kept, and a type the lowering cannot store is an error
// that names it.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true" --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @by_hand
// CHECK: scn.input {{.*}}storage_type = bf16
func.func @by_hand(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64, storage_type = bf16} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

func.func @bad(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  // expected-error @+1 {{has storage_type = f64; it must be f16 or bf16}}
  %s, %x = scn.input %c, %f {mode = 0 : i64, storage_type = f64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}
