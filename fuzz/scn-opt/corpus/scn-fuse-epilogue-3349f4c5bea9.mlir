func.func @batch_norm(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>,
                      %m: tensor<2xf32>, %v: tensor<2xf32>, %g: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.batch_norm %y, %m, %v weight(%g : tensor<2xf32>) bias(%b : tensor<2xf32>) {leakiness = 0.0 : f64}
      : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}
