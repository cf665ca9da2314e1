func.func @add_sites(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x1xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %a = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x1xf32>, !scn.sites<2, [8, 8]>
  %b = scn.conv %a, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x1xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  %c = scn.add %a, %b : tensor<?x1xf32>
  return
}
