// scn-gpu-async-chain: a block's GPU ops become one chain of async ops (one
// stream); the host waits only where it touches what the chain uses, before
// unknown calls, and at the end.
// RUN: scn-opt %s --scn-gpu-async-chain --split-input-file --verify-diagnostics | FileCheck %s --enable-var-scope

// The runtime's check before host code touches managed memory while the
// chain runs (declared by the pass):
// CHECK: func.func private @scn_gpu_before_host_access()
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%a: memref<?xf32>) kernel { gpu.return }
    gpu.func @g(%a: memref<4xf32>) kernel { gpu.return }
  }
  func.func private @scn_cg_gpu_neighbors(!llvm.ptr, !llvm.ptr, i32) -> !llvm.ptr
  func.func private @scn_cg_gpu_input(!llvm.ptr, !llvm.ptr) -> !llvm.ptr
  func.func private @opaque()
  func.func private @scn_cg_gpu_prepared(!llvm.ptr, !llvm.ptr, !llvm.ptr, i32, i64, !llvm.ptr) -> !llvm.ptr
  func.func private @scn_cg_gpu_prepared_done(!llvm.ptr, !llvm.ptr, !llvm.ptr)

  // scn-gpu-offload's forms (a stream per allocation, copy and free, each
  // waited for; synchronous launches) become one chain: every op depends on
  // the one before, and only the end waits. The geometry call between the
  // kernels does not wait: it takes no buffer of the chain.
  // CHECK-LABEL: func.func @layers(
  // CHECK-SAME: %[[HANDLE:[^:]*]]: !llvm.ptr, %[[W:[^:]*]]: memref<4xf32>, %[[N:[^:]*]]: index
  // CHECK: %[[T0:.*]] = gpu.wait async
  // CHECK-NEXT: %[[WD:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] () : memref<4xf32>
  // CHECK-NEXT: %[[T2:.*]] = gpu.memcpy async [%[[T1]]] %[[WD]], %[[W]]
  // CHECK-NEXT: %[[X:.*]], %[[T3:.*]] = gpu.alloc async [%[[T2]]] (%[[N]])
  // CHECK-NEXT: %[[T4:.*]] = gpu.launch_func async [%[[T3]]] @k::@f
  // CHECK-NEXT: call @scn_cg_gpu_neighbors(%[[HANDLE]]
  // CHECK-NEXT: %[[T5:.*]] = gpu.launch_func async [%[[T4]]] @k::@f
  // CHECK-NEXT: %[[T6:.*]] = gpu.dealloc async [%[[T5]]] %[[X]]
  // CHECK-NEXT: %[[T7:.*]] = gpu.dealloc async [%[[T6]]] %[[WD]]
  // CHECK-NEXT: gpu.wait [%[[T7]]]
  // CHECK-NEXT: return
  func.func @layers(%run: !llvm.ptr, %w: memref<4xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    %c0_i32 = arith.constant 0 : i32
    %s0 = gpu.wait async
    %wd, %a0 = gpu.alloc async [%s0] () : memref<4xf32>
    %m0 = gpu.memcpy async [%a0] %wd, %w : memref<4xf32>, memref<4xf32>
    gpu.wait [%m0]
    %s1 = gpu.wait async
    %x, %a1 = gpu.alloc async [%s1] (%n) : memref<?xf32>
    gpu.wait [%a1]
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    %table = func.call @scn_cg_gpu_neighbors(%run, %run, %c0_i32) : (!llvm.ptr, !llvm.ptr, i32) -> !llvm.ptr
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    %s2 = gpu.wait async
    %f0 = gpu.dealloc async [%s2] %x : memref<?xf32>
    gpu.wait [%f0]
    %s3 = gpu.wait async
    %f1 = gpu.dealloc async [%s3] %wd : memref<4xf32>
    gpu.wait [%f1]
    return
  }

  // scn-gpu-prepare-parameters' call between kernels: its array and flag
  // are host stack slots, which no GPU op touches, so storing into them,
  // the call and reading the flag do not wait for the chain.
  // CHECK-LABEL: func.func @prepared_between_kernels(
  // CHECK: %[[L0:.*]] = gpu.launch_func async [%{{.*}}] @k::@f
  // CHECK-NEXT: llvm.getelementptr
  // CHECK-NEXT: llvm.store
  // CHECK-NEXT: call @scn_cg_gpu_prepared(
  // CHECK-NEXT: llvm.load
  // CHECK-NEXT: gpu.launch_func async [%[[L0]]] @k::@f
  // CHECK-NOT: gpu.wait
  // CHECK: gpu.dealloc async
  // CHECK-NEXT: gpu.wait
  // CHECK-NEXT: return
  func.func @prepared_between_kernels(%run: !llvm.ptr, %n: index, %site: !llvm.ptr) {
    %c1 = arith.constant 1 : index
    %c1_i64 = arith.constant 1 : i64
    %c1_i32 = arith.constant 1 : i32
    %c256 = arith.constant 256 : i64
    %sources = llvm.alloca %c1_i64 x !llvm.ptr {scn.host_slot} : (i64) -> !llvm.ptr
    %flag = llvm.alloca %c1_i64 x i32 {scn.host_slot} : (i64) -> !llvm.ptr
    %s1 = gpu.wait async
    %x, %a1 = gpu.alloc async [%s1] (%n) : memref<?xf32>
    gpu.wait [%a1]
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    %slot = llvm.getelementptr %sources[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
    llvm.store %run, %slot : !llvm.ptr, !llvm.ptr
    %block = func.call @scn_cg_gpu_prepared(%run, %run, %sources, %c1_i32, %c256, %flag) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i32, i64, !llvm.ptr) -> !llvm.ptr
    %word = llvm.load %flag : !llvm.ptr -> i32
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    %s2 = gpu.wait async
    %f0 = gpu.dealloc async [%s2] %x : memref<?xf32>
    gpu.wait [%f0]
    return
  }

  // Handing the prepared block back (scn-gpu-prepare-parameters passes the
  // block, of which every output is a view) waits for the kernels that
  // take any view of it.
  // CHECK-LABEL: func.func @prepared_done_waits(
  // CHECK: %[[L:.*]] = gpu.launch_func async [%{{.*}}] @k::@g
  // CHECK-NEXT: memref.extract_aligned_pointer_as_index
  // CHECK-NEXT: arith.index_cast
  // CHECK-NEXT: llvm.inttoptr
  // CHECK-NEXT: gpu.wait [%[[L]]]
  // CHECK-NEXT: call @scn_cg_gpu_prepared_done(
  // CHECK-NEXT: return
  func.func @prepared_done_waits(%run: !llvm.ptr, %block: memref<512xi8>) {
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    %shift = memref.view %block[%c256][] : memref<512xi8> to memref<4xf32>
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%shift : memref<4xf32>)
    %address = memref.extract_aligned_pointer_as_index %block : memref<512xi8> -> index
    %word = arith.index_cast %address : index to i64
    %pointer = llvm.inttoptr %word : i64 to !llvm.ptr
    func.call @scn_cg_gpu_prepared_done(%run, %run, %pointer) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    return
  }

  // A stack slot without the mark may hold anything: the host waits.
  // CHECK-LABEL: func.func @unmarked_slot_waits(
  // CHECK: gpu.launch_func async
  // CHECK-NEXT: gpu.wait
  // CHECK-NEXT: llvm.store
  func.func @unmarked_slot_waits(%run: !llvm.ptr, %n: index) {
    %c1 = arith.constant 1 : index
    %c1_i64 = arith.constant 1 : i64
    %slot = llvm.alloca %c1_i64 x !llvm.ptr : (i64) -> !llvm.ptr
    %s1 = gpu.wait async
    %x, %a1 = gpu.alloc async [%s1] (%n) : memref<?xf32>
    gpu.wait [%a1]
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    llvm.store %run, %slot : !llvm.ptr, !llvm.ptr
    return
  }

  // The host reads a buffer a kernel wrote: it waits first, and the next
  // GPU op starts a new chain. Writing a managed buffer that the chain does
  // not use needs no wait, only the runtime's check for GPUs without
  // concurrent managed access (once until the chain grows).
  // CHECK-LABEL: func.func @host_reads_result(
  // CHECK: %[[OUT:.*]] = gpu.alloc host_shared
  // CHECK: %[[SCALE:.*]] = gpu.alloc host_shared
  // CHECK: %[[L:.*]] = gpu.launch_func async [%{{.*}}] @k::@f {{.*}}args(%[[OUT]] : memref<?xf32>)
  // CHECK-NEXT: call @scn_gpu_before_host_access()
  // CHECK-NEXT: memref.store %{{.*}}, %[[SCALE]]
  // CHECK-NEXT: memref.store %{{.*}}, %[[SCALE]]
  // CHECK-NEXT: gpu.wait [%[[L]]]
  // CHECK-NEXT: memref.load %[[OUT]]
  // CHECK-NEXT: %[[T:.*]] = gpu.wait async
  // CHECK-NEXT: gpu.launch_func async [%[[T]]] @k::@g {{.*}}args(%[[SCALE]] : memref<4xf32>)
  func.func @host_reads_result(%n: index, %v: f32) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %out = gpu.alloc host_shared (%n) : memref<?xf32>
    %scale = gpu.alloc host_shared () : memref<4xf32>
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%out : memref<?xf32>)
    memref.store %v, %scale[%c0] : memref<4xf32>
    memref.store %v, %scale[%c1] : memref<4xf32>
    %r = memref.load %out[%c0] : memref<?xf32>
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%scale : memref<4xf32>)
    return %r : f32
  }

  // A call whose effects are unknown waits; so does a geometry call that
  // takes a pointer into a buffer the chain writes. Host memory the chain
  // only reads (a copy's source) may be read, not written.
  // CHECK-LABEL: func.func @calls(
  // CHECK: %[[A:.*]] = gpu.launch_func async
  // CHECK-NEXT: gpu.wait [%[[A]]]
  // CHECK-NEXT: call @opaque()
  // CHECK: %[[B:.*]] = gpu.launch_func async
  // CHECK: gpu.wait [%[[B]]]
  // CHECK-NEXT: call @scn_cg_gpu_input(
  // CHECK: %[[C:.*]] = gpu.memcpy async
  // CHECK-NEXT: memref.load %[[HOST:.*]][
  // CHECK-NEXT: gpu.wait [%[[C]]]
  // CHECK-NEXT: memref.store %{{.*}}, %[[HOST]][
  func.func @calls(%run: !llvm.ptr, %host: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %buf = gpu.alloc host_shared () : memref<4xf32>
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buf : memref<4xf32>)
    func.call @opaque() : () -> ()
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buf : memref<4xf32>)
    %p = memref.extract_aligned_pointer_as_index %buf : memref<4xf32> -> index
    %i = arith.index_cast %p : index to i64
    %ptr = llvm.inttoptr %i : i64 to !llvm.ptr
    %sites = func.call @scn_cg_gpu_input(%run, %ptr) : (!llvm.ptr, !llvm.ptr) -> !llvm.ptr
    %s0 = gpu.wait async
    %d, %a0 = gpu.alloc async [%s0] () : memref<4xf32>
    %m0 = gpu.memcpy async [%a0] %d, %host : memref<4xf32>, memref<4xf32>
    gpu.wait [%m0]
    %v = memref.load %host[%c0] : memref<4xf32>
    memref.store %v, %host[%c1] : memref<4xf32>
    %s1 = gpu.wait async
    %f0 = gpu.dealloc async [%s1] %d : memref<4xf32>
    gpu.wait [%f0]
    return
  }

  // A geometry call that reads a managed buffer the chain does not use
  // needs no wait, only the check for GPUs without concurrent managed
  // access; a load from memory waits, and so does a call given a pointer
  // the pass cannot follow (an offset into a buffer).
  // A parameter's device copy goes back to the runtime only after the
  // kernels that read it.
  // CHECK-LABEL: func.func @geometry_and_parameters(
  // CHECK: %[[K:.*]] = gpu.launch_func async
  // CHECK-NOT: gpu.wait
  // CHECK: call @scn_gpu_before_host_access()
  // CHECK-NEXT: call @scn_cg_gpu_input(%{{.*}}, %{{.*}}) :
  // CHECK-NEXT: %[[L2:.*]] = gpu.launch_func async [%[[K]]]
  // CHECK-NEXT: gpu.wait [%[[L2]]]
  // CHECK-NEXT: llvm.load
  // CHECK-NEXT: call @scn_cg_gpu_input(
  // CHECK-NEXT: %[[S4:.*]] = gpu.wait async
  // CHECK-NEXT: %[[L4:.*]] = gpu.launch_func async [%[[S4]]]
  // CHECK-NEXT: llvm.getelementptr
  // CHECK-NEXT: gpu.wait [%[[L4]]]
  // CHECK-NEXT: call @scn_cg_gpu_input(
  // CHECK: %[[L3:.*]] = gpu.launch_func async {{.*}}args(%[[P:.*]] : memref<4xf32>)
  // CHECK: gpu.wait [%[[L3]]]
  // CHECK-NEXT: call @scn_cg_gpu_parameter_done(
  func.func private @scn_cg_gpu_parameter(!llvm.ptr, !llvm.ptr, i64) -> !llvm.ptr
  func.func private @scn_cg_gpu_parameter_done(!llvm.ptr, !llvm.ptr, !llvm.ptr)
  func.func @geometry_and_parameters(%run: !llvm.ptr, %w: memref<4xf32>, %slot: !llvm.ptr) {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : i64
    %coords = gpu.alloc host_shared () : memref<4xf32>
    %out = gpu.alloc host_shared () : memref<4xf32>
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%out : memref<4xf32>)
    %p = memref.extract_aligned_pointer_as_index %coords : memref<4xf32> -> index
    %i = arith.index_cast %p : index to i64
    %cp = llvm.inttoptr %i : i64 to !llvm.ptr
    %s0 = func.call @scn_cg_gpu_input(%run, %cp) : (!llvm.ptr, !llvm.ptr) -> !llvm.ptr
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%out : memref<4xf32>)
    %loaded = llvm.load %slot : !llvm.ptr -> !llvm.ptr
    %s1 = func.call @scn_cg_gpu_input(%run, %loaded) : (!llvm.ptr, !llvm.ptr) -> !llvm.ptr
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%out : memref<4xf32>)
    %gep = llvm.getelementptr %cp[1] : (!llvm.ptr) -> !llvm.ptr, f32
    %s2 = func.call @scn_cg_gpu_input(%run, %gep) : (!llvm.ptr, !llvm.ptr) -> !llvm.ptr
    %wp = memref.extract_aligned_pointer_as_index %w : memref<4xf32> -> index
    %wi = arith.index_cast %wp : index to i64
    %whost = llvm.inttoptr %wi : i64 to !llvm.ptr
    %dev = func.call @scn_cg_gpu_parameter(%run, %whost, %c16) : (!llvm.ptr, !llvm.ptr, i64) -> !llvm.ptr
    %desc = llvm.mlir.poison : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
    %d0 = llvm.insertvalue %dev, %desc[0] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
    %wd = builtin.unrealized_conversion_cast %d0 : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<4xf32>
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%wd : memref<4xf32>)
    %dp = memref.extract_aligned_pointer_as_index %wd : memref<4xf32> -> index
    %di = arith.index_cast %dp : index to i64
    %dptr = llvm.inttoptr %di : i64 to !llvm.ptr
    func.call @scn_cg_gpu_parameter_done(%run, %whost, %dptr) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    return
  }
}

