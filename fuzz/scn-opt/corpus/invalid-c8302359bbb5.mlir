func.func @pool_size(%s: !scn.sites<2, [8, 8]>, %t: !scn.sites<2, [3, 3]>, %x: tensor<?x2xf32>) {
  %y = scn.avg_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x2xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [3, 3]>
  return
}
