// A buffer the system refuses ends the call with an error naming the size
// and the op's location, never a write through null; the memory the call
// held is freed (runtime/lib/CPU/GeneratedCall.h). The runtime refuses
// every buffer of SCN_RUNTIME_FAIL_ALLOCATIONS_FROM bytes or more, as the
// system would: here the second layer's output (1000 sites x 32 channels,
// 125 KiB), not the first layer's (62.5 KiB).
// RUN: %python -c "import numpy as np; r=np.random.default_rng(1); c=r.choice(64*64, 1000, replace=False); np.savez('%t.npz', coords=np.stack([c//64, c%%64, np.zeros_like(c)], 1).astype(np.int64), features=r.standard_normal((1000, 4)).astype(np.float32))"
// RUN: env SCN_RUNTIME_FAIL_ALLOCATIONS_FROM=100000 not scn-run %s --input %t.npz 2>&1 | FileCheck %s
// Through an artifact, with a run kept across calls:
// RUN: scn-compile %s -o %t.so
// RUN: env SCN_RUNTIME_FAIL_ALLOCATIONS_FROM=100000 not scn-run %t.so --input %t.npz --repeat 2 --reuse-maps 2>&1 | FileCheck %s
// The CUDA pipeline emulated on the CPU (its host code allocates the
// device's buffers), which wrote through null before:
// RUN: env SCN_RUNTIME_FAIL_ALLOCATIONS_FROM=100000 not scn-run %s --target=cuda-emulated --input %t.npz 2>&1 | FileCheck %s
// A limit above every buffer changes nothing:
// RUN: scn-run %t.so --input %t.npz --print > %t.free.txt
// RUN: env SCN_RUNTIME_FAIL_ALLOCATIONS_FROM=1000000000 scn-run %t.so --input %t.npz --print > %t.limit.txt
// RUN: grep -v "^scn-run:" %t.free.txt > %t.free.values && grep -v "^scn-run:" %t.limit.txt > %t.limit.values
// RUN: diff %t.free.values %t.limit.values
// RUN: FileCheck %s --check-prefix=VALUES < %t.free.values

// CHECK: scn-run: error: op at loc("{{.*}}out_of_memory.mlir":[[@LINE+10]]:{{[0-9]+}}): out of memory: a buffer of {{[0-9]+}} bytes was refused; the call was abandoned and the memory it held freed
// VALUES: output: shape [1000, 32]
func.func @main(%c: tensor<?x3xi64> {scn.name = "coords"}, %f: tensor<?x4xf32> {scn.name = "features"})
    -> (tensor<?x32xf32> {scn.name = "output"}) {
  %w1 = arith.constant dense<0.05> : tensor<9x1x4x16xf32>
  %w2 = arith.constant dense<0.02> : tensor<9x1x16x32xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x3xi64>, tensor<?x4xf32> -> !scn.sites<2, [64, 64]>, tensor<?x4xf32>
  %y = scn.submanifold_conv %x, %w1 on %s {filter_size = array<i64: 3, 3>}
      : tensor<?x4xf32>, tensor<9x1x4x16xf32>, !scn.sites<2, [64, 64]>
  %r = scn.relu %y : tensor<?x16xf32>
  %z = scn.submanifold_conv %r, %w2 on %s {filter_size = array<i64: 3, 3>}
      : tensor<?x16xf32>, tensor<9x1x16x32xf32>, !scn.sites<2, [64, 64]>
  return %z : tensor<?x32xf32>
}
