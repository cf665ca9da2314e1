func.func @pool_drop(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %y = scn.max_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>, features_to_drop = 2 : i64} : tensor<?x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  return
}
