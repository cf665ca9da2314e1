//===- Pipelines.h - named scn pass pipelines -------------------*- C++ -*-===//

#ifndef SCN_PIPELINES_PIPELINES_H
#define SCN_PIPELINES_PIPELINES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace scn {

/// The options of the graph-level passes, shared by every pipeline that
/// starts with them (CRTP: PassPipelineOptions needs the final type).
template <typename Derived>
struct GraphOptionsBase : public mlir::PassPipelineOptions<Derived> {
  typename mlir::PassPipelineOptions<Derived>::template Option<bool> foldBatchNorm{
      *this, "fold-batchnorm",
      llvm::cl::desc("Fold inference batch norm into constant weights"),
      llvm::cl::init(true)};
  typename mlir::PassPipelineOptions<Derived>::template Option<bool> fuseEpilogue{
      *this, "fuse-epilogue",
      llvm::cl::desc("Fuse batch norm, activations and residual adds into the "
                     "producing op"),
      llvm::cl::init(true)};
  typename mlir::PassPipelineOptions<Derived>::template Option<bool> epilogueTaps{
      *this, "epilogue-taps",
      llvm::cl::desc("scn-fuse-epilogue taps: a batch norm of rows that other ops "
                     "read too goes into the producer's epilogue after a tap step"),
      llvm::cl::init(true)};
  typename mlir::PassPipelineOptions<Derived>::template Option<int64_t>
      weightStationaryMinChannels{
          *this, "weight-stationary-min-channels",
          llvm::cl::desc("scn-plan-dataflow: channels per group from which "
                         "convolutions are weight-stationary (0: never)"),
          llvm::cl::init(32)};
  typename mlir::PassPipelineOptions<Derived>::template Option<int64_t>
      weightStationaryMinChannelsAlone{
          *this, "weight-stationary-min-channels-alone",
          llvm::cl::desc("scn-plan-dataflow: the same for a convolution alone on "
                         "its kernel map (its pair lists are built for it alone)"),
          llvm::cl::init(64)};
  typename mlir::PassPipelineOptions<Derived>::template Option<std::string> planTarget{
      *this, "plan-target",
      llvm::cl::desc("scn-plan-dataflow: plan the kernels for cpu or cuda (the "
                     "CUDA pipeline always plans for cuda; cuda plans run on the "
                     "CPU too, which is how tests check them without a GPU)"),
      llvm::cl::init("cpu")};
};

/// Options of the graph-level pipeline (and of the graph part of the CPU one).
struct GraphPipelineOptions : GraphOptionsBase<GraphPipelineOptions> {};

