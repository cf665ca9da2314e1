//===- MemoryPool.cpp - Reuse of the runtime's large blocks ---------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "MemoryPool.h"
#include "Sanitizers.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

using namespace scn::rt;

namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kSmallest = size_t(1) << 20;
// Sizes are rounded up to this granule so that blocks of nearly equal
// requests (the same network on another scan) are interchangeable.
constexpr size_t kGranule = size_t(1) << 16;

size_t roundUp(size_t bytes) {
  return bytes < kSmallest ? bytes : (bytes + kGranule - 1) / kGranule * kGranule;
}

size_t capacityFromEnvironment() {
#ifdef SCN_UNDER_ADDRESS_SANITIZER
  // Reused blocks would hide use-after-free from AddressSanitizer.
  return 0;
#endif
  const char *mb = std::getenv("SCN_RUNTIME_POOL_MB");
  if (!mb)
    return size_t(256) << 20;
  long value = std::strtol(mb, nullptr, 10);
  return value > 0 ? size_t(value) << 20 : 0;
}

struct Pool {
  std::mutex mutex;
  std::multimap<size_t, void *> blocks; // size -> block
  size_t cached = 0;
  size_t capacity = capacityFromEnvironment();

  size_t trim() {
    std::lock_guard<std::mutex> lock(mutex);
    size_t freed = cached;
    for (auto &entry : blocks)
      ::operator delete(entry.second, std::align_val_t(kAlignment));
    blocks.clear();
    cached = 0;
    return freed;
  }
};

/// Never destroyed: arrays owned by other static objects may be released
/// during exit, after any destructor of the pool would have run.
Pool &pool() {
  static Pool *instance = new Pool;
  return *instance;
}

} // namespace

void *scn::rt::poolAllocate(size_t bytes) {
  size_t size = roundUp(bytes);
  if (size >= kSmallest) {
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.blocks.lower_bound(size);
    if (it != p.blocks.end() && it->first / 2 <= size) {
      void *block = it->second;
      p.cached -= it->first;
      p.blocks.erase(it);
      return block;
    }
  }
  return ::operator new(size ? size : 1, std::align_val_t(kAlignment));
}

void scn::rt::poolRelease(void *block, size_t bytes) {
  if (!block)
    return;
  size_t size = roundUp(bytes);
  if (size >= kSmallest) {
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.cached + size <= p.capacity) {
      p.blocks.emplace(size, block);
      p.cached += size;
      return;
    }
  }
  ::operator delete(block, std::align_val_t(kAlignment));
}

size_t scn::rt::poolTrim() { return pool().trim(); }
