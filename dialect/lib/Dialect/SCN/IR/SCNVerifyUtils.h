//===- SCNVerifyUtils.h - shared checks of the scn verifiers ----*- C++ -*-===//
//
// Private to the dialect library: the checks that several ops share
// (filter/stride shapes, the producing op of a sites value, features on the
// right sites). Each check names the SparseConvNet rule it enforces.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_LIB_DIALECT_SCN_IR_SCNVERIFYUTILS_H
#define SCN_LIB_DIALECT_SCN_IR_SCNVERIFYUTILS_H

#include "scn/Dialect/SCN/IR/SCNOps.h"

namespace scn::detail {

/// Largest filter size or stride per axis (keeps size arithmetic in int64).
inline constexpr int64_t kMaxFilterExtent = (int64_t(1) << 31) - 1;

/// Emits through `emitError` and fails unless `filter` (and `stride`, when
/// given) have one entry per spatial axis, each in [1, kMaxFilterExtent].
llvm::LogicalResult
checkFilterAndStride(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                     unsigned dimension, llvm::ArrayRef<int64_t> filter,
                     std::optional<llvm::ArrayRef<int64_t>> stride);

/// Product of the filter sizes (the filter volume `V`).
int64_t getFilterVolume(llvm::ArrayRef<int64_t> filter);

/// Fails unless the features `input` (when their sites can be traced) are on
/// `sites`.
llvm::LogicalResult checkFeaturesOnSites(mlir::Operation *op,
                                         mlir::Value input, mlir::Value sites,
                                         llvm::StringRef operandName);

/// The channel count (dimension 1) of a feature tensor.
int64_t getChannels(mlir::Value features);

/// Emits and fails unless `value` is a rank-1 tensor of `channels` elements.
llvm::LogicalResult checkChannelVector(mlir::Operation *op, mlir::Value value,
                                       int64_t channels, llvm::StringRef name);

/// An inherent attribute seen by `inferReturnTypes`. While an op is being
/// parsed, the attributes of its `attr-dict` are not yet in its properties, so
/// the adaptor's property getters return null: fall back to the dictionary.
template <typename AttrT>
AttrT getParsedOrPropertyAttr(AttrT fromProperties, mlir::DictionaryAttr attributes,
                      llvm::StringRef name) {
  if (fromProperties)
    return fromProperties;
  return attributes ? llvm::dyn_cast_or_null<AttrT>(attributes.get(name))
                    : AttrT();
}

} // namespace scn::detail

#endif // SCN_LIB_DIALECT_SCN_IR_SCNVERIFYUTILS_H
