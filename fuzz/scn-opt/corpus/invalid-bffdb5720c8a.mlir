func.func @kmap_full(%s: !scn.sites<1, [8]>, %t: !scn.sites<1, [16]>) {
  %k = scn.kernel_map full %s, %t {filter_size = array<i64: 3>, filter_stride = array<i64: 2>} : !scn.sites<1, [8]>, !scn.sites<1, [16]>
  return
}
