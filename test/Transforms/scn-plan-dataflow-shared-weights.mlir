// Shared weights written by hand (weights_memory = "shared") must fit the
// plan's budget, the smallest of the target chips' shared memory per block
// (the lowering knows only the largest of any chip): 27 offsets x 64 x 64
// f16 weights take 221184 bytes, within sm_90's 232448, past sm_86's
// 101376.
// RUN: scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true" | FileCheck %s
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-shared-bytes=101376" 2>&1 | FileCheck %s --check-prefix=SM86

// CHECK-LABEL: func @handShared
// CHECK: scn.submanifold_conv {{.*}}channel_tile = 64 : i64{{.*}}weights_memory = "shared"
// SM86: error: 'scn.submanifold_conv' op has weights_memory "shared" with channel_tile 64: its weights take 221184 bytes of shared memory, which with the kernel's own 128 is more than the 101376 a block may have on the target chips
func.func @handShared(%s: !scn.sites<3, [16, 16, 16]>, %x: tensor<?x64xf32>, %w: tensor<27x1x64x64xf32>) -> tensor<?x64xf32> {
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>, dataflow = "tensor_core", weights_memory = "shared"} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [16, 16, 16]>
  return %y : tensor<?x64xf32>
}
