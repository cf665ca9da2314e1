func.func @leaky(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = scn.leaky_relu %x {alpha = 1.0 : f64} : tensor<?x4xf32>
  %1 = scn.leaky_relu %x {alpha = 0.0 : f64} : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}
