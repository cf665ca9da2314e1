//===- CudaFlags.h - Command-line flags scn-compile and scn-run share ------===//
//
// The CUDA flags both tools take for a .mlir network, declared once: their
// names, defaults, help and the error for giving them with --target=cpu;
// and --epilogue-taps, a graph flag that the CPU target takes too, shared
// the same way.
// Each tool is one translation unit that includes this header once.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_TOOLS_CUDAFLAGS_H
#define SCN_TOOLS_CUDAFLAGS_H

#include "scn/Execution/Compile.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace scn::tools {

static llvm::cl::opt<std::string> elementType(
    "element-type", llvm::cl::init("f32"),
    llvm::cl::desc("cuda: f32, or f16 / bf16 / tf32 (tensor cores, sm_80+, for convolutions "
                   "whose channels are multiples of 16; tf32 keeps f32's range)"));
static llvm::cl::opt<std::string> activations(
    "activations", llvm::cl::init("f32"),
    llvm::cl::desc("cuda: element type of the feature rows stored between ops (f32, or "
                   "f16 / bf16: half the bytes; kernels compute in f32)"));
static llvm::cl::opt<int64_t> simtRows(
    "simt-rows", llvm::cl::init(0),
    llvm::cl::desc("cuda: output rows of a thread of the SIMT convolution kernels (those "
                   "not on tensor cores), 1 to 16 (default: the plan's 4)"));
static llvm::cl::opt<int64_t> simtChannels(
    "simt-channels", llvm::cl::init(0),
    llvm::cl::desc("cuda: output channels of a thread of the SIMT convolution kernels, "
                   "1, 2, 4 or 8 (default: the plan's 4)"));

static llvm::cl::opt<std::string> tensorCoreWeights(
    "tensor-core-weights", llvm::cl::init("auto"),
    llvm::cl::desc("cuda with --element-type=f16|bf16|tf32: where tensor-core warps read the "
                   "weights: auto (block on wgmma with --chip=sm_90a alone and f16/bf16, in "
                   "warps of up to 128 output channels, where the tile options leave wgmma's "
                   "shapes, and block on mma.sync for layers whose input channels are not in "
                   "64s; global otherwise), global, shared (a copy per block in shared memory, for layers "
                   "whose weights fit the smallest chip's), large (shared for layers whose "
                   "input x output channels are 4096, 64 x 64, or more), staged (with "
                   "--tensor-core-gathers=async: copied into the warps' gather stages), or "
                   "block (each offset's copied once per block of 4 warps, or 8 with "
                   "--tensor-core-block-warps, into shared stages)"));
static llvm::cl::opt<int64_t> tensorCoreBlockWarps(
    "tensor-core-block-warps", llvm::cl::init(4),
    llvm::cl::desc("cuda with --tensor-core-weights=block: warps of a block that share each "
                   "offset's copy of the weights, 4 or 8 (128 rows a copy)"));
static llvm::cl::opt<int64_t> tensorCoreClusterBlocks(
    "tensor-core-cluster-blocks", llvm::cl::init(1),
    llvm::cl::desc("cuda for --chip=sm_90a with block weights on wgmma: blocks of a "
                   "thread-block cluster, 1 or 2 (2: each offset's weights reach both "
                   "blocks by one multicast copy, so each copy crosses L2 once per 128 "
                   "rows)"));
static llvm::cl::opt<int64_t> tensorCoreMinBlocks(
    "tensor-core-min-blocks", llvm::cl::init(0),
    llvm::cl::desc("cuda with --element-type=f16|bf16|tf32: resident blocks an SM that ptxas "
                   "must allow for each tensor-core convolution (.minnctapersm; it spills "
                   "registers if it must), 1 to 32; 0 (the default): ptxas's choice"));
static llvm::cl::opt<bool> tensorCorePrefetch(
    "tensor-core-prefetch", llvm::cl::init(true),
    llvm::cl::desc("cuda with --element-type=f16|bf16|tf32: tensor-core warps prefetch their "
                   "rows' lines of the row table into L1 before anything else (false: none, "
                   "for comparisons)"));
static llvm::cl::opt<bool> hoistSiteSets(
    "hoist-site-sets", llvm::cl::init(true),
    llvm::cl::desc("cuda: every derived site set right after the set it comes from, so the "
                   "pyramid is queued before the first layer (false: where the network first "
                   "uses it, for comparisons)"));
static llvm::cl::opt<bool> siteSetsAtFirstUse(
    "site-sets-at-first-use", llvm::cl::init(false),
    llvm::cl::desc("cuda: that pyramid queued right before the network first uses a derived "
                   "set, after level 0's maps and layers (one wait for the counts still)"));
static llvm::cl::opt<std::string> tensorCoreGathers(
    "tensor-core-gathers", llvm::cl::init("registers"),
    llvm::cl::desc("cuda with --element-type=f16|bf16|tf32: where tensor-core lanes gather "
                   "their input rows: registers, or async (cp.async into shared-memory stages "
                   "some offsets ahead of the mmas)"));
