//===- RunArena.cpp - The compiled code's buffers, planned per model ------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// RunArena (RunArena.h says what it is for) and the three functions the
/// generated host code allocates and frees with (Codegen.h).
///
//===----------------------------------------------------------------------===//

#include "RunArena.h"

#include "ArenaPlan.h"
#include "EnvironmentChoice.h"
#include "GeneratedCall.h"
#include "MemoryPool.h"
#include "Sanitizers.h"

#include "scn/Runtime/Codegen.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace scn::rt {

/// One block an arena places buffers in. Outlives its arena while a buffer
/// placed in it is held (a result of a call that left the plan).
struct ArenaBlock {
  char *base = nullptr;
  int64_t bytes = 0;
  int64_t live = 0;      // buffers placed in it and not freed
  bool orphaned = false; // no arena uses it: freed with its last buffer
  bool holds(const void *p) const {
    auto *c = static_cast<const char *>(p);
    return c >= base && c < base + bytes;
  }
};

namespace {

/// Every block, for frees on threads outside the call (a result freed by
/// the caller): a few entries, a lookup a free (a W1 call frees a few
/// hundred buffers). Every arena, for scn_release_cached_memory. Locks are
/// taken in the order arenasLock, an arena's call and state locks,
/// registryLock.
std::mutex registryLock;
std::mutex arenasLock;
std::vector<ArenaBlock *> &blocks() {
  static auto *all = new std::vector<ArenaBlock *>(); // outlives static destructors
  return *all;
}
std::vector<RunArena *> &arenas() {
  static auto *all = new std::vector<RunArena *>();
  return *all;
}

/// The arena of the call running on this thread (the generated code
/// allocates on the thread that called it; OpenMP workers use the heap).
thread_local RunArena *currentArena = nullptr;

/// Past this, sizes and offsets could overflow int64_t: null, as malloc
/// gives for what it cannot have.
constexpr size_t kLargestBuffer = size_t(PTRDIFF_MAX) / 2;

void *heapAllocate(size_t bytes, size_t alignment) {
  if (bytes > kLargestBuffer || alignment > kLargestBuffer)
    return nullptr;
  // At least one byte, so that live buffers never share an address.
  bytes = std::max<size_t>(bytes, 1);
  if (alignment <= alignof(std::max_align_t))
    return std::malloc(bytes);
  return std::aligned_alloc(alignment, size_t(alignUp(int64_t(bytes), int64_t(alignment))));
}

/// Buffers of a planned call that stay on the heap because the call returns
/// them (its results) come from the runtime's pool of large blocks
/// (MemoryPool.h), by their sizes here: the caller's scn_result_free gives
/// them back, so a loop that frees each result gets the same pages again
/// instead of a fresh mapping (W3 C=64's 44 MB output, page by page).
std::unordered_map<void *, size_t> &pooledBuffers() {
  static auto *all = new std::unordered_map<void *, size_t>();
  return *all;
}

constexpr size_t kPooledBytes = size_t(1) << 20; // MemoryPool's smallest

void *resultAllocate(size_t bytes, size_t alignment) {
  if (bytes < kPooledBytes || alignment > 64)
    return heapAllocate(bytes, alignment);
  void *block = nullptr;
  try {
    block = poolAllocate(bytes);
    std::lock_guard<std::mutex> registry(registryLock);
    pooledBuffers().emplace(block, bytes);
  } catch (...) {
    if (block)
      poolRelease(block, bytes);
    return nullptr;
  }
  return block;
}

/// Frees a heap buffer of the generated code (registry lock not held).
void heapRelease(void *block) {
  size_t bytes = 0;
  {
    std::lock_guard<std::mutex> registry(registryLock);
    auto it = pooledBuffers().find(block);
    if (it != pooledBuffers().end()) {
      bytes = it->second;
      pooledBuffers().erase(it);
    }
  }
  if (bytes)
    poolRelease(block, bytes);
  else
    std::free(block);
}

/// Frees `block` (registry lock held).
void freeBlock(ArenaBlock *block) {
  auto &all = blocks();
  all.erase(std::remove(all.begin(), all.end(), block), all.end());
  std::free(block->base);
  delete block;
}

/// An arena lets go of `block` (registry lock held): freed now, or with
/// its last buffer.
void detachBlock(ArenaBlock *block) {
  if (!block)
    return;
  if (block->live == 0)
    freeBlock(block);
  else
    block->orphaned = true;
}

/// Offsets in the block are multiples of a cache line; the block is
/// page-aligned, so buffers that ask for more go to the heap.
constexpr int64_t kBlockAlignment = 64;
constexpr int64_t kLargestBlockAlignment = 4096;

/// SCN_RUNTIME_RUN_ARENA: plan (the default), heap (every buffer through
/// malloc), or poison (plan, and every buffer placed in the block filled
/// with 0xff bytes, NaN as floats: a read before a write shows).
enum class ArenaMode { plan, heap, poison };

ArenaMode arenaMode() {
  return ArenaMode(environmentChoice("SCN_RUNTIME_RUN_ARENA", {"plan", "heap", "poison"}));
}

} // namespace

