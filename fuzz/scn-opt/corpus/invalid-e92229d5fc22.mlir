func.func @kmap_submanifold(%s: !scn.sites<2, [8, 8]>, %t: !scn.sites<2, [8, 8]>) {
  %k = scn.kernel_map submanifold %s, %t {filter_size = array<i64: 3, 3>, filter_stride = array<i64: 1, 1>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [8, 8]>
  return
}
