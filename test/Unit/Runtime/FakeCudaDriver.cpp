//===- FakeCudaDriver.cpp - A CUDA driver with no GPU behind it, for tests -===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The driver entry points the runtime resolves (runtime/lib/CUDA/
/// CudaDriver.h), built as a library named libcuda.so.1 in a directory of
/// its own that is on no library path. FakeDriverTests loads it by its full
/// path before the runtime's first dlopen("libcuda.so.1"), which then finds
/// it by its soname. So the driver layer's logic (errors, the memory pool's
/// set-up, the shared-memory opt-in of launches) is tested on machines
/// without a GPU, where the real driver cannot be.
///
/// Device memory is host memory, copies and memsets are memcpy and memset,
/// kernels do not run (launches are checked and counted), streams and events
/// are tokens. Like the real driver, a launch with more than 48 KiB of
/// static plus dynamic shared memory fails unless the kernel opted in, a
/// kernel looked up again in its module keeps its opt-in, and a module's
/// functions die with it (a later module's may reuse their addresses). Knobs
/// (scn_fake_cuda_set) make calls fail as a real driver does; each entry
/// point counts its calls (scn_fake_cuda_calls).
///
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Function {
  std::string name;
  long long device = 0; // its module's: launched with another current, refused
  int staticSharedBytes = 0;
  int maxDynamicSharedBytes = 48 * 1024; // set again at each lookup
};

struct FakeState {
  std::mutex mutex;
  std::map<std::string, long long> calls;
  // Knobs (scn_fake_cuda_set).
  long long devices = 1;
  long long initResult = CUDA_SUCCESS;
  long long deviceMemoryBytes = 1ll << 30;
  long long moduleLoadResult = CUDA_SUCCESS;
  long long launchResult = CUDA_SUCCESS;
  long long staticSharedBytes = 0;  // of functions looked up from now on
  long long computeMajor = 9, computeMinor = 0;
  long long moveData = 1; // 0: copies and memsets do nothing (host timing)
  long long failAllocationAfter = -1; // the allocation that fails, counted down
  long long defaultStreamBusy = 0; // cuStreamQuery of the default stream: NOT_READY
  long long streamsBusy = 0;        // cuStreamQuery of every stream: NOT_READY
  // What the runtime did (scn_fake_cuda_last).
  long long poolReleaseThreshold = 0;
  long long poolInternalDependencies = 1; // the driver's default
  long long lastLaunchSharedBytes = -1;
  long long lastStreamFlags = -1, lastStreamPriority = -1; // cuStreamCreateWithPriority's
  long long allocatedBytes = 0;
  std::map<CUdeviceptr, size_t> blocks;
  // Each device's primary context, and the current one's device: modules
  // load onto it, and their kernels launch only while it is current.
  std::map<CUcontext, long long> contextDevice;
  long long currentDevice = 0;
  std::map<CUmodule, long long> moduleDevice;
  long long launchesOnDevice1 = 0;
  // Functions by (module, kernel name): a kernel looked up again in its
  // module is the same function, with what it opted in to. A module's
  // unloading kills its functions and leaves their objects for reuse, so a
  // function of a module loaded later may get a dead one's address with
  // fresh attributes, as a real driver may reuse addresses.
  std::map<std::pair<CUmodule, std::string>, Function *> functions;
  std::set<Function *> liveFunctions;
  std::vector<Function *> deadFunctions;
  int nextToken = 1;
};

FakeState &state() {
  static FakeState *s = new FakeState;
  return *s;
}

/// Counts a call of `entry`; the caller holds the lock.
void count(FakeState &s, const char *entry) { ++s.calls[entry]; }

/// A distinct non-null token for streams, events, modules and the context.
template <typename Handle> Handle token(FakeState &s) {
  return reinterpret_cast<Handle>(static_cast<uintptr_t>(s.nextToken++) << 4);
}

#define FAKE_ENTRY(name)                                                       \
  FakeState &s = state();                                                      \
  std::lock_guard<std::mutex> lock(s.mutex);                                   \
  count(s, name)

