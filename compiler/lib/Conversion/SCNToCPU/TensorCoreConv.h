//===- TensorCoreConv.h - the warps of tensor-core convolutions -*- C++ -*-===//
//
// Private to convert-scn-to-cpu / convert-scn-to-gpu. TensorCoreConv builds
// the pieces of a tensor-core convolution (dataflow = "tensor_core"; see
// TensorCoreLowering.cpp for the kernel): weight packing, fragments,
// shared-weight staging, the epilogue, the mma on a GPU and its emulation.
// TensorCoreEmulation.cpp runs the warps as host loops for tests without a
// GPU.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_LIB_CONVERSION_SCNTOCPU_TENSORCORECONV_H
#define SCN_LIB_CONVERSION_SCNTOCPU_TENSORCORECONV_H

#include "KernelBuilder.h"
#include "scn/Conversion/TensorCores.h"
#include "scn/Dialect/SCN/IR/TensorCoreLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>
#include <string>

namespace scn::cpu::tensor_core {

using namespace mlir;


constexpr int64_t kRows = 16;    // m: output rows of a warp
constexpr int64_t kColumns = 8;  // n: output channels of one mma
constexpr int64_t kDepth = 16;   // k: input channels of one mma
constexpr int64_t kWarp = 32;
constexpr int64_t kWarpsPerBlock = kTensorCoreBlockWarps;
constexpr int64_t kMaxAccumulators = 128;
// 16-byte loads a lane issues together in an offset's step (the unrolled
// groups of input-channel blocks below), unless the op's loads_in_flight
// says otherwise (scn-plan-dataflow tensor-core-loads). On W3 C64 ptxas
// gives 96 registers at 6, 112 at 12, 135 at 24.
constexpr int64_t kLoadsInFlight = 12;
// weights_memory = "shared": warps of a block (the 16 x 64 warp takes 112
// of its 128 registers a thread), and the largest dynamic shared memory a
// block may ask for; the slack, gather stages and mask offsets are
// scn/Dialect/SCN/IR/TensorCoreLimits.h's too.
constexpr int64_t kSharedWeightsWarps = kSharedWeightsBlockWarps;
constexpr int64_t kMaxSharedBytes = kLargestSharedMemoryBytes;
constexpr int64_t kGatherStages = kDefaultGatherStages;
// 16-byte loads of B fragments a lane issues together with async gathers
// (loads_in_flight's default there).
constexpr int64_t kAsyncLoadsInFlight = 6;
// Registers a lane may carry for its gathers ahead (one step's rows on top
// of the step's own; TensorCoreConv::gathersAhead).
constexpr int64_t kMostGatheredAheadWords = 64;
// Blocks the emulation runs for a shared-weights kernel: few, so that each
// takes several warp tiles by the grid-stride loop, as on a GPU.
constexpr int64_t kEmulatedResidentBlocks = 3;

/// Emits one tensor-core convolution; see the file comment.
class TensorCoreConv {
public:
  TensorCoreConv(KernelBuilder &kb, Type multiplicand, Value x, Value table, Value order,
                 Value masks, Value rows, int64_t volume, int64_t inChannels,
                 int64_t outChannels, int64_t warpRows, int64_t warpColumns)
      : kb(kb), b(kb.builder()), multiplicand(multiplicand), x(x), table(table),
        order(order), masks(masks), rows(rows), volume(volume), inChannels(inChannels),
        outChannels(outChannels), rowTilesPerWarp(warpRows / kRows),
        warpColumns(warpColumns), mmasPerWarp(warpColumns / kColumns) {}

  /// The weights [K, 1, Cin, Cout] as i32 pairs of `multiplicand` (tf32:
  /// one value an i32) in the order the lanes read them, by a kernel. For
  /// offset k, block of 16 input channels and column tile, a lane's B
  /// fragments of its mmas, mma j at slots wordsOfB() * j onwards (2 words,
  /// tf32 4: two k steps), are read 4 slots (16 bytes) at a time,
  /// and load q of the 32 lanes is 512 contiguous bytes, lane after lane:
  /// whole 32-byte sectors. (Each lane's slots contiguous instead made a
  /// warp's load span 2 KB at 64 columns and use half of every sector it
  /// fetched, which ncu showed on W3 C64.) Lane 4g + t's fragment of mma j
  /// holds input channels 4t..4t + 3 of the block for output channel 8j + g
  /// of the tile: k positions 2t, 2t + 1 and 2t + 8, 2t + 9 (f16, bf16), or
  /// t and t + 4 of each k step (tf32), the permuted k order of fragmentA.
  void packWeights(Value w);

