//===- Model.cpp - load and run compiled networks (scn/Runtime/Model.h) ---===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// An artifact's entry takes MLIR's packed arguments: a pointer to each
// scalar of the lowered signature (the run handle, then every field of each
// input's memref descriptor) and, last, the storage of the result
// descriptors. This file builds those from scn_tensor_t arrays and turns the
// results back into arrays the caller owns. The manifest (JSON, written by
// scn-compile's toManifest) is read with nlohmann/json, Debian's
// nlohmann-json3-dev.
//
//===----------------------------------------------------------------------===//

#include "ArtifactFile.h"
#include "Error.h"
#include "GeneratedCall.h"
#include "Run.h"
#include "RunArena.h"

#include "scn/Runtime/AbiId.h"
#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/Model.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace scn::rt;

namespace {

struct TensorSpec {
  std::string name;
  scn_dtype_t dtype;
  std::vector<int64_t> shape; // -1: any size
};

const char *dtypeName(scn_dtype_t dtype) {
  switch (dtype) {
  case SCN_DTYPE_F32:
    return "f32";
  case SCN_DTYPE_I64:
    return "i64";
  case SCN_DTYPE_I32:
    return "i32";
  }
  return "an unknown type";
}

size_t dtypeBytes(scn_dtype_t dtype) { return dtype == SCN_DTYPE_I32 || dtype == SCN_DTYPE_F32 ? 4 : 8; }

std::vector<TensorSpec> tensorSpecs(const nlohmann::json &list, const char *what) {
  if (!list.is_array())
    fail(SCN_ERROR_INVALID_ARGUMENT, "the manifest has no '", what, "' list");
  std::vector<TensorSpec> specs;
  for (const nlohmann::json &entry : list) {
    TensorSpec spec;
    spec.name = entry.at("name").get<std::string>();
    std::string dtype = entry.at("dtype").get<std::string>();
    if (dtype == "f4")
      spec.dtype = SCN_DTYPE_F32;
    else if (dtype == "i8")
      spec.dtype = SCN_DTYPE_I64;
    else if (dtype == "i4")
      spec.dtype = SCN_DTYPE_I32;
    else
      fail(SCN_ERROR_INVALID_ARGUMENT, "the manifest's ", what, " '", spec.name,
           "' has dtype '", dtype, "'");
    const nlohmann::json &shape = entry.at("shape");
    if (!shape.is_array())
      fail(SCN_ERROR_INVALID_ARGUMENT, "the manifest's ", what, " '", spec.name,
           "' has no shape list");
    for (const nlohmann::json &size : shape) {
      // Integers only: a float or a value past int64 would convert silently.
      if (!size.is_number_integer() ||
          (size.is_number_unsigned() && size.get<uint64_t>() > uint64_t(INT64_MAX)) ||
          size.get<int64_t>() < -1)
        fail(SCN_ERROR_INVALID_ARGUMENT, "the manifest's ", what, " '", spec.name,
             "' has a dimension of ", size.dump());
      spec.shape.push_back(size.get<int64_t>());
    }
    if (spec.shape.size() > SCN_MAX_TENSOR_RANK)
      fail(SCN_ERROR_INVALID_ARGUMENT, "the manifest's ", what, " '", spec.name, "' has rank ",
           spec.shape.size(), ", more than ", SCN_MAX_TENSOR_RANK);
    specs.push_back(std::move(spec));
  }
  return specs;
}

/// Result descriptor words of one output: allocated, aligned, offset,
/// sizes, strides.
size_t descriptorWords(const TensorSpec &spec) { return 3 + 2 * spec.shape.size(); }

} // namespace

struct scn_model {
  void *library = nullptr; // null for scn_model_from_entry
  void (*entry)(void **) = nullptr;
  std::string target;
  /// CUDA: the device selected when the model was made, where its kernels
  /// were loaded (global constructors of the artifact).
  int32_t device = 0;
  /// The manifest's runtime_abi ("" in manifests from before ids).
  std::string runtimeAbi;
  std::vector<TensorSpec> inputs, outputs;
  /// The run kept across calls with reuse on, and the lock its calls take.
  std::mutex keptRunLock;
  scn_run_t keptRun = nullptr;
  std::atomic<bool> reuseGeometry{false};
  /// The generated code's buffers between calls (RunArena.h).
  RunArena arena;

