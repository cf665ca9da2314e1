//===- TensorCoreMemory.cpp - shared memory of tensor-core kernels --------===//
//
// The part of scn-plan-dataflow that sizes a tensor-core convolution's
// shared memory: where its warps keep the weights (global, shared,
// staged, block) and gather their input rows (registers, or async stages), within
// a block's shared memory on the target chips.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreMemory.h"

#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "scn/Dialect/SCN/IR/TensorCoreLimits.h"

#include "mlir/IR/Builders.h"

#include <string>

using namespace mlir;

namespace scn {
namespace {

/// Output channels of one tensor-core warp: the widest of 128, 64, 32 and
/// 16, at most `most` (tensor-core-columns; 0: 64), that divides them
/// (wider reuses each gathered input fragment for more mmas; 64 keeps the
/// accumulators at 32 registers a lane).
int64_t warpColumns(EpilogueOpInterface op, int64_t most) {
  int64_t out = cast<RankedTensorType>(op.getWeightOperand().get().getType()).getDimSize(3);
  for (int64_t width : {128, 64, 32})
    if (width <= (most ? most : 64) && out % width == 0)
      return width;
  return 16;
}

/// With weights in shared memory, a tensor-core warp's rows x columns at
/// most (32 f32 accumulators a lane: blocks of 512 threads have 128
/// registers a thread).
constexpr int64_t kSharedAccumulatorRowsColumns = 1024;
/// Loads in flight of shared-weight warps over more than 64 input channels.
constexpr int64_t kSharedWeightsWideLoads = 6;

/// Bytes of shared memory that a tensor-core block's copy of `op`'s
/// weights for `columns` output channels takes: every offset and input
/// channel, as f16/bf16 (2 bytes) or tf32 (4).
int64_t sharedWeightBytes(EpilogueOpInterface op, int64_t columns, int64_t elementBytes) {
  auto weight = cast<RankedTensorType>(op.getWeightOperand().get().getType());
  return weight.getDimSize(0) * weight.getDimSize(2) * columns * elementBytes;
}


/// tensor-core-weights=shared: the widest output-channel tile, at most
/// `widest`, whose weights fit `budget` bytes with kStaticSharedSlack (0:
/// none fits).
int64_t sharedWeightColumns(EpilogueOpInterface op, int64_t widest, int64_t budget,
                            int64_t elementBytes) {
  int64_t out = cast<RankedTensorType>(op.getWeightOperand().get().getType()).getDimSize(3);
  for (int64_t width : {64, 32, 16})
    if (width <= widest && out % width == 0 &&
        sharedWeightBytes(op, width, elementBytes) + kStaticSharedSlack <= budget)
      return width;
  return 0;
}

/// gathers = "async": bytes of the shared-memory stages of one warp
/// (`stages` offsets of its rows' input chunks: 2 rows a lane per row tile,
/// 4 input channels of `elementBytes` each, the stored activations').
int64_t gatherStageBytes(EpilogueOpInterface op, int64_t rows, int64_t stages,
                         int64_t elementBytes) {
  auto weight = cast<RankedTensorType>(op.getWeightOperand().get().getType());
  return stages * (rows / 16) * 2 * (weight.getDimSize(2) / 16) * 32 * 4 * elementBytes;
}
/// Bytes of an element of `op`'s input rows as stored: the caller's rows
/// (a function argument) stay f32; rows whose op has a storage_type
/// (PlanDataflow's markMultiplicandStorage; its first result's, not the
/// tapped rows of an epilogue's tap) are of that type; the
/// network's merged input rows (scn.input and scn.bl_input in modes 3 and
/// 4: sums) stay f32 whatever the activations (convert-scn-to-gpu's
/// mergeInputRows); other rows are `activationBytes`.
int64_t inputElementBytes(Operation *op, int64_t activationBytes) {
  Operation *producer = op->getOperand(0).getDefiningOp();
  if (!producer) // the caller's rows, f32
    return 4;
  if (auto storage = producer->getAttrOfType<TypeAttr>("storage_type");
      storage && op->getOperand(0) == producer->getResult(0))
    return storage.getValue().getIntOrFloatBitWidth() / 8;
  if (auto input = dyn_cast_or_null<InputOp>(producer); input && input.getMode() >= 3)
    return 4;
  if (auto input = dyn_cast_or_null<BLInputOp>(producer); input && input.getMode() >= 3)
    return 4;
  return activationBytes;
}

} // namespace

bool planTensorCoreMemory(EpilogueOpInterface op, const TensorCoreMemoryOptions &options) {
  Builder b(op->getContext());
  bool ok = true;
  int64_t rows = std::max<int64_t>(1, op->getAttrOfType<IntegerAttr>("rows_per_tile").getInt());
  auto type = op->getAttrOfType<StringAttr>("mma_type");
  int64_t weightBytes = type && type.getValue() == "tf32" ? 4 : 2;
  // Weights in shared memory: a block's copy holds every offset's
  // weights for its output channels, so the plan narrows the tile
  // until they fit (a layer where 16 channels do not keeps global),
  // and to at most 32 accumulators a lane (rows x columns <= 1024):
  // blocks of 512 threads have 128 registers a thread, and the
  // 16 x 64 warp takes 112.
  // "large": only for layers of tensor-core-shared-min-weights or
  // more. In a 16 -> 16 layer a warp reads 512 bytes of weights per
  // offset against 1 KB of gathered rows, and 512-thread blocks may
  // hold fewer warps per SM than the small blocks of global weights.
  auto weight = cast<RankedTensorType>(op.getWeightOperand().get().getType());
  bool wanted = options.weights == "shared" ||
                (options.weights == "large" &&
                 weight.getDimSize(2) * weight.getDimSize(3) >=
                     options.sharedMinWeights);
  // A block's shared memory holds the weights' copy (shared
  // weights) and the stages of async gathers (tensor-core-gathers
  // =async: `tensor-core-stages` a warp, for filters whose offsets a
  // neighbour mask covers), staged weights in the stages. The plan
  // takes the first that fits of: the weights where asked with as
  // many stages as fit (down to 2), global weights with as many,
  // the weights where asked with gathers in registers, global
  // weights with them. Shared weights' columns narrow as above to
  // what 16 warps' stages leave. Attributes written by hand are kept
  // as given; the check below refuses those that do not fit.
  auto givenMemory = op->getAttrOfType<StringAttr>("weights_memory");
  auto givenGathers = op->getAttrOfType<StringAttr>("gathers");
  auto givenStages = op->getAttrOfType<IntegerAttr>("gather_stages");
  bool asyncWanted = givenGathers ? givenGathers.getValue() == "async"
                                  : options.gathers == "async" &&
                                        weight.getDimSize(0) <= kRowMaskOffsets;
  SmallVector<int64_t> asyncCounts;
  if (asyncWanted && (givenGathers || givenStages))
    asyncCounts.push_back(givenStages ? givenStages.getInt() : kDefaultGatherStages);
  else if (asyncWanted)
    for (int64_t count = options.stages; count >= 2; --count)
      asyncCounts.push_back(count);
  // Block weights run the offsets of the block's neighbour masks, which
  // cover filters of up to 32 offsets; larger ones keep global weights.
  bool blockWanted =
      options.weights == "block" && weight.getDimSize(0) <= kRowMaskOffsets;
  StringRef wantedMemory = givenMemory                      ? givenMemory.getValue()
                           : options.weights == "staged" ? StringRef("staged")
                           : blockWanted                   ? StringRef("block")
                           : wanted                        ? StringRef("shared")
                                                           : StringRef("global");
  int64_t widest = warpColumns(op, options.columns);
  if (auto given = op->getAttrOfType<IntegerAttr>("channel_tile"))
    widest = given.getInt();
  int64_t inputBytes = inputElementBytes(op, options.activationBytes);
  // Warps of a block with block weights: as written by hand, else the
  // option's; 4 with every other kind of weights.
  // (A hand-written value other than 4 or 8 is an error below; the budget
  // meanwhile counts the option's, so that no product overflows.)
  auto givenBlockWarps = op->getAttrOfType<IntegerAttr>("block_warps");
  int64_t blockWarps = options.blockWarps;
  if (givenBlockWarps && (givenBlockWarps.getInt() == 4 || givenBlockWarps.getInt() == 8))
    blockWarps = givenBlockWarps.getInt();
  // A block's stages: 16 warps with shared weights, else 4 (block
  // weights: blockWarps), each
  // with its input chunks and, staged, its B fragments (input x
  // output channels of weights a stage). Block weights add the warps'
  // masks and a stage of one offset's weights per gather stage
  // (kBlockWeightStages with gathers in registers, count 0).
  auto blockStages = [&](StringRef memory, int64_t count, int64_t columns) {
    int64_t perWarp = gatherStageBytes(op, rows, count, inputBytes);
    if (memory == "staged")
      perWarp += count * weight.getDimSize(2) * columns * weightBytes;
    int64_t shared = 0;
    if (memory == "block")
      shared = clusterMaskAndBarrierBytes(blockWarps, options.clusterBlocks) +
               (count ? count : kBlockWeightStages) *
                                                weight.getDimSize(2) * columns * weightBytes;
    int64_t warps = memory == "shared" ? kSharedWeightsBlockWarps
                    : memory == "block" ? blockWarps
                                        : kTensorCoreBlockWarps;
    return shared + warps * perWarp;
  };
  auto fits = [&](int64_t bytes) {
    return bytes + kStaticSharedSlack <= options.sharedBytes;
  };
  // Stage counts for a kind of weights. Blocks of 4 warps (global,
  // staged) take first the counts that leave room for two blocks
  // an SM (one is a warp a scheduler, which any stall idles), then
  // the rest; shared weights' blocks of 16 warps are one an SM.
  auto countsFor = [&](StringRef memory) {
    if (memory == "shared")
      return asyncCounts;
    SmallVector<int64_t> counts;
    for (int64_t count : asyncCounts)
      if (2 * (blockStages(memory, count, widest) + kStaticSharedSlack) <=
          options.sharedBytes)
        counts.push_back(count);
    for (int64_t count : asyncCounts)
      if (!llvm::is_contained(counts, count))
        counts.push_back(count);
    return counts;
  };
  SmallVector<std::pair<StringRef, int64_t>> candidates;
  for (int64_t count : countsFor(wantedMemory))
    candidates.push_back({wantedMemory, count});
  if (!givenMemory && wantedMemory != "global")
    for (int64_t count : countsFor("global"))
      candidates.push_back({"global", count});
  if (!asyncWanted || !givenGathers) {
    if (wantedMemory != "staged")
      candidates.push_back({wantedMemory, 0});
    if (!givenMemory && wantedMemory != "global")
      candidates.push_back({"global", 0});
  }
  for (auto [memory, count] : candidates) {
    int64_t sharedColumns = 0;
    bool fit = false;
    if (memory == "shared" && !givenMemory) {
      int64_t columns = sharedWeightColumns(
          op, std::min<int64_t>(widest, kSharedAccumulatorRowsColumns / rows),
          options.sharedBytes - blockStages("shared", count, 0), weightBytes);
      if (columns == widest || (columns > 0 && !op->hasAttr("channel_tile")))
        sharedColumns = columns;
      fit = sharedColumns > 0;
    } else if (memory == "shared") {
      fit = fits(sharedWeightBytes(op, widest, weightBytes) +
                 blockStages("shared", count, 0));
    } else {
      fit = fits(blockStages(memory, count, widest));
    }
    if (!fit)
      continue;
    if (!givenMemory && memory != "global")
      op->setAttr("weights_memory", b.getStringAttr(memory));
    if (sharedColumns)
      op->setAttr("channel_tile", b.getI64IntegerAttr(sharedColumns));
    if (count && !givenGathers) {
      op->setAttr("gathers", b.getStringAttr("async"));
      op->setAttr("gather_stages", b.getI64IntegerAttr(count));
    }
    break;
  }
  if (!op->hasAttr("channel_tile"))
    op->setAttr("channel_tile", b.getI64IntegerAttr(warpColumns(op, options.columns)));
  // Shared weights written by hand must fit this plan's chips too
  // (the lowering knows only the largest budget of any chip).
  auto memory = op->getAttrOfType<StringAttr>("weights_memory");
  int64_t columns = op->getAttrOfType<IntegerAttr>("channel_tile").getInt();
  bool sharedWeights = memory && memory.getValue() == "shared";
  auto gathers = op->getAttrOfType<StringAttr>("gathers");
  int64_t stages = 0;
  if (gathers && gathers.getValue() == "async") {
    stages = kDefaultGatherStages;
    if (auto given = op->getAttrOfType<IntegerAttr>("gather_stages"))
      stages = given.getInt();
    if (weight.getDimSize(0) > kRowMaskOffsets) {
      op->emitOpError() << "has gathers \"async\" but a filter of "
                        << weight.getDimSize(0)
                        << " offsets; async gathers run the offsets of a warp's "
                           "neighbour mask, at most "
                        << kRowMaskOffsets;
      ok = false;
    }
  }
  if (memory && memory.getValue() == "staged" && !stages) {
    auto diag = op->emitOpError() << "has weights_memory \"staged\", which copies "
                                     "the weights into the stages of gathers "
                                     "\"async\", ";
    if (weight.getDimSize(0) > kRowMaskOffsets)
      diag << "which a filter of " << weight.getDimSize(0) << " offsets cannot have";
    else if (options.gathers == "async")
      diag << "but not even 2 stages of them fit the "
           << options.sharedBytes
           << " bytes a block may have on the target chips";
    else
      diag << "without them";
    ok = false;
  }
  bool blockWeights = memory && memory.getValue() == "block";
  if (blockWeights && blockWarps != kTensorCoreBlockWarps && !givenBlockWarps)
    op->setAttr("block_warps", b.getI64IntegerAttr(blockWarps));
  if (givenBlockWarps &&
      (!blockWeights || (givenBlockWarps.getInt() != 4 && givenBlockWarps.getInt() != 8))) {
    op->emitOpError() << "has block_warps " << givenBlockWarps.getInt()
                      << ", which is for weights_memory \"block\" and is 4 or 8";
    ok = false;
  }
  if (blockWeights && weight.getDimSize(0) > kRowMaskOffsets) {
    op->emitOpError() << "has weights_memory \"block\" but a filter of "
                      << weight.getDimSize(0)
                      << " offsets; a block runs the offsets of its warps' neighbour "
                         "masks, at most "
                      << kRowMaskOffsets;
    ok = false;
  }
  int64_t stageBytes =
      blockStages(memory ? memory.getValue() : "global", stages, columns);
  int64_t ownWeights = sharedWeights ? sharedWeightBytes(op, columns, weightBytes) : 0;
  if (ownWeights + stageBytes + kStaticSharedSlack > options.sharedBytes) {
    auto diag = op->emitOpError();
    if (sharedWeights)
      diag << "has weights_memory \"shared\" with channel_tile " << columns
           << ": its weights take " << ownWeights << " bytes of shared memory";
    if (sharedWeights && stageBytes)
      diag << " and ";
    else if (stageBytes)
      diag << "has ";
    if (stageBytes && blockWeights)
      diag << "weights_memory \"block\" with channel_tile " << columns
           << (stages ? " and " + std::to_string(stages) + " gather stages" : std::string())
           << ", taking " << stageBytes << " bytes a block";
    else if (stageBytes)
      diag << stages << " gather stages taking " << stageBytes << " bytes a block";
    diag << ", which with the kernel's own " << kStaticSharedSlack
         << " is more than the " << options.sharedBytes
         << " a block may have on the target chips";
    ok = false;
  }
  // wgmma (sm_90a) on block weights: each 4 warps of the block are a
  // warpgroup that multiplies its 64 rows by the warp's output channels, B from the
  // stages in wgmma's swizzled layout (a 1024-aligned base: up to 1024
  // bytes more). For f16/bf16, 16-row warps, 64 or 128 output channels a
  // warp (m64n64k16, m64n128k16) and input channels in 64s, gathers in
  // registers.
  int64_t inChannels = weight.getDimSize(2);
  bool wgmmaShape = blockWeights && !stages && type &&
                    (type.getValue() == "f16" || type.getValue() == "bf16") &&
                    inChannels % 64 == 0 && (columns == 64 || columns == 128) &&
                    rows == 16;
  if (op->hasAttr("warpgroup_mma") && !options.warpgroupMma) {
    op->emitOpError() << "has warpgroup_mma, whose wgmma runs only on sm_90a (the "
                         "pipeline's chip=sm_90a, scn-plan-dataflow tensor-core-wgmma)";
    ok = false;
  } else if (options.warpgroupMma && wgmmaShape && !op->hasAttr("warpgroup_mma") &&
             fits(stageBytes + kWarpgroupStageAlignment)) {
    op->setAttr("warpgroup_mma", b.getUnitAttr());
  }
  // Clusters of two blocks (cluster_blocks), which share each offset's copy
  // by a multicast: wgmma's blocks of one warpgroup only.
  auto givenCluster = op->getAttrOfType<IntegerAttr>("cluster_blocks");
  bool clusterShape = op->hasAttr("warpgroup_mma") && blockWarps == kTensorCoreBlockWarps;
  if (givenCluster && (givenCluster.getInt() != 1 && givenCluster.getInt() != 2)) {
    op->emitOpError() << "has cluster_blocks " << givenCluster.getInt() << "; it is 1 or 2";
    ok = false;
  } else if (givenCluster && givenCluster.getInt() == 2 && !clusterShape) {
    op->emitOpError() << "has cluster_blocks 2, which is for warpgroup_mma (sm_90a) on "
                         "block weights in blocks of 4 warps";
    ok = false;
  } else if (!givenCluster && options.clusterBlocks == 2 && clusterShape) {
    op->setAttr("cluster_blocks", b.getI64IntegerAttr(2));
  }
  // Under shared weights' 128 registers, layers of more than 64
  // input channels spilled at the lowering's 12 loads in flight
  // (ptxas on W1's 96- and 160-channel layers: 104-196 bytes); 6 do
  // not.
  if (memory && memory.getValue() == "shared" && weight.getDimSize(2) > 64 &&
      !op->hasAttr("loads_in_flight"))
    op->setAttr("loads_in_flight", b.getI64IntegerAttr(kSharedWeightsWideLoads));
  return ok;
}

} // namespace scn
