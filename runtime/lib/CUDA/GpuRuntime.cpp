//===- GpuRuntime.cpp - scn_gpu_* and the mgpu* ABI of generated code -----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The mgpu* functions MLIR's gpu-to-llvm lowering calls (LLVM 22
/// signatures, checked against the declarations of a lowered module in
/// test/Runtime/mgpu-abi.mlir), over the dlopen'ed driver. Errors are
/// sticky: the first one is kept with its message, later calls do nothing,
/// and scn_gpu_take_error() hands it to the host.
///
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "GeneratedCall.h"
#include "GeometryStream.h"
#include "KernelProfile.h"
#include "PreparedBlocks.h"
#include "StagedUpload.h"

#include "scn/Runtime/Gpu.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

using namespace scn::rt;
using namespace scn::rt::driver_api;

namespace {

/// mgpuMemAlloc's work (below, with the mgpu* functions).
void *allocateBlock(uint64_t bytes, void *stream, bool hostShared);

struct StickyError {
  std::mutex mutex;
  scn_status_t status = SCN_OK;
  std::string message;
  /// How many failures were seen, kept or not (after the first, later
  /// ones are not kept): a call can tell whether any happened meanwhile,
  /// even if another thread took the error (gpu::failuresSoFar).
  uint64_t failures = 0;
};

StickyError &sticky() {
  static StickyError *e = new StickyError;
  return *e;
}

bool failed() {
  StickyError &e = sticky();
  std::lock_guard<std::mutex> lock(e.mutex);
  return e.status != SCN_OK;
}

/// Runs `body`; keeps its failure unless an earlier one is kept.
template <typename Body> void keepingFirstError(const char *function, Body &&body) {
  try {
    body();
  } catch (const Error &error) {
    StickyError &e = sticky();
    std::lock_guard<std::mutex> lock(e.mutex);
    ++e.failures;
    if (e.status == SCN_OK) {
      e.status = error.status;
      e.message = std::string(function) + ": " + error.message;
    }
  } catch (const std::exception &error) {
    StickyError &e = sticky();
    std::lock_guard<std::mutex> lock(e.mutex);
    ++e.failures;
    if (e.status == SCN_OK) {
      e.status = SCN_ERROR_INTERNAL;
      e.message = std::string(function) + ": internal error: " + error.what();
    }
  }
}

/// Runs `body` unless an earlier mgpu* call failed; keeps its failure.
template <typename Body> void guarded(const char *function, Body &&body) {
  if (!failed())
    keepingFirstError(function, std::forward<Body>(body));
}

/// Runs `body` even after an earlier failure: waits and frees. Kernels queued
/// before the failure may still run (a run's GPU work is one queue, see
/// scn-gpu-async-chain); the host must still wait for them before it reads
/// their buffers or frees what they use.
template <typename Body> void evenAfterFailure(const char *function, Body &&body) {
  keepingFirstError(function, std::forward<Body>(body));
}

/// Keeps the sticky error of a failed scn_gpu_* call (its message is the
/// thread's last error, which names `function` already when guardCall made
/// it).
void keepSticky(scn_status_t status, const char *function) {
  if (status == SCN_OK)
    return;
  StickyError &e = sticky();
  std::lock_guard<std::mutex> lock(e.mutex);
  ++e.failures;
  if (e.status == SCN_OK) {
    e.status = status;
    std::string last = scn_last_error_message();
    std::string prefix = std::string(function) + ": ";
    e.message = last.rfind(prefix, 0) == 0 ? last : prefix + last;
  }
}

/// Managed blocks, which cuMemFree (not the stream-ordered pool) releases,
/// and host blocks handed out instead of managed ones after a failure.
/// A block freed on a stream (a gpu.dealloc chained after the kernels that
/// use it, see scn-gpu-async-chain) waits in `deferred` with an event
/// recorded on that stream, and is released once the event has completed.
struct ManagedBlocks {
  std::mutex mutex;
  std::unordered_set<void *> blocks;
  std::unordered_set<void *> hostFallbacks;
  std::vector<std::pair<void *, CUevent>> deferred;
};
ManagedBlocks &managedBlocks() {
  static ManagedBlocks *m = new ManagedBlocks;
  return *m;
}

/// Streams handed back by mgpuStreamDestroy, for the next mgpuStreamCreate:
/// the generated code makes and destroys one stream per kernel launch (the
/// synchronous gpu.launch_func of MLIR's gpu-to-llvm), and cuStreamCreate
/// plus cuStreamDestroy cost more than a small kernel. Work left on a reused
/// stream only orders it before the next user's, which is correct. Per
/// device; at most kKeptStreams kept; never freed (the driver reclaims them
/// at exit, when destroying them could race its unloading).
struct StreamPool {
  static constexpr size_t kKeptStreams = 16;
  std::mutex mutex;
  std::vector<std::pair<int32_t, CUstream>> free;
};
StreamPool &streamPool() {
  static StreamPool *p = new StreamPool;
  return *p;
}

/// Releases the deferred managed blocks whose streams have passed their
/// free (all of them when `all`, after a device-wide wait).
void releaseDeferredManaged(bool all) {
  ManagedBlocks &m = managedBlocks();
  std::lock_guard<std::mutex> lock(m.mutex);
  const Driver &d = driver();
  CUresult firstFailure = CUDA_SUCCESS;
  auto released = [&](const std::pair<void *, CUevent> &entry) {
    if (!all && d.cuEventQuery(entry.second) != CUDA_SUCCESS)
      return false;
    d.cuEventDestroy(entry.second);
    CUresult result = d.cuMemFree(reinterpret_cast<CUdeviceptr>(entry.first));
    if (firstFailure == CUDA_SUCCESS)
      firstFailure = result;
    return true;
  };
  m.deferred.erase(std::remove_if(m.deferred.begin(), m.deferred.end(), released),
                   m.deferred.end());
  check(firstFailure, "cuMemFree", "a managed block freed on a stream");
}

/// Attribute `attribute` of the current device, read from the driver once
/// per device and kept (attributes do not change while a process runs).
/// `what` names it in the error.
int deviceAttribute(CUdevice_attribute attribute, const char *what) {
  static std::mutex mutex;
  static std::map<std::pair<int32_t, int>, int> known;
  std::lock_guard<std::mutex> lock(mutex);
  const int32_t device = currentDevice();
  auto [at, fresh] = known.try_emplace({device, int(attribute)}, 0);
  if (fresh) {
    const Driver &d = driver();
    CUdevice handle;
    CUresult found = d.cuDeviceGet(&handle, device);
    CUresult read = found == CUDA_SUCCESS
                        ? d.cuDeviceGetAttribute(&at->second, attribute, handle)
                        : found;
    if (read != CUDA_SUCCESS)
      known.erase(at);
    check(found, "cuDeviceGet");
    check(read, "cuDeviceGetAttribute", what);
  }
  return at->second;
}

/// Whether the host may touch managed memory while kernels run (per device;
/// false on GPUs or systems without concurrent managed access, where the
/// host must wait for the device first).
bool concurrentManagedAccess() {
  return deviceAttribute(CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS,
                         "concurrent managed access") != 0;
}

/// Parameter arrays kept on the GPU (scn_gpu_keep_resident), by host
/// address and device (a copy serves kernels of its own device only): the
/// size kept and the device copy.
struct ResidentParameters {
  std::mutex mutex;
  using Key = std::pair<const void *, int32_t>;
  std::map<Key, std::pair<int64_t, void *>> copies;
  /// The first entry of `host` (on any device) and the end of its entries.
  std::pair<std::map<Key, std::pair<int64_t, void *>>::iterator,
            std::map<Key, std::pair<int64_t, void *>>::iterator>
  entriesOf(const void *host) {
    return {copies.lower_bound({host, INT32_MIN}), copies.upper_bound({host, INT32_MAX})};
  }
  /// The per-call uploads scn_gpu_parameter made (not resident copies):
  /// only these does scn_gpu_parameter_done free.
  std::unordered_set<void *> uploads;
};
ResidentParameters &residentParameters() {
  static ResidentParameters *r = new ResidentParameters;
  return *r;
}

/// Device copies of the constants baked into loaded artifacts (weights of
/// scn.compile), by (artifact, address, size, device): uploaded on first
/// use, kept while the artifact is loaded. The artifact is the shared
/// object holding the constant (dladdr); its kernel modules were loaded
/// from it too (mgpuModuleLoad), so the unloading of its modules
/// (mgpuModuleUnload, from its global destructors) forgets its constants,
/// whose addresses may then hold another artifact's. The device memory is
/// not freed there: at exit, freeing could race the driver's unloading.
struct ResidentConstants {
  std::mutex mutex;
  std::map<std::tuple<const void *, const void *, int64_t, int32_t>, void *> copies;
  /// The artifact each loaded module came from.
  std::unordered_map<void *, const void *> moduleArtifact;
};

/// The base address of the shared object that holds `address` (null if
/// none): which artifact a constant or an embedded kernel belongs to.
const void *artifactOf(const void *address) {
  Dl_info info;
  return dladdr(address, &info) ? info.dli_fbase : nullptr;
}
ResidentConstants &residentConstants() {
  static ResidentConstants *c = new ResidentConstants;
  return *c;
}

/// The resident copy of exactly (host, bytes) on the current device, or null.
void *findResident(const void *host, int64_t bytes) {
  ResidentParameters &r = residentParameters();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.copies.find({host, currentDevice()});
  return it != r.copies.end() && it->second.first == bytes ? it->second.second : nullptr;
}

/// A number per resident device copy of a parameter or constant, never
/// given twice: values derived from a copy (scn_cg_gpu_prepared) are kept
/// while it is the same number. A copy freed and another made at the same
/// address get different numbers, so an address alone never vouches for
/// the contents.
struct CopyGenerations {
  std::mutex mutex;
  std::unordered_map<const void *, uint64_t> byDevice;
  uint64_t next = 1;
  void give(const void *device) {
    std::lock_guard<std::mutex> lock(mutex);
    byDevice[device] = next++;
  }
  void forget(const void *device) {
    std::lock_guard<std::mutex> lock(mutex);
    byDevice.erase(device);
  }
};
CopyGenerations &copyGenerations() {
  static CopyGenerations *g = new CopyGenerations;
  return *g;
}

/// What mgpuLaunchKernel knows of each kernel function's shared memory:
/// its static bytes (one driver query per function instead of one per
/// launch) and the largest dynamic size it has opted in to (so that the
/// opt-in, cuFuncSetAttribute, is asked once per size rise, not per
/// launch). Function handles die with their module, and a new module's may
/// reuse them: mgpuModuleUnload forgets every entry (unloads are rare).
struct KernelSharedMemory {
  struct Known {
    int staticBytes = 0;
    int32_t optedInDynamicBytes = 0;
  };
  std::mutex mutex;
  std::unordered_map<CUfunction, Known> byFunction;
};
KernelSharedMemory &kernelSharedMemory() {
  static KernelSharedMemory *k = new KernelSharedMemory;
  return *k;
}

/// Kernel functions by (module, name string): the generated code looks its
/// kernel up before every launch (MLIR's gpu-to-llvm), 190 driver calls in
/// a W1 f16 call; this way one per kernel while its module is loaded. The
/// names are constants of the artifact, so their addresses identify them.
/// Cleared at every module unload (handles may be reused).
struct KernelFunctions {
  std::mutex mutex;
  std::map<std::pair<void *, const char *>, CUfunction> byName;
};
KernelFunctions &kernelFunctions() {
  static KernelFunctions *k = new KernelFunctions;
  return *k;
}

/// Past 48 KiB of static plus dynamic shared memory a kernel must opt in to
/// its dynamic part. The static part counts: MLIR's dynamic shared memory
/// is a 1-byte `.shared` array aligned to 16, so exactly 48 KiB of dynamic
/// memory is already past the limit (seen on the H200).
void optInToDynamicSharedMemory(CUfunction function, int32_t sharedBytes) {
  constexpr int32_t kDefaultSharedLimit = 48 * 1024;
  KernelSharedMemory &k = kernelSharedMemory();
  std::lock_guard<std::mutex> lock(k.mutex);
  auto [known, fresh] = k.byFunction.try_emplace(function);
  if (fresh) {
    CUresult read = driver().cuFuncGetAttribute(&known->second.staticBytes,
                                                CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, function);
    if (read != CUDA_SUCCESS)
      k.byFunction.erase(known);
    check(read, "cuFuncGetAttribute", "static shared memory of the kernel");
  }
  KernelSharedMemory::Known &shared = known->second;
  if (sharedBytes + shared.staticBytes <= kDefaultSharedLimit ||
      sharedBytes <= shared.optedInDynamicBytes)
    return;
  check(driver().cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                    sharedBytes),
        "cuFuncSetAttribute",
        "asking for " + std::to_string(sharedBytes) + " bytes of dynamic shared memory besides " +
            std::to_string(shared.staticBytes) + " static");
  shared.optedInDynamicBytes = sharedBytes;
}

