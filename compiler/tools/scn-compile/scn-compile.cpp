//===- scn-compile.cpp - ahead-of-time compilation of scn networks --------===//
//
//   scn-compile net.mlir --target=cpu [--cpu=NAME] -o net.so
//   scn-compile net.mlir --target=cuda [--chip=sm_80,sm_90] -o net.so
//
// Writes a shared library exporting `void scn_model_entry(void **args)` (the
// packed entry, see scn/Execution/Signature.h) and `scn_model_manifest` (a
// JSON string naming the inputs, outputs and embedded weights). It links
// libscn_runtime and libomp; load it with scn-run or dlopen. For CUDA the
// kernels are embedded as a fat binary per kernel (cubin for each chip plus
// PTX); the host code calls libscn_runtime's mgpu* functions.
//
//===----------------------------------------------------------------------===//

#include "../CudaFlags.h"
#include "scn/Execution/Compile.h"
#include "scn/Pipelines/Pipelines.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<network.mlir>"));
static cl::opt<std::string> outputFile("o", cl::Required,
                                       cl::desc("Output shared library"));
static cl::opt<std::string> target("target", cl::init("cpu"),
                                   cl::desc("cpu or cuda (cuda-emulated, for tests: "
                                            "the CUDA pipeline run on the CPU)"));
static cl::list<std::string> chips("chip", cl::CommaSeparated,
                                   cl::desc("cuda: chips to embed cubin for "
                                            "(default sm_80,sm_90)"));
static cl::opt<std::string> ptxFeatures("ptx-features", cl::init("+ptx80"),
                                        cl::desc("cuda: PTX ISA version"));
static cl::opt<bool> deviceGeometry("device-geometry", cl::init(true),
                                    cl::desc("cuda: build site sets and maps on the GPU "
                                             "(=false: on the CPU, copied to the GPU once "
                                             "per run)"));
static cl::opt<bool> prepareParameters(
    "prepare-parameters", cl::init(true),
    cl::desc("cuda: keep what kernels derive from the parameters alone (packed weights, "
             "batch norm's scale and shift) across calls while they are resident "
             "(=false: derive it in every call; for comparisons)"));
static cl::opt<bool> asyncChain("async-chain", cl::init(true),
                                cl::desc("cuda: queue each run's GPU work on one stream "
                                         "(=false: every launch, allocation, copy and "
                                         "free waits; for comparisons)"));
static cl::opt<int64_t> tensorCoreRows(
    "tensor-core-rows", cl::init(0),
    cl::desc("cuda with --element-type=f16|bf16|tf32: output rows of a tensor-core warp "
             "(16, 32 or 64; default: the plan's choice)"));
static cl::opt<int64_t> tensorCoreColumns(
    "tensor-core-columns", cl::init(0),
    cl::desc("cuda with --element-type=f16|bf16|tf32: output channels of a tensor-core warp "
             "at most (16, 32, 64 or 128: the widest up to it that divides a layer's; "
             "default: the plan's 64, or 128 where --tensor-core-weights=auto takes wgmma)"));
static cl::opt<int64_t> tensorCoreLoads(
    "tensor-core-loads", cl::init(0),
    cl::desc("cuda with --element-type=f16|bf16|tf32: 16-byte loads a tensor-core lane issues "
             "before the mmas that use them, 1 to 64 (default: 12)"));
static cl::opt<bool> neighbourMasks(
    "neighbour-masks", cl::init(true),
    cl::desc("cuda with --element-type=f16|bf16|tf32: tensor-core warps skip offsets by "
             "neighbour masks read before the offset loop (false: a vote per offset)"));
static cl::opt<std::string> cpu("cpu", cl::init(""),
                                cl::desc("Target CPU (default: the host's)"));
static cl::opt<unsigned> optLevel("O", cl::init(3), cl::Prefix,
                                  cl::desc("LLVM optimisation level (0-3)"));
static cl::opt<std::string> entry("entry", cl::init("main"),
                                  cl::desc("Entry function"));
static cl::opt<std::string> emitLLVM("emit-llvm", cl::init(""),
                                     cl::desc("Also write the optimised LLVM IR to this file"));
static cl::opt<bool> timePhases("time-phases", cl::init(false),
                                cl::desc("Print the time of each phase"));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "scn ahead-of-time compiler\n");
  auto failWith = [](const Twine &message) {
    errs() << "scn-compile: error: " << message << "\n";
    return 1;
  };
  if (target != "cpu" && target != "cuda" && target != "cuda-emulated")
    return failWith("--target=" + target + " is unknown (cpu or cuda)");
  // CUDA options on the CPU target would be ignored: say so instead.
  if (target == "cpu") {
    if (!chips.empty())
      return failWith("--chip is for --target=cuda");
    if (deviceGeometry.getNumOccurrences())
      return failWith("--device-geometry is for --target=cuda");
    if (asyncChain.getNumOccurrences())
      return failWith("--async-chain is for --target=cuda");
    if (prepareParameters.getNumOccurrences())
      return failWith("--prepare-parameters is for --target=cuda");
    if (tensorCoreRows.getNumOccurrences())
      return failWith("--tensor-core-rows is for --target=cuda");
    if (tensorCoreLoads.getNumOccurrences())
      return failWith("--tensor-core-loads is for --target=cuda");
    if (tensorCoreColumns.getNumOccurrences())
      return failWith("--tensor-core-columns is for --target=cuda");
    if (std::string error = scn::tools::cudaFlagOnCpu(); !error.empty())
      return failWith(error);
    if (neighbourMasks.getNumOccurrences())
      return failWith("--neighbour-masks is for --target=cuda");
  }
  auto start = std::chrono::steady_clock::now();
  mlir::DialectRegistry registry;
  scn::registerCompilerDialects(registry);
  scn::registerCompilerPasses();
  mlir::MLIRContext context(registry);
  auto module = scn::parseNetworkFile(inputFile, context);
  if (!module)
    return failWith(toString(module.takeError()));
  scn::CompileOptions options;
  options.entry = entry;
  options.cpu = cpu;
  options.target = target;
  if (!chips.empty())
    options.chips.assign(chips.begin(), chips.end());
  options.ptxFeatures = ptxFeatures;
  scn::tools::applyCudaFlags(options);
  options.deviceGeometry = deviceGeometry;
  options.asyncChain = asyncChain;
  options.prepareParameters = prepareParameters;
  options.tensorCoreRows = tensorCoreRows;
  options.tensorCoreColumns = tensorCoreColumns;
  options.tensorCoreLoads = tensorCoreLoads;
  options.neighbourMasks = neighbourMasks;
  options.optLevel = optLevel;
  options.timePhases = timePhases;
  options.emitLLVMPath = emitLLVM;
  if (Error err = scn::compileToSharedLibrary(**module, options, outputFile))
    return failWith(toString(std::move(err)));
  outs() << "scn-compile: wrote " << outputFile << " in "
         << format("%.1f", std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - start)
                               .count())
         << " ms\n";
  return 0;
}
