// convert-scn-to-cpu: geometry becomes runtime calls, features become loops.
// RUN: scn-opt %s --convert-scn-to-cpu | FileCheck %s --enable-var-scope

// The run handle is the new first argument, and the caller's arrays are
// read-only for bufferization; scn.input checks row counts and
// NaN before the runtime builds the set, and mode 0 gathers each site's row.
// A submanifold convolution with 4 input and 8 output channels is a parallel
// loop over tiles of 4 output rows (the default schedule): each row keeps a
// vector<8xf32> accumulator, the loop over the 9 offsets skips offsets that
// no row of the tile has (-1 entries), and every weight vector loaded in the
// loop over the 4 input channels serves all 4 rows. Then the fused ReLU and
// one store per valid row.
// CHECK-LABEL: func.func @subm(
// CHECK-SAME: %[[HANDLE:[^:]*]]: !llvm.ptr, %{{.*}}: tensor<?x3xi64> {bufferization.writable = false}, %{{.*}}: tensor<?x4xf32> {bufferization.writable = false}
// CHECK: scf.if
// CHECK: call @scn_cg_fail(%[[HANDLE]]
// CHECK: arith.cmpf uno
// CHECK: %[[SITES:.*]] = call @scn_cg_input(%[[HANDLE]], %{{.*}}, %c2_i32
// CHECK: call @scn_cg_site_source_row(%[[SITES]])
// CHECK: %[[MAP:.*]] = call @scn_cg_kernel_map(%[[HANDLE]], %{{.*}}, %c0_i32{{.*}}, %[[SITES]], %[[SITES]],
// CHECK: %[[TABLE:.*]] = call @scn_cg_neighbors(%[[HANDLE]], %[[MAP]], %{{.*}})
// CHECK: %[[ROWS:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[OUT:.*]] = memref.alloc(%[[ROWS]]) {alignment = 64 : i64} : memref<?x8xf32>
// CHECK: %[[TILES:.*]] = arith.ceildivui %[[ROWS]], %c4
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[TILES]])
// CHECK:   %[[BIAS:.*]] = vector.load %{{.*}} : memref<8xf32>, vector<8xf32>
// CHECK:   scf.for %{{.*}} = %{{.*}} to %c9{{.*}} iter_args(%{{.*}} = %[[BIAS]], %{{.*}} = %[[BIAS]], %{{.*}} = %[[BIAS]], %{{.*}} = %[[BIAS]]) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:     llvm.getelementptr inbounds %[[TABLE]]
// CHECK:     arith.cmpi sge
// CHECK:     %[[ANY:.*]] = arith.ori
// CHECK:     scf.if %{{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK:       scf.for %{{.*}} = %{{.*}} to %c4{{.*}} iter_args
// CHECK:         %[[W:.*]] = vector.load %{{.*}} : memref<9x1x4x8xf32>, vector<8xf32>
// CHECK:         memref.load
// CHECK:         arith.select
// CHECK:         vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK:         vector.fma %{{.*}}, %[[W]], %{{.*}} : vector<8xf32>
// CHECK:   scf.if
// CHECK:     arith.maximumf
// CHECK:     vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] : memref<?x8xf32>, vector<8xf32>
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
func.func @subm(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<8xf32>) map(%k) {filter_size = array<i64: 3, 3>, epilogue = [#scn.step<relu>]} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// A deconvolution reads its downsample's strided map transposed (flag 1);
// 72 output channels are split into equal power-of-two tiles (9 x 8 lanes).
// CHECK-LABEL: func.func @deconv(
// CHECK: %[[K:.*]] = call @scn_cg_kernel_map(%{{.*}}, %{{.*}}, %c1_i32
// CHECK: call @scn_cg_neighbors(%{{.*}}, %[[K]], %c0_i32
// CHECK: call @scn_cg_neighbors(%{{.*}}, %[[K]], %c1_i32
// CHECK: vector.fma {{.*}} : vector<8xf32>
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

// A convolution listed in a concat's fused_operands stores into the concat's
// buffer at its channel offset (2); the concat copies only operand 0.
// CHECK-LABEL: func.func @concat_slice(
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x6xf32>
// CHECK: scf.parallel
// CHECK:   vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] : memref<?x6xf32>, vector<4xf32>
// CHECK: scf.parallel
// CHECK:   vector.load %{{.*}} : memref<?x2xf32>, vector<2xf32>
// CHECK:   vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] : memref<?x6xf32>, vector<2xf32>
// CHECK-NOT: vector.load %{{.*}} : memref<?x4xf32>
// CHECK: bufferization.to_tensor %[[OUT]]
func.func @concat_slice(%c: tensor<?x2xi64>, %f: tensor<?x2xf32>, %w: tensor<3x1x2x4xf32>) -> tensor<?x6xf32> {
  %s, %x = scn.input %c, %f : tensor<?x2xi64>, tensor<?x2xf32> -> !scn.sites<1, [16]>, tensor<?x2xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3>, filter_stride = array<i64: 1>} : !scn.sites<1, [16]>, !scn.sites<1, [16]>
  %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x4xf32>, !scn.sites<1, [16]>
  %z = scn.concat %x, %y {fused_operands = array<i64: 1>} : tensor<?x2xf32>, tensor<?x4xf32>
  return %z : tensor<?x6xf32>
}
