//===- GPUTensorCoreOccupancy.cpp - scn-gpu-tensor-core-occupancy ---------===//
//
// The tensor-core convolutions' resident blocks an SM, asked of ptxas
// through the PTX's .minnctapersm (see Passes.td): the wgmma kernel of W3
// C64 takes 95 registers, which leave 5 blocks of 128 threads an SM where
// 80 would leave 6. And the clusters of those that run in clusters of two
// blocks (.reqnctapercluster).
//
//===----------------------------------------------------------------------===//

#include "scn/Conversion/Passes.h"
#include "scn/Conversion/TensorCores.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"

namespace scn {
#define GEN_PASS_DEF_SCNGPUTENSORCOREOCCUPANCY
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

using namespace mlir;

namespace {

struct SCNGPUTensorCoreOccupancyPass
    : scn::impl::SCNGPUTensorCoreOccupancyBase<SCNGPUTensorCoreOccupancyPass> {
  using Base::Base;

  void runOnOperation() override {
    const int64_t blocks = minBlocks;
    if (blocks < 0 || blocks > 32) {
      getOperation().emitError() << "scn-gpu-tensor-core-occupancy: min-blocks = " << blocks
                                 << " is not between 0 and 32 (an SM holds at most 32 blocks)";
      return signalPassFailure();
    }
    Builder b(&getContext());
    getOperation().walk([&](gpu::GPUFuncOp func) {
      if (!func.isKernel() || !func.getName().starts_with(scn::kTensorCoreKernelName))
        return;
      if (blocks > 0)
        func->setAttr("nvvm.minctasm", b.getI32IntegerAttr(static_cast<int32_t>(blocks)));
      // Clusters of two are the only ones the lowering makes.
      if (!func.walk([](NVVM::ClusterId) { return WalkResult::interrupt(); }).wasInterrupted())
        return;
      func->setAttr(NVVM::NVVMDialect::getClusterDimAttrName(),
                    b.getDenseI32ArrayAttr({2, 1, 1}));
    });
  }
};

} // namespace
