func.func @leaky_kept(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.leaky_relu %x {alpha = 0.1 : f64} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
