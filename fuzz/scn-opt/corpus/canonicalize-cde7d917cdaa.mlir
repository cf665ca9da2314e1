func.func @relu_relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = scn.relu %x : tensor<?x4xf32>
  %1 = scn.relu %0 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
