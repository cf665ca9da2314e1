func.func @linear_channels(%x: tensor<?x3xf32>, %w: tensor<4x2xf32>) {
  %y = scn.linear %x, %w : tensor<?x3xf32>, tensor<4x2xf32>
  return
}
