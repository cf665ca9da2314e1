//===- RowPackingTest.cpp - packChunk with one lane and with 32 -----------===//
//
// The row order's packing (runtime/lib/CPU/RowPacking.h) runs with one lane
// on the CPU and with a warp's 32 lanes on the GPU. Here 32 threads play the
// warp's lanes, their collectives exchanged through a barrier, so that
// the lanes' split of the slots, their collectives and the writes one lane
// makes for rows another owns are checked without a GPU. KernelMapTest checks
// the one-lane packing against a plain reference.
//
//===----------------------------------------------------------------------===//

#include "RowPacking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

using namespace scn::rt;

namespace {

/// What 32 threads share to act as a warp: a barrier and a slot a lane.
struct Exchange {
  std::mutex mutex;
  std::condition_variable turned;
  int32_t arrived = 0;
  uint64_t generation = 0;
  uint64_t words[32] = {};

  void barrier() {
    std::unique_lock<std::mutex> lock(mutex);
    uint64_t mine = generation;
    if (++arrived == 32) {
      arrived = 0;
      ++generation;
      turned.notify_all();
      return;
    }
    turned.wait(lock, [&] { return generation != mine; });
  }
};

/// A lane of a warp played by a thread: RowPacking.h's group interface.
struct LockstepGroup {
  static constexpr int32_t kLanes = 32;
  int32_t laneId;
  Exchange *exchange;

  int32_t lane() const { return laneId; }
  uint32_t allMin(uint32_t v) const {
    exchange->words[laneId] = v;
    exchange->barrier();
    uint32_t least = uint32_t(*std::min_element(exchange->words, exchange->words + 32));
    exchange->barrier();
    return least;
  }
  uint32_t allOr(uint32_t v) const {
    exchange->words[laneId] = v;
    exchange->barrier();
    uint32_t any = 0;
    for (uint64_t word : exchange->words)
      any |= uint32_t(word);
    exchange->barrier();
    return any;
  }
  uint32_t minAfter(uint32_t v) const {
    exchange->words[laneId] = v;
    exchange->barrier();
    uint32_t least = ~uint32_t(0);
    for (int32_t l = laneId + 1; l < 32; ++l)
      least = std::min(least, uint32_t(exchange->words[l]));
    exchange->barrier();
    return least;
  }
  int32_t exclusiveSum(int32_t v, int32_t &total) const {
    exchange->words[laneId] = uint64_t(v);
    exchange->barrier();
    int32_t before = 0;
    total = 0;
    for (int32_t l = 0; l < 32; ++l) {
      before += l < laneId ? int32_t(exchange->words[l]) : 0;
      total += int32_t(exchange->words[l]);
    }
    exchange->barrier();
    return before;
  }
  void sync() const { exchange->barrier(); }
};

/// Masks in runs of equal values, as a key order has them: mostly short
/// runs over a few offsets, some of 64 rows or more.
std::vector<int32_t> runsOfMasks(std::mt19937_64 &rng, int64_t rows) {
  std::vector<int32_t> masks;
  while (int64_t(masks.size()) < rows) {
    uint32_t mask = 1u << 13; // the centre
    for (int bit = 0; bit < 27; ++bit)
      if (rng() % 5 == 0)
        mask |= 1u << bit;
    int64_t length = rng() % 10 == 0 ? 40 + int64_t(rng() % 100) : 1 + int64_t(rng() % 4);
    masks.insert(masks.end(), size_t(std::min(length, rows - int64_t(masks.size()))),
                 int32_t(mask));
  }
  return masks;
}

struct Packed {
  std::vector<int32_t> order, masks;
};

template <typename PackOne>
Packed packAll(const std::vector<int32_t> &keyMasks, PackOne packOne) {
  const int64_t rows = int64_t(keyMasks.size());
  std::vector<int32_t> keyOrder(rows);
  // Row ids unlike positions, so that a mix-up of the two shows.
  for (int64_t i = 0; i < rows; ++i)
    keyOrder[i] = int32_t(rows - 1 - i);
  Packed out{std::vector<int32_t>(rows, -1), std::vector<int32_t>(rows, -1)};
  std::vector<int32_t> rowBlock(rows, -1);
  for (int64_t c = 0; c * kPackChunkRows < rows; ++c)
    packOne(c, rows, keyOrder.data(), keyMasks.data(), rowBlock.data(), out.order.data(),
            out.masks.data());
  return out;
}

} // namespace

TEST(RowPacking, ThirtyTwoLanesPackAsOneLaneDoes) {
  std::mt19937_64 rng(5);
  // Several whole chunks and a partial one; one partial chunk; one block
  // and a row.
  for (int64_t rows : {int64_t(3 * kPackChunkRows + 100), int64_t(150), int64_t(65)}) {
    SCOPED_TRACE(rows);
    std::vector<int32_t> keyMasks = runsOfMasks(rng, rows);
    Packed serial = packAll(keyMasks, [](auto... args) { packChunk(SerialGroup{}, args...); });
    Packed warp = packAll(keyMasks, [](auto... args) {
      Exchange exchange;
      std::vector<std::thread> lanes;
      for (int32_t lane = 0; lane < 32; ++lane)
        lanes.emplace_back([&, lane] { packChunk(LockstepGroup{lane, &exchange}, args...); });
      for (std::thread &t : lanes)
        t.join();
    });
    EXPECT_EQ(warp.order, serial.order);
    EXPECT_EQ(warp.masks, serial.masks);
    // Each chunk holds its own rows, moved with their masks.
    for (int64_t base = 0; base < rows; base += kPackChunkRows) {
      const int64_t end = std::min(rows, base + kPackChunkRows);
      std::vector<int32_t> chunk(serial.order.begin() + base, serial.order.begin() + end);
      std::sort(chunk.begin(), chunk.end());
      std::vector<int32_t> expected(end - base);
      std::iota(expected.begin(), expected.end(), int32_t(rows - end));
      EXPECT_EQ(chunk, expected) << "chunk at " << base;
      for (int64_t i = base; i < end; ++i)
        EXPECT_EQ(serial.masks[i], keyMasks[rows - 1 - serial.order[i]]) << i;
    }
  }
}

TEST(RowPacking, BlocksHoldFewerOffsetsThanTheKeysCuts) {
  // Runs of 40 rows of two alternating masks, each followed by a row of an
  // unrelated mask: the key's cuts mix them in every block, the packing
  // puts the 40-row runs of one mask together.
  std::vector<int32_t> keyMasks;
  for (int i = 0; keyMasks.size() < size_t(kPackChunkRows); ++i) {
    keyMasks.insert(keyMasks.end(), 40, i % 2 ? 0x7 : 0x38);
    keyMasks.push_back(int32_t(1u << (6 + i % 20)));
  }
  keyMasks.resize(kPackChunkRows);
  Packed packed = packAll(keyMasks, [](auto... args) { packChunk(SerialGroup{}, args...); });
  auto unionSteps = [](const std::vector<int32_t> &masks) {
    int32_t steps = 0;
    for (size_t b = 0; b < masks.size(); b += 64) {
      uint32_t any = 0;
      for (size_t i = b; i < b + 64; ++i)
        any |= uint32_t(masks[i]);
      steps += __builtin_popcount(any);
    }
    return steps;
  };
  EXPECT_LT(unionSteps(packed.masks), unionSteps(keyMasks));
}
