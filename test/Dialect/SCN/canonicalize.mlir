// Folders and canonicalization patterns of the scn dialect.
// RUN: scn-opt %s -canonicalize -split-input-file | FileCheck %s --enable-var-scope

// relu(relu(x)) folds to relu(x).
// CHECK-LABEL: func @relu_relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[R:.*]] = scn.relu %[[X]]
// CHECK-NOT: scn.relu
// CHECK: return %[[R]]
func.func @relu_relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.relu %x : tensor<?x4xf32>
  %1 = scn.relu %0 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// A leaky ReLU with slope 1 is the identity; with slope 0 it is a ReLU.
// CHECK-LABEL: func @leaky
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: %[[R:.*]] = scn.relu %[[X]]
// CHECK-NEXT: return %[[X]], %[[R]]
func.func @leaky(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = scn.leaky_relu %x {alpha = 1.0 : f64} : tensor<?x4xf32>
  %1 = scn.leaky_relu %x {alpha = 0.0 : f64} : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// A leaky ReLU with another slope stays.
// CHECK-LABEL: func @leaky_kept
// CHECK: scn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64}
func.func @leaky_kept(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.leaky_relu %x {alpha = 0.1 : f64} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Dropout with p = 0 is the identity, in training and inference.
// CHECK-LABEL: func @dropout_zero
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @dropout_zero(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = scn.dropout %x {p = 0.0 : f64} : tensor<?x4xf32>
  %1 = scn.dropout %x {p = 0.0 : f64, training} : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Two inference dropouts scale by (1 - 0.5)(1 - 0.5) = 0.25: one dropout, p = 0.75.
// CHECK-LABEL: func @dropout_chain
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: %[[D:.*]] = scn.dropout %[[X]] {p = 7.500000e-01 : f64}
// CHECK-NEXT: return %[[D]]
func.func @dropout_chain(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.dropout %x {p = 0.5 : f64} : tensor<?x4xf32>
  %1 = scn.dropout %0 {p = 0.5 : f64} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// Training dropouts draw random numbers: neither merged nor removed when unused.
// CHECK-LABEL: func @dropout_training
// CHECK: scn.dropout %{{.*}} {training}
// CHECK: scn.dropout %{{.*}} {training}
// CHECK: scn.dropout %{{.*}} {training}
func.func @dropout_training(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.dropout %x {training} : tensor<?x4xf32>
  %1 = scn.dropout %0 {training} : tensor<?x4xf32>
  %2 = scn.dropout %x {training} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// A one-operand JoinTable or AddTable is the identity.
// CHECK-LABEL: func @single_operand_tables
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @single_operand_tables(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = scn.concat %x : tensor<?x4xf32>
  %1 = scn.add %x : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Unused geometry and inference ops are dead code.
// CHECK-LABEL: func @dead_code
// CHECK-NEXT: return
func.func @dead_code(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x4xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %m = scn.max_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x4xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  %r = scn.relu %x : tensor<?x4xf32>
  return
}

// -----

// A tap whose rows nothing reads goes: one result, no tapped write.
// CHECK-LABEL: func @unread_tap
// CHECK: %[[Y:.*]] = scn.submanifold_conv %{{.*}}, %{{.*}} on %{{.*}} {epilogue = [#scn.step<relu>], filter_size = array<i64: 3>}
// CHECK: %[[L:.*]] = scn.linear %[[Y]], %{{.*}} :
// CHECK-NOT: epilogue
// CHECK: return %[[L]]
func.func @unread_tap(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>,
                      %wl: tensor<2x2xf32>) -> tensor<?x2xf32> {
  %y:2 = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>, epilogue = [#scn.step<tap>, #scn.step<relu>]}
      : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %l:2 = scn.linear %y#0, %wl {epilogue = [#scn.step<tap>]} : tensor<?x2xf32>, tensor<2x2xf32>
  return %l#0 : tensor<?x2xf32>
}

// -----

// A tap whose rows are read stays.
// CHECK-LABEL: func @read_tap
// CHECK: %{{.*}}, %[[T:.*]] = scn.submanifold_conv {{.*}}#scn.step<tap>
// CHECK: return %[[T]]
func.func @read_tap(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %y:2 = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>, epilogue = [#scn.step<tap>, #scn.step<relu>]}
      : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  return %y#1 : tensor<?x2xf32>
}
