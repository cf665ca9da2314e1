//===- MappedWords.cpp - Page-locked words that kernels write -------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// scn_gpu_mapped_word / scn_gpu_mapped_word_free: one 32-bit word of
/// page-locked host memory mapped into the device's address space
/// (cuMemHostAlloc with DEVICEMAP, and the device address from
/// cuMemHostGetDevicePointer rather than assuming unified addressing).
/// Kernels report bad input through it (a NaN feature: scn_cg_check_flag);
/// the host writes it before the kernel is queued and reads it after the
/// run's last wait, so the check adds no host wait and no host pass over
/// the input (44-88 MB of features for a W3 layer).
///
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"

#include "scn/Runtime/Gpu.h"

using namespace scn::rt;
using namespace scn::rt::driver_api;

extern "C" scn_status_t scn_gpu_mapped_word(int32_t **host, void **device) {
  if (host)
    *host = nullptr;
  if (device)
    *device = nullptr;
  return guardCall("scn_gpu_mapped_word", [&] {
    requireNonNull(host, "host");
    requireNonNull(device, "device");
    const Driver &d = driver();
    void *word = nullptr;
    check(d.cuMemHostAlloc(&word, sizeof(int32_t),
                           CU_MEMHOSTALLOC_PORTABLE | CU_MEMHOSTALLOC_DEVICEMAP),
          "cuMemHostAlloc", "a mapped word for a kernel's input check");
    CUdeviceptr address = 0;
    CUresult mapped = d.cuMemHostGetDevicePointer(&address, word, 0);
    if (mapped != CUDA_SUCCESS) {
      d.cuMemFreeHost(word);
      check(mapped, "cuMemHostGetDevicePointer", "a mapped word for a kernel's input check");
    }
    *static_cast<int32_t *>(word) = 0;
    *host = static_cast<int32_t *>(word);
    *device = reinterpret_cast<void *>(address);
  });
}

extern "C" void scn_gpu_mapped_word_free(int32_t *host) {
  if (!host)
    return;
  // Nothing may throw across the C ABI; at exit the driver may be gone.
  try {
    driver().cuMemFreeHost(host);
  } catch (...) {
  }
}
