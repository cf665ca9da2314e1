// Bad input reaches the user as a clear error naming the op, never a crash.
// RUN: %python -c "import numpy as np; np.savez('%t.oob.npz', coords=np.array([[1,0],[9,0]], dtype=np.int64), features=np.ones((2,1), dtype=np.float32))"
// RUN: not scn-run %s --input %t.oob.npz 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: %python -c "import numpy as np; np.savez('%t.nan.npz', coords=np.array([[1,0],[2,0]], dtype=np.int64), features=np.array([[1.],[np.nan]], dtype=np.float32))"
// RUN: not scn-run %s --input %t.nan.npz 2>&1 | FileCheck %s --check-prefix=NAN
// The CUDA path checks by a kernel that sets the run's check word, read
// after the run (emulated here: the same host code and kernels on the CPU).
// RUN: not scn-run %s --input %t.nan.npz --target=cuda-emulated 2>&1 | FileCheck %s --check-prefix=NAN
// RUN: %python -c "import numpy as np; np.savez('%t.rows.npz', coords=np.array([[1,0],[2,0]], dtype=np.int64), features=np.ones((3,1), dtype=np.float32))"
// RUN: not scn-run %s --input %t.rows.npz 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: %python -c "import numpy as np; np.savez('%t.chan.npz', coords=np.array([[1,0]], dtype=np.int64), features=np.ones((1,2), dtype=np.float32))"
// RUN: not scn-run %s --input %t.chan.npz 2>&1 | FileCheck %s --check-prefix=CHANNELS
// RUN: %python -c "import numpy as np; np.savez('%t.miss.npz', coords=np.array([[1,0]], dtype=np.int64))"
// RUN: not scn-run %s --input %t.miss.npz 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo garbage > %t.bad.npz
// RUN: not scn-run %s --input %t.bad.npz 2>&1 | FileCheck %s --check-prefix=NOTNPZ
// RUN: %python -c "import numpy as np; np.savez('%t.empty.npz', coords=np.zeros((0,2), dtype=np.int64), features=np.zeros((0,1), dtype=np.float32))"
// RUN: scn-run %s --input %t.empty.npz --print | FileCheck %s --check-prefix=EMPTY

// RANGE: scn-run: error: scn.input at loc({{.*}}bad_input.mlir{{.*}}): scn_sites_from_coords: {{.*}}9{{.*}}
// NAN: scn-run: error: scn.input at {{.*}}: input features contain NaN
// ROWS: scn-run: error: scn.input at {{.*}}: coordinates and features have different numbers of rows
// CHANNELS: scn-run: error: input 'features' dimension 1 is 2, expected 1
// MISSING: scn-run: error: input 'features' is missing from the input file
// NOTNPZ: scn-run: error: '{{.*}}' is not a .npz (zip) file
// An empty batch is valid: no sites, no rows.
// EMPTY: output: shape [0, 1] values []
func.func @main(%c: tensor<?x2xi64> {scn.name = "coords"}, %f: tensor<?x1xf32> {scn.name = "features"})
    -> (tensor<?x1xf32> {scn.name = "output"}) {
  %w = arith.constant dense<1.0> : tensor<3x1x1x1xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x2xi64>, tensor<?x1xf32> -> !scn.sites<1, [8]>, tensor<?x1xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>}
      : tensor<?x1xf32>, tensor<3x1x1x1xf32>, !scn.sites<1, [8]>
  return %y : tensor<?x1xf32>
}
