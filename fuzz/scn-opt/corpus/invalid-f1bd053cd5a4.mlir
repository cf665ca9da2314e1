func.func @input_channels(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x2xf32>
  return
}
