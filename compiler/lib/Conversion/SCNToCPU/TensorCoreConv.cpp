//===- TensorCoreConv.cpp - the larger pieces of TensorCoreConv ----------===//
//
// The member functions of TensorCoreConv (TensorCoreConv.h) too long for
// the header: weight packing, the async gathers' and staged weights'
// copies and reads, the pipeline over a warp's offsets, the epilogue and
// the mma's emulation. Block weights and wgmma: TensorCoreBlockWeights.cpp.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreConv.h"

namespace scn::cpu::tensor_core {

void TensorCoreConv::packWeights(Value w) {
  // Every column tile's chunks: a pair of weights a word (f16, bf16) or
  // one (tf32).
  int64_t total = stagedWords() * columnTiles();
  packedWeights = kb.allocAligned(MemRefType::get({total}, b.getI32Type()));
  Value wFlat = kb.flatten(w);
  kb.parallelRows(kb.index(total), [&](Value i) {
    // i = (((((k * blocks + block) * columnTiles + tile) * loads + q) *
    //     32 + lane) * 4 + e, for the lane's slot 4q + e = wordsOfB() * j + r.
    auto divide = [&](Value &v, int64_t d) {
      Value rem = arith::RemUIOp::create(b, v, kb.index(d));
      v = arith::DivUIOp::create(b, v, kb.index(d));
      return rem;
    };
    Value rest = i;
    Value e = divide(rest, 4);
    Value lane = divide(rest, kWarp);
    Value q = divide(rest, loadsOfB());
    Value tile = divide(rest, columnTiles());
    Value kBlock = rest; // k * blocks + block
    Value slot = arith::AddIOp::create(b, arith::MulIOp::create(b, q, kb.index(4)), e);
    Value j = arith::DivUIOp::create(b, slot, kb.index(wordsOfB()));
    Value r = arith::RemUIOp::create(b, slot, kb.index(wordsOfB()));
    // Input channels 16 block + 4t + 2r and + 1 (a pair of f16/bf16), or
    // 16 block + 4t + r (one tf32); output channel tile * warpColumns +
    // 8j + g. Element (k, c, n) of the flat weights is at (k * Cin + c) *
    // Cout + n, and k * Cin + 16 block = 16 kBlock.
    Value c = arith::AddIOp::create(
        b, arith::MulIOp::create(b, kBlock, kb.index(kDepth)),
        arith::AddIOp::create(b, arith::MulIOp::create(b, threadInGroup(lane), kb.index(4)),
                              arith::MulIOp::create(b, r, kb.index(isTF32() ? 1 : 2))));
    Value n = arith::AddIOp::create(
        b, arith::MulIOp::create(b, tile, kb.index(warpColumns)),
        arith::AddIOp::create(b, arith::MulIOp::create(b, j, kb.index(kColumns)), group(lane)));
    Value lo = arith::AddIOp::create(b, arith::MulIOp::create(b, c, kb.index(outChannels)), n);
    Value hi = arith::AddIOp::create(b, lo, kb.index(outChannels));
    Value packed = isTF32() ? tf32Bits(memref::LoadOp::create(b, wFlat, ValueRange{lo}))
                            : pack(memref::LoadOp::create(b, wFlat, ValueRange{lo}),
                                   memref::LoadOp::create(b, wFlat, ValueRange{hi}));
    memref::StoreOp::create(b, packed, packedWeights, ValueRange{i});
  });
}

void TensorCoreConv::gatherIntoStage(Value buffer, Value warpFirst, Value stage, Value lane,
                                     int64_t m, Value entry0, Value entry1) {
  Value column0 = arith::MulIOp::create(b, threadInGroup(lane), kb.index(4));
  for (int64_t half = 0; half < 2; ++half) {
    Value entry = half ? entry1 : entry0;
    Value has = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, entry, kb.i32(0));
    Value row = kb.toIndex(arith::SelectOp::create(b, has, entry, kb.i32(0)));
    for (int64_t block = 0; block < inputBlocks(); ++block) {
      Value column = arith::AddIOp::create(b, column0, kb.index(block * kDepth));
      Value at = stagedChunk(warpFirst, stage, (2 * m + half) * inputBlocks() + block, lane);
      if (kb.emulateWarps()) {
        // The elements as they are (no conversion, so no range check of
        // stored f16 activations, which cp.async does not make either).
        Value zero = arith::ConstantOp::create(b, b.getZeroAttr(inputElement()));
        for (int64_t e = 0; e < 4; ++e) {
          Value value = memref::LoadOp::create(
              b, x, ValueRange{row, arith::AddIOp::create(b, column, kb.index(e))});
          memref::StoreOp::create(b, arith::SelectOp::create(b, has, value, zero), buffer,
                                  ValueRange{arith::AddIOp::create(b, at, kb.index(e))});
        }
        continue;
      }
      Value elements = arith::SelectOp::create(b, has, kb.index(4), kb.index(0));
      nvgpu::DeviceAsyncCopyOp::create(b, buffer, ValueRange{at}, x, ValueRange{row, column},
                                       b.getIndexAttr(4), elements,
                                       chunkBytes() == 16 ? b.getUnitAttr() : UnitAttr());
    }
  }
}

