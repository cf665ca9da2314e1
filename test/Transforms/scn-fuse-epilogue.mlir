// RUN: scn-opt %s -scn-fuse-epilogue -split-input-file | FileCheck %s --enable-var-scope
// RUN: scn-opt %s -scn-fuse-epilogue=taps=false -split-input-file | FileCheck %s --check-prefix=NOTAP

// An activation after a conv becomes its epilogue.
// CHECK-LABEL: func @activation
// CHECK: %[[Y:.*]] = scn.submanifold_conv {{.*}} {epilogue = [#scn.step<leaky_relu, 2.000000e-01>], filter_size = array<i64: 3>}
// CHECK-NEXT: return %[[Y]]
func.func @activation(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.leaky_relu %y {alpha = 0.2 : f64} : tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// A batch norm with run-time parameters becomes an affine step with scale and
// shift computed once per channel, then its ReLU (leakiness 0).
// CHECK-LABEL: func @batch_norm
// CHECK-SAME: %[[M:[^:]*]]: tensor<2xf32>, %[[V:[^:]*]]: tensor<2xf32>, %[[G:[^:]*]]: tensor<2xf32>, %[[B:[^:]*]]: tensor<2xf32>
// CHECK: %[[EPS:.*]] = arith.constant dense<9.99999974E-5> : tensor<2xf32>
// CHECK: %[[VE:.*]] = arith.addf %[[V]], %[[EPS]]
// CHECK: %[[STD:.*]] = math.sqrt %[[VE]]
// CHECK: %[[SCALE:.*]] = arith.divf %[[G]], %[[STD]]
// CHECK: %[[MS:.*]] = arith.mulf %[[M]], %[[SCALE]]
// CHECK: %[[SHIFT:.*]] = arith.subf %[[B]], %[[MS]]
// CHECK: %[[Y:.*]] = scn.submanifold_conv {{.*}} epilogue(%[[SCALE]], %[[SHIFT]] : tensor<2xf32>, tensor<2xf32>) {epilogue = [#scn.step<affine>, #scn.step<relu>]
// CHECK-NOT: scn.batch_norm
// CHECK: return %[[Y]]
func.func @batch_norm(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>,
                      %m: tensor<2xf32>, %v: tensor<2xf32>, %g: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) bias(%b : tensor<2xf32>) {leakiness = 0.0 : f64}
      : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// With constant parameters the scale and shift are constants: var + eps = 4,
// scale = 2 / 2 = 1, shift = 0.5 - 1 * 1 = -0.5 (channel 0).
// CHECK-LABEL: func @batch_norm_constant
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<[1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[SHIFT:.*]] = arith.constant dense<[-5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK: scn.submanifold_conv {{.*}} epilogue(%[[SCALE]], %[[SHIFT]] : tensor<2xf32>, tensor<2xf32>) {epilogue = [#scn.step<affine>]
func.func @batch_norm_constant(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) -> tensor<?x2xf32> {
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) bias(%b : tensor<2xf32>) {eps = 1.0 : f64}
      : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// SparseConvNet's residual block: conv, then AddTable with the shortcut.
// CHECK-LABEL: func @residual
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x2xf32>
// CHECK: %[[Y:.*]] = scn.submanifold_conv {{.*}} epilogue(%[[X]] : tensor<?x2xf32>) {epilogue = [#scn.step<residual>]
// CHECK-NOT: scn.add
// CHECK: return %[[Y]]
func.func @residual(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %z = scn.add %x, %y : tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// A whole chain: conv -> add -> relu, in that order in the epilogue.
// CHECK-LABEL: func @chain
// CHECK: scn.submanifold_conv {{.*}} {epilogue = [#scn.step<residual>, #scn.step<relu>]
// CHECK-NOT: scn.relu
func.func @chain(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %z = scn.add %y, %x : tensor<?x2xf32>
  %r = scn.relu %z : tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// -----

// When both sides of an add could absorb it, the convolution does (the
// shortcut NetworkInNetwork is cheaper to write once).
// CHECK-LABEL: func @prefer_conv
// CHECK: %[[L:.*]] = scn.linear
// CHECK-NOT: epilogue
// CHECK: scn.submanifold_conv {{.*}} epilogue(%[[L]] : tensor<?x2xf32>) {epilogue = [#scn.step<residual>]
func.func @prefer_conv(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %wl: tensor<1x2xf32>, %w: tensor<3x1x1x2xf32>) -> tensor<?x2xf32> {
  %l = scn.linear %x, %wl : tensor<?x1xf32>, tensor<1x2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.add %l, %y : tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// A conv result with another use must still be written unmodified: no fusion.
// CHECK-LABEL: func @multi_use
// CHECK: %[[Y:.*]] = scn.submanifold_conv
// CHECK-NOT: epilogue
// CHECK: scn.relu %[[Y]]
func.func @multi_use(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.relu %y : tensor<?x2xf32>
  return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Strided ops and NetworkInNetwork take epilogues too; training BN does not fuse.
// CHECK-LABEL: func @strided_and_training
// CHECK: scn.conv {{.*}} {epilogue = [#scn.step<sigmoid>]
// CHECK: scn.linear {{.*}} {epilogue = [#scn.step<tanh>]}
// CHECK: scn.batch_norm {{.*}} {training}
func.func @strided_and_training(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<2x1x1x2xf32>,
                                %wl: tensor<2x2xf32>, %m: tensor<2xf32>) -> tensor<?x2xf32> {
  %t = scn.downsample %s {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [16]>
  %y = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2>, filter_stride = array<i64: 2>}
      : tensor<?x1xf32>, tensor<2x1x1x2xf32>, !scn.sites<1, [16]> -> !scn.sites<1, [8]>
  %a = scn.sigmoid %y : tensor<?x2xf32>
  %l = scn.linear %a, %wl : tensor<?x2xf32>, tensor<2x2xf32>
  %b = scn.tanh %l : tensor<?x2xf32>
  %c = scn.linear %b, %wl : tensor<?x2xf32>, tensor<2x2xf32>
  %z, %st:2 = scn.batch_norm %c, %m, %m {training} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// A convolution whose only use is a JoinTable writes its rows straight into
// its slice of the concatenation (operand 1); the shortcut (operand 0, also
// used by the conv) is copied.
// CHECK-LABEL: func @concat_slice
// CHECK: scn.concat %{{.*}}, %{{.*}} {fused_operands = array<i64: 1>}
func.func @concat_slice(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x4xf32>) -> tensor<?x6xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x4xf32>, !scn.sites<1, [16]>
  %z = scn.concat %x, %y : tensor<?x2xf32>, tensor<?x4xf32>
  return %z : tensor<?x6xf32>
}

// -----

// SparseConvNet's residual blocks: the block's sum is the next block's
// shortcut and, through a batch norm, its first convolution's input. The
// summing convolution taps the sum (its second result, read by the next
// residual) and writes the batch norm of it: no batch-norm kernel.
// CHECK-LABEL: func @tap_residual_sum
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x2xf32>
// CHECK: %[[SCALE:.*]] = arith.divf
// CHECK: %[[SHIFT:.*]] = arith.subf
// CHECK: %[[Z:.*]], %[[SUM:.*]] = scn.submanifold_conv %[[X]], {{.*}} epilogue(%[[X]], %[[SCALE]], %[[SHIFT]] : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>) {epilogue = [#scn.step<residual>, #scn.step<tap>, #scn.step<affine>, #scn.step<relu>]
// CHECK-NOT: scn.batch_norm
// CHECK: %[[U:.*]] = scn.submanifold_conv %[[Z]], {{.*}} epilogue(%[[SUM]] : tensor<?x2xf32>) {epilogue = [#scn.step<residual>]
// CHECK: return %[[U]]
// Without taps the batch norm stays a kernel.
// NOTAP-LABEL: func @tap_residual_sum
// NOTAP: %[[SUM:.*]] = scn.submanifold_conv {{.*}} {epilogue = [#scn.step<residual>], filter_size
// NOTAP: scn.batch_norm %[[SUM]]
func.func @tap_residual_sum(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>,
                            %m: tensor<2xf32>, %v: tensor<2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %sum = scn.add %x, %y : tensor<?x2xf32>
  %z = scn.batch_norm %sum, %m, %v {leakiness = 0.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  %u = scn.submanifold_conv %z, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %next = scn.add %u, %sum : tensor<?x2xf32>
  return %next : tensor<?x2xf32>
}

// -----

// A second batch norm of the same rows stays a kernel (one tap an op) and
// reads the tapped rows. An add of the op's two results is not a residual
// step of the op itself.
// CHECK-LABEL: func @one_tap
// CHECK: %[[Z:.*]], %[[T:.*]] = scn.submanifold_conv {{.*}} {epilogue = [#scn.step<tap>, #scn.step<affine>
// CHECK: scn.batch_norm %[[T]]
// CHECK: scn.add %{{.*}}, %[[T]]
func.func @one_tap(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>,
                   %m: tensor<2xf32>, %v: tensor<2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v {leakiness = 0.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  %b = scn.batch_norm %y, %v, %v {leakiness = 1.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  %a = scn.add %z, %y : tensor<?x2xf32>
  return %b, %a : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Tapped rows whose only reader is a concatenation go straight into its
// slice (SparseConvNet's UNet: the encoder's last sum, batch-normed for
// the next block and joined with the decoder's rows), the op's first
// result to its own readers.
// CHECK-LABEL: func @tap_into_concat
// CHECK: %[[Z:.*]], %[[T:.*]] = scn.submanifold_conv {{.*}}#scn.step<tap>
// CHECK: scn.concat %{{.*}}, %[[T]] {fused_operands = array<i64: 1>}
func.func @tap_into_concat(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x4xf32>,
                               %m: tensor<4xf32>, %v: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x6xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x4xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
  %c = scn.concat %x, %y : tensor<?x2xf32>, tensor<?x4xf32>
  return %z, %c : tensor<?x4xf32>, tensor<?x6xf32>
}

// -----

// Parameters computed after the convolution: with a tap it stays where it
// is (the other readers may come first), so they would not be ready. The
// batch norm stays a kernel.
// CHECK-LABEL: func @tap_needs_parameters_first
// CHECK: %[[Y:.*]] = scn.submanifold_conv
// CHECK-NOT: epilogue
// CHECK: scn.batch_norm %[[Y]]
func.func @tap_needs_parameters_first(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>,
                                      %m: tensor<2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %v = arith.addf %m, %m : tensor<2xf32>
  %z = scn.batch_norm %y, %m, %v : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
}
