func.func @prefer_conv(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %wl: tensor<1x2xf32>, %w: tensor<3x1x1x2xf32>) -> tensor<?x2xf32> {
  %l = scn.linear %x, %wl : tensor<?x1xf32>, tensor<1x2xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [16]>
  %z = scn.add %l, %y : tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}
