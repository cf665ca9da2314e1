func.func @full_and_explicit(%s: !scn.sites<1, [8]>, %x: tensor<?x2xf32>, %w: tensor<3x1x2x2xf32>) -> tensor<?x2xf32> {
  %k = scn.kernel_map submanifold %s, %s {filter_size = array<i64: 3>, filter_stride = array<i64: 1>} : !scn.sites<1, [8]>, !scn.sites<1, [8]>
  %f = scn.full_sites %s {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : !scn.sites<1, [8]>
  %a = scn.submanifold_conv %x, %w on %s map(%k) {filter_size = array<i64: 3>} : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [8]>
  %b = scn.full_conv %a, %w from %s to %f {filter_size = array<i64: 3>, filter_stride = array<i64: 2>}
      : tensor<?x2xf32>, tensor<3x1x2x2xf32>, !scn.sites<1, [8]> -> !scn.sites<1, [17]>
  return %b : tensor<?x2xf32>
}
