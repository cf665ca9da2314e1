func.func @strided_and_training(%s: !scn.sites<1, [16]>, %x: tensor<?x1xf32>, %w: tensor<2x1x1x2xf32>,
                                %wl: tensor<2x2xf32>, %m: tensor<2xf32>) -> tensor<?x2xf32> {
  %t = scn.downsample %s {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [16]>
  %y = scn.conv %x, %w from %s to %t {filter_size = array<i64: 2>, filter_stride = array<i64: 2>}
      : tensor<?x1xf32>, tensor<2x1x1x2xf32>, !scn.sites<1, [16]> -> !scn.sites<1, [8]>
  %a = scn.sigmoid %y : tensor<?x2xf32>
  %l = scn.linear %a, %wl : tensor<?x2xf32>, tensor<2x2xf32>
  %b = scn.tanh %l : tensor<?x2xf32>
  %c = scn.linear %b, %wl : tensor<?x2xf32>, tensor<2x2xf32>
  %z, %st:2 = scn.batch_norm %c, %m, %m {training} : tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>
  return %z : tensor<?x2xf32>
}
