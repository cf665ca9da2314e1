//===- MappedWords.cpp - Page-locked words that kernels write -------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// scn_gpu_mapped_word / scn_gpu_mapped_word_free: 32-bit words of
/// page-locked host memory mapped into the device's address space
/// (cuMemHostAlloc with DEVICEMAP, and the device address from
/// cuMemHostGetDevicePointer rather than assuming unified addressing).
/// Kernels report bad input through them (a NaN feature, an f16 overflow:
/// scn_cg_gpu_check_flag); the host writes a word before the kernel is
/// queued and reads it after the run's last wait, so a check adds no host
/// wait and no host pass over the input (44-88 MB of features for a W3
/// layer).
///
/// Words come from slabs of 4096 that are kept for the process, not from a
/// cuMemHostAlloc each: a run made for one call (the Python default) asks
/// for a word per checked op (W1 with f16 activations asks for 120), and
/// each cuMemHostAlloc pins a page and maps it into the device, a driver
/// call per word (not timed here: no GPU in that session).
///
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include "scn/Runtime/Gpu.h"

#include <mutex>
#include <unordered_map>
#include <vector>

using namespace scn::rt;
using namespace scn::rt::driver_api;

namespace {

constexpr size_t kWordsPerSlab = 4096;

struct MappedWords {
  std::mutex mutex;
  std::vector<int32_t *> free;
  /// Every word handed out or free -> its device address.
  std::unordered_map<int32_t *, CUdeviceptr> deviceOf;
};

MappedWords &words() {
  static MappedWords *w = new MappedWords; // never destroyed: used at exit
  return *w;
}

/// A new slab's words, added to the free list (the caller holds the mutex).
void addSlab(MappedWords &w) {
  const Driver &d = driver();
  void *slab = nullptr;
  const size_t bytes = kWordsPerSlab * sizeof(int32_t);
  check(d.cuMemHostAlloc(&slab, bytes, CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP),
        "cuMemHostAlloc", "mapped words for the kernels' input checks");
  CUdeviceptr base = 0;
  CUresult mapped = d.cuMemHostGetDevicePointer(&base, slab, 0);
  if (mapped != CUDA_SUCCESS) {
    d.cuMemFreeHost(slab);
    check(mapped, "cuMemHostGetDevicePointer", "mapped words for the kernels' input checks");
  }
  auto *first = static_cast<int32_t *>(slab);
  for (size_t i = kWordsPerSlab; i-- > 0;) {
    w.free.push_back(first + i);
    w.deviceOf[first + i] = base + i * sizeof(int32_t);
  }
}

} // namespace

extern "C" scn_status_t scn_gpu_mapped_word(int32_t **host, void **device) {
  if (host)
    *host = nullptr;
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_mapped_word", [&] {
    requireNonNull(host, "host");
    requireNonNull(device, "device");
    MappedWords &w = words();
    std::lock_guard<std::mutex> lock(w.mutex);
    if (w.free.empty())
      addSlab(w);
    int32_t *word = w.free.back();
    w.free.pop_back();
    *word = 0;
    *host = word;
    *device = reinterpret_cast<void *>(w.deviceOf.at(word));
  });
}

extern "C" void scn_gpu_mapped_word_free(int32_t *host) {
  if (!host)
    return;
  // Nothing may throw across the C ABI.
  try {
    MappedWords &w = words();
    std::lock_guard<std::mutex> lock(w.mutex);
    if (w.deviceOf.count(host))
      w.free.push_back(host);
  } catch (...) {
  }
}
