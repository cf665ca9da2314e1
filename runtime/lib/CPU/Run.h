//===- Run.h - the state of one invocation of a compiled network -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private: the struct
// behind scn_run_t, shared by the codegen ABI of the CPU (Codegen.cpp) and
// of device geometry (DeviceCodegen.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_RUN_H
#define SCN_RUNTIME_LIB_CPU_RUN_H

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/KernelMap.h"
#include "scn/Runtime/Runtime.h"
#include "scn/Runtime/Sites.h"

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

struct scn_run {
  std::mutex mutex;
  scn_status_t status = SCN_OK;
  std::string message;
  std::vector<scn_sites_t> sites;
  std::vector<scn_kmap_t> maps;
  /// Transposed maps built for deconvolution/unpooling, by strided map.
  std::map<scn_kmap_t, scn_kmap_t> transposed;
  /// Geometry kept for the next invocation (scn_run_set_reuse_geometry):
  /// the bytes describing each call (arguments and, for inputs, the
  /// coordinates) -> the handle it returned.
  bool reuseGeometry = false;
  std::map<std::string, void *> geometryCache;
  /// Inputs kept the same way, by the call's other arguments: the
  /// coordinates each was built from and its handle. The caller's
  /// coordinates are compared where they lie, so a call that reuses its
  /// geometry reads them once and copies nothing (W1's are 5.5 MB; as part
  /// of a string key they were copied, then compared, in every call).
  std::map<std::string, std::vector<std::pair<std::string, void *>>> inputCache;
  /// Calls answered from the two caches (scn_run_geometry_hits).
  int64_t geometryHits = 0;
  /// GPU code: managed copies of the runtime arrays its kernels read
  /// (scn_cg_device_copy), by (host array, bytes). They live as long as the
  /// geometry they copy, so a run that reuses its geometry copies once.
  std::map<std::pair<const void *, int64_t>, void *> deviceCopies;
  /// The same in host memory (scn_cg_host_copy, the emulated CUDA path).
  std::map<std::pair<const void *, int64_t>, void *> hostCopies;
  /// The emulated path's values derived from parameters and constants
  /// alone (scn_cg_prepared, PreparedValues.cpp), by site: the sources they
  /// were computed from and their block. (On the GPU the blocks are the
  /// process's: scn_gpu_prepared.)
  struct Prepared {
    std::vector<const void *> sources;
    void *block = nullptr;
    int64_t bytes = 0;
    bool ready = false;   // filled by a call that finished without failure
    bool filling = false; // being filled by the current call
  };
  std::map<const void *, Prepared> prepared;
  /// Host blocks for one call only (sources that may change).
  std::set<void *> preparedForOneCall;
  /// The GPU blocks (scn_cg_gpu_prepared) the current call holds, by site,
  /// until its scn_cg_gpu_prepared_done: an abandoned call gives them back.
  std::vector<std::pair<const void *, void *>> gpuPreparedHeld;
  /// Calls of the run that found their prepared values kept (both paths).
  int64_t preparedHits = 0;
  /// The emulated path's parameter copies of the current call
  /// (scn_cg_parameter): sources whose values may differ next call.
  std::set<const void *> hostParameterCopies;

  /// The cached result of a call described by `key`, or null.
  void *cached(const std::string &key) {
    if (!reuseGeometry)
      return nullptr;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = geometryCache.find(key);
    if (it == geometryCache.end())
      return nullptr;
    ++geometryHits;
    return it->second;
  }
  void *remember(const std::string &key, void *handle) {
    if (reuseGeometry && handle) {
      std::lock_guard<std::mutex> lock(mutex);
      geometryCache[key] = handle;
    }
    return handle;
  }
  /// The kept input built from exactly `bytes` of `coords` with the other
  /// arguments `call`, or null.
  void *cachedInput(const std::string &call, const void *coords, size_t bytes) {
    if (!reuseGeometry)
      return nullptr;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = inputCache.find(call);
    if (it == inputCache.end())
      return nullptr;
    for (const auto &[kept, handle] : it->second)
      if (kept.size() == bytes && (bytes == 0 || std::memcmp(kept.data(), coords, bytes) == 0)) {
        ++geometryHits;
        return handle;
      }
    return nullptr;
  }
  void *rememberInput(const std::string &call, const void *coords, size_t bytes,
                      void *handle) {
    if (reuseGeometry && handle) {
      std::lock_guard<std::mutex> lock(mutex);
      inputCache[call].emplace_back(
          std::string(static_cast<const char *>(coords), bytes), handle);
    }
    return handle;
  }

  bool failed() {
    std::lock_guard<std::mutex> lock(mutex);
    return status != SCN_OK;
  }
  void fail(scn_status_t code, const std::string &text) {
    std::lock_guard<std::mutex> lock(mutex);
    if (status != SCN_OK)
      return;
    status = code;
    message = text;
  }
  /// Records a failed runtime call, prefixed with the op that made it.
  void failFromRuntime(scn_status_t code, const char *op) {
    fail(code, std::string(op ? op : "scn op") + ": " +
                   scn_last_error_message());
  }
  void *own(scn_sites_t s) {
    std::lock_guard<std::mutex> lock(mutex);
    sites.push_back(s);
    return s;
  }
  void *own(scn_kmap_t m) {
    std::lock_guard<std::mutex> lock(mutex);
    maps.push_back(m);
    return m;
  }
  /// A word that kernels set when they find bad input (scn_cg_check_flag,
  /// scn_cg_gpu_check_flag), one per (op, message). Armed (zeroed) when the
  /// generated code asks for it; read when the caller asks for the run's
  /// status (settleCheckFlags), after the run's GPU work, so that checking
  /// adds no host wait inside the run.
  struct CheckFlag {
    std::string op, message;
    bool gpu = false;
    int32_t hostWord = 0;      // the word itself, without a GPU
    int32_t *word = nullptr;   // host view: &hostWord, or a mapped word
    void *kernelView = nullptr; // what kernels write
    bool armed = false;
  };
  std::vector<std::unique_ptr<CheckFlag>> checkFlags;
  /// Device geometry (DeviceCodegen.cpp): freed with the run, last first.
  std::vector<std::function<void()>> releases;
  void atRelease(std::function<void()> release) {
    std::lock_guard<std::mutex> lock(mutex);
    releases.push_back(std::move(release));
  }
};


namespace scn::rt {
/// Frees the prepared values a run kept (PreparedValues.cpp), at its
/// destruction.
void freePreparedValues(scn_run *run);
/// Frees what a call that was abandoned (GeneratedCall.h) held in the run
/// for itself alone: its parameter copies and the prepared values it was
/// filling (Codegen.cpp; the geometry it built stays the run's).
void abandonRunCall(scn_run *run);
/// The prepared values half of it (PreparedValues.cpp).
void abandonPreparedValues(scn_run *run);
} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_RUN_H
