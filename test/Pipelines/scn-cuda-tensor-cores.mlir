// --scn-cuda-pipeline=element-type=f16: convolutions with a kernel map, one
// group and channels in multiples of 16 run on tensor cores. A warp of 32
// threads per 16 output rows x 16 output channels; WMMA m16n16k16 with f16
// inputs (gathered into workgroup memory) and f32 accumulators, barriers
// between refills of the tile. The 1 -> 16 stem stays a SIMT kernel. No GPU
// needed.
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_80" -split-input-file | FileCheck %s
// RUN: scn-opt %s --scn-graph-pipeline="plan-target=cuda" -split-input-file | FileCheck %s --check-prefix=F32
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 emulate-on-host=true" 2>&1 | FileCheck %s --check-prefix=EMU
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=bf16" 2>&1 | FileCheck %s --check-prefix=BF16
// RUN: not scn-opt %s --scn-graph-pipeline --scn-plan-dataflow --convert-scn-to-cpu 2>&1 -split-input-file | FileCheck %s --check-prefix=CPU

// CHECK: llvm.func @main(
// CHECK: gpu.launch_func @main_kernel_{{[0-9]+}}::@main_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// The workgroup tiles are 256-bit aligned, as WMMA requires.
// CHECK: gpu.binary {{.*}}.shared .align 32 .b8 __scn_tc_tile_f{{16|32}}{{.*}}wmma.load.a.sync.aligned.row.m16n16k16.shared.f16{{.*}}wmma.mma.sync.aligned.row.row.m16n16k16.f32.f32{{.*}}wmma.store.d.sync.aligned.row.m16n16k16.shared.f32
// Without f16, the CUDA plan has no tensor-core kernels.
// F32-LABEL: func.func @main
// F32-NOT: tensor_core
// F32-LABEL: func.func @cpu
// EMU: element-type=f16 (tensor cores) cannot be emulated on the host
// BF16: element-type=bf16 is not implemented
func.func @main(%c: tensor<?x4xi64> {scn.name = "coords"}, %f: tensor<?x1xf32> {scn.name = "features"})
    -> (tensor<?x32xf32> {scn.name = "output"}) {
  %w0 = arith.constant dense<0.5> : tensor<27x1x1x16xf32>
  %w1 = arith.constant dense<0.25> : tensor<27x1x16x32xf32>
  %s, %x = scn.input %c, %f {mode = 4 : i64} : tensor<?x4xi64>, tensor<?x1xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x1xf32>
  %y = scn.submanifold_conv %x, %w0 on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x1xf32>, tensor<27x1x1x16xf32>, !scn.sites<3, [32, 32, 32]>
  %z = scn.submanifold_conv %y, %w1 on %s {filter_size = array<i64: 3, 3, 3>, epilogue = [#scn.step<relu>]} : tensor<?x16xf32>, tensor<27x1x16x32xf32>, !scn.sites<3, [32, 32, 32]>
  return %z : tensor<?x32xf32>
}

// -----

// CPU: 'scn.submanifold_conv' op has dataflow "tensor_core", which only the CUDA target (convert-scn-to-gpu) lowers
func.func @cpu(%c: tensor<?x4xi64>, %f: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x16x16xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x16xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x16xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core"} : tensor<?x16xf32>, tensor<27x1x16x16xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x16xf32>
}