  /// Warps of the grid: warp tiles of `rowTilesPerWarp` row tiles of 16
  /// rows x column tiles of `warpColumns`.
  Value warpTiles() {
    return arith::CeilDivUIOp::create(b, rows, kb.index(kRows * rowTilesPerWarp));
  }
  int64_t columnTiles() const { return outChannels / warpColumns; }
  int64_t columnsOfWarp() const { return warpColumns; }
  int64_t offsets() const { return volume; }
  int64_t inputBlocks() const { return inChannels / kDepth; }
  /// tf32 multiplicands (fp32 weights and inputs rounded to 10 bits of
  /// mantissa): mma.m16n8k8, two k steps per block of 16 input channels,
  /// one value an i32; f16 and bf16: mma.m16n8k16, one step, pairs.
  bool isTF32() const { return multiplicand.isTF32(); }
  int64_t kSteps() const { return isTF32() ? 2 : 1; }
  /// i32 words of a lane's B fragments per mma and block of 16 input
  /// channels: 2 a k step.
  int64_t wordsOfB() const { return 2 * kSteps(); }
  /// 16-byte loads of a lane's B fragments per block: wordsOfB() * mmas i32
  /// in fours.
  int64_t loadsOfB() const { return wordsOfB() * mmasPerWarp / 4; }
  int64_t rowTilesOfWarp() const { return rowTilesPerWarp; }
  /// Whether block weights gather each offset's A fragments one compute
  /// ahead (pipelineOffsets' gatherAhead): with gathers in registers, in
  /// warps of 16 rows, and where the rows carried take a lane at most
  /// kMostGatheredAheadWords registers, two tiles of 4 input elements per
  /// block of 16 input channels. A warp of more row tiles would hold all
  /// of their rows across a step (ptxas on W3 C128: 255 registers and 204
  /// bytes spilled at 32 rows, 20 KB spilled at 64), and so would a wide
  /// layer (W1's 256-channel decoder layer on wgmma m64n128 with f32 rows:
  /// 128 words, 255 registers and 1576 bytes spilled; W3 C128 with f16
  /// rows: 32 words, 159 registers and none); those gather in the step.
  bool gathersAhead(bool blockWeights, int64_t asyncStages) {
    int64_t words = 2 * inputBlocks() * rowTileType().getNumElements() *
                    inputElement().getIntOrFloatBitWidth() / 32;
    return blockWeights && !asyncStages && rowTilesPerWarp == 1 &&
           words <= kMostGatheredAheadWords;
  }
  int64_t mmasPerRowTile() const { return mmasPerWarp; }
  /// Accumulators of a lane: mma j of row tile m at 4 (m * mmas + j).
  int64_t accumulators() const { return rowTilesPerWarp * mmasPerWarp * 4; }
  /// The row tile (of 16 rows) `m` of warp tile `warpTile`.
  Value rowTileOf(Value warpTile, int64_t m) {
    return arith::AddIOp::create(
        b, arith::MulIOp::create(b, warpTile, kb.index(rowTilesPerWarp)), kb.index(m));
  }

  /// The positions in the row order of `lane`'s output rows in row tile
  /// `rowTile`: g and g + 8 of the tile.
  std::pair<Value, Value> lanePositions(Value rowTile, Value lane) {
    Value first = arith::AddIOp::create(
        b, arith::MulIOp::create(b, rowTile, kb.index(kRows)), group(lane));
    return {first, arith::AddIOp::create(b, first, kb.index(8))};
  }
  /// The output rows of `lane` in row tile `rowTile` (lanePositions), or
  /// `rows` (no row) past the last one.
  std::pair<Value, Value> laneRows(Value rowTile, Value lane) {
    auto [first, second] = lanePositions(rowTile, lane);
    return {rowAt(first), rowAt(second)};
  }

  /// The input row (i32) that the output row at `position` of the row
  /// order reads at offset `k`, or -1 when it has none or `position` is
  /// past the last row: the row table's entry (scn_cg_row_table, the
  /// neighbour table's rows in row order), which needs no entry of the
  /// order first, and whose rows a tile reads from consecutive memory.
  Value neighbour(Value position, Value k) {
    Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, position, rows);
    auto entry = scf::IfOp::create(b, TypeRange{b.getI32Type()}, valid, true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&entry.getThenRegion().front());
    Value at =
        arith::AddIOp::create(b, arith::MulIOp::create(b, position, kb.index(volume)), k);
    scf::YieldOp::create(b, kb.loadArray(table, at, b.getI32Type()));
    b.setInsertionPointToStart(&entry.getElseRegion().front());
    scf::YieldOp::create(b, kb.i32(-1));
    return entry.getResult(0);
  }

  /// Prefetches into L1 the row table's lines of the warp's `rowsOfWarp`
  /// rows from position `first`, a line a lane, before anything else the
  /// warp does: their addresses need no load, so the lines are on their way
  /// while the rows' masks load and the block waits at its barrier, and the
  /// entries the warp then reads come from L1 (ncu on W3 C64's wgmma kernel:
  /// 18% of the stall samples were on the first offset's entries, read
  /// from DRAM after the barrier). GPU only.
  void prefetchTableRows(Value first, int64_t rowsOfWarp, Value lane);

  /// Whether the warp's votes come from neighbour masks (bit k: a
  /// neighbour at offset k; filters of up to 32 offsets, 3x3x3 is 27): the
  /// runtime's masks of the rows in row order (scn_cg_row_masks), one
  /// load a row before the offset loop, instead of a dependent load and
  /// vote in every offset's step, skipped or not. (Each lane once built
  /// them from its rows' K table entries: 54 loads a lane and about 15
  /// registers.)
  bool votesFromMasks() const { return static_cast<bool>(masks); }

