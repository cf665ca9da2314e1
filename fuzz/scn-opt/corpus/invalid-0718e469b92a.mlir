func.func @weight_volume(%s: !scn.sites<3, [8, 8, 8]>, %x: tensor<?x1xf32>, %w: tensor<27x1x1x2xf32>) {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 1, 3>} : tensor<?x1xf32>, tensor<27x1x1x2xf32>, !scn.sites<3, [8, 8, 8]>
  return
}
