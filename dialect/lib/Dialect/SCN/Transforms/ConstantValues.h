//===- ConstantValues.h - reading and writing constant tensors -*- C++ -*-===//
//
// Private to the scn passes: weights are `arith.constant`s holding either a
// dense elements attribute or a `dense_resource` blob.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_LIB_DIALECT_SCN_TRANSFORMS_CONSTANTVALUES_H
#define SCN_LIB_DIALECT_SCN_TRANSFORMS_CONSTANTVALUES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace scn {

/// The f32 values of a constant tensor (`arith.constant` of dense elements
/// or of a dense resource), in row-major order; nullopt otherwise.
std::optional<llvm::SmallVector<float>> getConstantF32Values(mlir::Value value);

/// A new `arith.constant` of type `type` (f32 elements) holding `values`.
mlir::Value createF32Constant(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<float> values);

} // namespace scn

#endif // SCN_LIB_DIALECT_SCN_TRANSFORMS_CONSTANTVALUES_H