  ~scn_model() {
    scn_run_destroy(keptRun);
    if (library)
      dlclose(library);
  }

  /// Reads `manifest` (scn-compile's JSON).
  void readManifest(const char *manifest, const char *origin) {
    nlohmann::json root;
    try {
      root = nlohmann::json::parse(manifest);
      if (root.value("format", "") != "scn-compile/1")
        fail(SCN_ERROR_INVALID_ARGUMENT, origin, " has no scn-compile/1 manifest");
      inputs = tensorSpecs(root.at("inputs"), "inputs");
      outputs = tensorSpecs(root.at("outputs"), "outputs");
      target = root.value("target", "cpu");
      runtimeAbi = root.value("runtime_abi", "");
    } catch (const nlohmann::json::exception &e) {
      fail(SCN_ERROR_INVALID_ARGUMENT, origin, " has a malformed manifest: ", e.what());
    }
    if (target != "cpu" && target != "cuda")
      fail(SCN_ERROR_INVALID_ARGUMENT, origin, "'s manifest names target '", target,
           "', neither cpu nor cuda");
  }

  /// One call in `callerRun`, or else in the kept run (reuse on) or a new
  /// one.
  void run(scn_run_t callerRun, const scn_tensor_t *given, int32_t numGiven,
           scn_tensor_t *results, int32_t numResults);
};

namespace {

void checkInputs(const scn_model &model, const scn_tensor_t *given, int32_t numGiven) {
  if (numGiven != static_cast<int32_t>(model.inputs.size()))
    fail(SCN_ERROR_INVALID_ARGUMENT, "the network takes ", model.inputs.size(),
         " inputs, not ", numGiven);
  if (numGiven && !given)
    fail(SCN_ERROR_INVALID_ARGUMENT, "the array of ", numGiven, " inputs is null");
  for (int32_t i = 0; i < numGiven; ++i) {
    const TensorSpec &spec = model.inputs[i];
    const scn_tensor_t &a = given[i];
    if (a.dtype != spec.dtype)
      fail(SCN_ERROR_INVALID_ARGUMENT, "input '", spec.name, "' has dtype ",
           dtypeName(a.dtype), ", expected ", dtypeName(spec.dtype));
    if (a.rank != static_cast<int32_t>(spec.shape.size()))
      fail(SCN_ERROR_INVALID_ARGUMENT, "input '", spec.name, "' has rank ", a.rank,
           ", expected ", spec.shape.size());
    // `span`, the product of the non-zero sizes, bounds every row-major
    // stride, also where a zero size makes the array empty.
    int64_t elements = 1, span = 1;
    for (int32_t d = 0; d < a.rank; ++d) {
      if (a.shape[d] < 0)
        fail(SCN_ERROR_INVALID_ARGUMENT, "input '", spec.name, "' dimension ", d, " is ",
             a.shape[d]);
      if (spec.shape[d] >= 0 && spec.shape[d] != a.shape[d])
        fail(SCN_ERROR_INVALID_ARGUMENT, "input '", spec.name, "' dimension ", d, " is ",
             a.shape[d], ", expected ", spec.shape[d]);
      if (a.shape[d] && __builtin_mul_overflow(span, a.shape[d], &span))
        fail(SCN_ERROR_OVERFLOW, "input '", spec.name, "' has more than 2^63 elements");
      elements *= a.shape[d];
    }
    if (elements && !a.data)
      fail(SCN_ERROR_INVALID_ARGUMENT, "input '", spec.name, "' has ", elements,
           " elements and no data");
  }
}

/// CUDA runs of every model, one at a time: the device selection and the
/// sticky GPU error (scn_gpu_take_error) are the process's, so a run must
/// not take another's error or move the device under it.
std::mutex &cudaRuns() {
  static std::mutex runs;
  return runs;
}

/// The GPU of a CUDA network, ready, or the reason it is not.
void requireGpu(int32_t device) {
  // The kernels were loaded when the code was (global constructors), on the
  // device selected then: the run goes there (a caller's scn_gpu_init(1)
  // before loading is kept, whatever was selected since). A failure to load
  // is the sticky GPU error, collected here.
  if (scn_gpu_init(device) != SCN_OK)
    fail(SCN_ERROR_NO_DEVICE, "this network was compiled for CUDA and needs a GPU: ",
         scn_last_error_message());
  if (scn_gpu_take_error() != SCN_OK)
    fail(SCN_ERROR_DEVICE, "the network's GPU kernels did not load: ", scn_last_error_message());
}

/// Frees what the generated code returned and the copies made of it (all
/// result buffers, scn_result_free's to free), on every path out of a run:
/// all of it when the run fails before its outputs are given to the
/// caller, else what was not handed over.
struct ResultBlocks {
  std::set<void *> returned, handedOver;
  bool committed = false;
  ~ResultBlocks() {
    for (void *block : returned)
      if (!committed || !handedOver.count(block))
        scn_result_free(block);
  }
};

/// `count` elements of `elementBytes` from a strided view into `target`
/// (row-major): one copy when the view is row-major already.
void copyView(uint8_t *target, const uint8_t *aligned, int64_t offset, const int64_t *sizes,
              const int64_t *strides, size_t rank, int64_t count, size_t elementBytes,
              bool rowMajor) {
  if (rowMajor) {
    std::memcpy(target, aligned + offset * elementBytes, size_t(count) * elementBytes);
    return;
  }
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t source = offset;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * strides[d];
    std::memcpy(target + i * elementBytes, aligned + source * elementBytes, elementBytes);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
}

} // namespace

