//===- FoldBatchNorm.cpp - fold inference batch norm into weights ---------===//

#include "ConstantValues.h"
#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace scn {
#define GEN_PASS_DEF_SCNFOLDBATCHNORM
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"
} // namespace scn

using namespace mlir;
using namespace scn;

namespace {

/// Per-channel constants of an inference batch norm: y = x * scale + shift.
struct ChannelAffine {
  SmallVector<float> scale, shift;
};

/// The batch norm as an affine map, when every parameter is constant.
static std::optional<ChannelAffine> getConstantAffine(BatchNormOp bn,
                                                      int64_t channels) {
  auto mean = getConstantF32Values(bn.getRunningMean());
  auto var = getConstantF32Values(bn.getRunningVar());
  if (!mean || !var)
    return std::nullopt;
  std::optional<SmallVector<float>> gamma, beta;
  if (bn.getWeight() && !(gamma = getConstantF32Values(bn.getWeight())))
    return std::nullopt;
  if (bn.getBias() && !(beta = getConstantF32Values(bn.getBias())))
    return std::nullopt;
  double eps = bn.getEps().convertToDouble();
  ChannelAffine affine;
  for (int64_t c = 0; c < channels; ++c) {
    // Computed in double, as the reference does in float32 after rounding.
    double inv = 1.0 / std::sqrt(static_cast<double>((*var)[c]) + eps);
    double scale = (gamma ? (*gamma)[c] : 1.0) * inv;
    affine.scale.push_back(static_cast<float>(scale));
    affine.shift.push_back(static_cast<float>(
        (beta ? (*beta)[c] : 0.0) - (*mean)[c] * scale));
  }
  return affine;
}

/// Replaces `bn` by its fused activation applied to `value`.
static void replaceWithActivation(PatternRewriter &rewriter, BatchNormOp bn,
                                  Value value) {
  double leakiness = bn.getLeakiness().convertToDouble();
  if (leakiness == 1.0) {
    rewriter.replaceOp(bn, value);
  } else if (leakiness == 0.0) {
    rewriter.replaceOpWithNewOp<ReLUOp>(bn, value);
  } else {
    auto leaky = rewriter.replaceOpWithNewOp<LeakyReLUOp>(bn, value);
    leaky.setAlpha(llvm::APFloat(leakiness));
  }
}

struct FoldBatchNormIntoProducer : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    if (bn.getTraining())
      return rewriter.notifyMatchFailure(bn, "training-mode batch norm");
    auto producer = bn.getInput().getDefiningOp<EpilogueOpInterface>();
    if (!producer || !producer->hasOneUse() ||
        !producer.getEpilogueSteps().empty())
      return rewriter.notifyMatchFailure(bn, "no single-use plain producer");
    Value weight = producer.getWeightOperand().get();
    auto weightType = cast<RankedTensorType>(weight.getType());
    std::optional<SmallVector<float>> weights = getConstantF32Values(weight);
    if (!weights)
      return rewriter.notifyMatchFailure(bn, "weights are not constant");
    auto outType = cast<RankedTensorType>(bn.getInput().getType());
    int64_t channels = outType.getDimSize(1);
    std::optional<SmallVector<float>> bias;
    if (Value b = producer.getBiasValue())
      if (!(bias = getConstantF32Values(b)))
        return rewriter.notifyMatchFailure(bn, "bias is not constant");
    std::optional<ChannelAffine> affine = getConstantAffine(bn, channels);
    if (!affine)
      return rewriter.notifyMatchFailure(bn, "batch norm is not constant");

    // Output channel of each weight element: linear [nIn, nOut] is column
    // major in o; a convolution [V, G, nIn/G, nOut/G] has o = g * nOut/G + q.
    int64_t perGroup = weightType.getShape().back();
    int64_t groups = weightType.getRank() == 4 ? weightType.getDimSize(1) : 1;
    int64_t inPerGroup =
        weightType.getRank() == 4 ? weightType.getDimSize(2) : weightType.getDimSize(0);
    SmallVector<float> folded(*weights);
    for (size_t i = 0; i < folded.size(); ++i) {
      int64_t q = i % perGroup;
      int64_t g = (i / (perGroup * inPerGroup)) % groups;
      folded[i] *= affine->scale[g * perGroup + q];
    }
    SmallVector<float> newBias(channels);
    for (int64_t c = 0; c < channels; ++c)
      newBias[c] = (bias ? (*bias)[c] : 0.0f) * affine->scale[c] + affine->shift[c];

    rewriter.setInsertionPoint(producer);
    Value newWeight =
        createF32Constant(rewriter, weight.getLoc(), weightType, folded);
    Value biasValue = createF32Constant(
        rewriter, bn.getLoc(),
        RankedTensorType::get({channels}, rewriter.getF32Type()), newBias);
    rewriter.modifyOpInPlace(producer, [&] {
      producer.getWeightOperand().set(newWeight);
      producer.setBiasValue(biasValue);
    });
    rewriter.setInsertionPoint(bn);
    replaceWithActivation(rewriter, bn, producer->getResult(0));
    return success();
  }
};

struct SCNFoldBatchNormPass
    : scn::impl::SCNFoldBatchNormBase<SCNFoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoProducer>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
