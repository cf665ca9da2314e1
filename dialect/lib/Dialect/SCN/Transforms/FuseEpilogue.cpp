//===- FuseEpilogue.cpp - fuse pointwise consumers into conv epilogues ----===//

#include "ConstantValues.h"
#include "scn/Dialect/SCN/Transforms/Passes.h"

#include <cmath>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace scn {
#define GEN_PASS_DEF_SCNFUSEEPILOGUE
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

/// The producer of `value` when it can take one more epilogue step: an
/// epilogue op whose first result is `value` and has one use, the consumer.
/// (A tapped result is written before the steps that follow the tap.)
static EpilogueOpInterface getFusableProducer(Value value) {
  auto producer = value.getDefiningOp<EpilogueOpInterface>();
  if (!producer || value != producer->getResult(0) || !value.hasOneUse())
    return {};
  return producer;
}

/// Whether `producer` can take steps that read `operands`, where it will
/// stand: an op with a tapped result stays put (other ops, anywhere, read
/// its tapped rows), so the operands must be defined before it; any other
/// producer moves to its consumer, before which they are defined.
static bool operandsAvailable(EpilogueOpInterface producer, ValueRange operands) {
  if (producer->getNumResults() == 1)
    return true;
  DominanceInfo dominance;
  return llvm::all_of(operands, [&](Value v) {
    return dominance.properlyDominates(v, producer.getOperation());
  });
}

/// Moves `producer` to `consumer` (unless it has a tapped result), appends
/// the step, and replaces the consumer's first result by the producer's.
/// Moving is sound: the producer's only use was the consumer, and its
/// operands dominate the consumer.
static LogicalResult fuseInto(PatternRewriter &rewriter, EpilogueOpInterface producer,
                              Operation *consumer, EpilogueStepAttr step,
                              ValueRange operands) {
  if (!operandsAvailable(producer, operands))
    return failure();
  if (producer->getNumResults() == 1)
    rewriter.moveOpBefore(producer, consumer);
  rewriter.modifyOpInPlace(producer,
                           [&] { producer.appendEpilogueStep(step, operands); });
  rewriter.replaceOp(consumer, producer->getResult(0));
  return success();
}


static EpilogueStepAttr makeStep(MLIRContext *context, EpilogueKind kind,
                                 double alpha = 0.0) {
  return EpilogueStepAttr::get(context, kind, llvm::APFloat(alpha));
}

/// An activation op as a step, or null.
static EpilogueStepAttr getActivationStep(Operation *op) {
  MLIRContext *context = op->getContext();
  return TypeSwitch<Operation *, EpilogueStepAttr>(op)
      .Case([&](ReLUOp) { return makeStep(context, EpilogueKind::relu); })
      .Case([&](LeakyReLUOp o) {
        return makeStep(context, EpilogueKind::leaky_relu,
                        o.getAlpha().convertToDouble());
      })
      .Case([&](SigmoidOp) { return makeStep(context, EpilogueKind::sigmoid); })
      .Case([&](TanhOp) { return makeStep(context, EpilogueKind::tanh); })
      .Case([&](ELUOp o) {
        return makeStep(context, EpilogueKind::elu, o.getAlpha().convertToDouble());
      })
      .Case([&](SELUOp) { return makeStep(context, EpilogueKind::selu); })
      .Default([](Operation *) { return EpilogueStepAttr(); });
}

struct FuseActivation : RewritePattern {
  FuseActivation(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    EpilogueStepAttr step = getActivationStep(op);
    if (!step)
      return failure();
    EpilogueOpInterface producer = getFusableProducer(op->getOperand(0));
    if (!producer)
      return failure();
    return fuseInto(rewriter, producer, op, step, {});
  }
};

/// scale and shift of an inference batch norm as [C] tensors.
static std::pair<Value, Value> getScaleAndShift(PatternRewriter &rewriter,
                                                BatchNormOp bn,
                                                RankedTensorType paramType) {
  Location loc = bn.getLoc();
  double eps = bn.getEps().convertToDouble();
  auto mean = getConstantF32Values(bn.getRunningMean());
  auto var = getConstantF32Values(bn.getRunningVar());
  std::optional<SmallVector<float>> gamma, beta;
  bool constant = mean && var && paramType.getElementType().isF32();
  if (constant && bn.getWeight())
    constant = static_cast<bool>(gamma = getConstantF32Values(bn.getWeight()));
  if (constant && bn.getBias())
    constant = static_cast<bool>(beta = getConstantF32Values(bn.getBias()));
  if (constant) {
    SmallVector<float> scale, shift;
    for (int64_t c = 0; c < paramType.getDimSize(0); ++c) {
      float s = (gamma ? (*gamma)[c] : 1.0f) /
                std::sqrt((*var)[c] + static_cast<float>(eps));
      scale.push_back(s);
      shift.push_back((beta ? (*beta)[c] : 0.0f) - (*mean)[c] * s);
    }
    return {createF32Constant(rewriter, loc, paramType, scale),
            createF32Constant(rewriter, loc, paramType, shift)};
  }
  // Run-time parameters: arith ops on [C] tensors, computed once per run.
  auto splat = [&](double v) -> Value {
    auto attr = DenseElementsAttr::get(
        paramType, rewriter.getFloatAttr(paramType.getElementType(), v));
    return arith::ConstantOp::create(rewriter, loc, paramType,
                                     cast<TypedAttr>(attr));
  };
  Value varEps = arith::AddFOp::create(rewriter, loc, bn.getRunningVar(),
                                       splat(eps));
  Value stdDev = math::SqrtOp::create(rewriter, loc, varEps);
  Value weight = bn.getWeight() ? bn.getWeight() : splat(1.0);
  Value scale = arith::DivFOp::create(rewriter, loc, weight, stdDev);
  Value meanScaled =
      arith::MulFOp::create(rewriter, loc, bn.getRunningMean(), scale);
  Value bias = bn.getBias() ? bn.getBias() : splat(0.0);
  Value shift = arith::SubFOp::create(rewriter, loc, bias, meanScaled);
  return {scale, shift};
}

