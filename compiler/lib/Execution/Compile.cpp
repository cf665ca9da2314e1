//===- Compile.cpp - scn module to host code ------------------------------===//

#include "scn/Execution/Compile.h"

#include "scn/Execution/FatBinary.h"
#include "scn/Pipelines/Pipelines.h"
#include "scn/Runtime/AbiId.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Timer.h"

#include <algorithm>
#include <optional>
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;

namespace scn {

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<OwningOpRef<ModuleOp>>
parseNetworkFile(llvm::StringRef path, MLIRContext &context) {
  std::string error;
  auto buffer = openInputFile(path, &error);
  if (!buffer)
    return fail(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail("'" + path + "' is not a valid scn module");
  return module;
}

/// The chip with the lowest compute capability: the PTX targets it, so the
/// driver can compile it for any newer GPU.
static std::string oldestChip(const std::vector<std::string> &chips) {
  auto capability = [](llvm::StringRef chip) {
    unsigned n = 0;
    chip.drop_front(3).consumeInteger(10, n);
    return n;
  };
  return *std::min_element(chips.begin(), chips.end(),
                           [&](const std::string &a, const std::string &b) {
                             return capability(a) < capability(b);
                           });
}

llvm::Expected<EntrySignature> lowerToLLVMDialect(ModuleOp module,
                                                  const CompileOptions &options) {
  auto func = module.lookupSymbol<func::FuncOp>(options.entry);
  if (!func)
    return fail("the module has no function @" + options.entry);
  auto signature = getEntrySignature(func);
  if (!signature)
    return signature.takeError();
  // The names served their purpose; LLVM IR translation would warn on them.
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.removeArgAttr(i, "scn.name");
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    func.removeResultAttr(i, StringAttr::get(func.getContext(), "scn.name"));

  PassManager pm(module->getContext());
  bool emulated = options.target == "cuda-emulated";
  if (options.target == "cuda" || emulated) {
    if (options.chips.empty())
      return fail("--target=cuda needs at least one chip (--chip=sm_80,sm_90)");
    CUDAPipelineOptions cuda;
    cuda.chip = oldestChip(options.chips);
    cuda.features = options.ptxFeatures;
    cuda.elementType = options.elementType;
    cuda.tensorCoreRows = options.tensorCoreRows;
    cuda.tensorCoreColumns = options.tensorCoreColumns;
    cuda.simtRows = options.simtRows;
    cuda.tensorCoreLoads = options.tensorCoreLoads;
    cuda.tensorCoreWeights = options.tensorCoreWeights;
    cuda.tensorCoreBlockWarps = options.tensorCoreBlockWarps;
    cuda.tensorCoreClusterBlocks = options.tensorCoreClusterBlocks;
    cuda.tensorCoreMinBlocks = options.tensorCoreMinBlocks;
    cuda.tensorCoreGathers = options.tensorCoreGathers;
    cuda.tensorCoreStages = options.tensorCoreStages;
    cuda.narrowTensorCoreInputs = options.narrowTensorCoreInputs;
    // One PTX serves every chip, so its blocks take no more shared memory
    // than the smallest of them allows.
    int64_t shared = 0;
    for (const std::string &chip : options.chips)
      if (int64_t bytes = sharedMemoryPerBlock(chip); bytes > 0)
        shared = shared ? std::min(shared, bytes) : bytes;
    cuda.sharedMemoryBytes = shared;
    cuda.simtChannels = options.simtChannels;
    cuda.activations = options.activations;
    cuda.neighbourMasks = options.neighbourMasks;
    cuda.tablePrefetch = options.tablePrefetch;
    cuda.hoistSiteSets = options.hoistSiteSets;
    cuda.siteSetsAtFirstUse = options.siteSetsAtFirstUse;
    cuda.epilogueTaps = options.epilogueTaps;
    cuda.linearAsConvolution = options.linearAsConvolution;
    cuda.format = "isa";
    cuda.emulateOnHost = emulated;
    cuda.deviceGeometry = options.deviceGeometry;
    cuda.asyncChain = options.asyncChain;
    cuda.prepareParameters = options.prepareParameters;
    if (failed(buildCUDAPipeline(pm, cuda)))
      return fail("bad options for --scn-cuda-pipeline (see above)");
  } else if (options.target == "cpu") {
    GraphPipelineOptions cpu;
    cpu.epilogueTaps = options.epilogueTaps;
    buildCPUPipeline(pm, cpu);
  } else {
    return fail("unknown target '" + options.target + "' (cpu or cuda)");
  }
  if (failed(pm.run(module)))
    return fail("lowering with --scn-" + llvm::StringRef(options.target).split('-').first +
                "-pipeline failed (see the diagnostics above)");
  // The emulated CUDA path runs on the CPU.
  signature->target = emulated ? "cpu" : options.target;
  if (options.target == "cuda")
    if (llvm::Error error = embedFatBinaries(module, options))
      return std::move(error);
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);
  return signature;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CompileOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  if (!options.cpu.empty()) {
    // A named CPU brings its own features; the host's may not apply.
    builder->setCPU(options.cpu);
    builder->getFeatures() = llvm::SubtargetFeatures();
  }
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  return std::move(*machine);
}

/// `void scn_model_entry(void **args)`: loads every argument of `entry`
/// through args[i], calls it, and stores its result through args[n].
static void addPackedEntry(llvm::Module &module, llvm::Function &entry) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *wrapper = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                         kPackedEntryName, module);
  // One block of a load per scalar argument (5 + 2 x rank per tensor):
  // instruction selection of it optimised is quadratic in the loads, and
  // it runs once per call.
  wrapper->addFnAttr(llvm::Attribute::OptimizeNone);
  wrapper->addFnAttr(llvm::Attribute::NoInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  llvm::Value *list = wrapper->getArg(0);
  llvm::SmallVector<llvm::Value *> args;
  for (auto [i, arg] : llvm::enumerate(entry.args())) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, list, i);
    llvm::Value *address = b.CreateLoad(ptr, slot);
    args.push_back(b.CreateLoad(arg.getType(), address));
  }
  llvm::Value *result = b.CreateCall(&entry, args);
  if (!entry.getReturnType()->isVoidTy()) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, list, entry.arg_size());
    b.CreateStore(result, b.CreateLoad(ptr, slot));
  }
  b.CreateRetVoid();
}

