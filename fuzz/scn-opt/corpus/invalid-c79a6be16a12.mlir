func.func @linear_rank(%x: tensor<?x3xf32>, %w: tensor<1x3x2xf32>) {
  %y = scn.linear %x, %w : tensor<?x3xf32>, tensor<1x3x2xf32>
  return
}
