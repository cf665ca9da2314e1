func.func @unpool_unmatched(%s: !scn.sites<2, [8, 8]>, %u: !scn.sites<2, [8, 8]>, %x: tensor<?x2xf32>) {
  %t = scn.downsample %s {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>
  %y = scn.unpool %x from %t to %u {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : tensor<?x2xf32>, !scn.sites<2, [4, 4]> -> !scn.sites<2, [8, 8]>
  return
}
