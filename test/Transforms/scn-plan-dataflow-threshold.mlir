// RUN: scn-opt %s -scn-plan-dataflow | FileCheck %s
// RUN: scn-opt %s -scn-plan-dataflow="weight-stationary-min-channels=0" | FileCheck %s --check-prefix=NOWS
// RUN: scn-opt %s -scn-plan-dataflow="weight-stationary-min-channels-alone=32" | FileCheck %s --check-prefix=ALONE

// weight-stationary-min-channels defaults to 32: a 32 x 32 layer is
// weight-stationary, a 16 -> 32 one (16 input channels) output-stationary.
// CHECK-LABEL: func @threshold
// CHECK: scn.submanifold_conv {{.*}}dataflow = "weight_stationary"
// CHECK: scn.submanifold_conv {{.*}}dataflow = "output_stationary"
// NOWS-LABEL: func @threshold
// NOWS: scn.submanifold_conv {{.*}}dataflow = "output_stationary"
// NOWS: scn.submanifold_conv {{.*}}dataflow = "output_stationary"
func.func @threshold(%s: !scn.sites<1, [16]>, %x: tensor<?x32xf32>, %w: tensor<3x1x32x32xf32>, %v: tensor<?x16xf32>, %w16: tensor<3x1x16x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x32xf32>, tensor<3x1x32x32xf32>, !scn.sites<1, [16]>
  %z = scn.submanifold_conv %v, %w16 on %s {filter_size = array<i64: 3>} : tensor<?x16xf32>, tensor<3x1x16x32xf32>, !scn.sites<1, [16]>
  return %y, %z : tensor<?x32xf32>, tensor<?x32xf32>
}

// A 32 x 32 convolution alone on its kernel map is output-stationary: the
// map's pair lists, which weight-stationary kernels read, would be built
// for it alone (weight-stationary-min-channels-alone, 64). Two that read
// the same map are weight-stationary, and so is a 64 x 64 one alone.
// CHECK-LABEL: func @shared_maps
// CHECK: scn.submanifold_conv {{.*}}dataflow = "output_stationary"
// CHECK: scn.submanifold_conv {{.*}}dataflow = "weight_stationary"
// CHECK: scn.submanifold_conv {{.*}}dataflow = "weight_stationary"
// CHECK: scn.submanifold_conv {{.*}}dataflow = "weight_stationary"
// ALONE-LABEL: func @shared_maps
// ALONE-COUNT-4: dataflow = "weight_stationary"
func.func @shared_maps(%c: tensor<?x3xi64>, %f: tensor<?x32xf32>, %w: tensor<9x1x32x32xf32>, %w64: tensor<9x1x64x64xf32>, %g: tensor<?x64xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x64xf32>) {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x32xf32> -> !scn.sites<2, [16, 16]>, tensor<?x32xf32>
  %alone = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %shared = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %wide = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %a = scn.submanifold_conv %x, %w on %s map(%alone) {filter_size = array<i64: 3, 3>} : tensor<?x32xf32>, tensor<9x1x32x32xf32>, !scn.sites<2, [16, 16]>
  %b = scn.submanifold_conv %a, %w on %s map(%shared) {filter_size = array<i64: 3, 3>} : tensor<?x32xf32>, tensor<9x1x32x32xf32>, !scn.sites<2, [16, 16]>
  %d = scn.submanifold_conv %b, %w on %s map(%shared) {filter_size = array<i64: 3, 3>} : tensor<?x32xf32>, tensor<9x1x32x32xf32>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %g, %w64 on %s map(%wide) {filter_size = array<i64: 3, 3>} : tensor<?x64xf32>, tensor<9x1x64x64xf32>, !scn.sites<2, [16, 16]>
  return %a, %d, %y : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x64xf32>
}

// A max pooling on the same map does not count: it reads the neighbour
// table, not the pair lists, so the 32 x 32 convolution is still alone.
// CHECK-LABEL: func @pool_shares
// CHECK: scn.conv {{.*}}dataflow = "output_stationary"
func.func @pool_shares(%s: !scn.sites<1, [16]>, %x: tensor<?x32xf32>, %w: tensor<2x1x32x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [16]>
  %k = scn.kernel_map strided %s, %t {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [16]>, !scn.sites<1, [8]>
  %y = scn.conv %x, %w from %s to %t map(%k) {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : tensor<?x32xf32>, tensor<2x1x32x32xf32>, !scn.sites<1, [16]> -> !scn.sites<1, [8]>
  %p = scn.max_pool %x from %s to %t map(%k) {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : tensor<?x32xf32>, !scn.sites<1, [16]> -> !scn.sites<1, [8]>
  return %y, %p : tensor<?x32xf32>, tensor<?x32xf32>
}