void scn_model::run(scn_run_t callerRun, const scn_tensor_t *given, int32_t numGiven,
                    scn_tensor_t *results, int32_t numResults) {
  checkInputs(*this, given, numGiven);
  if (numResults != static_cast<int32_t>(outputs.size()))
    fail(SCN_ERROR_INVALID_ARGUMENT, "the network returns ", outputs.size(),
         " outputs, not ", numResults);
  if (numResults && !results)
    fail(SCN_ERROR_INVALID_ARGUMENT, "the array of ", numResults, " outputs is null");
  std::unique_lock<std::mutex> gpuHeld(cudaRuns(), std::defer_lock);
  if (target == "cuda") {
    gpuHeld.lock();
    requireGpu(device);
  }

  // Descriptor words of each input: allocated, aligned, offset 0, sizes,
  // row-major strides. A zero-size array may have no storage: a dummy word.
  static int64_t emptyStorage = 0;
  std::vector<std::vector<int64_t>> descriptors;
  std::set<const void *> inputData;
  for (int32_t i = 0; i < numGiven; ++i) {
    const scn_tensor_t &a = given[i];
    const void *storage = a.data ? a.data : &emptyStorage;
    auto data = reinterpret_cast<int64_t>(storage);
    // What the descriptor holds: a result that returns an argument
    // unchanged points there, and is not ours to free.
    inputData.insert(storage);
    std::vector<int64_t> words = {data, data, 0};
    words.insert(words.end(), a.shape, a.shape + a.rank);
    std::vector<int64_t> strides(a.rank);
    int64_t stride = 1;
    for (int32_t d = a.rank; d-- > 0;) {
      strides[d] = stride;
      stride *= a.shape[d];
    }
    words.insert(words.end(), strides.begin(), strides.end());
    descriptors.push_back(std::move(words));
  }

  // The call's run: the caller's, the kept one (reuse on; held for the
  // call), or a new one it owns.
  std::unique_lock<std::mutex> keptRunHeld(keptRunLock, std::defer_lock);
  scn_run_t run = callerRun;
  std::unique_ptr<scn_run, void (*)(scn_run_t)> ownedRun(nullptr, scn_run_destroy);
  if (!run && reuseGeometry) {
    keptRunHeld.lock();
    // Checked again under the lock: reuse turned off meanwhile destroyed
    // the kept run, and this call must not make a new one.
    if (reuseGeometry) {
      if (!keptRun) {
        keptRun = scn_run_create();
        if (!keptRun)
          fail(SCN_ERROR_OUT_OF_MEMORY, "out of memory creating the run");
        scn_run_set_reuse_geometry(keptRun, 1);
      }
      run = keptRun;
    } else {
      keptRunHeld.unlock();
    }
  }
  if (!run) {
    ownedRun.reset(scn_run_create());
    run = ownedRun.get();
    if (!run)
      fail(SCN_ERROR_OUT_OF_MEMORY, "out of memory creating the run");
  }
  scn_run_clear_error(run);

  std::vector<void *> packed;
  void *runHandle = run;
  packed.push_back(&runHandle);
  for (std::vector<int64_t> &words : descriptors)
    for (int64_t &word : words)
      packed.push_back(&word);
  size_t resultWords = 0;
  for (const TensorSpec &spec : outputs)
    resultWords += descriptorWords(spec);
  std::vector<int64_t> resultStorage(resultWords, 0);
  packed.push_back(resultStorage.data());

  bool abandoned = false;
  size_t refusedBytes = 0;
  std::string refusedFor, gpuError;
  {
    // First: it reads the tests' variables, and may fail on a bad one.
    GeneratedCall call;
    // The call's own allocations come from the model's arena (when no
    // other call holds it), until the entry returns.
    struct ArenaCall {
      RunArena &arena;
      bool entered;
      explicit ArenaCall(RunArena &arena) : arena(arena), entered(arena.enter()) {}
      ~ArenaCall() {
        if (entered)
          arena.leave();
      }
    } arenaCall(arena);
    if (!call.run(entry, packed.data())) {
      // Abandoned where a buffer could not be had (GeneratedCall.h): what
      // the call holds is freed, once the GPU work it queued is done.
      abandoned = true;
      refusedBytes = call.failedBytes();
      refusedFor = call.failedFor();
      if (target == "cuda")
        scn_gpu_synchronize();
      if (arenaCall.entered)
        arena.abandonCall();
      call.releaseHeld();
      abandonRunCall(run);
      // A GPU error of the abandoned call (a device block it could not
      // have first) is part of its error, and must not fail the next call.
      if (target == "cuda" && scn_gpu_take_error() != SCN_OK)
        gpuError = std::string("; before it, a GPU error: ") + scn_last_error_message();
    }
  }
  if (abandoned) {
    std::string message = refusedFor + ": out of memory: a buffer of " +
                          formatBytes(refusedBytes) +
                          " was refused; the call was abandoned and the memory it held "
                          "freed" + gpuError;
    run->fail(SCN_ERROR_OUT_OF_MEMORY, message);
    fail(SCN_ERROR_OUT_OF_MEMORY, message);
  }

  ResultBlocks blocks;
  size_t at = 0;
  for (const TensorSpec &spec : outputs) {
    void *allocated = reinterpret_cast<void *>(resultStorage[at]);
    // The generated code allocated each result (scn_result_free frees
    // either kind of block it uses), once even when results share one; a
    // result may also be an input, which is not ours to free.
    if (allocated && !inputData.count(allocated))
      blocks.returned.insert(allocated);
    at += descriptorWords(spec);
  }
  scn_status_t status = scn_run_status(run);
  std::string message = status == SCN_OK ? "" : scn_run_error_message(run);
  // A GPU error (a failed launch or allocation) makes every later kernel a
  // no-op, so the outputs are not valid.
  if (target == "cuda" && scn_gpu_take_error() != SCN_OK && status == SCN_OK) {
    status = SCN_ERROR_DEVICE;
    message = std::string("GPU error: ") + scn_last_error_message();
  }
  if (status != SCN_OK)
    fail(status, message);

  // How many outputs view each block: one viewed by a single output may be
  // rearranged in place.
  std::map<const void *, int> views;
  at = 0;
  for (const TensorSpec &spec : outputs) {
    ++views[reinterpret_cast<const void *>(resultStorage[at])];
    at += descriptorWords(spec);
  }
  std::vector<scn_tensor_t> filled(outputs.size());
  at = 0;
  for (size_t o = 0; o < outputs.size(); ++o) {
    const TensorSpec &spec = outputs[o];
    const size_t rank = spec.shape.size();
    const int64_t *word = &resultStorage[at];
    void *allocated = reinterpret_cast<void *>(word[0]);
    auto *aligned = reinterpret_cast<const uint8_t *>(word[1]);
    const int64_t offset = word[2];
    const int64_t *sizes = word + 3, *strides = word + 3 + rank;
    scn_tensor_t &out = filled[o];
    out.dtype = spec.dtype;
    out.rank = static_cast<int32_t>(rank);
    int64_t count = 1;
    bool rowMajor = offset == 0;
    for (size_t d = rank; d-- > 0;) {
      out.shape[d] = sizes[d];
      rowMajor &= sizes[d] <= 1 || strides[d] == count;
      count *= sizes[d];
    }
    const size_t elementBytes = dtypeBytes(spec.dtype);
    const bool owned = blocks.returned.count(allocated) && !blocks.handedOver.count(allocated);
    if (count == 0) {
      out.data = nullptr;
    } else if (rowMajor && owned && aligned == allocated) {
      // The generated code's own row-major buffer (CUDA's page-locked
      // blocks): handed over as it is.
      out.data = allocated;
      blocks.handedOver.insert(allocated);
    } else if (rowMajor && owned && views[allocated] == 1) {
      // A CPU buffer: memref.alloc with an alignment mallocs size +
      // alignment and aligns by hand, so the rows start past the block's
      // start. Moved down to it, the block is the caller's without a copy.
      std::memmove(allocated, aligned, size_t(count) * elementBytes);
      out.data = allocated;
      blocks.handedOver.insert(allocated);
    } else {
      // A view, a buffer shared with another output, or an input: a copy
      // (the generated call has returned: a refused block is null here,
      // never a jump, GeneratedCall.h).
      void *copy = scn_cg_result_buffer(nullptr, count * int64_t(elementBytes));
      if (!copy)
        fail(SCN_ERROR_OUT_OF_MEMORY, "no memory for a copy of output '", spec.name, "'");
      blocks.returned.insert(copy);
      copyView(static_cast<uint8_t *>(copy), aligned, offset, sizes, strides, rank, count,
               elementBytes, rowMajor);
      out.data = copy;
      blocks.handedOver.insert(copy);
    }
    at += descriptorWords(spec);
  }
  blocks.committed = true;
  std::copy(filled.begin(), filled.end(), results);
}

