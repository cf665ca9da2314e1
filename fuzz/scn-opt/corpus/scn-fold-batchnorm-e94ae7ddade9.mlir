func.func @conv_has_other_use(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %w = arith.constant dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %m : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
}
