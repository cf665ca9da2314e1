// Execution test: input mode 4 averages duplicates, max pooling starts from 0,
// unpooling sums back onto the input sites, OutputLayer gives one row per
// input row.
// Rows: x=1 (2.0), x=1 (4.0), x=3 (-5.0), x=6 (7.0), all batch 0; size 8.
// Merged sites (first appearance): x=1: 3.0, x=3: -5.0, x=6: 7.0.
// MaxPooling 2/2 to size 4: j=0 <- {x=1}: max(0, 3) = 3; j=1 <- {x=3}:
// max(0, -5) = 0; j=3 <- {x=6}: 7.
// UnPooling 2/2 back: x=1 <- j=0: 3; x=3 <- j=1: 0; x=6 <- j=3: 7.
// OutputLayer rows: [3, 3, 0, 7].
// RUN: %python -c "import numpy as np; np.savez('%t.npz', coords=np.array([[1,0],[1,0],[3,0],[6,0]], dtype=np.int64), features=np.array([[2.],[4.],[-5.],[7.]], dtype=np.float32))"
// RUN: scn-run %s --input %t.npz --print | FileCheck %s

// CHECK: output: shape [4, 1] values [3, 3, 0, 7]
func.func @main(%c: tensor<?x2xi64> {scn.name = "coords"}, %f: tensor<?x1xf32> {scn.name = "features"})
    -> (tensor<?x1xf32> {scn.name = "output"}) {
  %s, %x = scn.input %c, %f {mode = 4 : i64} : tensor<?x2xi64>, tensor<?x1xf32> -> !scn.sites<1, [8]>, tensor<?x1xf32>
  %t = scn.downsample %s {filter_size = array<i64: 2>, filter_stride = array<i64: 2>} : !scn.sites<1, [8]>
  %p = scn.max_pool %x from %s to %t {filter_size = array<i64: 2>, filter_stride = array<i64: 2>}
      : tensor<?x1xf32>, !scn.sites<1, [8]> -> !scn.sites<1, [4]>
  %u = scn.unpool %p from %t to %s {filter_size = array<i64: 2>, filter_stride = array<i64: 2>}
      : tensor<?x1xf32>, !scn.sites<1, [4]> -> !scn.sites<1, [8]>
  %rows = scn.output %u on %s : tensor<?x1xf32>, !scn.sites<1, [8]>
  return %rows : tensor<?x1xf32>
}
