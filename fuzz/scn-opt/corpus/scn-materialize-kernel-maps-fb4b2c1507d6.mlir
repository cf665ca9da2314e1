func.func @strided_shared(%s: !scn.sites<2, [16, 16]>, %x: tensor<?x2xf32>, %w: tensor<4x1x2x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [16, 16]>
  %c = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, tensor<4x1x2x2xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [8, 8]>
  %p = scn.max_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, !scn.sites<2, [16, 16]> -> !scn.sites<2, [8, 8]>
  %d = scn.deconv %c, %w from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, tensor<4x1x2x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [16, 16]>
  %u = scn.unpool %p from %t to %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [16, 16]>
  return %d, %u : tensor<?x2xf32>, tensor<?x2xf32>
}
