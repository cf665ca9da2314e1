//===- RunArenaTest.cpp - The generated code's buffers, planned per model --===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// ArenaPlan.h's offsets, and RunArena (RunArena.h) through the deployment
/// API: a model over an entry written here (scn_model_from_entry) that
/// allocates and frees with the generated code's functions as a script says,
/// fills each buffer with its own byte and checks it before the free (so
/// that two live buffers placed over each other fail), and returns its input
/// doubled in a buffer it allocated.
///
//===----------------------------------------------------------------------===//

#include "ArenaPlan.h"
#include "EntryModel.h"
#include "Sanitizers.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Model.h"
#include "scn/Runtime/Threading.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using scn::rt::ArenaRequest;
using scn::rt::planArena;

// --- ArenaPlan.h -----------------------------------------------------------

void expectValid(const std::vector<ArenaRequest> &requests,
                 const scn::rt::ArenaLayout &layout) {
  ASSERT_EQ(layout.offsets.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(layout.offsets[i] % requests[i].alignment, 0) << i;
    EXPECT_LE(layout.offsets[i] + requests[i].bytes, layout.bytes) << i;
    for (size_t j = 0; j < i; ++j) {
      const bool together =
          requests[i].first <= requests[j].last && requests[j].first <= requests[i].last;
      const bool apart = layout.offsets[i] + requests[i].bytes <= layout.offsets[j] ||
                         layout.offsets[j] + requests[j].bytes <= layout.offsets[i];
      EXPECT_TRUE(!together || apart) << "requests " << j << " and " << i << " overlap";
    }
  }
}

TEST(ArenaPlan, BuffersAliveTogetherNeverShareAByte) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<ArenaRequest> requests(1 + rng() % 60);
    int64_t events = 0, alive = 0;
    for (ArenaRequest &r : requests) {
      r.bytes = int64_t(1 + rng() % 5000);
      r.alignment = int64_t(64) << (rng() % 3);
      r.first = events++;
      r.last = r.first + int64_t(rng() % 20);
      alive += r.bytes;
    }
    scn::rt::ArenaLayout layout = planArena(requests);
    expectValid(requests, layout);
    // Never more than every buffer side by side (with alignment padding).
    EXPECT_LE(layout.bytes, alive + int64_t(requests.size()) * 256);
  }
}

TEST(ArenaPlan, ABufferFreedBeforeTheNextIsAllocatedSharesItsPlace) {
  // A chain: each buffer read by the next, then freed (a network's layers).
  std::vector<ArenaRequest> chain = {
      {4096, 64, 0, 2}, {8192, 64, 1, 4}, {4096, 64, 3, 6}, {8192, 64, 5, 7}};
  scn::rt::ArenaLayout layout = planArena(chain);
  expectValid(chain, layout);
  EXPECT_EQ(layout.bytes, 8192 + 4096); // two alive at a time: the pair's sum
  EXPECT_EQ(layout.offsets[0], layout.offsets[2]);
  EXPECT_EQ(layout.offsets[1], layout.offsets[3]);
}

TEST(ArenaPlan, ABufferTakesAGapBetweenBuffersAliveWithIt) {
  // 0 and 2 live throughout, 1 between them only early; 3 comes later and
  // fits where 1 was, not past the end.
  std::vector<ArenaRequest> requests = {
      {4096, 64, 0, 10}, {4096, 64, 0, 3}, {4096, 64, 0, 10}, {2048, 64, 5, 8}};
  scn::rt::ArenaLayout layout = planArena(requests);
  expectValid(requests, layout);
  EXPECT_EQ(layout.bytes, 3 * 4096);
  EXPECT_EQ(layout.offsets[3], layout.offsets[1]);
}

// --- RunArena through a model ----------------------------------------------

// AddressSanitizer builds turn the block off (RunArena.cpp): what these
// tests count does not happen there.
#ifdef SCN_UNDER_ADDRESS_SANITIZER
#define SKIP_UNDER_ASAN() GTEST_SKIP() << "the block is off under AddressSanitizer"
#else
#define SKIP_UNDER_ASAN() (void)0
#endif

/// One step of the fake entry: allocate buffer `id` (`bytes`, `alignment`,
/// 0 for the unaligned function), or free it.
struct Step {
  bool free;
  int id;
  size_t bytes = 0;
  size_t alignment = 0;
};
Step alloc(int id, size_t bytes, size_t alignment = 0) { return {false, id, bytes, alignment}; }
Step release(int id) { return {true, id}; }

