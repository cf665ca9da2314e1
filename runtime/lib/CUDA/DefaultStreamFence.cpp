//===- DefaultStreamFence.cpp - geometry ordered without host waits --------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// scn_gpu_fence_default_stream (Gpu.h). Device geometry (GpuSites.cu) runs
// on the CUDA default stream; a compiled network's kernels run on
// non-blocking streams, which do not wait for it. The builders used to make
// the host wait for their stream before handing back a map, so every map,
// row order and pair list of a call cost the host a round trip while the
// GPU might still be running the previous layers. A fence records one event
// on the default stream instead; the next launch, copy or memset queued on
// each stream waits for it there (cuStreamWaitEvent), and the host goes on.
// A fence of an idle default stream records nothing: the work is done.
//
//===----------------------------------------------------------------------===//

#include "DefaultStreamFence.h"

#include "CudaDriver.h"
#include "Error.h"

#include "scn/Runtime/Gpu.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

using namespace scn::rt;
using scn::rt::driver_api::check;
using scn::rt::driver_api::currentDevice;
using scn::rt::driver_api::driver;

namespace {

/// One device's fence: the event recorded by its newest fence, and the
/// fence each stream last waited for. One event serves every fence: a
/// stream's wait refers to the event's newest record when it is queued.
struct Fence {
  CUevent event = nullptr;
  uint64_t generation = 0;
  std::unordered_map<CUstream, uint64_t> waited;
};

struct Fences {
  std::mutex mutex;
  std::map<int32_t, Fence> byDevice;
  /// Fences taken on any device: none (networks with host geometry, most
  /// tests) keeps the launches' path to one load.
  std::atomic<uint64_t> taken{0};
};

Fences &fences() {
  static Fences *f = new Fences; // never destroyed: launches may race exit
  return *f;
}

} // namespace

extern "C" scn_status_t scn_gpu_fence_default_stream(void) {
  return guardCall("scn_gpu_fence_default_stream", [] {
    const driver_api::Driver &d = driver();
    // The legacy default stream, the CUDA runtime's stream 0 in the same
    // (primary) context.
    CUresult idle = d.cuStreamQuery(nullptr);
    if (idle == CUDA_SUCCESS)
      return;
    if (idle != CUDA_ERROR_NOT_READY)
      check(idle, "cuStreamQuery", "of the default stream, where device geometry is built");
    Fences &f = fences();
    std::lock_guard<std::mutex> lock(f.mutex);
    Fence &fence = f.byDevice[currentDevice()];
    if (!fence.event)
      check(d.cuEventCreate(&fence.event, CU_EVENT_DISABLE_TIMING), "cuEventCreate",
            "for ordering kernels after device geometry");
    check(d.cuEventRecord(fence.event, nullptr), "cuEventRecord",
          "on the default stream, after device geometry");
    ++fence.generation;
    f.taken.fetch_add(1, std::memory_order_release);
  });
}

void scn::rt::gpu::waitForDefaultStreamFence(CUstream stream) {
  Fences &f = fences();
  if (f.taken.load(std::memory_order_acquire) == 0)
    return;
  std::lock_guard<std::mutex> lock(f.mutex);
  auto fence = f.byDevice.find(currentDevice());
  if (fence == f.byDevice.end())
    return;
  uint64_t &waited = fence->second.waited[stream];
  if (waited == fence->second.generation)
    return;
  check(driver().cuStreamWaitEvent(stream, fence->second.event, 0), "cuStreamWaitEvent",
        "ordering a kernel after device geometry");
  waited = fence->second.generation;
}

void scn::rt::gpu::forgetFencedStream(CUstream stream) {
  Fences &f = fences();
  if (f.taken.load(std::memory_order_acquire) == 0)
    return;
  std::lock_guard<std::mutex> lock(f.mutex);
  for (auto &[device, fence] : f.byDevice)
    fence.waited.erase(stream);
}