RunArena::RunArena() {
  std::lock_guard<std::mutex> lock(arenasLock);
  arenas().push_back(this);
}

RunArena::~RunArena() {
  std::lock_guard<std::mutex> lock(arenasLock);
  auto &all = arenas();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
  std::lock_guard<std::mutex> registry(registryLock);
  detachBlock(block_);
}

bool RunArena::enter() {
  const ArenaMode mode = arenaMode();
  if (mode == ArenaMode::heap)
    return false;
#ifdef SCN_UNDER_ADDRESS_SANITIZER
  // Buffers within one block would hide overflows from AddressSanitizer.
  return false;
#endif
  if (currentArena || !callLock_.try_lock())
    return false;
  recorded_.clear();
  events_.clear();
  live_.clear();
  following_ = true;
  abandoned_ = false;
  poison_ = mode == ArenaMode::poison;
  {
    std::lock_guard<std::mutex> lock(stateLock_);
    ++calls_;
    heapAllocations_ = blockAllocations_ = 0;
  }
  currentArena = this;
  return true;
}

void RunArena::leave() {
  currentArena = nullptr;
  if (abandoned_) {
    // A record that stops where memory ran out plans nothing.
    callLock_.unlock();
    return;
  }
  const bool followed = following_ && hasPlan_ && events_.size() == plannedEvents_.size();
  // A plan whose block could not be had: planned again (and the block
  // asked for again).
  if (followed && (block_ || plannedBlockBytes_ == 0)) {
    std::lock_guard<std::mutex> lock(stateLock_);
    ++callsInBlock_;
  } else {
    try {
      replan();
    } catch (...) {
      // Out of memory for the plan: the next call records again.
      std::lock_guard<std::mutex> lock(stateLock_);
      planned_.clear();
      plannedEvents_.clear();
      hasPlan_ = false;
    }
  }
  callLock_.unlock();
}

