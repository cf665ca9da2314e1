//===- BufferRoots.h - the buffer a memref value views ----------*- C++ -*-===//
//
// Shared by scn-gpu-offload and scn-gpu-async-chain: both reason about
// buffers (allocations, arguments), not about the views of them that ops
// take.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_CONVERSION_SCNTOGPU_BUFFERROOTS_H
#define SCN_CONVERSION_SCNTOGPU_BUFFERROOTS_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace scn::gpu_buffers {

/// The buffer that `v` is a view of (through subviews, reshapes, casts).
inline mlir::Value rootBuffer(mlir::Value v) {
  while (mlir::Operation *def = v.getDefiningOp()) {
    auto view = llvm::dyn_cast<mlir::ViewLikeOpInterface>(def);
    if (!view || view.getViewDest() != v)
      break;
    v = view.getViewSource();
  }
  return v;
}

} // namespace scn::gpu_buffers

#endif // SCN_CONVERSION_SCNTOGPU_BUFFERROOTS_H
