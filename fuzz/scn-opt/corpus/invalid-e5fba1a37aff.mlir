func.func @bl_input_rank(%c: tensor<?x3xi64>, %f: tensor<?x?x1xf32>) {
  %s, %x = scn.bl_input %c, %f : tensor<?x3xi64>, tensor<?x?x1xf32> -> !scn.sites<2, [8, 8]>, tensor<?x1xf32>
  return
}
