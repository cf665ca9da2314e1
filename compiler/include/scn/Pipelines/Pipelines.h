//===- Pipelines.h - named scn pass pipelines -------------------*- C++ -*-===//

#ifndef SCN_PIPELINES_PIPELINES_H
#define SCN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace scn {

/// Options of `--scn-cpu-pipeline`.
struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold inference batch norm into constant weights"),
      llvm::cl::init(true)};
  Option<bool> fuseEpilogue{
      *this, "fuse-epilogue",
      llvm::cl::desc("Fuse batch norm, activations and residual adds into the "
                     "producing op"),
      llvm::cl::init(true)};
};

/// The graph-level part of the CPU pipeline built so far: canonicalize, fold
/// batch norm, fuse epilogues, materialize shared kernel maps, CSE.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Registers `--scn-cpu-pipeline`.
void registerPipelines();

} // namespace scn

#endif // SCN_PIPELINES_PIPELINES_H
