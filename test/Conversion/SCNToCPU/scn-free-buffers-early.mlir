// RUN: scn-opt %s --scn-free-buffers-early | FileCheck %s --enable-var-scope

// Each buffer is freed right after the last op that uses it or a view of it
// (uses inside loops count for the loop); the returned buffer is not freed.
// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: scf.for
// CHECK: %[[B:.*]] = memref.alloc
// CHECK: %[[VIEW:.*]] = memref.collapse_shape %[[A]]
// CHECK: scf.for
// CHECK:   memref.load %[[VIEW]]
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK: %[[C:.*]] = memref.alloc
// CHECK: scf.for
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NOT: memref.dealloc
// CHECK: return %[[C]]
func.func @chain(%n: index) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  %a = memref.alloc(%n) : memref<?x4xf32>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %f, %a[%i, %c0] : memref<?x4xf32>
  }
  %b = memref.alloc(%n) : memref<?x4xf32>
  %view = memref.collapse_shape %a [[0, 1]] : memref<?x4xf32> into memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %view[%i] : memref<?xf32>
    memref.store %v, %b[%i, %c0] : memref<?x4xf32>
  }
  %c = memref.alloc(%n) : memref<?x4xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %b[%i, %c0] : memref<?x4xf32>
    memref.store %v, %c[%i, %c0] : memref<?x4xf32>
  }
  memref.dealloc %a : memref<?x4xf32>
  memref.dealloc %b : memref<?x4xf32>
  return %c : memref<?x4xf32>
}

// A raw pointer to a buffer keeps it alive until the call that takes the
// pointer (and what that call returns is used), not only until the pointer
// is taken.
// CHECK-LABEL: func.func @raw_pointer
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: %[[H:.*]] = call @reads(
// CHECK: call @uses(%[[H]])
// CHECK-NEXT: memref.dealloc %[[A]]
func.func private @reads(!llvm.ptr) -> !llvm.ptr
func.func private @uses(!llvm.ptr)
func.func @raw_pointer(%n: index) {
  %a = memref.alloc(%n) : memref<?xf32>
  %p = memref.extract_aligned_pointer_as_index %a : memref<?xf32> -> index
  %i = arith.index_cast %p : index to i64
  %ptr = llvm.inttoptr %i : i64 to !llvm.ptr
  %h = func.call @reads(%ptr) : (!llvm.ptr) -> !llvm.ptr
  func.call @uses(%h) : (!llvm.ptr) -> ()
  memref.dealloc %a : memref<?xf32>
  return
}
