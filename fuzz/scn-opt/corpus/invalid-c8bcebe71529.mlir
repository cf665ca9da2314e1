func.func @weight_rank(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<9x2xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x2xf32>, !scn.sites<2, [8, 8]>
  return
}
