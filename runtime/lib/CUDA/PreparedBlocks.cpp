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
#include <unordered_set>
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
};

struct PreparedBlocks {
  std::mutex mutex;
  std::map<std::pair<const void *, int32_t>, Block> bySite;
  /// Blocks replaced while calls in flight still read them: calls left.
  std::unordered_map<void *, int> retired;
  /// Blocks for one call (sources that are not kept copies).
  std::unordered_set<void *> oneCall;
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

/// Frees `block`'s memory now when no call holds it, else when the last
/// one is done (the caller holds the lock).
void retire(PreparedBlocks &p, Block &block) {
  if (!block.memory)
    return;
  if (block.users == 0)
    scn_gpu_free(block.memory);
  else
    p.retired[block.memory] = block.users;
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
  return guardCall("scn_gpu_prepared", [&] {
    requireNonNull(block, "block");
    requireNonNull(fill, "fill");
    *block = nullptr;
    *fill = 1;
    requireNonNull(site, "site");
    if (bytes <= 0 || num_sources < 0 || (num_sources > 0 && !sources))
      fail(SCN_ERROR_INVALID_ARGUMENT, "bad arguments: ", num_sources, " sources, ", bytes,
           " bytes");
    driver();
    std::vector<const void *> from(sources, sources + num_sources);
    std::vector<uint64_t> generations;
    bool kept = true;
    for (const void *source : from) {
      generations.push_back(scn_gpu_copy_generation(source));
      kept &= generations.back() != 0;
    }
    PreparedBlocks &p = preparedBlocks();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (kept) {
      Block &b = p.bySite[{site, currentDevice()}];
      if (b.ready && b.bytes == bytes && b.sources == from && b.generations == generations) {
        ++b.users;
        *block = b.memory;
        *fill = 0;
        return;
      }
      if (!b.filling) {
        // Stale (other copies, or none yet): this call fills a new one.
        retire(p, b);
        b = Block();
        b.memory = allocate(bytes);
        b.sources = std::move(from);
        b.generations = std::move(generations);
        b.bytes = bytes;
        b.filling = true;
        b.users = 1;
        *block = b.memory;
        return;
      }
      // Another call is filling it: this one fills a block of its own.
    }
    void *memory = allocate(bytes);
    p.oneCall.insert(memory);
    *block = memory;
  });
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
      if (succeeded) {
        b.ready = true;
        return;
      }
      // A failed call may not have run the kernels that fill it.
      retire(p, b);
      p.bySite.erase(it);
      return;
    }
    if (auto old = p.retired.find(block); old != p.retired.end()) {
      if (--old->second == 0) {
        scn_gpu_free(block);
        p.retired.erase(old);
      }
      return;
    }
    if (p.oneCall.erase(block))
      scn_gpu_free(block);
  });
}
