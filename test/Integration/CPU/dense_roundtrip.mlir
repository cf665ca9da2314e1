// Execution test: DenseToSparse then SparseToDense gives back the dense
// input, and the sites are the nonzero positions in row-major order.
// Dense [B=2, C=1, 3]: sample 0 = [0, 5, 0], sample 1 = [7, 0, -2].
// RUN: %python -c "import numpy as np; np.savez('%t.npz', dense=np.array([[[0., 5., 0.]], [[7., 0., -2.]]], dtype=np.float32))"
// RUN: scn-run %s --input %t.npz --print | FileCheck %s

// CHECK-DAG: coords: shape [3, 2] values [1, 0, 0, 1, 2, 1]
// CHECK-DAG: features: shape [3, 1] values [5, 7, -2]
// CHECK-DAG: output: shape [2, 1, 3] values [0, 5, 0, 7, 0, -2]
func.func @main(%d: tensor<?x1x3xf32> {scn.name = "dense"})
    -> (tensor<?x1x3xf32> {scn.name = "output"}, tensor<?x2xi64> {scn.name = "coords"},
        tensor<?x1xf32> {scn.name = "features"}) {
  %s, %x = scn.dense_to_sparse %d : tensor<?x1x3xf32>
  %c = scn.coordinates %s : !scn.sites<1, [3]>
  %back = scn.sparse_to_dense %x on %s : tensor<?x1xf32>, !scn.sites<1, [3]>
  return %back, %c, %x : tensor<?x1x3xf32>, tensor<?x2xi64>, tensor<?x1xf32>
}
