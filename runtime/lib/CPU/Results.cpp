//===- Results.cpp - Host memory for the results of compiled networks -----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// scn_cg_gpu_result_buffer, scn_cg_result_buffer and scn_result_free
/// (scn/Runtime/Codegen.h): CUDA artifacts copy their results by DMA into
/// page-locked blocks of a pool kept across runs (runtime/lib/CUDA/
/// PinnedPool.cpp says why); the cuda-emulated target and CPU artifacts
/// return malloc memory. Callers free either kind with scn_result_free.
///
//===----------------------------------------------------------------------===//

#include "GeneratedCall.h"
#include "Run.h"
#include "RunArena.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"

#include <cstdlib>
#include <string>

namespace {

/// 64-byte aligned malloc memory (like the generated code's own
/// allocations; free() frees it), or null with the run failed.
void *hostResult(scn_run_t run, int64_t bytes) {
  void *block = nullptr;
  if (posix_memalign(&block, 64, static_cast<size_t>(bytes)) == 0)
    return block;
  try {
    if (run)
      run->fail(SCN_ERROR_OUT_OF_MEMORY,
                "no host memory for a result of " + std::to_string(bytes) + " bytes");
  } catch (...) {
    // Not even the message fits: the null result still fails the copy.
  }
  return nullptr;
}

/// A result block of the call running on this thread: noted, so that an
/// abandoned call gives it back; where there is none, the call is
/// abandoned (GeneratedCall.h; outside a call, null).
void *heldByTheCall(void *block, int64_t bytes) {
  if (!block)
    scn::rt::abandonGeneratedCall(size_t(bytes), "the network's results");
  else
    scn::rt::noteHeld(block, [](void *held, const void *) { scn_result_free(held); });
  return block;
}

} // namespace

extern "C" {

void *scn_cg_gpu_result_buffer(scn_run_t run, int64_t bytes) {
  if (bytes <= 0)
    return nullptr;
  void *block = nullptr;
  if (!scn::rt::refusedByTests(size_t(bytes)) &&
      (scn_gpu_pinned_alloc(bytes, &block) != SCN_OK || !block))
    block = hostResult(run, bytes);
  return heldByTheCall(block, bytes);
}

void *scn_cg_result_buffer(scn_run_t run, int64_t bytes) {
  if (bytes <= 0)
    return nullptr;
  void *block = scn::rt::refusedByTests(size_t(bytes)) ? nullptr : hostResult(run, bytes);
  return heldByTheCall(block, bytes);
}

void scn_result_free(void *result) {
  // The generated code's own buffers may lie in a model's planned block
  // (RunArena.h), which frees malloc memory too.
  scn::rt::noteReleased(result);
  if (result && !scn_gpu_pinned_release(result))
    scn::rt::releaseGeneratedBuffer(result);
}

} // extern "C"
