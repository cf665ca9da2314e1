//===- SCNToGPU.cpp - the convert-scn-to-gpu pass -------------------------===//
//
// The op lowerings of convert-scn-to-cpu, with the runtime arrays that loops
// read copied into GPU-visible memory (KernelBuilder::runtimeArray). The
// loops become kernels in scn-gpu-offload, once buffers exist.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "scn/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace scn {
#define GEN_PASS_DEF_CONVERTSCNTOGPU
#include "scn/Conversion/Passes.h.inc"
} // namespace scn

namespace {
struct ConvertSCNToGPUPass
    : scn::impl::ConvertSCNToGPUBase<ConvertSCNToGPUPass> {
  using Base::Base;
  void runOnOperation() override {
    mlir::Builder b(&getContext());
    mlir::Type activations;
    if (activationType == "f16")
      activations = b.getF16Type();
    else if (activationType == "bf16")
      activations = b.getBF16Type();
    else if (activationType != "f32") {
      getOperation()->emitError() << "convert-scn-to-gpu: activation-type '" << activationType
                                  << "' is not one of f32, f16, bf16";
      return signalPassFailure();
    }
    if (failed(scn::cpu::lowerSCNModule(getOperation(), /*forGPU=*/true, deviceGeometry,
                                          emulateWarps, activations, neighbourMasks,
                                          tablePrefetch)))
      signalPassFailure();
  }
};
} // namespace
