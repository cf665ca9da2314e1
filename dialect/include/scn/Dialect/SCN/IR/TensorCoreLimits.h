//===- TensorCoreLimits.h - shapes a tensor-core kernel's memory -*- C++ -*-===//
//
// The numbers that both scn-plan-dataflow (which sizes a tensor-core
// convolution's shared memory) and convert-scn-to-gpu (which lays it out)
// count on, in one place so that they cannot drift apart.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_DIALECT_SCN_IR_TENSORCORELIMITS_H
#define SCN_DIALECT_SCN_IR_TENSORCORELIMITS_H

#include <cstdint>

namespace scn {

/// Warps of a tensor-core block: 4 by default, 16 with weights in shared
/// memory (they share the block's copy; 512 threads, so .maxntid caps
/// ptxas at 128 registers a thread, which scn_gpu_resident_blocks counts
/// on).
inline constexpr int64_t kTensorCoreBlockWarps = 4;
inline constexpr int64_t kSharedWeightsBlockWarps = 16;
/// The most dynamic shared memory any chip gives a block (sm_90's 227
/// KiB); the plan budgets each artifact's chips, the lowering refuses
/// more than this.
inline constexpr int64_t kLargestSharedMemoryBytes = 232448;
/// Shared memory of a kernel with dynamic shared memory besides it: the
/// NVPTX backend makes MLIR's dynamic-shared-memory symbol a static
/// variable (16 bytes with its alignment) ahead of the dynamic region.
inline constexpr int64_t kStaticSharedSlack = 128;
/// Offsets a row's neighbour mask covers (bits of an i32): async gathers
/// run the offsets of a warp's masks.
inline constexpr int64_t kRowMaskOffsets = 32;
/// gathers = "async": stages of a warp's gathers when gather_stages is not
/// given, and the most it may give.
inline constexpr int64_t kDefaultGatherStages = 3;
inline constexpr int64_t kMaxGatherStages = 8;
/// weights_memory = "block" (a block's warps share each offset's weights
/// through stages of shared memory): its stages with gathers in registers
/// (double buffering: one offset copied while the one before runs; with
/// async gathers the weights take their gather_stages), its warps
/// (block_warps: 4, one warpgroup, or 8, two, whose 128 rows share each
/// copy), and the bytes ahead of the stages where the block's warps
/// publish their neighbour masks (an i32 each, a multiple of 16 bytes so
/// the stages after them stay 16-byte aligned).
inline constexpr int64_t kBlockWeightStages = 2;
inline constexpr int64_t blockMaskBytes(int64_t blockWarps) {
  return (4 * blockWarps + 15) / 16 * 16;
}
/// warpgroup_mma: the alignment of the block weights' stages in shared
/// memory (wgmma's 128-byte swizzle repeats every 1024 bytes of address),
/// which a block's dynamic shared memory (aligned to 16) reaches by up to
/// this much padding.
inline constexpr int64_t kWarpgroupStageAlignment = 1024;
/// cluster_blocks = 2 (block weights on wgmma in clusters of two blocks):
/// after the masks of both blocks' warps, the mbarriers of the stages, one
/// "full" (the stage's bytes have arrived) and one "empty" (every warp of
/// both blocks is done with it) a stage, 8 bytes each.
inline constexpr int64_t kClusterBarrierBytes = 2 * kBlockWeightStages * 8;
inline constexpr int64_t clusterMaskAndBarrierBytes(int64_t blockWarps, int64_t clusterBlocks) {
  return blockMaskBytes(blockWarps * clusterBlocks) +
         (clusterBlocks > 1 ? kClusterBarrierBytes : 0);
}

} // namespace scn

#endif // SCN_DIALECT_SCN_IR_TENSORCORELIMITS_H
