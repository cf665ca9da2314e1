// scn-gpu-prepare-parameters: kernels that derive values from parameters
// alone (here batch norm's scale and shift) put them in one block from
// scn_cg_gpu_prepared and run only when the run must fill it; kernels over
// rows, or with a bound that changes between calls, stay as they are.
// RUN: scn-opt %s --scn-gpu-offload --scn-gpu-prepare-parameters --split-input-file | FileCheck %s --enable-var-scope

// CHECK-DAG: llvm.mlir.global internal constant @__scn_prepared_bn_0("bn: values prepared from parameters, group 0\00")
// CHECK-LABEL: func.func @bn(
// CHECK-SAME: %[[RUNH:[^:]*]]: !llvm.ptr, %[[X:[^:]*]]: memref<?x32xf32>, %[[MEAN:[^:]*]]: memref<32xf32>, %[[VAR:[^:]*]]: memref<32xf32>, %[[N:[^:]*]]: index
// The host slots of the call: the sources (two copies) and the fill flag.
// CHECK: %[[SOURCES:.*]] = llvm.alloca %{{.*}} x !llvm.ptr {scn.host_slot}
// CHECK: %[[FLAG:.*]] = llvm.alloca %{{.*}} x i32 {scn.host_slot}
// The rows' copy, then the sources'.
// CHECK: call @scn_cg_gpu_parameter(%[[RUNH]],
// CHECK: %[[MEANP:.*]] = call @scn_cg_gpu_parameter(%[[RUNH]],
// CHECK: %[[VARP:.*]] = call @scn_cg_gpu_parameter(%[[RUNH]],
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[SOURCES]][0]
// CHECK-NEXT: llvm.store %[[VARP]], %[[S0]]
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[SOURCES]][1]
// CHECK-NEXT: llvm.store %[[MEANP]], %[[S1]]
// CHECK: %[[SITE:.*]] = llvm.mlir.addressof @__scn_prepared_bn_0
// Two outputs of 128 bytes, each at a 256-byte offset.
// CHECK: %[[BLOCK:.*]] = call @scn_cg_gpu_prepared(%[[RUNH]], %[[SITE]], %[[SOURCES]], %c2_i32, %c512_i64, %[[FLAG]])
// CHECK: %[[WORD:.*]] = llvm.load %[[FLAG]] : !llvm.ptr -> i32
// CHECK: %[[FILL:.*]] = arith.cmpi ne, %[[WORD]], %c0_i32
// The block as one buffer, each output a view of it.
// CHECK: llvm.insertvalue %[[BLOCK]]
// CHECK: %[[WHOLE:.*]] = builtin.unrealized_conversion_cast {{.*}} to memref<512xi8> {scn.device_parameter}
// CHECK: %[[SCALE:.*]] = memref.view %[[WHOLE]][%c0{{.*}}][] : memref<512xi8> to memref<32xf32>
// CHECK: %[[SHIFT:.*]] = memref.view %[[WHOLE]][%c256{{.*}}][] : memref<512xi8> to memref<32xf32>
// The outputs are no allocations of their own.
// CHECK-NOT: gpu.alloc async {{.*}} : memref<32xf32>
// The scale's kernel: its grid is empty unless the block is to be filled.
// CHECK: %[[UB0:.*]] = arith.select %[[FILL]], %c32{{.*}}, %c0
// CHECK: scf.parallel (%{{.*}}) = (%c0{{.*}}) to (%[[UB0]])
// CHECK: memref.store {{.*}}, %[[SCALE]]
// CHECK: %[[UB1:.*]] = arith.select %[[FILL]], %c32{{.*}}, %c0
// CHECK: scf.parallel (%{{.*}}) = (%c0{{.*}}) to (%[[UB1]])
// CHECK: memref.store {{.*}}, %[[SHIFT]]
// The rows' kernel reads them, every call.
// CHECK: %[[OUT:.*]], %{{.*}} = gpu.alloc async
// CHECK-NOT: arith.select %[[FILL]]
// CHECK: scf.parallel
// CHECK: memref.load %[[SCALE]]
// CHECK: memref.load %[[SHIFT]]
// CHECK-NOT: gpu.dealloc async {{.*}} : memref<32xf32>
// After the call's GPU work: keep or free the block.
// CHECK: %[[SITE2:.*]] = llvm.mlir.addressof @__scn_prepared_bn_0
// CHECK: memref.extract_aligned_pointer_as_index %[[WHOLE]]
// CHECK: call @scn_cg_gpu_prepared_done(%[[RUNH]], %[[SITE2]], %{{.*}})
// CHECK-NEXT: return
func.func @bn(%run: !llvm.ptr, %x: memref<?x32xf32>, %mean: memref<32xf32>, %var: memref<32xf32>,
              %n: index) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %eps = arith.constant 1.0e-4 : f32
  %scale = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %v = memref.load %var[%c] : memref<32xf32>
    %e = arith.addf %v, %eps : f32
    %r = math.rsqrt %e : f32
    memref.store %r, %scale[%c] : memref<32xf32>
    scf.reduce
  }
  %shift = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %m = memref.load %mean[%c] : memref<32xf32>
    %s = memref.load %scale[%c] : memref<32xf32>
    %p = arith.mulf %m, %s : f32
    %q = arith.negf %p : f32
    memref.store %q, %shift[%c] : memref<32xf32>
    scf.reduce
  }
  %out = memref.alloc(%n) : memref<?x32xf32>
  scf.parallel (%i, %c) = (%c0, %c0) to (%n, %c32) step (%c1, %c1) {
    %v = memref.load %x[%i, %c] : memref<?x32xf32>
    %s = memref.load %scale[%c] : memref<32xf32>
    %t = memref.load %shift[%c] : memref<32xf32>
    %y = arith.mulf %v, %s : f32
    %z = arith.addf %y, %t : f32
    memref.store %z, %out[%i, %c] : memref<?x32xf32>
    scf.reduce
  }
  memref.dealloc %scale : memref<32xf32>
  memref.dealloc %shift : memref<32xf32>
  return %out : memref<?x32xf32>
}

