//===- PreparedValues.cpp - values derived from parameters, kept ----------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
// scn_cg_gpu_prepared and scn_cg_prepared (Codegen.h): the block where a
// compiled network's kernels put what they derive from its parameters and
// constants alone (scn-gpu-prepare-parameters). A run keeps the block while
// the sources are the same copies with the same contents, so that a call
// with resident weights skips those kernels: in W1 f16 they are 112 of the
// 190 launches (44 weight packings, 68 batch-norm scale and shift vectors).
//
//===----------------------------------------------------------------------===//

#include "Run.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"

#include <cstdlib>
#include <string>

namespace {

/// The memory of one flavour of prepared values: device blocks with
/// generations from the GPU runtime, or host blocks for the emulated path.
struct Flavour {
  bool gpu;
  /// A new block, or null with the run failed.
  void *allocate(scn_run_t run, int64_t bytes) const {
    void *block = nullptr;
    if (gpu) {
      if (scn_gpu_alloc(bytes, &block) != SCN_OK)
        run->failFromRuntime(SCN_ERROR_OUT_OF_MEMORY, "preparing values from the parameters");
      return block;
    }
    block = std::malloc(static_cast<size_t>(bytes));
    if (!block)
      run->fail(SCN_ERROR_OUT_OF_MEMORY, "preparing values from the parameters: out of "
                                         "memory for " + std::to_string(bytes) + " bytes");
    return block;
  }
  static void release(bool gpu, void *block) {
    if (gpu)
      scn_gpu_free(block);
    else
      std::free(block);
  }
  /// Nonzero while `source` keeps its contents across calls (the caller
  /// holds run->mutex).
  uint64_t generation(scn_run_t run, const void *source) const {
    if (gpu)
      return scn_gpu_copy_generation(source);
    return run->hostParameterCopies.count(source) ? 0 : 1;
  }
  /// Whether this call's work may have failed, so that what it filled is
  /// not to be trusted (the caller holds run->mutex).
  bool callFailed(scn_run_t run) const {
    return run->status != SCN_OK || (gpu && scn_gpu_failed());
  }
};

void *prepared(const Flavour &flavour, scn_run_t run, const char *site,
               const void *const *sources, int32_t numSources, int64_t bytes, int32_t *fill) {
  if (fill)
    *fill = 1;
  if (!run || !fill || bytes <= 0 || numSources < 0 || (numSources > 0 && !sources)) {
    if (run)
      run->fail(SCN_ERROR_INVALID_ARGUMENT,
                "scn_cg_gpu_prepared: bad arguments (" + std::to_string(numSources) +
                    " sources, " + std::to_string(bytes) + " bytes)");
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(run->mutex);
  std::vector<const void *> from(sources, sources + numSources);
  std::vector<uint64_t> generations;
  bool stable = true;
  for (const void *source : from) {
    generations.push_back(flavour.generation(run, source));
    stable &= generations.back() != 0;
  }
  if (stable) {
    scn_run::Prepared &kept = run->prepared[site];
    if (kept.ready && kept.bytes == bytes && kept.sources == from &&
        kept.generations == generations) {
      ++run->preparedHits;
      *fill = 0;
      return kept.block;
    }
    if (!kept.filling) {
      // Stale (other sources, or a source kept again since): the calls
      // that read it have finished, and this one has not started to.
      if (kept.block)
        Flavour::release(kept.gpu, kept.block);
      kept = scn_run::Prepared();
      void *block = flavour.allocate(run, bytes);
      if (!block) {
        run->prepared.erase(site);
        return nullptr;
      }
      kept.sources = std::move(from);
      kept.generations = std::move(generations);
      kept.block = block;
      kept.bytes = bytes;
      kept.gpu = flavour.gpu;
      kept.filling = true;
      return block;
    }
    // Another call of the run is filling it: this one fills its own.
  }
  void *block = flavour.allocate(run, bytes);
  if (block)
    run->preparedForOneCall[block] = flavour.gpu;
  return block;
}

void preparedDone(const Flavour &flavour, scn_run_t run, const char *site, void *block) {
  if (!run || !block)
    return;
  std::lock_guard<std::mutex> lock(run->mutex);
  auto kept = run->prepared.find(site);
  if (kept != run->prepared.end() && kept->second.block == block && kept->second.filling) {
    kept->second.filling = false;
    if (!flavour.callFailed(run)) {
      kept->second.ready = true;
      return;
    }
    // A failed call may not have run the kernels that fill it.
    Flavour::release(kept->second.gpu, block);
    run->prepared.erase(kept);
    return;
  }
  auto once = run->preparedForOneCall.find(block);
  if (once != run->preparedForOneCall.end()) {
    Flavour::release(once->second, block);
    run->preparedForOneCall.erase(once);
  }
}

} // namespace

void scn::rt::freePreparedValues(scn_run *run) {
  for (auto &[site, kept] : run->prepared)
    if (kept.block)
      Flavour::release(kept.gpu, kept.block);
  for (auto &[block, gpu] : run->preparedForOneCall)
    Flavour::release(gpu, block);
  run->prepared.clear();
  run->preparedForOneCall.clear();
}

extern "C" {

void *scn_cg_gpu_prepared(scn_run_t run, const char *site, const void *const *sources,
                          int32_t num_sources, int64_t bytes, int32_t *fill) {
  return prepared(Flavour{true}, run, site, sources, num_sources, bytes, fill);
}

void scn_cg_gpu_prepared_done(scn_run_t run, const char *site, void *block) {
  preparedDone(Flavour{true}, run, site, block);
}

void *scn_cg_prepared(scn_run_t run, const char *site, const void *const *sources,
                      int32_t num_sources, int64_t bytes, int32_t *fill) {
  return prepared(Flavour{false}, run, site, sources, num_sources, bytes, fill);
}

void scn_cg_prepared_done(scn_run_t run, const char *site, void *block) {
  preparedDone(Flavour{false}, run, site, block);
}

} // extern "C"