/// finalize-memref-to-llvm{use-generic-functions} allocates and frees with
/// MLIR's generic names, which any MLIR-built library in the process may
/// define too: the network calls the runtime's own (scn/Runtime/Codegen.h,
/// the model's planned block), so no other definition can take them.
static void bindAllocationFunctions(llvm::Module &module) {
  static const char *const kNames[][2] = {
      {"_mlir_memref_to_llvm_alloc", "scn_cg_alloc"},
      {"_mlir_memref_to_llvm_aligned_alloc", "scn_cg_aligned_alloc"},
      {"_mlir_memref_to_llvm_free", "scn_cg_free"}};
  for (const auto &[generic, ours] : kNames)
    if (llvm::Function *f = module.getFunction(generic))
      f->setName(ours);
}

void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    const CompileOptions &options) {
  bindAllocationFunctions(module);
  // The entry function is glue: runtime calls, allocations and the launch of
  // every layer's parallel loop (the outlined loop bodies are separate
  // functions and are optimised). Compiling it without optimisation takes
  // instruction selection from most of the compile time (17.6 s for W1) to
  // little, at no measurable run-time cost.
  if (llvm::Function *entry = module.getFunction(options.entry)) {
    entry->addFnAttr(llvm::Attribute::OptimizeNone);
    entry->addFnAttr(llvm::Attribute::NoInline);
  }
  // LLVM's default pipeline for the target, without its loop unroller: the
  // generated loops are already blocked for registers, and full unrolling of
  // their channel loops made instruction selection quadratic (W2 compiled in
  // 4.6 s, 72% of it in SelectionDAG; see bench/cpu/README.md).
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = options.unrollLoops;
  tuning.SLPVectorization = false;
  tuning.LoopVectorization = false;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = options.optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                  : options.optLevel == 1 ? llvm::OptimizationLevel::O1
                                                          : llvm::OptimizationLevel::O0;
  llvm::ModulePassManager passes = level == llvm::OptimizationLevel::O0
                                       ? builder.buildO0DefaultPipeline(level)
                                       : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, mam);
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, const EntrySignature &signature,
                  llvm::LLVMContext &context, llvm::TargetMachine &machine,
                  const CompileOptions &options) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "scn-network");
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  llvm::Function *entry = llvmModule->getFunction(signature.entry);
  if (!entry)
    return fail("the lowered module lost @" + signature.entry);
  addPackedEntry(*llvmModule, *entry);
  llvm::Constant *manifest =
      llvm::ConstantDataArray::getString(context, toManifest(signature));
  new llvm::GlobalVariable(*llvmModule, manifest->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, manifest,
                           kManifestName);
  // A data relocation against the runtime's ABI symbol: the dynamic linker
  // resolves it at load time even with lazy binding, so an artifact meets
  // only the runtime it was compiled for (AbiId.cpp).
  auto *abiSymbol = new llvm::GlobalVariable(
      *llvmModule, llvm::Type::getInt32Ty(context), /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage, /*Initializer=*/nullptr,
      SCN_RUNTIME_ABI_SYMBOL_NAME);
  new llvm::GlobalVariable(*llvmModule, abiSymbol->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, abiSymbol,
                           kRuntimeAbiReferenceName);
  optimizeModule(*llvmModule, machine, options);
  return llvmModule;
}

