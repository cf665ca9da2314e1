//===- Pipelines.cpp - named scn pass pipelines ---------------------------===//

#include "scn/Pipelines/Pipelines.h"

#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void scn::buildCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  if (options.foldBatchNorm)
    pm.addPass(createSCNFoldBatchNorm());
  if (options.fuseEpilogue)
    pm.addPass(createSCNFuseEpilogue());
  // Folds the arith ops of unfoldable batch norms' scale and shift.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCNMaterializeKernelMaps());
  pm.addPass(createCSEPass());
}

void scn::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "scn-cpu-pipeline",
      "Graph-level scn pipeline for the CPU: canonicalize, fold batch norm, "
      "fuse epilogues, materialize shared kernel maps",
      buildCPUPipeline);
}