CUstream asStream(void *stream) { return static_cast<CUstream>(stream); }
CUdeviceptr asDevice(void *ptr) { return reinterpret_cast<CUdeviceptr>(ptr); }

} // namespace

//===----------------------------------------------------------------------===//
// scn_gpu_*
//===----------------------------------------------------------------------===//

extern "C" scn_status_t scn_gpu_init(int32_t device) {
  return guardCall("scn_gpu_init", [&] { selectDevice(device); });
}

extern "C" int32_t scn_gpu_current_device(void) { return currentDevice(); }

extern "C" scn_status_t scn_gpu_get_device_info(scn_gpu_device_info_t *info) {
  return guardCall("scn_gpu_get_device_info", [&] {
    requireNonNull(info, "info");
    const Driver &d = driver();
    scn_gpu_device_info_t result{};
    result.device = currentDevice();
    CUdevice dev;
    check(d.cuDeviceGet(&dev, result.device), "cuDeviceGet");
    check(d.cuDeviceGetName(result.name, sizeof(result.name) - 1, dev), "cuDeviceGetName");
    check(d.cuDeviceGetAttribute(&result.compute_major,
                                 CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
          "cuDeviceGetAttribute");
    check(d.cuDeviceGetAttribute(&result.compute_minor,
                                 CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
          "cuDeviceGetAttribute");
    int version = 0;
    check(d.cuDriverGetVersion(&version), "cuDriverGetVersion");
    result.driver_version = version;
    size_t total = 0;
    check(d.cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem");
    result.total_memory = static_cast<int64_t>(total);
    *info = result;
  });
}

extern "C" scn_status_t scn_gpu_take_error(void) {
  StickyError &e = sticky();
  std::string message;
  scn_status_t status;
  {
    std::lock_guard<std::mutex> lock(e.mutex);
    status = e.status;
    message.swap(e.message);
    e.status = SCN_OK;
  }
  if (status != SCN_OK)
    return guardCall("scn_gpu_take_error", [&] { throw Error(status, message); });
  return SCN_OK;
}

extern "C" scn_status_t scn_gpu_managed_copy(const void *src, int64_t bytes,
                                             void **copy) {
  scn_status_t status = guardCall("scn_gpu_managed_copy", [&] {
    requireNonNull(copy, "copy");
    *copy = nullptr;
    if (bytes <= 0)
      return;
    requireNonNull(src, "src");
    // The sticky error (an earlier one, or the allocation's), not cleared:
    // the host collects it with scn_gpu_take_error.
    auto failWithSticky = [&](const char *what) {
      StickyError &e = sticky();
      std::lock_guard<std::mutex> lock(e.mutex);
      fail(e.status, what, e.message);
    };
    if (failed())
      failWithSticky("an earlier GPU call failed: ");
    void *block = allocateBlock(static_cast<uint64_t>(bytes), nullptr, /*hostShared=*/true);
    if (failed()) {
      scn_gpu_managed_free(block);
      failWithSticky("no managed memory: ");
    }
    std::memcpy(block, src, static_cast<size_t>(bytes));
    *copy = block;
  });
  keepSticky(status, "scn_gpu_managed_copy");
  return status;
}

extern "C" void scn_gpu_managed_free(void *ptr) { mgpuMemFree(ptr, nullptr); }

/// `bytes` bytes from the memory pool, ordered on `stream` (null: the
/// default stream; throws on failure, out of memory as such).
static CUdeviceptr poolBlockOn(const Driver &d, int64_t bytes, CUstream stream) {
  CUdeviceptr ptr = 0;
  CUresult result = d.cuMemAllocAsync(&ptr, static_cast<size_t>(bytes), stream);
  if (result == CUDA_ERROR_OUT_OF_MEMORY)
    fail(SCN_ERROR_OUT_OF_MEMORY, "out of device memory: ", formatBytes(bytes), " requested");
  check(result, "cuMemAllocAsync", std::to_string(bytes) + " bytes");
  return ptr;
}

/// scn_gpu_upload (on the default stream), and with `wait` false
/// scn_gpu_upload_queued.
static scn_status_t uploadOn(const char *function, CUstream stream, const void *src,
                             int64_t bytes, void **device, bool wait) {
  profile::HostSpan host(function);
  return guardCall(function, [&] {
    requireNonNull(device, "device");
    *device = nullptr;
    if (bytes <= 0)
      return;
    requireNonNull(src, "src");
    const Driver &d = driver();
    CUdeviceptr ptr = poolBlockOn(d, bytes, stream);
    CUevent start = profile::begin(stream);
    bool staged = false;
    CUresult copied = CUDA_SUCCESS;
    try {
      staged = gpu::stagedUpload(d, ptr, src, static_cast<size_t>(bytes), stream, wait);
    } catch (...) {
      d.cuMemFreeAsync(ptr, stream);
      throw;
    }
    if (!staged)
      copied = d.cuMemcpyAsync(ptr, reinterpret_cast<CUdeviceptr>(src),
                               static_cast<size_t>(bytes), stream);
    profile::end(start, stream,
                 std::string("upload (") + function + (staged ? ", staged)" : ")"),
                 std::to_string(bytes) + " bytes");
    // From pageable memory the driver has taken the source when the copy
    // call returns; a staged copy's block waits for its own event.
    CUresult done = wait ? d.cuStreamSynchronize(stream) : CUDA_SUCCESS;
    profile::collect();
    if (copied != CUDA_SUCCESS || done != CUDA_SUCCESS) {
      d.cuMemFreeAsync(ptr, stream);
      check(copied != CUDA_SUCCESS ? copied : done, "cuMemcpyAsync",
            std::to_string(bytes) + " bytes to the device");
    }
    *device = reinterpret_cast<void *>(ptr);
  });
}

extern "C" scn_status_t scn_gpu_upload(const void *src, int64_t bytes, void **device) {
  return uploadOn("scn_gpu_upload", nullptr, src, bytes, device, /*wait=*/true);
}

extern "C" scn_status_t scn_gpu_upload_queued(const void *src, int64_t bytes, void *stream,
                                              void **device) {
  return uploadOn("scn_gpu_upload_queued", asStream(stream), src, bytes, device,
                  /*wait=*/false);
}

extern "C" scn_status_t scn_gpu_keep_resident(const void *host, int64_t bytes) {
  return guardCall("scn_gpu_keep_resident", [&] {
    requireNonNull(host, "host");
    if (bytes <= 0)
      fail(SCN_ERROR_INVALID_ARGUMENT, "bytes must be positive, not ", bytes);
    void *device = nullptr;
    if (scn_status_t uploaded = scn_gpu_upload(host, bytes, &device); uploaded != SCN_OK)
      fail(uploaded, scn_last_error_message());
    void *previous = nullptr;
    {
      ResidentParameters &r = residentParameters();
      std::lock_guard<std::mutex> lock(r.mutex);
      auto &entry = r.copies[{host, currentDevice()}];
      previous = entry.second;
      entry = {bytes, device};
      // Under the lock: a copy that another thread frees meanwhile must
      // not keep a number (its address may come back as an upload).
      if (previous)
        copyGenerations().forget(previous);
      copyGenerations().give(device);
    }
    if (previous) {
      // A finished run has waited for its kernels; this waits for any other.
      scn_gpu_synchronize();
      scn_gpu_free(previous);
    }
  });
}

extern "C" void scn_gpu_release_resident(const void *host) {
  std::vector<void *> copies;
  {
    ResidentParameters &r = residentParameters();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto [first, last] = r.entriesOf(host);
    for (auto it = first; it != last; ++it) {
      copies.push_back(it->second.second);
      copyGenerations().forget(it->second.second);
    }
    r.copies.erase(first, last);
  }
  if (copies.empty())
    return;
  // A finished run has waited for its kernels; this waits for any other.
  scn_gpu_synchronize();
  for (void *copy : copies)
    scn_gpu_free(copy);
}

/// The device copy of a parameter or constant for generated code: `*device`
/// = `copyOf()` after the argument checks; a failure is also kept as the
/// sticky error, so that no kernel reads a null pointer.
template <typename CopyOf>
scn_status_t deviceCopyFor(const char *function, const void *host, int64_t bytes,
                           void **device, CopyOf copyOf) {
  scn_status_t status = guardCall(function, [&] {
    requireNonNull(device, "device");
    *device = nullptr;
    if (bytes <= 0)
      return;
    requireNonNull(host, "host");
    *device = copyOf();
  });
  keepSticky(status, function);
  return status;
}

/// A new device copy of `bytes` bytes at `host` (throws on failure).
void *upload(const void *host, int64_t bytes) {
  void *device = nullptr;
  if (scn_status_t uploaded = scn_gpu_upload(host, bytes, &device); uploaded != SCN_OK)
    fail(uploaded, scn_last_error_message());
  return device;
}

/// Parameter uploads this thread queued since its last wait for them
/// (scn_gpu_parameter_done).
static thread_local int64_t queuedParameterUploads = 0;

extern "C" scn_status_t scn_gpu_parameter(const void *host, int64_t bytes, void **device) {
  profile::HostSpan span("scn_gpu_parameter");
  return deviceCopyFor("scn_gpu_parameter", host, bytes, device, [&] {
    if (void *resident = findResident(host, bytes))
      return resident;
    // A copy for this call, queued on the default stream without a host
    // wait (W1 with its weights uploaded in every call asks for 230, each a
    // round trip when they waited: 16.2 ms against 7.4 with them resident,
    // fourth GPU session); the next kernel waits for them on the GPU, by
    // one fence for all.
    void *copy = nullptr;
    if (scn_status_t queued = scn_gpu_upload_queued(host, bytes, nullptr, &copy);
        queued != SCN_OK)
      fail(queued, scn_last_error_message());
    gpu::fenceDefaultStreamBeforeNextWork();
    ++queuedParameterUploads;
    ResidentParameters &r = residentParameters();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.uploads.insert(copy);
    return copy;
  });
}

extern "C" scn_status_t scn_gpu_constant(const void *host, int64_t bytes, void **device) {
  return deviceCopyFor("scn_gpu_constant", host, bytes, device, [&] {
    ResidentConstants &c = residentConstants();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto key = std::make_tuple(artifactOf(host), host, bytes, currentDevice());
    auto it = c.copies.find(key);
    if (it == c.copies.end()) {
      it = c.copies.emplace(key, upload(host, bytes)).first;
      copyGenerations().give(it->second);
    }
    return it->second;
  });
}

extern "C" void scn_gpu_parameter_done(const void *, void *device) {
  ResidentParameters &r = residentParameters();
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    if (!device || !r.uploads.erase(device))
      return; // a resident copy (or nothing): kept
  }
  if (queuedParameterUploads > 0) {
    // The caller may change its arrays once the call returns, and a copy
    // from page-locked or managed memory reads them when it runs, which a
    // call that failed before any kernel never waited for. Once a call: the
    // copies ran long ago when its kernels did.
    queuedParameterUploads = 0;
    // A failed copy is kept as the sticky error, for the caller to collect.
    keepSticky(guardCall("scn_gpu_parameter_done",
                         [] {
                           check(driver().cuStreamSynchronize(nullptr), "cuStreamSynchronize",
                                 "after the parameters' uploads");
                         }),
               "scn_gpu_parameter_done");
  }
  scn_gpu_free(device);
}

extern "C" uint64_t scn_gpu_copy_generation(const void *device) {
  CopyGenerations &g = copyGenerations();
  std::lock_guard<std::mutex> lock(g.mutex);
  auto it = g.byDevice.find(device);
  return it == g.byDevice.end() ? 0 : it->second;
}

extern "C" scn_status_t scn_gpu_alloc(int64_t bytes, void **device) {
  profile::HostSpan span("scn_gpu_alloc");
  scn_status_t status = guardCall("scn_gpu_alloc", [&] {
    requireNonNull(device, "device");
    *device = nullptr;
    if (bytes <= 0)
      return;
    const Driver &d = driver();
    CUdeviceptr ptr = poolBlockOn(d, bytes, nullptr);
    // The runs' streams do not wait for the default stream, where the
    // block was allocated: complete before any of them uses it.
    CUresult done = d.cuStreamSynchronize(nullptr);
    if (done != CUDA_SUCCESS) {
      d.cuMemFreeAsync(ptr, nullptr);
      check(done, "cuStreamSynchronize", "after allocating " + std::to_string(bytes) + " bytes");
    }
    *device = reinterpret_cast<void *>(ptr);
  });
  keepSticky(status, "scn_gpu_alloc");
  return status;
}

extern "C" int32_t scn_gpu_failed(void) { return failed() ? 1 : 0; }

/// scn_gpu_free and scn_gpu_free_on, under the entry point `function`.
static void freeOn(const char *function, void *device, CUstream stream) {
  if (!device)
    return;
  guardCall(function, [&] {
    check(driver().cuMemFreeAsync(asDevice(device), stream), "cuMemFreeAsync");
  });
}

extern "C" void scn_gpu_free(void *device) { freeOn("scn_gpu_free", device, nullptr); }

extern "C" void scn_gpu_free_on(void *device, void *stream) {
  freeOn("scn_gpu_free_on", device, asStream(stream));
}

extern "C" void scn_gpu_profile_reset(void) {
  if (!profile::enabled())
    return;
  guarded("scn_gpu_profile_reset", [] {
    check(driver().cuCtxSynchronize(), "cuCtxSynchronize", "before a profile reset");
    profile::reset();
  });
}

extern "C" scn_status_t scn_gpu_synchronize(void) {
  return guardCall("scn_gpu_synchronize", [&] {
    check(driver().cuCtxSynchronize(), "cuCtxSynchronize",
          "a kernel or copy of this context failed");
    releaseDeferredManaged(/*all=*/true);
    profile::collect();
  });
}

//===----------------------------------------------------------------------===//
// mgpu*: modules and launches
//===----------------------------------------------------------------------===//

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  guarded("mgpuSetDefaultDevice", [&] { selectDevice(device); });
}

extern "C" void *mgpuModuleLoad(void *data, size_t /*size*/) {
  CUmodule module = nullptr;
  guarded("mgpuModuleLoad", [&] {
    CUresult loaded = driver().cuModuleLoadData(&module, data);
    if (loaded == CUDA_SUCCESS)
      return;
    // Name the GPU's chip: an artifact built for another (--chip=sm_90a,
    // whose wgmma kernels run only on sm_90) has no cubin or PTX for it.
    std::string chip = "of unknown compute capability";
    try {
      chip = "sm_" +
             std::to_string(deviceAttribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                            "compute capability")) +
             std::to_string(deviceAttribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                            "compute capability"));
    } catch (const Error &) {
      // The load's own error is the one to report.
    }
    check(loaded, "cuModuleLoadData",
          "the embedded cubin does not load on this GPU (" + chip +
              "); was the artifact built for another chip (--chip)?");
  });
  if (module) {
    ResidentConstants &c = residentConstants();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.moduleArtifact[module] = artifactOf(data);
  }
  guarded("mgpuModuleLoad", [&] { profile::nameModule(module); });
  return module;
}

