//===- ModelRunner.cpp - run a compiled network on numpy arrays -----------===//

#include "scn/Execution/ModelRunner.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>
#include <cstring>
#include <set>
#include <dlfcn.h>

using namespace mlir;

namespace scn {

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

ModelRunner::~ModelRunner() {
  scn_run_destroy(static_cast<scn_run_t>(persistentRun));
  if (library)
    dlclose(library);
}

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
  runner->entry = *packed;
  return runner;
}

llvm::Expected<std::unique_ptr<ModelRunner>> ModelRunner::load(llvm::StringRef path) {
  // dlopen searches the library path for names without a slash: make the
  // path absolute so `scn-run net.so` loads ./net.so.
  llvm::SmallString<256> file(path);
  if (std::error_code ec = llvm::sys::fs::make_absolute(file))
    return fail("cannot resolve '" + path + "': " + ec.message());
  // A truncated file would end the process inside dlopen (SIGBUS).
  if (scn_artifact_check_file(file.c_str()) != SCN_OK)
    return fail("cannot load '" + path + "': " + scn_last_error_message());
  void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::string reason = dlerror();
    // The artifact's reference to scn_runtime_abi_<id> (Compile.cpp) found
    // no definition: it was compiled against another runtime.
    size_t at = reason.find("scn_runtime_abi_");
    if (at != std::string::npos) {
      std::string wanted = reason.substr(at + strlen("scn_runtime_abi_"));
      wanted = wanted.substr(0, wanted.find_first_not_of("0123456789abcdef"));
      return fail("'" + path + "' was compiled for runtime ABI " + wanted +
                  ", but this libscn_runtime is ABI " + scn_runtime_abi_id() +
                  ": recompile it with this build's scn-compile");
    }
    return fail("cannot load '" + path + "': " + reason);
  }
  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  runner->library = library;
  auto *manifest = static_cast<const char *>(dlsym(library, kManifestName));
  auto entry = reinterpret_cast<PackedEntry>(dlsym(library, kPackedEntryName));
  if (!manifest || !entry)
    return fail("'" + path + "' is not an scn-compile artifact (no " +
                kManifestName + " / " + kPackedEntryName + ")");
  auto signature = fromManifest(manifest);
  if (!signature)
    return signature.takeError();
  // Loading checked the symbol; the manifest says it in words, and one from
  // before ABI ids means an artifact that nothing checked.
  if (signature->runtimeAbi != scn_runtime_abi_id())
    return fail("'" + path + "' was compiled " +
                (signature->runtimeAbi.empty()
                     ? std::string("before runtime ABI ids")
                     : "for runtime ABI " + signature->runtimeAbi) +
                ", but this libscn_runtime is ABI " + scn_runtime_abi_id() +
                ": recompile it with this build's scn-compile");
  runner->sig = *signature;
  runner->entry = entry;
  return runner;
}

namespace {
/// Storage of one flattened memref descriptor: allocated, aligned, offset,
/// sizes, strides, all 8 bytes wide.
struct Descriptor {
  std::vector<int64_t> words;
};
} // namespace

llvm::Expected<NpzFile> ModelRunner::run(const NpzFile &arrays) {
  std::vector<Descriptor> descriptors;
  descriptors.reserve(sig.inputs.size());
  std::vector<const void *> inputPointers;
  for (const TensorSignature &sig : sig.inputs) {
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

  bool onGPU = sig.target == "cuda";
  if (onGPU) {
    // The kernels were loaded when the code was (global constructors); a
    // failure then is the sticky GPU error, collected here.
    if (scn_gpu_init(0) != SCN_OK)
      return fail(std::string("this network was compiled for CUDA and needs a GPU: ") +
                  scn_last_error_message());
    if (scn_gpu_take_error() != SCN_OK)
      return fail(std::string("the network's GPU kernels did not load: ") +
                  scn_last_error_message());
  }

  scn_run_t run = static_cast<scn_run_t>(persistentRun);
  if (!run)
    run = scn_run_create();
  if (!run)
    return fail("out of memory creating the run");
  if (reuseGeometry) {
    scn_run_set_reuse_geometry(run, 1);
    scn_run_clear_error(run);
    persistentRun = run;
  }
  std::vector<void *> packed;
  void *runPtr = run;
  packed.push_back(&runPtr);
  for (Descriptor &d : descriptors)
    for (int64_t &w : d.words)
      packed.push_back(&w);
  size_t resultWords = 0;
  for (const TensorSignature &sig : sig.outputs)
    resultWords += 3 + 2 * sig.shape.size();
  std::vector<int64_t> results(resultWords, 0);
  packed.push_back(results.data());

  entry(packed.data());

  NpzFile outputs;
  std::set<void *> freed;
  size_t at = 0;
  for (const TensorSignature &sig : sig.outputs) {
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
    // The generated code allocated the result (scn_result_free frees either
    // kind of block it uses), once even when results share a buffer; it may
    // also be an input.
    bool isInput = false;
    for (const void *p : inputPointers)
      isInput |= p == allocated;
    if (!isInput && freed.insert(allocated).second)
      scn_result_free(allocated);
    outputs[sig.name] = std::move(out);
    at += 3 + 2 * rank;
  }
  scn_status_t status = scn_run_status(run);
  std::string message = scn_run_error_message(run);
  // A GPU error (a failed launch or allocation) makes every later kernel a
  // no-op, so the outputs are not valid.
  if (onGPU && scn_gpu_take_error() != SCN_OK && status == SCN_OK) {
    status = SCN_ERROR_DEVICE;
    message = std::string("GPU error: ") + scn_last_error_message();
  }
  if (!reuseGeometry)
    scn_run_destroy(run);
  if (status != SCN_OK)
    return fail(message);
  return outputs;
}

} // namespace scn
