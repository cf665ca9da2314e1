// On a machine without a GPU (or driver), a CUDA network compiles, and
// running it fails with a message that says why, for the JIT and for an
// artifact alike; nothing crashes.
// REQUIRES: cuda-toolkit
// UNSUPPORTED: cuda-device
// RUN: not scn-run %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_90 --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.npz 2>&1 | FileCheck %s
// RUN: scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_90 -o %t.so
// RUN: not scn-run %t.so --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.npz 2>&1 | FileCheck %s

// CHECK: scn-run: error: this network was compiled for CUDA and needs a GPU: scn_gpu_init:
