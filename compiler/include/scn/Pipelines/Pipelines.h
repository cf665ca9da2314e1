//===- Pipelines.h - named scn pass pipelines -------------------*- C++ -*-===//

#ifndef SCN_PIPELINES_PIPELINES_H
#define SCN_PIPELINES_PIPELINES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace scn {

/// Options of the graph-level pipeline (and of the graph part of the CPU one).
struct GraphPipelineOptions
    : public mlir::PassPipelineOptions<GraphPipelineOptions> {
  Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold inference batch norm into constant weights"),
      llvm::cl::init(true)};
  Option<bool> fuseEpilogue{
      *this, "fuse-epilogue",
      llvm::cl::desc("Fuse batch norm, activations and residual adds into the "
                     "producing op"),
      llvm::cl::init(true)};
  Option<int64_t> weightStationaryMinChannels{
      *this, "weight-stationary-min-channels",
      llvm::cl::desc("scn-plan-dataflow: channels per group from which "
                     "convolutions are weight-stationary (0: never)"),
      llvm::cl::init(64)};
};

/// `--scn-graph-pipeline`: canonicalize, fold batch norm, fuse epilogues,
/// materialize shared kernel maps, CSE, plan each kernel's schedule
/// (scn-plan-dataflow). scn IR in, scn IR out.
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const GraphPipelineOptions &options);

/// `--scn-cpu-pipeline`: the graph pipeline, convert-scn-to-cpu, one-shot
/// bufferization with buffer deallocation, and the upstream lowering of
/// scf/vector/memref/math/arith/func to the LLVM dialect.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const GraphPipelineOptions &options);

/// Registers both pipelines.
void registerPipelines();

/// Every dialect, interface model and pass the pipelines use, for tools.
void registerCompilerDialects(mlir::DialectRegistry &registry);
void registerCompilerPasses();

} // namespace scn

#endif // SCN_PIPELINES_PIPELINES_H
