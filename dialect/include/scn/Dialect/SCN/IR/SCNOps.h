//===- SCNOps.h - scn dialect types, attributes and ops ---------*- C++ -*-===//

#ifndef SCN_DIALECT_SCN_IR_SCNOPS_H
#define SCN_DIALECT_SCN_IR_SCNOPS_H

#include "scn/Dialect/SCN/IR/SCNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "scn/Dialect/SCN/IR/SCNEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "scn/Dialect/SCN/IR/SCNTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "scn/Dialect/SCN/IR/SCNAttrs.h.inc"

#include "scn/Dialect/SCN/IR/SCNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "scn/Dialect/SCN/IR/SCNOps.h.inc"

namespace scn {

/// The sites value that the rows of `features` belong to, found by walking
/// back through the ops that keep rows in place (pointwise ops, linear,
/// batch norm, concat, add). Null when it cannot be known statically (for
/// example a function argument).
mlir::Value getSitesOf(mlir::Value features);

/// `op`, a convolution or scn.linear whose epilogue steps changed, built
/// again at the builder's insertion point with the results those steps give
/// it (a second, tapped, result with a `tap` step): result types follow the
/// steps, so an op that gains or loses a tap is a new op. Operands,
/// properties and attributes are `op`'s; its uses are left to the caller.
mlir::Operation *rebuildForEpilogue(mlir::OpBuilder &builder, mlir::Operation *op);

/// Output spatial size of a strided convolution or pooling,
/// `(in - size) / stride + 1`, or failure when the division is not exact or
/// the filter is larger than the input.
mlir::FailureOr<llvm::SmallVector<int64_t>>
getDownsampledSize(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> size,
                   llvm::ArrayRef<int64_t> stride);

/// Output spatial size of a deconvolution, unpooling or full convolution,
/// `(in - 1) * stride + size`.
llvm::SmallVector<int64_t> getUpsampledSize(llvm::ArrayRef<int64_t> in,
                                            llvm::ArrayRef<int64_t> size,
                                            llvm::ArrayRef<int64_t> stride);

} // namespace scn

#endif // SCN_DIALECT_SCN_IR_SCNOPS_H
