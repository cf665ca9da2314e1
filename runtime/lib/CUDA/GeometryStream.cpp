//===- GeometryStream.cpp - where device geometry runs, and its fences ----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// scn_gpu_geometry_stream and scn_gpu_fence_stream (Gpu.h).
//
// A compiled network builds its geometry (GpuSites.cu) on one stream and
// runs its kernels on others (the async chain's), which do not wait for
// it. The geometry stream is non-blocking and has the device's greatest
// priority. At equal priorities the GPU's block scheduler takes grids in
// the order they arrive: a kernel queued on one stream gets SMs only once
// every block of a kernel queued before it on another has started. So a
// builder's small kernel, queued while a convolution of an earlier level
// runs, starts only with that convolution's last blocks, and the builders
// advance about one kernel per convolution: a deeper level's maps are not
// ready when its layers come. That fits what the fourth GPU session
// measured: W1 with maps built in every run took about the builders' whole
// time alone (1.4 ms of 7.4) longer than with maps prebuilt. A stream's
// priority is a hint to the scheduler, which starts pending blocks of a
// higher priority first (running blocks are not preempted), so a builder's
// blocks go to the first SM with room. This is a hypothesis until a GPU
// call times it: SCN_GPU_GEOMETRY_STREAM=default builds on the CUDA
// default stream instead, as before (device_check.py's +legacystream).
//
// A fence records an event on a stream. The next launch, copy, memset or
// free that an mgpu* function queues on each stream waits for it there
// (cuStreamWaitEvent), and the host goes on. A fence of an idle stream
// records nothing: its work is done. Uploads of parameters for one call
// (scn_gpu_parameter) ask for a fence of the default stream before the
// next such work instead of one each: the 230 of a W1 call then cost one.
//
//===----------------------------------------------------------------------===//

#include "GeometryStream.h"

#include "CudaDriver.h"
#include "EnvironmentChoice.h"
#include "Error.h"

#include "scn/Runtime/Gpu.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

using namespace scn::rt;
using scn::rt::driver_api::check;
using scn::rt::driver_api::currentDevice;
using scn::rt::driver_api::driver;

namespace {

/// One fenced stream's fence: the event its newest fence recorded, and the
/// fence each stream last waited for. One event serves every fence of the
/// stream: a wait refers to the event's newest record when it is queued.
struct Fence {
  CUevent event = nullptr;
  uint64_t generation = 0;
  std::unordered_map<CUstream, uint64_t> waited;
};

struct Fences {
  std::mutex mutex;
  /// By device, then fenced stream (its handle as a number, so that the
  /// map's order is defined).
  std::map<std::pair<int32_t, uintptr_t>, Fence> byStream;
  /// Fences taken on any device, and fences of the default stream asked
  /// for and not taken yet: none of either (networks with host geometry,
  /// most tests) keeps the launches' path to two loads.
  std::atomic<uint64_t> taken{0}, asked{0};
  /// The devices whose default stream is to be fenced before the next work
  /// queued on any of their streams.
  std::set<int32_t> defaultStreamAsked;
};

Fences &fences() {
  static Fences *f = new Fences; // never destroyed: launches may race exit
  return *f;
}

/// Each device's geometry stream, created on first use and kept for the
/// process (the driver reclaims it at exit).
struct GeometryStreams {
  std::mutex mutex;
  std::map<int32_t, CUstream> byDevice;
};

GeometryStreams &geometryStreams() {
  static GeometryStreams *g = new GeometryStreams;
  return *g;
}

/// Whether SCN_GPU_GEOMETRY_STREAM asks for the CUDA default stream: read at
/// the process's first call and kept, so that every set and map, and every
/// fence and wait of the codegen ABI that orders what is built from them,
/// uses one stream (maps kept for reuse stay on the stream they were built
/// on). A bad value fails every call.
bool geometryOnDefaultStream() {
  static std::once_flag read;
  static bool onDefault = false;
  // A throw leaves the flag unset: the next call reads (and fails) again.
  std::call_once(read, [] {
    onDefault = environmentAsksFor("SCN_GPU_GEOMETRY_STREAM", "priority", "default");
  });
  return onDefault;
}

/// Fences `stream` of the current device (throws on failure); the caller
/// holds `f.mutex`.
void recordFence(Fences &f, CUstream stream) {
  const driver_api::Driver &d = driver();
  CUresult idle = d.cuStreamQuery(stream);
  if (idle == CUDA_SUCCESS)
    return;
  if (idle != CUDA_ERROR_NOT_READY)
    check(idle, "cuStreamQuery", "of a stream whose work kernels read");
  Fence &fence = f.byStream[{currentDevice(), reinterpret_cast<uintptr_t>(stream)}];
  if (!fence.event)
    check(d.cuEventCreate(&fence.event, CU_EVENT_DISABLE_TIMING), "cuEventCreate",
          "for ordering kernels after the work they read");
  check(d.cuEventRecord(fence.event, stream), "cuEventRecord",
        "after the work kernels read, on its stream");
  ++fence.generation;
  f.taken.fetch_add(1, std::memory_order_release);
}

/// scn_gpu_fence_stream's body, under the entry point `function`.
scn_status_t fenceStream(const char *function, CUstream stream) {
  return guardCall(function, [&] {
    driver();
    Fences &f = fences();
    std::lock_guard<std::mutex> lock(f.mutex);
    recordFence(f, stream);
  });
}

} // namespace

