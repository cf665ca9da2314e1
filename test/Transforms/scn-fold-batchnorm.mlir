// RUN: scn-opt %s -scn-fold-batchnorm -split-input-file | FileCheck %s --enable-var-scope

// Eval BN after a conv with constant weights: W' = W * g, b' = (b - mean) * g + beta,
// g = gamma / sqrt(var + eps). Here eps = 1, var + eps = [4, 1], g = [1, 3].
// CHECK-LABEL: func @fold_conv
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00, 9.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[-5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = scn.submanifold_conv %{{.*}}, %[[W]] on %{{.*}} bias(%[[B]] : tensor<2xf32>)
// CHECK-NOT: scn.batch_norm
// CHECK: %[[R:.*]] = scn.relu %[[Y]]
// CHECK: return %[[R]]
func.func @fold_conv(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) bias(%b : tensor<2xf32>) {eps = 1.0 : f64, leakiness = 0.0 : f64}
      : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// Groups are group-major: output channel g * nOut/G + q scales W[k, g, p, q].
// An existing bias is shifted; leakiness 0.1 stays as a leaky ReLU.
// CHECK-LABEL: func @fold_grouped
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}9.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = scn.submanifold_conv %{{.*}}, %[[W]] on %{{.*}} bias(%[[B]] : tensor<2xf32>)
// CHECK: scn.leaky_relu %[[Y]] {alpha = 1.000000e-01 : f64}
func.func @fold_grouped(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[[[2.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %cb = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s bias(%cb : tensor<2xf32>) {filter_size = array<i64: 1>} : tensor<?x2xf32>, tensor<1x2x1x1xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) bias(%b : tensor<2xf32>) {eps = 1.0 : f64, leakiness = 0.1 : f64}
      : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// NetworkInNetwork: W [nIn, nOut] scales column o; no affine parameters (g = 1/sqrt(var+eps)).
// CHECK-LABEL: func @fold_linear
// CHECK-DAG: arith.constant dense<{{\[\[}}5.000000e-01, 3.000000e+00], [1.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: arith.constant dense<[-5.000000e-01, 0.000000e+00]> : tensor<2xf32>
// CHECK-NOT: scn.batch_norm
// CHECK-NOT: scn.relu
func.func @fold_linear(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 3.0], [2.0, 4.0]]> : tensor<2x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = scn.linear %x, %w : tensor<?x2xf32>, tensor<2x2xf32>
  %z = scn.batch_norm %y, %m, %v {eps = 1.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// Weights that are not constant (function arguments) are left alone.
// CHECK-LABEL: func @weights_not_constant
// CHECK: scn.batch_norm
func.func @weights_not_constant(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<1x1x1x2xf32>) -> tensor<?x2xf32> {
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %m : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// Train-mode batch norm uses batch statistics: not folded.
// CHECK-LABEL: func @training
// CHECK: scn.batch_norm {{.*}}training
func.func @training(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z, %st:2 = scn.batch_norm %y, %m, %m {training} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// The unnormalised conv output is used elsewhere: folding would change that use.
// CHECK-LABEL: func @conv_has_other_use
// CHECK: scn.batch_norm
func.func @conv_has_other_use(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %w = arith.constant dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %m : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Dense-resource weights (how deployed models carry them) fold too.
// CHECK-LABEL: func @fold_resource
// CHECK: arith.constant dense<{{\[\[\[\[}}2.000000e+00, 9.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK-NOT: scn.batch_norm
func.func @fold_resource(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense_resource<w> : tensor<1x1x1x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) {eps = 1.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000004000004040"
    }
  }
#-}