  /// The neighbour mask of the row at `position` of the row order (0 past
  /// the last row).
  Value rowMask(Value position) {
    Type i32 = b.getI32Type();
    Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, position, rows);
    // Branch-free: past the last row, read the first row's mask and drop it.
    Value safe = arith::SelectOp::create(b, inside, position, kb.index(0));
    Value bits = kb.loadArray(masks, safe, i32);
    return arith::SelectOp::create(b, inside, bits, kb.i32(0));
  }

  /// Whether the input has rows (rowPairs reads row 0 for a missing
  /// neighbour, which an empty input does not have).
  Value inputHasRows() {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ugt,
                                 memref::DimOp::create(b, x, 0), kb.index(0));
  }

  /// Whether bit `k` (index) of `mask` is set.
  Value bitSet(Value mask, Value k) {
    Value shifted = arith::ShRUIOp::create(
        b, mask, arith::IndexCastOp::create(b, b.getI32Type(), k));
    return arith::TruncIOp::create(b, b.getI1Type(),
                                   arith::AndIOp::create(b, shifted, kb.i32(1)));
  }

  /// Whether output row g or g + 8 of `lane` has a neighbour at offset k.
  Value laneHasNeighbour(Value entry0, Value entry1) {
    auto sge = [&](Value v) {
      return arith::CmpIOp::create(b, arith::CmpIPredicate::sge, v, kb.i32(0)).getResult();
    };
    return arith::OrIOp::create(b, sge(entry0), sge(entry1));
  }

  /// The lane's A fragments (4 x i32 a k step) for input channels [base,
  /// base + 16), from input rows `entry0` (output row g) and `entry1` (row
  /// g + 8). The k order is permuted, the same in A and B, so that a lane
  /// reads 4 consecutive channels 4t..4t + 3 of each row in one 16-byte
  /// load: for m16n8k16 (f16, bf16) they are k positions 2t, 2t + 1 and
  /// 2t + 8, 2t + 9 of lane 4g + t; for m16n8k8 (tf32) k positions t and
  /// t + 4 of step 0 (channels 4t, 4t + 1) and of step 1 (4t + 2, 4t + 3).
  SmallVector<SmallVector<Value>> fragmentA(Value lane, Value entry0, Value entry1,
                                            Value base) {
    auto [tile0, tile1] = fragmentATiles(lane, entry0, entry1, base);
    return fragmentAOfTiles(tile0, tile1, entry0, entry1);
  }

  /// fragmentA in two parts, so that its loads can be issued an offset
  /// before the mmas that use them: the two rows' loaded tiles (vectors of
  /// 4 input elements; row 0 for a missing neighbour), and then the
  /// fragments from them, which is where the lane first waits for the
  /// loads (packing and the zeros for a missing neighbour).
  std::pair<Value, Value> fragmentATiles(Value lane, Value entry0, Value entry1, Value base) {
    Value column = arith::AddIOp::create(
        b, base, arith::MulIOp::create(b, threadInGroup(lane), kb.index(4)));
    return {rowTile(entry0, column), rowTile(entry1, column)};
  }
  /// The type of fragmentATiles' tiles.
  VectorType rowTileType() { return VectorType::get({4}, inputElement()); }
  SmallVector<SmallVector<Value>> fragmentAOfTiles(Value tile0, Value tile1, Value entry0,
                                                   Value entry1) {
    SmallVector<Value> r0 = rowWordsOf(tile0, entry0), r1 = rowWordsOf(tile1, entry1);
    if (!isTF32())
      return {{r0[0], r1[0], r0[1], r1[1]}};
    // a0 = A(g, t), a1 = A(g + 8, t), a2 = A(g, t + 4), a3 = A(g + 8, t + 4).
    return {{r0[0], r1[0], r0[1], r1[1]}, {r0[2], r1[2], r0[3], r1[3]}};
  }

  /// Words of mma `j`'s B fragment (fragmentsB) for k step `step`.
  static SmallVector<Value> stepOfB(ArrayRef<Value> words, int64_t step) {
    return {words[2 * step], words[2 * step + 1]};
  }

  /// The lane's B fragments (wordsOfB() i32 each, stepOfB splits them) of
  /// the warp's mmas for input channels [16 * block, 16 * block + 16) at offset k, in column tile
  /// `columnTile`: `loadsOfB()` 16-byte loads, 512 bytes apart (see
  /// packWeights).
  SmallVector<SmallVector<Value>> fragmentsB(Value lane, Value k, Value block,
                                             Value columnTile) {
    // The block's staged copy holds its column tile's chunks only.
    Value source = stagedWeights ? stagedWeights : packedWeights;
    SmallVector<Value> tiles;
    for (int64_t q = 0; q < loadsOfB(); ++q)
      tiles.push_back(kb.loadTile(source, {weightChunk(lane, k, block, columnTile, q)}, 4, 16));
    return fragmentsOfTiles(tiles);
  }

  /// Word of load q of `lane`'s B fragments (fragmentsB) in the packed
  /// weights, or in the block's copy of its column tile's (shared weights).
  Value weightChunk(Value lane, Value k, Value block, Value columnTile, int64_t q) {
    Value kBlock = arith::AddIOp::create(
        b, arith::MulIOp::create(b, k, kb.index(inChannels / kDepth)), block);
    Value warpFirst =
        stagedWeights
            ? kBlock
            : arith::AddIOp::create(
                  b, arith::MulIOp::create(b, kBlock, kb.index(columnTiles())), columnTile)
                  .getResult();
    // The lane's first 4 slots; load q is q * 128 i32 further.
    Value first = arith::MulIOp::create(
        b,
        arith::AddIOp::create(
            b, arith::MulIOp::create(b, warpFirst, kb.index(kWarp * loadsOfB())), lane),
        kb.index(4));
    return arith::AddIOp::create(b, first, kb.index(q * kWarp * 4));
  }

  /// The B fragments of each mma (wordsOfB() words) from a lane's
  /// `loadsOfB()` 4-word tiles.
  SmallVector<SmallVector<Value>> fragmentsOfTiles(ArrayRef<Value> tiles) {
    SmallVector<Value> words;
    for (Value tile : tiles)
      for (int64_t e = 0; e < 4; ++e)
        words.push_back(vector::ExtractOp::create(b, tile, ArrayRef<int64_t>{e}));
    SmallVector<SmallVector<Value>> perMma;
    for (int64_t j = 0; j < mmasPerWarp; ++j)
      perMma.emplace_back(ArrayRef<Value>(words).slice(wordsOfB() * j, wordsOfB()));
    return perMma;
  }

  /// weights_memory = "shared": the i32 words of one column tile's packed
  /// weights (every offset and input block), which a block copies into
  /// shared memory once and its warps then read instead of global memory:
  /// volume x Cin x columns x 2 bytes (tf32: 4).
  int64_t stagedWords() const { return volume * inChannels / kDepth * loadsOfB() * kWarp * 4; }
  /// Word `i` of the staged copy of column tile `columnTile` in the packed
  /// weights: chunks of one (offset, input block) keep their order.
  Value stagedSource(Value i, Value columnTile) {
    Value chunk = kb.index(loadsOfB() * kWarp * 4);
    Value kBlock = arith::DivUIOp::create(b, i, chunk);
    Value within = arith::RemUIOp::create(b, i, chunk);
    Value first = arith::MulIOp::create(
        b, arith::AddIOp::create(
               b, arith::MulIOp::create(b, kBlock, kb.index(columnTiles())), columnTile),
        chunk);
    return arith::AddIOp::create(b, first, within);
  }
  /// Copies column tile `columnTile`'s packed weights into `staged`, 16
  /// bytes a step: thread `thread` of `threads` takes steps thread,
  /// thread + threads, ... (consecutive threads, consecutive 16 bytes).
  void stageWeights(Value staged, Value columnTile, Value thread, int64_t threads) {
    auto copy = scf::ForOp::create(b, thread, kb.index(stagedWords() / 4), kb.index(threads));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(copy.getBody()->getTerminator());
    Value at = arith::MulIOp::create(b, copy.getInductionVar(), kb.index(4));
    Value words = kb.loadTile(packedWeights, {stagedSource(at, columnTile)}, 4, 16);
    kb.storeTile(words, staged, {at}, 16);
  }
  /// From here on fragmentsB reads `staged` (null: the packed weights).
  void readWeightsFrom(Value staged) { stagedWeights = staged; }

  // gathers = "async": each lane copies its A chunks (4 input channels of
  // one of its rows, as rowTile loads them) of an offset into a stage of
  // its warp's buffers some offsets ahead (cp.async on a GPU), and reads
  // them back when the offset's mmas run. Stage s of a warp holds chunk c
  // of lane l at element ((s * chunksOfStage() + c) * 32 + l) * 4 of the
  // warp's first: a warp's 32 lanes touch 32 consecutive chunks, so neither
  // the copies nor the reads conflict in shared-memory banks, and a lane
  // reads only what it copied itself (no barrier between the lanes).

  /// Chunks a lane copies for one offset: its 2 rows of each row tile, in
  /// blocks of 16 input channels (chunk (2 m + half) * blocks + block).
  int64_t chunksOfStage() const { return rowTilesPerWarp * 2 * inputBlocks(); }
  /// Input elements of one stage of one warp.
  int64_t stageElements() const { return chunksOfStage() * kWarp * 4; }
  /// The element type of the input rows (and of the stages).
  Type inputElement() const { return cast<MemRefType>(x.getType()).getElementType(); }
  /// Bytes of a staged chunk: 4 input elements.
  int64_t chunkBytes() const { return 4 * inputElement().getIntOrFloatBitWidth() / 8; }
  /// Whether cp.async can copy a chunk (4, 8 or 16 bytes, aligned to its
  /// size): every chunk of the input starts at a multiple of 4 elements.
  bool chunksCopyAsync() const {
    return xAlign >= chunkBytes();
  }

  /// Copies `lane`'s chunks of row tile `m` at offset k into stage `stage`
  /// of `buffer` (the warp's stages start at element `warpFirst`): from
  /// input rows `entry0` (its row g) and `entry1` (g + 8), zeros where the
  /// entry is -1. On a GPU an asynchronous copy (nvgpu.device_async_copy:
  /// cp.async, whose source size 0 fills zeros); in the emulation a plain
  /// one.
  void gatherIntoStage(Value buffer, Value warpFirst, Value stage, Value lane, int64_t m,
                       Value entry0, Value entry1);

  /// The lane's A fragments (as fragmentA) for block `block` of row tile
  /// `m`, from stage `stage` of `buffer` (see gatherIntoStage).
  SmallVector<SmallVector<Value>> stagedFragmentA(Value buffer, Value warpFirst, Value stage,
                                                  Value lane, int64_t m, int64_t block);

  // weights_memory = "staged" (with async gathers): each lane also copies
  // its B fragments of an offset (the loadsOfB() x input blocks 16-byte
  // chunks fragmentsB loads) into its warp's stages, in a region of i32
  // words after the input chunks' (chunk c of lane l in stage s at word
  // ((s * weightChunksOfStage() + c) * 32 + l) * 4 of the warp's first).

  /// 16-byte B chunks a lane copies for one offset (block * loadsOfB() + q).
  int64_t weightChunksOfStage() const { return loadsOfB() * inputBlocks(); }
  /// i32 words of one stage of one warp's B chunks.
  int64_t weightStageWords() const { return weightChunksOfStage() * kWarp * 4; }

  /// Copies `lane`'s B chunks of offset k (column tile `columnTile`) from
  /// the packed weights into stage `stage` of `buffer` (i32; the warp's
  /// stages start at word `warpFirst`): cp.async on a GPU, a plain copy in
  /// the emulation.
  void stageWeightsOfOffset(Value buffer, Value warpFirst, Value stage, Value lane, Value k,
                            Value columnTile);

  /// The lane's B fragments (as fragmentsB) of input block `block` from
  /// stage `stage` of `buffer` (see stageWeightsOfOffset).
  SmallVector<SmallVector<Value>> stagedFragmentsB(Value buffer, Value warpFirst, Value stage,
                                                   Value lane, int64_t block);

  // weights_memory = "block": the warps of a block share each offset's B
  // fragments of their column tile through stages of shared memory. Every
  // thread of the block copies a share of the offset (cp.async, 16 bytes at
  // a time) into a stage; after a barrier each warp reads its lanes'
  // fragments from there. Stage s holds offset k's words of the staged
  // layout (stagedWords: input block, load q, lane, 4 words) at word
  // s * offsetWeightWords() onwards, so lane l's load q of input block
  // `block` reads the 512 contiguous bytes of the warp's 32 lanes, as from
  // the packed weights: no bank conflicts.

  /// i32 words of one offset's weights for a column tile.
  int64_t offsetWeightWords() const { return stagedWords() / volume; }

  /// Copies offset k's weights of column tile `columnTile` into stage
  /// `stage` of `buffer` (i32), thread `thread` of `threads` taking 16-byte
  /// chunks thread, thread + threads, ...: cp.async on a GPU, a plain copy
  /// in the emulation.
  void stageOffsetWeights(Value buffer, Value stage, Value k, Value columnTile, Value thread,
                          int64_t threads);

  /// The lane's B fragments (as fragmentsB) of input block `block` from
  /// stage `stage` of `buffer` (see stageOffsetWeights).
  SmallVector<SmallVector<Value>> blockStagedFragmentsB(Value buffer, Value stage, Value lane,
                                                        int64_t block);

  // warpgroup_mma (sm_90a, block weights): the block's 4 warps are one
  // warpgroup, and wgmma.mma_async m64nNk16 (N: the warp's 64 or 128
  // output channels) multiplies its 64 rows (each
  // warp's A fragments in registers, as for mma.sync) by an offset's
  // weights for 64 output channels straight from the block's stage. A
  // stage then holds the weights in wgmma's canonical K-major layout with
  // 128-byte swizzling: per 64 input channels an atom of N rows (output
  // channels) x 128 bytes (64 k positions of f16/bf16), row n at byte
  // 128 n, its 16-byte chunk c at chunk c ^ (n % 8); the k positions of
  // each 16 follow fragmentA's permuted order, so that the lanes' A
  // fragments stay one load a row. Packed that way once per call (per
  // offset and column tile, contiguous), a stage is a plain copy.

  /// Whether the weights are packed for wgmma (packWeightsForWarpgroup).
  bool warpgroupLayout() const { return forWarpgroup; }
  /// Bytes of one atom (64 input channels x the warp's output channels)
  /// of an offset's weights for wgmma.
  int64_t warpgroupAtomBytes() const { return warpColumns * 128; }

  /// The weights [K, 1, Cin, Cout] as i32 pairs in wgmma's layout (see
  /// above), offset k's for column tile `tile` at words (k * columnTiles +
  /// tile) * offsetWeightWords() onwards.
  void packWeightsForWarpgroup(Value w);

  /// The wgmma shared-memory descriptor of k step `step` (16 input
  /// channels) of the stage at shared byte address `stageAddress` (i64,
  /// 1024-aligned): the start address (>> 4, 14 bits), no leading offset
  /// (K-major with swizzling), the stride between 8-row core matrices
  /// (1024 bytes, >> 4) and 128-byte swizzling (1 in bits 62-63). A k step
  /// starts 32 bytes further in its atom's rows.
  Value warpgroupDescriptor(Value stageAddress, int64_t step);

  /// wgmma.mma_async m64nNk16 on the emulated warp's 16 rows, its lanes'
  /// A fragments in `aBuf` ([32, 4] i32), B read through `descriptor` from
  /// `shared` (i32 words; byte address 0 at its start), accumulated into
  /// `accBuf` ([32, 32] f32: mma j's four at 4j, as mma.sync's C).
  /// The descriptor is decoded as the PTX ISA describes it (start address,
  /// stride of 8-row core matrices, 128-byte swizzle: address bits 4-6
  /// XOR bits 7-9), independently of packWeightsForWarpgroup's encoding.
  void emulateWarpgroupMma(Value aBuf, Value shared, Value descriptor, Value accBuf);

  /// One offset's wgmmas on the GPU (warpgroup_mma): `steps` k steps, each
  /// with its lanes' A fragment (4 x i32) and descriptor, on the lane's 32
  /// accumulators; a placeholder call that scn-gpu-offload makes inline
  /// PTX (fence, the wgmmas, commit, wait: the accumulators are read only
  /// after the wait).
  SmallVector<Value> warpgroupMmaOnGPU(ArrayRef<SmallVector<Value>> a, ArrayRef<Value> descriptors,
                                       ValueRange acc);

  /// The offsets of `mask` (bit k: offset k; the same in every lane), in
  /// ascending order, through `stages` stages: `issue(k, stage, fetched)`
  /// starts the copies of offset k `stages` - 1 offsets ahead of
  /// `compute(k, stage, acc)`, which runs it and returns the new
  /// accumulators; `commit()` closes each offset's group of copies (empty
  /// ones too, so that groups and offsets keep the same count) and
  /// `waitForOffset()` waits until all but the newest `stages` - 1 groups
  /// have arrived, which is the offset computed next. A stage is copied
  /// into only after the compute that read it (same lane, registers it
  /// loaded already consumed by its mmas). Stages that a block's threads
  /// share instead (weights_memory = "block") need `beforeIssue()`, run
  /// ahead of each issue in the loop: it waits for the groups of the
  /// offset computed next (all but the newest `stages` - 2) and then for
  /// every thread of the block (a barrier), so that the other threads'
  /// copies have arrived and their computes of the stage about to be
  /// copied into are done; `waitForOffset()` then waits for nothing.
  /// `fetch(k)` (values of
  /// `fetchTypes`) runs one issue ahead: what an issue needs from memory
  /// (the neighbour table's entries) is loaded right after the previous
  /// issue, so that its latency passes during a compute instead of
  /// stalling the issue that needs it; `fetched` are fetch's values for
  /// the k issued. With `aheadTypes` (two stages only), `gatherAhead(k,
  /// fetched)` runs right after issue(k), one compute ahead of compute(k),
  /// and its values reach compute(k) as `ahead`: gathers into registers
  /// whose loads are in flight while the offset before runs its mmas.
  SmallVector<Value> pipelineOffsets(
      Value mask, int64_t stages, ValueRange init, TypeRange fetchTypes,
      llvm::function_ref<SmallVector<Value>(Value)> fetch,
      llvm::function_ref<void(Value, Value, ValueRange)> issue,
      llvm::function_ref<void()> beforeIssue, llvm::function_ref<void()> commit,
      llvm::function_ref<void()> waitForOffset,
      llvm::function_ref<SmallVector<Value>(Value, Value, ValueRange, ValueRange)> compute,
      TypeRange aheadTypes = {},
      llvm::function_ref<SmallVector<Value>(Value, ValueRange)> gatherAhead = nullptr);

  /// Bias, fused epilogue and the store of the lane's accumulators
  /// (`accumulators()` f32: mma j's C fragment at 4j).
  /// With `rangeWord`, a sum that is not finite sets it: an input or weight
  /// rounded to inf in f16 (the inputs were checked for NaN), which would
  /// otherwise reach the output silently.
  void writeResults(Value lane, Value rowTile, Value columnBase, ValueRange acc,
                    Value biasBuf, const Epilogue &epilogue, Value out, int64_t columnOffset,
                    Value rangeWord);

  /// One mma on a GPU warp: C (4 x f32) += A (4 x i32) * B (2 x i32), as
  /// the placeholder call that scn-gpu-offload makes an nvvm.mma.sync
  /// (scn/Conversion/TensorCores.h).
  SmallVector<Value> mmaOnGPU(ValueRange a, ValueRange bFrag, ValueRange c) {
    Type f32 = b.getF32Type();
    SmallVector<Value> operands(a);
    operands.append(bFrag.begin(), bFrag.end());
    operands.append(c.begin(), c.end());
    std::string name = isTF32() ? kMmaTF32Placeholder.str()
                                : (kMmaPlaceholderPrefix + (multiplicand.isF16() ? "f16" : "bf16")).str();
    return kb.callResults(name, TypeRange{f32, f32, f32, f32}, operands);
  }

  /// The PTX ISA's mma.m16n8k16 (f16, bf16) or mma.m16n8k8 (tf32) on
  /// fragments that the 32 lanes of a warp stored in `aBuf` ([32, 4] i32)
  /// and `bBuf` ([32, 2 * mmas] i32, mma j at 2j), accumulated into
  /// `accBuf` ([32, accumulators()] f32) at `accSlot`..`accSlot` + 3.
  void emulateMma(Value aBuf, Value bBuf, Value accBuf, int64_t j, int64_t accSlot);

  // cluster_blocks = 2 (warpgroup_mma on block weights, TensorCoreCluster.cpp):
  // the grid's blocks pair up in clusters of two, ranks 0 and 1, whose 128
  // rows are two adjacent 64-row blocks of the row order. Both blocks run
  // the union of the pair's offsets (each takes its partner's rows' masks
  // from global memory); a block whose own rows lack an offset still takes
  // part in its copy and barriers but skips its wgmma. Thread 0 of each
  // block copies half of an offset's weights into the same stage of both
  // blocks by one multicast bulk copy, so each offset's weights cross L2
  // once per 128 rows, as in blocks of 8 warps, while a block keeps the
  // registers (and so the blocks an SM) of one warpgroup. mbarriers order
  // the stages instead of block barriers: "full" (arrived: the block's
  // expected bytes, then both halves) and "empty" (every warp of both
  // blocks has run its wgmma on the stage, arriving at both blocks'). The
  // n-th use of a stage (the offsets in order, alternating stages) waits
  // for phase n % 2 of "full"; the copy of its (n + 1)-th use, for phase n
  // % 2 of "empty".

  /// Arrivals that empty a stage: a warp of each of the cluster's blocks.
  static constexpr int64_t kEmptyArrivals = 2 * kTensorCoreBlockWarps;

  /// The warp's mask in the partner block of its cluster: the OR over the
  /// lanes of the masks of the rows at the same places of the partner's
  /// warp tile (warpTile ^ blockWarps: the pair's two blocks are adjacent).
  Value partnerWarpMask(Value warpTile, int64_t blockWarps, Value lane);

  /// Thread 0 makes the stages' mbarriers at shared address `barriers`
  /// (i64: full then empty, kBlockWeightStages each), then every thread of
  /// both blocks waits for both blocks' (the cluster barrier that also
  /// orders the blocks' published masks).
  void initClusterBarriers(Value barriers, Value thread);

  /// Thread 0's copy of offset `k` of the pipeline over `mask` into stage
  /// `stage`: waits until both blocks are done with the stage's last use,
  /// expects the offset's bytes on the stage's "full" barrier, and copies
  /// its rank's half into both blocks (`stagesAddress`: i64, the first
  /// stage's shared address).
  void copyOffsetToCluster(Value stagesAddress, Value barriers, Value mask, Value k, Value stage,
                           Value columnTile, Value thread);

  /// Every thread waits until offset `k`'s weights are in stage `stage`.
  void waitForClusterStage(Value barriers, Value mask, Value k, Value stage);

  /// After its wgmma on stage `stage`, the warp's lane 0 arrives at the
  /// stage's "empty" barrier in both blocks.
  void releaseClusterStage(Value barriers, Value stage, Value lane);

  /// The cluster barrier before a block exits: its partner may still
  /// arrive at its barriers.
  void leaveCluster();