extern "C" {

scn_status_t scn_model_load(const char *path, scn_model_t *model) {
  return guardCall("scn_model_load", [&] {
    requireNonNull(path, "path");
    requireNonNull(model, "model");
    // A truncated file would end the process inside dlopen (SIGBUS).
    checkArtifactFile(path);
    auto loaded = std::make_unique<scn_model>();
    // The artifact's constructors load its kernels onto the current device:
    // no CUDA run may select another between reading it and dlopen.
    std::lock_guard<std::mutex> noRunMovesTheDevice(cudaRuns());
    loaded->device = scn_gpu_current_device();
    // dlopen searches the library path for a name without a slash: "net.so"
    // means the file here.
    const std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
    loaded->library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!loaded->library) {
      std::string reason = dlerror();
      // The artifact's reference to scn_runtime_abi_<id> found no
      // definition: it was compiled against another runtime.
      const std::string symbol = "scn_runtime_abi_";
      size_t found = reason.rfind(symbol);
      if (found != std::string::npos) {
        std::string wanted = reason.substr(found + symbol.size());
        wanted = wanted.substr(0, wanted.find_first_not_of("0123456789abcdef"));
        fail(SCN_ERROR_INVALID_ARGUMENT, "'", path, "' was compiled for runtime ABI ", wanted,
             ", but this libscn_runtime is ABI ", SCN_RUNTIME_ABI_ID,
             ": recompile it with this build's scn-compile");
      }
      fail(SCN_ERROR_INVALID_ARGUMENT, "cannot load '", path, "': ", reason);
    }
    auto *manifest = static_cast<const char *>(dlsym(loaded->library, "scn_model_manifest"));
    loaded->entry =
        reinterpret_cast<void (*)(void **)>(dlsym(loaded->library, "scn_model_entry"));
    if (!manifest || !loaded->entry)
      fail(SCN_ERROR_INVALID_ARGUMENT, "'", path,
           "' is not an scn-compile artifact (no scn_model_manifest / scn_model_entry)");
    const std::string origin = std::string("'") + path + "'";
    loaded->readManifest(manifest, origin.c_str());
    // Loading checked the symbol; the manifest says it in words, and one
    // from before ABI ids means an artifact that nothing checked.
    const std::string &abi = loaded->runtimeAbi;
    if (abi != SCN_RUNTIME_ABI_ID)
      fail(SCN_ERROR_INVALID_ARGUMENT, origin, " was compiled ",
           abi.empty() ? std::string("before runtime ABI ids") : "for runtime ABI " + abi,
           ", but this libscn_runtime is ABI ", SCN_RUNTIME_ABI_ID,
           ": recompile it with this build's scn-compile");
    *model = loaded.release();
  });
}

