func.func @kmap_operand(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<9x1x1x1xf32>) {
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 5, 5>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [8, 8]>
  %y = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3, 3>} : tensor<?x1xf32>, tensor<9x1x1x1xf32>, !scn.sites<2, [8, 8]>
  return
}
