//===- SCNVerifyUtils.cpp - shared checks of the scn verifiers ------------===//

#include "SCNVerifyUtils.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace scn::detail {

LogicalResult
checkFilterAndStride(function_ref<InFlightDiagnostic()> emitError,
                     unsigned dimension, ArrayRef<int64_t> filter,
                     std::optional<ArrayRef<int64_t>> stride) {
  // SCN rule: filter size and stride are given per spatial axis.
  if (filter.size() != dimension)
    return emitError() << "filter_size needs " << dimension
                       << " entries (one per spatial axis), got "
                       << filter.size();
  for (auto [axis, s] : llvm::enumerate(filter))
    if (s < 1 || s > kMaxFilterExtent)
      return emitError() << "filter_size[" << axis << "] must be >= 1, got "
                         << s;
  if (!stride)
    return success();
  if (stride->size() != dimension)
    return emitError() << "filter_stride needs " << dimension
                       << " entries (one per spatial axis), got "
                       << stride->size();
  for (auto [axis, t] : llvm::enumerate(*stride))
    if (t < 1 || t > kMaxFilterExtent)
      return emitError() << "filter_stride[" << axis << "] must be >= 1, got "
                         << t;
  return success();
}

int64_t getFilterVolume(ArrayRef<int64_t> filter) {
  int64_t volume = 1;
  for (int64_t s : filter)
    if (llvm::MulOverflow(volume, s, volume))
      return -1;
  return volume;
}

LogicalResult checkFeaturesOnSites(Operation *op, Value input, Value sites,
                                   StringRef operandName) {
  // SCN rule: a layer's features live on the active set of its input scale.
  Value actual = getSitesOf(input);
  if (actual && actual != sites)
    return op->emitOpError() << operandName
                             << " features are on a different sites value than "
                                "the op's input sites";
  return success();
}

int64_t getChannels(Value features) {
  return cast<RankedTensorType>(features.getType()).getDimSize(1);
}

LogicalResult checkChannelVector(Operation *op, Value value, int64_t channels,
                                 StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() != 1 || type.getDimSize(0) != channels)
    return op->emitOpError() << name << " must have shape [" << channels
                             << "], got " << type;
  return success();
}

} // namespace scn::detail
