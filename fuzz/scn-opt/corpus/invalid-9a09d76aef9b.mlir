func.func @bn_momentum(%x: tensor<?x4xf32>, %m: tensor<4xf32>) {
  %y = scn.batch_norm %x, %m, %m {momentum = 1.5 : f64} : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}
