// scn-compile --target=cuda: one fat binary per kernel, holding cubin for
// each chip (ptxas) and the PTX of the oldest (fatbinary); the manifest says
// the artifact needs a GPU. Runs without one.
// REQUIRES: cuda-toolkit
// RUN: scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_80,sm_90 -o %t.so
// RUN: %python %s.py %t.so | FileCheck %s
// RUN: not scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_80,gfx90a -o %t.bad.so 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-compile %scn_src_root/examples/mlir/hello-world.mlir --chip=sm_80 -o %t.bad.so 2>&1 | FileCheck %s --check-prefix=CPU
// --tensor-core-min-blocks reaches ptxas: 16 blocks of 128 threads an SM
// leave the wgmma kernel 32 registers, too few, and the error says so.
// RUN: scn-compile %scn_src_root/test/Pipelines/scn-cuda-min-blocks.mlir --target=cuda --chip=sm_90a --element-type=f16 --tensor-core-min-blocks=5 -o %t.mb.so
// RUN: not scn-compile %scn_src_root/test/Pipelines/scn-cuda-min-blocks.mlir --target=cuda --chip=sm_90a --element-type=f16 --tensor-core-min-blocks=16 -o %t.mb.so 2>&1 | FileCheck %s --check-prefix=MINBLOCKS

// CHECK: target cuda
// CHECK: kernels [[N:[1-9][0-9]*]]
// CHECK: fat binaries [[N]]
// CHECK: sm_80 cubin [[N]]
// CHECK: sm_80 ptx [[N]]
// CHECK: sm_90 cubin [[N]]

// CHIP: error: chip 'gfx90a' is not a CUDA architecture like sm_80 or sm_90
// CPU: error: --chip is for --target=cuda
// MINBLOCKS: error: kernel @tensor_core_conv: assembling for sm_90a: ptxas failed {{.*}}Insufficient registers (32)