/// The script the entry follows and what it saw (one thread's call at a
/// time, except where a test runs two).
thread_local std::vector<Step> script;
thread_local std::vector<void *> addresses; // by id, in the last call
thread_local std::vector<int> firstBytes;    // each buffer's first byte as it came
thread_local bool corrupted = false;

void fillWith(void *p, size_t bytes, int id) { std::memset(p, 0x40 + id, bytes); }
bool stillFilled(const void *p, size_t bytes, int id) {
  auto *c = static_cast<const unsigned char *>(p);
  for (size_t i = 0; i < bytes; ++i)
    if (c[i] != (unsigned char)(0x40 + id))
      return false;
  return true;
}

/// The entry: the script, then its input doubled (EntryModel.h).
void entry(void **args) {
  std::vector<size_t> sizes(16, 0);
  addresses.assign(16, nullptr);
  firstBytes.assign(16, -1);
  for (const Step &step : script) {
    if (step.free) {
      if (!stillFilled(addresses[step.id], sizes[step.id], step.id))
        corrupted = true;
      scn_cg_free(addresses[step.id]);
      continue;
    }
    void *p = step.alignment ? scn_cg_aligned_alloc(step.alignment, step.bytes)
                             : scn_cg_alloc(step.bytes);
    ASSERT_NE(p, nullptr);
    if (step.alignment) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % step.alignment, 0u);
    }
    addresses[step.id] = p;
    sizes[step.id] = step.bytes;
    if (step.bytes)
      firstBytes[step.id] = *static_cast<unsigned char *>(p);
    fillWith(p, step.bytes, step.id);
  }
  scn::test::returnDoubled(args);
}

struct Model : scn::test::EntryModel {
  Model() : EntryModel(entry) {}
};

/// One call on `rows` values; the result doubled, checked, then freed
/// unless `keep` takes it.
scn_status_t call(const Model &m, int64_t rows = 1000, float **keep = nullptr) {
  std::vector<float> x(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i)
    x[size_t(i)] = float(i);
  scn_tensor_t in{};
  in.data = x.data();
  in.dtype = SCN_DTYPE_F32;
  in.rank = 1;
  in.shape[0] = rows;
  scn_tensor_t out{};
  corrupted = false;
  scn_status_t status = scn_model_run(m.model, &in, 1, &out, 1);
  if (status != SCN_OK)
    return status;
  EXPECT_FALSE(corrupted) << "a live buffer was overwritten";
  auto *y = static_cast<float *>(out.data);
  for (int64_t i = 0; i < rows; ++i)
    EXPECT_EQ(y[i], 2.0f * float(i)) << i;
  if (keep)
    *keep = y;
  else
    scn_result_free(y);
  return status;
}

/// Layers of a network: each output read by the next, then freed.
std::vector<Step> chain(size_t bytes) {
  return {alloc(0, bytes),     alloc(1, 2 * bytes), release(0), alloc(2, bytes),
          release(1),          alloc(3, 2 * bytes), release(2), release(3)};
}

TEST(RunArena, SteadyCallsTakeTheirBuffersFromOneBlock) {
  SKIP_UNDER_ASAN();
  Model m;
  script = chain(1 << 20);
  ASSERT_EQ(call(m), SCN_OK);
  scn_model_memory_info_t first = m.info();
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(first.plans, 1);
  EXPECT_EQ(first.calls_in_block, 0);
  EXPECT_EQ(first.heap_allocations, 5); // the first call is recorded on the heap
  // Two buffers alive at a time, 3 MiB: the block holds no more than that.
  EXPECT_GE(first.block_bytes, 3 << 20);
  EXPECT_LE(first.block_bytes, (3 << 20) + 4096);
  std::vector<void *> placed;
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(call(m), SCN_OK);
    if (round == 0)
      placed = addresses;
    else
      EXPECT_EQ(addresses, placed) << "the same places in every call";
  }
  scn_model_memory_info_t later = m.info();
  EXPECT_EQ(later.calls, 4);
  EXPECT_EQ(later.calls_in_block, 3);
  EXPECT_EQ(later.plans, 1);
  EXPECT_EQ(later.block_allocations, 4);
  EXPECT_EQ(later.heap_allocations, 1); // the result
  EXPECT_EQ(placed[0], placed[2]) << "a freed buffer's place is taken again";
}

