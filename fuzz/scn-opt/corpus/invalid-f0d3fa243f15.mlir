func.func @channels(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x4xf32>, %w: tensor<9x2x1x2xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x4xf32>, tensor<9x2x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}
