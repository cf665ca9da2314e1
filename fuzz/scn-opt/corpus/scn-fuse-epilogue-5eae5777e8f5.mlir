func.func @residual(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %z = scn.add %x, %y : tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}
