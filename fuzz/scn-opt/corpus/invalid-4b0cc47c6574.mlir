func.func @full_conv_size(%s: !scn.sites<1, [12]>, %f: !scn.sites<1, [24]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) {
  %y = scn.full_conv %x, %w from %s to %f {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [12]> -> !scn.sites<1, [24]>
  return
}
