func.func @deconv_out_size(%s: !scn.sites<2, [31, 31]>, %x: tensor<?x1xf32>, %w: tensor<4x1x1x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [31, 31]>
  %y = scn.deconv %x, %w from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x1xf32>, tensor<4x1x1x2xf32>, !scn.sites<2, [15, 15]> -> !scn.sites<2, [31, 31]>
  return
}
