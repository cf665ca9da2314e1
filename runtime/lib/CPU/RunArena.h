//===- RunArena.h - The compiled code's buffers, planned per model -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The generated code allocates every layer's buffers with memref.alloc,
/// lowered to scn_cg_alloc / scn_cg_free (Codegen.h), which land here.
/// Through malloc, a large buffer is a fresh mapping that the kernel
/// faults in and zeroes page by page at every layer of every call (glibc's
/// mmap threshold): 208k page faults a W1 call from Python. A library
/// cannot set glibc's policy for the process that loads it, and a cache of
/// freed blocks by size kept far more memory than the network ever holds at
/// once (bench/cpu/README.md, "Page faults of large buffers"). With the
/// block below: no faults, W3 C=64 1.26-1.50x and W1 1.02-1.15x faster
/// from Python (same file, "A planned block per model").
///
/// So each model keeps a RunArena. Its first call runs on the heap and is
/// recorded: the order of allocations and frees and each buffer's size.
/// From the record, ArenaPlan.h gives every buffer freed within the call an
/// offset in one block (buffers alive at once never overlap). A later call
/// that makes the same allocations and frees in the same order, each no
/// larger than planned, gets its buffers from the block: no system call and
/// no page fault. The call is checked event by event: from the first
/// allocation or free that differs (another order, a larger buffer), the
/// rest of the call runs on the heap, and the call's record becomes the
/// next plan (a buffer that outgrew its plan gets 1/8 more room), so a
/// change of input only costs the calls that see it first. A buffer the call
/// does not free (a result) is always on the heap (large ones from
/// MemoryPool.h, which scn_result_free refills); if one from the block is
/// still held when the call ends (a call that left the plan), the block is
/// kept until that buffer is freed and the arena takes a new one.
///
/// The block keeps the size of the largest call it served until
/// scn_release_cached_memory frees it. The generated code allocates on the
/// thread that called it, outside its parallel loops; buffers allocated on
/// other threads use the heap. (The calling thread is also thread 0 of
/// every OpenMP parallel region: an allocation inside a parallel loop would
/// come here in an order that depends on the schedule, and calls would
/// keep leaving the plan, safely.)
///
/// SCN_RUNTIME_RUN_ARENA=heap turns it off (every buffer through malloc,
/// as before; for comparisons and for memory checkers, which cannot see an
/// overflow within the block; it is off under AddressSanitizer too);
/// =poison fills every buffer placed in the block with 0xff bytes (NaN as
/// floats), so that code that reads a buffer before writing it shows.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_RUNARENA_H
#define SCN_RUNTIME_LIB_CPU_RUNARENA_H

#include "scn/Runtime/Model.h"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace scn::rt {

struct ArenaBlock;

class RunArena {
public:
  RunArena();
  ~RunArena();
  RunArena(const RunArena &) = delete;
  RunArena &operator=(const RunArena &) = delete;

  /// Starts a call on this thread: its allocations come here until leave().
  /// False when another thread's call holds the arena or the environment
  /// says heap (that call then uses the heap).
  bool enter();
  void leave();

  void *allocate(size_t bytes, size_t alignment);
  /// Frees `block` if this call allocated it; false otherwise.
  bool release(void *block);
  /// The call was abandoned (GeneratedCall.h): frees every buffer it still
  /// holds, and leave() keeps the plan as it was.
  void abandonCall();

  scn_model_memory_info_t info();
  /// Frees the block when no call holds the arena and no buffer is in it
  /// (the next call runs on the heap and plans again); the bytes freed.
  int64_t trim();

private:
  struct Planned {
    int64_t bytes = 0, alignment = 64, offset = 0;
    bool inBlock = false;
    bool returned = false; // not freed by the call it was recorded in
  };
  /// An allocation (its index) or, with `free`, that allocation's free.
  struct Event {
    int32_t allocation;
    bool free;
    bool operator==(const Event &other) const {
      return allocation == other.allocation && free == other.free;
    }
  };
  struct Recorded {
    int64_t bytes, alignment;
    bool inBlock;
  };

  void replan();

  std::mutex callLock_;  // held by the call in the arena
  std::mutex stateLock_; // the plan, the block and the counters
  // The plan.
  std::vector<Planned> planned_;
  std::vector<Event> plannedEvents_;
  bool hasPlan_ = false;
  int64_t plannedBlockBytes_ = 0;
  ArenaBlock *block_ = nullptr;
  // The current call.
  std::vector<Recorded> recorded_;
  std::vector<Event> events_;
  std::unordered_map<void *, int32_t> live_;
  bool following_ = false;
  bool abandoned_ = false;
  bool poison_ = false;
  // Counters (scn_model_memory_info_t).
  int64_t calls_ = 0, callsInBlock_ = 0, plans_ = 0, heapAllocations_ = 0;
  int64_t blockAllocations_ = 0;
};

/// scn_cg_alloc and scn_cg_aligned_alloc (alignment 0: malloc's): from the
/// calling thread's arena, else the heap; where there is no memory, the
/// call is abandoned (GeneratedCall.h), or null outside one.
void *generatedAllocate(size_t bytes, size_t alignment);
/// Frees a block that scn_cg_alloc returned (from a block of
/// an arena or the heap) on any thread: scn_result_free's path.
void releaseGeneratedBuffer(void *block);
/// trim() of every model's arena (scn_release_cached_memory); bytes freed.
int64_t trimRunArenas();

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_RUNARENA_H
