// The graph-level pipeline on the README's hello-world network
// (examples/mlir/hello-world.mlir): every BatchNormReLU folds into the constant
// weights of the convolution before it and its ReLU becomes that
// convolution's epilogue; each of the 4 scales gets one submanifold map and
// each of the 3 poolings one strided map.
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-graph-pipeline --mlir-elide-resource-strings-if-larger=8 | FileCheck %s
// With folding and fusion off, the batch norms stay and the maps are the same.
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-graph-pipeline="fold-batchnorm=false fuse-epilogue=false" | FileCheck %s --check-prefix=UNFUSED-BN
// RUN: scn-opt %scn_src_root/examples/mlir/hello-world.mlir --scn-graph-pipeline="fold-batchnorm=false fuse-epilogue=false" | FileCheck %s --check-prefix=UNFUSED-MAP

// CHECK-LABEL: func.func @main
// CHECK-NOT: scn.batch_norm
// CHECK-NOT: scn.relu
// CHECK: %[[S:.*]], %[[X:.*]] = scn.input
// CHECK: %[[K0:.*]] = scn.kernel_map submanifold %[[S]], %[[S]]
// CHECK: %[[C1:.*]] = scn.submanifold_conv %[[X]], %{{.*}} on %[[S]] bias(%{{.*}} : tensor<8xf32>) map(%[[K0]]) {{{.*}}epilogue = [#scn.step<relu>]
// CHECK: %[[C2:.*]] = scn.submanifold_conv %[[C1]], %{{.*}} on %[[S]] bias(%{{.*}} : tensor<8xf32>) map(%[[K0]]) {{{.*}}epilogue = [#scn.step<relu>]
// CHECK: %[[T1:.*]] = scn.downsample %[[S]]
// CHECK: %[[P1:.*]] = scn.kernel_map strided %[[S]], %[[T1]]
// CHECK: scn.max_pool %[[C2]] from %[[S]] to %[[T1]] map(%[[P1]])
// CHECK-COUNT-2: scn.submanifold_conv {{.*}} {{{.*}}epilogue = [#scn.step<relu>]
// CHECK: scn.max_pool
// CHECK-COUNT-2: scn.submanifold_conv {{.*}} {{{.*}}epilogue = [#scn.step<relu>]
// CHECK: scn.max_pool
// CHECK: %[[Y:.*]] = scn.submanifold_conv {{.*}} bias(%{{.*}} : tensor<32xf32>) {{.*}} {{{.*}}epilogue = [#scn.step<relu>]
// CHECK: %[[D:.*]] = scn.sparse_to_dense %[[Y]]
// CHECK: return %[[D]] : tensor<?x32x10x10xf32>

// UNFUSED-BN-COUNT-7: scn.batch_norm
// UNFUSED-BN-NOT: scn.batch_norm
// UNFUSED-MAP-COUNT-4: scn.kernel_map submanifold
// UNFUSED-MAP-NOT: scn.kernel_map submanifold