extern "C" scn_status_t scn_gpu_geometry_stream(void **stream) {
  return guardCall("scn_gpu_geometry_stream", [&] {
    requireNonNull(stream, "stream");
    *stream = nullptr;
    const driver_api::Driver &d = driver();
    if (geometryOnDefaultStream())
      return;
    GeometryStreams &g = geometryStreams();
    std::lock_guard<std::mutex> lock(g.mutex);
    CUstream &kept = g.byDevice[currentDevice()];
    if (!kept) {
      int least = 0, greatest = 0;
      check(d.cuCtxGetStreamPriorityRange(&least, &greatest), "cuCtxGetStreamPriorityRange");
      CUstream created = nullptr;
      check(d.cuStreamCreateWithPriority(&created, CU_STREAM_NON_BLOCKING, greatest),
            "cuStreamCreateWithPriority", "for device geometry");
      kept = created;
    }
    *stream = kept;
  });
}

extern "C" scn_status_t scn_gpu_fence_stream(void *stream) {
  return fenceStream("scn_gpu_fence_stream", static_cast<CUstream>(stream));
}

extern "C" scn_status_t scn_gpu_fence_default_stream(void) {
  return fenceStream("scn_gpu_fence_default_stream", nullptr);
}

void scn::rt::gpu::fenceDefaultStreamBeforeNextWork() {
  Fences &f = fences();
  std::lock_guard<std::mutex> lock(f.mutex);
  if (f.defaultStreamAsked.insert(currentDevice()).second)
    f.asked.fetch_add(1, std::memory_order_release);
}

void scn::rt::gpu::waitForGeometryFences(CUstream stream) {
  Fences &f = fences();
  if (f.taken.load(std::memory_order_acquire) == 0 &&
      f.asked.load(std::memory_order_acquire) == 0)
    return;
  std::lock_guard<std::mutex> lock(f.mutex);
  const int32_t device = currentDevice();
  if (f.defaultStreamAsked.erase(device)) {
    f.asked.fetch_sub(1, std::memory_order_release);
    recordFence(f, nullptr);
  }
  // Every fenced stream of the device, the waiting stream's own included: a
  // handle may have been another stream's before.
  for (auto it = f.byStream.lower_bound({device, 0});
       it != f.byStream.end() && it->first.first == device; ++it) {
    Fence &fence = it->second;
    uint64_t &waited = fence.waited[stream];
    if (waited == fence.generation)
      continue;
    check(driver().cuStreamWaitEvent(stream, fence.event, 0), "cuStreamWaitEvent",
          "ordering a kernel after device geometry");
    waited = fence.generation;
  }
}

void scn::rt::gpu::forgetFencedStream(CUstream stream) {
  Fences &f = fences();
  if (f.taken.load(std::memory_order_acquire) == 0)
    return;
  std::lock_guard<std::mutex> lock(f.mutex);
  for (auto &[key, fence] : f.byStream)
    fence.waited.erase(stream);
}
