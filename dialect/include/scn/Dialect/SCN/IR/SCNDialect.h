//===- SCNDialect.h - scn dialect -------------------------------*- C++ -*-===//
//
// The scn dialect: Submanifold Sparse Convolutional Networks with explicit
// geometry. Include this header for the dialect, its types, attributes,
// interfaces and ops.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_DIALECT_SCN_IR_SCNDIALECT_H
#define SCN_DIALECT_SCN_IR_SCNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "scn/Dialect/SCN/IR/SCNDialect.h.inc"

#endif // SCN_DIALECT_SCN_IR_SCNDIALECT_H
