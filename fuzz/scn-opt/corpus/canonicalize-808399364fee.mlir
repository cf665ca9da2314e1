func.func @dropout_chain(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.dropout %x {p = 0.5 : f64} : tensor<?x4xf32>
  %1 = scn.dropout %0 {p = 0.5 : f64} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
