//===- SCNPointwiseOps.cpp - batch norm, activations and tables -----------===//

#include "SCNVerifyUtils.h"

using namespace mlir;
using namespace scn;
using namespace scn::detail;

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getInput().getType());
  // Train mode also returns the updated running mean and variance.
  if (getParsedOrPropertyAttr(adaptor.getTrainingAttr(), adaptor.getAttributes(),
                      "training")) {
    types.push_back(adaptor.getRunningMean().getType());
    types.push_back(adaptor.getRunningVar().getType());
  }
  return success();
}

LogicalResult BatchNormOp::verify() {
  int64_t channels = getChannels(getInput());
  // SCN rule: every batch-norm parameter and buffer has shape [nPlanes].
  for (auto [value, name] :
       {std::pair<Value, StringRef>{getRunningMean(), "running_mean"},
        {getRunningVar(), "running_var"},
        {getWeight(), "weight"},
        {getBias(), "bias"}}) {
    if (value && failed(checkChannelVector(*this, value, channels, name)))
      return failure();
  }
  if (!(getEps().convertToDouble() > 0.0))
    return emitOpError() << "eps must be > 0, got " << getEps().convertToDouble();
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitOpError() << "momentum must be in [0, 1], got " << momentum;
  if (!std::isfinite(getLeakiness().convertToDouble()))
    return emitOpError() << "leakiness must be finite";
  return success();
}

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::verify() {
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p <= 1.0))
    return emitOpError() << "p must be in [0, 1], got " << p;
  return success();
}

void DropoutOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // Only training-mode dropout draws random numbers; inference is a scale.
  if (getTraining()) {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
}

//===----------------------------------------------------------------------===//
// ConcatOp / AddOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(location, "scn.concat needs at least one operand");
  int64_t channels = 0;
  Type element =
      cast<RankedTensorType>(adaptor.getInputs().front().getType()).getElementType();
  for (Value v : adaptor.getInputs())
    channels += cast<RankedTensorType>(v.getType()).getDimSize(1);
  types.push_back(RankedTensorType::get({ShapedType::kDynamic, channels}, element));
  return success();
}

/// SCN rule: JoinTable and AddTable combine features of the same active set.
static LogicalResult verifySameSites(Operation *op, OperandRange inputs) {
  if (inputs.empty())
    return op->emitOpError() << "needs at least one operand";
  Value first;
  for (auto [index, value] : llvm::enumerate(inputs)) {
    Value sites = getSitesOf(value);
    if (!sites)
      continue;
    if (first && sites != first)
      return op->emitOpError() << "operand " << index
                               << " is on a different sites value than the "
                                  "earlier operands";
    first = sites;
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (auto fused = getFusedOperands()) {
    int64_t previous = -1;
    for (int64_t index : *fused) {
      if (index <= previous || index >= static_cast<int64_t>(getInputs().size()))
        return emitOpError() << "fused_operands must be increasing operand "
                                "indices below "
                             << getInputs().size() << ", got " << index;
      previous = index;
    }
  }
  Type element =
      cast<RankedTensorType>(getInputs().front().getType()).getElementType();
  for (Value v : getInputs())
    if (cast<RankedTensorType>(v.getType()).getElementType() != element)
      return emitOpError() << "operands have different element types";
  return verifySameSites(*this, getInputs());
}

LogicalResult AddOp::verify() { return verifySameSites(*this, getInputs()); }
