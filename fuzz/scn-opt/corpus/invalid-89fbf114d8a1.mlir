func.func @kmap_strided(%s: !scn.sites<2, [8, 8]>, %t: !scn.sites<2, [3, 4]>) {
  %k = scn.kernel_map strided %s, %t {filter_size = array<i64: 2, 2>, filter_stride = array<i64: 2, 2>} : !scn.sites<2, [8, 8]>, !scn.sites<2, [3, 4]>
  return
}
