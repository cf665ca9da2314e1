// RUN: scn-opt %s --convert-scn-to-cpu -split-input-file -verify-diagnostics | FileCheck %s

// dataflow = "weight_stationary": one parallel loop over the runtime's
// blocks of output rows (scn_cg_pair_blocks: a block's first row, then each
// offset's first pair among its rows). A block's rows start at the bias;
// then, offset by offset (scf.for over the 9 offsets), tiles of 2 (input,
// output) pairs load their output rows, add x[in] * W[k] with one weight
// vector load per input channel for both pairs, and store the rows they
// own; the fused ReLU runs over the block's rows last. No other parallel
// loop: the threads meet once, not once an offset.
// CHECK-LABEL: func.func @subm(
// CHECK: %[[MAP:.*]] = call @scn_cg_kernel_map(
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x8xf32>
// CHECK: %[[BLOCKS:.*]] = call @scn_cg_pair_block_count(%{{.*}}, %[[MAP]], %c0_i32
// CHECK-NEXT: %[[N:.*]] = arith.index_cast %[[BLOCKS]]
// CHECK: call @scn_cg_pair_blocks(%{{.*}}, %[[MAP]], %c0_i32
// CHECK: call @scn_cg_pair_in_rows(
// CHECK: call @scn_cg_pair_out_rows(
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]])
// CHECK:   scf.for
// CHECK:     vector.load %{{.*}} : memref<8xf32>, vector<8xf32>
// CHECK:     vector.store %{{.*}}, %[[OUT]]
// CHECK:   scf.for %[[K:.*]] = %{{.*}} to %c9
// CHECK:     %[[TILES:.*]] = arith.ceildivui %{{.*}}, %c2
// CHECK:     scf.for %{{.*}} = %{{.*}} to %[[TILES]]
// CHECK:       vector.load %[[OUT]]
// CHECK:       vector.load %[[OUT]]
// CHECK:       scf.for
// CHECK:         vector.load %{{.*}}[%[[K]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<9x1x4x8xf32>, vector<8xf32>
// CHECK:         vector.fma
// CHECK:         vector.fma
// CHECK:       scf.if
// CHECK:         vector.store %{{.*}}, %[[OUT]]
// CHECK:       scf.if
// CHECK:         vector.store %{{.*}}, %[[OUT]]
// CHECK:   scf.for
// CHECK:     arith.maximumf
// CHECK:     vector.store %{{.*}}, %[[OUT]]
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @subm(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<8xf32>) map(%k) {dataflow = "weight_stationary", rows_per_tile = 2 : i64, channel_tile = 8 : i64, filter_size = array<i64: 3, 3>, epilogue = [#scn.step<relu>]} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// -----

func.func @unknown_dataflow(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  // expected-error @+1 {{has dataflow "row_stationary"; the lowering knows "output_stationary", "weight_stationary", "channel_parallel" and "tensor_core"}}
  %y = scn.submanifold_conv %x, %w on %s map(%k) {dataflow = "row_stationary", filter_size = array<i64: 3, 3>} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// -----

// channel_parallel: one parallel iteration per (tile of 2 rows, channel
// tile of 1 lane), channel tiles fastest: 8 iterations per row tile.
// CHECK-LABEL: func.func @channel_parallel(
// CHECK: %[[TILES:.*]] = arith.ceildivui %{{.*}}, %c2
// CHECK: %[[TOTAL:.*]] = arith.muli %[[TILES]], %c8
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[TOTAL]])
// CHECK:   %[[T:.*]] = arith.divui %[[I]], %c8
// CHECK:   arith.muli %[[T]], %c2
// CHECK:   %[[GT:.*]] = arith.remui %[[I]], %c8
// CHECK:   scf.for
// CHECK:     vector.fma %{{.*}} : vector<1xf32>
// CHECK:   vector.store %{{.*}} : memref<?x8xf32>, vector<1xf32>
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @channel_parallel(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3, 3>, dataflow = "channel_parallel", channel_tile = 1 : i64, rows_per_tile = 2 : i64} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// -----

// input_merge = "atomic": the rows of mode 4 are added into their sites by
// one parallel iteration per row and channel tile (memref.atomic_rmw, one
// per channel of the tile), then averaged.
// CHECK-LABEL: func.func @atomic_merge(
// CHECK: %[[R2S:.*]] = call @scn_cg_row_to_site(
// CHECK: scf.parallel (%[[R:.*]]) =
// CHECK:   llvm.getelementptr inbounds %[[R2S]][%{{.*}}]
// CHECK:   scf.if
// CHECK:     %[[V:.*]] = vector.load %{{.*}}[%[[R]], %{{.*}}] : memref<?x3xf32>, vector<3xf32>
// CHECK-COUNT-3: memref.atomic_rmw addf %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : (f32, memref<?x3xf32>) -> f32
// CHECK: call @scn_cg_site_row_count(
// CHECK: arith.divf
func.func @atomic_merge(%c: tensor<?x3xi64>, %f: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %s, %x = scn.input %c, %f {mode = 4 : i64, input_merge = "atomic"} : tensor<?x3xi64>, tensor<?x3xf32> -> !scn.sites<2, [16, 16]>, tensor<?x3xf32>
  return %x : tensor<?x3xf32>
}
