// --output-coords: each sparse output also returns the coordinates of its
// sites (scn.coordinates, rows in the order of the features), and the
// arguments and results carry scn.name attributes, so the artifact's
// manifest and scn-run name them coords / features / output /
// output_coords (what scn.compile in frontends/python relies on).
// RUN: %python %S/trace_model.py conv %t.conv.pt
// RUN: scn-import-torch %t.conv.pt --output-coords -o %t.conv.mlir
// RUN: FileCheck %s --check-prefix=CONV < %t.conv.mlir
// RUN: scn-opt %t.conv.mlir -o /dev/null
// RUN: scn-compile %t.conv.mlir -o %t.conv.so
// RUN: %python -c "import numpy as np; np.savez('%t.in.npz', coords=np.array([[0,0,0,0],[1,1,1,0],[5,5,5,1]], dtype=np.int64), features=np.ones((3,2), dtype=np.float32))"
// RUN: scn-run %t.conv.so --input %t.in.npz --print | FileCheck %s --check-prefix=EXEC
// A dense output has no coordinates: the signature is unchanged.
// RUN: %python %S/trace_model.py sparse_to_dense %t.dense.pt
// RUN: scn-import-torch %t.dense.pt --output-coords | FileCheck %s --check-prefix=DENSE
// Train-mode batch norm: statistics named by their state_dict path, after the coordinates.
// RUN: %python %S/trace_model.py batchnorm_train %t.train.pt
// RUN: scn-import-torch %t.train.pt --output-coords | FileCheck %s --check-prefix=TRAIN

// CONV-LABEL: func.func @main(%coords: tensor<?x4xi64> {scn.name = "coords"}, %features: tensor<?x2xf32> {scn.name = "features"})
// CONV-SAME: -> (tensor<?x4xf32> {scn.name = "output"}, tensor<?x4xi64> {scn.name = "output_coords"})
// CONV: %[[S:.*]], %{{.*}} = scn.input
// CONV: %[[T:.*]] = scn.downsample %[[S]]
// CONV: %[[C:.*]] = scn.coordinates %[[T]] : !scn.sites<3, [8, 8, 8]>
// CONV: return %{{.*}}, %[[C]] : tensor<?x4xf32>, tensor<?x4xi64>

// EXEC-DAG: output: shape [2, 4]
// EXEC-DAG: output_coords: shape [2, 4] values [0, 0, 0, 0, 2, 2, 2, 1]

// DENSE-LABEL: func.func @main(
// DENSE-SAME: -> tensor<?x3x4x4xf32> {
// DENSE-NOT: scn.coordinates

// TRAIN-LABEL: func.func @main(
// TRAIN-SAME: -> (tensor<?x4xf32> {scn.name = "output"}, tensor<?x4xi64> {scn.name = "output_coords"}, tensor<4xf32> {scn.name = "model.0.running_mean"}, tensor<4xf32> {scn.name = "model.0.running_var"})
