//===- PreparedBlocks.cpp - values prepared from kept copies, process-wide ===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// scn_gpu_prepared (Gpu.h): the device block where a compiled network's
// kernels put what they derive from parameters and constants alone (packed
// f16 weights, batch norm's scale and shift; scn-gpu-prepare-parameters).
// One block per site and device, shared by every run and call of the
// process while its sources are the same kept copies, so that a call with
// resident weights skips those kernels whether or not it keeps its run:
// in W1 f16, 112 of its 190 launches.
//
//===----------------------------------------------------------------------===//

#include "PreparedBlocks.h"

#include "CudaDriver.h"
#include "Error.h"

#include "scn/Runtime/Gpu.h"

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace scn::rt;
using scn::rt::driver_api::currentDevice;
using scn::rt::driver_api::driver;

namespace {

struct Block {
  std::vector<const void *> sources;
  std::vector<uint64_t> generations;
  void *memory = nullptr;
  int64_t bytes = 0;
  bool ready = false;   // filled by a call that finished without failure
  bool filling = false; // being filled by a call in flight
  int users = 0;        // calls in flight that hold it
  /// The filling call's start: the GPU failures seen so far, and whether
  /// one was kept then (its launches would have done nothing).
  uint64_t failuresAtStart = 0;
  bool startedFailed = false;
};

/// A block handed out for one call, or one replaced while calls still
/// held it: freed when the last of them is done.
struct Loose {
  int users = 0;
};

struct PreparedBlocks {
  std::mutex mutex;
  std::map<std::pair<const void *, int32_t>, Block> bySite;
  std::unordered_map<void *, Loose> loose;
};

PreparedBlocks &preparedBlocks() {
  static PreparedBlocks *p = new PreparedBlocks;
  return *p;
}

/// Device memory any stream may use (throws on failure).
void *allocate(int64_t bytes) {
  void *memory = nullptr;
  if (scn_status_t status = scn_gpu_alloc(bytes, &memory); status != SCN_OK)
    fail(status, scn_last_error_message());
  return memory;
}

/// Stops keeping `block`: frees it now when no call holds it, else when the
/// last one is done (the caller holds the lock).
void release(PreparedBlocks &p, const Block &block) {
  if (!block.memory)
    return;
  if (block.users == 0)
    scn_gpu_free(block.memory);
  else
    p.loose[block.memory].users = block.users;
}

/// Whether the sources are all kept copies, with their generations.
bool keptSources(const std::vector<const void *> &sources, std::vector<uint64_t> &generations) {
  bool kept = true;
  for (const void *source : sources) {
    generations.push_back(scn_gpu_copy_generation(source));
    kept &= generations.back() != 0;
  }
  return kept;
}

} // namespace

void scn::rt::gpu::forgetPreparedBlocks(
    const std::function<bool(const void *site)> &unloaded) {
  PreparedBlocks &p = preparedBlocks();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (auto it = p.bySite.begin(); it != p.bySite.end();)
    it = unloaded(it->first.first) ? p.bySite.erase(it) : std::next(it);
}

extern "C" scn_status_t scn_gpu_prepared(const void *site, const void *const *sources,
                                         int32_t num_sources, int64_t bytes, void **block,
                                         int32_t *fill) {
  scn_status_t status = guardCall("scn_gpu_prepared", [&] {
    requireNonNull(block, "block");
    requireNonNull(fill, "fill");
    *block = nullptr;
    *fill = 1;
    requireNonNull(site, "site");
    if (bytes <= 0 || num_sources < 0 || (num_sources > 0 && !sources))
      fail(SCN_ERROR_INVALID_ARGUMENT, "bad arguments: ", num_sources, " sources, ", bytes,
           " bytes");
    driver();
    const int32_t device = currentDevice();
    std::vector<const void *> from(sources, sources + num_sources);
    std::vector<uint64_t> generations;
    const bool kept = keptSources(from, generations);
    PreparedBlocks &p = preparedBlocks();
    if (kept) {
      std::lock_guard<std::mutex> lock(p.mutex);
      Block &b = p.bySite[{site, device}];
      if (b.ready && b.bytes == bytes && b.sources == from && b.generations == generations) {
        ++b.users;
        *block = b.memory;
        *fill = 0;
        return;
      }
      if (!b.filling) {
        // Stale (other copies, or none yet): this call fills a new one.
        release(p, b);
        b = Block();
        try {
          b.memory = allocate(bytes);
        } catch (...) {
          p.bySite.erase({site, device});
          throw;
        }
        b.sources = std::move(from);
        b.generations = std::move(generations);
        b.bytes = bytes;
        b.filling = true;
        b.users = 1;
        b.failuresAtStart = gpu::failuresSoFar();
        b.startedFailed = scn_gpu_failed() != 0;
        *block = b.memory;
        return;
      }
      // Another call is filling it: this one fills a block of its own.
    }
    void *memory = allocate(bytes);
    std::lock_guard<std::mutex> lock(p.mutex);
    p.loose[memory].users = 1;
    *block = memory;
  });
  // No kernel may write through a null block.
  gpu::keepStickyFailure(status, "scn_gpu_prepared");
  return status;
}

extern "C" void scn_gpu_prepared_done(const void *site, void *block, int32_t succeeded) {
  if (!site || !block)
    return;
  guardCall("scn_gpu_prepared_done", [&] {
    PreparedBlocks &p = preparedBlocks();
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.bySite.find({site, currentDevice()});
    if (it != p.bySite.end() && it->second.memory == block) {
      Block &b = it->second;
      --b.users;
      if (!b.filling)
        return;
      b.filling = false;
      // Trusted only when no GPU failure happened since the call began (its
      // launches then all ran), whoever took the error meanwhile.
      if (succeeded && !b.startedFailed && gpu::failuresSoFar() == b.failuresAtStart) {
        b.ready = true;
        return;
      }
      release(p, b);
      p.bySite.erase(it);
      return;
    }
    auto loose = p.loose.find(block);
    if (loose != p.loose.end() && --loose->second.users == 0) {
      scn_gpu_free(block);
      p.loose.erase(loose);
    }
  });
}