scn_status_t scn_model_from_entry(void (*entry)(void **), const char *manifest,
                                  scn_model_t *model) {
  return guardCall("scn_model_from_entry", [&] {
    requireNonNull(reinterpret_cast<const void *>(entry), "entry");
    requireNonNull(manifest, "manifest");
    requireNonNull(model, "model");
    auto made = std::make_unique<scn_model>();
    made->device = scn_gpu_current_device();
    made->entry = entry;
    made->readManifest(manifest, "the entry");
    *model = made.release();
  });
}

void scn_model_free(scn_model_t model) { delete model; }

int32_t scn_model_num_inputs(scn_model_t model) {
  return model ? static_cast<int32_t>(model->inputs.size()) : 0;
}

int32_t scn_model_num_outputs(scn_model_t model) {
  return model ? static_cast<int32_t>(model->outputs.size()) : 0;
}

static void fillInfo(const std::vector<TensorSpec> &specs, int32_t index,
                     scn_tensor_info_t *info, const char *what) {
  requireNonNull(info, "info");
  if (index < 0 || index >= static_cast<int32_t>(specs.size()))
    fail(SCN_ERROR_OUT_OF_RANGE, what, " ", index, " is outside [0, ", specs.size(), ")");
  const TensorSpec &spec = specs[index];
  info->name = spec.name.c_str();
  info->dtype = spec.dtype;
  info->rank = static_cast<int32_t>(spec.shape.size());
  std::fill(info->shape, info->shape + SCN_MAX_TENSOR_RANK, 0);
  std::copy(spec.shape.begin(), spec.shape.end(), info->shape);
}

