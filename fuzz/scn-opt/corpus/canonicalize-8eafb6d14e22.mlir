func.func @dead_code(%s: !scn.sites<2, [8, 8]>, %x: tensor<?x4xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %m = scn.max_pool %x from %s to %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>}
      : tensor<?x4xf32>, !scn.sites<2, [8, 8]> -> !scn.sites<2, [4, 4]>
  %r = scn.relu %x : tensor<?x4xf32>
  return
}
