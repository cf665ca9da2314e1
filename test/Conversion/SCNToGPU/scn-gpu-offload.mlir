// scn-gpu-offload: buffers in managed memory, row loops mapped to blocks x
// threads (tiles of block-size rows), results copied back to host memory.
// RUN: scn-opt %s --scn-gpu-offload=block-size=64 --sccp --cse --split-input-file --verify-diagnostics | FileCheck %s --enable-var-scope

memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// The argument and the constant that only the loop reads are copied by DMA
// into device memory (async forms on a waited stream: what gpu-to-llvm
// lowers); the result buffer is device memory too, copied out by DMA to an
// ordinary allocation, which the caller frees; the scratch buffer only the
// kernel touches is device memory, freed on a stream.
// CHECK-LABEL: func.func @rows(
// CHECK-SAME: %[[X:.*]]: memref<?x4xf32>, %[[N:.*]]: index
// CHECK: %[[D:.*]] = memref.dim %[[X]], %c0
// CHECK: %[[W0:.*]] = gpu.wait async
// CHECK: %[[XS:.*]], %[[W1:.*]] = gpu.alloc async [%[[W0]]] (%[[D]]) : memref<?x4xf32>
// CHECK: %[[W2:.*]] = gpu.memcpy async [%[[W1]]] %[[XS]], %[[X]]
// CHECK: gpu.wait [%[[W2]]]
// CHECK: %[[G:.*]] = memref.get_global @weights
// CHECK: %[[GS:.*]], %{{.*}} = gpu.alloc async [%{{.*}}] () : memref<4xf32>
// CHECK: gpu.memcpy async [%{{.*}}] %[[GS]], %[[G]]
// CHECK: %[[OUT:.*]], %{{.*}} = gpu.alloc async [%{{.*}}] (%[[N]]) : memref<?x4xf32>
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[TMP:.*]], %[[TA:.*]] = gpu.alloc async [%[[T0]]] (%[[N]]) : memref<?xf32>
// CHECK: gpu.wait [%[[TA]]]
// CHECK: scf.parallel (%[[T:.*]]) = (%c0) to (%[[N]]) step (%c64)
// CHECK:   scf.parallel (%[[R:.*]]) = (%c0) to (%c64) step (%c1)
// CHECK:     %[[ROW:.*]] = arith.addi %[[R]], %[[T]]
// CHECK:     %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[N]]
// CHECK:     %[[GUARD:.*]] = arith.andi %{{.*}}, %[[IN]]
// CHECK:     scf.if %[[GUARD]]
// CHECK:       memref.load %[[XS]][%[[ROW]], %{{.*}}]
// CHECK:       memref.load %[[GS]]
// CHECK:       memref.store %{{.*}}, %[[OUT]][%[[ROW]], %{{.*}}]
// CHECK:       scf.for
// CHECK:   } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK: %[[F0:.*]] = gpu.wait async
// CHECK: %[[F1:.*]] = gpu.dealloc async [%[[F0]]] %[[TMP]]
// CHECK: gpu.wait [%[[F1]]]
// CHECK: %[[HOST:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK: %[[C0:.*]] = gpu.wait async
// CHECK: %[[C1:.*]] = gpu.memcpy async [%[[C0]]] %[[HOST]], %[[OUT]]
// CHECK: gpu.wait [%[[C1]]]
// CHECK-DAG: gpu.dealloc async [%{{.*}}] %[[XS]]
// CHECK-DAG: gpu.dealloc async [%{{.*}}] %[[GS]]
// CHECK-DAG: gpu.dealloc async [%{{.*}}] %[[OUT]]
// CHECK: return %[[HOST]]
func.func @rows(%x: memref<?x4xf32>, %n: index) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %w = memref.get_global @weights : memref<4xf32>
  %out = memref.alloc(%n) : memref<?x4xf32>
  %tmp = memref.alloc(%n) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i, %c0] : memref<?x4xf32>
    %s = memref.load %w[%c0] : memref<4xf32>
    %p = arith.mulf %v, %s : f32
    memref.store %p, %out[%i, %c0] : memref<?x4xf32>
    memref.store %p, %tmp[%i] : memref<?xf32>
    // A loop nested in a row stays a loop of its thread.
    scf.for %j = %c1 to %c4 step %c1 {
      memref.store %p, %out[%i, %j] : memref<?x4xf32>
    }
    scf.reduce
  }
  memref.dealloc %tmp : memref<?xf32>
  return %out : memref<?x4xf32>
}

// -----

