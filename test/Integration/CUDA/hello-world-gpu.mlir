// The hello-world network on the GPU gives the CPU's results (same sites,
// features within fp32 rounding of a different summation order), JIT and
// ahead of time, and again with the geometry reused across runs.
// REQUIRES: cuda-device, cuda-toolkit
// RUN: scn-run %scn_src_root/examples/mlir/hello-world.mlir --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.cpu.npz
// RUN: scn-run %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.jit.npz --repeat 3
// RUN: scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda -o %t.so
// RUN: scn-run %t.so --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.aot.npz --repeat 3 --reuse-maps
// RUN: %python %S/compare_npz.py %t.cpu.npz %t.jit.npz %t.aot.npz | FileCheck %s

// CHECK: same
