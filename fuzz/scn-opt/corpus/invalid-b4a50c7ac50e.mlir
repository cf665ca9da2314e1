func.func @epilogue_affine(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>, %a: tensor<3xf32>) {
  %y = scn.submanifold_conv %x, %w on %s epilogue(%a, %a : tensor<3xf32>, tensor<3xf32>) {filter_size = array<i64: 3>, epilogue = [#scn.step<affine>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}
