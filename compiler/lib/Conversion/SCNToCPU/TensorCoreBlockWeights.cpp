//===- TensorCoreBlockWeights.cpp - block weights and wgmma -------------===//
//
// The pieces of TensorCoreConv (TensorCoreConv.h) for weights_memory =
// "block": the copy of an offset's weights into a block's stage and the
// lanes' fragments from it, and, for warpgroup_mma (sm_90a), the weights
// in wgmma's swizzled layout, its shared-memory descriptors, the wgmma
// placeholder and its emulation.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreConv.h"

namespace scn::cpu::tensor_core {

void TensorCoreConv::stageOffsetWeights(Value buffer, Value stage, Value k, Value columnTile,
                                        Value thread, int64_t threads) {
  int64_t chunks = offsetWeightWords() / 4;
  Value first = arith::MulIOp::create(b, k, kb.index(offsetWeightWords()));
  Value stageFirst = arith::MulIOp::create(b, stage, kb.index(offsetWeightWords()));
  for (int64_t r = 0; r * threads < chunks; ++r) {
    Value chunk = arith::AddIOp::create(b, thread, kb.index(r * threads));
    auto copy = [&] {
      Value word = arith::MulIOp::create(b, chunk, kb.index(4));
      Value from =
          forWarpgroup
              ? arith::AddIOp::create(
                    b,
                    arith::MulIOp::create(
                        b,
                        arith::AddIOp::create(
                            b, arith::MulIOp::create(b, k, kb.index(columnTiles())), columnTile),
                        kb.index(offsetWeightWords())),
                    word)
                    .getResult()
              : stagedSource(arith::AddIOp::create(b, first, word), columnTile);
      Value at = arith::AddIOp::create(b, stageFirst, word);
      if (kb.emulateWarps())
        kb.storeTile(kb.loadTile(packedWeights, {from}, 4, 16), buffer, {at}, 16);
      else
        nvgpu::DeviceAsyncCopyOp::create(b, buffer, ValueRange{at}, packedWeights, ValueRange{from},
                                         b.getIndexAttr(4), Value(), b.getUnitAttr());
    };
    if ((r + 1) * threads <= chunks) {
      copy();
      continue;
    }
    // The last round, where fewer chunks than threads are left.
    Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, chunk, kb.index(chunks));
    scf::IfOp::create(b, inside, [&](OpBuilder &, Location) {
      copy();
      scf::YieldOp::create(b);
    });
  }
}

SmallVector<SmallVector<Value>> TensorCoreConv::blockStagedFragmentsB(Value buffer, Value stage,
                                                                      Value lane, int64_t block) {
  Value stageFirst = arith::MulIOp::create(b, stage, kb.index(offsetWeightWords()));
  // As weightChunk's: the lane's first 4 words of the block, load q
  // 128 words further.
  Value first = arith::AddIOp::create(
      b, stageFirst,
      arith::MulIOp::create(b, arith::AddIOp::create(b, lane, kb.index(block * kWarp * loadsOfB())),
                            kb.index(4)));
  SmallVector<Value> tiles;
  for (int64_t q = 0; q < loadsOfB(); ++q)
    tiles.push_back(
        kb.loadTile(buffer, {arith::AddIOp::create(b, first, kb.index(q * kWarp * 4))}, 4, 16));
  return fragmentsOfTiles(tiles);
}

void TensorCoreConv::packWeightsForWarpgroup(Value w) {
  forWarpgroup = true;
  int64_t words = offsetWeightWords();
  int64_t total = volume * columnTiles() * words;
  packedWeights = kb.allocAligned(MemRefType::get({total}, b.getI32Type()));
  Value wFlat = kb.flatten(w);
  kb.parallelRows(kb.index(total), [&](Value i) {
    Value kTile = arith::DivUIOp::create(b, i, kb.index(words));
    Value k = arith::DivUIOp::create(b, kTile, kb.index(columnTiles()));
    Value tile = arith::RemUIOp::create(b, kTile, kb.index(columnTiles()));
    Value byte =
        arith::MulIOp::create(b, arith::RemUIOp::create(b, i, kb.index(words)), kb.index(4));
    Value atom = arith::DivUIOp::create(b, byte, kb.index(warpgroupAtomBytes()));
    Value within = arith::RemUIOp::create(b, byte, kb.index(warpgroupAtomBytes()));
    Value n = arith::DivUIOp::create(b, within, kb.index(128));
    Value stored =
        arith::DivUIOp::create(b, arith::RemUIOp::create(b, within, kb.index(128)), kb.index(16));
    // The chunk's place undone: chunk c of row n is stored at c ^ (n % 8).
    Value chunk = arith::XOrIOp::create(b, stored, arith::RemUIOp::create(b, n, kb.index(8)));
    // k position (within the atom) of the word's low half: even.
    Value position = arith::AddIOp::create(
        b, arith::MulIOp::create(b, chunk, kb.index(8)),
        arith::DivUIOp::create(b, arith::RemUIOp::create(b, within, kb.index(16)), kb.index(2)));
    Value c = arith::AddIOp::create(
        b, arith::MulIOp::create(b, atom, kb.index(64)),
        arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, arith::DivUIOp::create(b, position, kb.index(16)),
                                  kb.index(16)),
            channelOfPosition(arith::RemUIOp::create(b, position, kb.index(16)))));
    Value column =
        arith::AddIOp::create(b, arith::MulIOp::create(b, tile, kb.index(warpColumns)), n);
    // Element (k, c, n) of the flat weights is at (k * Cin + c) * Cout + n.
    Value lo = arith::AddIOp::create(
        b,
        arith::MulIOp::create(
            b, arith::AddIOp::create(b, arith::MulIOp::create(b, k, kb.index(inChannels)), c),
            kb.index(outChannels)),
        column);
    Value hi = arith::AddIOp::create(b, lo, kb.index(outChannels));
    memref::StoreOp::create(b,
                            pack(memref::LoadOp::create(b, wFlat, ValueRange{lo}),
                                 memref::LoadOp::create(b, wFlat, ValueRange{hi})),
                            packedWeights, ValueRange{i});
  });
}

