func.func @fold_linear(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 3.0], [2.0, 4.0]]> : tensor<2x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %y = scn.linear %x, %w : tensor<?x2xf32>, tensor<2x2xf32>
  %z = scn.batch_norm %y, %m, %v {eps = 1.0 : f64} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}
