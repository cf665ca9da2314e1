//===- TensorCoreCluster.cpp - block weights shared by a cluster --------===//
//
// The pieces of TensorCoreConv (TensorCoreConv.h) for cluster_blocks = 2:
// wgmma block weights whose two blocks of a thread-block cluster share each
// offset's copy (a multicast bulk copy, half issued by each block) and
// order their stages by mbarriers. GPU only: the emulation runs such a
// kernel as blocks of 8 warps (the same union of offsets, the same sums).
//
//===----------------------------------------------------------------------===//

#include "TensorCoreConv.h"

namespace scn::cpu::tensor_core {

Value TensorCoreConv::partnerWarpMask(Value warpTile, int64_t blockWarps, Value lane) {
  Value partner = arith::XOrIOp::create(b, warpTile, kb.index(blockWarps));
  auto [first, second] = lanePositions(rowTileOf(partner, 0), lane);
  Value lanes = arith::OrIOp::create(b, rowMask(first), rowMask(second));
  return kb.callResults(kWarpOrPlaceholder, TypeRange{b.getI32Type()}, ValueRange{lanes}).front();
}

Value TensorCoreConv::clusterBarrier(Value barriers, Value stage, bool empty) {
  Type i64 = b.getI64Type();
  Value offset = arith::AddIOp::create(
      b, arith::ConstantIntOp::create(b, i64, empty ? 8 * kBlockWeightStages : 0),
      arith::MulIOp::create(b, arith::IndexCastOp::create(b, i64, stage),
                            arith::ConstantIntOp::create(b, i64, 8)));
  return arith::TruncIOp::create(b, b.getI32Type(), arith::AddIOp::create(b, barriers, offset));
}

// The parities below count a stage's uses as the offsets before k halved.
static_assert(kBlockWeightStages == 2, "cluster stage uses assume two stages");

Value TensorCoreConv::stageUse(Value mask, Value k) {
  Type i32 = b.getI32Type();
  Value bit = arith::ShLIOp::create(b, kb.i32(1), arith::IndexCastOp::create(b, i32, k));
  Value below = arith::AndIOp::create(b, mask, arith::SubIOp::create(b, bit, kb.i32(1)));
  return arith::ShRUIOp::create(b, LLVM::CtPopOp::create(b, below), kb.i32(1));
}

void TensorCoreConv::initClusterBarriers(Value barriers, Value thread) {
  Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, thread, kb.index(0));
  scf::IfOp::create(b, first, [&](OpBuilder &, Location) {
    for (int64_t s = 0; s < kBlockWeightStages; ++s) {
      kb.callResults(kMbarrierInitPlaceholder, TypeRange{},
                     {clusterBarrier(barriers, kb.index(s), false), kb.i32(1)});
      kb.callResults(kMbarrierInitPlaceholder, TypeRange{},
                     {clusterBarrier(barriers, kb.index(s), true), kb.i32(kEmptyArrivals)});
    }
    kb.callResults(kMbarrierInitFencePlaceholder, TypeRange{}, ValueRange{});
    scf::YieldOp::create(b);
  });
  kb.callResults(kClusterSyncPlaceholder, TypeRange{}, ValueRange{});
}

void TensorCoreConv::copyOffsetToCluster(Value stagesAddress, Value barriers, Value mask,
                                         Value k, Value stage, Value columnTile,
                                         Value thread) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  const int64_t bytes = offsetWeightWords() * 4, half = bytes / 2;
  Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, thread, kb.index(0));
  scf::IfOp::create(b, first, [&](OpBuilder &, Location) {
    Value use = stageUse(mask, k);
    // The stage's last use (n - 1) must be done in both blocks.
    Value reused = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, use, kb.i32(1));
    scf::IfOp::create(b, reused, [&](OpBuilder &, Location) {
      Value parity =
          arith::AndIOp::create(b, arith::SubIOp::create(b, use, kb.i32(1)), kb.i32(1));
      kb.callResults(kMbarrierWaitPlaceholder, TypeRange{},
                     {clusterBarrier(barriers, stage, true), parity});
      scf::YieldOp::create(b);
    });
    Value full = clusterBarrier(barriers, stage, false);
    kb.callResults(kMbarrierExpectBytesPlaceholder, TypeRange{}, {full, kb.i32(bytes)});
    Value rank = arith::ExtUIOp::create(
        b, i64, kb.callResults(kClusterRankPlaceholder, TypeRange{i32}, ValueRange{}).front());
    Value rankBytes = arith::MulIOp::create(b, rank, arith::ConstantIntOp::create(b, i64, half));
    // Offset k's words of the column tile, as stageOffsetWeights reads them.
    Value words = arith::MulIOp::create(
        b,
        arith::AddIOp::create(b, arith::MulIOp::create(b, k, kb.index(columnTiles())),
                              columnTile),
        kb.index(offsetWeightWords()));
    Value source = arith::AddIOp::create(
        b,
        arith::IndexCastOp::create(
            b, i64, memref::ExtractAlignedPointerAsIndexOp::create(b, packedWeights)),
        arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, arith::IndexCastOp::create(b, i64, words),
                                  arith::ConstantIntOp::create(b, i64, 4)),
            rankBytes));
    Value destination = arith::TruncIOp::create(
        b, i32,
        arith::AddIOp::create(
            b, stagesAddress,
            arith::AddIOp::create(
                b,
                arith::MulIOp::create(b, arith::IndexCastOp::create(b, i64, stage),
                                      arith::ConstantIntOp::create(b, i64, bytes)),
                rankBytes)));
    kb.callResults(kBulkCopyToBothPlaceholder, TypeRange{},
                   {destination, source, kb.i32(half), full});
    scf::YieldOp::create(b);
  });
}

void TensorCoreConv::waitForClusterStage(Value barriers, Value mask, Value k, Value stage) {
  Value parity = arith::AndIOp::create(b, stageUse(mask, k), kb.i32(1));
  kb.callResults(kMbarrierWaitPlaceholder, TypeRange{},
                 {clusterBarrier(barriers, stage, false), parity});
}

void TensorCoreConv::releaseClusterStage(Value barriers, Value stage, Value lane) {
  Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, kb.index(0));
  scf::IfOp::create(b, first, [&](OpBuilder &, Location) {
    Value empty = clusterBarrier(barriers, stage, true);
    for (int32_t rank = 0; rank < 2; ++rank)
      kb.callResults(kMbarrierArriveAtRankPlaceholder, TypeRange{}, {empty, kb.i32(rank)});
    scf::YieldOp::create(b);
  });
}

void TensorCoreConv::leaveCluster() {
  kb.callResults(kClusterSyncPlaceholder, TypeRange{}, ValueRange{});
}

} // namespace scn::cpu::tensor_core
