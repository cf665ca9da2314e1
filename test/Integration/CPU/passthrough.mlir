// Execution test: an entry with no scn op, which returns its argument twice,
// keeps the entry ABI (the run first) and returns copies that are the
// caller's. It did not compile (the clones of unowned results were left to
// the LLVM translation), and once it did, its entry had no run argument,
// so callers wrote the results over the arguments' words.
// RUN: %python -c "import numpy as np; np.savez('%t.npz', x=np.arange(3, dtype=np.float32).reshape(3, 1)); np.savez('%t.empty.npz', x=np.zeros((0, 1), np.float32))"
// RUN: scn-run %s --input %t.npz --print | FileCheck %s
// RUN: scn-compile %s -o %t.so
// RUN: scn-run %t.so --input %t.npz --print | FileCheck %s
// RUN: scn-run %t.so --input %t.empty.npz --print | FileCheck %s --check-prefix=EMPTY
// RUN: scn-run %s --input %t.npz --print --target=cuda-emulated | FileCheck %s

// CHECK: y: shape [3, 1] values [0, 1, 2]
// CHECK: z: shape [3, 1] values [0, 1, 2]
// EMPTY: y: shape [0, 1] values []
// EMPTY: z: shape [0, 1] values []

func.func @main(%x: tensor<?x1xf32> {scn.name = "x"})
    -> (tensor<?x1xf32> {scn.name = "y"}, tensor<?x1xf32> {scn.name = "z"}) {
  return %x, %x : tensor<?x1xf32>, tensor<?x1xf32>
}
