//===- scn-run.cpp - run an scn network on numpy arrays -------------------===//
//
//   scn-run net.mlir|net.so --input in.npz --output out.npz [--repeat N]
//           [--target=cuda [--chip=sm_90] [--element-type=f16|bf16|tf32]]
//
// Compiles the network for the host CPU or for CUDA (JIT) or loads an
// scn-compile artifact (whose manifest says its target), runs its entry function on the arrays of in.npz (matched by the
// `scn.name` of each argument, else argN), writes the results to out.npz and
// prints the median time per run.
//
//===----------------------------------------------------------------------===//

#include "../CudaFlags.h"
#include "scn/Execution/ModelRunner.h"
#include "scn/Runtime/Gpu.h"
#include "scn/Pipelines/Pipelines.h"
#include "scn/Support/Npz.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>
#include <malloc.h>
#include <sys/resource.h>

using namespace llvm;

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<network.mlir>"));
static cl::opt<std::string> arraysFile("input", cl::Required,
                                       cl::desc("Input arrays (.npz)"));
static cl::opt<std::string> outputFile("output", cl::desc("Output arrays (.npz)"));
static cl::opt<unsigned> repeat("repeat", cl::init(1),
                                cl::desc("Number of timed runs"));
static cl::opt<std::string> entry("entry", cl::init("main"),
                                  cl::desc("Entry function"));
static cl::opt<std::string> target("target", cl::init("cpu"),
                                   cl::desc("A .mlir network's target: cpu or cuda "
                                            "(cuda-emulated, for tests: the CUDA "
                                            "pipeline run on the CPU)"));
static cl::list<std::string> chips("chip", cl::CommaSeparated,
                                   cl::desc("cuda: chips to compile for (default "
                                            "sm_80,sm_90)"));
static cl::opt<std::string> cpu("cpu", cl::init(""),
                                cl::desc("Target CPU (default: the host's)"));
static cl::opt<unsigned> optLevel("O", cl::init(3), cl::Prefix,
                                  cl::desc("LLVM optimisation level (0-3)"));
static cl::opt<bool> reuseMaps(
    "reuse-maps", cl::init(false),
    cl::desc("Build site sets and kernel maps in the first run only and reuse "
             "them (times the network with maps prebuilt)"));
static cl::opt<bool> printOutputs("print", cl::init(false),
                                  cl::desc("Print every output array"));

/// Prints an array as `name: shape [d0, d1] values [v0, v1, ...]`.
static void printArray(StringRef name, const scn::NpyArray &a) {
  outs() << name << ": shape [";
  for (size_t i = 0; i < a.shape.size(); ++i)
    outs() << (i ? ", " : "") << a.shape[i];
  outs() << "] values [";
  for (int64_t i = 0; i < a.numElements(); ++i) {
    if (i)
      outs() << ", ";
    if (a.dtype == "f4") {
      float v;
      std::memcpy(&v, &a.data[i * 4], 4);
      outs() << format("%g", v);
    } else if (a.dtype == "i8") {
      int64_t v;
      std::memcpy(&v, &a.data[i * 8], 8);
      outs() << v;
    } else if (a.dtype == "i4") {
      int32_t v;
      std::memcpy(&v, &a.data[i * 4], 4);
      outs() << v;
    }
  }
  outs() << "]\n";
}

/// Peak resident memory of this process so far, in MiB.
static long peakRssMiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

static int failWith(const Twine &message) {
  errs() << "scn-run: error: " << message << "\n";
  return 1;
}

