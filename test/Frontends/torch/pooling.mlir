// Tracing and import of MaxPooling (with nFeaturesToDrop), AveragePooling and
// UnPooling; the unpool maps back onto the sites its pooling came from.
// RUN: %python %S/trace_model.py maxpool %t.max.pt
// RUN: scn-import-torch %t.max.pt -o %t.max.mlir
// RUN: FileCheck %s --check-prefix=MAX < %t.max.mlir
// RUN: scn-opt %t.max.mlir -o /dev/null
// RUN: %python %S/trace_model.py avgpool_unpool %t.avg.pt
// RUN: scn-import-torch %t.avg.pt -o %t.avg.mlir
// RUN: FileCheck %s --check-prefix=AVG < %t.avg.mlir
// RUN: scn-opt %t.avg.mlir -o /dev/null

// MAX-LABEL: func.func @main(%coords: tensor<?x3xi64> {scn.name = "coords"}, %features: tensor<?x8xf32> {scn.name = "features"}) -> tensor<?x7xf32>
// MAX: %[[S:.*]], %[[X:.*]] = scn.input
// MAX: %[[T:.*]] = scn.downsample %[[S]] {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [31, 31]>
// MAX: scn.max_pool %[[X]] from %[[S]] to %[[T]] {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>, features_to_drop = 1 : i64} : tensor<?x8xf32>, !scn.sites<2, [31, 31]> -> !scn.sites<2, [15, 15]>

// AVG: %[[S:.*]], %[[X:.*]] = scn.input
// AVG: %[[T:.*]] = scn.downsample %[[S]]
// AVG: %[[A:.*]] = scn.avg_pool %[[X]] from %[[S]] to %[[T]] {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>}
// AVG: %[[U:.*]] = scn.unpool %[[A]] from %[[T]] to %[[S]] {filter_size = array<i64: 2, 2, 2>, filter_stride = array<i64: 2, 2, 2>} : tensor<?x3xf32>, !scn.sites<3, [8, 8, 8]> -> !scn.sites<3, [16, 16, 16]>
// AVG: return %[[U]] : tensor<?x3xf32>
