func.func @features_on_other_sites(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>,
                                   %t: !scn.sites<2, [8, 8]>, %w: tensor<9x1x1x2xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  %y = scn.submanifold_conv %x, %w on %t {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x2xf32>, !scn.sites<2, [8, 8]>
  return
}
