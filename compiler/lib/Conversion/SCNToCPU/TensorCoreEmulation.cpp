//===- TensorCoreEmulation.cpp - tensor-core warps as host loops ----------===//
//
// emulate-warps (scn-gpu-emulate-on-host, for tests without a GPU): the
// fragment code of TensorCoreConv runs in a loop over the 32 lanes of each
// warp, and the mma is a loop that reads the fragments back with the PTX
// ISA's layout (TensorCoreConv::emulateMma), so the gathers, packing,
// rounding, epilogue and layout of the kernel are checked on the CPU; only
// nvvm.mma.sync's own lowering is not. Shared-weight kernels run as their
// blocks: each copies its weights with the GPU's thread steps into a
// stand-in for shared memory, and its warps take tiles by the same
// grid-stride loop. Async gathers run the kernel's pipeline over the
// warp's offsets (the same stage and offset order), each copy done when it
// is issued into a stand-in for the warp's stages. Block weights run the
// same pipeline over the offsets of the warp's block, each warp copying
// the block's weight stages itself (what the block's threads copy between
// two barriers on a GPU), so that every warp reads what its block would.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreConv.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace scn::cpu::tensor_core {
namespace {

/// A zero-filled allocation of `shape` x `element` on the stack of a warp.
Value zeroedScratch(KernelBuilder &kb, ArrayRef<int64_t> shape, Type element) {
  auto &b = kb.builder();
  Value buffer = memref::AllocaOp::create(b, MemRefType::get(shape, element));
  Value zero = isa<FloatType>(element) ? kb.f32(0.0) : kb.i32(0);
  kb.forLoop(kb.index(shape[0]), [&](Value i) {
    kb.forLoop(kb.index(shape[1]), [&](Value j) {
      memref::StoreOp::create(b, zero, buffer, ValueRange{i, j});
    });
  });
  return buffer;
}

} // namespace

