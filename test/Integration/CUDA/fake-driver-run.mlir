// The C++ runner over the unit tests' fake CUDA driver (by LD_PRELOAD), so
// that scn-run's GPU path runs in CI: a CUDA artifact with host geometry
// loads, runs three times and writes its output (kernels run nothing over
// the fake, so the numbers are not checked; the emulated CUDA tests check
// those), and an allocation that fails mid-run makes scn-run report the
// out-of-memory error and exit non-zero, without a crash.
// REQUIRES: cuda-toolkit, fake-cuda-driver
// RUN: scn-compile %scn_src_root/examples/mlir/hello-world.mlir --target=cuda --chip=sm_90 --device-geometry=false -o %t.so
// RUN: env LD_PRELOAD=%fake_cuda_driver scn-run %t.so --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.npz --repeat=3 2>&1 | FileCheck %s --check-prefix=RUNS
// RUN: env LD_PRELOAD=%fake_cuda_driver SCN_FAKE_CUDA_FAIL_ALLOCATION_AFTER=3 not scn-run %t.so --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.npz 2>&1 | FileCheck %s --check-prefix=OOM
// RUN: env LD_PRELOAD=%fake_cuda_driver SCN_FAKE_CUDA_DEVICES=0 not scn-run %t.so --input %scn_src_root/examples/mlir/hello-world-input.npz --output %t.npz 2>&1 | FileCheck %s --check-prefix=NODEVICE

// RUNS: scn-run: loaded in {{.*}}; 3 run(s), median {{.*}} on fake GPU (sm_90)
// OOM: scn-run: error: {{.*}}out of device memory: {{[0-9]+}} bytes requested
// NODEVICE: scn-run: error: this network was compiled for CUDA and needs a GPU: scn_gpu_init: device 0 does not exist (the driver sees 0 devices)
