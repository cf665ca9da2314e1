//===- TensorCoreLowering.cpp - convolutions on tensor cores (CUDA) -------===//
//
// dataflow = "tensor_core" (planned by scn-plan-dataflow target=cuda with
// tensor-cores, for convolutions with a kernel map, one group, and input and
// output channels that are multiples of 16): f16 or bf16 multiplicands
// (`mma_type`) through nvvm.mma.sync m16n8k16, or tf32 (fp32 rounded to 10
// bits of mantissa) through m16n8k8, two k steps per block of 16 input
// channels; fp32 accumulators (sm_80+; emitted as placeholder calls, see
// scn/Conversion/TensorCores.h).
//
// One warp computes `rows_per_tile` output rows (16, 32 or 64: one, two or
// four row tiles of 16) x `channel_tile` output channels (16, 32, 64 or
// 128). Rows come in the map's row order (scn_cg_row_order: sorted by
// neighbour mask, then whole blocks of 64 rows heaviest first, since the
// GPU starts blocks in index order: RowOrderKey.h), so the rows of a tile
// tend to share their offsets. A
// row tile none of whose rows has the neighbour at an offset skips its
// mmas there, and an offset no tile has is skipped whole. Which offsets a
// tile has is a warp-wide mask (filters of up to 32 offsets): each lane
// reads its two rows' masks (scn_cg_row_masks, in row order) before the
// offset loop, and one redux ORs them over the warp; larger filters vote
// per offset. For each offset it runs and each block of 16 input channels,
// each lane loads its B fragments from the weights, packed once per call in the
// order the lanes read them (16-byte loads), and for every row tile that
// runs gathers its own A fragment straight from the input rows the
// neighbour table names (one 16-byte load a row; zeros for absent
// neighbours); then one mma per 8 output channels. Several row tiles share
// each B fragment a lane loads: bytes loaded per mma fall from 384 (one
// tile, 64 columns, f32 inputs) to 256 (two) and 192 (four), at the price
// of more accumulators (rows x columns / 32 per lane) and of offsets run
// for fewer rows. Bias and the fused epilogue run on the accumulators in
// registers, and every valid row is written once (8-byte stores). By
// default no shared memory and no barriers: the lanes of a warp never
// exchange data except through the mma and the vote.
//
// With weights_memory = "shared" (scn-plan-dataflow tensor-core-weights),
// blocks of kSharedWeightsWarps warps first copy every offset's packed
// weights for their column tile into dynamic shared memory (one barrier),
// then each warp loops over warp tiles (grid-stride, as many blocks as the
// GPU holds at once: scn_cg_gpu_resident_blocks) and reads its B fragments
// from there instead of from L2.
//
// With gathers = "async" (scn-plan-dataflow tensor-core-gathers), the
// lanes do not hold an offset's gathers in registers: each copies its A
// chunks (the same 16 bytes a row, or 8 with f16 activations) into
// `gather_stages` stages of its warp in shared memory by cp.async
// (nvgpu.device_async_copy; a missing neighbour copies 0 bytes, which fills
// zeros), `gather_stages` - 1 offsets ahead, one commit group per offset,
// and before an offset's mmas waits for all but the newest groups and
// reads its chunks back (TensorCoreConv::pipelineOffsets). Only the
// offsets of the warp's neighbour masks run, in ascending order, so the
// copies of the next ones are in flight while the mmas of this one run,
// at no register cost (W3 C64: 78 registers against 112). Each lane reads
// only what it copied, so the lanes need no barrier; the stages follow
// the shared weights in a block's dynamic shared memory when both are on.
//
// With weights_memory = "staged" (async gathers only), each lane also
// copies its B fragments of an offset (the 16-byte chunks it would load
// from the packed weights) into an i32 region of its warp's stages, after
// every warp's input chunks, in the same commit group as its input chunks,
// and reads them back with them: the offset loop then loads nothing from
// global memory that it waits for right away.
//
// With weights_memory = "block" (scn-plan-dataflow tensor-core-weights
// =block; filters of up to 32 offsets), the 4 warps of a block (or
// block_warps, below) share each offset's weights: every warp publishes
// its neighbour mask in shared memory, and after a barrier the block runs
// the union of the masks in ascending order, through stages of one
// offset's weights for its column tile each
// (TensorCoreConv::stageOffsetWeights: the block's threads copy it
// by cp.async, 16 bytes at a time, in the packed order, so each warp then
// reads its lanes' fragments as 512 contiguous bytes a load). With gathers
// in registers there are kBlockWeightStages (2): the next offset's copy is
// in flight while this one's mmas run; with async gathers the weights sit
// beside the gathers' stages, one per gather stage. Each offset waits for
// its copies and then for the whole block (one barrier an offset: the
// copies have arrived, and every warp is done with the stage about to be
// copied into), and a warp whose rows lack the offset skips its mmas. The
// weights then cross L2 once per block instead of once per warp (W3 C64:
// about 3.3 times fewer bytes by the tile tables, bench/gpu/README.md).
// Warps past the last warp tile take part in the copies and barriers with
// empty masks. With block_warps = 8 a block is 8 warps (128 rows), whose
// union drives the copies; each warp still runs only its own offsets.
//
// With warpgroup_mma too (planned for chip=sm_90a: block weights, gathers
// in registers, f16/bf16, input channels in 64s, warps of 64 or 128 output
// channels and 16 rows), each 4 warps of the block are a warpgroup (with
// 8 warps, one that none of its warps' rows has an offset skips it): the
// weights are packed in wgmma's swizzled K-major layout, the stages start
// at a 1024-byte boundary, each thread fences its copies for the async
// proxy before the offset's barrier, and each offset runs one inline PTX
// block of wgmma m64nNk16 (A from the lanes' registers, zeros from a warp
// without the offset, B by descriptor from the stage; TensorCoreConv::
// warpgroupMmaOnGPU) instead of the warps' mma.sync. With cluster_blocks =
// 2 two such blocks of adjacent row blocks form a thread-block cluster (an
// even grid) that runs the union of their offsets: thread 0 of each copies
// half of an offset's weights into both blocks' stage by one multicast bulk
// copy, and mbarriers order the stages instead of the block barriers
// (TensorCoreCluster.cpp).
//
// The fragment layouts are those of the PTX ISA for mma.m16n8k16 with
// .f16/.bf16 multiplicands: lane l = 4 * g + t (g: group, t: thread in
// group) holds A(g, 2t..2t+1), A(g+8, 2t..), A(g, 2t+8..), A(g+8, 2t+8..),
// B(2t..2t+1, g), B(2t+8.., g), and C(g, 2t..2t+1), C(g+8, 2t..2t+1). Pairs
// are packed in an i32, the lower column in the low half. The k order is
// ours to choose as long as A and B agree: k positions 2t, 2t+1, 2t+8, 2t+9
// are input channels 4t..4t+3 of the block, so each lane's part of an input
// row is 16 contiguous bytes. For mma.m16n8k8 with .tf32 (one value an
// i32) lane 4g + t holds A(g, t), A(g+8, t), A(g, t+4), A(g+8, t+4) and
// B(t, g), B(t+4, g); k positions t and t+4 of step s are input channels
// 4t + 2s and 4t + 2s + 1, the same 16 bytes a row.
//
// The pieces of the kernel (packing, fragments, staging, epilogue, mma) are
// TensorCoreConv's (TensorCoreConv.h); with emulate-warps the same pieces
// run as host loops (TensorCoreEmulation.cpp).
//
//===----------------------------------------------------------------------===//

