// Execution test: a 1-D submanifold convolution with bias and fused ReLU,
// checked against values computed by hand.
// Input sites x = 1, 2, 5 (batch 0) with features 1, 2, 3; filter 3 with
// weights [1, 10, 100] for offsets -1, 0, +1; bias 0.5:
//   out[1] = 1*10 + 2*100 + 0.5 = 210.5, out[2] = 1*1 + 2*10 + 0.5 = 21.5,
//   out[5] = 3*10 + 0.5 = 30.5.
// RUN: %python -c "import numpy as np; np.savez('%t.npz', coords=np.array([[1,0],[2,0],[5,0]], dtype=np.int64), features=np.array([[1.],[2.],[3.]], dtype=np.float32))"
// RUN: scn-run %s --input %t.npz --print | FileCheck %s
// The same through an scn-compile artifact:
// RUN: scn-compile %s -o %t.so
// RUN: scn-run %t.so --input %t.npz --print | FileCheck %s
// Maps built once and reused across runs give the same values:
// RUN: scn-run %t.so --input %t.npz --repeat 3 --reuse-maps --print | FileCheck %s
// A relative path names a file, not a library to search for:
// RUN: rm -rf %t.d && mkdir %t.d && cp %t.so %t.d/net.so
// RUN: cd %t.d && scn-run net.so --input %t.npz --print | FileCheck %s
// RUN: not scn-run %t.npz.so --input %t.npz 2>&1 | FileCheck %s --check-prefix=NOSO
// RUN: not scn-compile %s --target=rocm -o %t.rocm.so 2>&1 | FileCheck %s --check-prefix=TARGET
// CUDA options where they would be ignored are errors:
// RUN: not scn-compile %s --element-type=f16 -o %t.f16.so 2>&1 | FileCheck %s --check-prefix=ELEMENT
// RUN: not scn-compile %s --device-geometry=false -o %t.dg.so 2>&1 | FileCheck %s --check-prefix=GEOMETRY
// RUN: not scn-compile %s --prepare-parameters=false -o %t.pp.so 2>&1 | FileCheck %s --check-prefix=PREPARE
// RUN: not scn-run %t.so --target=cuda --input %t.npz 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: not scn-run %s --chip=sm_90 --input %t.npz 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-run %s --element-type=bf16 --input %t.npz 2>&1 | FileCheck %s --check-prefix=RUNELEMENT
// RUN: not scn-run %t.so --element-type=f16 --input %t.npz 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: not scn-run %t.so --activations=f16 --input %t.npz 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: not scn-run %s --activations=f16 --input %t.npz 2>&1 | FileCheck %s --check-prefix=RUNACT
// RUN: not scn-compile %s --activations=f16 -o %t.act.so 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not scn-compile %s --tensor-core-rows=64 -o %t.rows.so 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not scn-compile %s --neighbour-masks=false -o %t.masks.so 2>&1 | FileCheck %s --check-prefix=MASKS
// RUN: not scn-compile %s --tensor-core-gathers=async -o %t.gathers.so 2>&1 | FileCheck %s --check-prefix=GATHERS
// RUN: not scn-compile %s --tensor-core-weights=shared -o %t.w.so 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// RUN: not scn-run %s --tensor-core-weights=shared --input %t.npz 2>&1 | FileCheck %s --check-prefix=RUNWEIGHTS
// RUN: not scn-run %t.so --tensor-core-weights=shared --input %t.npz 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: not scn-compile %s --tensor-core-block-warps=8 -o %t.bw.so 2>&1 | FileCheck %s --check-prefix=BLOCKWARPS
// RUN: not scn-compile %s --tensor-core-min-blocks=6 -o %t.mb.so 2>&1 | FileCheck %s --check-prefix=MINBLOCKS
// RUN: not scn-compile %s --tensor-core-prefetch=false -o %t.pf.so 2>&1 | FileCheck %s --check-prefix=PREFETCHFLAG
// RUN: not scn-compile %s --hoist-site-sets=false -o %t.hs.so 2>&1 | FileCheck %s --check-prefix=HOISTFLAG
// RUN: not scn-run %t.so --narrow-tensor-core-inputs=false --input %t.npz 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: not scn-run %s --narrow-tensor-core-inputs=false --input %t.npz 2>&1 | FileCheck %s --check-prefix=RUNNARROW
// RUN: not scn-run %t.so --epilogue-taps=false --input %t.npz 2>&1 | FileCheck %s --check-prefix=ARTIFACT
// RUN: not scn-compile %s --linear-as-convolution=false -o %t.lin.so 2>&1 | FileCheck %s --check-prefix=LINEAR
// --epilogue-taps is a graph option of both targets:
// RUN: scn-run %s --epilogue-taps=false --input %t.npz --print | FileCheck %s
// The CUDA pipeline emulated on the CPU, with bf16 tensor cores (none fit
// this 1-channel layer, so the values are exact):
// RUN: scn-run %s --target=cuda-emulated --element-type=bf16 --input %t.npz --print | FileCheck %s
// NOSO: scn-run: error: scn_model_load: cannot open '{{.*}}.npz.so': No such file or directory
// TARGET: scn-compile: error: --target=rocm is unknown (cpu or cuda)
// ELEMENT: scn-compile: error: --element-type is for --target=cuda (the CPU target is f32)
// GEOMETRY: scn-compile: error: --device-geometry is for --target=cuda
// PREPARE: scn-compile: error: --prepare-parameters is for --target=cuda
// ARTIFACT: scn-run: error: --target, --chip, --element-type, --activations, --simt-*, --tensor-core-*, --narrow-tensor-core-inputs, --epilogue-taps and --linear-as-convolution are for .mlir networks; an artifact runs as it was compiled
// RUNNARROW: scn-run: error: --narrow-tensor-core-inputs is for --target=cuda
// WEIGHTS: scn-compile: error: --tensor-core-weights is for --target=cuda
// BLOCKWARPS: scn-compile: error: --tensor-core-block-warps is for --target=cuda
// MINBLOCKS: scn-compile: error: --tensor-core-min-blocks is for --target=cuda
// PREFETCHFLAG: scn-compile: error: --tensor-core-prefetch is for --target=cuda
// HOISTFLAG: scn-compile: error: --hoist-site-sets and --site-sets-at-first-use are for --target=cuda
// LINEAR: scn-compile: error: --linear-as-convolution is for --target=cuda
// RUNWEIGHTS: scn-run: error: --tensor-core-weights is for --target=cuda
// RUNACT: scn-run: error: --activations is for --target=cuda (the CPU target is f32)
// ACT: scn-compile: error: --activations is for --target=cuda (the CPU target is f32)
// ROWS: scn-compile: error: --tensor-core-rows is for --target=cuda
// GATHERS: scn-compile: error: --tensor-core-gathers and --tensor-core-stages are for --target=cuda
// MASKS: scn-compile: error: --neighbour-masks is for --target=cuda
// CHIP: scn-run: error: --chip is for --target=cuda
// RUNELEMENT: scn-run: error: --element-type is for --target=cuda (the CPU target is f32)

// CHECK-DAG: output: shape [3, 1] values [210.5, 21.5, 30.5]
// CHECK-DAG: output_coords: shape [3, 2] values [1, 0, 2, 0, 5, 0]
func.func @main(%c: tensor<?x2xi64> {scn.name = "coords"}, %f: tensor<?x1xf32> {scn.name = "features"})
    -> (tensor<?x1xf32> {scn.name = "output"}, tensor<?x2xi64> {scn.name = "output_coords"}) {
  %w = arith.constant dense<[[[[1.0]]], [[[10.0]]], [[[100.0]]]]> : tensor<3x1x1x1xf32>
  %b = arith.constant dense<0.5> : tensor<1xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x2xi64>, tensor<?x1xf32> -> !scn.sites<1, [8]>, tensor<?x1xf32>
  %y = scn.submanifold_conv %x, %w on %s bias(%b : tensor<1xf32>) {filter_size = array<i64: 3>}
      : tensor<?x1xf32>, tensor<3x1x1x1xf32>, !scn.sites<1, [8]>
  %r = scn.relu %y : tensor<?x1xf32>
  %coords = scn.coordinates %s : !scn.sites<1, [8]>
  return %r, %coords : tensor<?x1xf32>, tensor<?x2xi64>
}