SmallVector<SmallVector<Value>> TensorCoreConv::stagedFragmentA(Value buffer, Value warpFirst,
                                                                Value stage, Value lane, int64_t m,
                                                                int64_t block) {
  auto words = [&](int64_t half) {
    Value at = stagedChunk(warpFirst, stage, (2 * m + half) * inputBlocks() + block, lane);
    return wordsOf(kb.loadTile(buffer, {at}, 4, chunkBytes()));
  };
  SmallVector<Value> r0 = words(0), r1 = words(1);
  if (!isTF32())
    return {{r0[0], r1[0], r0[1], r1[1]}};
  return {{r0[0], r1[0], r0[1], r1[1]}, {r0[2], r1[2], r0[3], r1[3]}};
}

void TensorCoreConv::stageWeightsOfOffset(Value buffer, Value warpFirst, Value stage, Value lane,
                                          Value k, Value columnTile) {
  for (int64_t block = 0; block < inputBlocks(); ++block)
    for (int64_t q = 0; q < loadsOfB(); ++q) {
      Value from = weightChunk(lane, k, kb.index(block), columnTile, q);
      Value at = stagedWeightChunk(warpFirst, stage, block * loadsOfB() + q, lane);
      if (kb.emulateWarps())
        kb.storeTile(kb.loadTile(packedWeights, {from}, 4, 16), buffer, {at}, 16);
      else
        nvgpu::DeviceAsyncCopyOp::create(b, buffer, ValueRange{at}, packedWeights, ValueRange{from},
                                         b.getIndexAttr(4), Value(), b.getUnitAttr());
    }
}

SmallVector<SmallVector<Value>> TensorCoreConv::stagedFragmentsB(Value buffer, Value warpFirst,
                                                                 Value stage, Value lane,
                                                                 int64_t block) {
  SmallVector<Value> tiles;
  for (int64_t q = 0; q < loadsOfB(); ++q)
    tiles.push_back(kb.loadTile(
        buffer, {stagedWeightChunk(warpFirst, stage, block * loadsOfB() + q, lane)}, 4, 16));
  return fragmentsOfTiles(tiles);
}

