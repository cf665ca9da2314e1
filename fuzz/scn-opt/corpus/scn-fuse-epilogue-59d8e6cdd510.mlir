func.func @chain(%s: !scn.sites<1, [16]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [16]>
  %z = scn.add %y, %x : tensor<?x2xf32>
  %r = scn.relu %z : tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}