/// Options of `--scn-cuda-pipeline`: the graph options plus the GPU target.
struct CUDAPipelineOptions : GraphOptionsBase<CUDAPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("GPU architecture of the kernels (sm_80, sm_90, ...)"),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features (the PTX ISA version, e.g. +ptx80)"),
      llvm::cl::init("+ptx80")};
  Option<std::string> elementType{
      *this, "element-type",
      llvm::cl::desc("f32, or f16 / bf16 / tf32: convolutions whose channels are "
                     "multiples of 16 run on tensor cores (mma.sync, sm_80+: inputs "
                     "rounded to that type, f32 accumulators)"),
      llvm::cl::init("f32")};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("Element type of the feature rows stored between ops: f32, or "
                     "f16 / bf16 (half the bytes; kernels compute in f32)"),
      llvm::cl::init("f32")};
  Option<bool> linearAsConvolution{
      *this, "linear-as-convolution",
      llvm::cl::desc("f16 / bf16 / tf32: NetworkInNetwork layers whose channels are multiples "
                     "of 16 run on tensor cores as 1x1 submanifold convolutions "
                     "(scn-linear-as-convolution; false: SIMT kernels, for comparisons)"),
      llvm::cl::init(true)};
  Option<bool> hoistSiteSets{
      *this, "hoist-site-sets",
      llvm::cl::desc("Every derived site set right after the set it comes from "
                     "(scn-hoist-site-sets: the pyramid queued before the first layer, its "
                     "counts read in one wait); false: each where the network first uses it, "
                     "for comparisons"),
      llvm::cl::init(true)};
  Option<bool> siteSetsAtFirstUse{
      *this, "site-sets-at-first-use",
      llvm::cl::desc("With hoist-site-sets: the whole pyramid queued right before the network "
                     "first uses a derived set (after level 0's maps and layers, which then "
                     "wait for level 0's geometry only), its counts still read in one wait"),
      llvm::cl::init(false)};
  Option<bool> neighbourMasks{
      *this, "neighbour-masks",
      llvm::cl::desc("f16 / bf16 / tf32: tensor-core warps skip offsets by neighbour masks read "
                     "before the offset loop (false: a load and a vote per offset)"),
      llvm::cl::init(true)};
  Option<bool> tablePrefetch{
      *this, "tensor-core-prefetch",
      llvm::cl::desc("f16 / bf16 / tf32: tensor-core warps prefetch their rows' lines of the "
                     "row table into L1 first (false: none, for comparisons)"),
      llvm::cl::init(true)};
  Option<int64_t> tensorCoreColumns{
      *this, "tensor-core-columns",
      llvm::cl::desc("f16 / bf16 / tf32: output channels of a tensor-core warp at most, 16, 32, "
                     "64 or 128 (0: scn-plan-dataflow's 64)"),
      llvm::cl::init(0)};
  Option<int64_t> tensorCoreRows{
      *this, "tensor-core-rows",
      llvm::cl::desc("f16 / bf16 / tf32: output rows of a tensor-core warp, 16, 32 or 64 "
                     "(0: scn-plan-dataflow's choice)"),
      llvm::cl::init(0)};
  Option<int64_t> tensorCoreLoads{
      *this, "tensor-core-loads",
      llvm::cl::desc("f16 / bf16 / tf32: 16-byte loads a tensor-core lane issues before the "
                     "mmas that use them, 1 to 64 (0: the lowering's 12)"),
      llvm::cl::init(0)};
  Option<std::string> tensorCoreWeights{
      *this, "tensor-core-weights",
      llvm::cl::desc("f16 / bf16 / tf32: where tensor-core warps read the weights: auto "
                     "(block on wgmma, in warps of up to 128 output channels unless "
                     "tensor-core-columns says otherwise, for chip=sm_90a with f16 / bf16, "
                     "gathers in registers and tiles wgmma takes; its layers whose input "
                     "channels are not in 64s then get block weights on mma.sync; global "
                     "otherwise), global, "
                     "shared (each block copies its layer's weights for its output "
                     "channels into shared memory once, then loops over warp tiles), "
                     "large (shared for layers whose input x output channels are 4096, 64 x 64, or "
                     "more), staged (with tensor-core-gathers=async: each lane's fragments of "
                     "an offset copied into its warp's gather stages), or block (each offset's "
                     "weights copied once per block of 4 warps, or 8 with tensor-core-block-warps, "
                     "into shared stages)"),
      llvm::cl::init("auto")};
  Option<int64_t> tensorCoreMinBlocks{
      *this, "tensor-core-min-blocks",
      llvm::cl::desc("f16 / bf16 / tf32: resident blocks an SM that ptxas must allow for each "
                     "tensor-core convolution (.minnctapersm: fewer registers, spilled if "
                     "need be), 1 to 32; 0 (the default) leaves ptxas its choice"),
      llvm::cl::init(0)};
  Option<int64_t> tensorCoreBlockWarps{
      *this, "tensor-core-block-warps",
      llvm::cl::desc("f16 / bf16 / tf32 with tensor-core-weights=block: warps of a block that "
                     "share each offset's copy of the weights, 4 or 8"),
      llvm::cl::init(4)};
  Option<int64_t> tensorCoreClusterBlocks{
      *this, "tensor-core-cluster-blocks",
      llvm::cl::desc("chip=sm_90a with block weights on wgmma: blocks of a thread-block "
                     "cluster, 1 or 2; with 2, each offset's weights reach both blocks "
                     "by one multicast copy, half of it issued by each"),
      llvm::cl::init(1)};
  Option<std::string> tensorCoreGathers{
      *this, "tensor-core-gathers",
      llvm::cl::desc("f16 / bf16 / tf32: where tensor-core lanes gather their input rows: "
                     "registers, or async (cp.async into shared-memory stages some offsets "
                     "ahead of the mmas; filters of up to 32 offsets)"),
      llvm::cl::init("registers")};
  Option<int64_t> tensorCoreStages{
      *this, "tensor-core-stages",
      llvm::cl::desc("tensor-core-gathers=async: stages of a warp's gathers, 2 to 8 (0: "
                     "the plan's 3)"),
      llvm::cl::init(0)};
  Option<bool> narrowTensorCoreInputs{
      *this, "narrow-tensor-core-inputs",
      llvm::cl::desc("f16 / bf16 with activations=f32: rows that only tensor-core "
                     "convolutions read (as their input) are stored in the multiplicand "
                     "type, which they round them to anyway: half the bytes, the same "
                     "results"),
      llvm::cl::init(true)};
  Option<int64_t> sharedMemoryBytes{
      *this, "shared-memory-bytes",
      llvm::cl::desc("Dynamic shared memory a block may have (0: the chip's, "
                     "sharedMemoryPerBlock; scn-compile gives the smallest over its chips)"),
      llvm::cl::init(0)};
  Option<int64_t> simtRows{
      *this, "simt-rows",
      llvm::cl::desc("Output rows of a thread of the SIMT convolution kernels (those "
                     "not on tensor cores), 1 to 16 (0: scn-plan-dataflow's 4)"),
      llvm::cl::init(0)};
  Option<int64_t> simtChannels{
      *this, "simt-channels",
      llvm::cl::desc("Output channels of a thread of the SIMT convolution kernels, "
                     "1, 2, 4 or 8 (at most this many that divide a layer's; "
                     "0: scn-plan-dataflow's 4)"),
      llvm::cl::init(0)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the kernels are serialized to: isa (PTX), bin (cubin, "
                     "needs ptxas), fatbin, or offload (LLVM IR)"),
      llvm::cl::init("isa")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block of each row kernel"),
                            llvm::cl::init(128)};
  Option<bool> deviceGeometry{
      *this, "device-geometry",
      llvm::cl::desc("convert-scn-to-gpu: build site sets, maps and pair lists on "
                     "the GPU (false: on the CPU, copied to the GPU once per run)"),
      llvm::cl::init(true)};
  Option<bool> prepareParameters{
      *this, "prepare-parameters",
      llvm::cl::desc("scn-gpu-prepare-parameters: keep what kernels derive from the "
                     "parameters alone (packed weights, batch norm's scale and shift) "
                     "across calls while the parameters are resident (false: derive it "
                     "in every call, for comparisons)"),
      llvm::cl::init(true)};
  Option<bool> asyncChain{
      *this, "async-chain",
      llvm::cl::desc("scn-gpu-async-chain: queue a function's GPU work on one stream "
                     "and wait only where the host needs it (false: every launch, "
                     "allocation, copy and free waits, for comparisons)"),
      llvm::cl::init(true)};
  Option<bool> emulateOnHost{
      *this, "emulate-on-host",
      llvm::cl::desc("Tests: after scn-gpu-offload, turn GPU memory ops into host "
                     "ones (scn-gpu-emulate-on-host) and lower for the CPU, so that "
                     "the CUDA path's host code and kernels run without a GPU "
                     "(tensor-core kernels with warps emulated lane by lane)"),
      llvm::cl::init(false)};
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

/// `--scn-cuda-pipeline`: the graph pipeline, convert-scn-to-gpu,
/// bufferization, scn-gpu-offload (managed buffers, loops mapped to blocks x
/// threads), upstream kernel outlining and NVVM lowering, and the host
/// lowering to the LLVM dialect with the kernels serialized in gpu.binary
/// ops. Fails (the pipeline does not build) for an element type other than f32.
mlir::LogicalResult buildCUDAPipeline(mlir::OpPassManager &pm,
                                      const CUDAPipelineOptions &options);

/// The most dynamic shared memory one block may ask for on `chip` (sm_80:
/// 166912 bytes, sm_90: 232448, sm_86 / sm_89 / sm_120 and unknown chips:
/// 101376); 0 when `chip` is not sm_N.
int64_t sharedMemoryPerBlock(llvm::StringRef chip);

/// Registers the pipelines.
void registerPipelines();

/// Every dialect, interface model and pass the pipelines use, for tools.
void registerCompilerDialects(mlir::DialectRegistry &registry);
void registerCompilerPasses();

} // namespace scn

#endif // SCN_PIPELINES_PIPELINES_H
