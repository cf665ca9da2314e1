//===- MaterializeKernelMaps.cpp - explicit, shared kernel maps -----------===//

#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/IR/Dominance.h"

#include <map>
#include <tuple>
#include <vector>

namespace scn {
#define GEN_PASS_DEF_SCNMATERIALIZEKERNELMAPS
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

/// What identifies a kernel map: kind, site pair, filter size and stride.
using MapKey = std::tuple<int, void *, void *, std::vector<int64_t>,
                          std::vector<int64_t>>;

/// Sets the builder right after the definition of `value` and after the maps
/// already placed there, so maps appear in the order of their first use.
static void setInsertionPointAfterDef(OpBuilder &builder, Value value) {
  Block *block;
  Block::iterator it;
  if (Operation *def = value.getDefiningOp()) {
    block = def->getBlock();
    it = std::next(def->getIterator());
  } else {
    block = cast<BlockArgument>(value).getOwner();
    it = block->begin();
  }
  while (it != block->end() && isa<KernelMapOp>(*it))
    ++it;
  builder.setInsertionPoint(block, it);
}

/// Whether the definition of `a` dominates the definition of `b`.
static bool definedBefore(DominanceInfo &dominance, Value a, Value b) {
  if (a == b)
    return false;
  if (Operation *bDef = b.getDefiningOp())
    return dominance.properlyDominates(a, bDef);
  Block *bBlock = cast<BlockArgument>(b).getOwner();
  if (auto aArg = dyn_cast<BlockArgument>(a))
    return dominance.properlyDominates(aArg.getOwner(), bBlock);
  return false;
}

struct SCNMaterializeKernelMapsPass
    : scn::impl::SCNMaterializeKernelMapsBase<SCNMaterializeKernelMapsPass> {
  void runOnOperation() override {
    DominanceInfo &dominance = getAnalysis<DominanceInfo>();
    std::map<MapKey, Value> maps;
    OpBuilder builder(&getContext());
    getOperation()->walk([&](KernelMapUserOpInterface user) {
      if (user.getKernelMap())
        return;
      Value in = user.getMapInputSites(), out = user.getMapOutputSites();
      SmallVector<int64_t> stride = user.getMapFilterStride();
      ArrayRef<int64_t> filter = user.getMapFilterSize();
      MapKey key{static_cast<int>(user.getKernelMapKind()),
                 in.getAsOpaquePointer(), out.getAsOpaquePointer(),
                 std::vector<int64_t>(filter.begin(), filter.end()),
                 std::vector<int64_t>(stride.begin(), stride.end())};
      Value &map = maps[key];
      if (!map || !dominance.properlyDominates(map, user)) {
        // Right after the later of the two sites definitions: it dominates
        // every op that uses both.
        Value later = definedBefore(dominance, in, out) ? out : in;
        setInsertionPointAfterDef(builder, later);
        auto kmap = KernelMapOp::create(
            builder, user->getLoc(),
            KernelMapKindAttr::get(&getContext(), user.getKernelMapKind()), in,
            out, builder.getDenseI64ArrayAttr(filter),
            builder.getDenseI64ArrayAttr(stride));
        map = kmap.getMap();
      }
      user.setKernelMap(map);
    });
  }
};

} // namespace
