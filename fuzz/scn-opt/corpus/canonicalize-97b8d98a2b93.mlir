func.func @dropout_training(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.dropout %x {training} : tensor<?x4xf32>
  %1 = scn.dropout %0 {training} : tensor<?x4xf32>
  %2 = scn.dropout %x {training} : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
