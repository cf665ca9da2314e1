//===- SCNCanonicalize.cpp - scn folders and canonicalization patterns ----===//
//
// Only rewrites that hold for every input: identities (a one-operand concat
// or add, dropout with p = 0, leaky ReLU with slope 1), idempotence (ReLU of
// ReLU), merging a chain of inference dropouts into one scale, and dropping
// an epilogue's tap whose rows nothing reads.
//
//===----------------------------------------------------------------------===//

#include "scn/Dialect/SCN/IR/SCNOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace scn;

OpFoldResult ReLUOp::fold(FoldAdaptor) {
  // relu(relu(x)) == relu(x).
  if (getInput().getDefiningOp<ReLUOp>())
    return getInput();
  return {};
}

OpFoldResult LeakyReLUOp::fold(FoldAdaptor) {
  // A slope of 1 is the identity.
  if (getAlpha().convertToDouble() == 1.0)
    return getInput();
  return {};
}

namespace {
/// leaky_relu with slope 0 is relu.
struct LeakyReLUZeroSlope : OpRewritePattern<LeakyReLUOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LeakyReLUOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getAlpha().convertToDouble() != 0.0)
      return failure();
    rewriter.replaceOpWithNewOp<ReLUOp>(op, op.getInput());
    return success();
  }
};
} // namespace

void LeakyReLUOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<LeakyReLUZeroSlope>(context);
}

OpFoldResult DropoutOp::fold(FoldAdaptor) {
  // p = 0 keeps every entry and scales by 1, in training and inference.
  if (getP().convertToDouble() == 0.0)
    return getInput();
  return {};
}

namespace {
/// Two inference dropouts scale by (1 - p1)(1 - p2): one dropout with
/// p = 1 - (1 - p1)(1 - p2).
struct MergeInferenceDropouts : OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<DropoutOp>();
    if (!inner || op.getTraining() || inner.getTraining())
      return failure();
    double keep = (1.0 - op.getP().convertToDouble()) *
                  (1.0 - inner.getP().convertToDouble());
    auto merged = DropoutOp::create(rewriter, op.getLoc(), inner.getInput());
    merged.setP(llvm::APFloat(1.0 - keep));
    rewriter.replaceOp(op, merged.getResult());
    return success();
  }
};
} // namespace

void DropoutOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<MergeInferenceDropouts>(context);
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

namespace {
/// A tap step whose result nothing reads: the op without it, one result,
/// so that its kernel does not write those rows.
template <typename Op>
struct DropUnreadTap : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 2 || !op->getResult(1).use_empty())
      return failure();
    SmallVector<Attribute> steps;
    for (Attribute step : op.getEpilogueAttr())
      if (cast<EpilogueStepAttr>(step).getKind() != EpilogueKind::tap)
        steps.push_back(step);
    rewriter.modifyOpInPlace(op, [&] {
      op.setEpilogueAttr(steps.empty() ? ArrayAttr() : rewriter.getArrayAttr(steps));
    });
    rewriter.setInsertionPoint(op);
    Operation *untapped = rebuildForEpilogue(rewriter, op);
    rewriter.replaceAllUsesWith(op->getResult(0), untapped->getResult(0));
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

#define SCN_DROP_UNREAD_TAP(OP)                                                \
  void OP::getCanonicalizationPatterns(RewritePatternSet &patterns,            \
                                       MLIRContext *context) {                 \
    patterns.add<DropUnreadTap<OP>>(context);                                  \
  }
SCN_DROP_UNREAD_TAP(SubmanifoldConvOp)
SCN_DROP_UNREAD_TAP(ConvOp)
SCN_DROP_UNREAD_TAP(DeconvOp)
SCN_DROP_UNREAD_TAP(FullConvOp)
SCN_DROP_UNREAD_TAP(LinearOp)
#undef SCN_DROP_UNREAD_TAP
