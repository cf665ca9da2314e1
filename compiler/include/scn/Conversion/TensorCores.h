//===- TensorCores.h - the mma placeholder of tensor-core kernels -*- C++ -*-===//
//
// convert-scn-to-gpu emits each warp mma of a tensor-core convolution as a
// call to a private function named kMmaPlaceholderPrefix + "f16" or "bf16":
// (4 x i32 A fragment, 2 x i32 B fragment, 4 x f32 C) -> 4 x f32 D, pairs of
// multiplicands packed in i32 as the PTX ISA's mma.m16n8k16 lays them out;
// kMmaTF32Placeholder has the same operands for mma.m16n8k8 with tf32
// multiplicands, one in each i32.
// Buffer deallocation, which runs in between, refuses ops with unknown
// memory effects such as nvvm.mma.sync; scn-gpu-offload turns the calls into
// nvvm.mma.sync after bufferization. Likewise kWarpAnyPlaceholder (i1 -> i1,
// whether the predicate holds in any lane of the warp) becomes
// nvvm.vote.sync any, and kWarpOrPlaceholder (i32 -> i32, the OR of the
// value over the lanes of the warp) nvvm.redux.sync or (sm_80+), and
// kBlockBarrierPlaceholder (no operands) gpu.barrier, kAsyncCommitPlaceholder
// (no operands) nvvm.cp.async.commit.group and kAsyncWaitPlaceholder (a
// constant i32 n: wait until at most n groups of the thread's copies are in
// flight) nvvm.cp.async.wait.group n.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_CONVERSION_TENSORCORES_H
#define SCN_CONVERSION_TENSORCORES_H

#include "llvm/ADT/StringRef.h"

namespace scn {
/// The name of the tensor-core convolutions' launches, which outlining
/// keeps for their kernels (the first; then tensor_core_conv_0, ...):
/// profiles tell them from the row-loop kernels (main_kernel) by it, and
/// scn-gpu-tensor-core-occupancy finds them by it.
inline constexpr llvm::StringLiteral kTensorCoreKernelName = "tensor_core_conv";
inline constexpr llvm::StringLiteral kMmaPlaceholderPrefix = "__scn_mma_m16n8k16_";
inline constexpr llvm::StringLiteral kMmaTF32Placeholder = "__scn_mma_m16n8k8_tf32";
/// One offset's wgmma.mma_async m64nNk16 of a warpgroup (sm_90a), + "f16"
/// or "bf16" + "_n" + N + "_k" + the k steps (one declaration per operand
/// count): (N / 2 x f32 accumulators, then per k step 4 x i32 A fragment,
/// then per k step an i64 shared-memory descriptor of B) -> N / 2 x f32;
/// scn-gpu-offload makes it one inline PTX block (fence, the k steps'
/// wgmmas, commit, wait for them).
inline constexpr llvm::StringLiteral kWarpgroupMmaPlaceholderPrefix = "__scn_wgmma_";
/// fence.proxy.async.shared::cta (no operands): shared memory that threads
/// wrote (cp.async) made visible to wgmma's reads.
inline constexpr llvm::StringLiteral kAsyncProxyFencePlaceholder = "__scn_fence_async_shared";
/// prefetch.L1 of the line that holds an address (llvm.ptr, no results).
inline constexpr llvm::StringLiteral kPrefetchL1Placeholder = "__scn_prefetch_l1";
inline constexpr llvm::StringLiteral kWarpAnyPlaceholder = "__scn_warp_any";
inline constexpr llvm::StringLiteral kWarpOrPlaceholder = "__scn_warp_or";
inline constexpr llvm::StringLiteral kBlockBarrierPlaceholder = "__scn_block_barrier";
inline constexpr llvm::StringLiteral kAsyncCommitPlaceholder = "__scn_async_commit";
inline constexpr llvm::StringLiteral kAsyncWaitPlaceholder = "__scn_async_wait";
/// Clusters of two blocks (cluster_blocks = 2, TensorCoreCluster.cpp), as
/// inline PTX: kClusterRankPlaceholder (-> i32, the block's rank in its
/// cluster, which also marks the kernel as one of clusters of two for
/// scn-gpu-tensor-core-occupancy), kClusterSyncPlaceholder (every thread
/// of both blocks, with release and acquire), and on 64-bit mbarriers at
/// i32 shared addresses: init (address, arrivals), the init's fence for
/// the cluster, wait (address, phase parity; acquire at cluster scope),
/// arrive with expected bytes (address, bytes), arrive on the barrier at
/// the same place in the block of a rank (address, rank), and the bulk
/// copy of global bytes into both blocks' shared memory at the same place,
/// completing on their barriers at the same place (destination, source
/// pointer, bytes, barrier). (No warp sync after one lane's copy or
/// arrival, or a wait's spin: as in CUTLASS's TMA mainloops, ptxas
/// reconverges the warp before wgmma's aligned instructions, and a
/// bar.warp.sync there took W3 C64's kernel from 101 registers to 111.)
inline constexpr llvm::StringLiteral kClusterPlaceholderPrefix = "__scn_cluster_";
inline constexpr llvm::StringLiteral kClusterRankPlaceholder = "__scn_cluster_rank";
inline constexpr llvm::StringLiteral kClusterSyncPlaceholder = "__scn_cluster_sync";
inline constexpr llvm::StringLiteral kMbarrierInitPlaceholder = "__scn_cluster_mbarrier_init";
inline constexpr llvm::StringLiteral kMbarrierInitFencePlaceholder =
    "__scn_cluster_mbarrier_init_fence";
inline constexpr llvm::StringLiteral kMbarrierWaitPlaceholder = "__scn_cluster_mbarrier_wait";
inline constexpr llvm::StringLiteral kMbarrierExpectBytesPlaceholder =
    "__scn_cluster_mbarrier_expect_bytes";
inline constexpr llvm::StringLiteral kMbarrierArriveAtRankPlaceholder =
    "__scn_cluster_mbarrier_arrive_at_rank";
inline constexpr llvm::StringLiteral kBulkCopyToBothPlaceholder =
    "__scn_cluster_bulk_copy_to_both";
/// The correctly rounded f32 square root of NVPTX, which scn-gpu-offload
/// puts in kernels for math.sqrt (whose libdevice form is sqrt.approx.f32)
/// and scn-gpu-emulate-on-host turns back into math.sqrt.
inline constexpr llvm::StringLiteral kRoundedSqrtIntrinsic = "llvm.nvvm.sqrt.rn.f";
} // namespace scn

#endif // SCN_CONVERSION_TENSORCORES_H
