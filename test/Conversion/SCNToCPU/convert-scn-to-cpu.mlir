// convert-scn-to-cpu: geometry becomes runtime calls, features become loops.
// RUN: scn-opt %s --convert-scn-to-cpu | FileCheck %s --enable-var-scope

// The run handle is the new first argument; scn.input checks row counts and
// NaN before the runtime builds the set, and mode 0 gathers each site's row.
// A submanifold convolution with 4 input and 8 output channels is a loop
// over output rows, each accumulating a vector<8xf32> over the 9 offsets
// (skipping absent neighbours, -1) and 4 input channels, then its fused ReLU
// and one store of the row.
// CHECK-LABEL: func.func @subm(
// CHECK-SAME: %[[HANDLE:[^:]*]]: !llvm.ptr, %{{.*}}: tensor<?x3xi64>, %{{.*}}: tensor<?x4xf32>
// CHECK: scf.if
// CHECK: call @scn_cg_fail(%[[HANDLE]]
// CHECK: arith.cmpf uno
// CHECK: %[[SITES:.*]] = call @scn_cg_input(%[[HANDLE]], %{{.*}}, %c2_i32
// CHECK: call @scn_cg_site_source_row(%[[SITES]])
// CHECK: %[[MAP:.*]] = call @scn_cg_kernel_map(%[[HANDLE]], %{{.*}}, %c0_i32{{.*}}, %[[SITES]], %[[SITES]],
// CHECK: %[[TABLE:.*]] = call @scn_cg_neighbors(%[[HANDLE]], %[[MAP]], %{{.*}})
// CHECK: %[[ROWS:.*]] = call @scn_cg_neighbors_rows(%[[HANDLE]], %[[MAP]]
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%{{.*}})
// CHECK:   %[[BIAS:.*]] = vector.load %{{.*}} : memref<8xf32>, vector<8xf32>
// CHECK:   scf.for %{{.*}} = %{{.*}} to %c9{{.*}} iter_args(%{{.*}} = %[[BIAS]]) -> (vector<8xf32>)
// CHECK:     llvm.getelementptr inbounds %[[TABLE]]
// CHECK:     arith.cmpi sge
// CHECK:     scf.if %{{.*}} -> (vector<8xf32>)
// CHECK:       scf.for %{{.*}} = %{{.*}} to %c4{{.*}} iter_args
// CHECK:         memref.load
// CHECK:         vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK:         vector.load %{{.*}} : memref<9x1x4x8xf32>, vector<8xf32>
// CHECK:         vector.fma
// CHECK:   arith.maximumf
// CHECK:   vector.store %{{.*}}, %[[OUT]][%[[I]], %{{.*}}] : memref<?x8xf32>, vector<8xf32>
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
func.func @subm(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<8xf32>) map(%k) {filter_size = array<i64: 3, 3>, epilogue = [#scn.step<relu>]} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// A deconvolution reads its downsample's strided map transposed (flag 1);
// 72 output channels are split into tiles of 36 lanes.
// CHECK-LABEL: func.func @deconv(
// CHECK: %[[K:.*]] = call @scn_cg_kernel_map(%{{.*}}, %{{.*}}, %c1_i32
// CHECK: call @scn_cg_neighbors(%{{.*}}, %[[K]], %c0_i32
// CHECK: call @scn_cg_neighbors(%{{.*}}, %[[K]], %c1_i32
// CHECK: vector.fma {{.*}} : vector<36xf32>
func.func @deconv(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<4x1x4x8xf32>, %wd: tensor<4x1x8x72xf32>) -> tensor<?x72xf32> {
  %s, %x = scn.input %c, %f : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [16, 16]>
  %k = scn.kernel_map strided %s, %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [8, 8]>
  %y = scn.conv %x, %w from %s to %t map(%k) {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x4xf32>, tensor<4x1x4x8xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [8, 8]>
  %z = scn.deconv %y, %wd from %t to %s map(%k) {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x8xf32>, tensor<4x1x8x72xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [16, 16]>
  return %z : tensor<?x72xf32>
}
