func.func @epilogue_residual(%s: !scn.sites<1, [8]>, %x: tensor<?x1xf32>, %w: tensor<3x1x1x2xf32>, %r: tensor<?x1xf32>) {
  %y = scn.submanifold_conv %x, %w on %s epilogue(%r : tensor<?x1xf32>) {filter_size = array<i64: 3>, epilogue = [#scn.step<residual>]} : tensor<?x1xf32>, tensor<3x1x1x2xf32>, !scn.sites<1, [8]>
  return
}
