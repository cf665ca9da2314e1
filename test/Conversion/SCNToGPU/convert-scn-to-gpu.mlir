// convert-scn-to-gpu: the loops of convert-scn-to-cpu, with every runtime
// array that a loop reads replaced by the run's GPU-visible copy of it
// (scn_cg_device_copy, given its size in bytes).
// RUN: scn-opt %s --convert-scn-to-gpu=device-geometry=false | FileCheck %s --enable-var-scope
// RUN: scn-opt %s --convert-scn-to-gpu | FileCheck %s --enable-var-scope --check-prefix=DEVICE

// With device geometry (the default), both functions build their sets,
// maps and pair lists with the device builders and read their device
// arrays directly; the pair offsets come back in host memory, where the
// host loop over offsets reads them.
// DEVICE-LABEL: func.func @subm(
// DEVICE-NOT: scn_cg_device_copy
// DEVICE: %[[SITES:.*]] = call @scn_cg_gpu_input(
// DEVICE: call @scn_cg_gpu_site_source_row(%[[SITES]])
// DEVICE: %[[MAP:.*]] = call @scn_cg_gpu_kernel_map(
// DEVICE: call @scn_cg_gpu_neighbors_rows(%{{.*}}, %[[MAP]],
// DEVICE: call @scn_cg_gpu_neighbors(%{{.*}}, %[[MAP]],
// DEVICE-NOT: scn_cg_device_copy
// DEVICE-LABEL: func.func @weight_stationary(
// DEVICE: call @scn_cg_gpu_input(
// DEVICE: call @scn_cg_gpu_pair_count(
// DEVICE: call @scn_cg_gpu_pair_offsets(
// DEVICE: call @scn_cg_gpu_pair_in_rows(
// DEVICE: call @scn_cg_gpu_pair_out_rows(
// DEVICE-NOT: scn_cg_device_copy

