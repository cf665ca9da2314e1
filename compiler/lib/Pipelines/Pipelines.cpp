//===- Pipelines.cpp - named scn pass pipelines ---------------------------===//

#include "scn/Pipelines/Pipelines.h"

#include "scn/Conversion/Passes.h"
#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void scn::buildGraphPipeline(OpPassManager &pm,
                             const GraphPipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  if (options.foldBatchNorm)
    pm.addPass(createSCNFoldBatchNorm());
  if (options.fuseEpilogue)
    pm.addPass(createSCNFuseEpilogue());
  // Folds the arith ops of unfoldable batch norms' scale and shift.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCNMaterializeKernelMaps());
  pm.addPass(createCSEPass());
  SCNPlanDataflowOptions plan;
  plan.weightStationaryMinChannels = options.weightStationaryMinChannels;
  pm.addPass(createSCNPlanDataflow(plan));
}

/// The upstream part, as a textual pipeline: every pass in it is upstream
/// MLIR's, so the text is the clearest record of the order.
static constexpr const char *kLowerToLLVM =
    // Elementwise arith on [C] tensors (batch-norm scale/shift computed from
    // run-time parameters) becomes linalg, which bufferizes.
    "func.func(convert-elementwise-to-linalg),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map "
    "unknown-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,"
    // Free every layer's buffer after its last use, not at the end.
    "func.func(scn-free-buffers-early),"
    "convert-linalg-to-loops,"
    // Before the vector lowering: it scalarises vector math into vector ops.
    "convert-math-to-libm,"
    // Every scf.parallel over output rows becomes an OpenMP parallel loop
    // (libomp); each row is still written by one iteration, so results do
    // not depend on the thread count. Its body sits in a memref.alloca_scope,
    // which the memref lowering must see before scf-to-cf splits the body
    // into blocks.
    "convert-scf-to-openmp,"
    "expand-strided-metadata,"
    "lower-affine,"
    "finalize-memref-to-llvm,"
    "convert-scf-to-cf,"
    "convert-vector-to-llvm,"
    "convert-math-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-openmp-to-llvm,"
    "reconcile-unrealized-casts";

void scn::buildCPUPipeline(OpPassManager &pm,
                           const GraphPipelineOptions &options) {
  buildGraphPipeline(pm, options);
  pm.addPass(createConvertSCNToCPU());
  pm.addPass(createCanonicalizerPass());
  if (failed(parsePassPipeline(kLowerToLLVM, pm)))
    llvm::report_fatal_error("scn: the LLVM lowering pipeline does not parse");
}

void scn::registerPipelines() {
  PassPipelineRegistration<GraphPipelineOptions>(
      "scn-graph-pipeline",
      "Graph-level scn pipeline: canonicalize, fold batch norm, fuse "
      "epilogues, materialize shared kernel maps",
      buildGraphPipeline);
  PassPipelineRegistration<GraphPipelineOptions>(
      "scn-cpu-pipeline",
      "scn IR to the LLVM dialect for the host CPU: the graph pipeline, "
      "convert-scn-to-cpu, bufferization and the upstream LLVM lowering",
      buildCPUPipeline);
}

void scn::registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<scn::SCNDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
}

void scn::registerCompilerPasses() {
  registerAllPasses();
  registerSCNPasses();
  registerSCNConversionPasses();
  registerPipelines();
}
