func.func @bn_shape(%x: tensor<?x4xf32>, %m: tensor<3xf32>, %v: tensor<4xf32>) {
  %y = scn.batch_norm %x, %m, %v : tensor<?x4xf32>, tensor<3xf32>, tensor<4xf32>
  return
}
