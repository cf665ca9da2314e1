func.func @conv_out_sites(%s: !scn.sites<2, [32, 32]>, %u: !scn.sites<2, [32, 32]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x2xf32>) {
  %t = scn.downsample %u {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [32, 32]>
  %y = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x2xf32>, !scn.sites<2, [32, 32]> -> !scn.sites<2, [16, 16]>
  return
}