TEST(RunArena, ACallThatAllocatesOtherwiseRunsOnTheHeapAndPlansAgain) {
  SKIP_UNDER_ASAN();
  Model m;
  script = chain(1 << 16);
  ASSERT_EQ(call(m), SCN_OK);
  ASSERT_EQ(call(m), SCN_OK);
  // Another order: the second buffer freed last.
  script = {alloc(0, 1 << 16), alloc(1, 1 << 17), release(0), alloc(2, 1 << 16), release(2),
            alloc(3, 1 << 17), release(3), release(1)};
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().plans, 2);
  EXPECT_EQ(m.info().calls_in_block, 1);
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().calls_in_block, 2);
  EXPECT_EQ(m.info().block_allocations, 4);
  // Fewer buffers than planned: the call ends early in the plan.
  script = {alloc(0, 1 << 16), release(0)};
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().plans, 3);
}

TEST(RunArena, ABufferLargerThanPlannedLeavesThePlanWithRoomToGrow) {
  SKIP_UNDER_ASAN();
  Model m;
  script = chain(100000);
  ASSERT_EQ(call(m), SCN_OK);
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().calls_in_block, 1);
  script = chain(110000); // a larger scan
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().plans, 2);
  EXPECT_EQ(m.info().calls_in_block, 1);
  script = chain(120000); // within the 1/8 the new plan added
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().plans, 2);
  EXPECT_EQ(m.info().calls_in_block, 2);
  script = chain(50000); // smaller ones fit the plan
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().calls_in_block, 3);
}

TEST(RunArena, ABufferFromTheBlockHeldPastItsCallStaysValidUntilFreed) {
  SKIP_UNDER_ASAN();
  Model m;
  // Planned: buffer 0 freed within the call. Then a call that makes the same
  // allocation, placed in the block, and keeps it past its end (as a call
  // that left the plan and returns it): the block must not be reused while
  // the buffer is held.
  script = {alloc(0, 4000), release(0)};
  ASSERT_EQ(call(m, 1000), SCN_OK);
  ASSERT_EQ(call(m, 1000), SCN_OK);
  ASSERT_EQ(m.info().calls_in_block, 1);
  script = {alloc(5, 4000)}; // the same allocation, another fill
  float *held = nullptr;
  ASSERT_EQ(call(m, 1000, &held), SCN_OK);
  void *inBlock = addresses[5];
  EXPECT_EQ(m.info().block_allocations, 1);
  // The buffer the entry did not free is still filled: nothing else was
  // placed over it by later calls.
  script = {alloc(0, 4000), release(0)};
  for (int round = 0; round < 3; ++round)
    ASSERT_EQ(call(m, 1000), SCN_OK);
  EXPECT_NE(addresses[0], inBlock) << "a new block while the old one is held";
  EXPECT_TRUE(stillFilled(inBlock, 4000, 5));
  scn_cg_free(inBlock); // frees the old block, its last buffer
  scn_result_free(held);
}

TEST(RunArena, AlignedBuffersAndEmptyOnes) {
  SKIP_UNDER_ASAN();
  Model m;
  script = {alloc(0, 5000, 4096), alloc(1, 0), alloc(2, 0), release(1), release(0),
            release(2)};
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(call(m), SCN_OK);
    EXPECT_NE(addresses[1], addresses[2]) << "live buffers never share an address";
  }
  EXPECT_EQ(m.info().calls_in_block, 2);
  EXPECT_EQ(m.info().block_allocations, 3);
}

TEST(RunArena, BuffersThatAskForMoreThanAPageAlignedBlockUseTheHeap) {
  SKIP_UNDER_ASAN();
  Model m;
  script = {alloc(0, 10000, 8192), alloc(1, 10000, 4096), release(0), release(1)};
  for (int round = 0; round < 3; ++round)
    ASSERT_EQ(call(m), SCN_OK); // the entry checks each alignment
  EXPECT_EQ(m.info().calls_in_block, 2);
  EXPECT_EQ(m.info().block_allocations, 1);
  EXPECT_EQ(m.info().heap_allocations, 2); // the 8192-aligned one, the result
}

TEST(RunArena, SizesPastHalfTheAddressSpaceAreRefused) {
  EXPECT_EQ(scn_cg_alloc(SIZE_MAX), nullptr);
  EXPECT_EQ(scn_cg_alloc(size_t(PTRDIFF_MAX)), nullptr);
  EXPECT_EQ(scn_cg_aligned_alloc(64, SIZE_MAX - 63), nullptr);
  EXPECT_EQ(scn_cg_aligned_alloc(size_t(1) << 62, 64), nullptr);
  scn_cg_free(nullptr);
}

