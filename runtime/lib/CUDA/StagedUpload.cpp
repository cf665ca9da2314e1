//===- StagedUpload.cpp - Host-to-device copies through page-locked memory -===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Why: a copy from pageable memory goes through the driver's staging at
/// the speed of one thread's memcpy. On the lent H200 (a Firecracker VM,
/// 2026-11-27) the features of a W3 layer uploaded at 10.6 GB/s (44 MB in
/// 4.2 ms) and 7.6 GB/s (88 MB in 11.7 ms): more than all of the layer's
/// kernels, and most of its end-to-end time. Here every runtime thread
/// copies a part of each 4 MiB chunk into a page-locked block (from the
/// result pool, PinnedPool.cpp, so reused across runs), and the copy
/// engine moves each chunk while the threads fill the next. Not yet
/// measured on a GPU: the GPU check times W3 both ways
/// (SCN_GPU_PAGEABLE_UPLOADS=1 forces the driver's path).
///
//===----------------------------------------------------------------------===//

#include "StagedUpload.h"

#include "PinnedPool.h"

#include "Threading.h"

#include "scn/Runtime/Gpu.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace scn::rt::gpu {

using namespace driver_api;

namespace {

constexpr size_t kChunk = size_t(4) << 20;
/// Bytes below which a thread's part of a chunk is not worth a thread.
constexpr int64_t kThreadBytes = int64_t(256) << 10;

bool pageableUploadsForced() {
  static const bool forced = [] {
    const char *value = std::getenv("SCN_GPU_PAGEABLE_UPLOADS");
    return value && *value && std::string(value) != "0";
  }();
  return forced;
}

} // namespace

bool stagedUpload(const Driver &d, CUdeviceptr dst, const void *src, size_t bytes,
                  CUstream stream, bool wait) {
  if (bytes < kStagedUploadMinBytes || pageableUploadsForced())
    return false;
  void *block = nullptr;
  if (scn_gpu_pinned_alloc(static_cast<int64_t>(bytes), &block) != SCN_OK || !block)
    return false; // no page-locked memory to spare: the driver's path
  auto *staging = static_cast<char *>(block);
  const auto *from = static_cast<const char *>(src);
  CUresult copied = CUDA_SUCCESS;
  for (size_t at = 0; at < bytes && copied == CUDA_SUCCESS; at += kChunk) {
    const int64_t n = static_cast<int64_t>(std::min(kChunk, bytes - at));
    forEachChunk(n, numChunks(n, kThreadBytes), [&](int64_t, int64_t begin, int64_t end) {
      std::memcpy(staging + at + begin, from + at + begin, static_cast<size_t>(end - begin));
    });
    copied = d.cuMemcpyAsync(dst + at, reinterpret_cast<CUdeviceptr>(staging + at),
                             static_cast<size_t>(n), stream);
  }
  // The block goes back to the pool only once the copy engine is done
  // with it: after an event, or after a wait.
  CUevent copiesDone = nullptr;
  if (!wait && copied == CUDA_SUCCESS &&
      d.cuEventCreate(&copiesDone, CU_EVENT_DISABLE_TIMING) == CUDA_SUCCESS) {
    if (d.cuEventRecord(copiesDone, stream) == CUDA_SUCCESS) {
      releasePinnedAfter(block, copiesDone);
      return true;
    }
    d.cuEventDestroy(copiesDone);
  }
  CUresult done = d.cuStreamSynchronize(stream);
  scn_gpu_pinned_release(block);
  check(copied != CUDA_SUCCESS ? copied : done, "cuMemcpyAsync",
        std::to_string(bytes) + " bytes to the device through page-locked memory");
  return true;
}

} // namespace scn::rt::gpu
