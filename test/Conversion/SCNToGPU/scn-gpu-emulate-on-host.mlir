// scn-gpu-emulate-on-host (tests of the CUDA path without a GPU): GPU memory
// ops become host ones, tokens and waits disappear, the run's device copies
// become exact-size host copies (parameters too: scn_cg_parameter), the
// result buffer malloc memory, and the mapped loops stay for the CPU.
// RUN: scn-opt %s --scn-gpu-offload --scn-gpu-emulate-on-host | FileCheck %s

// CHECK-LABEL: func.func @rows(
// CHECK-SAME: %[[RUNH:[^:]*]]: !llvm.ptr, %[[X:[^:]*]]: memref<?xf32>, %[[N:[^:]*]]: index
// CHECK-NOT: gpu.
// CHECK: memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: call @scn_cg_parameter(%[[RUNH]],
// CHECK: %[[XS:.*]] = builtin.unrealized_conversion_cast {{.*}} to memref<?xf32> {scn.device_parameter}
// CHECK: %[[T:.*]] = call @scn_cg_host_copy(%[[RUNH]],
// CHECK: %[[OUT:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:     memref.load %[[XS]]
// CHECK:     llvm.load
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
// The result's host buffer: scn_cg_result_buffer (malloc memory), where a
// GPU run takes scn_cg_gpu_result_buffer's page-locked blocks.
// CHECK: %[[BLOCK:.*]] = call @scn_cg_result_buffer(%[[RUNH]],
// CHECK: %[[HOST:.*]] = builtin.unrealized_conversion_cast {{.*}} to memref<?xf32>
// CHECK-NOT: scn.device_parameter
// A buffer that could not be allocated (null, the run failed) is not
// copied into.
// CHECK: %[[ADDR:.*]] = memref.extract_aligned_pointer_as_index %[[HOST]]
// CHECK: %[[PRESENT:.*]] = arith.cmpi ne, %[[ADDR]], %c0
// CHECK: scf.if %[[PRESENT]] {
// CHECK-NEXT: memref.copy %[[OUT]], %[[HOST]]
// CHECK: memref.dealloc %[[OUT]]
// CHECK: call @scn_cg_parameter_done(%[[RUNH]],
// CHECK: return %[[HOST]]
// CHECK-NOT: scn_cg_device_copy
func.func private @scn_cg_device_copy(!llvm.ptr, !llvm.ptr, i64) -> !llvm.ptr
func.func @rows(%run: !llvm.ptr, %x: memref<?xf32>, %n: index, %table: !llvm.ptr) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %bytes = arith.constant 16 : i64
  %t = func.call @scn_cg_device_copy(%run, %table, %bytes) : (!llvm.ptr, !llvm.ptr, i64) -> !llvm.ptr
  %out = memref.alloc(%n) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<?xf32>
    %w = llvm.load %t : !llvm.ptr -> f32
    %p = arith.mulf %v, %w : f32
    memref.store %p, %out[%i] : memref<?xf32>
    scf.reduce
  }
  return %out : memref<?xf32>
}

// -----

// The kernels' correctly rounded square roots are libm's again on the host.
// CHECK-LABEL: func.func @square_roots(
// CHECK-NOT: nvvm
// CHECK: math.sqrt %{{.*}} : f32
func.func @square_roots(%x: memref<?xf32>, %n: index) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %out = memref.alloc(%n) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<?xf32>
    %r = math.sqrt %v : f32
    memref.store %r, %out[%i] : memref<?xf32>
    scf.reduce
  }
  return %out : memref<?xf32>
}