SmallVector<Value> TensorCoreConv::pipelineOffsets(
    Value mask, int64_t stages, ValueRange init, TypeRange fetchTypes,
    llvm::function_ref<SmallVector<Value>(Value)> fetch,
    llvm::function_ref<void(Value, Value, ValueRange)> issue,
    llvm::function_ref<void()> beforeIssue, llvm::function_ref<void()> commit,
    llvm::function_ref<void()> waitForOffset,
    llvm::function_ref<SmallVector<Value>(Value, Value, ValueRange, ValueRange)> compute,
    TypeRange aheadTypes, llvm::function_ref<SmallVector<Value>(Value, ValueRange)> gatherAhead) {
  Type i32 = b.getI32Type();
  // With two stages the offset issued in a step is the one computed in the
  // next, so what gatherAhead gives at the issue is carried one step.
  assert((aheadTypes.empty() || stages == 2) && "gathers ahead need two stages");
  auto zerosOf = [&](TypeRange types) {
    SmallVector<Value> zeros;
    for (Type type : types)
      zeros.push_back(arith::ConstantOp::create(b, b.getZeroAttr(type)));
    return zeros;
  };
  // fetch(lowest offset of `bits`), or zeros (unused) when there is none.
  auto fetchLowest = [&](Value bits) -> SmallVector<Value> {
    if (fetchTypes.empty()) // nothing to fetch (and no if without results)
      return {};
    Value some = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, bits, kb.i32(0));
    auto fetched = scf::IfOp::create(b, fetchTypes, some, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&fetched.getElseRegion().front());
    scf::YieldOp::create(b, zerosOf(fetchTypes));
    b.setInsertionPointToStart(&fetched.getThenRegion().front());
    scf::YieldOp::create(b, fetch(lowestOffset(bits)));
    return SmallVector<Value>(fetched.getResults());
  };
  // Issues the lowest offset of `bits` (with its `fetched` values) when
  // there is one, gathers it ahead, then fetches for the next: the bits
  // left, their fetched values and the gathers ahead (zeros when nothing
  // was issued).
  auto issueNext = [&](Value bits, ValueRange fetched, Value stage) {
    SmallVector<Type> types{i32};
    types.append(fetchTypes.begin(), fetchTypes.end());
    types.append(aheadTypes.begin(), aheadTypes.end());
    Value some = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, bits, kb.i32(0));
    auto next = scf::IfOp::create(b, types, some, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&next.getElseRegion().front());
    SmallVector<Value> unchanged{bits};
    unchanged.append(fetched.begin(), fetched.end());
    auto noGathers = zerosOf(aheadTypes);
    unchanged.append(noGathers.begin(), noGathers.end());
    scf::YieldOp::create(b, unchanged);
    b.setInsertionPointToStart(&next.getThenRegion().front());
    Value k = lowestOffset(bits);
    issue(k, stage, fetched);
    SmallVector<Value> gathered;
    if (!aheadTypes.empty())
      gathered = gatherAhead(k, fetched);
    SmallVector<Value> rest{withoutLowest(bits)};
    auto fetchedNext = fetchLowest(rest.front());
    rest.append(fetchedNext.begin(), fetchedNext.end());
    rest.append(gathered.begin(), gathered.end());
    scf::YieldOp::create(b, rest);
    return SmallVector<Value>(next.getResults());
  };
  size_t fetches = fetchTypes.size(), aheads = aheadTypes.size();
  SmallVector<Value> ahead{mask};
  auto fetchedFirst = fetchLowest(mask);
  ahead.append(fetchedFirst.begin(), fetchedFirst.end());
  // The gathers of the first offset computed (issued in the first step).
  SmallVector<Value> firstGathers;
  for (int64_t s = 0; s + 1 < stages; ++s) {
    auto issued = issueNext(ahead.front(), ValueRange(ahead).drop_front(), kb.index(s));
    ahead.assign(issued.begin(), issued.begin() + 1 + fetches);
    if (s == 0)
      firstGathers.assign(issued.begin() + 1 + fetches, issued.end());
    commit();
  }
  // Carried: the offsets left to issue, their next one's fetched values,
  // the offsets left to compute, the gathers of the next one computed, the
  // accumulators.
  SmallVector<Value> carried(ahead);
  carried.push_back(mask);
  carried.append(firstGathers.begin(), firstGathers.end());
  carried.append(init.begin(), init.end());
  Value count = kb.toIndex(LLVM::CtPopOp::create(b, mask));
  auto results = kb.forLoopCarryN(count, carried, [&](Value i, ValueRange state) {
    Value aheadStage = arith::RemUIOp::create(b, arith::AddIOp::create(b, i, kb.index(stages - 1)),
                                              kb.index(stages));
    beforeIssue();
    SmallVector<Value> issued = issueNext(state.front(), state.slice(1, fetches), aheadStage);
    SmallVector<Value> next(issued.begin(), issued.begin() + 1 + fetches);
    commit();
    waitForOffset();
    Value pending = state[1 + fetches];
    next.push_back(withoutLowest(pending));
    next.append(issued.begin() + 1 + fetches, issued.end());
    auto acc = compute(lowestOffset(pending), arith::RemUIOp::create(b, i, kb.index(stages)),
                       state.drop_front(2 + fetches + aheads), state.slice(2 + fetches, aheads));
    next.append(acc.begin(), acc.end());
    return next;
  });
  return SmallVector<Value>(ValueRange(results).drop_front(2 + fetches + aheads));
}

