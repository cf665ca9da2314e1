// Values past f16's range on the f16 paths fail the run with the op and the
// way out, instead of reaching the output as inf (emulated CUDA: the same
// host code and kernels on the CPU).
// - --element-type=f16: the input rows, which only the tensor-core
//   convolution reads, are stored in f16 (storage_type) and an input (here
//   70000) rounds to inf when stored; with --narrow-tensor-core-inputs=false
//   they stay f32 and the convolution's sums are not finite;
// - --activations=f16: the input rows already round to inf when stored;
// - bf16 (f32's range) and f32 run, and so does f16 on values in range.
// RUN: %python -c "import numpy as np; f = np.ones((3, 16), np.float32); f[1, 5] = 70000; np.savez('%t.big.npz', coords=np.array([[1,0],[2,0],[3,0]], dtype=np.int64), features=f)"
// RUN: %python -c "import numpy as np; f = np.ones((3, 16), np.float32); f[1, 5] = 65000; np.savez('%t.edge.npz', coords=np.array([[1,0],[2,0],[3,0]], dtype=np.int64), features=f)"
// RUN: not scn-run %s --input %t.big.npz --target=cuda-emulated --element-type=f16 2>&1 | FileCheck %s --check-prefix=TC
// RUN: not scn-run %s --input %t.big.npz --target=cuda-emulated --element-type=f16 --narrow-tensor-core-inputs=false 2>&1 | FileCheck %s --check-prefix=TCSUMS
// RUN: not scn-run %s --input %t.big.npz --target=cuda-emulated --activations=f16 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: scn-run %s --input %t.big.npz --target=cuda-emulated --element-type=bf16 --print | FileCheck %s --check-prefix=WIDE
// RUN: scn-run %s --input %t.big.npz --target=cuda-emulated --print | FileCheck %s --check-prefix=WIDE
// RUN: scn-run %s --input %t.edge.npz --target=cuda-emulated --element-type=f16 --print | FileCheck %s --check-prefix=EDGE

// TC: scn-run: error: scn.input at {{.*}}f16-range.mlir{{.*}}: a result is NaN or exceeds the f16 range of the tensor-core convolutions that read it (a magnitude of 65520 or more rounds to inf); compile with --element-type=bf16 or f32
// TCSUMS: scn-run: error: scn.submanifold_conv at {{.*}}f16-range.mlir{{.*}}: its tensor-core sums are not finite: an input or weight exceeds the f16 range (a magnitude of 65520 or more rounds to inf); compile with --element-type=bf16 or f32
// ACT: scn-run: error: scn.input at {{.*}}f16-range.mlir{{.*}}: a result is NaN or exceeds the f16 range of --activations=f16 (a magnitude of 65520 or more rounds to inf); compile with --activations=bf16 or f32
// Row 1 sums its three rows' 16 channels: 15 + 70000 + 15 + 16 + 16 = 70062
// in the first channel... every output channel sees the same sums.
// WIDE: output: shape [3, 16]
// WIDE-NOT: inf
// EDGE: output: shape [3, 16]
// EDGE-NOT: inf
func.func @main(%c: tensor<?x2xi64> {scn.name = "coords"}, %f: tensor<?x16xf32> {scn.name = "features"})
    -> (tensor<?x16xf32> {scn.name = "output"}) {
  %w = arith.constant dense<1.0> : tensor<3x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x2xi64>, tensor<?x16xf32> -> !scn.sites<1, [8]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3>}
      : tensor<?x16xf32>, tensor<3x1x16x16xf32>, !scn.sites<1, [8]>
  return %y : tensor<?x16xf32>
}
