//===- JitRunner.cpp - compile and run an scn module in-process -----------===//

#include "scn/Execution/JitRunner.h"

#include "scn/Pipelines/Pipelines.h"
#include "scn/Runtime/Codegen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Support/DebugStringHelper.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;

namespace scn {

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

JitRunner::~JitRunner() = default;

static llvm::Expected<TensorSignature> describe(Type type, std::string name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return fail("'" + name + "' has type " + llvm::Twine(mlir::debugString(type)) +
                "; entry functions take and return ranked tensors");
  TensorSignature sig;
  sig.name = std::move(name);
  for (int64_t d : tensor.getShape())
    sig.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  Type e = tensor.getElementType();
  if (e.isF32())
    sig.dtype = "f4";
  else if (e.isInteger(64))
    sig.dtype = "i8";
  else if (e.isInteger(32))
    sig.dtype = "i4";
  else
    return fail("'" + sig.name + "' has element type " +
                llvm::Twine(mlir::debugString(e)) + " (f32, i64 or i32 expected)");
  return sig;
}

llvm::Expected<std::unique_ptr<JitRunner>>
JitRunner::create(ModuleOp module, const JitOptions &options) {
  auto func = module.lookupSymbol<func::FuncOp>(options.entry);
  if (!func)
    return fail("the module has no function @" + options.entry);
  std::unique_ptr<JitRunner> runner(new JitRunner());
  runner->entry = options.entry;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = "arg" + std::to_string(i);
    if (auto attr = func.getArgAttrOfType<StringAttr>(i, "scn.name"))
      name = attr.str();
    auto sig = describe(func.getArgument(i).getType(), name);
    if (!sig)
      return sig.takeError();
    runner->inputSigs.push_back(*sig);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    std::string name = func.getNumResults() == 1 ? "output" : "output" + std::to_string(i);
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, "scn.name"))
      name = attr.str();
    auto sig = describe(func.getResultTypes()[i], name);
    if (!sig)
      return sig.takeError();
    runner->outputSigs.push_back(*sig);
  }

  // The names served their purpose; LLVM IR translation would warn on them.
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.removeArgAttr(i, "scn.name");
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    func.removeResultAttr(i, StringAttr::get(func.getContext(), "scn.name"));

  PassManager pm(module->getContext());
  buildCPUPipeline(pm, GraphPipelineOptions());
  if (failed(pm.run(module)))
    return fail("lowering with --scn-cpu-pipeline failed (see the diagnostics "
                "above)");

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  if (!options.cpu.empty())
    builder->setCPU(options.cpu);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  ExecutionEngineOptions engineOptions;
  auto transformer =
      makeOptimizingTransformer(options.optLevel, 0, machine->get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // The OpenMP runtime the parallel row loops call (__kmpc_*).
  SmallVector<StringRef, 1> libraries = {SCN_LIBOMP_PATH};
  engineOptions.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!engine)
    return engine.takeError();
  runner->engine = std::move(*engine);
  return runner;
}

namespace {
/// Storage of one flattened memref descriptor: allocated, aligned, offset,
/// sizes, strides, all 8 bytes wide.
struct Descriptor {
  std::vector<int64_t> words;
};
} // namespace

llvm::Expected<NpzFile> JitRunner::run(const NpzFile &arrays) {
  std::vector<Descriptor> descriptors;
  descriptors.reserve(inputSigs.size());
  std::vector<const void *> inputPointers;
  for (const TensorSignature &sig : inputSigs) {
    auto it = arrays.find(sig.name);
    if (it == arrays.end())
      return fail("input '" + sig.name + "' is missing from the input file");
    const NpyArray &a = it->second;
    if (a.dtype != sig.dtype)
      return fail("input '" + sig.name + "' has dtype " + a.dtype + ", expected " +
                  sig.dtype);
    if (a.shape.size() != sig.shape.size())
      return fail("input '" + sig.name + "' has rank " + llvm::Twine(a.shape.size()) +
                  ", expected " + llvm::Twine(sig.shape.size()));
    for (size_t d = 0; d < a.shape.size(); ++d)
      if (sig.shape[d] >= 0 && sig.shape[d] != a.shape[d])
        return fail("input '" + sig.name + "' dimension " + llvm::Twine(d) +
                    " is " + llvm::Twine(a.shape[d]) + ", expected " +
                    llvm::Twine(sig.shape[d]));
    Descriptor desc;
    // A zero-size array may have no storage: point at a dummy word.
    static int64_t empty = 0;
    auto data = a.data.empty() ? reinterpret_cast<int64_t>(&empty)
                               : reinterpret_cast<int64_t>(a.data.data());
    inputPointers.push_back(reinterpret_cast<const void *>(data));
    desc.words = {data, data, 0};
    for (int64_t d : a.shape)
      desc.words.push_back(d);
    int64_t stride = 1;
    std::vector<int64_t> strides(a.shape.size());
    for (size_t d = a.shape.size(); d-- > 0;) {
      strides[d] = stride;
      stride *= a.shape[d];
    }
    desc.words.insert(desc.words.end(), strides.begin(), strides.end());
    descriptors.push_back(std::move(desc));
  }

  scn_run_t run = scn_run_create();
  if (!run)
    return fail("out of memory creating the run");
  std::vector<void *> packed;
  void *runPtr = run;
  packed.push_back(&runPtr);
  for (Descriptor &d : descriptors)
    for (int64_t &w : d.words)
      packed.push_back(&w);
  size_t resultWords = 0;
  for (const TensorSignature &sig : outputSigs)
    resultWords += 3 + 2 * sig.shape.size();
  std::vector<int64_t> results(resultWords, 0);
  packed.push_back(results.data());

  if (llvm::Error err = engine->invokePacked(entry, packed)) {
    scn_run_destroy(run);
    return std::move(err);
  }

  NpzFile outputs;
  size_t at = 0;
  for (const TensorSignature &sig : outputSigs) {
    size_t rank = sig.shape.size();
    auto *allocated = reinterpret_cast<void *>(results[at]);
    auto *aligned = reinterpret_cast<uint8_t *>(results[at + 1]);
    int64_t offset = results[at + 2];
    NpyArray out;
    out.dtype = sig.dtype;
    out.shape.assign(results.begin() + at + 3, results.begin() + at + 3 + rank);
    const int64_t *strides = &results[at + 3 + rank];
    size_t elem = out.elementSize();
    int64_t count = out.numElements();
    out.data.resize(count * elem);
    // Copy respecting strides (the generated code returns row-major buffers,
    // but a result could be a view).
    std::vector<int64_t> index(rank, 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t source = offset;
      for (size_t d = 0; d < rank; ++d)
        source += index[d] * strides[d];
      std::memcpy(&out.data[i * elem], aligned + source * elem, elem);
      for (size_t d = rank; d-- > 0;) {
        if (++index[d] < out.shape[d])
          break;
        index[d] = 0;
      }
    }
    // The generated code allocated the result; it may also be an input.
    bool isInput = false;
    for (const void *p : inputPointers)
      isInput |= p == allocated;
    if (!isInput)
      std::free(allocated);
    outputs[sig.name] = std::move(out);
    at += 3 + 2 * rank;
  }
  scn_status_t status = scn_run_status(run);
  std::string message = scn_run_error_message(run);
  scn_run_destroy(run);
  if (status != SCN_OK)
    return fail(message);
  return outputs;
}

} // namespace scn