llvm::Error compileToSharedLibrary(ModuleOp module, const CompileOptions &options,
                                   llvm::StringRef outputPath) {
  llvm::TimerGroup timers("scn-compile", "scn-compile phases");
  llvm::Timer lowerTimer("lower", "scn IR to the LLVM dialect", timers);
  llvm::Timer translateTimer("translate", "to LLVM IR and optimise", timers);
  llvm::Timer codegenTimer("codegen", "object code", timers);
  llvm::Timer linkTimer("link", "shared library", timers);
  auto timed = [&](llvm::Timer &t) {
    return options.timePhases ? std::optional<llvm::TimeRegion>(std::in_place, t)
                              : std::nullopt;
  };
  auto lowerRegion = timed(lowerTimer);
  auto signature = lowerToLLVMDialect(module, options);
  lowerRegion.reset();
  if (!signature)
    return signature.takeError();
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  llvm::LLVMContext context;
  auto translateRegion = timed(translateTimer);
  auto llvmModule =
      translateToLLVMIR(module, *signature, context, **machine, options);
  if (!llvmModule)
    return llvmModule.takeError();
  translateRegion.reset();

  if (!options.emitLLVMPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(options.emitLLVMPath, ec);
    if (ec)
      return fail("cannot write '" + options.emitLLVMPath + "': " + ec.message());
    (*llvmModule)->print(os, nullptr);
  }
  // Object file next to the output, then the system linker driver.
  std::string objectPath = (outputPath + ".o").str();
  {
    std::error_code ec;
    llvm::ToolOutputFile object(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return fail("cannot write '" + objectPath + "': " + ec.message());
    auto codegenRegion = timed(codegenTimer);
    llvm::legacy::PassManager passes;
    if ((*machine)->addPassesToEmitFile(passes, object.os(), nullptr,
                                        llvm::CodeGenFileType::ObjectFile))
      return fail("the target cannot emit object files");
    passes.run(**llvmModule);
    object.keep();
  }
  auto linkRegion = timed(linkTimer);
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return fail("no C compiler driver ('cc') to link the shared library");
  std::string rpathRuntime = "-Wl,-rpath," SCN_RUNTIME_LIBRARY_DIR;
  std::string rpathOmp = "-Wl,-rpath," SCN_LIBOMP_DIR;
  // After this build's directories, the artifact's own: a deployment ships
  // net.so beside libscn_runtime.so and libomp.so.5 (examples/deploy).
  llvm::SmallVector<llvm::StringRef> args = {
      *cc, "-shared", "-o", outputPath, objectPath, "-L" SCN_RUNTIME_LIBRARY_DIR,
      "-lscn_runtime", rpathRuntime, SCN_LIBOMP_PATH, rpathOmp, "-Wl,-rpath,$ORIGIN", "-lm"};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &message);
  llvm::sys::fs::remove(objectPath);
  if (rc != 0)
    return fail("linking '" + outputPath + "' failed (" + llvm::Twine(rc) +
                ")" + (message.empty() ? "" : ": " + message));
  return llvm::Error::success();
}

} // namespace scn
