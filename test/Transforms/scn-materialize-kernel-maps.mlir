// RUN: scn-opt %s -scn-materialize-kernel-maps -split-input-file | FileCheck %s --enable-var-scope

// Two submanifold convolutions with the same filter on the same sites share a
// map; a different filter gets its own.
// CHECK-LABEL: func @submanifold_shared
// CHECK-SAME: (%[[S:[^:]*]]: !scn.sites<2, [16, 16]>
// CHECK-NEXT: %[[K3:.*]] = scn.kernel_map submanifold %[[S]], %[[S]] {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>}
// CHECK-NEXT: %[[K5:.*]] = scn.kernel_map submanifold %[[S]], %[[S]] {filter_size = array<i64: 5, 5>, filter_stride = array<i64: 1, 1>}
// CHECK-NEXT: scn.submanifold_conv {{.*}} map(%[[K3]])
// CHECK-NEXT: scn.submanifold_conv {{.*}} map(%[[K3]])
// CHECK-NEXT: scn.submanifold_conv {{.*}} map(%[[K5]])
func.func @submanifold_shared(%s: !scn.sites<2, [16, 16]>, %x: tensor<?x2xf32>, %w: tensor<9x1x2x2xf32>,
                              %w5: tensor<25x1x2x2xf32>) -> tensor<?x2xf32> {
  %a = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x2xf32>, tensor<9x1x2x2xf32>, !scn.sites<2, [16, 16]>
  %b = scn.submanifold_conv %a, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x2xf32>, tensor<9x1x2x2xf32>, !scn.sites<2, [16, 16]>
  %c = scn.submanifold_conv %b, %w5 on %s {filter_size = array<i64: 5, 5>} : tensor<?x2xf32>, tensor<25x1x2x2xf32>, !scn.sites<2, [16, 16]>
  return %c : tensor<?x2xf32>
}

// -----

// A convolution, a pooling of the same size/stride, a deconvolution and an
// unpooling back up all read one strided map (the last two transposed); the
// map is placed right after the downsampled sites.
// CHECK-LABEL: func @strided_shared
// CHECK: %[[T:.*]] = scn.downsample %[[S:.*]] {
// CHECK-NEXT: %[[K:.*]] = scn.kernel_map strided %[[S]], %[[T]] {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
// CHECK-NEXT: scn.conv {{.*}} map(%[[K]])
// CHECK-NEXT: scn.max_pool {{.*}} map(%[[K]])
// CHECK-NEXT: scn.deconv {{.*}} map(%[[K]])
// CHECK-NEXT: scn.unpool {{.*}} map(%[[K]])
// CHECK-NOT: scn.kernel_map
func.func @strided_shared(%s: !scn.sites<2, [16, 16]>, %x: tensor<?x2xf32>, %w: tensor<4x1x2x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [16, 16]>
  %c = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, tensor<4x1x2x2xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [8, 8]>
  %p = scn.max_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [8, 8]>
  %d = scn.deconv %c, %w from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, tensor<4x1x2x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [16, 16]>
  %u = scn.unpool %p from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [16, 16]>
  return %d, %u : tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// A full convolution gets a full map onto its full sites; an explicit map is kept.
// CHECK-LABEL: func @full_and_explicit
// CHECK: %[[K:.*]] = scn.kernel_map submanifold
// CHECK: %[[F:.*]] = scn.full_sites %[[S:.*]] {
// CHECK-NEXT: %[[KF:.*]] = scn.kernel_map full %[[S]], %[[F]]
// CHECK: scn.submanifold_conv {{.*}} map(%[[K]])
// CHECK: scn.full_conv {{.*}} map(%[[KF]])
func.func @full_and_explicit(%s: !scn.sites<1, [8]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3>, filter_stride = array<i64: 1>} : !scn.sites<1, [8]>, !scn.sites<1, [8]>
  %f = scn.full_sites %s {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : !scn.sites<1, [8]>
  %a = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [8]>
  %b = scn.full_conv %a, %w from %s to %f {filter_size = array<i64: 3>, filter_stride = array<i64: 2>}
      : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [8]> -> !scn.sites<1, [17]>
  return %b : tensor<?x2xf32>
}
