//===- HoistSiteSets.cpp - a network's pyramid of site sets first ---------===//

#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace scn {
#define GEN_PASS_DEF_SCNHOISTSITESETS
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

/// Whether `value` is defined in `block` before `op` (an op of `block`).
bool definedBefore(Value value, Block *block, Operation *op) {
  if (auto argument = dyn_cast<BlockArgument>(value))
    return argument.getOwner() == block;
  Operation *def = value.getDefiningOp();
  return def->getBlock() == block && def->isBeforeInBlock(op);
}

/// at-first-use: each block's derived sets, in order, right before the
/// first other op of the block that uses one of them.
void moveToFirstUse(const std::vector<Operation *> &sets) {
  llvm::DenseMap<Block *, std::vector<Operation *>> byBlock;
  for (Operation *set : sets)
    byBlock[set->getBlock()].push_back(set);
  for (auto &[block, ofBlock] : byBlock) {
    llvm::SmallPtrSet<Operation *, 8> isSet(ofBlock.begin(), ofBlock.end());
    Operation *firstUse = nullptr;
    for (Operation *set : ofBlock)
      for (Operation *user : set->getResult(0).getUsers()) {
        Operation *inBlock = block->findAncestorOpInBlock(*user);
        if (inBlock && !isSet.contains(inBlock) &&
            (!firstUse || inBlock->isBeforeInBlock(firstUse)))
          firstUse = inBlock;
      }
    if (!firstUse)
      continue;
    // In program order, so that each moved set follows the one it is
    // derived from; a set whose input comes later stays, and so do the
    // sets derived from it.
    llvm::SmallPtrSet<Operation *, 8> stayed;
    for (Operation *set : ofBlock) {
      Value input = set->getOperand(0);
      Operation *def = input.getDefiningOp();
      bool inputStayed = def && stayed.contains(def);
      if (inputStayed || (def != nullptr && !isSet.contains(def) &&
                          !definedBefore(input, block, firstUse))) {
        stayed.insert(set);
        continue;
      }
      if (!def && cast<BlockArgument>(input).getOwner() != block) {
        stayed.insert(set);
        continue;
      }
      set->moveBefore(firstUse);
    }
  }
}

struct SCNHoistSiteSetsPass : scn::impl::SCNHoistSiteSetsBase<SCNHoistSiteSetsPass> {
  using SCNHoistSiteSetsBase::SCNHoistSiteSetsBase;

  void runOnOperation() override {
    std::vector<Operation *> sets;
    getOperation()->walk([&](Operation *op) {
      if (isa<DownsampleOp, FullSitesOp>(op))
        sets.push_back(op);
    });
    if (atFirstUse) {
      moveToFirstUse(sets);
      return;
    }
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
