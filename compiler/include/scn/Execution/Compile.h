//===- Compile.h - scn module to host code ----------------------*- C++ -*-===//
//
// The steps shared by the JIT (scn-run on a .mlir) and ahead-of-time
// compilation (scn-compile): read the entry signature, lower with
// --scn-cpu-pipeline, translate to LLVM IR, add the packed entry, optimise
// for the host CPU (or --cpu), and for AOT emit an object and link a shared
// library against libscn_runtime and libomp.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_EXECUTION_COMPILE_H
#define SCN_EXECUTION_COMPILE_H

#include "scn/Execution/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>
#include <vector>

namespace scn {

struct CompileOptions {
  std::string entry = "main";
  /// "cpu" (--scn-cpu-pipeline) or "cuda" (--scn-cuda-pipeline; the host
  /// part still runs on this CPU); for tests, "cuda-emulated": the CUDA
  /// pipeline with emulate-on-host, whose kernels run on the CPU.
  std::string target = "cpu";
  /// cuda: the chips whose cubin the artifact embeds, plus PTX for the
  /// oldest of them, which the driver compiles for newer GPUs.
  std::vector<std::string> chips = {"sm_80", "sm_90"};
  /// cuda: PTX ISA version and element type (f32 only for now).
  std::string ptxFeatures = "+ptx80";
  std::string elementType = "f32";
  /// cuda with f16 / bf16: output rows of a tensor-core warp (16, 32, 64;
  /// 0: the plan's choice).
  int64_t tensorCoreRows = 0;
  /// cuda with f16 / bf16 / tf32: output channels of a tensor-core warp at
  /// most (16, 32, 64, 128; 0: the plan's 64).
  int64_t tensorCoreColumns = 0;
  /// cuda: output rows and channels of a thread of the SIMT convolution
  /// kernels (0 rows: the plan's choice).
  int64_t simtRows = 0;
  /// cuda with f16 / bf16: 16-byte loads a tensor-core lane issues before
  /// its mmas (0: the lowering's choice).
  int64_t tensorCoreLoads = 0;
  /// cuda: output channels of a thread of the SIMT convolution kernels (0:
  /// the plan's choice).
  int64_t simtChannels = 0;
  /// cuda with f16 / bf16 / tf32: where tensor-core warps read the weights,
  /// "auto" (block weights for sm_90a alone with f16/bf16: on wgmma where
  /// a layer's input channels are in 64s, on mma.sync otherwise; else
  /// global), "global", "shared", "large", "staged" or "block"
  /// (--tensor-core-weights).
  std::string tensorCoreWeights = "auto";
  /// cuda with block weights: warps of a block, 4 or 8
  /// (--tensor-core-block-warps).
  int64_t tensorCoreBlockWarps = 4;
  /// cuda for sm_90a with block weights on wgmma: blocks of a cluster that
  /// share each offset's copy of the weights, 1 or 2
  /// (--tensor-core-cluster-blocks).
  int64_t tensorCoreClusterBlocks = 1;
  /// cuda with f16 / bf16 / tf32: resident blocks an SM that ptxas must
  /// allow for each tensor-core convolution, 0 for its own choice
  /// (--tensor-core-min-blocks).
  int64_t tensorCoreMinBlocks = 0;
  /// cuda with f16 / bf16 / tf32: where tensor-core lanes gather their input
  /// rows, "registers" or "async" (shared-memory stages filled by cp.async),
  /// and the stages of a warp (0: the plan's; --tensor-core-gathers,
  /// --tensor-core-stages).
  std::string tensorCoreGathers = "registers";
  int64_t tensorCoreStages = 0;
  /// cuda with f16 / bf16: rows that only tensor-core convolutions read are
  /// stored in the multiplicand type (--narrow-tensor-core-inputs).
  bool narrowTensorCoreInputs = true;
  /// cuda: element type of the feature rows stored between ops (f32, f16,
  /// bf16).
  std::string activations = "f32";
  /// cuda: tensor-core warps skip offsets by neighbour masks (false: votes).
  bool neighbourMasks = true;
  /// cuda: tensor-core warps prefetch their row-table lines first
  /// (--tensor-core-prefetch).
  bool tablePrefetch = true;
  /// cuda: the site-set pyramid before the first layer (--hoist-site-sets).
  bool hoistSiteSets = true;
  /// cuda: that pyramid right before the first use of a derived set
  /// (--site-sets-at-first-use).
  bool siteSetsAtFirstUse = false;
  /// cuda with f16 / bf16 / tf32: NetworkInNetwork layers that fit run on
  /// tensor cores as 1x1 convolutions (false: SIMT).
  bool linearAsConvolution = true;
  /// Both targets: batch norms of rows other ops read too become tap
  /// epilogues (scn-fuse-epilogue taps; false: kernels of their own).
  bool epilogueTaps = true;
  /// cuda: site sets and maps built on the GPU where possible (else on the
  /// CPU and copied once per run).
  bool deviceGeometry = true;
  /// cuda: a function's GPU work queued on one stream (scn-gpu-async-chain);
  /// false: every GPU op waits, for comparisons.
  bool asyncChain = true;
  /// cuda: values derived from parameters alone kept across calls
  /// (scn-gpu-prepare-parameters); false: derived in every call.
  bool prepareParameters = true;
  /// Target CPU; empty: the host's (name and features detected).
  std::string cpu;
  unsigned optLevel = 3;
  /// LLVM's loop unroller (off: see optimizeModule).
  bool unrollLoops = false;
  /// Print the time of each compilation phase (scn-compile --time-phases).
  bool timePhases = false;
  /// Also write the optimised LLVM IR here (scn-compile --emit-llvm=FILE).
  std::string emitLLVMPath;
};

/// LLVM's optimisation pipeline for `machine` at options.optLevel.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    const CompileOptions &options);

/// Name of the packed entry in artifacts: `void scn_model_entry(void **)`.
inline constexpr const char *kPackedEntryName = "scn_model_entry";
/// Name of the NUL-terminated JSON manifest in artifacts.
inline constexpr const char *kManifestName = "scn_model_manifest";
/// Name of the artifact's pointer to the runtime's ABI symbol
/// (scn_runtime_abi_<id>): its relocation is what makes a runtime of
/// another id refuse to load the artifact.
inline constexpr const char *kRuntimeAbiReferenceName = "scn_model_runtime_abi";

/// Parses a network file (diagnostics go to stderr with file positions).
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseNetworkFile(llvm::StringRef path, mlir::MLIRContext &context);

/// Reads the entry signature, strips frontend-only attributes and lowers
/// `module` to the LLVM dialect with --scn-cpu-pipeline, or for
/// options.target "cuda" with --scn-cuda-pipeline, then replaces the PTX of
/// every gpu.binary with a fat binary: cubin for each of options.chips
/// (ptxas) plus the PTX (fatbinary), from the CUDA toolkit.
llvm::Expected<EntrySignature> lowerToLLVMDialect(mlir::ModuleOp module,
                                                  const CompileOptions &options);

/// A target machine for the host (or options.cpu), position independent.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CompileOptions &options);

/// Translates the lowered module to LLVM IR, adds the packed entry and the
/// manifest, and optimises it for `machine`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, const EntrySignature &signature,
                  llvm::LLVMContext &context, llvm::TargetMachine &machine,
                  const CompileOptions &options);

/// scn-compile: writes a shared library with `scn_model_entry` and
/// `scn_model_manifest` to `outputPath`.
llvm::Error compileToSharedLibrary(mlir::ModuleOp module,
                                   const CompileOptions &options,
                                   llvm::StringRef outputPath);

} // namespace scn

#endif // SCN_EXECUTION_COMPILE_H
