//===- Pipelines.cpp - named scn pass pipelines ---------------------------===//

#include "scn/Pipelines/Pipelines.h"

#include "scn/Conversion/Passes.h"
#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "scn/Dialect/SCN/IR/TensorCoreLimits.h"
#include "scn/Dialect/SCN/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

/// The graph passes, for every pipeline.
namespace scn {
static void addGraphPasses(OpPassManager &pm, bool foldBatchNorm, bool fuseEpilogue,
                           bool epilogueTaps, int64_t weightStationaryMinChannels,
                           int64_t weightStationaryMinChannelsAlone,
                           llvm::StringRef target = "cpu",
                           llvm::StringRef tensorCoreType = "",
                           int64_t tensorCoreRows = 0, int64_t simtRows = 0,
                           int64_t simtChannels = 0, int64_t tensorCoreLoads = 0,
                           llvm::StringRef tensorCoreWeights = "global",
                           int64_t tensorCoreSharedBytes = 0,
                           llvm::StringRef tensorCoreGathers = "registers",
                           int64_t tensorCoreStages = 0, int64_t activationBytes = 4,
                           bool narrowTensorCoreInputs = true,
                           bool tensorCoreWgmma = false, int64_t tensorCoreColumns = 0,
                           int64_t tensorCoreBlockWarps = 4, bool linearAsConvolution = true,
                           bool hoistSiteSets = true, int64_t tensorCoreClusterBlocks = 1,
                           bool siteSetsAtFirstUse = false) {
  pm.addPass(createCanonicalizerPass());
  if (foldBatchNorm)
    pm.addPass(createSCNFoldBatchNorm());
  if (fuseEpilogue)
    pm.addPass(createSCNFuseEpilogue(SCNFuseEpilogueOptions{epilogueTaps}));
  // Folds the arith ops of unfoldable batch norms' scale and shift.
  pm.addPass(createCanonicalizerPass());
  // NetworkInNetwork layers that fit tensor cores run on them, as 1x1
  // convolutions (their kernel maps come next).
  if (target == "cuda" && !tensorCoreType.empty() && linearAsConvolution)
    pm.addPass(createSCNLinearAsConvolution());
  pm.addPass(createSCNMaterializeKernelMaps());
  pm.addPass(createCSEPass());
  // The GPU's derived sets leave their counts on the device: the pyramid
  // first, and its counts cost one wait.
  if (target == "cuda" && hoistSiteSets)
    pm.addPass(createSCNHoistSiteSets(SCNHoistSiteSetsOptions{siteSetsAtFirstUse}));
  SCNPlanDataflowOptions plan;
  plan.weightStationaryMinChannels = weightStationaryMinChannels;
  plan.weightStationaryMinChannelsAlone = weightStationaryMinChannelsAlone;
  plan.target = target.str();
  plan.tensorCores = !tensorCoreType.empty();
  if (plan.tensorCores)
    plan.tensorCoreType = tensorCoreType.str();
  plan.tensorCoreRows = tensorCoreRows;
  plan.rowsPerTile = simtRows;
  plan.tensorCoreLoads = tensorCoreLoads;
  plan.simtChannelTile = simtChannels;
  plan.tensorCoreWeights = tensorCoreWeights.str();
  if (tensorCoreSharedBytes > 0)
    plan.tensorCoreSharedBytes = tensorCoreSharedBytes;
  plan.tensorCoreGathers = tensorCoreGathers.str();
  plan.activationBytes = activationBytes;
  plan.narrowTensorCoreInputs = narrowTensorCoreInputs;
  plan.tensorCoreWgmma = tensorCoreWgmma;
  plan.tensorCoreColumns = tensorCoreColumns;
  plan.tensorCoreBlockWarps = tensorCoreBlockWarps;
  plan.tensorCoreClusterBlocks = tensorCoreClusterBlocks;
  if (tensorCoreStages > 0)
    plan.tensorCoreStages = tensorCoreStages;
  pm.addPass(createSCNPlanDataflow(plan));
}
} // namespace scn

void scn::buildGraphPipeline(OpPassManager &pm,
                             const GraphPipelineOptions &options) {
  addGraphPasses(pm, options.foldBatchNorm, options.fuseEpilogue, options.epilogueTaps,
                 options.weightStationaryMinChannels,
                 options.weightStationaryMinChannelsAlone, options.planTarget);
}

