func.func @dropout_p(%x: tensor<?x4xf32>) {
  %y = scn.dropout %x {p = -0.5 : f64} : tensor<?x4xf32>
  return
}
