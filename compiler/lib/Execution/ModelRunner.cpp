//===- ModelRunner.cpp - run a compiled network on numpy arrays -----------===//
//
// A thin layer over the runtime's deployment API (scn/Runtime/Model.h),
// which packs the arguments, calls the entry and owns the results: this
// file adds the JIT and the mapping between .npz arrays and scn_tensor_t.
//
//===----------------------------------------------------------------------===//

#include "scn/Execution/ModelRunner.h"
#include "scn/Support/Memory.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Model.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <cstring>

using namespace mlir;

namespace scn {

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static const char *numpyName(scn_dtype_t dtype) {
  return dtype == SCN_DTYPE_F32 ? "f4" : dtype == SCN_DTYPE_I64 ? "i8" : "i4";
}

ModelRunner::~ModelRunner() { scn_model_free(static_cast<scn_model_t>(model)); }

llvm::Expected<std::unique_ptr<ModelRunner>>
ModelRunner::jit(ModuleOp module, const CompileOptions &options) {
  auto signature = lowerToLLVMDialect(module, options);
  if (!signature)
    return signature.takeError();
  auto machine = createTargetMachine(options);
  if (!machine)
    return machine.takeError();
  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  runner->sig = *signature;
  ExecutionEngineOptions engineOptions;
  llvm::TargetMachine *target = machine->get();
  auto transformer = [&](llvm::Module *module) -> llvm::Error {
    optimizeModule(*module, *target, options);
    return llvm::Error::success();
  };
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // The OpenMP runtime the parallel row loops call (__kmpc_*).
  llvm::SmallVector<llvm::StringRef, 1> libraries = {SCN_LIBOMP_PATH};
  engineOptions.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!engine)
    return engine.takeError();
  runner->engine = std::move(*engine);
  // Global constructors: a CUDA network loads its kernels in them.
  runner->engine->initialize();
  auto packed = runner->engine->lookupPacked(signature->entry);
  if (!packed)
    return packed.takeError();
  scn_model_t model = nullptr;
  if (scn_model_from_entry(*packed, toManifest(*signature).c_str(), &model) != SCN_OK)
    return fail(scn_last_error_message());
  runner->model = model;
  return runner;
}

llvm::Expected<std::unique_ptr<ModelRunner>> ModelRunner::load(llvm::StringRef path) {
  // dlopen searches the library path for names without a slash: make the
  // path absolute so `scn-run net.so` loads ./net.so.
  llvm::SmallString<256> file(path);
  if (std::error_code ec = llvm::sys::fs::make_absolute(file))
    return fail("cannot resolve '" + path + "': " + ec.message());
  scn_model_t model = nullptr;
  if (scn_model_load(file.c_str(), &model) != SCN_OK)
    return fail(scn_last_error_message());
  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  runner->model = model;
  // The signature as the runtime read it from the manifest.
  runner->sig.target = scn_model_target(model);
  auto describe = [&](int32_t count, auto info, std::vector<TensorSignature> &into) {
    for (int32_t i = 0; i < count; ++i) {
      scn_tensor_info_t t;
      info(model, i, &t);
      into.push_back({t.name, std::vector<int64_t>(t.shape, t.shape + t.rank),
                      numpyName(t.dtype)});
    }
  };
  describe(scn_model_num_inputs(model), scn_model_input_info, runner->sig.inputs);
  describe(scn_model_num_outputs(model), scn_model_output_info, runner->sig.outputs);
  return runner;
}

void ModelRunner::setReuseGeometry(bool reuse) {
  scn_model_set_reuse_geometry(static_cast<scn_model_t>(model), reuse);
}

llvm::Expected<NpzFile> ModelRunner::run(const NpzFile &arrays) {
  std::vector<scn_tensor_t> inputs;
  for (const TensorSignature &sig : sig.inputs) {
    auto it = arrays.find(sig.name);
    if (it == arrays.end())
      return fail("input '" + sig.name + "' is missing from the input file");
    const NpyArray &a = it->second;
    // Types the runtime's enum cannot name (f8, u1, ...) are caught here.
    if (a.dtype != sig.dtype)
      return fail("input '" + sig.name + "' has dtype " + a.dtype + ", expected " +
                  sig.dtype);
    if (a.shape.size() > SCN_MAX_TENSOR_RANK)
      return fail("input '" + sig.name + "' has rank " + llvm::Twine(a.shape.size()) +
                  ", expected " + llvm::Twine(sig.shape.size()));
    scn_tensor_t t{};
    t.data = const_cast<uint8_t *>(a.data.data());
    t.dtype = a.dtype == "f4" ? SCN_DTYPE_F32 : a.dtype == "i8" ? SCN_DTYPE_I64 : SCN_DTYPE_I32;
    t.rank = static_cast<int32_t>(a.shape.size());
    std::copy(a.shape.begin(), a.shape.end(), t.shape);
    inputs.push_back(t);
  }
  std::vector<scn_tensor_t> results(sig.outputs.size());
  if (scn_model_run(static_cast<scn_model_t>(model), inputs.data(),
                    static_cast<int32_t>(inputs.size()), results.data(),
                    static_cast<int32_t>(results.size())) != SCN_OK)
    return fail(scn_last_error_message());
  NpzFile outputs;
  for (size_t o = 0; o < results.size(); ++o) {
    const scn_tensor_t &result = results[o];
    NpyArray out;
    out.dtype = sig.outputs[o].dtype;
    out.shape.assign(result.shape, result.shape + result.rank);
    const size_t bytes = size_t(out.numElements()) * out.elementSize();
    if (!systemGives(bytes)) {
      for (size_t rest = o; rest < results.size(); ++rest)
        scn_result_free(results[rest].data);
      return fail("out of memory for a copy of output '" + sig.outputs[o].name + "' (" +
                  llvm::Twine(bytes) + " bytes)");
    }
    out.data.resize(bytes);
    if (!out.data.empty())
      std::memcpy(out.data.data(), result.data, out.data.size());
    scn_result_free(result.data);
    outputs[sig.outputs[o].name] = std::move(out);
  }
  return outputs;
}

} // namespace scn