void TensorCoreConv::prefetchTableRows(Value first, int64_t rowsOfWarp, Value lane) {
  // 32 entries (128 bytes) apart, then the last entry, cover every line
  // of the span however it is aligned.
  constexpr int64_t kEntriesOfLine = 32;
  const int64_t span = rowsOfWarp * volume;
  const int64_t addresses = span / kEntriesOfLine + 2;
  Value entries = arith::MulIOp::create(b, rows, kb.index(volume));
  Value firstEntry = arith::MulIOp::create(b, first, kb.index(volume));
  Value any = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, firstEntry, entries);
  scf::IfOp::create(b, any, [&](OpBuilder &, Location) {
    Value end = arith::MinUIOp::create(
        b, arith::AddIOp::create(b, firstEntry, kb.index(span)), entries);
    Value lastEntry = arith::SubIOp::create(b, end, kb.index(1));
    for (int64_t round = 0; round * kWarp < addresses; ++round) {
      Value i = arith::AddIOp::create(b, lane, kb.index(round * kWarp));
      Value used = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, i, kb.index(addresses));
      scf::IfOp::create(b, used, [&](OpBuilder &, Location) {
        Value entry = arith::MinUIOp::create(
            b, arith::AddIOp::create(b, firstEntry,
                                     arith::MulIOp::create(b, i, kb.index(kEntriesOfLine))),
            lastEntry);
        Value address = LLVM::GEPOp::create(b, kb.ptrType(), b.getI32Type(), table,
                                            ValueRange{kb.toI64(entry)},
                                            LLVM::GEPNoWrapFlags::inbounds);
        kb.callResults(kPrefetchL1Placeholder, TypeRange{}, ValueRange{address});
        scf::YieldOp::create(b);
      });
    }
    scf::YieldOp::create(b);
  });
}

