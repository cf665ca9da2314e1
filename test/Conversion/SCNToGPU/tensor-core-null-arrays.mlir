// A tensor-core convolution reads the row order, the row masks and the
// neighbour table in row order for every output row (not the table in site
// order, which it does not ask for). When the runtime cannot give one of
// them (out of device memory while building the order, say) it fails the
// run and returns null; the launch then covers 0 rows, so no warp reads a
// null array (an illegal address would ruin the CUDA context for the rest
// of the process). The output rows are still allocated from the real
// count.
// RUN: scn-opt %s --scn-materialize-kernel-maps --convert-scn-to-gpu | FileCheck %s --enable-var-scope

// CHECK-LABEL: func.func @main(
// CHECK: %[[ROWS:.*]] = call @scn_cg_gpu_neighbors_rows(
// CHECK-NOT: call @scn_cg_gpu_neighbors(
// CHECK: %[[N:.*]] = arith.index_cast %[[ROWS]] : i64 to index
// CHECK: memref.alloc(%[[N]])
// CHECK: %[[ORDER:.*]] = call @scn_cg_gpu_row_order(
// CHECK: %[[MASKS:.*]] = call @scn_cg_gpu_row_masks(
// CHECK: %[[TABLE:.*]] = call @scn_cg_gpu_row_table(
// CHECK: %[[T:.*]] = llvm.ptrtoint %[[TABLE]]
// CHECK: %[[TOK:.*]] = arith.cmpi ne, %[[T]]
// CHECK: %[[O:.*]] = llvm.ptrtoint %[[ORDER]]
// CHECK: %[[OOK:.*]] = arith.cmpi ne, %[[O]]
// CHECK: %[[BOTH:.*]] = arith.andi %[[TOK]], %[[OOK]]
// CHECK: %[[M:.*]] = llvm.ptrtoint %[[MASKS]]
// CHECK: %[[MOK:.*]] = arith.cmpi ne, %[[M]]
// CHECK: %[[ALL:.*]] = arith.andi %[[BOTH]], %[[MOK]]
// CHECK: %[[WARPROWS:.*]] = arith.select %[[ALL]], %[[N]], %{{.*}} : index
// CHECK: %[[TILES:.*]] = arith.ceildivui %[[WARPROWS]], %{{.*}} : index
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %[[TILES]], %{{.*}} : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]],
// CHECK-SAME: function(@tensor_core_conv)
func.func @main(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}
