// RUN: scn-opt %s --scn-name-allocation-sites | FileCheck %s --enable-var-scope
// Labelled twice, the second run's globals take new names (the module
// still verifies):
// RUN: scn-opt %s --scn-name-allocation-sites --scn-name-allocation-sites | FileCheck %s --check-prefix=TWICE
// TWICE-COUNT-4: llvm.mlir.global internal constant @__scn_allocation_site_
// TWICE-NOT: llvm.mlir.global

// One constant string a location, declared once; the runtime's function
// once.
// CHECK-DAG: llvm.mlir.global internal constant @[[$CONV:__scn_allocation_site_[0-9]+]]("loc(\22net.mlir\22:12:8)\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[$POOL:__scn_allocation_site_[0-9]+]]("loc(\22net.mlir\22:20:3)\00")
// CHECK-DAG: func.func private @scn_cg_allocation_site(!llvm.ptr)
// CHECK-NOT: __scn_allocation_site_2

// Every allocation, in loops too, is preceded by its label; allocas are not
// (they never fail as the heap does).
// CHECK-LABEL: func.func @layers
// CHECK:      %[[S0:.*]] = llvm.mlir.addressof @[[$CONV]] : !llvm.ptr
// CHECK-NEXT: call @scn_cg_allocation_site(%[[S0]]) : (!llvm.ptr) -> ()
// CHECK-NEXT: memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK:      scf.for
// CHECK:        %[[S1:.*]] = llvm.mlir.addressof @[[$POOL]] : !llvm.ptr
// CHECK-NEXT:   {{(func\.)?}}call @scn_cg_allocation_site(%[[S1]])
// CHECK-NEXT:   memref.alloc() : memref<64xf32>
// CHECK:      memref.alloca() : memref<4xf32>
// CHECK-NOT:  scn_cg_allocation_site
// CHECK:      %[[S2:.*]] = llvm.mlir.addressof @[[$CONV]] : !llvm.ptr
// CHECK-NEXT: call @scn_cg_allocation_site(%[[S2]])
// CHECK-NEXT: memref.alloc(%{{.*}}) : memref<?x16xf32>
// An unknown location: null, so that an earlier label does not stand in.
// CHECK:      %[[NONE:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: call @scn_cg_allocation_site(%[[NONE]])
// CHECK-NEXT: memref.alloc(%{{.*}}) : memref<?x2xf32>
func.func @layers(%n: index) -> (memref<?x8xf32>, memref<?x16xf32>, memref<?x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc(%n) : memref<?x8xf32> loc("net.mlir":12:8)
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<64xf32> loc("net.mlir":20:3)
    memref.dealloc %t : memref<64xf32>
  }
  %s = memref.alloca() : memref<4xf32>
  %b = memref.alloc(%n) : memref<?x16xf32> loc("net.mlir":12:8)
  %c = memref.alloc(%n) : memref<?x2xf32> loc(unknown)
  return %a, %b, %c : memref<?x8xf32>, memref<?x16xf32>, memref<?x2xf32>
}

// A module without allocations is left as it is.
// CHECK-LABEL: func.func @none
// CHECK-NOT: scn_cg_allocation_site
func.func @none(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}

