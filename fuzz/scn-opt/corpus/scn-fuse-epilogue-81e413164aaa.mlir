func.func @activation(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.leaky_relu %y {alpha = 0.2 : f64} : tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}
