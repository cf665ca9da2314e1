// Tracing and import of the convolution modules: SubmanifoldConvolution (bias,
// groups, anisotropic filter), Convolution, Deconvolution, FullConvolution and
// NetworkInNetwork. The IR must parse and verify.
// RUN: %python %S/trace_model.py subm %t.subm.pt
// RUN: scn-import-torch %t.subm.pt -o %t.subm.mlir
// RUN: FileCheck %s --check-prefix=SUBM < %t.subm.mlir
// RUN: scn-opt %t.subm.mlir -o /dev/null
// RUN: %python %S/trace_model.py subm_groups %t.groups.pt
// RUN: scn-import-torch %t.groups.pt | scn-opt | FileCheck %s --check-prefix=GROUPS
// RUN: %python %S/trace_model.py conv %t.conv.pt
// RUN: scn-import-torch %t.conv.pt -o %t.conv.mlir
// RUN: FileCheck %s --check-prefix=CONV < %t.conv.mlir
// RUN: scn-opt %t.conv.mlir -o /dev/null
// RUN: %python %S/trace_model.py deconv %t.deconv.pt
// RUN: scn-import-torch %t.deconv.pt -o %t.deconv.mlir
// RUN: FileCheck %s --check-prefix=DECONV < %t.deconv.mlir
// RUN: scn-opt %t.deconv.mlir -o /dev/null
// RUN: %python %S/trace_model.py fullconv %t.full.pt
// RUN: scn-import-torch %t.full.pt -o %t.full.mlir
// RUN: FileCheck %s --check-prefix=FULL < %t.full.mlir
// RUN: scn-opt %t.full.mlir -o /dev/null
// RUN: %python %S/trace_model.py nin %t.nin.pt
// RUN: scn-import-torch %t.nin.pt -o %t.nin.mlir
// RUN: FileCheck %s --check-prefix=NIN < %t.nin.mlir
// RUN: scn-opt %t.nin.mlir -o /dev/null

// SUBM-LABEL: func.func @main(%coords: tensor<?x4xi64> {scn.name = "coords"}, %features: tensor<?x2xf32> {scn.name = "features"}) -> tensor<?x4xf32>
// SUBM: %[[S:.*]], %[[X:.*]] = scn.input %coords, %features {mode = 4 : i64} : tensor<?x4xi64>, tensor<?x2xf32> -> !scn.sites<3, [16, 16, 16]>, tensor<?x2xf32>
// SUBM: %[[W:.*]] = arith.constant dense_resource<model_0_weight> : tensor<27x1x2x4xf32>
// SUBM: %[[B:.*]] = arith.constant dense_resource<model_0_bias> : tensor<4xf32>
// SUBM: %[[Y:.*]] = scn.submanifold_conv %[[X]], %[[W]] on %[[S]] bias(%[[B]] : tensor<4xf32>) {filter_size = array<i64: 3, 3, 3>}
// SUBM: return %[[Y]] : tensor<?x4xf32>
// SUBM: dialect_resources
// SUBM: model_0_weight: "0x04000000

// GROUPS: scn.submanifold_conv %{{.*}}, %{{.*}} on %{{.*}} {filter_size = array<i64: 3, 1>} : tensor<?x4xf32>, tensor<3x2x2x3xf32>, !scn.sites<2, [16, 16]>
// GROUPS: return %{{.*}} : tensor<?x6xf32>

// CONV: %[[S:.*]], %[[X:.*]] = scn.input
// CONV: %[[T:.*]] = scn.downsample %[[S]] {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>} : !scn.sites<3, [16, 16, 16]>
// CONV: %[[C:.*]] = scn.conv %[[X]], %{{.*}} from %[[S]] to %[[T]] {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>} : tensor<?x2xf32>, tensor<8x1x2x4xf32>, !scn.sites<3, [16, 16, 16]> -> !scn.sites<3, [8, 8, 8]>
// CONV: scn.batch_norm %[[C]], %{{.*}}, %{{.*}} weight(%{{.*}} : tensor<4xf32>) bias(%{{.*}} : tensor<4xf32>) {eps = 0.0001 : f64, momentum = 0.99 : f64, leakiness = 0.0 : f64}

// DECONV: %[[S:.*]], %[[X:.*]] = scn.input {{.*}} -> !scn.sites<3, [15, 15, 15]>
// DECONV: %[[T:.*]] = scn.downsample %[[S]] {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>}
// DECONV: %[[C:.*]] = scn.conv %[[X]], %{{.*}} from %[[S]] to %[[T]]
// DECONV: %[[B:.*]] = arith.constant dense_resource<model_1_bias> : tensor<3xf32>
// DECONV: scn.deconv %[[C]], %{{.*}} from %[[T]] to %[[S]] bias(%[[B]] : tensor<3xf32>) {filter_size = array<i64: 3, 3, 3>, filter_stride = array<i64: 2, 2, 2>} : tensor<?x4xf32>, tensor<27x1x4x3xf32>, !scn.sites<3, [7, 7, 7]> -> !scn.sites<3, [15, 15, 15]>

// FULL: %[[S:.*]], %[[X:.*]] = scn.input
// FULL: %[[F:.*]] = scn.full_sites %[[S]] {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [12, 12]>
// FULL: scn.full_conv %[[X]], %{{.*}} from %[[S]] to %[[F]] {{.*}} -> !scn.sites<2, [25, 25]>

// NIN: scn.linear %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<3xf32>) : tensor<?x5xf32>, tensor<5x3xf32>