#include "TensorCoreConv.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

using namespace mlir;

namespace scn::cpu {

using namespace tensor_core;

LogicalResult emitTensorCore(KernelBuilder &kb, Operation *op, Value x, Value w,
                             Value biasBuf, const Epilogue &epilogue, Value out,
                             int64_t columnOffset, Value table, Value order, Value masks,
                             Value rows, int64_t volume, int64_t inChannels,
                             int64_t outChannels) {
  if (masks && volume > kRowMaskOffsets)
    return op->emitOpError() << "has a filter of " << volume << " offsets, more than the "
                             << kRowMaskOffsets << " a row mask covers";
  if (!kb.forGPU())
    return op->emitOpError() << "has dataflow \"tensor_core\", which only the CUDA "
                                "target (convert-scn-to-gpu) lowers";
  if (inChannels % kDepth || outChannels % kDepth)
    return op->emitOpError() << "has dataflow \"tensor_core\" but " << inChannels
                             << " input and " << outChannels
                             << " output channels; both must be multiples of 16";
  auto &b = kb.builder();
  Type multiplicand = b.getF16Type();
  if (auto type = op->getAttrOfType<StringAttr>("mma_type")) {
    if (type.getValue() == "bf16")
      multiplicand = b.getBF16Type();
    else if (type.getValue() == "tf32")
      multiplicand = b.getTF32Type();
    else if (type.getValue() != "f16")
      return op->emitOpError() << "has mma_type \"" << type.getValue()
                               << "\"; tensor cores take \"f16\", \"bf16\" or \"tf32\"";
  }
  int64_t warpColumns = 16;
  if (auto tile = op->getAttrOfType<IntegerAttr>("channel_tile"); tile && tile.getInt() > 1)
    warpColumns = tile.getInt();
  if (warpColumns % kDepth || outChannels % warpColumns || warpColumns > 128)
    return op->emitOpError() << "has dataflow \"tensor_core\" with channel_tile "
                             << warpColumns << "; it must be a multiple of 16, at most "
                             << "128, that divides the " << outChannels
                             << " output channels";

  int64_t loadsInFlight = kLoadsInFlight;
  if (auto loads = op->getAttrOfType<IntegerAttr>("loads_in_flight"))
    loadsInFlight = loads.getInt();
  if (loadsInFlight < 1 || loadsInFlight > 64)
    return op->emitOpError() << "has dataflow \"tensor_core\" with loads_in_flight "
                             << loadsInFlight << "; a lane issues 1 to 64 loads at once";

  int64_t warpRows = kRows;
  if (auto tile = op->getAttrOfType<IntegerAttr>("rows_per_tile"))
    warpRows = tile.getInt();
  if (warpRows != 16 && warpRows != 32 && warpRows != 64)
    return op->emitOpError() << "has dataflow \"tensor_core\" with rows_per_tile "
                             << warpRows << "; a warp takes 16, 32 or 64 rows";
  // Each lane holds rows x columns / 32 f32 accumulators in registers (255
  // at most, with addresses and fragments besides).
  if (warpRows * warpColumns / kWarp > kMaxAccumulators)
    return op->emitOpError() << "has a tensor-core warp of " << warpRows << " rows x "
                             << warpColumns << " channels: "
                             << warpRows * warpColumns / kWarp
                             << " accumulators a lane, more than the " << kMaxAccumulators
                             << " that fit in registers";

  TensorCoreConv conv(kb, multiplicand, x, table, order, masks, rows, volume, inChannels,
                      outChannels, warpRows, warpColumns);
  // Where the warps read the weights from: "global" (each warp its own
  // fragments, through L1/L2), "shared" (a copy per block) or "staged"
  // (each lane's fragments of an offset copied into its warp's gather
  // stages with its input chunks; async gathers only), or "block" (each
  // offset's copied once per block of 4 or block_warps warps into shared
  // stages). See the file comment.
  bool sharedWeights = false, stagedWeights = false, blockWeights = false;
  if (auto memory = op->getAttrOfType<StringAttr>("weights_memory")) {
    if (memory.getValue() != "global" && memory.getValue() != "shared" &&
        memory.getValue() != "staged" && memory.getValue() != "block")
      return op->emitOpError() << "has weights_memory \"" << memory.getValue()
                               << "\"; tensor-core warps read weights from \"global\", "
                                  "\"shared\", \"staged\" or \"block\" memory";
    sharedWeights = memory.getValue() == "shared";
    stagedWeights = memory.getValue() == "staged";
    blockWeights = memory.getValue() == "block";
  }
  // Warps of a block with block weights (block_warps): 4, one warpgroup,
  // or 8, two, whose 128 rows share each offset's copy.
  int64_t blockWarps = kWarpsPerBlock;
  if (auto given = op->getAttrOfType<IntegerAttr>("block_warps")) {
    blockWarps = given.getInt();
    if (!blockWeights || (blockWarps != 4 && blockWarps != 8))
      return op->emitOpError() << "has block_warps " << blockWarps
                               << ", which is for weights_memory \"block\" and is 4 or 8";
  }
  // Blocks of a cluster (cluster_blocks; checked with warpgroup_mma below).
  int64_t clusterBlocks = 1;
  if (auto given = op->getAttrOfType<IntegerAttr>("cluster_blocks"))
    clusterBlocks = given.getInt();
  if (blockWeights && !conv.votesFromMasks())
    return op->emitOpError()
           << "has weights_memory \"block\", whose blocks run the offsets of their warps' "
              "neighbour masks, but has none: a filter of "
           << volume << " offsets (at most " << kRowMaskOffsets
           << ") or neighbour-masks=false";
  // Where the lanes gather their A chunks: straight into registers, or
  // through `gather_stages` stages of shared memory by cp.async (see the
  // file comment). The latter needs the warp's neighbour masks (it runs
  // only the offsets they name) and input rows whose chunks cp.async can
  // copy (aligned); without alignment the warps gather into registers,
  // which computes the same.
  int64_t asyncStages = 0;
  if (auto gathers = op->getAttrOfType<StringAttr>("gathers")) {
    if (gathers.getValue() != "registers" && gathers.getValue() != "async")
      return op->emitOpError() << "has gathers \"" << gathers.getValue()
                               << "\"; tensor-core warps gather into \"registers\" or "
                                  "\"async\" (shared-memory stages)";
    if (gathers.getValue() == "async") {
      asyncStages = kGatherStages;
      if (auto stages = op->getAttrOfType<IntegerAttr>("gather_stages"))
        asyncStages = stages.getInt();
      if (asyncStages < 2 || asyncStages > kMaxGatherStages)
        return op->emitOpError() << "has gather_stages " << asyncStages
                                 << "; async gathers take 2 to " << kMaxGatherStages
                                 << " stages";
      if (!conv.votesFromMasks())
        return op->emitOpError()
               << "has gathers \"async\", which runs the offsets of the warps' neighbour "
                  "masks, but has none: a filter of "
               << volume << " offsets (at most " << kRowMaskOffsets
               << ") or neighbour-masks=false";
      if (!conv.chunksCopyAsync())
        asyncStages = 0;
    }
  }
  // With async gathers only B fragments are loads held in registers; in
  // groups of 12 ptxas spilled 24 bytes of W3 C64's warp (80 registers),
  // and in groups of 8 three of W1's kernels 8-56 bytes; in groups of 6
  // none spills (W1 63-80 registers, W3 C64 78).
  if (asyncStages && !op->hasAttr("loads_in_flight"))
    loadsInFlight = kAsyncLoadsInFlight;
  if (auto gathers = op->getAttrOfType<StringAttr>("gathers");
      stagedWeights && (!gathers || gathers.getValue() != "async"))
    return op->emitOpError() << "has weights_memory \"staged\", which copies the weights "
                                "into the stages of gathers \"async\", without them";
  // Rows that cp.async cannot copy gather into registers, and then the
  // weights come from global memory.
  stagedWeights = stagedWeights && asyncStages;
  int64_t warpsOfBlock = sharedWeights ? kSharedWeightsWarps : blockWarps;
  int64_t stageBytes = conv.stageElements() * conv.chunkBytes() / 4 +
                       (stagedWeights ? conv.weightStageWords() * 4 : 0);
  // Block weights: the warps' masks, then a stage of one offset's weights
  // per gather stage (kBlockWeightStages with gathers in registers).
  int64_t maskBytes = clusterMaskAndBarrierBytes(blockWarps, clusterBlocks);
  int64_t blockStages = asyncStages ? asyncStages : kBlockWeightStages;
  // warpgroup_mma (sm_90a): each 4 warps of the block multiply by wgmma, B
  // from the block's stages in wgmma's swizzled layout (TensorCoreConv), whose
  // 1024-byte atoms need a stage base aligned to 1024 (a block's dynamic
  // shared memory is aligned to 16: up to 1008 bytes of padding).
  bool warpgroupMma = op->hasAttr("warpgroup_mma");
  if (warpgroupMma &&
      (!blockWeights || asyncStages || !(multiplicand.isF16() || multiplicand.isBF16()) ||
       inChannels % 64 || (warpColumns != 64 && warpColumns != 128) || warpRows != kRows))
    return op->emitOpError()
           << "has warpgroup_mma, which runs wgmma m64nNk16 on block weights (weights_memory "
              "\"block\", gathers in registers) with f16 or bf16 multiplicands, input channels "
              "in multiples of 64, channel_tile 64 or 128 and rows_per_tile 16; it has "
           << inChannels << " input channels, channel_tile " << warpColumns << ", rows_per_tile "
           << warpRows;
  // Clusters of two blocks sharing each offset's copy (cluster_blocks = 2,
  // TensorCoreCluster.cpp): wgmma blocks of one warpgroup only.
  if ((clusterBlocks != 1 && clusterBlocks != 2) ||
      (clusterBlocks == 2 && (!warpgroupMma || blockWarps != kWarpsPerBlock)))
    return op->emitOpError() << "has cluster_blocks " << clusterBlocks
                             << ", which is 1, or 2 for warpgroup_mma on block weights in "
                                "blocks of 4 warps";
  bool cluster = clusterBlocks == 2;
  int64_t warpgroupAlignment = warpgroupMma ? kWarpgroupStageAlignment : 0;
  int64_t weightBytes = sharedWeights ? conv.stagedWords() * 4
                        : blockWeights ? maskBytes + warpgroupAlignment +
                                             blockStages * conv.offsetWeightWords() * 4
                                       : 0;
  int64_t sharedBytes = weightBytes + warpsOfBlock * asyncStages * stageBytes;
  if (blockWeights && sharedBytes + kStaticSharedSlack > kMaxSharedBytes)
    return op->emitOpError() << "has weights_memory \"block\" with " << blockStages
                             << " stages of " << conv.offsetWeightWords() * 4
                             << " bytes of weights"
                             << (asyncStages ? " and its warps' gather stages" : "") << ": "
                             << sharedBytes
                             << " bytes of shared memory, which with the kernel's own "
                             << kStaticSharedSlack << " is more than the " << kMaxSharedBytes
                             << " a block can have; use a narrower channel_tile"
                             << (asyncStages ? " or fewer gather_stages" : "");
  if (asyncStages && sharedBytes + kStaticSharedSlack > kMaxSharedBytes)
    return op->emitOpError() << "has " << asyncStages << " gather stages of " << stageBytes
                             << " bytes for each of its " << warpsOfBlock << " warps a block"
                             << (sharedWeights ? " besides its shared weights" : "") << ": "
                             << sharedBytes
                             << " bytes of shared memory, which with the kernel's own "
                             << kStaticSharedSlack << " is more than the " << kMaxSharedBytes
                             << " a block can have; use fewer gather_stages";
  if (sharedWeights && conv.stagedWords() * 4 + kStaticSharedSlack > kMaxSharedBytes)
    return op->emitOpError() << "has weights_memory \"shared\" but its weights for "
                             << warpColumns << " output channels take "
                             << conv.stagedWords() * 4
                             << " bytes of shared memory, which with the kernel's own "
                             << kStaticSharedSlack << " is more than the " << kMaxSharedBytes
                             << " a block can have; use a narrower channel_tile or "
                                "weights_memory \"global\"";
  // f16 multiplicands overflow to inf past 65504 (bf16 has f32's range).
  Value rangeWord =
      multiplicand.isF16()
          ? kb.opCheckWord("its tensor-core sums are not finite: an input or weight "
                           "exceeds the f16 range (a magnitude of 65520 or more rounds "
                           "to inf); compile with --element-type=bf16 or f32")
          : Value();
  if (warpgroupMma)
    conv.packWeightsForWarpgroup(w);
  else
    conv.packWeights(w);
  if (kb.emulateWarps()) {
    emulateWarps(kb, conv, Results{biasBuf, epilogue, out, columnOffset, rangeWord},
                 sharedWeights, asyncStages, stagedWeights,
                 // A cluster's two blocks run the union of their 8 warps'
                 // offsets, as a block of 8 warps does.
                 blockWeights ? blockWarps * clusterBlocks : 0, warpgroupMma);
    return success();
  }

  // On the GPU.
  Value one = kb.index(1), zero = kb.f32(0.0);
  int64_t rowTiles = conv.rowTilesOfWarp(), mmas = conv.mmasPerRowTile();
  Type i1 = b.getI1Type(), i32 = b.getI32Type();

  // One warp's tile of rows x one column tile, on the GPU: masks, the
  // offset loop, the epilogue and the stores.
  // The warp's gather stages (gathers = "async"): the block's stage buffer
  // in shared memory and the warp's first element there, and those of the
  // weights' stages (weights_memory = "staged").
  Value gatherStages, warpFirst, weightStages, warpFirstOfWeights;
  // Block weights (weights_memory = "block"): the warps' published masks
  // and the weights' stages in shared memory, and the thread in the block.
  Value blockMasks, blockWeightStages, blockThread;
  // warpgroup_mma: the shared address (i64) of the first weight stage;
  // with clusters, that of the stages' mbarriers.
  Value warpgroupStageAddress, clusterBarriers;
  // `body` if `cond` (warp-uniform), carrying `acc` through: the
  // accumulators of a row tile that may skip an offset.
  auto ifThen = [&](Value cond, ValueRange acc,
                    llvm::function_ref<SmallVector<Value>()> body) -> SmallVector<Value> {
    auto ifOp = scf::IfOp::create(b, acc.getTypes(), cond, /*withElseRegion=*/!acc.empty());
    OpBuilder::InsertionGuard guard(b);
    if (acc.empty()) { // the builder gave the region its yield
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      body();
      return {};
    }
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, acc);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, body());
    return SmallVector<Value>(ifOp.getResults());
  };
  // One offset's mmas on the accumulators `acc`: the blocks of 16 input
  // channels, unrolled (at most 10 for 160) in groups of about
  // `loadsInFlight` 16-byte loads a lane (`loadsPerBlock` a block): per
  // group the B fragments (`fragmentsOfB(block)`), then per row tile that
  // runs the offset (`tileRuns(m)`) its A fragments (`fragmentOfA(m,
  // block)`) and mmas, one straight run of code, so that ptxas issues the
  // group's loads before the first mma needs them (a loop over blocks
  // waited for each block's loads in turn) without holding every block's
  // fragments at once (all ten blocks of a 160-channel layer took 255
  // registers and spilled).
  int64_t inBlocks = inChannels / kDepth;
  auto offsetMmas =
      [&](ValueRange acc, int64_t loadsPerBlock,
          llvm::function_ref<SmallVector<SmallVector<Value>>(int64_t)> fragmentsOfB,
          llvm::function_ref<Value(int64_t)> tileRuns,
          llvm::function_ref<SmallVector<SmallVector<Value>>(int64_t, int64_t)> fragmentOfA) {
        SmallVector<Value> accB(acc.begin(), acc.end());
        int64_t group = std::max<int64_t>(1, loadsInFlight / loadsPerBlock);
        for (int64_t first = 0; first < inBlocks; first += group) {
          int64_t last = std::min(inBlocks, first + group);
          // The B fragments serve every row tile of the warp.
          SmallVector<SmallVector<SmallVector<Value>>> fragB;
          for (int64_t block = first; block < last; ++block)
            fragB.push_back(fragmentsOfB(block));
          for (int64_t m = 0; m < rowTiles; ++m) {
            ValueRange accM = ValueRange(accB).slice(4 * m * mmas, 4 * mmas);
            auto sums = ifThen(tileRuns(m), accM, [&] {
              SmallVector<Value> sums(accM.begin(), accM.end());
              for (int64_t block = first; block < last; ++block) {
                auto a = fragmentOfA(m, block);
                for (int64_t step = 0; step < conv.kSteps(); ++step)
                  for (int64_t j = 0; j < mmas; ++j) {
                    auto d = conv.mmaOnGPU(
                        a[step], TensorCoreConv::stepOfB(fragB[block - first][j], step),
                        ValueRange(sums).slice(4 * j, 4));
                    std::copy(d.begin(), d.end(), sums.begin() + 4 * j);
                  }
              }
              return sums;
            });
            std::copy(sums.begin(), sums.end(), accB.begin() + 4 * m * mmas);
          }
        }
        return accB;
      };
  auto warpBody = [&](Value warpTile, Value columnTile, Value lane) {
    if (kb.tablePrefetch())
      conv.prefetchTableRows(arith::MulIOp::create(b, warpTile, kb.index(kRows * rowTiles)),
                             kRows * rowTiles, lane);
    Value columnBase = arith::MulIOp::create(b, columnTile, kb.index(warpColumns));
    // Each lane's two positions in the row order per row tile: its rows'
    // table entries are at these positions of the row table, so no entry
    // waits for the order (which only the writes read).
    SmallVector<std::pair<Value, Value>> positions;
    for (int64_t m = 0; m < rowTiles; ++m)
      positions.push_back(conv.lanePositions(conv.rowTileOf(warpTile, m), lane));
    // Per row tile, the warp's neighbour mask (an OR over the lanes), so
    // that the offset loop below tests bits instead of loading and voting.
    SmallVector<Value> tileMasks;
    if (conv.votesFromMasks())
      for (int64_t m = 0; m < rowTiles; ++m) {
        auto [first, second] = conv.lanePositions(conv.rowTileOf(warpTile, m), lane);
        Value lanes = arith::OrIOp::create(b, conv.rowMask(first), conv.rowMask(second));
        tileMasks.push_back(
            kb.callResults(kWarpOrPlaceholder, TypeRange{i32}, ValueRange{lanes}).front());
      }
    SmallVector<Value> init(conv.accumulators(), zero);
    Value inputHasRows = conv.inputHasRows();
    if (asyncStages || blockWeights) {
      // The offsets any row tile has, through the stages: the copies of
      // later offsets are in flight while the mmas of this one run.
      Value warpMask = kb.i32(0);
      for (Value tileMask : tileMasks)
        warpMask = arith::OrIOp::create(b, warpMask, tileMask);
      warpMask = arith::SelectOp::create(b, inputHasRows, warpMask, kb.i32(0));
      // With block weights every warp of the block runs the offsets of any
      // (the stages and barriers are the block's): each publishes its mask
      // and reads the others' after a barrier.
      Value mask = warpMask;
      // With wgmma in blocks of two warpgroups, the offsets of the warp's
      // warpgroup (its 4 warps take part in each of them together).
      Value groupMask;
      if (blockWeights) {
        Value warp = arith::DivUIOp::create(b, blockThread, kb.index(kWarp));
        memref::StoreOp::create(b, warpMask, blockMasks, ValueRange{warp});
        if (cluster) {
          // The partner block's warps' masks after the block's own: both
          // blocks run the same union.
          Value partner = arith::SelectOp::create(
              b, inputHasRows, conv.partnerWarpMask(warpTile, blockWarps, lane), kb.i32(0));
          memref::StoreOp::create(b, partner, blockMasks,
                                  ValueRange{arith::AddIOp::create(b, warp,
                                                                   kb.index(blockWarps))});
          conv.initClusterBarriers(clusterBarriers, blockThread);
        } else {
          kb.callResults(kBlockBarrierPlaceholder, TypeRange{}, ValueRange{});
        }
        if (warpgroupMma && (blockWarps != kWarpsPerBlock || cluster)) {
          Value firstOfGroup = arith::MulIOp::create(
              b, arith::DivUIOp::create(b, warp, kb.index(kWarpsPerBlock)),
              kb.index(kWarpsPerBlock));
          groupMask = kb.i32(0);
          for (int64_t w = 0; w < kWarpsPerBlock; ++w)
            groupMask = arith::OrIOp::create(
                b, groupMask,
                memref::LoadOp::create(
                    b, blockMasks,
                    ValueRange{arith::AddIOp::create(b, firstOfGroup, kb.index(w))}));
        }
        for (int64_t w = 0; w < blockWarps * clusterBlocks; ++w)
          mask = arith::OrIOp::create(
              b, mask, memref::LoadOp::create(b, blockMasks, ValueRange{kb.index(w)}));
      }
      int64_t stages = asyncStages ? asyncStages : kBlockWeightStages;
      // Block weights with gathers in registers gather each offset's A
      // fragments one compute ahead (pipelineOffsets' gatherAhead, right
      // after the offset's weight copy is issued): their loads are in
      // flight while the offset before runs its mmas, instead of two
      // dependent round trips to L2 (table entry, then rows) between an
      // offset's barrier and its mmas, where ncu found W3 C64's wgmma warps
      // waiting most (long_sb on the entries and the rows). Not for every
      // tile shape: TensorCoreConv::gathersAhead.
      bool gathersAhead = conv.gathersAhead(blockWeights, asyncStages);
      static_assert(kBlockWeightStages == 2,
                    "gathers ahead are carried one compute: two weight stages");
      // What a lane carries to the next compute, per row tile: its two
      // rows' entries, then per block of 16 input channels the two loaded
      // tiles (fragmentATiles), unconverted: their first use, and so the
      // wait for them, is in that compute (fragmentAOfTiles).
      int64_t aheadOfTile = 2 + 2 * inBlocks;
      SmallVector<Type> gatheredTypes;
      for (int64_t m = 0; m < rowTiles; ++m) {
        gatheredTypes.append({i32, i32});
        gatheredTypes.append(2 * inBlocks, conv.rowTileType());
      }
      SmallVector<Type> aheadTypes = gathersAhead ? gatheredTypes : SmallVector<Type>();
      // Fetched an issue ahead (async gathers, gathers ahead): the lane's
      // two input rows in each row tile.
      SmallVector<Type> entryTypes(asyncStages || gathersAhead ? 2 * rowTiles : 0, i32);
      // The loads of the lane's A fragments of offset k (entries -1 and no
      // loads in row tiles without it), from its rows' entries: carried to
      // the next compute (gathers ahead), or used in this one.
      auto gatherA = [&](Value k, ValueRange entries) {
        SmallVector<Value> carried;
        for (int64_t m = 0; m < rowTiles; ++m) {
          TypeRange tileTypes = TypeRange(gatheredTypes).slice(m * aheadOfTile, aheadOfTile);
          auto tile = scf::IfOp::create(b, tileTypes, conv.bitSet(tileMasks[m], k), true);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(&tile.getElseRegion().front());
          SmallVector<Value> none{kb.i32(-1), kb.i32(-1)};
          Value zeros = arith::ConstantOp::create(b, b.getZeroAttr(conv.rowTileType()));
          none.append(2 * inBlocks, zeros);
          scf::YieldOp::create(b, none);
          b.setInsertionPointToStart(&tile.getThenRegion().front());
          SmallVector<Value> loaded{entries[2 * m], entries[2 * m + 1]};
          for (int64_t block = 0; block < inBlocks; ++block) {
            auto [tile0, tile1] = conv.fragmentATiles(lane, entries[2 * m], entries[2 * m + 1],
                                                      kb.index(block * kDepth));
            loaded.append({tile0, tile1});
          }
          scf::YieldOp::create(b, loaded);
          carried.append(tile.getResults().begin(), tile.getResults().end());
        }
        return carried;
      };
      // Row tile m's fragment of `block` (its kSteps k steps) from them.
      auto aheadFragment = [&](ValueRange ahead, int64_t m, int64_t block) {
        ValueRange tile = ahead.slice(m * aheadOfTile, aheadOfTile);
        return conv.fragmentAOfTiles(tile[2 + 2 * block], tile[3 + 2 * block], tile[0], tile[1]);
      };
      auto acc = conv.pipelineOffsets(
          mask, stages, init, entryTypes,
          [&](Value k) {
            SmallVector<Value> entries;
            for (auto [first, second] : positions) {
              entries.push_back(conv.neighbour(first, k));
              entries.push_back(conv.neighbour(second, k));
            }
            return entries;
          },
          [&](Value k, Value stage, ValueRange entries) {
            if (cluster)
              conv.copyOffsetToCluster(warpgroupStageAddress, clusterBarriers, mask, k, stage,
                                       columnTile, blockThread);
            else if (blockWeights)
              conv.stageOffsetWeights(blockWeightStages, stage, k, columnTile, blockThread,
                                      blockWarps * kWarp);
            if (stagedWeights)
              conv.stageWeightsOfOffset(weightStages, warpFirstOfWeights, stage, lane, k,
                                        columnTile);
            if (!asyncStages)
              return;
            // Warp-uniform: row tile m without the offset copies nothing.
            for (int64_t m = 0; m < rowTiles; ++m)
              ifThen(conv.bitSet(tileMasks[m], k), ValueRange{}, [&] {
                conv.gatherIntoStage(gatherStages, warpFirst, stage, lane, m, entries[2 * m],
                                     entries[2 * m + 1]);
                return SmallVector<Value>{};
              });
          },
          [&] {
            // Clusters wait for each stage on its own barrier (compute).
            if (!blockWeights || cluster)
              return;
            kb.callResults(kAsyncWaitPlaceholder, TypeRange{}, ValueRange{kb.i32(stages - 2)});
            // The copies (generic proxy writes) visible to wgmma's reads.
            if (warpgroupMma)
              kb.callResults(kAsyncProxyFencePlaceholder, TypeRange{}, ValueRange{});
            kb.callResults(kBlockBarrierPlaceholder, TypeRange{}, ValueRange{});
          },
          [&] {
            if (!cluster)
              kb.callResults(kAsyncCommitPlaceholder, TypeRange{}, ValueRange{});
          },
          [&] {
            if (!blockWeights)
              kb.callResults(kAsyncWaitPlaceholder, TypeRange{},
                             ValueRange{kb.i32(stages - 1)});
          },
          [&](Value k, Value stage, ValueRange accK, ValueRange ahead) -> SmallVector<Value> {
            auto fragmentsOfB = [&](int64_t block) {
              if (blockWeights)
                return conv.blockStagedFragmentsB(blockWeightStages, stage, lane, block);
              if (stagedWeights)
                return conv.stagedFragmentsB(weightStages, warpFirstOfWeights, stage, lane,
                                             block);
              return conv.fragmentsB(lane, k, kb.index(block), columnTile);
            };
            auto tileRuns = [&](int64_t m) { return conv.bitSet(tileMasks[m], k); };
            if (asyncStages)
              // B fragments from global or shared memory, the A fragments
              // from the shared stages.
              return offsetMmas(accK, conv.loadsOfB(), fragmentsOfB, tileRuns,
                                [&](int64_t m, int64_t block) {
                                  return conv.stagedFragmentA(gatherStages, warpFirst, stage,
                                                              lane, m, block);
                                });
            if (warpgroupMma) {
              // Every warp of the warpgroup takes part in the wgmmas; one
              // without the offset gathered zero rows (no loads).
              Value stageAddress = arith::AddIOp::create(
                  b, warpgroupStageAddress,
                  arith::MulIOp::create(
                      b, arith::IndexCastOp::create(b, b.getI64Type(), stage),
                      arith::ConstantIntOp::create(b, b.getI64Type(),
                                                   conv.offsetWeightWords() * 4)));
              SmallVector<SmallVector<Value>> a;
              SmallVector<Value> descriptors;
              // Gathered in the step where not ahead, as gatherA does ahead
              // (a warp without the offset loads nothing).
              SmallVector<Value> inStep;
              if (!gathersAhead)
                inStep = gatherA(k, ValueRange{conv.neighbour(positions[0].first, k),
                                               conv.neighbour(positions[0].second, k)});
              ValueRange gathered = gathersAhead ? ahead : ValueRange(inStep);
              for (int64_t block = 0; block < inBlocks; ++block) {
                a.push_back(aheadFragment(gathered, 0, block).front());
                descriptors.push_back(conv.warpgroupDescriptor(stageAddress, block));
              }
              if (!groupMask)
                return conv.warpgroupMmaOnGPU(a, descriptors, accK);
              if (cluster)
                conv.waitForClusterStage(clusterBarriers, mask, k, stage);
              // Two warpgroups, or a cluster's two blocks: one whose warps
              // all lack the offset skips it (a warpgroup-uniform branch).
              auto sums = ifThen(conv.bitSet(groupMask, k), accK,
                                 [&] { return conv.warpgroupMmaOnGPU(a, descriptors, accK); });
              if (cluster)
                conv.releaseClusterStage(clusterBarriers, stage, lane);
              return sums;
            }
            // Block weights with gathers in registers: a warp without the
            // offset (others of its block have it) skips it.
            return ifThen(conv.bitSet(warpMask, k), accK, [&] {
              if (gathersAhead)
                return offsetMmas(accK, conv.loadsOfB(), fragmentsOfB, tileRuns,
                                  [&](int64_t m, int64_t block) {
                                    return aheadFragment(ahead, m, block);
                                  });
              SmallVector<std::pair<Value, Value>> entries;
              for (auto [first, second] : positions)
                entries.push_back({conv.neighbour(first, k), conv.neighbour(second, k)});
              return offsetMmas(accK, conv.loadsOfB() + 2 * rowTiles, fragmentsOfB, tileRuns,
                                [&](int64_t m, int64_t block) {
                                  return conv.fragmentA(lane, entries[m].first,
                                                        entries[m].second,
                                                        kb.index(block * kDepth));
                                });
            });
          },
          aheadTypes, gatherA);
      for (int64_t m = 0; m < rowTiles; ++m)
        conv.writeResults(lane, conv.rowTileOf(warpTile, m), columnBase,
                          ValueRange(acc).slice(4 * m * mmas, 4 * mmas), biasBuf, epilogue,
                          out, columnOffset, rangeWord);
      if (cluster)
        conv.leaveCluster();
      return;
    }
    auto acc = kb.forLoopCarryN(kb.index(volume), init, [&](Value k, ValueRange accK) {
      // Which row tiles have a neighbour at offset k (the same in every
      // lane): the others skip their mmas, and offsets that no row of the
      // warp has are skipped whole (warp-uniform branches, so every lane
      // still reaches each mma.sync). Then the lane's two input rows in
      // each row tile.
      SmallVector<std::pair<Value, Value>> entries;
      SmallVector<Value> anyInTile;
      Value any = arith::ConstantIntOp::create(b, i1, 0);
      for (auto [m, rowPair] : llvm::enumerate(positions)) {
        if (conv.votesFromMasks()) {
          anyInTile.push_back(conv.bitSet(tileMasks[m], k));
        } else {
          entries.push_back(
              {conv.neighbour(rowPair.first, k), conv.neighbour(rowPair.second, k)});
          Value has = conv.laneHasNeighbour(entries.back().first, entries.back().second);
          anyInTile.push_back(
              kb.callResults(kWarpAnyPlaceholder, TypeRange{i1}, ValueRange{has}).front());
        }
        any = arith::OrIOp::create(b, any, anyInTile.back());
      }
      any = arith::AndIOp::create(b, any, inputHasRows);
      auto anyIf = scf::IfOp::create(b, ValueRange(accK).getTypes(), any,
                                     /*withElseRegion=*/true);
      OpBuilder::InsertionGuard skip(b);
      b.setInsertionPointToStart(&anyIf.getElseRegion().front());
      scf::YieldOp::create(b, accK);
      b.setInsertionPointToStart(&anyIf.getThenRegion().front());
      if (conv.votesFromMasks())
        for (auto [first, second] : positions)
          entries.push_back({conv.neighbour(first, k), conv.neighbour(second, k)});
      // Each block's loads: its B fragments and an A gather per row tile.
      auto accB = offsetMmas(
          accK, conv.loadsOfB() + 2 * rowTiles,
          [&](int64_t block) { return conv.fragmentsB(lane, k, kb.index(block), columnTile); },
          [&](int64_t m) { return anyInTile[m]; },
          [&](int64_t m, int64_t block) {
            return conv.fragmentA(lane, entries[m].first, entries[m].second,
                                  kb.index(block * kDepth));
          });
      scf::YieldOp::create(b, accB);
      return SmallVector<Value>(anyIf.getResults());
    });
    for (int64_t m = 0; m < rowTiles; ++m)
      conv.writeResults(lane, conv.rowTileOf(warpTile, m), columnBase,
                        ValueRange(acc).slice(4 * m * mmas, 4 * mmas), biasBuf, epilogue,
                        out, columnOffset, rangeWord);
  };

  // The block's gather stages from byte `byteShift` of its dynamic shared
  // memory `raw` on, and the first element of `thread`'s warp there.
  auto useGatherStages = [&](Value raw, int64_t byteShift, Value thread) {
    if (!asyncStages)
      return;
    int64_t perWarp = asyncStages * conv.stageElements();
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
    gatherStages = memref::ViewOp::create(
        b, MemRefType::get({warpsOfBlock * perWarp}, conv.inputElement(), AffineMap(), workgroup),
        raw, kb.index(byteShift), ValueRange{});
    Value warp = arith::DivUIOp::create(b, thread, kb.index(kWarp));
    warpFirst = arith::MulIOp::create(b, warp, kb.index(perWarp));
    if (!stagedWeights)
      return;
    // The weights' stages after every warp's input stages (a multiple of
    // 512 bytes, so 16-byte aligned).
    int64_t wordsPerWarp = asyncStages * conv.weightStageWords();
    weightStages = memref::ViewOp::create(
        b, MemRefType::get({warpsOfBlock * wordsPerWarp}, i32, AffineMap(), workgroup), raw,
        kb.index(byteShift + warpsOfBlock * perWarp * conv.chunkBytes() / 4), ValueRange{});
    warpFirstOfWeights = arith::MulIOp::create(b, warp, kb.index(wordsPerWarp));
  };
  Value warpTiles = conv.warpTiles();
  if (sharedWeights) {
    // Blocks of kSharedWeightsWarps warps, as many as the GPU holds at once
    // (scn_cg_gpu_resident_blocks) and no more than the tiles need. A block
    // copies its column tile's weights into shared memory once, then each
    // warp takes warp tiles blockX * warps + warp, + gridX * warps, ... so
    // the copy is paid once per resident block, not once per tile.
    int64_t threads = kSharedWeightsWarps * kWarp;
    Value resident = kb.toIndex(kb.call("scn_cg_gpu_resident_blocks", b.getI64Type(),
                                        {kb.i64(sharedBytes), kb.i64(threads)}));
    Value perColumnTile = arith::MaxUIOp::create(
        b, arith::DivUIOp::create(b, resident, kb.index(conv.columnTiles())), one);
    Value gridX = arith::MinUIOp::create(
        b, arith::CeilDivUIOp::create(b, warpTiles, kb.index(kSharedWeightsWarps)),
        perColumnTile);
    auto launch = gpu::LaunchOp::create(b, gridX, kb.index(conv.columnTiles()), one,
                                        kb.index(threads), one, one, kb.i32(sharedBytes));
    launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), kTensorCoreKernelName));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value thread = launch.getThreadIds().x;
    Value columnTile = launch.getBlockIds().y;
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
    Value raw = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), AffineMap(), workgroup));
    Value staged = memref::ViewOp::create(
        b, MemRefType::get({conv.stagedWords()}, i32, AffineMap(), workgroup), raw,
        kb.index(0), ValueRange{});
    useGatherStages(raw, weightBytes, thread);
    conv.stageWeights(staged, columnTile, thread, threads);
    // gpu.barrier after bufferization (scn/Conversion/TensorCores.h).
    kb.callResults(kBlockBarrierPlaceholder, TypeRange{}, ValueRange{});
    conv.readWeightsFrom(staged);
    // Warp-uniform bounds: every lane of a warp runs the same tiles.
    Value first = arith::AddIOp::create(
        b, arith::MulIOp::create(b, launch.getBlockIds().x, kb.index(kSharedWeightsWarps)),
        arith::DivUIOp::create(b, thread, kb.index(kWarp)));
    Value stride =
        arith::MulIOp::create(b, launch.getGridSize().x, kb.index(kSharedWeightsWarps));
    auto tiles = scf::ForOp::create(b, first, warpTiles, stride);
    {
      OpBuilder::InsertionGuard inLoop(b);
      b.setInsertionPoint(tiles.getBody()->getTerminator());
      warpBody(tiles.getInductionVar(), columnTile,
               arith::RemUIOp::create(b, thread, kb.index(kWarp)));
    }
    conv.readWeightsFrom(Value());
    gpu::TerminatorOp::create(b);
    return success();
  }

  // Blocks of kWarpsPerBlock warps, one warp tile each: independent, or
  // sharing each offset's weights (block weights, blockWarps warps).
  int64_t launchWarps = blockWeights ? blockWarps : kWarpsPerBlock;
  // Clusters of two: an even grid (a last block without rows still takes
  // part in its partner's copies).
  Value blocks = arith::CeilDivUIOp::create(b, warpTiles, kb.index(launchWarps * clusterBlocks));
  if (clusterBlocks > 1)
    blocks = arith::MulIOp::create(b, blocks, kb.index(clusterBlocks));
  auto launch = gpu::LaunchOp::create(b, blocks, kb.index(conv.columnTiles()), one,
                                      kb.index(kWarp * launchWarps), one, one,
                                      asyncStages || blockWeights ? kb.i32(sharedBytes)
                                                                  : Value());
  // Outlined under this name (gpu-kernel-outlining), so that profiles
  // (SCN_GPU_PROFILE, ncu) tell the tensor-core convolutions from the
  // row-loop kernels, which are all main_kernel.
  launch.setFunctionAttr(FlatSymbolRefAttr::get(b.getContext(), kTensorCoreKernelName));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value thread = launch.getThreadIds().x;
  if (asyncStages || blockWeights) {
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
    Value raw = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), AffineMap(), workgroup));
    if (blockWeights && warpgroupMma) {
      // The weights' stages from the first 1024-byte boundary on, then the
      // warps' masks.
      blockThread = thread;
      Type i64 = b.getI64Type();
      Value base = arith::IndexCastOp::create(
          b, i64, memref::ExtractAlignedPointerAsIndexOp::create(b, raw));
      Value alignment = arith::ConstantIntOp::create(b, i64, kWarpgroupStageAlignment);
      Value padding = arith::RemUIOp::create(
          b, arith::SubIOp::create(b, alignment, arith::RemUIOp::create(b, base, alignment)),
          alignment);
      warpgroupStageAddress = arith::AddIOp::create(b, base, padding);
      Value first = kb.toIndex(padding);
      int64_t stageBytes = blockStages * conv.offsetWeightWords() * 4;
      blockWeightStages = memref::ViewOp::create(
          b,
          MemRefType::get({blockStages * conv.offsetWeightWords()}, i32, AffineMap(),
                          workgroup),
          raw, first, ValueRange{});
      blockMasks = memref::ViewOp::create(
          b, MemRefType::get({blockWarps * clusterBlocks}, i32, AffineMap(), workgroup), raw,
          arith::AddIOp::create(b, first, kb.index(stageBytes)), ValueRange{});
      // With clusters, the stages' mbarriers after the masks (8-aligned).
      if (cluster)
        clusterBarriers = arith::AddIOp::create(
            b, warpgroupStageAddress,
            arith::ConstantIntOp::create(b, i64,
                                         stageBytes + blockMaskBytes(2 * blockWarps)));
    } else if (blockWeights) {
      // The warps' masks, then the weights' stages, then the gathers'.
      blockThread = thread;
      blockMasks = memref::ViewOp::create(
          b, MemRefType::get({blockWarps}, i32, AffineMap(), workgroup), raw,
          kb.index(0), ValueRange{});
      blockWeightStages = memref::ViewOp::create(
          b,
          MemRefType::get({blockStages * conv.offsetWeightWords()}, i32, AffineMap(),
                          workgroup),
          raw, kb.index(maskBytes), ValueRange{});
    }
    useGatherStages(raw, weightBytes, thread);
  }
  Value lane = arith::RemUIOp::create(b, thread, kb.index(kWarp));
  Value warpTile = arith::AddIOp::create(
      b, arith::MulIOp::create(b, launch.getBlockIds().x, kb.index(launchWarps)),
      arith::DivUIOp::create(b, thread, kb.index(kWarp)));
  if (blockWeights) {
    // Every warp takes part in the block's copies and barriers; a warp
    // past the last warp tile has empty masks (no rows), runs no mma and
    // stores nothing.
    warpBody(warpTile, launch.getBlockIds().y, lane);
    gpu::TerminatorOp::create(b);
    return success();
  }
  // Whole warps past the last warp tile stop here (mma.sync needs every
  // lane of a warp, so the test is per warp, never per lane).
  Value warpHasRows = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, warpTile, warpTiles);
  scf::IfOp::create(b, warpHasRows, [&](OpBuilder &, Location) {
    warpBody(warpTile, launch.getBlockIds().y, lane);
    scf::YieldOp::create(b);
  });
  gpu::TerminatorOp::create(b);
  return success();
}

} // namespace scn::cpu
