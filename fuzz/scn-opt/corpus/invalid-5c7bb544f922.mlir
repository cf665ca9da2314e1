func.func @input_rows(%c: tensor<5x3xi64>, %f: tensor<6x1xf32>) {
  %s, %x = scn.input %c, %f : tensor<5x3xi64>, tensor<6x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}
