//===- Passes.h - scn IR-to-IR passes ---------------------------*- C++ -*-===//

#ifndef SCN_DIALECT_SCN_TRANSFORMS_PASSES_H
#define SCN_DIALECT_SCN_TRANSFORMS_PASSES_H

#include "scn/Dialect/SCN/IR/SCNOps.h"

#include "mlir/Pass/Pass.h"

namespace scn {

#define GEN_PASS_DECL
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "scn/Dialect/SCN/Transforms/Passes.h.inc"

} // namespace scn

#endif // SCN_DIALECT_SCN_TRANSFORMS_PASSES_H