void emulateWarps(KernelBuilder &kb, TensorCoreConv &conv, const Results &results,
                  bool sharedWeights, int64_t asyncStages, bool stagedWeights,
                  int64_t blockWarps, bool warpgroupMma) {
  const bool blockWeights = blockWarps > 0;
  auto &b = kb.builder();
  int64_t rowTiles = conv.rowTilesOfWarp(), mmas = conv.mmasPerRowTile();
  Type i1 = b.getI1Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  Value blocksOfInput = kb.index(conv.inputBlocks());
  // One warp tile of one column tile, its lanes as loops.
  auto emulateWarp = [&](Value warpTile, Value columnTile) {
    Value columnBase = arith::MulIOp::create(b, columnTile, kb.index(conv.columnsOfWarp()));
    Value accBuf = zeroedScratch(kb, {kWarp, conv.accumulators()}, f32);
    Value aBuf = zeroedScratch(kb, {kWarp, 4}, i32);
    Value bBuf = zeroedScratch(kb, {kWarp, 2 * mmas}, i32);
    // The GPU kernel's warp masks: the OR over the lanes of their rows'
    // neighbour masks, per row tile (of warp tile `tileOfWarp`).
    auto tileMaskOf = [&](Value tileOfWarp, int64_t m) {
      Value tile = conv.rowTileOf(tileOfWarp, m);
      return kb.forLoopCarry(kb.index(kWarp), kb.i32(0), [&](Value lane, Value seen) {
        auto [first, second] = conv.lanePositions(tile, lane);
        Value lanes = arith::OrIOp::create(b, conv.rowMask(first), conv.rowMask(second));
        return arith::OrIOp::create(b, seen, lanes).getResult();
      });
    };
    SmallVector<Value> tileMasks;
    if (conv.votesFromMasks())
      for (int64_t m = 0; m < rowTiles; ++m)
        tileMasks.push_back(tileMaskOf(warpTile, m));
    // The B fragments of offset k and `block`, k step `step`, of every
    // lane (from its stage `stage` of `weightStages` when given).
    Value weightStages, blockStages;
    auto fillB = [&](Value k, Value block, int64_t step, Value stage = Value()) {
      kb.forLoop(kb.index(kWarp), [&](Value lane) {
        auto fragments =
            blockStages ? conv.blockStagedFragmentsB(blockStages, stage, lane,
                                                     getConstantIntValue(block).value())
            : weightStages ? conv.stagedFragmentsB(weightStages, kb.index(0), stage, lane,
                                                   getConstantIntValue(block).value())
                           : conv.fragmentsB(lane, k, block, columnTile);
        for (int64_t j = 0; j < mmas; ++j) {
          auto words = TensorCoreConv::stepOfB(fragments[j], step);
          for (int64_t i = 0; i < 2; ++i)
            memref::StoreOp::create(b, words[i], bBuf, ValueRange{lane, kb.index(2 * j + i)});
        }
      });
    };
    if (asyncStages || blockWeights) {
      // The GPU kernel's pipeline over the warp's offsets (its block's,
      // with block weights), the copies into a stand-in for the warp's
      // stages done when issued.
      int64_t stageCount = asyncStages ? asyncStages : kBlockWeightStages;
      // As the GPU kernel's (TensorCoreLowering.cpp): block weights with
      // gathers in registers gather each offset one compute ahead where
      // TensorCoreConv::gathersAhead says.
      bool gathersAhead = conv.gathersAhead(blockWeights, asyncStages);
      static_assert(kBlockWeightStages == 2,
                    "gathers ahead are carried one compute: two weight stages");
      Value stages =
          asyncStages ? memref::AllocaOp::create(
                            b,
                            MemRefType::get({asyncStages * conv.stageElements()},
                                            conv.inputElement()),
                            b.getI64IntegerAttr(16))
                            .getResult()
                      : Value();
      Value warpFirst = kb.index(0);
      if (stagedWeights)
        weightStages = memref::AllocaOp::create(
            b, MemRefType::get({asyncStages * conv.weightStageWords()}, i32),
            b.getI64IntegerAttr(16));
      if (blockWeights)
        blockStages = memref::AllocaOp::create(
            b, MemRefType::get({stageCount * conv.offsetWeightWords()}, i32),
            b.getI64IntegerAttr(16));
      Value mask = kb.i32(0);
      for (Value tileMask : tileMasks)
        mask = arith::OrIOp::create(b, mask, tileMask);
      if (blockWeights) {
        // The offsets of every warp of the block (warp tiles blockWarps *
        // blockX onwards; those past the last have no rows, so empty masks).
        Value firstOfBlock = arith::MulIOp::create(
            b, arith::DivUIOp::create(b, warpTile, kb.index(blockWarps)),
            kb.index(blockWarps));
        for (int64_t w = 0; w < blockWarps; ++w)
          for (int64_t m = 0; m < rowTiles; ++m)
            mask = arith::OrIOp::create(
                b, mask,
                tileMaskOf(arith::AddIOp::create(b, firstOfBlock, kb.index(w)), m));
      }
      mask = arith::SelectOp::create(b, conv.inputHasRows(), mask, kb.i32(0));
      auto inTile = [&](int64_t m, Value k, llvm::function_ref<void()> body) {
        auto tileIf = scf::IfOp::create(b, TypeRange{}, conv.bitSet(tileMasks[m], k), false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&tileIf.getThenRegion().front());
        body();
      };
      // The GPU kernel fetches its table entries an issue ahead; here the
      // fetched value is the offset itself, which the copies then use, so
      // that fetching for the wrong offset gives wrong sums here too.
      conv.pipelineOffsets(
          mask, stageCount, ValueRange{}, TypeRange{i32},
          [&](Value k) {
            return SmallVector<Value>{arith::IndexCastOp::create(b, i32, k)};
          },
          [&](Value, Value stage, ValueRange fetched) {
            Value k = kb.toIndex(fetched.front());
            if (blockStages) {
              int64_t threads = blockWarps * kWarp;
              kb.forLoop(kb.index(threads), [&](Value thread) {
                conv.stageOffsetWeights(blockStages, stage, k, columnTile, thread, threads);
              });
            }
            if (!asyncStages)
              return;
            if (weightStages)
              kb.forLoop(kb.index(kWarp), [&](Value lane) {
                conv.stageWeightsOfOffset(weightStages, warpFirst, stage, lane, k, columnTile);
              });
            for (int64_t m = 0; m < rowTiles; ++m)
              inTile(m, k, [&] {
                Value tile = conv.rowTileOf(warpTile, m);
                kb.forLoop(kb.index(kWarp), [&](Value lane) {
                  auto [first, second] = conv.lanePositions(tile, lane);
                  conv.gatherIntoStage(stages, warpFirst, stage, lane, m,
                                       conv.neighbour(first, k), conv.neighbour(second, k));
                });
              });
          },
          [] {}, [] {}, [] {},
          [&](Value k, Value stage, ValueRange, ValueRange ahead) {
            // Block weights with gathers in registers gather an offset
            // ahead on the GPU; here the gathered value is the offset
            // itself, which the gathers below then read from.
            Value gatherK = ahead.empty() ? k : kb.toIndex(ahead.front());
            if (warpgroupMma) {
              // The warp's 16 rows of the warpgroup's wgmmas, B through
              // the descriptors (stage addresses from 0 at the stand-in's
              // start, which is as aligned as the kernel's stages).
              Type i64 = b.getI64Type();
              Value stageAddress = arith::MulIOp::create(
                  b, arith::IndexCastOp::create(b, i64, stage),
                  arith::ConstantIntOp::create(b, i64, conv.offsetWeightWords() * 4));
              for (int64_t block = 0; block < conv.inputBlocks(); ++block)
                inTile(0, k, [&] {
                  Value tile = conv.rowTileOf(warpTile, 0);
                  kb.forLoop(kb.index(kWarp), [&](Value lane) {
                    auto [first, second] = conv.lanePositions(tile, lane);
                    auto a = conv.fragmentA(lane, conv.neighbour(first, gatherK),
                                            conv.neighbour(second, gatherK),
                                            kb.index(block * kDepth))[0];
                    for (int64_t i = 0; i < 4; ++i)
                      memref::StoreOp::create(b, a[i], aBuf, ValueRange{lane, kb.index(i)});
                  });
                  conv.emulateWarpgroupMma(aBuf, blockStages,
                                           conv.warpgroupDescriptor(stageAddress, block), accBuf);
                });
              return SmallVector<Value>{};
            }
            for (int64_t block = 0; block < conv.inputBlocks(); ++block)
              for (int64_t step = 0; step < conv.kSteps(); ++step) {
                fillB(k, kb.index(block), step, stage);
                for (int64_t m = 0; m < rowTiles; ++m)
                  inTile(m, k, [&] {
                    kb.forLoop(kb.index(kWarp), [&](Value lane) {
                      SmallVector<Value> a;
                      if (asyncStages) {
                        a = conv.stagedFragmentA(stages, warpFirst, stage, lane, m,
                                                 block)[step];
                      } else {
                        auto [first, second] = conv.lanePositions(conv.rowTileOf(warpTile, m), lane);
                        a = conv.fragmentA(lane, conv.neighbour(first, gatherK),
                                           conv.neighbour(second, gatherK),
                                           kb.index(block * kDepth))[step];
                      }
                      for (int64_t i = 0; i < 4; ++i)
                        memref::StoreOp::create(b, a[i], aBuf, ValueRange{lane, kb.index(i)});
                    });
                    for (int64_t j = 0; j < mmas; ++j)
                      conv.emulateMma(aBuf, bBuf, accBuf, j, 4 * (m * mmas + j));
                  });
              }
            return SmallVector<Value>{};
          },
          gathersAhead ? TypeRange{i32} : TypeRange{},
          [&](Value, ValueRange fetched) { return SmallVector<Value>{fetched.front()}; });
    } else {
      kb.forLoop(kb.index(conv.offsets()), [&](Value k) {
        // The warp votes of the GPU kernel: does any lane have a neighbour
        // in row tile m, and in any row tile?
        SmallVector<Value> anyInTile;
        Value none = arith::ConstantIntOp::create(b, i1, 0), any = none;
        for (int64_t m = 0; m < rowTiles; ++m) {
          Value tile = conv.rowTileOf(warpTile, m);
          anyInTile.push_back(
              conv.votesFromMasks()
                  ? conv.bitSet(tileMasks[m], k)
                  : kb.forLoopCarry(kb.index(kWarp), none, [&](Value lane, Value seen) {
                      auto [first, second] = conv.lanePositions(tile, lane);
                      Value has = conv.laneHasNeighbour(conv.neighbour(first, k),
                                                        conv.neighbour(second, k));
                      return arith::OrIOp::create(b, seen, has).getResult();
                    }));
          any = arith::OrIOp::create(b, any, anyInTile.back());
        }
        any = arith::AndIOp::create(b, any, conv.inputHasRows());
        auto anyIf = scf::IfOp::create(b, TypeRange{}, any, /*withElseRegion=*/false);
        OpBuilder::InsertionGuard skip(b);
        b.setInsertionPointToStart(&anyIf.getThenRegion().front());
        kb.forLoop(blocksOfInput, [&](Value block) {
          Value base = arith::MulIOp::create(b, block, kb.index(kDepth));
          // One mma per k step (two for tf32's k = 8) and output tile.
          for (int64_t step = 0; step < conv.kSteps(); ++step) {
            fillB(k, block, step);
            for (int64_t m = 0; m < rowTiles; ++m) {
              auto tileIf = scf::IfOp::create(b, TypeRange{}, anyInTile[m], false);
              OpBuilder::InsertionGuard inTile(b);
              b.setInsertionPointToStart(&tileIf.getThenRegion().front());
              Value tile = conv.rowTileOf(warpTile, m);
              kb.forLoop(kb.index(kWarp), [&](Value lane) {
                auto [first, second] = conv.lanePositions(tile, lane);
                auto a = conv.fragmentA(lane, conv.neighbour(first, k),
                                        conv.neighbour(second, k), base)[step];
                for (int64_t i = 0; i < 4; ++i)
                  memref::StoreOp::create(b, a[i], aBuf, ValueRange{lane, kb.index(i)});
              });
              for (int64_t j = 0; j < mmas; ++j)
                conv.emulateMma(aBuf, bBuf, accBuf, j, 4 * (m * mmas + j));
            }
          }
        });
      });
    }
    kb.forLoop(kb.index(kWarp), [&](Value lane) {
      for (int64_t m = 0; m < rowTiles; ++m) {
        SmallVector<Value> acc;
        for (int64_t i = 0; i < 4 * mmas; ++i)
          acc.push_back(memref::LoadOp::create(
              b, accBuf, ValueRange{lane, kb.index(4 * m * mmas + i)}));
        conv.writeResults(lane, conv.rowTileOf(warpTile, m), columnBase, acc, results.bias,
                          results.epilogue, results.out,
                          results.columnOffset, results.rangeWord);
      }
    });
  };
  Value columnTiles = kb.index(conv.columnTiles());
  if (!sharedWeights) {
    // One parallel iteration per warp.
    kb.parallelRows(arith::MulIOp::create(b, conv.warpTiles(), columnTiles), [&](Value warp) {
      emulateWarp(arith::DivUIOp::create(b, warp, columnTiles),
                  arith::RemUIOp::create(b, warp, columnTiles));
    });
    return;
  }
  // The GPU kernel's blocks, one parallel iteration each: its threads copy
  // the column tile's weights (the same steps as on the GPU) into a
  // stand-in for shared memory, then its warps take warp tiles by the
  // same grid-stride loop.
  Value warpTiles = conv.warpTiles();
  Value gridX = arith::MinUIOp::create(
      b, arith::CeilDivUIOp::create(b, warpTiles, kb.index(kSharedWeightsWarps)),
      kb.index(kEmulatedResidentBlocks));
  kb.parallelRows(arith::MulIOp::create(b, gridX, columnTiles), [&](Value block) {
    Value blockX = arith::DivUIOp::create(b, block, columnTiles);
    Value columnTile = arith::RemUIOp::create(b, block, columnTiles);
    Value staged = memref::AllocaOp::create(b, MemRefType::get({conv.stagedWords()}, i32),
                                            b.getI64IntegerAttr(16));
    int64_t threads = kSharedWeightsWarps * kWarp;
    kb.forLoop(kb.index(threads), [&](Value thread) {
      conv.stageWeights(staged, columnTile, thread, threads);
    });
    conv.readWeightsFrom(staged);
    kb.forLoop(kb.index(kSharedWeightsWarps), [&](Value warp) {
      Value first = arith::AddIOp::create(
          b, arith::MulIOp::create(b, blockX, kb.index(kSharedWeightsWarps)), warp);
      Value stride = arith::MulIOp::create(b, gridX, kb.index(kSharedWeightsWarps));
      auto tiles = scf::ForOp::create(b, first, warpTiles, stride);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(tiles.getBody()->getTerminator());
      // The warp's scratch is freed after each tile, not at the block's end.
      auto scope = memref::AllocaScopeOp::create(b, TypeRange{});
      b.setInsertionPointToStart(&scope.getBodyRegion().emplaceBlock());
      emulateWarp(tiles.getInductionVar(), columnTile);
      memref::AllocaScopeReturnOp::create(b);
    });
    conv.readWeightsFrom(Value());
  });
}

} // namespace scn::cpu::tensor_core
