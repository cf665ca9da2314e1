func.func @full_conv_sites(%s: !scn.sites<1, [12]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>) {
  %f = scn.full_sites %s {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : !scn.sites<1, [12]>
  %g = scn.full_sites %f {filter_size = array<i64: 1>, filter_stride = array<i64: 1>} : !scn.sites<1, [25]>
  %y = scn.full_conv %x, %w from %s to %g {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [12]> -> !scn.sites<1, [25]>
  return
}