Value TensorCoreConv::warpgroupDescriptor(Value stageAddress, int64_t step) {
  Type i64 = b.getI64Type();
  auto constant = [&](int64_t v) { return arith::ConstantIntOp::create(b, i64, v); };
  Value start = arith::AddIOp::create(b, stageAddress,
                                      constant((step / 4) * warpgroupAtomBytes() + (step % 4) * 32));
  Value field =
      arith::AndIOp::create(b, arith::ShRUIOp::create(b, start, constant(4)), constant(0x3FFF));
  int64_t fixed = (int64_t{1} << 16) | (int64_t{1024 >> 4} << 32) | (int64_t{1} << 62);
  return arith::OrIOp::create(b, field, constant(fixed));
}

void TensorCoreConv::emulateWarpgroupMma(Value aBuf, Value shared, Value descriptor, Value accBuf) {
  Type i64 = b.getI64Type();
  auto constant = [&](int64_t v) { return arith::ConstantIntOp::create(b, i64, v); };
  auto field = [&](int64_t shift) {
    return arith::ShLIOp::create(
        b,
        arith::AndIOp::create(b, arith::ShRUIOp::create(b, descriptor, constant(shift)),
                              constant(0x3FFF)),
        constant(4));
  };
  Value start = field(0), stride = field(32);
  kb.forLoop(kb.index(kWarp), [&](Value lane) {
    for (int64_t j = 0; j < mmasPerWarp; ++j)
      for (int64_t i = 0; i < 4; ++i) {
        Value row = arith::AddIOp::create(b, group(lane), kb.index(8 * (i / 2)));
        Value col = arith::AddIOp::create(
            b, arith::MulIOp::create(b, threadInGroup(lane), kb.index(2)), kb.index(8 * j + i % 2));
        Value slot = kb.index(4 * j + i);
        Value init = memref::LoadOp::create(b, accBuf, ValueRange{lane, slot});
        Value sum = kb.forLoopCarry(kb.index(16), init, [&](Value kk, Value acc) {
          // A(row, kk) as emulateMma reads it (f16/bf16: pairs).
          Value inGroup =
              arith::DivUIOp::create(b, arith::RemUIOp::create(b, kk, kb.index(8)), kb.index(2));
          Value aLane = arith::AddIOp::create(
              b, arith::MulIOp::create(b, arith::RemUIOp::create(b, row, kb.index(8)), kb.index(4)),
              inGroup);
          Value aReg = arith::AddIOp::create(
              b, arith::DivUIOp::create(b, row, kb.index(8)),
              arith::MulIOp::create(b, arith::DivUIOp::create(b, kk, kb.index(8)), kb.index(2)));
          Value half = arith::RemUIOp::create(b, kk, kb.index(2));
          Value av = unpack(memref::LoadOp::create(b, aBuf, ValueRange{aLane, aReg}), half);
          // B(kk, col): row col of the K-major layout, k position kk.
          Value n = arith::IndexCastOp::create(b, i64, col);
          Value address = arith::AddIOp::create(
              b, start,
              arith::AddIOp::create(
                  b, arith::MulIOp::create(b, arith::DivUIOp::create(b, n, constant(8)), stride),
                  arith::AddIOp::create(
                      b,
                      arith::MulIOp::create(b, arith::RemUIOp::create(b, n, constant(8)),
                                            constant(128)),
                      arith::MulIOp::create(b, arith::IndexCastOp::create(b, i64, kk),
                                            constant(2)))));
          Value swizzled = arith::XOrIOp::create(
              b, address,
              arith::ShLIOp::create(
                  b,
                  arith::AndIOp::create(b, arith::ShRUIOp::create(b, address, constant(7)),
                                        constant(7)),
                  constant(4)));
          Value word = kb.toIndex(arith::ShRUIOp::create(b, swizzled, constant(2)));
          Value bHalf = kb.toIndex(arith::AndIOp::create(
              b, arith::ShRUIOp::create(b, swizzled, constant(1)), constant(1)));
          Value bv = unpack(memref::LoadOp::create(b, shared, ValueRange{word}), bHalf);
          return arith::AddFOp::create(b, acc, arith::MulFOp::create(b, av, bv));
        });
        memref::StoreOp::create(b, sum, accBuf, ValueRange{lane, slot});
      }
  });
}

SmallVector<Value> TensorCoreConv::warpgroupMmaOnGPU(ArrayRef<SmallVector<Value>> a,
                                                     ArrayRef<Value> descriptors, ValueRange acc) {
  SmallVector<Value> operands(acc.begin(), acc.end());
  for (auto &fragment : a)
    operands.append(fragment.begin(), fragment.end());
  operands.append(descriptors.begin(), descriptors.end());
  SmallVector<Type> types(acc.size(), b.getF32Type());
  // One declaration per operand count: layers of other input channels have
  // other k steps, other warps other columns (N: two accumulators a lane
  // per output channel / 8 x 4).
  std::string name = (kWarpgroupMmaPlaceholderPrefix + (multiplicand.isF16() ? "f16" : "bf16") +
                      "_n" + std::to_string(2 * acc.size()) + "_k" +
                      std::to_string(descriptors.size()))
                         .str();
  return kb.callResults(name, types, operands);
}

} // namespace scn::cpu::tensor_core
