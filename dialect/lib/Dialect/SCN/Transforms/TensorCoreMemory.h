//===- TensorCoreMemory.h - shared memory of tensor-core kernels -*- C++ -*-===//
//
// Private to scn-plan-dataflow (PlanDataflow.cpp): see TensorCoreMemory.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_LIB_DIALECT_SCN_TRANSFORMS_TENSORCOREMEMORY_H
#define SCN_LIB_DIALECT_SCN_TRANSFORMS_TENSORCOREMEMORY_H

#include "scn/Dialect/SCN/IR/SCNOps.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace scn {

/// The pass options that decide a tensor-core op's shared memory.
struct TensorCoreMemoryOptions {
  llvm::StringRef weights;  // tensor-core-weights: global, shared, large, staged, block
  int64_t sharedMinWeights; // tensor-core-shared-min-weights (large)
  llvm::StringRef gathers;  // tensor-core-gathers: registers, async
  int64_t stages;           // tensor-core-stages
  int64_t sharedBytes;      // tensor-core-shared-bytes: a block's budget
  int64_t activationBytes;  // activation-bytes: 4 or 2
  bool warpgroupMma;        // tensor-core-wgmma (sm_90a)
  int64_t columns;          // tensor-core-columns: a warp's at most (0: 64)
  int64_t blockWarps;       // tensor-core-block-warps: 4 or 8 (block weights)
  int64_t clusterBlocks;    // tensor-core-cluster-blocks: 1 or 2 (block weights on wgmma)
};

/// On tensor-core `op` (rows_per_tile and mma_type set): weights_memory,
/// channel_tile, gathers and gather_stages where not written by hand, and
/// loads_in_flight for wide shared-weight layers. False after an error on
/// `op` when attributes written by hand do not fit the budget.
bool planTensorCoreMemory(EpilogueOpInterface op, const TensorCoreMemoryOptions &options);

} // namespace scn

#endif // SCN_LIB_DIALECT_SCN_TRANSFORMS_TENSORCOREMEMORY_H
