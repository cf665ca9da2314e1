func.func @submanifold_shared(%s: !scn.sites<2, [16, 16]>, %x: tensor<?x2xf32>, %w: tensor<9x1x2x2xf32>,
                              %w5: tensor<25x1x2x2xf32>) -> tensor<?x2xf32> {
  %a = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x2xf32>, tensor<9x1x2x2xf32>, !scn.sites<2, [16, 16]>
  %b = scn.submanifold_conv %a, %w on %s {filter_size = array<i64: 3, 3>} : tensor<?x2xf32>, tensor<9x1x2x2xf32>, !scn.sites<2, [16, 16]>
  %c = scn.submanifold_conv %b, %w5 on %s {filter_size = array<i64: 5, 5>} : tensor<?x2xf32>, tensor<25x1x2x2xf32>, !scn.sites<2, [16, 16]>
  return %c : tensor<?x2xf32>
}