/// Bufferization (upstream passes and ours), the start of the lowering of
/// both targets. Elementwise arith on [C] tensors (batch-norm scale/shift
/// computed from run-time parameters) becomes linalg, which bufferizes;
/// scn-free-buffers-early frees every layer's buffer after its last use, not
/// at the end.
static constexpr const char *kBufferize =
    "func.func(convert-elementwise-to-linalg,linalg-fuse-elementwise-ops),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map "
    "unknown-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,"
    // The clones deallocation makes of results it does not own (a network
    // that returns an argument unchanged) become an allocation and a copy.
    "convert-bufferization-to-memref,"
    "func.func(scn-free-buffers-early)";

/// The CPU runs the linalg ops left after bufferization (batch-norm scales
/// from run-time parameters) as host loops; the GPU as parallel loops,
/// which scn-gpu-offload turns into kernels, so that the parameters stay
/// on the device and the host neither waits nor touches managed memory.
static constexpr const char *kLinalgToHostLoops = "convert-linalg-to-loops";
static constexpr const char *kLinalgToParallelLoops = "convert-linalg-to-parallel-loops";

/// The host code's lowering to the LLVM dialect, shared by both targets.
/// Every pass in these texts but the first is upstream MLIR's, so the text
/// is the clearest record of the order.
///
/// memref.alloc and dealloc call _mlir_memref_to_llvm_alloc and _free, which
/// become the runtime's scn_cg_alloc and scn_cg_free in LLVM IR
/// (Execution/Compile.cpp, optimizeModule): within a call through Model.h
/// the buffers come from the model's planned block
/// (runtime/lib/CPU/RunArena.h), not a fresh mapping a layer. Each is
/// labelled with its op's location first (scn-name-allocation-sites), which
/// an out-of-memory error names.
static constexpr const char *kHostToLLVM =
    "scn-name-allocation-sites,"
    "expand-strided-metadata,"
    "lower-affine,"
    "finalize-memref-to-llvm{use-generic-functions=1},"
    "convert-scf-to-cf,"
    "convert-vector-to-llvm,"
    "convert-math-to-llvm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,";

/// The CPU lowering after bufferization.
static std::string cpuLowering() {
  return std::string(
             // Before the vector lowering: it scalarises vector math into
             // vector ops.
             "convert-math-to-libm,"
             // Every scf.parallel over output rows becomes an OpenMP parallel
             // loop (libomp); each row is still written by one iteration, so
             // results do not depend on the thread count. Its body sits in a
             // memref.alloca_scope, which the memref lowering must see before
             // scf-to-cf splits the body into blocks.
             "convert-scf-to-openmp,") +
         kHostToLLVM + "convert-openmp-to-llvm,reconcile-unrealized-casts";
}

void scn::buildCPUPipeline(OpPassManager &pm,
                           const GraphPipelineOptions &options) {
  buildGraphPipeline(pm, options);
  pm.addPass(createConvertSCNToCPU());
  pm.addPass(createCanonicalizerPass());
  if (failed(parsePassPipeline(kBufferize, pm)) ||
      failed(parsePassPipeline(kLinalgToHostLoops, pm)) ||
      failed(parsePassPipeline(cpuLowering(), pm)))
    llvm::report_fatal_error("scn: the LLVM lowering pipeline does not parse");
}

/// The CUDA lowering after scn-gpu-offload: loops to kernels, the host's GPU
/// work chained on streams (scn-gpu-async-chain), kernels to NVVM (inside each gpu.module, before any host pass, so that math in
/// kernels becomes libdevice calls, not libm ones), then the host to LLVM.
/// gpu-to-llvm lowers allocations, frees and launches to the mgpu* ABI of
/// libscn_runtime; gpu-module-to-binary serializes each kernel as `format`.
static std::string cudaLowering(llvm::StringRef target, llvm::StringRef format,
                               bool asyncChain, int64_t tensorCoreMinBlocks) {
  // gpu-launch-sink-index-computations before outlining: the canonicalizer
  // hoists the kernels' constants out of gpu.launch, and outlining alone
  // passes them in as kernel arguments, so that ptxas saw `lane % 4` as a
  // 64-bit remainder by a parameter and every index product as a multiply
  // by one (the H200's SASS of W3 C64's tensor-core kernel, 2026-11-27).
  // scn-gpu-tensor-core-occupancy needs the outlined kernels (it also
  // gives kernels of clusters their cluster shape).
  std::string occupancy = "scn-gpu-tensor-core-occupancy{min-blocks=" +
                          std::to_string(tensorCoreMinBlocks) + "},";
  return "func.func(convert-parallel-loops-to-gpu),"
         "gpu-launch-sink-index-computations,"
         "gpu-kernel-outlining," +
         occupancy +
         "lower-affine,"
         "canonicalize,"
         "cse," +
         (asyncChain ? "scn-gpu-async-chain," : "") +
         "nvvm-attach-target{" + target.str() +
         "},"
         "gpu.module(convert-nvgpu-to-nvvm,convert-scf-to-cf,convert-gpu-to-nvvm,canonicalize,cse,"
         "reconcile-unrealized-casts),"
         "convert-math-to-libm," +
         kHostToLLVM +
         "gpu-to-llvm,"
         "reconcile-unrealized-casts,"
         "gpu-module-to-binary{format=" +
         format.str() + "}";
}

