func.func @dense_to_sparse_dynamic(%d: tensor<?x4x?xf32>) {
  %s, %x = scn.dense_to_sparse %d : tensor<?x4x?xf32>
  return
}
