// tensor-core-cluster-blocks=2 (chip=sm_90a, block weights on wgmma): the
// tensor-core kernel runs in clusters of two blocks (.reqnctapercluster,
// which a plain launch honours), makes its stages' mbarriers and waits at
// a cluster barrier before its offsets, copies each offset's weights by
// one multicast bulk copy a block (half of them each, into both blocks),
// waits for a stage on its "full" barrier, releases it at both blocks'
// "empty" barriers (mapa to the rank's), and meets its partner at a
// cluster barrier again before it exits; no block barriers. Clusters of
// blocks of 8 warps, other chips and other counts are errors. No GPU
// needed (the GPU check runs the kernels).
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block tensor-core-cluster-blocks=2" | FileCheck %s
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-cluster-blocks=2" | FileCheck %s
// Each piece once a place in the kernel: the cluster barrier before the
// offsets and before the exit, the multicast copy and the remote release in
// the prologue and the loop, a full and an empty barrier a stage, three
// waits (the prologue's, the loop's full and its empty); a copy of any of
// them in a divergent path would hang the cluster.
// RUN: scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-cluster-blocks=2" > %t.mlir
// RUN: grep -o 'barrier.cluster.arrive.release.aligned' %t.mlir | count 2
// RUN: grep -o 'barrier.cluster.wait.acquire.aligned' %t.mlir | count 2
// RUN: grep -o 'multicast::cluster' %t.mlir | count 2
// RUN: grep -o 'mbarrier.arrive.shared::cluster.b64' %t.mlir | count 2
// RUN: grep -o 'mbarrier.init.shared::cta.b64' %t.mlir | count 4
// RUN: grep -o 'mbarrier.try_wait' %t.mlir | count 3
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90 tensor-core-weights=block tensor-core-cluster-blocks=2" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block tensor-core-block-warps=8 tensor-core-cluster-blocks=2" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not scn-opt %s --scn-cuda-pipeline="element-type=f16 chip=sm_90a tensor-core-weights=block tensor-core-cluster-blocks=4" 2>&1 | FileCheck %s --check-prefix=FOUR
// RUN: not scn-opt %s -scn-plan-dataflow="target=cuda tensor-cores=true tensor-core-cluster-blocks=3" 2>&1 | FileCheck %s --check-prefix=PLAN

// CHECK-LABEL: llvm.func @layer(
// CHECK: gpu.binary @tensor_core_conv
// CHECK-SAME: .explicitcluster
// CHECK-SAME: .reqnctapercluster 2, 1, 1
// CHECK-NOT: bar.sync
// CHECK-SAME: mbarrier.init.shared::cta.b64
// CHECK-SAME: fence.mbarrier_init.release.cluster;
// CHECK-SAME: barrier.cluster.arrive.release.aligned;
// CHECK-SAME: %cluster_ctarank
// CHECK-SAME: mbarrier.arrive.expect_tx.shared::cta.b64
// CHECK-SAME: cvta.to.global.u64
// CHECK-SAME: cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster
// CHECK-SAME: mbarrier.try_wait.parity.shared::cta.b64
// CHECK-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16
// CHECK-SAME: mapa.shared::cluster.u32
// CHECK-SAME: mbarrier.arrive.shared::cluster.b64
// CHECK-SAME: barrier.cluster.wait.acquire.aligned;
// CHECK-NOT: bar.sync
// CHECK-SAME: "
// CHIP: scn-cuda-pipeline: tensor-core-cluster-blocks=2 needs chip=sm_90a, block weights (tensor-core-weights=block, or auto with f16 or bf16), blocks of 4 warps and 1 or 2 blocks
// FOUR: scn-cuda-pipeline: tensor-core-cluster-blocks=4 needs chip=sm_90a
// PLAN: scn-plan-dataflow: tensor-core-cluster-blocks 3 is not 1 or 2
func.func @layer(%c: tensor<?x4xi64>, %f: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %w = arith.constant dense<0.5> : tensor<27x1x64x64xf32>
  %s, %x = scn.input %c, %f {mode = 0 : i64} : tensor<?x4xi64>, tensor<?x64xf32> -> !scn.sites<3, [32, 32, 32]>, tensor<?x64xf32>
  %y = scn.submanifold_conv %x, %w on %s {filter_size = array<i64: 3, 3, 3>} : tensor<?x64xf32>, tensor<27x1x64x64xf32>, !scn.sites<3, [32, 32, 32]>
  return %y : tensor<?x64xf32>
}