private:
  /// The n of offset k's use of its stage in the pipeline over `mask` (the
  /// offsets below k that the mask has, halved), as i32.
  Value stageUse(Value mask, Value k);
  /// i32 shared address of stage `stage`'s "full" or "empty" barrier.
  Value clusterBarrier(Value barriers, Value stage, bool empty);

  /// The input channel (within its block of 16) at k position `kk` of an
  /// mma (f16/bf16): fragmentA's permuted order, k positions 2t, 2t + 1,
  /// 2t + 8, 2t + 9 holding channels 4t..4t + 3.
  Value channelOfPosition(Value kk) {
    Value upper = arith::DivUIOp::create(b, kk, kb.index(8));  // 0 or 1
    Value within = arith::RemUIOp::create(b, kk, kb.index(8)); // 2t + e
    return arith::AddIOp::create(
        b,
        arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, arith::DivUIOp::create(b, within, kb.index(2)),
                                  kb.index(4)),
            arith::MulIOp::create(b, upper, kb.index(2))),
        arith::RemUIOp::create(b, within, kb.index(2)));
  }
  Value group(Value lane) { return arith::DivUIOp::create(b, lane, kb.index(4)); }
  /// The output row at `position` of the row order, or `rows` past the end.
  Value rowAt(Value position) {
    Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, position, rows);
    auto row = scf::IfOp::create(b, TypeRange{b.getIndexType()}, inside, true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&row.getThenRegion().front());
    scf::YieldOp::create(b, kb.toIndex(kb.loadArray(order, position, b.getI32Type())));
    b.setInsertionPointToStart(&row.getElseRegion().front());
    scf::YieldOp::create(b, rows);
    return row.getResult(0);
  }
  Value threadInGroup(Value lane) { return arith::RemUIOp::create(b, lane, kb.index(4)); }

  /// `v` (f32) rounded to tf32 (round to nearest, ties away from zero, as
  /// cvt.rna.tf32.f32), as the bits of an f32 whose low 13 are zero: in
  /// integer ops, so that the emulation rounds exactly as the kernel. Past
  /// tf32's largest value it becomes inf; inf and NaN stay what they are.
  Value tf32Bits(Value v) {
    Value bits = arith::BitcastOp::create(b, b.getI32Type(), v);
    Value rounded = arith::AddIOp::create(b, bits, kb.i32(0x1000));
    Value kept = arith::AndIOp::create(b, rounded, kb.i32(static_cast<int32_t>(0xFFFFE000u)));
    // NaN payloads that the add would carry into inf stay NaN.
    Value isNaN = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, v, v);
    return arith::SelectOp::create(b, isNaN, bits, kept);
  }
  /// `v` (f32) rounded to the multiplicand type, as its 16 bits in an i32.
  Value bitsOf(Value v) {
    Value narrow = arith::TruncFOp::create(b, multiplicand, v);
    Value bits = arith::BitcastOp::create(b, b.getI16Type(), narrow);
    return arith::ExtUIOp::create(b, b.getI32Type(), bits);
  }
  /// Two f32 as a pair of the multiplicand type, `lo` in the low half.
  Value pack(Value lo, Value hi) {
    Value high = arith::ShLIOp::create(b, bitsOf(hi), kb.i32(16));
    return arith::OrIOp::create(b, bitsOf(lo), high);
  }
  /// Half `high` (index 0 or 1) of a packed pair, as f32.
  Value unpack(Value packed, Value high) {
    Value shift = arith::MulIOp::create(
        b, arith::IndexCastOp::create(b, b.getI32Type(), high), kb.i32(16));
    Value bits = arith::TruncIOp::create(b, b.getI16Type(),
                                         arith::ShRUIOp::create(b, packed, shift));
    Value narrow = arith::BitcastOp::create(b, multiplicand, bits);
    return arith::ExtFOp::create(b, b.getF32Type(), narrow);
  }

  /// The lowest set bit of `bits` (i32, not 0) as an index, and `bits`
  /// without it. (LLVM's intrinsics, which both targets lower, where
  /// convert-gpu-to-nvvm refuses math.cttz and math.ctpop.)
  Value lowestOffset(Value bits) {
    return kb.toIndex(LLVM::CountTrailingZerosOp::create(b, bits, /*is_zero_poison=*/false));
  }
  Value withoutLowest(Value bits) {
    return arith::AndIOp::create(b, bits, arith::SubIOp::create(b, bits, kb.i32(1)));
  }
  /// Word of B chunk `chunk` of `lane` in stage `stage`
  /// (stageWeightsOfOffset).
  Value stagedWeightChunk(Value warpFirst, Value stage, int64_t chunk, Value lane) {
    return chunkAt(warpFirst, stage, weightChunksOfStage(), chunk, lane);
  }
  /// Element of chunk `chunk` of `lane` in stage `stage` (gatherIntoStage).
  Value stagedChunk(Value warpFirst, Value stage, int64_t chunk, Value lane) {
    return chunkAt(warpFirst, stage, chunksOfStage(), chunk, lane);
  }
  /// Element (or word) ((stage * chunks + chunk) * 32 + lane) * 4 past
  /// `warpFirst`.
  Value chunkAt(Value warpFirst, Value stage, int64_t chunks, int64_t chunk, Value lane) {
    Value slot = arith::AddIOp::create(
        b, arith::MulIOp::create(b, stage, kb.index(chunks)), kb.index(chunk));
    Value chunkOfLane =
        arith::AddIOp::create(b, arith::MulIOp::create(b, slot, kb.index(kWarp)), lane);
    return arith::AddIOp::create(b, warpFirst,
                                 arith::MulIOp::create(b, chunkOfLane, kb.index(4)));
  }
  /// Four input values (a vector of f32, as loadTile gives) as two packed
  /// pairs of the multiplicand type, or four tf32 words.
  SmallVector<Value> wordsOf(Value tile) {
    auto element = [&](int64_t e) {
      return vector::ExtractOp::create(b, tile, ArrayRef<int64_t>{e}).getResult();
    };
    if (isTF32())
      return {tf32Bits(element(0)), tf32Bits(element(1)), tf32Bits(element(2)),
              tf32Bits(element(3))};
    return {pack(element(0), element(1)), pack(element(2), element(3))};
  }

  /// The load of input row `entry` (i32, -1: none) at channels
  /// `column`..`column` + 3, elements as stored (rowWordsOf widens them at
  /// their first use): one 4-element load, 16-byte aligned when the input
  /// has rows of whole 16-channel blocks from an aligned base (every GPU
  /// allocation is; `xAlign`). Without a branch: a missing neighbour loads
  /// row 0 and rowWordsOf selects zeros, so that an offset's loads form one
  /// basic block and ptxas can issue them all before the first mma
  /// (callers skip the offsets when the input has no rows).
  Value rowTile(Value entry, Value column) {
    Value has = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry, kb.i32(0));
    Value safe = arith::SelectOp::create(b, has, entry, kb.i32(0));
    return kb.loadTileAsStored(x, {kb.toIndex(safe), column}, 4, xAlign);
  }
  /// The loaded `tile` of row `entry` as two packed pairs, or four tf32
  /// words (zeros when `entry` is -1).
  SmallVector<Value> rowWordsOf(Value tile, Value entry) {
    Value has = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry, kb.i32(0));
    SmallVector<Value> words = wordsOf(kb.widenTile(tile));
    for (Value &word : words)
      word = arith::SelectOp::create(b, has, word, kb.i32(0));
    return words;
  }

  KernelBuilder &kb;
  ImplicitLocOpBuilder &b;
  Type multiplicand;
  Value x, table, order, masks, rows;
  int64_t xAlign = alignmentOf(x, 4);
  int64_t volume, inChannels, outChannels, rowTilesPerWarp, warpColumns, mmasPerWarp;
  Value packedWeights;
  Value stagedWeights;
  bool forWarpgroup = false;
};