LogicalResult scn::buildCUDAPipeline(OpPassManager &pm,
                                     const CUDAPipelineOptions &options) {
  if (options.elementType != "f32" && options.elementType != "f16" &&
      options.elementType != "bf16" && options.elementType != "tf32") {
    llvm::errs() << "scn-cuda-pipeline: element-type=" << options.elementType
                 << " is not one of f32, f16, bf16, tf32 (f16, bf16 and tf32: tensor "
                    "cores)\n";
    return failure();
  }
  bool tensorCores = options.elementType != "f32";
  // tensor-core-weights=auto (the default): where the PTX targets sm_90a
  // and f16/bf16 multiplicands gather into registers over neighbour masks,
  // block weights on wgmma in warps of up to 128 output channels (unless
  // tensor-core-columns says otherwise); elsewhere global weights. On the
  // H200 that made W3 C64's convolution 1.38x and C128's 1.6x faster than
  // global weights on mma.sync, and W1's kernels 3%, with the same outputs
  // bit for bit (bench/gpu/README.md, "Third GPU session"). The choice is
  // the network's, as measured: in such an artifact the layers whose input
  // channels are not in 64s get mma.sync block weights (W1 has some; its
  // 4.14 ms of kernels include them). On other chips and for tf32,
  // mma.sync block weights alone were slower on W1, so stay opt-in.
  std::string weights = options.tensorCoreWeights;
  int64_t columns = options.tensorCoreColumns;
  if (weights == "auto") {
    // Tiles that wgmma takes (warps of 16 rows and 64 or 128 columns):
    // others would get mma.sync block weights, which are not the default.
    bool wgmma = tensorCores && options.chip == "sm_90a" && !options.emulateOnHost &&
                 (options.elementType == "f16" || options.elementType == "bf16") &&
                 options.tensorCoreGathers == "registers" && options.neighbourMasks &&
                 llvm::is_contained({0, 16}, options.tensorCoreRows.getValue()) &&
                 llvm::is_contained({0, 64, 128}, columns);
    weights = wgmma ? "block" : "global";
    if (wgmma && columns == 0)
      columns = 128;
  }
  if (options.activations != "f32" && options.activations != "f16" &&
      options.activations != "bf16") {
    llvm::errs() << "scn-cuda-pipeline: activations=" << options.activations.getValue()
                 << " is not one of f32, f16, bf16\n";
    return failure();
  }
  if (columns != 0 &&
      (!tensorCores || !llvm::is_contained({16, 32, 64, 128},
                                           columns))) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-columns="
                 << columns
                 << " needs element-type f16, bf16 or tf32 and 16, 32, 64 or 128\n";
    return failure();
  }
  if (options.tensorCoreMinBlocks != 0 &&
      (!tensorCores || options.tensorCoreMinBlocks < 1 || options.tensorCoreMinBlocks > 32)) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-min-blocks="
                 << options.tensorCoreMinBlocks.getValue()
                 << " needs element-type f16, bf16 or tf32 and 1 to 32 blocks an SM\n";
    return failure();
  }
  if (options.tensorCoreBlockWarps != 4 &&
      (weights != "block" || options.tensorCoreBlockWarps != 8)) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-block-warps="
                 << options.tensorCoreBlockWarps.getValue()
                 << " needs tensor-core-weights=block and 4 or 8 warps\n";
    return failure();
  }
  if (options.siteSetsAtFirstUse && !options.hoistSiteSets) {
    llvm::errs() << "scn-cuda-pipeline: site-sets-at-first-use moves the hoisted pyramid: "
                    "it needs hoist-site-sets=true\n";
    return failure();
  }
  // Clusters share each copy between blocks of one warpgroup on wgmma.
  if (options.tensorCoreClusterBlocks != 1 &&
      (options.tensorCoreClusterBlocks != 2 || options.chip != "sm_90a" ||
       weights != "block" || options.tensorCoreBlockWarps != 4)) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-cluster-blocks="
                 << options.tensorCoreClusterBlocks.getValue()
                 << " needs chip=sm_90a, block weights (tensor-core-weights=block, or auto "
                    "with f16 or bf16), blocks of 4 warps and 1 or 2 blocks\n";
    return failure();
  }
  if (options.tensorCoreRows != 0 && (!tensorCores || (options.tensorCoreRows != 16 &&
                                                       options.tensorCoreRows != 32 &&
                                                       options.tensorCoreRows != 64))) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-rows=" << options.tensorCoreRows.getValue()
                 << " needs element-type f16, bf16 or tf32 and 16, 32 or 64 rows\n";
    return failure();
  }
  if (options.tensorCoreLoads != 0 &&
      (!tensorCores || options.tensorCoreLoads < 1 || options.tensorCoreLoads > 64)) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-loads="
                 << options.tensorCoreLoads.getValue()
                 << " needs element-type f16, bf16 or tf32 and 1 to 64 loads\n";
    return failure();
  }
  if (options.simtRows < 0 || options.simtRows > 16) {
    llvm::errs() << "scn-cuda-pipeline: simt-rows=" << options.simtRows.getValue()
                 << " is not 0 (the plan's) or 1 to 16\n";
    return failure();
  }
  if (!llvm::is_contained({0, 1, 2, 4, 8}, options.simtChannels.getValue())) {
    llvm::errs() << "scn-cuda-pipeline: simt-channels=" << options.simtChannels.getValue()
                 << " is not 1, 2, 4 or 8 (or 0, the plan's)\n";
    return failure();
  }
  if (!options.neighbourMasks && !tensorCores) {
    llvm::errs() << "scn-cuda-pipeline: neighbour-masks=false is for tensor-core kernels "
                    "(element-type f16, bf16 or tf32)\n";
    return failure();
  }
  if (weights != "global" &&
      (!tensorCores ||
       (weights != "shared" && weights != "large" &&
        weights != "staged" && weights != "block"))) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-weights="
                 << weights
                 << " needs element-type f16, bf16 or tf32 and auto, global, shared, large, "
                    "staged or block\n";
    return failure();
  }
  if (weights == "staged" && options.tensorCoreGathers != "async") {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-weights=staged copies the weights into "
                    "the stages of tensor-core-gathers=async, which it needs\n";
    return failure();
  }
  if (options.tensorCoreGathers != "registers" &&
      (!tensorCores || options.tensorCoreGathers != "async")) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-gathers="
                 << options.tensorCoreGathers.getValue()
                 << " needs element-type f16, bf16 or tf32 and registers or async\n";
    return failure();
  }
  if (weights == "block" && !options.neighbourMasks) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-weights=block runs the offsets of the "
                    "warps' neighbour masks; it cannot go with neighbour-masks=false\n";
    return failure();
  }
  if (options.tensorCoreGathers == "async" && !options.neighbourMasks) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-gathers=async runs the offsets of the "
                    "warps' neighbour masks; it cannot go with neighbour-masks=false\n";
    return failure();
  }
  if (options.tensorCoreStages != 0 &&
      (options.tensorCoreGathers != "async" || options.tensorCoreStages < 2 ||
       options.tensorCoreStages > 8)) {
    llvm::errs() << "scn-cuda-pipeline: tensor-core-stages="
                 << options.tensorCoreStages.getValue()
                 << " needs tensor-core-gathers=async and 2 to 8 stages\n";
    return failure();
  }
  if (options.sharedMemoryBytes < 0 || options.sharedMemoryBytes > kLargestSharedMemoryBytes) {
    llvm::errs() << "scn-cuda-pipeline: shared-memory-bytes="
                 << options.sharedMemoryBytes.getValue() << " is not 0 (the chip's) or up to "
                 << kLargestSharedMemoryBytes << "\n";
    return failure();
  }
  StringRef chip = options.chip;
  if (!chip.starts_with("sm_") || chip.size() < 5) {
    llvm::errs() << "scn-cuda-pipeline: chip '" << chip
                 << "' is not a CUDA architecture like sm_80 or sm_90\n";
    return failure();
  }
  unsigned version = 0;
  if (tensorCores && !options.emulateOnHost &&
      (chip.drop_front(3).consumeInteger(10, version) || version < 80)) {
    llvm::errs() << "scn-cuda-pipeline: element-type=" << options.elementType
                 << " runs on mma.sync, which needs sm_80 or newer, not "
                 << chip << "\n";
    return failure();
  }
  addGraphPasses(pm, options.foldBatchNorm, options.fuseEpilogue, options.epilogueTaps,
                 options.weightStationaryMinChannels,
                 options.weightStationaryMinChannelsAlone, "cuda",
                 tensorCores ? options.elementType.getValue() : "",
                 options.tensorCoreRows, options.simtRows, options.simtChannels,
                 options.tensorCoreLoads, weights,
                 options.sharedMemoryBytes ? options.sharedMemoryBytes.getValue()
                                           : sharedMemoryPerBlock(chip),
                 options.tensorCoreGathers, options.tensorCoreStages,
                 options.activations == "f32" ? 4 : 2, options.narrowTensorCoreInputs,
                 // wgmma's PTX targets sm_90a, which runs only on sm_90.
                 chip == "sm_90a", columns, options.tensorCoreBlockWarps,
                 options.linearAsConvolution, options.hoistSiteSets,
                 options.tensorCoreClusterBlocks, options.siteSetsAtFirstUse);
  ConvertSCNToGPUOptions toGPU;
  toGPU.deviceGeometry = options.deviceGeometry;
  toGPU.emulateWarps = options.emulateOnHost;
  toGPU.activationType = options.activations;
  toGPU.neighbourMasks = options.neighbourMasks;
  toGPU.tablePrefetch = options.tablePrefetch;
  pm.addPass(createConvertSCNToGPU(toGPU));
  pm.addPass(createCanonicalizerPass());
  if (failed(parsePassPipeline(kBufferize, pm)) ||
      failed(parsePassPipeline(kLinalgToParallelLoops, pm)))
    llvm::report_fatal_error("scn: the bufferization pipeline does not parse");
  SCNGPUOffloadOptions offload;
  offload.blockSize = options.blockSize;
  pm.addPass(createSCNGPUOffload(offload));
  if (options.prepareParameters)
    pm.addPass(createSCNGPUPrepareParameters());
  if (options.emulateOnHost) {
    pm.addPass(createSCNGPUEmulateOnHost());
    // bf16 conversions of emulated tensor cores as integer ops (round to
    // nearest even), not libcalls that Debian 12's libgcc lacks.
    if (failed(parsePassPipeline("func.func(arith-expand{include-bf16=true})", pm)) ||
        failed(parsePassPipeline(cpuLowering(), pm)))
      llvm::report_fatal_error("scn: the LLVM lowering pipeline does not parse");
    return success();
  }
  std::string target = llvm::formatv("chip={0} features={1} O=3", chip,
                                     options.features.getValue());
  if (failed(parsePassPipeline(
          cudaLowering(target, options.format, options.asyncChain, options.tensorCoreMinBlocks),
          pm))) {
    llvm::errs() << "scn-cuda-pipeline: bad target options: " << target
                 << " format=" << options.format << "\n";
    return failure();
  }
  return success();
}