// -----

// A kernel whose bound changes between calls (here an argument) computes
// other values each time: not prepared.
// CHECK-LABEL: func.func @variant_bound(
// CHECK-NOT: scn_cg_gpu_prepared
// CHECK: gpu.alloc async
// CHECK-NOT: scn_cg_gpu_prepared
// CHECK: return
func.func @variant_bound(%run: !llvm.ptr, %var: memref<32xf32>, %k: index,
                         %x: memref<?x32xf32>, %n: index) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %scale = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%k) step (%c1) {
    %v = memref.load %var[%c] : memref<32xf32>
    memref.store %v, %scale[%c] : memref<32xf32>
    scf.reduce
  }
  %out = memref.alloc(%n) : memref<?x32xf32>
  scf.parallel (%i, %c) = (%c0, %c0) to (%n, %c32) step (%c1, %c1) {
    %v = memref.load %x[%i, %c] : memref<?x32xf32>
    %s = memref.load %scale[%c] : memref<32xf32>
    %y = arith.mulf %v, %s : f32
    memref.store %y, %out[%i, %c] : memref<?x32xf32>
    scf.reduce
  }
  memref.dealloc %scale : memref<32xf32>
  return %out : memref<?x32xf32>
}

// -----

// A derived buffer that host code also reads (here copied into the
// result) is not only kernels' to read: not prepared.
// CHECK-LABEL: func.func @host_reads(
// CHECK-NOT: scn_cg_gpu_prepared
// CHECK: return
func.func @host_reads(%run: !llvm.ptr, %var: memref<32xf32>) -> memref<32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %scale = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %v = memref.load %var[%c] : memref<32xf32>
    memref.store %v, %scale[%c] : memref<32xf32>
    scf.reduce
  }
  %out = memref.alloc() : memref<32xf32>
  memref.copy %scale, %out : memref<32xf32> to memref<32xf32>
  memref.dealloc %scale : memref<32xf32>
  return %out : memref<32xf32>
}

// -----

