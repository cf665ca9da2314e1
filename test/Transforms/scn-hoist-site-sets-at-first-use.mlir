// RUN: scn-opt %s -scn-hoist-site-sets="at-first-use=true" -split-input-file | FileCheck %s --enable-var-scope

// at-first-use: the whole pyramid (two downsamples and a FullConvolution
// set, in order) moves to right before the first op that uses one of them
// (the strided map at the end of level 0): level 0's map and layer are
// queued before it; maps and layers keep their places.
// CHECK-LABEL: func @pyramid_at_first_use
// CHECK-NEXT: %[[S:.*]], %[[X:.*]] = scn.input
// CHECK-NEXT: %[[K0:.*]] = scn.kernel_map submanifold %[[S]], %[[S]]
// CHECK-NEXT: %[[A:.*]] = scn.submanifold_conv %[[X]], {{.*}} map(%[[K0]])
// CHECK-NEXT: %[[A2:.*]] = scn.submanifold_conv %[[A]], {{.*}} map(%[[K0]])
// CHECK-NEXT: %[[D1:.*]] = scn.downsample %[[S]] {
// CHECK-NEXT: %[[D2:.*]] = scn.downsample %[[D1]] {
// CHECK-NEXT: %[[F:.*]] = scn.full_sites %[[D2]] {
// CHECK-NEXT: %[[K1:.*]] = scn.kernel_map strided %[[S]], %[[D1]]
// CHECK-NEXT: %[[B:.*]] = scn.conv %[[A2]], {{.*}} map(%[[K1]])
// CHECK-NEXT: %[[K2:.*]] = scn.kernel_map strided %[[D1]], %[[D2]]
// CHECK-NEXT: scn.conv %[[B]], {{.*}} map(%[[K2]])
// CHECK-NEXT: scn.kernel_map full %[[D2]], %[[F]]
func.func @pyramid_at_first_use(%coords: tensor<?x3xi64>, %features: tensor<?x1xf32>,
                                %w0: tensor<9x1x1x4xf32>, %w0b: tensor<9x1x4x4xf32>,
                                %w1: tensor<4x1x4x4xf32>,
                                %w2: tensor<4x1x4x4xf32>) -> tensor<?x4xf32> {
  %s, %x = scn.input %coords, %features {mode = 4 : i64} : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [16, 16]>, tensor<?x1xf32>
  %d1 = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [16, 16]>
  %k0 = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %a = scn.submanifold_conv %x, %w0 on %s map(%k0) {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x4xf32>, !scn.sites<2, [16, 16]>
  %a2 = scn.submanifold_conv %a, %w0b on %s map(%k0) {filter_size = array<i64: 3, 3>} : tensor<?x4xf32>, tensor<9x1x4x4xf32>, !scn.sites<2, [16, 16]>
  %k1 = scn.kernel_map strided %s, %d1 {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [8, 8]>
  %b = scn.conv %a2, %w1 from %s to %d1 map(%k1) {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x4xf32>, tensor<4x1x4x4xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [8, 8]>
  %d2 = scn.downsample %d1 {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %k2 = scn.kernel_map strided %d1, %d2 {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [4, 4]>
  %c = scn.conv %b, %w2 from %d1 to %d2 map(%k2) {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x4xf32>, tensor<4x1x4x4xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  %f = scn.full_sites %d2 {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [4, 4]>
  %k3 = scn.kernel_map full %d2, %f {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [4, 4]>, !scn.sites<2, [9, 9]>
  return %c : tensor<?x4xf32>
}

// -----

// A set derived from a value defined after the first use stays, and so
// does the set derived from it; the others move.
// CHECK-LABEL: func @late_source
// CHECK: %[[D:.*]] = scn.downsample %arg0
// CHECK-NEXT: scn.submanifold_conv %{{.*}} on %[[D]]
// CHECK: %[[T:.*]], %{{.*}} = scn.input
// CHECK-NEXT: %[[E:.*]] = scn.downsample %[[T]]
// CHECK-NEXT: scn.downsample %[[E]]
func.func @late_source(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>,
                       %coords: tensor<?x2xi64>, %features: tensor<?x1xf32>)
    -> (tensor<?x2xf32>, !scn.sites<1, [4]>) {
  %d = scn.downsample %s {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [16]>
  %a = scn.submanifold_conv %x, %w on %d {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [8]>
  %t, %y = scn.input %coords, %features {mode = 4 : i64} : tensor<?x2xi64>, tensor<?x1xf32> -> !scn.sites<1, [16]>, tensor<?x1xf32>
  %e = scn.downsample %t {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [16]>
  %g = scn.downsample %e {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [8]>
  return %a, %g : tensor<?x2xf32>, !scn.sites<1, [4]>
}
