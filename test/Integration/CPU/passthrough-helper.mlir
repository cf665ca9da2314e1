// Execution test: a public function that the entry calls is a helper, not
// an entry, so it does not get the run argument the entry gets (before,
// every public function without scn ops got it, and the call no longer
// matched its callee: "incorrect number of operands for callee").
// RUN: %python -c "import numpy as np; np.savez('%t.npz', x=np.arange(3, dtype=np.float32).reshape(3, 1))"
// RUN: scn-run %s --input %t.npz --print | FileCheck %s
// RUN: scn-compile %s -o %t.so
// RUN: scn-run %t.so --input %t.npz --print | FileCheck %s

// CHECK: y: shape [3, 1] values [0, 2, 4]

func.func @twice(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %y = arith.addf %x, %x : tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

func.func @main(%x: tensor<?x1xf32> {scn.name = "x"}) -> (tensor<?x1xf32> {scn.name = "y"}) {
  %y = func.call @twice(%x) : (tensor<?x1xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
