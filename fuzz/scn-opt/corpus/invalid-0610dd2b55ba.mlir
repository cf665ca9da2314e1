func.func @input_columns(%c: tensor<?x2xi64>, %f: tensor<?x1xf32>) {
  %s, %x = scn.input %c, %f : tensor<?x2xi64>, tensor<?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}