/// Where a tensor-core convolution's results go: bias, fused epilogue,
/// output buffer (at `columnOffset` of a concatenation), and the f16 range
/// check word (null for bf16 and tf32).
struct Results {
  Value bias;
  const Epilogue &epilogue;
  Value out;
  int64_t columnOffset;
  Value rangeWord;
};

/// The convolution's warps as host loops (emulate-warps): a parallel
/// iteration per warp, or per block with `sharedWeights` (its threads copy
/// the weights, its warps take tiles by the GPU's grid-stride loop). With
/// `asyncStages` (not 0), the warps' gathers go through that many stages by
/// pipelineOffsets, as the GPU kernel's (gathers = "async"), and with
/// `stagedWeights` the B fragments too (weights_memory = "staged"); with
/// `blockWarps` (not 0: weights_memory = "block" in blocks of that many
/// warps) the pipeline runs the offsets of the warp's block and reads B
/// from the block's stages, and with `warpgroupMma` multiplies by the
/// emulated wgmma (emulateWarpgroupMma).
void emulateWarps(KernelBuilder &kb, TensorCoreConv &conv, const Results &results,
                  bool sharedWeights, int64_t asyncStages, bool stagedWeights,
                  int64_t blockWarps, bool warpgroupMma);

} // namespace scn::cpu::tensor_core

#endif // SCN_LIB_CONVERSION_SCNTOCPU_TENSORCORECONV_H