CUresult allocate(FakeState &s, CUdeviceptr *pointer, size_t bytes) {
  if (s.failAllocationAfter >= 0 && s.failAllocationAfter-- == 0)
    return CUDA_ERROR_OUT_OF_MEMORY;
  if (s.allocatedBytes + static_cast<long long>(bytes) > s.deviceMemoryBytes)
    return CUDA_ERROR_OUT_OF_MEMORY;
  // Uninitialised, as device memory is (and so that an allocation does not
  // touch its pages, which a host-time measurement would count).
  void *block = std::malloc(bytes ? bytes : 1);
  if (!block)
    return CUDA_ERROR_OUT_OF_MEMORY;
  *pointer = reinterpret_cast<CUdeviceptr>(block);
  s.blocks[*pointer] = bytes;
  s.allocatedBytes += static_cast<long long>(bytes);
  return CUDA_SUCCESS;
}

CUresult release(FakeState &s, CUdeviceptr pointer) {
  auto block = s.blocks.find(pointer);
  if (block == s.blocks.end())
    return CUDA_ERROR_INVALID_VALUE;
  s.allocatedBytes -= static_cast<long long>(block->second);
  std::free(reinterpret_cast<void *>(pointer));
  s.blocks.erase(block);
  return CUDA_SUCCESS;
}

/// The knobs of scn_fake_cuda_set, by name.
std::map<std::string, long long *> knobsOf(FakeState &s) {
  return {{"devices", &s.devices},
          {"init_result", &s.initResult},
          {"device_memory_bytes", &s.deviceMemoryBytes},
          {"module_load_result", &s.moduleLoadResult},
          {"launch_result", &s.launchResult},
          {"static_shared_bytes", &s.staticSharedBytes},
          {"compute_major", &s.computeMajor},
          {"compute_minor", &s.computeMinor},
          {"move_data", &s.moveData},
          {"fail_allocation_after", &s.failAllocationAfter},
          {"default_stream_busy", &s.defaultStreamBusy},
          {"streams_busy", &s.streamsBusy}};
}

