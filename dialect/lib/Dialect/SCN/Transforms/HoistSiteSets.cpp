//===- HoistSiteSets.cpp - a network's pyramid of site sets first ---------===//

#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"

namespace scn {
#define GEN_PASS_DEF_SCNHOISTSITESETS
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

struct SCNHoistSiteSetsPass : scn::impl::SCNHoistSiteSetsBase<SCNHoistSiteSetsPass> {
  void runOnOperation() override {
    std::vector<Operation *> sets;
    getOperation()->walk([&](Operation *op) {
      if (isa<DownsampleOp, FullSitesOp>(op))
        sets.push_back(op);
    });
    // The last set moved after each input sites value, so that sets
    // derived from the same one keep their order.
    llvm::DenseMap<Value, Operation *> lastMovedAfter;
    for (Operation *set : sets) {
      Value input = set->getOperand(0);
      Operation *def = input.getDefiningOp();
      Block *block = set->getBlock();
      if (def ? def->getBlock() != block
              : cast<BlockArgument>(input).getOwner() != block)
        continue;
      Operation *anchor = def;
      if (auto moved = lastMovedAfter.find(input); moved != lastMovedAfter.end())
        anchor = moved->second;
      assert((!anchor || anchor->getBlock() == block) && "an anchor of another block");
      if (anchor)
        set->moveAfter(anchor);
      else
        set->moveBefore(&block->front());
      lastMovedAfter[input] = set;
    }
  }
};

} // namespace
