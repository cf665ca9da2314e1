//===- PlanDataflow.cpp - record each convolution's kernel schedule -------===//

#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace scn {
#define GEN_PASS_DEF_SCNPLANDATAFLOW
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

/// Largest divisor of `n` that is at most `limit` (so tiles are equal).
static int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// The channel tile: the largest power of two of at least 4 lanes that
/// divides `n` and is at most `limit`, else the largest divisor at most
/// `limit`. Power-of-two vectors map onto whole machine registers: tiles
/// of 20, 24 or 28 lanes (80, 48 and 112 channels) made the room-scan UNet
/// (W2) 4x slower than tiles of 16 (bench/cpu/README.md).
static int64_t channelTileFor(int64_t n, int64_t limit) {
  int64_t power = 1;
  while (n % (power * 2) == 0 && power * 2 <= limit)
    power *= 2;
  return power >= 4 ? power : largestDivisorAtMost(n, limit);
}

struct SCNPlanDataflowPass
    : scn::impl::SCNPlanDataflowBase<SCNPlanDataflowPass> {
  using Base::Base;
  void runOnOperation() override {
    Builder b(&getContext());
    getOperation()->walk([&](EpilogueOpInterface op) {
      auto weight = cast<RankedTensorType>(op.getWeightOperand().get().getType());
      int64_t outPerGroup = weight.getShape().back();
      int64_t inPerGroup = weight.getRank() == 4 ? weight.getDimSize(2)
                                                 : weight.getDimSize(0);
      bool weightStationary =
          isa<KernelMapUserOpInterface>(op.getOperation()) &&
          weightStationaryMinChannels > 0 && inPerGroup >= weightStationaryMinChannels &&
          outPerGroup >= weightStationaryMinChannels;
      if (auto given = op->getAttrOfType<StringAttr>("dataflow"))
        weightStationary = given.getValue() == "weight_stationary";
      else
        op->setAttr("dataflow", b.getStringAttr(weightStationary ? "weight_stationary"
                                                                 : "output_stationary"));
      if (!op->hasAttr("channel_tile"))
        op->setAttr("channel_tile",
                    b.getI64IntegerAttr(channelTileFor(
                        outPerGroup, std::max<int64_t>(1, maxChannelTile))));
      int64_t rows = rowsPerTile > 0 ? rowsPerTile
                     : weightStationary ? 8
                     : inPerGroup * outPerGroup >= 8192 ? 4
                                                        : 2;
      if (!op->hasAttr("rows_per_tile"))
        op->setAttr("rows_per_tile", b.getI64IntegerAttr(rows));
    });
  }
};

} // namespace