// Not preparations: a kernel that reads a parameter at an offset given per
// call (a subview's operand); one that takes a value given per call; and a
// derived buffer that another kernel writes through a view of its own.
// CHECK-LABEL: func.func @per_call_inputs(
// CHECK-NOT: scn_cg_gpu_prepared
// CHECK: return
func.func @per_call_inputs(%run: !llvm.ptr, %var: memref<64xf32>, %at: index, %alpha: f32,
                           %x: memref<?x32xf32>, %n: index) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %window = memref.subview %var[%at] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1], offset: ?>>
  %a = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %v = memref.load %window[%c] : memref<32xf32, strided<[1], offset: ?>>
    memref.store %v, %a[%c] : memref<32xf32>
    scf.reduce
  }
  %b = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %v = memref.load %var[%c] : memref<64xf32>
    %w = arith.mulf %v, %alpha : f32
    memref.store %w, %b[%c] : memref<32xf32>
    scf.reduce
  }
  %d = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %v = memref.load %var[%c] : memref<64xf32>
    memref.store %v, %d[%c] : memref<32xf32>
    scf.reduce
  }
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %view = memref.subview %d[0] [32] [1] : memref<32xf32> to memref<32xf32, strided<[1]>>
    memref.store %alpha, %view[%c] : memref<32xf32, strided<[1]>>
    scf.reduce
  }
  %out = memref.alloc(%n) : memref<?x32xf32>
  scf.parallel (%i, %c) = (%c0, %c0) to (%n, %c32) step (%c1, %c1) {
    %v = memref.load %x[%i, %c] : memref<?x32xf32>
    %s = memref.load %a[%c] : memref<32xf32>
    %t = memref.load %b[%c] : memref<32xf32>
    %u = memref.load %d[%c] : memref<32xf32>
    %y = arith.mulf %v, %s : f32
    %z = arith.addf %y, %t : f32
    %q = arith.addf %z, %u : f32
    memref.store %q, %out[%i, %c] : memref<?x32xf32>
    scf.reduce
  }
  memref.dealloc %a : memref<32xf32>
  memref.dealloc %b : memref<32xf32>
  memref.dealloc %d : memref<32xf32>
  return %out : memref<?x32xf32>
}

// -----

// A constant read after the first group's call starts a group of its own
// (its copy does not exist where the first call goes).
// CHECK-DAG: llvm.mlir.global internal constant @__scn_prepared_two_groups_0(
// CHECK-DAG: llvm.mlir.global internal constant @__scn_prepared_two_groups_1(
// CHECK-LABEL: func.func @two_groups(
// CHECK: call @scn_cg_gpu_prepared(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i32{{.*}}, %c256_i64
// CHECK: call @scn_cg_gpu_constant(
// CHECK: call @scn_cg_gpu_prepared(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i32{{.*}}, %c256_i64
// CHECK-COUNT-2: call @scn_cg_gpu_prepared_done(
// CHECK-NEXT: return
memref.global "private" constant @gamma : memref<32xf32> = dense<2.0>
func.func @two_groups(%run: !llvm.ptr, %var: memref<32xf32>, %x: memref<?x32xf32>,
                      %n: index) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %a = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %v = memref.load %var[%c] : memref<32xf32>
    memref.store %v, %a[%c] : memref<32xf32>
    scf.reduce
  }
  %gamma = memref.get_global @gamma : memref<32xf32>
  %b = memref.alloc() : memref<32xf32>
  scf.parallel (%c) = (%c0) to (%c32) step (%c1) {
    %g = memref.load %gamma[%c] : memref<32xf32>
    memref.store %g, %b[%c] : memref<32xf32>
    scf.reduce
  }
  %out = memref.alloc(%n) : memref<?x32xf32>
  scf.parallel (%i, %c) = (%c0, %c0) to (%n, %c32) step (%c1, %c1) {
    %v = memref.load %x[%i, %c] : memref<?x32xf32>
    %s = memref.load %a[%c] : memref<32xf32>
    %t = memref.load %b[%c] : memref<32xf32>
    %y = arith.mulf %v, %s : f32
    %z = arith.addf %y, %t : f32
    memref.store %z, %out[%i, %c] : memref<?x32xf32>
    scf.reduce
  }
  memref.dealloc %a : memref<32xf32>
  memref.dealloc %b : memref<32xf32>
  return %out : memref<?x32xf32>
}
