//===- PinnedPool.cpp - Page-locked host blocks for results ---------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// scn_gpu_pinned_alloc / scn_gpu_pinned_release: page-locked host blocks
/// (cuMemHostAlloc) kept across runs for the results of CUDA artifacts.
/// Why: a result copied by DMA into fresh malloc memory is copied through
/// the driver's staging buffer and faults every destination page in; on
/// the lent H200 (a Firecracker VM) W1's 22 MB output took 15 ms that way
/// (1.5 GB/s) and W3's 44 MB 40 ms, more than all of W1's kernels. A pinned
/// block that was used before is written by the copy engine directly.
/// Blocks are sized in 2 MiB steps; a request takes an idle block of at
/// least its size and at most twice it; at most 1 GiB stays idle (larger
/// idle blocks are freed first). Staged uploads (StagedUpload.cpp) borrow
/// blocks too; one whose copies are still queued comes back after their
/// event (releasePinnedAfter).
///
//===----------------------------------------------------------------------===//

#include "PinnedPool.h"

#include "CudaDriver.h"

#include "scn/Runtime/Gpu.h"

#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace scn::rt;
using namespace scn::rt::driver_api;

namespace {

constexpr size_t kGranule = size_t(2) << 20;
constexpr size_t kIdleLimit = size_t(1) << 30;

struct PinnedPool {
  std::mutex mutex;
  std::multimap<size_t, void *> idle; // by size
  /// Every block, idle or handed out: its size and whether it is idle (a
  /// second release of an idle block is ignored, where putting it in
  /// `idle` twice would hand it to two results).
  std::unordered_map<void *, std::pair<size_t, bool>> owned;
  size_t idleBytes = 0;
  /// Blocks handed back behind copies still in flight (releasePinnedAfter).
  std::vector<std::pair<void *, CUevent>> afterCopies;
};

PinnedPool &pool() {
  // Never destroyed: results may be released by finalizers at exit.
  static PinnedPool *p = new PinnedPool;
  return *p;
}

/// Puts `block` back in the pool (the caller holds the lock): 0 for memory
/// that is not a block of the pool.
int32_t releaseLocked(PinnedPool &p, void *block) {
  auto it = p.owned.find(block);
  if (it == p.owned.end())
    return 0;
  auto &[size, idle] = it->second;
  if (idle)
    return 1; // released twice: already back in the pool
  p.idle.emplace(size, block);
  idle = true;
  p.idleBytes += size;
  // Over the limit: free the largest idle blocks (errors ignored: this
  // may run at exit, after the driver has shut down).
  while (p.idleBytes > kIdleLimit && !p.idle.empty()) {
    auto largest = std::prev(p.idle.end());
    try {
      driver().cuMemFreeHost(largest->second);
    } catch (const Error &) {
      // No driver left to free it: the block stays allocated, out of
      // the pool.
    }
    p.idleBytes -= largest->first;
    p.owned.erase(largest->second);
    p.idle.erase(largest);
  }
  return 1;
}

/// Puts back the blocks whose copies have finished (the caller holds the
/// lock). A failed query counts as finished: no copy of a broken context
/// will read the block again.
void releaseAfterCopiesLocked(PinnedPool &p) {
  if (p.afterCopies.empty())
    return;
  const Driver &d = driver();
  for (size_t i = p.afterCopies.size(); i-- > 0;) {
    auto [block, event] = p.afterCopies[i];
    if (d.cuEventQuery(event) == CUDA_ERROR_NOT_READY)
      continue;
    d.cuEventDestroy(event);
    releaseLocked(p, block);
    p.afterCopies.erase(p.afterCopies.begin() + i);
  }
}

} // namespace

extern "C" scn_status_t scn_gpu_pinned_alloc(int64_t bytes, void **block) {
  return guardCall("scn_gpu_pinned_alloc", [&] {
    requireNonNull(block, "block");
    *block = nullptr;
    if (bytes <= 0)
      return;
    size_t size = (static_cast<size_t>(bytes) + kGranule - 1) / kGranule * kGranule;
    PinnedPool &p = pool();
    {
      std::lock_guard<std::mutex> lock(p.mutex);
      releaseAfterCopiesLocked(p);
      auto it = p.idle.lower_bound(size);
      if (it != p.idle.end() && it->first <= 2 * size) {
        *block = it->second;
        p.idleBytes -= it->first;
        p.owned[it->second].second = false;
        p.idle.erase(it);
        return;
      }
    }
    const Driver &d = driver();
    void *fresh = nullptr;
    // Portable: page-locked for every context, should the caller switch
    // devices between runs.
    check(d.cuMemHostAlloc(&fresh, size, CU_MEMHOSTALLOC_PORTABLE), "cuMemHostAlloc",
          std::to_string(size) + " bytes of page-locked host memory");
    std::lock_guard<std::mutex> lock(p.mutex);
    p.owned[fresh] = {size, false};
    *block = fresh;
  });
}

void scn::rt::gpu::releasePinnedAfter(void *block, CUevent event) {
  PinnedPool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.afterCopies.emplace_back(block, event);
}

extern "C" int32_t scn_gpu_pinned_release(void *block) {
  if (!block)
    return 0;
  // Nothing may throw across the C ABI (this also runs from finalizers).
  try {
    PinnedPool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    return releaseLocked(p, block);
  } catch (...) {
    return 1; // a pooled block (or an allocation failure): never free()d
  }
}