extern "C" void *mgpuModuleLoadJIT(void *ptx, int32_t optLevel) {
  CUmodule module = nullptr;
  guarded("mgpuModuleLoadJIT", [&] {
    char log[8192] = {0};
    CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL, CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel)), log,
                      reinterpret_cast<void *>(sizeof(log) - 1)};
    CUresult result =
        driver().cuModuleLoadDataEx(&module, ptx, 3, options, values);
    check(result, "cuModuleLoadDataEx", std::string("PTX JIT: ") + log);
    profile::nameModule(module);
  });
  return module;
}

extern "C" void mgpuModuleUnload(void *module) {
  {
    // Forgets the constants of the artifact the module came from (all of
    // them for a module of unknown origin).
    ResidentConstants &c = residentConstants();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto origin = c.moduleArtifact.find(module);
    const void *artifact = origin == c.moduleArtifact.end() ? nullptr : origin->second;
    for (auto it = c.copies.begin(); it != c.copies.end();) {
      if (artifact && std::get<0>(it->first) != artifact) {
        ++it;
        continue;
      }
      copyGenerations().forget(it->second);
      it = c.copies.erase(it);
    }
    if (origin != c.moduleArtifact.end())
      c.moduleArtifact.erase(origin);
    // What its kernels prepared from parameters goes the same way.
    gpu::forgetPreparedBlocks(
        [&](const void *site) { return !artifact || artifactOf(site) == artifact; });
  }
  // Before the unload: a module loaded meanwhile may get this one's
  // function handles.
  {
    KernelSharedMemory &k = kernelSharedMemory();
    std::lock_guard<std::mutex> lock(k.mutex);
    k.byFunction.clear();
  }
  {
    KernelFunctions &k = kernelFunctions();
    std::lock_guard<std::mutex> lock(k.mutex);
    k.byName.clear();
  }
  guarded("mgpuModuleUnload", [&] {
    profile::forgetModule(module);
    if (module)
      check(driver().cuModuleUnload(static_cast<CUmodule>(module)), "cuModuleUnload");
  });
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  KernelFunctions &k = kernelFunctions();
  {
    std::lock_guard<std::mutex> lock(k.mutex);
    if (auto it = k.byName.find({module, name}); it != k.byName.end())
      return it->second;
  }
  CUfunction function = nullptr;
  guarded("mgpuModuleGetFunction", [&] {
    check(driver().cuModuleGetFunction(&function, static_cast<CUmodule>(module), name),
          "cuModuleGetFunction", std::string("kernel '") + (name ? name : "") + "'");
  });
  if (function) {
    guarded("mgpuModuleGetFunction", [&] { profile::nameFunction(function, module, name); });
    std::lock_guard<std::mutex> lock(k.mutex);
    k.byName[{module, name}] = function;
  }
  return function;
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                 intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                                 intptr_t blockZ, int32_t sharedBytes, void *stream,
                                 void **params, void **extra, size_t /*paramCount*/) {
  profile::HostSpan host("mgpuLaunchKernel");
  guarded("mgpuLaunchKernel", [&] {
    // A zero-sized grid is an empty layer (no sites), not an error.
    if (gridX == 0 || gridY == 0 || gridZ == 0)
      return;
    // For messages and profiles only: not built on the common path.
    auto shape = [&] {
      return "grid " + std::to_string(gridX) + "x" + std::to_string(gridY) + "x" +
             std::to_string(gridZ) + ", block " + std::to_string(blockX) + "x" +
             std::to_string(blockY) + "x" + std::to_string(blockZ) +
             (sharedBytes ? ", " + std::to_string(sharedBytes) + " bytes shared"
                          : std::string());
    };
    if (sharedBytes > 0)
      optInToDynamicSharedMemory(static_cast<CUfunction>(function), sharedBytes);
    gpu::waitForGeometryFences(asStream(stream));
    CUevent start = profile::begin(asStream(stream));
    CUresult launched = driver().cuLaunchKernel(
        static_cast<CUfunction>(function), gridX, gridY, gridZ, blockX, blockY, blockZ,
        sharedBytes, asStream(stream), params, extra);
    if (launched != CUDA_SUCCESS) {
      profile::abandon(start);
      check(launched, "cuLaunchKernel", shape());
    }
    if (start)
      profile::end(start, asStream(stream),
                   profile::nameOf(static_cast<CUfunction>(function)), shape());
  });
}