// An argument that host code reads too (here a sequential loop, like the NaN
// check of the features) is copied into managed memory instead.
// CHECK-LABEL: func.func @host_reads(
// CHECK-SAME: %[[X:.*]]: memref<?xf32>
// CHECK: %[[XS:.*]] = gpu.alloc host_shared (%{{.*}}) : memref<?xf32>
// CHECK: memref.copy %[[X]], %[[XS]]
// CHECK: scf.for
// CHECK:   memref.load %[[XS]]
func.func @host_reads(%x: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %v = memref.load %x[%i] : memref<?xf32>
    %a = arith.addf %acc, %v : f32
    scf.yield %a : f32
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %sum, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return %sum : f32
}

// -----

// A multi-dimensional loop (a linalg op on an N-d tensor that the host
// left) is collapsed to one dimension, then mapped.
// CHECK-LABEL: func.func @two_dims(
// CHECK: scf.parallel (%[[T:.*]]) = (%c0) to (%{{.*}}) step (%c64)
// CHECK:   scf.parallel (%{{.*}}) = (%c0) to (%c64) step (%c1)
// CHECK:     arith.remsi
// CHECK:     arith.divsi
// CHECK:     memref.store
// CHECK: {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @two_dims(%out: memref<?x?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %n) step (%c1, %c1) {
    memref.store %f, %out[%i, %j] : memref<?x?xf32>
    scf.reduce
  }
  return
}

// -----