void *RunArena::allocate(size_t bytes, size_t alignment) {
  if (bytes > kLargestBuffer || alignment > kLargestBuffer)
    return nullptr;
  const auto index = int32_t(recorded_.size());
  const int64_t align = std::max<int64_t>(kBlockAlignment, int64_t(alignment));
  char *placed = nullptr;
  bool returned = false; // the plan says the call returns it
  if (following_) {
    const size_t at = events_.size();
    if (at < plannedEvents_.size() && plannedEvents_[at] == Event{index, false} &&
        int64_t(bytes) <= planned_[index].bytes && align <= planned_[index].alignment) {
      if (planned_[index].inBlock && block_)
        placed = block_->base + planned_[index].offset;
      returned = planned_[index].returned;
    } else {
      following_ = false;
    }
  }
  void *block = placed     ? placed
                : returned ? resultAllocate(bytes, alignment)
                           : heapAllocate(bytes, alignment);
  if (!block)
    return nullptr;
  if (placed && poison_)
    std::memset(placed, 0xff, bytes);
  try {
    recorded_.push_back({int64_t(bytes), align, placed != nullptr});
    events_.push_back({index, false});
    live_.emplace(block, index);
  } catch (...) {
    // No memory for the record: this buffer is the heap's (or the pool's),
    // unrecorded (but noted, for an abandoned call to free), and the call
    // leaves the plan.
    following_ = false;
    if (placed)
      block = heapAllocate(bytes, alignment);
    if (block)
      noteHeld(block, [](void *held, const void *) { heapRelease(held); });
    return block;
  }
  std::lock_guard<std::mutex> lock(stateLock_);
  if (placed) {
    std::lock_guard<std::mutex> registry(registryLock);
    ++block_->live;
    ++blockAllocations_;
  } else {
    ++heapAllocations_;
  }
  return block;
}

bool RunArena::release(void *block) {
  auto it = live_.find(block);
  if (it == live_.end())
    return false;
  const int32_t index = it->second;
  live_.erase(it);
  const size_t at = events_.size();
  if (following_ &&
      !(at < plannedEvents_.size() && plannedEvents_[at] == Event{index, true}))
    following_ = false;
  try {
    events_.push_back({index, true});
  } catch (...) {
    following_ = false;
  }
  if (recorded_[index].inBlock) {
    std::lock_guard<std::mutex> registry(registryLock);
    --block_->live;
  } else {
    heapRelease(block);
  }
  return true;
}

void RunArena::abandonCall() {
  if (currentArena != this)
    return;
  abandoned_ = true;
  following_ = false;
  for (const auto &[block, index] : live_) {
    if (recorded_[index].inBlock) {
      std::lock_guard<std::mutex> registry(registryLock);
      --block_->live;
    } else {
      heapRelease(block);
    }
  }
  live_.clear();
}

void RunArena::replan() {
  const size_t n = recorded_.size();
  // A call that allocated as planned, only larger: the old sizes stay the
  // least, and a buffer that outgrew its plan gets 1/8 more room, so that
  // inputs that vary a little do not plan at every call.
  const bool sameOrder = events_ == plannedEvents_ && recorded_.size() == planned_.size();
  std::vector<Planned> next(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t bytes = recorded_[i].bytes;
    int64_t alignment = recorded_[i].alignment;
    if (sameOrder) {
      bytes = bytes > planned_[i].bytes ? bytes + bytes / 8 : planned_[i].bytes;
      alignment = std::max(alignment, planned_[i].alignment);
    }
    next[i].bytes = bytes;
    next[i].alignment = alignment;
  }
  // Lifetimes in events; a buffer the call did not free (a result) stays
  // on the heap, and so does one that asks for more than the block's
  // alignment.
  std::vector<int64_t> first(n, -1), last(n, -1);
  for (size_t e = 0; e < events_.size(); ++e)
    (events_[e].free ? last : first)[events_[e].allocation] = int64_t(e);
  std::vector<ArenaRequest> requests;
  std::vector<size_t> requested;
  for (size_t i = 0; i < n; ++i) {
    next[i].returned = last[i] < 0;
    if (last[i] < 0 || first[i] < 0 || next[i].alignment > kLargestBlockAlignment)
      continue;
    requests.push_back({alignUp(std::max<int64_t>(next[i].bytes, 1), kBlockAlignment),
                        next[i].alignment, first[i], last[i]});
    requested.push_back(i);
  }
  const ArenaLayout layout = planArena(requests);
  for (size_t r = 0; r < requested.size(); ++r) {
    next[requested[r]].offset = layout.offsets[r];
    next[requested[r]].inBlock = true;
  }
  std::vector<Event> nextEvents = events_;

  std::lock_guard<std::mutex> lock(stateLock_);
  {
    std::lock_guard<std::mutex> registry(registryLock);
    // A buffer of this call still in the block (it left the plan and
    // returned one, or kept one) keeps the block: the arena takes another.
    if (block_ && (block_->live > 0 || block_->bytes < layout.bytes)) {
      detachBlock(block_);
      block_ = nullptr;
    }
    if (!block_ && layout.bytes > 0) {
      // Without memory for it, later calls follow the plan on the heap.
      const int64_t bytes = alignUp(layout.bytes, kLargestBlockAlignment);
      std::unique_ptr<ArenaBlock> made(new (std::nothrow) ArenaBlock);
      if (made && (made->base = static_cast<char *>(
                       std::aligned_alloc(size_t(kLargestBlockAlignment), size_t(bytes))))) {
        made->bytes = bytes;
        try {
          blocks().push_back(made.get());
          block_ = made.release();
        } catch (...) {
          std::free(made->base);
        }
      }
    }
  }
  planned_ = std::move(next);
  plannedEvents_ = std::move(nextEvents);
  plannedBlockBytes_ = layout.bytes;
  hasPlan_ = true;
  ++plans_;
}