scn_status_t scn_model_input_info(scn_model_t model, int32_t index, scn_tensor_info_t *info) {
  return guardCall("scn_model_input_info", [&] {
    requireNonNull(model, "model");
    fillInfo(model->inputs, index, info, "input");
  });
}

scn_status_t scn_model_output_info(scn_model_t model, int32_t index, scn_tensor_info_t *info) {
  return guardCall("scn_model_output_info", [&] {
    requireNonNull(model, "model");
    fillInfo(model->outputs, index, info, "output");
  });
}

const char *scn_model_target(scn_model_t model) {
  return model ? model->target.c_str() : nullptr;
}

scn_status_t scn_model_set_reuse_geometry(scn_model_t model, int32_t reuse) {
  return guardCall("scn_model_set_reuse_geometry", [&] {
    requireNonNull(model, "model");
    std::lock_guard<std::mutex> lock(model->keptRunLock);
    model->reuseGeometry = reuse != 0;
    if (!model->reuseGeometry) {
      scn_run_destroy(model->keptRun);
      model->keptRun = nullptr;
    }
  });
}

scn_status_t scn_model_memory_info(scn_model_t model, scn_model_memory_info_t *info) {
  return guardCall("scn_model_memory_info", [&] {
    requireNonNull(model, "model");
    requireNonNull(info, "info");
    *info = model->arena.info();
  });
}

scn_status_t scn_model_run(scn_model_t model, const scn_tensor_t *inputs, int32_t num_inputs,
                           scn_tensor_t *outputs, int32_t num_outputs) {
  // The run's messages name the input or the op themselves: no function
  // prefix, so that a tool prints the network's own words; the handle's
  // check names the function.
  if (scn_status_t status =
          guardCall("scn_model_run", [&] { requireNonNull(model, "model"); });
      status != SCN_OK)
    return status;
  return guardCall("", [&] { model->run(nullptr, inputs, num_inputs, outputs, num_outputs); });
}

scn_status_t scn_model_run_in(scn_model_t model, scn_run_t run, const scn_tensor_t *inputs,
                              int32_t num_inputs, scn_tensor_t *outputs, int32_t num_outputs) {
  if (scn_status_t status = guardCall("scn_model_run_in",
                                      [&] {
                                        requireNonNull(model, "model");
                                        requireNonNull(run, "run");
                                      });
      status != SCN_OK)
    return status;
  return guardCall("", [&] { model->run(run, inputs, num_inputs, outputs, num_outputs); });
}

} // extern "C"
