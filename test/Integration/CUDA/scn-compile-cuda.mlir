// scn-compile --target=cuda: one fat binary per kernel, holding cubin for
// each chip (ptxas) and the PTX of the oldest (fatbinary); the manifest says
// the artifact needs a GPU. Runs without one.
// REQUIRES: cuda-toolkit
// RUN: scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_80,sm_90 -o %t.so
// RUN: %python %s.py %t.so | FileCheck %s
// RUN: not scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_80,gfx90a -o %t.bad.so 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-compile %scn_src_root/examples/mlir/hello-world.mlir --chip=sm_80 -o %t.bad.so 2>&1 | FileCheck %s --check-prefix=CPU

// CHECK: target cuda
// CHECK: kernels [[N:[1-9][0-9]*]]
// CHECK: fat binaries [[N]]
// CHECK: sm_80 cubin [[N]]
// CHECK: sm_80 ptx [[N]]
// CHECK: sm_90 cubin [[N]]

// CHIP: error: chip 'gfx90a' is not a CUDA architecture like sm_80 or sm_90
// CPU: error: --chip is for --target=cuda
