//===- PreparedValues.cpp - values derived from parameters, kept ----------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// scn_cg_gpu_prepared and scn_cg_prepared (Codegen.h): the block where a
// compiled network's kernels put what they derive from its parameters and
// constants alone (scn-gpu-prepare-parameters), so that a call that finds
// it kept skips those kernels (in W1 f16, 112 of its 190 launches). On the
// GPU the block is the process's (scn_gpu_prepared, PreparedBlocks.cpp); on
// the emulated path the run keeps a host block while the sources are not
// the call's parameter copies.
//
//===----------------------------------------------------------------------===//

#include "GeneratedCall.h"
#include "Run.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace {

constexpr const char *kWhat = "preparing values from the parameters";

bool badArguments(scn_run_t run, const void *site, int32_t numSources,
                  const void *const *sources, int64_t bytes) {
  if (site && bytes > 0 && numSources >= 0 && (numSources == 0 || sources))
    return false;
  run->fail(SCN_ERROR_INVALID_ARGUMENT, std::string(kWhat) + ": bad arguments (" +
                                            std::to_string(numSources) + " sources, " +
                                            std::to_string(bytes) + " bytes)");
  return true;
}

/// The emulated path's block for `site` (the caller holds run->mutex):
/// the kept one when it holds the values, else a new one to fill; null
/// when malloc fails.
void *hostBlock(scn_run_t run, const char *site, const void *const *sources,
                int32_t numSources, int64_t bytes, int32_t *fill) {
  // The call's parameter copies may hold other values next call; the
  // artifact's constants, read in place, do not.
  std::vector<const void *> from(sources, sources + numSources);
  bool kept = true;
  for (const void *source : from)
    kept &= run->hostParameterCopies.count(source) == 0;
  if (kept) {
    scn_run::Prepared &p = run->prepared[site];
    if (p.ready && p.bytes == bytes && p.sources == from) {
      ++run->preparedHits;
      *fill = 0;
      return p.block;
    }
    if (!p.filling) {
      std::free(p.block);
      p = scn_run::Prepared();
      p.block = std::malloc(static_cast<size_t>(bytes));
      if (!p.block) {
        run->prepared.erase(site);
        return nullptr;
      }
      p.sources = std::move(from);
      p.bytes = bytes;
      p.filling = true;
      return p.block;
    }
  }
  void *block = std::malloc(static_cast<size_t>(bytes));
  if (block)
    run->preparedForOneCall.insert(block);
  return block;
}

} // namespace

void scn::rt::freePreparedValues(scn_run *run) {
  for (auto &[site, kept] : run->prepared)
    std::free(kept.block);
  for (void *block : run->preparedForOneCall)
    std::free(block);
  run->prepared.clear();
  run->preparedForOneCall.clear();
}

void scn::rt::abandonPreparedValues(scn_run *run) {
  for (auto it = run->prepared.begin(); it != run->prepared.end();) {
    if (it->second.filling) {
      std::free(it->second.block);
      it = run->prepared.erase(it);
    } else {
      ++it;
    }
  }
  for (void *block : run->preparedForOneCall)
    std::free(block);
  run->preparedForOneCall.clear();
  // Unfinished GPU blocks are dropped, finished ones no longer held (the
  // GPU is idle by now).
  for (const auto &[site, block] : run->gpuPreparedHeld)
    scn_gpu_prepared_done(site, block, /*succeeded=*/0);
  run->gpuPreparedHeld.clear();
}

extern "C" {

void *scn_cg_gpu_prepared(scn_run_t run, const char *site, const void *const *sources,
                          int32_t num_sources, int64_t bytes, int32_t *fill) {
  // Checked by scn_gpu_prepared, whose failures are also the sticky GPU
  // error: no kernel writes through a null block.
  void *block = nullptr;
  scn_status_t status = scn_gpu_prepared(site, sources, num_sources, bytes, &block, fill);
  if (run && status != SCN_OK)
    run->failFromRuntime(status, kWhat);
  if (run && status == SCN_OK && block) {
    std::lock_guard<std::mutex> lock(run->mutex);
    if (fill && *fill == 0)
      ++run->preparedHits;
    try {
      run->gpuPreparedHeld.emplace_back(site, block);
    } catch (...) {
      // Unnoted, an abandoned call would leave this block marked as held.
    }
  }
  return block;
}

void scn_cg_gpu_prepared_done(scn_run_t run, const char *site, void *block) {
  if (!block)
    return;
  if (run) {
    std::lock_guard<std::mutex> lock(run->mutex);
    auto &held = run->gpuPreparedHeld;
    const std::pair<const void *, void *> done(site, block);
    auto it = std::find(held.begin(), held.end(), done);
    if (it != held.end())
      held.erase(it);
  }
  // What a call that failed filled may be incomplete (scn_gpu_prepared_done
  // also looks for GPU failures since the call began).
  scn_gpu_prepared_done(site, block, run && !run->failed());
}

void *scn_cg_prepared(scn_run_t run, const char *site, const void *const *sources,
                      int32_t num_sources, int64_t bytes, int32_t *fill) {
  if (fill)
    *fill = 1;
  if (!run || !fill) {
    if (run)
      run->fail(SCN_ERROR_INVALID_ARGUMENT, std::string(kWhat) + ": fill is null");
    return nullptr;
  }
  if (badArguments(run, site, num_sources, sources, bytes))
    return nullptr;
  void *block = nullptr;
  {
    std::lock_guard<std::mutex> lock(run->mutex);
    block = hostBlock(run, site, sources, num_sources, bytes, fill);
  }
  // The emulated path has no sticky error to stop its kernels: the call
  // is abandoned (GeneratedCall.h), or outside one their writes would meet
  // null.
  if (!block) {
    try {
      run->fail(SCN_ERROR_OUT_OF_MEMORY,
                std::string(kWhat) + ": out of memory for " + std::to_string(bytes) + " bytes");
    } catch (...) {
      // Not even the message fits: the abandoned call's error says it.
    }
    scn::rt::abandonGeneratedCall(size_t(bytes), "the values prepared from the parameters");
  }
  return block;
}

void scn_cg_prepared_done(scn_run_t run, const char *site, void *block) {
  if (!run || !block)
    return;
  std::lock_guard<std::mutex> lock(run->mutex);
  auto kept = run->prepared.find(site);
  if (kept != run->prepared.end() && kept->second.block == block && kept->second.filling) {
    kept->second.filling = false;
    if (run->status == SCN_OK) {
      kept->second.ready = true;
      return;
    }
    std::free(block);
    run->prepared.erase(kept);
    return;
  }
  if (run->preparedForOneCall.erase(block))
    std::free(block);
}

} // extern "C"
