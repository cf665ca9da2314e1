func.func @input_mode(%c: tensor<?x3xi64>, %f: tensor<?x1xf32>) {
  %s, %x = scn.input %c, %f {mode = 5 : i64} : tensor<?x3xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}
