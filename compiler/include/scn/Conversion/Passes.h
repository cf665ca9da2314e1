//===- Passes.h - scn conversion passes -------------------------*- C++ -*-===//

#ifndef SCN_CONVERSION_PASSES_H
#define SCN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace scn {

#define GEN_PASS_DECL
#include "scn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "scn/Conversion/Passes.h.inc"

} // namespace scn

#endif // SCN_CONVERSION_PASSES_H