static llvm::cl::opt<int64_t> tensorCoreStages(
    "tensor-core-stages", llvm::cl::init(0),
    llvm::cl::desc("cuda with --tensor-core-gathers=async: stages of a warp's gathers, 2 to 8 "
                   "(default: the plan's 3)"));

static llvm::cl::opt<bool> narrowTensorCoreInputs(
    "narrow-tensor-core-inputs", llvm::cl::init(true),
    llvm::cl::desc("cuda with --element-type=f16|bf16 and f32 activations: store the rows "
                   "that only tensor-core convolutions read in their multiplicand type, "
                   "which they round them to anyway (half the bytes, the same results; "
                   "false: f32, for comparisons)"));

static llvm::cl::opt<bool> linearAsConvolution(
    "linear-as-convolution", llvm::cl::init(true),
    llvm::cl::desc("cuda with --element-type=f16|bf16|tf32: NetworkInNetwork layers whose "
                   "channels are multiples of 16 run on tensor cores as 1x1 convolutions "
                   "(false: SIMT kernels, for comparisons)"));

/// A graph flag of both targets, shared the same way: for comparisons.
static llvm::cl::opt<bool> epilogueTaps(
    "epilogue-taps", llvm::cl::init(true),
    llvm::cl::desc("A batch norm of rows that other ops read too goes into the epilogue of "
                   "the op that makes them, which writes both (a tap step; false: the batch "
                   "norm is a kernel of its own, for comparisons)"));

/// Whether any of these flags was given.
inline bool anyCudaFlag() {
  return elementType.getNumOccurrences() || activations.getNumOccurrences() ||
         simtRows.getNumOccurrences() || simtChannels.getNumOccurrences() ||
         tensorCoreWeights.getNumOccurrences() || tensorCoreBlockWarps.getNumOccurrences() ||
         tensorCoreClusterBlocks.getNumOccurrences() ||
         tensorCoreMinBlocks.getNumOccurrences() || tensorCorePrefetch.getNumOccurrences() ||
         hoistSiteSets.getNumOccurrences() || siteSetsAtFirstUse.getNumOccurrences() ||
         tensorCoreGathers.getNumOccurrences() ||
         tensorCoreStages.getNumOccurrences() || narrowTensorCoreInputs.getNumOccurrences() ||
         epilogueTaps.getNumOccurrences() || linearAsConvolution.getNumOccurrences();
}

/// The error for one of these flags given with --target=cpu, or "".
inline std::string cudaFlagOnCpu() {
  if (elementType.getNumOccurrences())
    return "--element-type is for --target=cuda (the CPU target is f32)";
  if (activations.getNumOccurrences())
    return "--activations is for --target=cuda (the CPU target is f32)";
  if (simtRows.getNumOccurrences() || simtChannels.getNumOccurrences())
    return "--simt-rows and --simt-channels are for --target=cuda";
  if (tensorCoreWeights.getNumOccurrences())
    return "--tensor-core-weights is for --target=cuda";
  if (tensorCoreBlockWarps.getNumOccurrences())
    return "--tensor-core-block-warps is for --target=cuda";
  if (tensorCoreClusterBlocks.getNumOccurrences())
    return "--tensor-core-cluster-blocks is for --target=cuda";
  if (tensorCoreMinBlocks.getNumOccurrences())
    return "--tensor-core-min-blocks is for --target=cuda";
  if (tensorCorePrefetch.getNumOccurrences())
    return "--tensor-core-prefetch is for --target=cuda";
  if (hoistSiteSets.getNumOccurrences() || siteSetsAtFirstUse.getNumOccurrences())
    return "--hoist-site-sets and --site-sets-at-first-use are for --target=cuda";
  if (linearAsConvolution.getNumOccurrences())
    return "--linear-as-convolution is for --target=cuda";
  if (tensorCoreGathers.getNumOccurrences() || tensorCoreStages.getNumOccurrences())
    return "--tensor-core-gathers and --tensor-core-stages are for --target=cuda";
  if (narrowTensorCoreInputs.getNumOccurrences())
    return "--narrow-tensor-core-inputs is for --target=cuda";
  return "";
}

/// Copies these flags into `options`.
inline void applyCudaFlags(scn::CompileOptions &options) {
  options.epilogueTaps = epilogueTaps;
  options.linearAsConvolution = linearAsConvolution;
  options.elementType = elementType;
  options.activations = activations;
  options.simtRows = simtRows;
  options.simtChannels = simtChannels;
  options.tensorCoreWeights = tensorCoreWeights;
  options.tensorCoreBlockWarps = tensorCoreBlockWarps;
  options.tensorCoreClusterBlocks = tensorCoreClusterBlocks;
  options.tensorCoreMinBlocks = tensorCoreMinBlocks;
  options.tablePrefetch = tensorCorePrefetch;
  options.hoistSiteSets = hoistSiteSets;
  options.siteSetsAtFirstUse = siteSetsAtFirstUse;
  options.tensorCoreGathers = tensorCoreGathers;
  options.tensorCoreStages = tensorCoreStages;
  options.narrowTensorCoreInputs = narrowTensorCoreInputs;
}

} // namespace scn::tools

#endif // SCN_TOOLS_CUDAFLAGS_H