scn_model_memory_info_t RunArena::info() {
  std::lock_guard<std::mutex> lock(stateLock_);
  scn_model_memory_info_t info{};
  {
    std::lock_guard<std::mutex> registry(registryLock);
    info.block_bytes = block_ ? block_->bytes : 0;
  }
  info.calls = calls_;
  info.calls_in_block = callsInBlock_;
  info.plans = plans_;
  info.block_allocations = blockAllocations_;
  info.heap_allocations = heapAllocations_;
  return info;
}

int64_t RunArena::trim() {
  std::unique_lock<std::mutex> call(callLock_, std::try_to_lock);
  if (!call.owns_lock())
    return 0;
  std::lock_guard<std::mutex> lock(stateLock_);
  std::lock_guard<std::mutex> registry(registryLock);
  if (!block_ || block_->live > 0)
    return 0;
  const int64_t bytes = block_->bytes;
  freeBlock(block_);
  block_ = nullptr;
  // The next call records and plans again.
  planned_.clear();
  plannedEvents_.clear();
  hasPlan_ = false;
  return bytes;
}

void releaseGeneratedBuffer(void *block) {
  if (!block)
    return;
  if (currentArena && currentArena->release(block))
    return;
  noteReleased(block);
  {
    std::lock_guard<std::mutex> registry(registryLock);
    for (ArenaBlock *b : blocks())
      if (b->holds(block)) {
        if (--b->live == 0 && b->orphaned)
          freeBlock(b);
        return;
      }
  }
  heapRelease(block);
}

void *generatedAllocate(size_t bytes, size_t alignment) {
  void *block = nullptr;
  if (!refusedByTests(bytes)) {
    if (currentArena) {
      block = currentArena->allocate(bytes, alignment);
    } else {
      block = heapAllocate(bytes, alignment);
      if (block)
        noteHeld(block, [](void *held, const void *) { heapRelease(held); });
    }
  }
  // Back to the call's start when it has one (nothing here needs undoing).
  if (!block)
    abandonGeneratedCall(bytes);
  return block;
}

int64_t trimRunArenas() {
  std::lock_guard<std::mutex> lock(arenasLock);
  int64_t freed = 0;
  for (RunArena *arena : arenas())
    freed += arena->trim();
  return freed;
}

} // namespace scn::rt

using namespace scn::rt;

extern "C" {

void *scn_cg_alloc(size_t bytes) { return generatedAllocate(bytes, 0); }

void *scn_cg_aligned_alloc(size_t alignment, size_t bytes) {
  return generatedAllocate(bytes, alignment);
}

void scn_cg_free(void *block) { releaseGeneratedBuffer(block); }

} // extern "C"
