func.func @dense_to_sparse_rank(%d: tensor<?x4xf32>) {
  %s, %x = scn.dense_to_sparse %d : tensor<?x4xf32>
  return
}
