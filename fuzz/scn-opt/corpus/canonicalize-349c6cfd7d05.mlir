func.func @single_operand_tables(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = scn.concat %x : tensor<?x4xf32>
  %1 = scn.add %x : tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}