/// glibc maps blocks over its mmap threshold (at most 32 MiB) afresh and
/// unmaps them on free, so a network's large buffers were faulted in and
/// zeroed by the kernel at every layer and run: W3 C=64 with maps prebuilt
/// took 108-110 ms before this and 60-64 ms with it (bench/cpu/README.md,
/// "Page faults of large buffers"). Since then the model places those
/// buffers in a planned block from its second call on (RunArena.h); this
/// still spares the first call and the runtime's own large arrays. A
/// process policy, which this tool may set for itself; a library may not
/// for its host.
static void keepLargeBlocksInTheHeap() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  keepLargeBlocksInTheHeap();
  cl::ParseCommandLineOptions(argc, argv, "scn network runner\n");
  if (repeat == 0)
    return failWith("--repeat must be at least 1");
  Expected<scn::NpzFile> arrays = scn::readNpz(arraysFile);
  if (!arrays)
    return failWith(toString(arrays.takeError()));

  auto compileStart = std::chrono::steady_clock::now();
  mlir::DialectRegistry registry;
  scn::registerCompilerDialects(registry);
  scn::registerCompilerPasses();
  mlir::MLIRContext context(registry);
  std::unique_ptr<scn::ModelRunner> runner;
  // An artifact by its name or by its bytes (a library named otherwise
  // would be parsed as .mlir text).
  llvm::file_magic magic;
  bool artifact = StringRef(inputFile).ends_with(".so") ||
                  (!llvm::identify_magic(inputFile, magic) &&
                   magic == llvm::file_magic::elf_shared_object);
  // Options that would be ignored are errors.
  if (artifact &&
      (target.getNumOccurrences() || !chips.empty() || scn::tools::anyCudaFlag()))
    return failWith("--target, --chip, --element-type, --activations, --simt-*, "
                    "--tensor-core-*, --narrow-tensor-core-inputs, --epilogue-taps and "
                    "--linear-as-convolution are for .mlir networks; "
                    "an artifact runs as it was compiled");
  if (target == "cpu" && !chips.empty())
    return failWith("--chip is for --target=cuda");
  if (std::string error = scn::tools::cudaFlagOnCpu(); target == "cpu" && !error.empty())
    return failWith(error);
  if (artifact) {
    auto loaded = scn::ModelRunner::load(inputFile);
    if (!loaded)
      return failWith(toString(loaded.takeError()));
    runner = std::move(*loaded);
  } else {
    auto module = scn::parseNetworkFile(inputFile, context);
    if (!module)
      return failWith(toString(module.takeError()));
    scn::CompileOptions options;
    options.entry = entry;
    options.cpu = cpu;
    options.optLevel = optLevel;
    options.target = target;
    scn::tools::applyCudaFlags(options);
    if (!chips.empty())
      options.chips.assign(chips.begin(), chips.end());
    auto compiled = scn::ModelRunner::jit(**module, options);
    if (!compiled)
      return failWith(toString(compiled.takeError()));
    runner = std::move(*compiled);
  }
  runner->setReuseGeometry(reuseMaps);
  double compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - compileStart)
                         .count();

  std::vector<double> times;
  scn::NpzFile outputs;
  // InitLLVM makes a failed operator new end the process with "LLVM ERROR:
  // out of memory", which is what the compiler's own code (built without
  // exceptions) can do. While the network runs, operator new throws
  // instead: the runtime's builders catch std::bad_alloc and report it as
  // an error naming the builder, as in any other program that loads it.
  struct ThrowingNew {
    std::new_handler llvm = std::set_new_handler(nullptr);
    ~ThrowingNew() { std::set_new_handler(llvm); }
  } throwingNew;
  for (unsigned i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto result = runner->run(*arrays);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
    if (!result)
      return failWith(toString(result.takeError()));
    outputs = std::move(*result);
  }
  if (!outputFile.empty())
    if (Error err = scn::writeNpz(outputFile, outputs))
      return failWith(toString(std::move(err)));
  if (printOutputs)
    for (const auto &[name, array] : outputs)
      printArray(name, array);
  // With --reuse-maps the first run builds the maps: time the others.
  if (reuseMaps && times.size() > 1)
    times.erase(times.begin());
  std::sort(times.begin(), times.end());
  outs() << "scn-run: " << (artifact ? "loaded" : "compiled") << " in " << format("%.1f", compileMs) << " ms; "
         << repeat << " run(s), median " << format("%.3f", times[times.size() / 2])
         << " ms (min " << format("%.3f", times.front()) << ", max "
         << format("%.3f", times.back()) << "); peak RSS " << peakRssMiB()
         << " MiB";
  scn_gpu_device_info_t gpu;
  if (runner->signature().target == "cuda" && scn_gpu_get_device_info(&gpu) == SCN_OK)
    outs() << "; on " << gpu.name << " (sm_" << gpu.compute_major << gpu.compute_minor
           << ")";
  outs() << "\n";
  return 0;
}