/// Inference batch norm: scale = weight / sqrt(var + eps),
/// shift = bias - mean * scale: constants when the parameters are constant,
/// else arith ops on [C] tensors computed once per run.
///
/// When other ops read the batch norm's input too (a residual sum that is
/// also the next block's shortcut), the producer keeps those rows as its
/// `tapped` result: a `tap` step, then the batch norm's steps, so one kernel
/// writes both and no batch-norm kernel reads the rows back.
struct FuseBatchNorm : OpRewritePattern<BatchNormOp> {
  FuseBatchNorm(MLIRContext *context, bool taps)
      : OpRewritePattern(context), taps(taps) {}
  bool taps;
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    if (bn.getTraining())
      return failure();
    Value input = bn.getInput();
    auto producer = input.getDefiningOp<EpilogueOpInterface>();
    if (!producer || input != producer->getResult(0))
      return failure();
    // Other readers: a tap, unless the op has one already (one an op).
    bool tap = !input.hasOneUse();
    if (tap && (!taps || producer->getNumResults() > 1))
      return failure();
    // With a tap the producer stays put (its other readers may come before
    // the batch norm), so the parameters must be defined before it.
    bool stays = tap || producer->getNumResults() > 1;
    if (stays) {
      DominanceInfo dominance;
      for (Value parameter : bn->getOperands().drop_front())
        if (!dominance.properlyDominates(parameter, producer.getOperation()))
          return failure();
    }
    auto paramType = cast<RankedTensorType>(bn.getRunningVar().getType());
    rewriter.setInsertionPoint(stays ? producer.getOperation() : bn.getOperation());
    auto [scale, shift] = getScaleAndShift(rewriter, bn, paramType);
    MLIRContext *context = getContext();
    double leakiness = bn.getLeakiness().convertToDouble();
    if (!stays)
      rewriter.moveOpBefore(producer, bn);
    rewriter.modifyOpInPlace(producer, [&] {
      if (tap)
        producer.appendEpilogueStep(makeStep(context, EpilogueKind::tap), {});
      producer.appendEpilogueStep(makeStep(context, EpilogueKind::affine),
                                  {scale, shift});
      if (leakiness == 0.0)
        producer.appendEpilogueStep(makeStep(context, EpilogueKind::relu), {});
      else if (leakiness != 1.0)
        producer.appendEpilogueStep(
            makeStep(context, EpilogueKind::leaky_relu, leakiness), {});
    });
    if (!tap) {
      rewriter.replaceOp(bn, producer->getResult(0));
      return success();
    }
    // The rows as they stood go on to the other readers, the batch norm's
    // to its readers.
    rewriter.setInsertionPoint(producer);
    Operation *tapped = rebuildForEpilogue(rewriter, producer);
    rewriter.replaceOp(bn, tapped->getResult(0));
    rewriter.replaceOp(producer, tapped->getResult(1));
    return success();
  }
};

/// add(a, b) where one side is a fusable producer: a residual step. A
/// convolution is preferred over a linear op as the one that absorbs the add.
struct FuseResidualAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getInputs().size() != 2)
      return failure();
    Value lhs = add.getInputs()[0], rhs = add.getInputs()[1];
    if (lhs == rhs)
      return failure();
    EpilogueOpInterface left = getFusableProducer(lhs);
    EpilogueOpInterface right = getFusableProducer(rhs);
    EpilogueOpInterface target = left;
    Value other = rhs;
    if (!left || (right && isa<KernelMapUserOpInterface>(right.getOperation()) &&
                  !isa<KernelMapUserOpInterface>(left.getOperation()))) {
      target = right;
      other = lhs;
    }
    if (!target)
      return failure();
    return fuseInto(rewriter, target, add,
                    makeStep(getContext(), EpilogueKind::residual), {other});
  }
};

/// concat(..., conv, ...): the conv writes its rows, either result, into
/// their channel slice of the concat's result (recorded as `fused_operands`
/// on the concat). Operands become fusable as other patterns run (a tap
/// leaves its rows one reader), so the list grows.
struct FuseIntoConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    if (concat.getInputs().size() < 2)
      return failure();
    SmallVector<int64_t> fused;
    for (auto [index, input] : llvm::enumerate(concat.getInputs()))
      if (input.getDefiningOp<EpilogueOpInterface>() && input.hasOneUse())
        fused.push_back(index);
    if (fused.empty() || (concat.getFusedOperands() &&
                          llvm::equal(*concat.getFusedOperands(), fused)))
      return failure();
    rewriter.modifyOpInPlace(concat, [&] {
      concat.setFusedOperandsAttr(rewriter.getDenseI64ArrayAttr(fused));
    });
    return success();
  }
};

struct SCNFuseEpiloguePass
    : scn::impl::SCNFuseEpilogueBase<SCNFuseEpiloguePass> {
  using SCNFuseEpilogueBase::SCNFuseEpilogueBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseActivation, FuseResidualAdd>(&getContext());
    patterns.add<FuseBatchNorm>(&getContext(), taps);
    // Benefit 0: activations, batch norms and adds fuse into a producer
    // before the producer is tied to a concat slice.
    patterns.add<FuseIntoConcat>(&getContext(), /*benefit=*/0);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
