//===- Threading.cpp - Worker thread count --------------------------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "Threading.h"
#include "Error.h"
#include "MemoryPool.h"
#include "RunArena.h"

#include "scn/Runtime/Threading.h"

#include <atomic>
#include <thread>

namespace {
/// Requested worker count; 0 means "the hardware's".
std::atomic<int32_t> requestedThreads{0};

int hardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}
} // namespace

int scn::rt::numThreads() {
  int32_t n = requestedThreads.load(std::memory_order_relaxed);
  return n > 0 ? n : hardwareThreads();
}

extern "C" scn_status_t scn_set_num_threads(int32_t num_threads) {
  requestedThreads.store(num_threads > 0 ? num_threads : 0,
                         std::memory_order_relaxed);
  return SCN_OK;
}

extern "C" scn_status_t scn_get_num_threads(int32_t *num_threads) {
  return scn::rt::guardCall("scn_get_num_threads", [&] {
    scn::rt::requireNonNull(num_threads, "num_threads");
    *num_threads = scn::rt::numThreads();
  });
}

extern "C" scn_status_t scn_release_cached_memory(int64_t *bytes_freed) {
  int64_t freed = int64_t(scn::rt::poolTrim()) + scn::rt::trimRunArenas();
  if (bytes_freed)
    *bytes_freed = freed;
  return SCN_OK;
}
