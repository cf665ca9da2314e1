// storage_type written by hand (scn-plan-dataflow-narrow-inputs.mlir for
// the plan's own): kept where only tensor-core convolutions of that type
// read the rows, as their input; anywhere else it would change what a
// reader gets (rounded twice, or rounded at all), and a type the lowering
// cannot store is no better: errors that name the op.
// RUN: scn-opt %s -split-input-file -scn-plan-dataflow="target=cuda tensor-cores=true" --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @by_hand
// CHECK: scn.input {{.*}}storage_type = f16
func.func @by_hand(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64, storage_type = f16} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

// bf16 rows for f16 multiplicands: rounded twice.
func.func @other_type(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  // expected-error @+1 {{has storage_type = bf16, but its rows are read by other than tensor-core convolutions with mma_type "bf16" (as their input), which storing them rounded would change}}
  %s, %x = scn.input %c, %f {mode = 0 : i64, storage_type = bf16} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}

// -----

// Rows the function returns.
func.func @returned(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  // expected-error @+1 {{has storage_type = f16, but its rows are read by other than tensor-core convolutions}}
  %s, %x = scn.input %c, %f {mode = 0 : i64, storage_type = f16} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %x, %y : tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// No feature rows: an arith op.
func.func @not_rows(%a: tensor<?x16xf32>) -> tensor<?x16xf32> {
  // expected-error @+1 {{has storage_type = f16 but no feature rows (one f32 [rows, channels] result) to store}}
  %b = arith.addf %a, %a {storage_type = f16} : tensor<?x16xf32>
  return %b : tensor<?x16xf32>
}

// -----

func.func @bad(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  // expected-error @+1 {{has storage_type = f64; it must be f16 or bf16}}
  %s, %x = scn.input %c, %f {mode = 0 : i64, storage_type = f64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}
