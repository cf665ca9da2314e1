func.func @dropout_zero(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = scn.dropout %x {p = 0.0 : f64} : tensor<?x4xf32>
  %1 = scn.dropout %x {p = 0.0 : f64, training} : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}
