// scn-gpu-async-chain: a block's GPU ops become one chain of async ops (one
// stream); the host waits only where it touches what the chain uses, before
// unknown calls, and at the end.
// RUN: scn-opt %s --scn-gpu-async-chain --split-input-file | FileCheck %s --enable-var-scope

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
}