int64_t scn::sharedMemoryPerBlock(llvm::StringRef chip) {
  unsigned version = 0;
  if (!chip.consume_front("sm_") || chip.consumeInteger(10, version))
    return 0;
  // The CUDA programming guide's table of compute capabilities: the most
  // dynamic shared memory one block can opt in to.
  if (version == 80 || version == 87)
    return 166912; // 163 KiB
  if (version == 90 || version == 100 || version == 103)
    return kLargestSharedMemoryBytes; // 227 KiB
  return 101376;   // 99 KiB: sm_86, sm_89, sm_120, and what we do not know
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
  // Registered by hand so that bad options fail the pipeline with our
  // message (PassPipelineRegistration's builder cannot fail).
  registerPassPipeline(
      "scn-cuda-pipeline",
      "scn IR to the LLVM dialect with CUDA kernels: the graph pipeline, "
      "convert-scn-to-gpu, bufferization, scn-gpu-offload, NVVM lowering of the "
      "kernels (serialized into gpu.binary ops) and the host lowering",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        CUDAPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        return buildCUDAPipeline(pm, options);
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optHandler) {
        optHandler(CUDAPipelineOptions());
      });
}

void scn::registerCompilerDialects(DialectRegistry &registry) {
  registry.insert<scn::SCNDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR inside a pass.
  registerAllToLLVMIRTranslations(registry);
}

void scn::registerCompilerPasses() {
  registerAllPasses();
  registerSCNPasses();
  registerSCNConversionPasses();
  registerPipelines();
}
