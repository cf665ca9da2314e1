//===- FreeBuffersEarly.cpp - free each buffer after its last use ---------===//

#include "scn/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace scn {
#define GEN_PASS_DEF_SCNFREEBUFFERSEARLY
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;

namespace {

/// The buffer, every view of it, and every value computed from a raw
/// pointer to it (memref.extract_aligned_pointer_as_index, then casts and
/// the runtime calls that take it): the buffer lives until the last of
/// their uses, not until the pointer is taken.
static SmallVector<Value> getAliases(Value buffer) {
  SmallVector<Value> aliases = {buffer};
  llvm::SmallPtrSet<Value, 8> seen = {buffer};
  for (size_t i = 0; i < aliases.size(); ++i) {
    bool isMemRef = isa<BaseMemRefType>(aliases[i].getType());
    for (Operation *user : aliases[i].getUsers()) {
      SmallVector<Value> derived;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == aliases[i])
          derived.push_back(view->getResult(0));
      } else if (isa<memref::ExtractAlignedPointerAsIndexOp>(user) || !isMemRef) {
        llvm::append_range(derived, user->getResults());
      }
      for (Value v : derived)
        if (seen.insert(v).second)
          aliases.push_back(v);
    }
  }
  return aliases;
}

struct SCNFreeBuffersEarlyPass
    : scn::impl::SCNFreeBuffersEarlyBase<SCNFreeBuffersEarlyPass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation().walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
    for (memref::DeallocOp dealloc : deallocs) {
      Block *block = dealloc->getBlock();
      // The last op of this block that uses the buffer or a view of it, at
      // any nesting depth.
      Operation *last = nullptr;
      for (Value alias : getAliases(dealloc.getMemref())) {
        for (Operation *user : alias.getUsers()) {
          if (user == dealloc)
            continue;
          Operation *ancestor = block->findAncestorOpInBlock(*user);
          if (!ancestor)
            continue;
          if (!last || last->isBeforeInBlock(ancestor))
            last = ancestor;
        }
      }
      Operation *def = dealloc.getMemref().getDefiningOp();
      if (!last && def && def->getBlock() == block)
        last = def;
      // Only ever move earlier, and never before the buffer exists.
      if (last && last->isBeforeInBlock(dealloc) && last != dealloc)
        dealloc->moveAfter(last);
    }
  }
};

} // namespace
