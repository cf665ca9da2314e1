func.func @sparse_to_dense_shape(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x4xf32>) {
  %d = "scn.sparse_to_dense"(%x, %s) : (tensor<?x4xf32>, !scn.sites<2, [8, 8]>) -> tensor<?x4x8x9xf32>
  return
}