// -----

// A token that an earlier host wait consumed cannot be waited on again:
// offload never emits that, and the pass does not guess.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @g(%a: memref<4xf32>) kernel { gpu.return }
  }
  func.func @stale_token(%v: f32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %buf = gpu.alloc host_shared () : memref<4xf32>
    %s = gpu.wait async
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buf : memref<4xf32>)
    memref.store %v, %buf[%c0] : memref<4xf32>
    // expected-error @+1 {{scn-gpu-async-chain: depends on a token from outside its block's chain}}
    %f = gpu.dealloc async [%s] %buf : memref<4xf32>
    return
  }
}

// -----

// A kernel given a buffer the pass cannot name (here yielded by an scf.if)
// may alias anything: the next host access waits, even to another buffer.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @g(%a: memref<4xf32>) kernel { gpu.return }
  }
  // CHECK-LABEL: func.func @unnamed(
  // CHECK: %[[L:.*]] = gpu.launch_func async
  // CHECK-NEXT: gpu.wait [%[[L]]]
  // CHECK-NEXT: memref.store
  func.func @unnamed(%c: i1, %v: f32) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %a = gpu.alloc host_shared () : memref<4xf32>
    %b = gpu.alloc host_shared () : memref<4xf32>
    %other = gpu.alloc host_shared () : memref<4xf32>
    %either = scf.if %c -> (memref<4xf32>) {
      scf.yield %a : memref<4xf32>
    } else {
      scf.yield %b : memref<4xf32>
    }
    gpu.launch_func @k::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%either : memref<4xf32>)
    memref.store %v, %other[%c0] : memref<4xf32>
    return
  }
}
