// tensor-core-min-blocks=N: every tensor-core convolution's PTX declares
// .minnctapersm N (scn-gpu-tensor-core-occupancy on the outlined kernels),
// which ptxas honours by fitting the kernel's registers to N blocks of its
// .maxntid threads an SM; the other kernels are left alone. Without the
// option no kernel declares it. Bad values are errors naming the option.
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-min-blocks=6" | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-min-blocks=6" | grep -c minnctapersm | FileCheck %s --check-prefix=ONE
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a" | FileCheck %s --check-prefix=NONE
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 tensor-core-min-blocks=33" 2>&1 | FileCheck %s --check-prefix=MANY
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f32 tensor-core-min-blocks=2" 2>&1 | FileCheck %s --check-prefix=FP32
// RUN: not scn-opt %s --pass-pipeline="builtin.module(scn-gpu-tensor-core-occupancy{min-blocks=-1})" 2>&1 | FileCheck %s --check-prefix=PASS

// CHECK: gpu.binary @main_kernel
// CHECK-NOT: minnctapersm
// CHECK: gpu.binary @tensor_core_conv
// CHECK-SAME: .maxntid 128, 1, 1\0A.minnctapersm 6
// One kernel (one line of the output) declares it.
// ONE: {{^1$}}
// NONE-NOT: minnctapersm
// MANY: scn-cuda-pipeline: tensor-core-min-blocks=33 needs element-type f16, bf16 or tf32 and 1 to 32 blocks an SM
// FP32: scn-cuda-pipeline: tensor-core-min-blocks=2 needs element-type f16, bf16 or tf32
// PASS: scn-gpu-tensor-core-occupancy: min-blocks = -1 is not between 0 and 32
func.func @main(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x64xf32>
}
