func.func @downsample_too_big(%s: !scn.sites<1, [4]>) {
  %t = scn.downsample %s {filter_size = array<i64: 5>, filter_stride = array<i64: 1>} : !scn.sites<1, [4]>
  return
}