TEST(RunArena, PoisonFillsEveryBufferFromTheBlock) {
  SKIP_UNDER_ASAN();
  Model m;
  script = {alloc(3, 4096), release(3)};
  for (int round = 0; round < 3; ++round)
    ASSERT_EQ(call(m), SCN_OK);
  // The block hands out what the last call left (a fresh mapping would be
  // zeros): what the poison mode is for.
  EXPECT_EQ(firstBytes[3], 0x43);
  setenv("SCN_RUNTIME_RUN_ARENA", "poison", 1);
  ASSERT_EQ(call(m), SCN_OK);
  unsetenv("SCN_RUNTIME_RUN_ARENA");
  EXPECT_EQ(firstBytes[3], 0xff);
  EXPECT_EQ(m.info().calls_in_block, 3);
}

TEST(RunArena, LargeResultsComeFromThePoolAndGoBack) {
  SKIP_UNDER_ASAN();
  ASSERT_EQ(scn_release_cached_memory(nullptr), SCN_OK); // an empty pool
  Model m;
  script = chain(1 << 16);
  const int64_t rows = 600000; // a 2.4 MB result: the pool's (1 MiB or more)
  ASSERT_EQ(call(m, rows), SCN_OK);
  float *kept[2] = {nullptr, nullptr};
  ASSERT_EQ(call(m, rows, &kept[0]), SCN_OK);
  ASSERT_EQ(call(m, rows, &kept[1]), SCN_OK);
  ASSERT_NE(kept[0], kept[1]);
  // Given back on another thread, the first is the next call's result.
  std::thread([&] { scn_result_free(kept[0]); }).join();
  float *again = nullptr;
  ASSERT_EQ(call(m, rows, &again), SCN_OK);
  EXPECT_EQ(again, kept[0]);
  for (int64_t i = 0; i < rows; i += 997)
    ASSERT_EQ(kept[1][i], 2.0f * float(i)) << "a held result was written over";
  scn_result_free(again);
  scn_result_free(kept[1]);
  int64_t freed = 0;
  ASSERT_EQ(scn_release_cached_memory(&freed), SCN_OK);
  EXPECT_GE(freed, 2 * rows * int64_t(sizeof(float)));
}

TEST(RunArena, ConcurrentCallsOfOneModelEachGetTheirOwnBuffers) {
  SKIP_UNDER_ASAN();
  Model m;
  script = chain(1 << 18);
  ASSERT_EQ(call(m), SCN_OK);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m] {
      script = chain(1 << 18);
      for (int round = 0; round < 20; ++round)
        EXPECT_EQ(call(m), SCN_OK);
    });
  for (std::thread &thread : threads)
    thread.join();
  scn_model_memory_info_t info = m.info();
  // Calls that found the arena taken ran on the heap and are not counted.
  EXPECT_LE(info.calls, 81);
  EXPECT_EQ(info.plans, 1);
  EXPECT_EQ(info.calls, info.calls_in_block + 1);
}

TEST(RunArena, TheEnvironmentTurnsItOffAndABadValueIsNamed) {
  SKIP_UNDER_ASAN();
  Model m;
  script = chain(1 << 16);
  setenv("SCN_RUNTIME_RUN_ARENA", "heap", 1);
  ASSERT_EQ(call(m), SCN_OK);
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().calls, 0);
  EXPECT_EQ(m.info().block_bytes, 0);
  setenv("SCN_RUNTIME_RUN_ARENA", "pool", 1);
  EXPECT_NE(call(m), SCN_OK);
  EXPECT_NE(std::string(scn_last_error_message()).find("SCN_RUNTIME_RUN_ARENA"),
            std::string::npos)
      << scn_last_error_message();
  unsetenv("SCN_RUNTIME_RUN_ARENA");
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().calls, 1);
}

TEST(RunArena, ReleasingCachedMemoryFreesIdleBlocks) {
  SKIP_UNDER_ASAN();
  Model m;
  script = chain(1 << 20);
  ASSERT_EQ(call(m), SCN_OK);
  ASSERT_EQ(call(m), SCN_OK);
  const int64_t block = m.info().block_bytes;
  ASSERT_GT(block, 0);
  int64_t freed = 0;
  ASSERT_EQ(scn_release_cached_memory(&freed), SCN_OK);
  EXPECT_GE(freed, block);
  EXPECT_EQ(m.info().block_bytes, 0);
  // The next call records again, the one after uses a new block.
  ASSERT_EQ(call(m), SCN_OK);
  ASSERT_EQ(call(m), SCN_OK);
  EXPECT_EQ(m.info().plans, 2);
  EXPECT_EQ(m.info().block_bytes, block);
}

} // namespace