//===----------------------------------------------------------------------===//
// mgpu*: streams and events
//===----------------------------------------------------------------------===//

extern "C" void *mgpuStreamCreate(void) {
  CUstream stream = nullptr;
  guarded("mgpuStreamCreate", [&] {
    const Driver &d = driver();
    int32_t device = currentDevice();
    {
      StreamPool &pool = streamPool();
      std::lock_guard<std::mutex> lock(pool.mutex);
      for (size_t i = pool.free.size(); i-- > 0;)
        if (pool.free[i].first == device) {
          stream = pool.free[i].second;
          pool.free.erase(pool.free.begin() + i);
          return;
        }
    }
    check(d.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  });
  if (stream)
    noteHeld(stream, [](void *held, const void *) { mgpuStreamDestroy(held); });
  return stream;
}

extern "C" void mgpuStreamDestroy(void *stream) {
  noteReleased(stream);
  evenAfterFailure("mgpuStreamDestroy", [&] {
    if (!stream)
      return;
    const Driver &d = driver();
    {
      StreamPool &pool = streamPool();
      std::lock_guard<std::mutex> lock(pool.mutex);
      if (pool.free.size() < StreamPool::kKeptStreams) {
        pool.free.emplace_back(currentDevice(), asStream(stream));
        return;
      }
    }
    gpu::forgetFencedStream(asStream(stream));
    check(d.cuStreamDestroy(asStream(stream)), "cuStreamDestroy");
  });
}

extern "C" void mgpuStreamSynchronize(void *stream) {
  profile::HostSpan host("mgpuStreamSynchronize");
  evenAfterFailure("mgpuStreamSynchronize", [&] {
    check(driver().cuStreamSynchronize(asStream(stream)), "cuStreamSynchronize",
          "a kernel of this stream failed");
    releaseDeferredManaged(/*all=*/false);
    profile::collect();
  });
}

/// Called by generated host code (scn-gpu-async-chain) before it touches
/// managed memory while GPU work may be running.
extern "C" void scn_gpu_before_host_access(void) {
  evenAfterFailure("scn_gpu_before_host_access", [&] {
    if (!concurrentManagedAccess())
      check(driver().cuCtxSynchronize(), "cuCtxSynchronize",
            "waiting for the GPU before the host touches managed memory");
  });
}

namespace {
/// What bounds the blocks an SM holds.
struct BlockLimits {
  int multiprocessors = 0, sharedBytes = 0, threads = 0, registers = 0;
};
BlockLimits blockLimits() {
  const char *what = "limits of resident blocks";
  BlockLimits limits;
  limits.sharedBytes =
      deviceAttribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR, what);
  limits.threads = deviceAttribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, what);
  limits.registers = deviceAttribute(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR, what);
  limits.multiprocessors = deviceAttribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, what);
  return limits;
}
} // namespace