func.func @reduction(%in: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{scn-gpu-offload maps one-dimensional loops without reductions}}
  %sum = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f32 {
    %v = memref.load %in[%i] : memref<?xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

// -----

// A stack buffer that host code fills and a kernel reads (a batch norm's
// scale, computed on the host from run-time parameters) would be a host
// address on the GPU: it becomes managed memory, freed at the end of its
// block.
// CHECK-LABEL: func.func @host_stack_buffer(
// CHECK-NOT: memref.alloca
// CHECK: %[[S:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: scf.parallel
// CHECK:   scf.parallel
// CHECK:     memref.load %[[S]]
// CHECK: gpu.dealloc async [%{{.*}}] %[[S]]
// CHECK: return
func.func @host_stack_buffer(%out: memref<?x4xf32>, %n: index, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %scale = memref.alloca() : memref<4xf32>
  scf.for %c = %c0 to %c4 step %c1 {
    memref.store %v, %scale[%c] : memref<4xf32>
  }
  scf.parallel (%r) = (%c0) to (%n) step (%c1) {
    scf.for %c = %c0 to %c4 step %c1 {
      %s = memref.load %scale[%c] : memref<4xf32>
      memref.store %s, %out[%r, %c] : memref<?x4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A buffer the pass cannot place (here returned by an opaque call) is a
// compile error that names it, not an illegal address at run time.
func.func private @opaque() -> memref<4xf32>
func.func @unplaceable(%out: memref<?x4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %host = func.call @opaque() : () -> memref<4xf32>
  scf.parallel (%r) = (%c0) to (%n) step (%c1) {
    scf.for %c = %c0 to %c4 step %c1 {
      // expected-error @+1 {{scn-gpu-offload: this kernel op reads a buffer that is not GPU memory ('memref<4xf32>', from 'func.call'}}
      %s = memref.load %host[%c] : memref<4xf32>
      memref.store %s, %out[%r, %c] : memref<?x4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// In a generated function (the run handle first), a weight that only
// kernels read comes from scn_cg_gpu_parameter (the caller's resident copy
// or an upload), as a memref over the pointer it returns, and goes back to
// the runtime at the return.
// CHECK-LABEL: func.func @parameters(
// CHECK-SAME: %[[HANDLE:[^:]*]]: !llvm.ptr, %[[W:[^:]*]]: memref<3x4xf32>
// CHECK: %[[I:.*]] = memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[HP:.*]] = llvm.inttoptr
// CHECK: %[[D:.*]] = call @scn_cg_gpu_parameter(%[[HANDLE]], %[[HP]], %c48_i64)
// CHECK: llvm.insertvalue %[[D]], %{{.*}}[0]
// CHECK: llvm.insertvalue %[[D]], %{{.*}}[1]
// CHECK: %[[WD:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<3x4xf32> {scn.device_parameter}
// CHECK: scf.parallel
// CHECK:   memref.load %[[WD]]
// CHECK: memref.extract_aligned_pointer_as_index %[[WD]]
// CHECK: call @scn_cg_gpu_parameter_done(%[[HANDLE]], %[[HP]], %{{.*}})
// CHECK: return
func.func @parameters(%run: !llvm.ptr, %w: memref<3x4xf32>, %out: memref<?x4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%r) = (%c0) to (%n) step (%c1) {
    scf.for %c = %c0 to %c4 step %c1 {
      %v = memref.load %w[%c1, %c] : memref<3x4xf32>
      memref.store %v, %out[%r, %c] : memref<?x4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// A constant global (weights baked into the artifact) comes from
// scn_cg_gpu_constant, uploaded on first use and kept: nothing to release
// at the return.
memref.global "private" constant @baked : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
// CHECK-LABEL: func.func @constants(
// CHECK-SAME: %[[HANDLE:[^:]*]]: !llvm.ptr
// CHECK: %[[G:.*]] = memref.get_global @baked
// CHECK: memref.extract_aligned_pointer_as_index %[[G]]
// CHECK: %[[GP:.*]] = llvm.inttoptr
// CHECK: %[[D:.*]] = call @scn_cg_gpu_constant(%[[HANDLE]], %[[GP]], %c16_i64)
// CHECK: %[[GD:.*]] = builtin.unrealized_conversion_cast {{.*}} to memref<4xf32> {scn.device_parameter}
// CHECK: memref.load %[[GD]]
// CHECK-NOT: scn_cg_gpu_parameter_done(%[[HANDLE]], %[[GP]]
// CHECK: return
func.func @constants(%run: !llvm.ptr, %out: memref<?x4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %w = memref.get_global @baked : memref<4xf32>
  scf.parallel (%r) = (%c0) to (%n) step (%c1) {
    scf.for %c = %c0 to %c4 step %c1 {
      %v = memref.load %w[%c] : memref<4xf32>
      memref.store %v, %out[%r, %c] : memref<?x4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// The pair offsets of weight-stationary kernels are host memory: a kernel
// that read them would fault, so compiling it is an error.
func.func private @scn_cg_gpu_pair_offsets(!llvm.ptr) -> !llvm.ptr
func.func @host_pointer(%run: !llvm.ptr, %out: memref<?xi64>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %offsets = func.call @scn_cg_gpu_pair_offsets(%run) : (!llvm.ptr) -> !llvm.ptr
  scf.parallel (%r) = (%c0) to (%n) step (%c1) {
    // expected-error @+1 {{scn-gpu-offload: this kernel op reads a pointer that is not GPU memory}}
    %v = llvm.load %offsets : !llvm.ptr -> i64
    memref.store %v, %out[%r] : memref<?xi64>
    scf.reduce
  }
  return
}

// -----

// In a generated function, an input that host code reads too (the NaN check
// of the features) splits: the host keeps reading the caller's array, the
// kernels read its device copy (scn_cg_gpu_parameter, dynamic sizes from
// the array), and no managed memory is involved.
// CHECK-LABEL: func.func @host_and_kernels(
// CHECK-SAME: %[[HANDLE:[^:]*]]: !llvm.ptr, %[[X:[^:]*]]: memref<?x4xf32>
// CHECK-NOT: host_shared
// CHECK: %[[ROWS:.*]] = memref.dim %[[X]], %c0
// CHECK: %[[ROWS64:.*]] = arith.index_cast %[[ROWS]] : index to i64
// CHECK: %[[BYTES:.*]] = arith.muli %{{.*}}, %[[ROWS64]] : i64
// CHECK: call @scn_cg_gpu_parameter(%[[HANDLE]], %{{.*}}, %{{.*}})
// CHECK: %[[XD:.*]] = builtin.unrealized_conversion_cast {{.*}} to memref<?x4xf32> {scn.device_parameter}
// CHECK: scf.for
// CHECK:   memref.load %[[X]]
// CHECK: scf.parallel
// CHECK:   memref.load %[[XD]]
// CHECK: call @scn_cg_gpu_parameter_done(%[[HANDLE]],
func.func @host_and_kernels(%run: !llvm.ptr, %x: memref<?x4xf32>, %n: index) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) {
    %v = memref.load %x[%i, %c0] : memref<?x4xf32>
    %a = arith.addf %acc, %v : f32
    scf.yield %a : f32
  }
  %out = memref.alloc(%n) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i, %c1] : memref<?x4xf32>
    %s = arith.addf %v, %sum : f32
    memref.store %s, %out[%i] : memref<?xf32>
    scf.reduce
  }
  return %out : memref<?xf32>
}

// -----

// An f32 square root in a kernel becomes NVPTX's correctly rounded one (as
// the CPU's libm): math.sqrt would become libdevice's sqrt.approx.f32.
// CHECK-LABEL: func.func @square_roots(
// CHECK: scf.parallel
// CHECK:   llvm.call_intrinsic "llvm.nvvm.sqrt.rn.f"(%{{.*}}) : (f32) -> f32
// CHECK-NOT: math.sqrt
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
