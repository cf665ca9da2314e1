// RUN: not scn-opt %s --scn-name-allocation-sites 2>&1 | FileCheck %s

// The runtime's function declared as something else is an error naming
// it, not a duplicate symbol.
// CHECK: error: scn-name-allocation-sites: 'scn_cg_allocation_site' is declared, but not as a func.func
llvm.func @scn_cg_allocation_site(!llvm.ptr)
func.func @clash(%n: index) -> memref<?xf32> {
  %a = memref.alloc(%n) : memref<?xf32>
  return %a : memref<?xf32>
}
