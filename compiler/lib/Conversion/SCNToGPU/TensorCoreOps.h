//===- TensorCoreOps.h - tensor-core placeholders to NVVM -------*- C++ -*-===//
//
// Private to scn-gpu-offload (GPUOffload.cpp): see TensorCoreOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_CONVERSION_SCNTOGPU_TENSORCOREOPS_H
#define SCN_CONVERSION_SCNTOGPU_TENSORCOREOPS_H

#include "mlir/IR/BuiltinOps.h"

namespace scn::gpu_offload {

/// Turns the tensor-core placeholder calls in `module` into NVVM ops and
/// inline PTX, and erases their declarations.
void materializeWarpOps(mlir::ModuleOp module);

} // namespace scn::gpu_offload

#endif // SCN_CONVERSION_SCNTOGPU_TENSORCOREOPS_H