extern "C" int64_t scn_gpu_resident_blocks(int64_t sharedBytes, int64_t threads) {
  int64_t blocks = 1;
  guarded("scn_gpu_resident_blocks", [&] {
    BlockLimits limits = blockLimits();
    // The driver keeps 1 KiB of shared memory per block for itself.
    constexpr int64_t kReservedShared = 1024, kRegistersPerThread = 128;
    int64_t perSM = limits.threads / std::max<int64_t>(1, threads);
    perSM = std::min(perSM, limits.registers / std::max<int64_t>(1, threads * kRegistersPerThread));
    if (sharedBytes > 0)
      perSM = std::min(perSM, limits.sharedBytes / (sharedBytes + kReservedShared));
    blocks = std::max<int64_t>(1, limits.multiprocessors * std::max<int64_t>(1, perSM));
  });
  return blocks;
}

extern "C" void mgpuStreamWaitEvent(void *stream, void *event) {
  guarded("mgpuStreamWaitEvent", [&] {
    check(driver().cuStreamWaitEvent(asStream(stream), static_cast<CUevent>(event), 0),
          "cuStreamWaitEvent");
  });
}

extern "C" void *mgpuEventCreate(void) {
  CUevent event = nullptr;
  guarded("mgpuEventCreate", [&] {
    check(driver().cuEventCreate(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  });
  if (event)
    noteHeld(event, [](void *held, const void *) { mgpuEventDestroy(held); });
  return event;
}

extern "C" void mgpuEventDestroy(void *event) {
  noteReleased(event);
  // Even after a failure, as streams: an abandoned call (GeneratedCall.h)
  // destroys its events with the GPU error still kept.
  evenAfterFailure("mgpuEventDestroy", [&] {
    if (event)
      check(driver().cuEventDestroy(static_cast<CUevent>(event)), "cuEventDestroy");
  });
}

extern "C" void mgpuEventSynchronize(void *event) {
  evenAfterFailure("mgpuEventSynchronize", [&] {
    check(driver().cuEventSynchronize(static_cast<CUevent>(event)), "cuEventSynchronize");
    profile::collect();
  });
}

extern "C" void mgpuEventRecord(void *event, void *stream) {
  guarded("mgpuEventRecord", [&] {
    check(driver().cuEventRecord(static_cast<CUevent>(event), asStream(stream)),
          "cuEventRecord");
  });
}

//===----------------------------------------------------------------------===//
// mgpu*: memory
//===----------------------------------------------------------------------===//

namespace {

/// mgpuMemAlloc's block, for the generated code and for the runtime's own
/// copies (which are the run's, not the call's).
void *allocateBlock(uint64_t bytes, void *stream, bool hostShared) {
  profile::HostSpan host("mgpuMemAlloc");
  CUdeviceptr ptr = 0;
  guarded("mgpuMemAlloc", [&] {
    if (bytes == 0)
      return;
    const Driver &d = driver();
    CUresult result = hostShared
                          ? d.cuMemAllocManaged(&ptr, bytes, CU_MEM_ATTACH_GLOBAL)
                          : d.cuMemAllocAsync(&ptr, bytes, asStream(stream));
    if (hostShared && result == CUDA_SUCCESS) {
      std::lock_guard<std::mutex> lock(managedBlocks().mutex);
      managedBlocks().blocks.insert(reinterpret_cast<void *>(ptr));
    }
    if (result == CUDA_ERROR_OUT_OF_MEMORY) {
      size_t freeBytes = 0, totalBytes = 0;
      d.cuMemGetInfo(&freeBytes, &totalBytes);
      fail(SCN_ERROR_OUT_OF_MEMORY, "out of device memory: ", formatBytes(bytes),
           " requested, ", formatBytes(freeBytes), " of ", formatBytes(totalBytes),
           " free on device ", currentDevice());
    }
    check(result, hostShared ? "cuMemAllocManaged" : "cuMemAllocAsync",
          std::to_string(bytes) + " bytes");
    // The synchronous gpu.alloc form passes no stream: the block must be
    // usable at once by kernels on any stream (generated code launches on
    // streams of its own, which do not wait for the null stream).
    if (!hostShared && !stream)
      check(d.cuStreamSynchronize(nullptr), "cuStreamSynchronize",
            "after allocating " + std::to_string(bytes) + " bytes");
  });
  if (hostShared && !ptr && bytes) {
    // Generated host code writes managed buffers directly (input copies,
    // host loops), so a null block would crash it. After a failure every
    // launch is skipped and the caller reports the sticky error; a zeroed
    // host block lets the host code run to its end meanwhile.
    void *block = std::calloc(1, bytes);
    if (block) {
      std::lock_guard<std::mutex> lock(managedBlocks().mutex);
      managedBlocks().hostFallbacks.insert(block);
    }
    return block;
  }
  return reinterpret_cast<void *>(ptr);
}

} // namespace

extern "C" void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared) {
  void *block = allocateBlock(bytes, stream, hostShared);
  // Freed by a call abandoned for host memory (GeneratedCall.h), once the
  // GPU is idle.
  if (block)
    noteHeld(block, [](void *held, const void *) { mgpuMemFree(held, nullptr); });
  return block;
}

extern "C" void mgpuMemFree(void *ptr, void *stream) {
  profile::HostSpan host("mgpuMemFree");
  noteReleased(ptr);
  {
    ManagedBlocks &m = managedBlocks();
    std::lock_guard<std::mutex> lock(m.mutex);
    if (m.hostFallbacks.erase(ptr)) {
      std::free(ptr);
      return;
    }
  }
  evenAfterFailure("mgpuMemFree", [&] {
    if (!ptr)
      return;
    // Device geometry may still read the block (coordinates the builders
    // copy on their own stream): the free waits for it as a launch would.
    gpu::waitForGeometryFences(asStream(stream));
    {
      ManagedBlocks &m = managedBlocks();
      std::lock_guard<std::mutex> lock(m.mutex);
      if (m.blocks.erase(ptr)) {
        const Driver &d = driver();
        if (!stream) {
          check(d.cuMemFree(asDevice(ptr)), "cuMemFree");
          return;
        }
        // Kernels queued on `stream` before this free may still use it.
        CUevent event = nullptr;
        check(d.cuEventCreate(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        CUresult recorded = d.cuEventRecord(event, asStream(stream));
        if (recorded != CUDA_SUCCESS) {
          d.cuEventDestroy(event);
          check(recorded, "cuEventRecord", "before freeing a managed block");
        }
        m.deferred.emplace_back(ptr, event);
        return;
      }
    }
    check(driver().cuMemFreeAsync(asDevice(ptr), asStream(stream)), "cuMemFreeAsync");
  });
}

extern "C" void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  profile::HostSpan host("mgpuMemcpy");
  guarded("mgpuMemcpy", [&] {
    if (!bytes)
      return;
    gpu::waitForGeometryFences(asStream(stream));
    CUevent start = profile::begin(asStream(stream));
    CUresult copied = driver().cuMemcpyAsync(asDevice(dst), asDevice(src), bytes,
                                             asStream(stream));
    if (copied != CUDA_SUCCESS)
      profile::abandon(start);
    check(copied, "cuMemcpyAsync", std::to_string(bytes) + " bytes");
    profile::end(start, asStream(stream), "copy (gpu.memcpy)", std::to_string(bytes) + " bytes");
  });
}

extern "C" void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream) {
  guarded("mgpuMemset32", [&] {
    if (!count)
      return;
    gpu::waitForGeometryFences(asStream(stream));
    check(driver().cuMemsetD32Async(asDevice(dst), value, count, asStream(stream)),
          "cuMemsetD32Async");
  });
}

extern "C" void mgpuMemset16(void *dst, uint16_t value, size_t count, void *stream) {
  guarded("mgpuMemset16", [&] {
    if (!count)
      return;
    gpu::waitForGeometryFences(asStream(stream));
    check(driver().cuMemsetD16Async(asDevice(dst), value, count, asStream(stream)),
          "cuMemsetD16Async");
  });
}

uint64_t scn::rt::gpu::failuresSoFar() {
  StickyError &e = sticky();
  std::lock_guard<std::mutex> lock(e.mutex);
  return e.failures;
}

void scn::rt::gpu::keepStickyFailure(scn_status_t status, const char *function) {
  keepSticky(status, function);
}