void TensorCoreConv::writeResults(Value lane, Value rowTile, Value columnBase, ValueRange acc,
                                  Value biasBuf, const Epilogue &epilogue, Value out,
                                  int64_t columnOffset,
                                  Value rangeWord) {
  auto [row0, row1] = laneRows(rowTile, lane);
  Value twoT = arith::MulIOp::create(b, threadInGroup(lane), kb.index(2));
  auto vec2 = VectorType::get({2}, b.getF32Type());
  for (int64_t j = 0; j < mmasPerWarp; ++j) {
    Value channel = arith::AddIOp::create(b, columnBase,
                                          arith::AddIOp::create(b, twoT, kb.index(j * kColumns)));
    for (int64_t half = 0; half < 2; ++half) {
      Value row = half ? row1 : row0;
      Value valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, rows);
      scf::IfOp::create(b, valid, [&](OpBuilder &, Location) {
        Value sums = vector::FromElementsOp::create(
            b, vec2, ValueRange{acc[4 * j + 2 * half], acc[4 * j + 2 * half + 1]});
        if (rangeWord) {
          // Not (|s| <= the largest f32): inf or NaN.
          kb.setCheckWordIf(rangeWord,
                            kb.magnitudeAtLeast(sums, std::numeric_limits<float>::infinity()));
        }
        if (biasBuf)
          sums = arith::AddFOp::create(b, sums,
                                       kb.loadTile(biasBuf, {channel}, 2, alignmentOf(biasBuf, 2)));
        sums = applyEpilogue(kb, sums, epilogue, row, channel, /*alignedTiles=*/true);
        Value column = columnOffset
                           ? arith::AddIOp::create(b, channel, kb.index(columnOffset)).getResult()
                           : channel;
        kb.storeTile(sums, out, {row, column}, alignmentOf(out, 2, columnOffset));
        scf::YieldOp::create(b);
      });
    }
  }
}

void TensorCoreConv::emulateMma(Value aBuf, Value bBuf, Value accBuf, int64_t j, int64_t accSlot) {
  kb.forLoop(kb.index(kWarp), [&](Value lane) {
    for (int64_t i = 0; i < 4; ++i) {
      // c_i of this lane is C(g + 8 (i / 2), 2t + i % 2).
      Value row = arith::AddIOp::create(b, group(lane), kb.index(8 * (i / 2)));
      Value col = arith::AddIOp::create(
          b, arith::MulIOp::create(b, threadInGroup(lane), kb.index(2)), kb.index(i % 2));
      Value slot = kb.index(accSlot + i);
      Value init = memref::LoadOp::create(b, accBuf, ValueRange{lane, slot});
      // A register holds `perRegister` k positions (f16/bf16 pairs, one
      // tf32), and the 4 lanes of a group hold `span` consecutive ones:
      // A(row, kk) is in lane 4 (row % 8) + (kk % span) / perRegister,
      // register row / 8 + 2 (kk / span), half kk % perRegister; B(kk,
      // col) in lane 4 col + (kk % span) / perRegister, register
      // kk / span (of mma j's two).
      int64_t perRegister = isTF32() ? 1 : 2, span = 4 * perRegister;
      Value sum = kb.forLoopCarry(kb.index(2 * span), init, [&](Value kk, Value acc) {
        Value inGroup = arith::DivUIOp::create(b, arith::RemUIOp::create(b, kk, kb.index(span)),
                                               kb.index(perRegister));
        Value kkBlock = arith::DivUIOp::create(b, kk, kb.index(span));
        Value aLane = arith::AddIOp::create(
            b, arith::MulIOp::create(b, arith::RemUIOp::create(b, row, kb.index(8)), kb.index(4)),
            inGroup);
        Value aReg = arith::AddIOp::create(b, arith::DivUIOp::create(b, row, kb.index(8)),
                                           arith::MulIOp::create(b, kkBlock, kb.index(2)));
        Value bLane = arith::AddIOp::create(b, arith::MulIOp::create(b, col, kb.index(4)), inGroup);
        Value bReg = arith::AddIOp::create(b, kkBlock, kb.index(2 * j));
        auto value = [&](Value word) -> Value {
          if (isTF32()) // tf32 as the bits of an f32
            return arith::BitcastOp::create(b, b.getF32Type(), word);
          return unpack(word, arith::RemUIOp::create(b, kk, kb.index(2)));
        };
        Value av = value(memref::LoadOp::create(b, aBuf, ValueRange{aLane, aReg}));
        Value bv = value(memref::LoadOp::create(b, bBuf, ValueRange{bLane, bReg}));
        return arith::AddFOp::create(b, acc, arith::MulFOp::create(b, av, bv));
      });
      memref::StoreOp::create(b, sum, accBuf, ValueRange{lane, slot});
    }
  });
}

} // namespace scn::cpu::tensor_core
