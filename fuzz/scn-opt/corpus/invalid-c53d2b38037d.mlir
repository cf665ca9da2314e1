func.func @bn_weight_shape(%x: tensor<?x4xf32>, %m: tensor<4xf32>, %g: tensor<5xf32>) {
  %y = scn.batch_norm %x, %m, %m weight(%g : tensor<5xf32>) : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}