// Mode 0 gathers each site's source row: num_sites x 4 bytes. The neighbour
// table is rows x 9 offsets x 4 bytes. Loops then read only the copies.
// CHECK-LABEL: func.func @subm(
// CHECK-SAME: %[[RUNH:[^:]*]]: !llvm.ptr,
// CHECK: %[[SITES:.*]] = call @scn_cg_input(%[[RUNH]],
// CHECK: %[[N:.*]] = call @scn_cg_num_sites(%[[RUNH]], %[[SITES]])
// CHECK-DAG: %[[SRCB:.*]] = arith.muli %{{.*}}, %c4_i64
// CHECK-DAG: %[[SRC:.*]] = call @scn_cg_site_source_row(%[[SITES]])
// CHECK: %[[SRCD:.*]] = call @scn_cg_device_copy(%[[RUNH]], %[[SRC]], %[[SRCB]])
// CHECK: scf.parallel
// CHECK: llvm.getelementptr inbounds %[[SRCD]]
// CHECK: %[[MAP:.*]] = call @scn_cg_kernel_map(
// CHECK: %[[ROWS:.*]] = call @scn_cg_neighbors_rows(%[[RUNH]], %[[MAP]],
// CHECK: %[[ENTRIES:.*]] = arith.muli %[[ROWS]], %c9_i64
// CHECK: %[[BYTES:.*]] = arith.muli %[[ENTRIES]], %c4_i64
// CHECK: %[[TBL:.*]] = call @scn_cg_neighbors(%[[RUNH]], %[[MAP]],
// CHECK: %[[TBLD:.*]] = call @scn_cg_device_copy(%[[RUNH]], %[[TBL]], %[[BYTES]])
// CHECK: scf.parallel
// CHECK: llvm.getelementptr inbounds %[[TBLD]]
// CHECK-NOT: llvm.getelementptr inbounds %[[TBL]]
func.func @subm(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<8xf32>) map(%k) {filter_size = array<i64: 3, 3>, epilogue = [#scn.step<relu>]} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// Weight-stationary: the pair offsets (volume + 1 int64) are read by the
// host loop over offsets, the pair rows (count x int32) by the kernels.
// CHECK-LABEL: func.func @weight_stationary(
// CHECK-SAME: %[[RUNH:[^:]*]]: !llvm.ptr,
// CHECK: %[[COUNT:.*]] = call @scn_cg_pair_count(%[[RUNH]],
// CHECK: %[[OFF:.*]] = func.call @scn_cg_pair_offsets(
// CHECK: func.call @scn_cg_device_copy(%[[RUNH]], %[[OFF]], %c80_i64)
// CHECK: %[[INB:.*]] = arith.muli %[[COUNT]], %c4_i64
// CHECK: %[[IN:.*]] = func.call @scn_cg_pair_in_rows(
// CHECK: func.call @scn_cg_device_copy(%[[RUNH]], %[[IN]], %[[INB]])
// CHECK: %[[OUTR:.*]] = func.call @scn_cg_pair_out_rows(
// CHECK: func.call @scn_cg_device_copy(%[[RUNH]], %[[OUTR]],
func.func @weight_stationary(%c: tensor<?x3xi64>, %f: tensor<?x4xf32>, %w: tensor<9x1x4x8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [16, 16]>, tensor<?x4xf32>
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [16, 16]>, !scn.sites<2, [16, 16]>
  %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3, 3>, dataflow = "weight_stationary"} : tensor<?x4xf32>, tensor<9x1x4x8xf32>, !scn.sites<2, [16, 16]>
  return %y : tensor<?x8xf32>
}

// A batch norm's scale and shift come from a kernel with a thread per
// channel, so that the parameters never leave the GPU and the host neither
// computes nor waits; the row kernel then reads them (on the CPU the host
// computes them into stack buffers).
// CHECK-LABEL: func.func @batch_norm(
// CHECK-NOT: memref.alloca
// CHECK: %[[SCALE:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK: %[[SHIFT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK: scf.parallel (%[[C:.*]]) = (%{{.*}}) to (%c8{{.*}}) step
// CHECK:   math.sqrt %{{.*}} : f32
// CHECK:   memref.store %{{.*}}, %[[SCALE]][%[[C]]]
// CHECK:   memref.store %{{.*}}, %[[SHIFT]][%[[C]]]
// The row kernel has a thread per 4 channels of a row (8 channels: 2 per
// row), each tile one 16-byte aligned load or store.
// CHECK: %[[TILES:.*]] = arith.muli %{{.*}}, %c2
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%[[TILES]]) step
// CHECK-DAG:   vector.load %{{.*}} {alignment = 16 : i64} : memref<?x8xf32>, vector<4xf32>
// CHECK-DAG:   vector.load %[[SCALE]][%{{.*}}] {alignment = 16 : i64} : memref<8xf32>, vector<4xf32>
// CHECK-DAG:   vector.load %[[SHIFT]][%{{.*}}] {alignment = 16 : i64} : memref<8xf32>, vector<4xf32>
// CHECK:   vector.store %{{.*}} {alignment = 16 : i64} : memref<?x8xf32>, vector<4xf32>
func.func @batch_norm(%c: tensor<?x3xi64>, %f: tensor<?x8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x8xf32> -> !scn.sites<2, [16, 16]>, tensor<?x8xf32>
  %y = scn.batch_norm %x, %m, %v weight(%g : tensor<8xf32>) bias(%b : tensor<8xf32>) {eps = 1.0e-4 : f64, momentum = 0.9 : f64, leakiness = 0.0 : f64} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %y : tensor<?x8xf32>
}

// A training batch norm sums its statistics on the GPU too: a kernel per
// (chunk of 256 rows, channel), then one per channel over the chunks in
// order, which also computes the scale, shift and updated running
// statistics; no host loop reads the features (the host's whole-row
// vectors are gone after the input's copy).
// CHECK-LABEL: func.func @batch_norm_training(
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %{{.*}}, %c256
// CHECK-NOT: vector<8xf32>
// CHECK: %[[PARTIALS:.*]] = arith.muli %[[CHUNKS]], %c8
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[PARTIALS]]) step
// CHECK:   scf.for
// CHECK:     math.fma
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c8{{.*}}) step
// CHECK:   scf.for %{{.*}} = %{{.*}} to %[[CHUNKS]]
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%c8{{.*}}) step
// CHECK:   math.sqrt
// CHECK-NOT: vector<8xf32>
// CHECK: return
func.func @batch_norm_training(%c: tensor<?x3xi64>, %f: tensor<?x8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>) -> (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x8xf32> -> !scn.sites<2, [16, 16]>, tensor<?x8xf32>
  %y, %stats:2 = scn.batch_norm %x, %m, %v {eps = 1.0e-4 : f64, momentum = 0.9 : f64, leakiness = 0.0 : f64, training} : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %y, %stats#0, %stats#1 : tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>
}
