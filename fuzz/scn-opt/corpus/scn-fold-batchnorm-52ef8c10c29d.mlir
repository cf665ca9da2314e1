func.func @fold_conv(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[[[2.0, 3.0]]]]> : tensor<1x1x1x2xf32>
  %m = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = arith.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 1>} : tensor<?x1xf32>, tensor<1x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) bias(%b : tensor<2xf32>) {eps = 1.0 : f64, leakiness = 0.0 : f64}
      : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}
