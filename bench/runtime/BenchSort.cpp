//===- BenchSort.cpp - The runtime's radix sort against std::sort ---------===//
//
// Part of the SCN compiler benchmarks.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Why RadixSort.h is hand-written: it sorts (key, row) pairs of keys of a
/// known width. This compares it, on one thread, with std::sort and
/// std::stable_sort of the same pairs (the stable order is what the site
/// numbering needs). Keys: 173,011 distinct 30-bit keys in random order, the
/// size and width of the LiDAR scan's level-0 set. Built from the runtime's
/// sources directly (the sort is internal to the library).
///
//===----------------------------------------------------------------------===//

#include "RadixSort.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

namespace {

constexpr int64_t kSites = 173011;
constexpr int32_t kBits = 30;

std::vector<uint64_t> randomKeys() {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> keys(kSites);
  for (uint64_t &k : keys)
    k = rng() & ((uint64_t(1) << kBits) - 1);
  return keys;
}

void BM_RadixSortPairs(benchmark::State &state) {
  std::vector<uint64_t> input = randomKeys();
  scn::rt::Array<uint64_t> keys(kSites);
  scn::rt::Array<int32_t> rows(kSites);
  for (auto _ : state) {
    for (int64_t i = 0; i < kSites; ++i) {
      keys[i] = input[i];
      rows[i] = int32_t(i);
    }
    scn::rt::radixSortPairs(keys, rows, kSites, kBits);
    benchmark::DoNotOptimize(keys.data());
  }
}

template <bool Stable> void BM_StdSortPairs(benchmark::State &state) {
  std::vector<uint64_t> input = randomKeys();
  std::vector<std::pair<uint64_t, int32_t>> pairs(kSites);
  for (auto _ : state) {
    for (int64_t i = 0; i < kSites; ++i)
      pairs[i] = {input[i], int32_t(i)};
    auto byKey = [](const auto &a, const auto &b) { return a.first < b.first; };
    if (Stable)
      std::stable_sort(pairs.begin(), pairs.end(), byKey);
    else
      std::sort(pairs.begin(), pairs.end(), byKey);
    benchmark::DoNotOptimize(pairs.data());
  }
}

} // namespace

BENCHMARK(BM_RadixSortPairs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StdSortPairs<false>)->Name("BM_StdSort")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StdSortPairs<true>)->Name("BM_StdStableSort")->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