/// Knobs from the environment, for a process that gets the fake by
/// LD_PRELOAD and cannot call scn_fake_cuda_set first:
/// SCN_FAKE_CUDA_<KNOB IN CAPITALS>=<value>. The caller holds the lock.
void setKnobsFromEnvironment(FakeState &s) {
  for (const auto &[knob, value] : knobsOf(s)) {
    std::string variable = "SCN_FAKE_CUDA_";
    for (char c : knob)
      variable += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char *text = std::getenv(variable.c_str()))
      *value = std::atoll(text);
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Control, for the tests
//===----------------------------------------------------------------------===//

extern "C" {

/// Sets a knob: "devices", "init_result", "device_memory_bytes",
/// "module_load_result", "launch_result", "static_shared_bytes",
/// "compute_major", "compute_minor", "move_data" (0: copies and memsets
/// do nothing, for measuring the host's own time, as a GPU's copy engine
/// would move the data), "fail_allocation_after" (n >= 0: the allocation
/// after the next n fails with CUDA_ERROR_OUT_OF_MEMORY, once),
/// "default_stream_busy" (the default stream's cuStreamQuery says
/// NOT_READY), "streams_busy" (every stream's does). Returns 0, or -1 for
/// an unknown knob.
__attribute__((visibility("default"))) int scn_fake_cuda_set(const char *knob, long long value) {
  FakeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  const std::map<std::string, long long *> knobs = knobsOf(s);
  auto found = knobs.find(knob);
  if (found == knobs.end())
    return -1;
  *found->second = value;
  return 0;
}

/// Calls of a driver entry point so far, by its cuda.h name (cuStreamDestroy).
__attribute__((visibility("default"))) long long scn_fake_cuda_calls(const char *entry) {
  FakeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  auto found = s.calls.find(entry);
  return found == s.calls.end() ? 0 : found->second;
}

/// What the runtime asked for: "pool_release_threshold",
/// "pool_internal_dependencies" (CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES),
/// "last_launch_shared_bytes", "allocated_bytes", "launches_on_device_1",
/// "last_stream_flags" and "last_stream_priority" (of the last
/// cuStreamCreateWithPriority). -2 for an unknown name.
__attribute__((visibility("default"))) long long scn_fake_cuda_last(const char *what) {
  FakeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  std::string name = what;
  if (name == "pool_release_threshold")
    return s.poolReleaseThreshold;
  if (name == "pool_internal_dependencies")
    return s.poolInternalDependencies;
  if (name == "last_launch_shared_bytes")
    return s.lastLaunchSharedBytes;
  if (name == "allocated_bytes")
    return s.allocatedBytes;
  if (name == "launches_on_device_1")
    return s.launchesOnDevice1;
  if (name == "last_stream_flags")
    return s.lastStreamFlags;
  if (name == "last_stream_priority")
    return s.lastStreamPriority;
  return -2;
}

//===----------------------------------------------------------------------===//
// Initialisation, devices, contexts, errors
//===----------------------------------------------------------------------===//

CUresult CUDAAPI cuInit(unsigned int) {
  FAKE_ENTRY("cuInit");
  static bool environmentRead = false;
  if (!std::exchange(environmentRead, true))
    setKnobsFromEnvironment(s);
  return static_cast<CUresult>(s.initResult);
}

CUresult CUDAAPI cuDriverGetVersion(int *version) {
  FAKE_ENTRY("cuDriverGetVersion");
  *version = CUDA_VERSION;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuGetErrorName(CUresult error, const char **name) {
  // Only the codes the tests provoke; others have no name, as a code a
  // driver does not know.
  static const std::map<CUresult, const char *> names = {
      {CUDA_SUCCESS, "CUDA_SUCCESS"},
      {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"},
      {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"},
      {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE"},
      {CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
      {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"}};
  auto found = names.find(error);
  *name = found == names.end() ? nullptr : found->second;
  return found == names.end() ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

CUresult CUDAAPI cuGetErrorString(CUresult error, const char **text) {
  *text = error == CUDA_SUCCESS ? "no error" : "an error of the fake driver";
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetCount(int *devices) {
  FAKE_ENTRY("cuDeviceGetCount");
  *devices = static_cast<int>(s.devices);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGet(CUdevice *device, int ordinal) {
  FAKE_ENTRY("cuDeviceGet");
  if (ordinal < 0 || ordinal >= s.devices)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetName(char *name, int length, CUdevice) {
  FAKE_ENTRY("cuDeviceGetName");
  std::strncpy(name, "fake GPU", static_cast<size_t>(length));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetAttribute(int *value, CUdevice_attribute attribute, CUdevice) {
  FAKE_ENTRY("cuDeviceGetAttribute");
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = static_cast<int>(s.computeMajor);
    break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = static_cast<int>(s.computeMinor);
    break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = 4;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR:
    *value = 228 * 1024;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR:
    *value = 2048;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR:
    *value = 65536;
    break;
  default:
    *value = 0; // no managed memory, no concurrent access
  }
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceTotalMem(size_t *bytes, CUdevice) {
  FAKE_ENTRY("cuDeviceTotalMem");
  *bytes = static_cast<size_t>(s.deviceMemoryBytes);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
  FAKE_ENTRY("cuDevicePrimaryCtxRetain");
  *context = token<CUcontext>(s);
  s.contextDevice[*context] = device;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxSetCurrent(CUcontext context) {
  FAKE_ENTRY("cuCtxSetCurrent");
  auto found = s.contextDevice.find(context);
  if (context && found == s.contextDevice.end())
    return CUDA_ERROR_INVALID_CONTEXT;
  s.currentDevice = context ? found->second : 0;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxSynchronize(void) {
  FAKE_ENTRY("cuCtxSynchronize");
  return CUDA_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

CUresult CUDAAPI cuDeviceGetDefaultMemPool(CUmemoryPool *pool, CUdevice) {
  FAKE_ENTRY("cuDeviceGetDefaultMemPool");
  *pool = token<CUmemoryPool>(s);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemPoolSetAttribute(CUmemoryPool, CUmemPool_attribute attribute, void *value) {
  FAKE_ENTRY("cuMemPoolSetAttribute");
  if (attribute == CU_MEMPOOL_ATTR_RELEASE_THRESHOLD)
    s.poolReleaseThreshold = static_cast<long long>(*static_cast<cuuint64_t *>(value));
  if (attribute == CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES)
    s.poolInternalDependencies = *static_cast<int *>(value);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemGetInfo(size_t *freeBytes, size_t *totalBytes) {
  FAKE_ENTRY("cuMemGetInfo");
  *totalBytes = static_cast<size_t>(s.deviceMemoryBytes);
  *freeBytes = static_cast<size_t>(s.deviceMemoryBytes - s.allocatedBytes);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes, CUstream) {
  FAKE_ENTRY("cuMemAllocAsync");
  return allocate(s, pointer, bytes);
}

CUresult CUDAAPI cuMemFreeAsync(CUdeviceptr pointer, CUstream) {
  FAKE_ENTRY("cuMemFreeAsync");
  return release(s, pointer);
}

CUresult CUDAAPI cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes, unsigned int) {
  FAKE_ENTRY("cuMemAllocManaged");
  return allocate(s, pointer, bytes);
}

CUresult CUDAAPI cuMemFree(CUdeviceptr pointer) {
  FAKE_ENTRY("cuMemFree");
  return release(s, pointer);
}

CUresult CUDAAPI cuMemHostAlloc(void **pointer, size_t bytes, unsigned int) {
  FAKE_ENTRY("cuMemHostAlloc");
  *pointer = std::calloc(1, bytes ? bytes : 1);
  return *pointer ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

CUresult CUDAAPI cuMemFreeHost(void *pointer) {
  FAKE_ENTRY("cuMemFreeHost");
  std::free(pointer);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemHostGetDevicePointer(CUdeviceptr *device, void *host, unsigned int) {
  FAKE_ENTRY("cuMemHostGetDevicePointer");
  *device = reinterpret_cast<CUdeviceptr>(host);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemcpyAsync(CUdeviceptr to, CUdeviceptr from, size_t bytes, CUstream) {
  FAKE_ENTRY("cuMemcpyAsync");
  if (s.moveData)
    std::memmove(reinterpret_cast<void *>(to), reinterpret_cast<const void *>(from), bytes);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemsetD32Async(CUdeviceptr to, unsigned int value, size_t words, CUstream) {
  FAKE_ENTRY("cuMemsetD32Async");
  auto *word = reinterpret_cast<uint32_t *>(to);
  for (size_t i = 0; i < words && s.moveData; ++i)
    word[i] = value;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuMemsetD16Async(CUdeviceptr to, unsigned short value, size_t halves,
                                  CUstream) {
  FAKE_ENTRY("cuMemsetD16Async");
  auto *half = reinterpret_cast<uint16_t *>(to);
  for (size_t i = 0; i < halves && s.moveData; ++i)
    half[i] = value;
  return CUDA_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

CUresult CUDAAPI cuModuleLoadData(CUmodule *module, const void *) {
  FAKE_ENTRY("cuModuleLoadData");
  if (s.moduleLoadResult != CUDA_SUCCESS)
    return static_cast<CUresult>(s.moduleLoadResult);
  *module = token<CUmodule>(s);
  s.moduleDevice[*module] = s.currentDevice;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleLoadDataEx(CUmodule *module, const void *, unsigned int, CUjit_option *,
                                    void **) {
  FAKE_ENTRY("cuModuleLoadDataEx");
  if (s.moduleLoadResult != CUDA_SUCCESS)
    return static_cast<CUresult>(s.moduleLoadResult);
  *module = token<CUmodule>(s);
  s.moduleDevice[*module] = s.currentDevice;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleUnload(CUmodule module) {
  FAKE_ENTRY("cuModuleUnload");
  for (auto it = s.functions.begin(); it != s.functions.end();) {
    if (it->first.first != module) {
      ++it;
      continue;
    }
    s.liveFunctions.erase(it->second);
    s.deadFunctions.push_back(it->second);
    it = s.functions.erase(it);
  }
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
  FAKE_ENTRY("cuModuleGetFunction");
  Function *&f = s.functions[{module, name}];
  if (!f) {
    // A new function, at a dead one's address when there is one.
    if (s.deadFunctions.empty()) {
      f = new Function;
    } else {
      f = s.deadFunctions.back();
      s.deadFunctions.pop_back();
    }
    f->name = name;
    f->device = s.moduleDevice[module];
    f->staticSharedBytes = static_cast<int>(s.staticSharedBytes);
    f->maxDynamicSharedBytes = 48 * 1024 - f->staticSharedBytes;
    s.liveFunctions.insert(f);
  }
  *function = reinterpret_cast<CUfunction>(f);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuFuncGetAttribute(int *value, CUfunction_attribute attribute,
                                    CUfunction function) {
  FAKE_ENTRY("cuFuncGetAttribute");
  auto *f = reinterpret_cast<Function *>(function);
  if (!s.liveFunctions.count(f))
    return CUDA_ERROR_INVALID_HANDLE;
  if (attribute == CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES)
    *value = f->staticSharedBytes;
  else if (attribute == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
    *value = f->maxDynamicSharedBytes;
  else
    *value = 0;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuFuncSetAttribute(CUfunction function, CUfunction_attribute attribute,
                                    int value) {
  FAKE_ENTRY("cuFuncSetAttribute");
  auto *f = reinterpret_cast<Function *>(function);
  if (!s.liveFunctions.count(f))
    return CUDA_ERROR_INVALID_HANDLE;
  if (attribute == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
    f->maxDynamicSharedBytes = value;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuLaunchKernel(CUfunction function, unsigned int, unsigned int, unsigned int,
                                unsigned int, unsigned int, unsigned int,
                                unsigned int sharedBytes, CUstream, void **, void **) {
  FAKE_ENTRY("cuLaunchKernel");
  auto *f = reinterpret_cast<Function *>(function);
  if (!s.liveFunctions.count(f))
    return CUDA_ERROR_INVALID_HANDLE;
  // A kernel of a module loaded on another device than the current one.
  if (f->device != s.currentDevice)
    return CUDA_ERROR_INVALID_HANDLE;
  s.launchesOnDevice1 += s.currentDevice == 1;
  if (s.launchResult != CUDA_SUCCESS)
    return static_cast<CUresult>(s.launchResult);
  // The real driver refuses dynamic shared memory past the kernel's limit.
  if (static_cast<int>(sharedBytes) > f->maxDynamicSharedBytes)
    return CUDA_ERROR_INVALID_VALUE;
  s.lastLaunchSharedBytes = sharedBytes;
  return CUDA_SUCCESS;
}

//===----------------------------------------------------------------------===//
// Streams and events: tokens; all work is done when it is queued
//===----------------------------------------------------------------------===//

CUresult CUDAAPI cuStreamCreate(CUstream *stream, unsigned int) {
  FAKE_ENTRY("cuStreamCreate");
  *stream = token<CUstream>(s);
  return CUDA_SUCCESS;
}

// Priorities as an H100's driver gives them: 0 (the default) is the least.
constexpr int kLeastStreamPriority = 0, kGreatestStreamPriority = -5;

CUresult CUDAAPI cuCtxGetStreamPriorityRange(int *least, int *greatest) {
  FAKE_ENTRY("cuCtxGetStreamPriorityRange");
  if (least)
    *least = kLeastStreamPriority;
  if (greatest)
    *greatest = kGreatestStreamPriority;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamCreateWithPriority(CUstream *stream, unsigned int flags, int priority) {
  FAKE_ENTRY("cuStreamCreateWithPriority");
  if (priority < kGreatestStreamPriority || priority > kLeastStreamPriority)
    return CUDA_ERROR_INVALID_VALUE;
  s.lastStreamFlags = flags;
  s.lastStreamPriority = priority;
  *stream = token<CUstream>(s);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamDestroy(CUstream) {
  FAKE_ENTRY("cuStreamDestroy");
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamSynchronize(CUstream) {
  FAKE_ENTRY("cuStreamSynchronize");
  return CUDA_SUCCESS;
}

// Work is done when it is queued, except that the default stream (where
// the CUDA runtime's work would run) reads as busy with default_stream_busy,
// and every stream with streams_busy.
CUresult CUDAAPI cuStreamQuery(CUstream stream) {
  FAKE_ENTRY("cuStreamQuery");
  return s.streamsBusy || (!stream && s.defaultStreamBusy) ? CUDA_ERROR_NOT_READY
                                                           : CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamWaitEvent(CUstream, CUevent, unsigned int) {
  FAKE_ENTRY("cuStreamWaitEvent");
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventCreate(CUevent *event, unsigned int) {
  FAKE_ENTRY("cuEventCreate");
  *event = token<CUevent>(s);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventDestroy(CUevent) {
  FAKE_ENTRY("cuEventDestroy");
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventRecord(CUevent, CUstream) {
  FAKE_ENTRY("cuEventRecord");
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventQuery(CUevent) {
  FAKE_ENTRY("cuEventQuery");
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventElapsedTime(float *milliseconds, CUevent, CUevent) {
  FAKE_ENTRY("cuEventElapsedTime");
  *milliseconds = 0;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI cuEventSynchronize(CUevent) {
  FAKE_ENTRY("cuEventSynchronize");
  return CUDA_SUCCESS;
}

} // extern "C"
