// Tracing and import of the input/output layers: OutputLayer, SparseToDense,
// BLInputLayer/BLOutputLayer and DenseToSparse (the model's inputs are typed
// by the scn op that reads them).
// RUN: %python %S/trace_model.py output %t.out.pt
// RUN: scn-import-torch %t.out.pt | scn-opt | FileCheck %s --check-prefix=OUT
// RUN: %python %S/trace_model.py sparse_to_dense %t.dense.pt
// RUN: scn-import-torch %t.dense.pt -o %t.dense.mlir
// RUN: FileCheck %s --check-prefix=DENSE < %t.dense.mlir
// RUN: scn-opt %t.dense.mlir -o /dev/null
// RUN: %python %S/trace_model.py bl_io %t.bl.pt
// RUN: scn-import-torch %t.bl.pt -o %t.bl.mlir
// RUN: FileCheck %s --check-prefix=BL < %t.bl.mlir
// RUN: scn-opt %t.bl.mlir -o /dev/null
// RUN: %python %S/trace_model.py dense_to_sparse %t.d2s.pt
// RUN: scn-import-torch %t.d2s.pt -o %t.d2s.mlir
// RUN: FileCheck %s --check-prefix=D2S < %t.d2s.mlir
// RUN: scn-opt %t.d2s.mlir -o /dev/null

// OUT: %[[S:.*]], %{{.*}} = scn.input
// OUT: %[[Y:.*]] = scn.submanifold_conv
// OUT: scn.output %[[Y]] on %[[S]] : tensor<?x3xf32>, !scn.sites<3, [16, 16, 16]>

// DENSE-LABEL: func.func @main(%coords: tensor<?x3xi64> {scn.name = "coords"}, %features: tensor<?x2xf32> {scn.name = "features"}) -> tensor<?x3x4x4xf32>
// DENSE: %[[T:.*]] = scn.downsample
// DENSE: %[[C:.*]] = scn.conv
// DENSE: scn.sparse_to_dense %[[C]] on %[[T]] : tensor<?x3xf32>, !scn.sites<2, [4, 4]>

// BL-LABEL: func.func @main(%coords: tensor<?x?x2xi64> {scn.name = "coords"}, %features: tensor<?x?x3xf32> {scn.name = "features"}) -> tensor<?x?x3xf32>
// BL: %[[S:.*]], %[[X:.*]] = scn.bl_input %coords, %features {mode = 3 : i64} : tensor<?x?x2xi64>, tensor<?x?x3xf32> -> !scn.sites<2, [16, 16]>, tensor<?x3xf32>
// BL: %[[Y:.*]] = scn.submanifold_conv %[[X]]
// BL: scn.bl_output %[[Y]] on %[[S]] : tensor<?x3xf32>, !scn.sites<2, [16, 16]>

// D2S-LABEL: func.func @main(%dense: tensor<?x2x6x6xf32> {scn.name = "dense"}) -> tensor<?x3xf32>
// D2S: %[[S:.*]], %[[X:.*]] = scn.dense_to_sparse %dense : tensor<?x2x6x6xf32>
// D2S: scn.submanifold_conv %[[X]], %{{.*}} on %[[S]] {{.*}} !scn.sites<2, [6, 6]>
