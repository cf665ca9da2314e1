//===- KernelMapTest.cpp - Kernel maps against brute force ----------------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include "KernelMap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <string>
#include <tuple>

using namespace scn::test;

namespace {

struct SubmanifoldCase {
  Grid grid;
  std::vector<int64_t> filter;
};

std::vector<SubmanifoldCase> submanifoldCases() {
  return {
      {{1, {60}, 3}, {5}},
      {{1, {60}, 2}, {4}}, // even: window [x-2, x+1]
      {{2, {12, 15}, 2}, {3, 3}},
      {{2, {12, 15}, 2}, {2, 5}},
      {{3, {10, 9, 11}, 2}, {3, 3, 3}},
      {{3, {10, 9, 11}, 2}, {2, 2, 2}},
      {{3, {10, 9, 11}, 2}, {3, 1, 3}},
      {{4, {6, 7, 5, 6}, 2}, {3, 3, 3, 3}},
      {{5, {5, 4, 5, 4, 5}, 2}, {3, 2, 3, 1, 3}},
      {{6, {4, 4, 5, 4, 3, 4}, 2}, {3, 3, 1, 3, 3, 2}},
      {{10, {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 2}, {3, 1, 3, 1, 1, 3, 1, 1, 3, 1}},
  };
}

std::string describe(const Grid &g, const std::vector<int64_t> &filter) {
  std::string s = "dim " + std::to_string(g.dim) + " filter";
  for (int64_t f : filter)
    s += " " + std::to_string(f);
  return s;
}

TEST(KernelMap, SubmanifoldSelfMapMatchesReference) {
  std::mt19937_64 rng(21);
  for (const SubmanifoldCase &c : submanifoldCases()) {
    SCOPED_TRACE(describe(c.grid, c.filter));
    std::vector<int64_t> rows = randomRows(rng, c.grid, 400, 0.1, -1);
    SitesGuard sites{inputSites(c.grid, rows, 3)};
    scn_kmap_t map = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, sites.sites,
                             c.filter.data(), nullptr, &map),
              SCN_OK)
        << scn_last_error_message();
    KmapGuard guard{map};
    std::vector<Site> s = sitesOf(sites.sites);
    EXPECT_EQ(neighborsOf(map), referenceSubmanifold(c.grid, s, s, c.filter));
    expectPairListsMatchTable(map);
  }
}

// Weight-stationary kernels run a block of output rows' offsets in turn
// (scn_cg_pair_blocks): on a map of many blocks, cut while the pair lists
// are filled by several threads' chunks, each block starts each offset at
// its rows' first pair, for the map and its transpose.
TEST(KernelMap, PairBlocksOfAManyBlockMap) {
  std::mt19937_64 rng(7);
  Grid grid{3, {48, 48, 48}, 2};
  std::vector<int64_t> rows = randomRows(rng, grid, 40000, 0.0, -1);
  SitesGuard sites{inputSites(grid, rows, 3)};
  std::vector<int64_t> filter{3, 3, 3};
  scn_kmap_t map = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, sites.sites, filter.data(),
                           nullptr, &map),
            SCN_OK)
      << scn_last_error_message();
  KmapGuard guard{map};
  expectPairListsMatchTable(map);
  EXPECT_GT(map->numPairBlocks, 50);
  // A deconvolution's map: the transpose of a strided one.
  int64_t two[3] = {2, 2, 2};
  scn_sites_t down = nullptr;
  ASSERT_EQ(scn_sites_downsample(sites.sites, two, two, &down), SCN_OK);
  SitesGuard small{down};
  scn_kmap_t strided = nullptr, transposed = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_STRIDED, sites.sites, down, two, two, &strided), SCN_OK)
      << scn_last_error_message();
  KmapGuard stridedGuard{strided};
  ASSERT_EQ(scn_kmap_transpose(strided, &transposed), SCN_OK) << scn_last_error_message();
  KmapGuard transposedGuard{transposed};
  expectPairListsMatchTable(strided);
  expectPairListsMatchTable(transposed);
  EXPECT_GT(transposed->numPairBlocks, 20);
  // With one thread, the same blocks.
  std::vector<int64_t> blocks(map->pairBlocks.data(),
                              map->pairBlocks.data() + map->pairBlocks.size());
  scn_set_num_threads(1);
  scn_kmap_t single = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, sites.sites, filter.data(),
                           nullptr, &single),
            SCN_OK);
  KmapGuard singleGuard{single};
  expectPairListsMatchTable(single);
  scn_set_num_threads(0);
  EXPECT_EQ(std::vector<int64_t>(single->pairBlocks.data(),
                                 single->pairBlocks.data() + single->pairBlocks.size()),
            blocks);
}

/// The key bit of each offset of `filter` in scn_kmap_get_row_order's key:
/// offsets stably sorted by L1 distance from the window's centre, the
/// farthest 64 kept, nearest of them bit 0; -1 for the others.
std::vector<int32_t> rowKeyBitsOf(const std::vector<int64_t> &filter) {
  int64_t K = 1;
  for (int64_t f : filter)
    K *= f;
  std::vector<double> distance(K);
  for (int64_t k = 0; k < K; ++k) {
    int64_t rest = k;
    for (size_t i = filter.size(); i-- > 0;) {
      distance[k] += std::abs(double(rest % filter[i]) - double(filter[i] - 1) / 2);
      rest /= filter[i];
    }
  }
  std::vector<int64_t> byDistance(K);
  std::iota(byDistance.begin(), byDistance.end(), 0);
  std::stable_sort(byDistance.begin(), byDistance.end(),
                   [&](int64_t a, int64_t b) { return distance[a] < distance[b]; });
  std::vector<int32_t> bitOf(K, -1);
  const int64_t dropped = std::max<int64_t>(0, K - 64);
  for (int64_t r = dropped; r < K; ++r)
    bitOf[byDistance[r]] = int32_t(r - dropped);
  return bitOf;
}

/// The position of `gray` in the reflected Gray code, bit by bit from the
/// top: b_i = g_i xor b_(i+1).
uint64_t grayPosition(uint64_t gray) {
  uint64_t b = 0;
  for (int i = 63; i >= 0; --i) {
    uint64_t above = i == 63 ? 0 : (b >> (i + 1)) & 1;
    b |= (((gray >> i) & 1) ^ above) << i;
  }
  return b;
}

/// The key order `keyOrder` with its whole blocks of 64 rows stably sorted
/// by the number of offsets their rows have between them (`lowMaskOf`),
/// most first; a last, partial block stays last.
template <typename MaskOf>
std::vector<int32_t> heaviestBlocksFirst(const std::vector<int32_t> &keyOrder,
                                         MaskOf lowMaskOf) {
  const size_t blocks = keyOrder.size() / 64;
  std::vector<int> offsets(blocks);
  for (size_t b = 0; b < blocks; ++b) {
    uint32_t any = 0;
    for (size_t i = 0; i < 64; ++i)
      any |= uint32_t(lowMaskOf(keyOrder[b * 64 + i]));
    offsets[b] = __builtin_popcount(any);
  }
  std::vector<size_t> byWeight(blocks);
  std::iota(byWeight.begin(), byWeight.end(), 0);
  std::stable_sort(byWeight.begin(), byWeight.end(),
                   [&](size_t a, size_t b) { return offsets[a] > offsets[b]; });
  std::vector<int32_t> order;
  for (size_t b : byWeight)
    order.insert(order.end(), keyOrder.begin() + b * 64, keyOrder.begin() + (b + 1) * 64);
  order.insert(order.end(), keyOrder.begin() + blocks * 64, keyOrder.end());
  return order;
}

/// The key order `keyOrder` packed within each chunk of 256 rows into blocks
/// of 64 (RowPacking.h's rules, written plainly): the runs of equal masks
/// (`lowMaskOf`) fill whole blocks of their own first; then each block
/// starts from the run with the fewest offsets (most rows left, then first)
/// and takes every run its union holds, in order, or else the run that adds
/// the fewest offsets (most rows left, most offsets, first), until full; a
/// block's rows keep their order.
template <typename MaskOf>
std::vector<int32_t> packedInChunks(const std::vector<int32_t> &keyOrder, MaskOf lowMaskOf) {
  struct Run {
    size_t start, length, left;
    uint32_t mask;
  };
  std::vector<int32_t> order;
  for (size_t base = 0; base < keyOrder.size(); base += 256) {
    const size_t end = std::min(keyOrder.size(), base + 256);
    std::vector<Run> runs;
    for (size_t i = base; i < end; ++i) {
      uint32_t mask = uint32_t(lowMaskOf(keyOrder[i]));
      if (runs.empty() || runs.back().mask != mask)
        runs.push_back({i, 0, 0, mask});
      ++runs.back().length;
      ++runs.back().left;
    }
    std::vector<std::vector<size_t>> blocks;
    auto take = [&](Run &run, size_t count, std::vector<size_t> &block) {
      for (size_t i = 0; i < count; ++i)
        block.push_back(run.start + run.length - run.left + i);
      run.left -= count;
    };
    for (Run &run : runs)
      while (run.left >= 64)
        take(run, 64, blocks.emplace_back());
    auto offsets = [](uint32_t mask) { return __builtin_popcount(mask); };
    for (;;) {
      Run *seed = nullptr;
      for (Run &run : runs)
        if (run.left && (!seed || std::make_pair(offsets(run.mask), -int(run.left)) <
                                      std::make_pair(offsets(seed->mask), -int(seed->left))))
          seed = &run;
      if (!seed)
        break;
      std::vector<size_t> block;
      uint32_t all = seed->mask;
      take(*seed, seed->left, block);
      while (block.size() < 64) {
        bool held = false;
        for (Run &run : runs)
          if (run.left && (run.mask & ~all) == 0 && block.size() < 64) {
            held = true;
            take(run, std::min(run.left, 64 - block.size()), block);
          }
        if (held)
          continue;
        Run *pick = nullptr;
        auto rank = [&](const Run &run) {
          return std::make_tuple(offsets(run.mask | all), -int(run.left), -offsets(run.mask));
        };
        for (Run &run : runs)
          if (run.left && (!pick || rank(run) < rank(*pick)))
            pick = &run;
        if (!pick)
          break;
        all |= pick->mask;
        take(*pick, std::min(pick->left, 64 - block.size()), block);
      }
      blocks.push_back(block);
    }
    for (std::vector<size_t> &block : blocks) {
      std::sort(block.begin(), block.end());
      for (size_t i : block)
        order.push_back(keyOrder[i]);
    }
  }
  return order;
}

/// scn_kmap_get_row_order: the output rows stably sorted by the Gray code
/// position of their masks over rowKeyBitsOf's bits (by default and with
/// SCN_RUNTIME_ROW_ORDER=gray), or by the plain mask of the first 64
/// offsets (=mask); then, for windows of up to 32 offsets, packed within
/// chunks (packedInChunks; by default and with SCN_RUNTIME_ROW_PACKING=chunks,
/// =key keeps the key's cuts), then its whole blocks of 64 rows heaviest
/// first (by default and with SCN_RUNTIME_BLOCK_ORDER=heaviest; =key keeps
/// the order before); and
/// scn_kmap_get_row_masks: the masks of those rows (first 32 offsets), in
/// that order; scn_kmap_get_row_table: their table rows in that order.
TEST(KernelMap, RowOrderSortsRowsByNeighbourMaskKey) {
  int blockOrdersThatMoved = 0, packingsThatMoved = 0;
  for (const char *choice : {static_cast<const char *>(nullptr), "gray", "mask"})
  for (const char *packing : {static_cast<const char *>(nullptr), "chunks", "key"})
  for (const char *blocks : {static_cast<const char *>(nullptr), "heaviest", "key"}) {
    SCOPED_TRACE(choice ? choice : "default");
    SCOPED_TRACE(packing ? packing : "default packing");
    SCOPED_TRACE(blocks ? blocks : "default blocks");
    ScopedEnv env("SCN_RUNTIME_ROW_ORDER", choice);
    ScopedEnv packingEnv("SCN_RUNTIME_ROW_PACKING", packing);
    ScopedEnv blockEnv("SCN_RUNTIME_BLOCK_ORDER", blocks);
    const bool plain = choice && std::string(choice) == "mask";
    const bool keyCuts = packing && std::string(packing) == "key";
    const bool keyBlocks = blocks && std::string(blocks) == "key";
    std::mt19937_64 rng(22);
    for (const SubmanifoldCase &c : submanifoldCases()) {
      SCOPED_TRACE(describe(c.grid, c.filter));
      std::vector<int64_t> rows = randomRows(rng, c.grid, 400, 0.1, -1);
      SitesGuard sites{inputSites(c.grid, rows, 3)};
      KmapGuard map{nullptr};
      ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, sites.sites,
                               c.filter.data(), nullptr, &map.map),
                SCN_OK);
      const int32_t *order = nullptr;
      ASSERT_EQ(scn_kmap_get_row_order(map.map, &order), SCN_OK) << scn_last_error_message();
      std::vector<int32_t> table = neighborsOf(map.map);
      const size_t K = table.size() / sitesOf(sites.sites).size();
      std::vector<int32_t> bitOf = rowKeyBitsOf(c.filter);
      ASSERT_EQ(bitOf.size(), K);
      if (plain)
        for (size_t k = 0; k < K; ++k)
          bitOf[k] = k < 64 ? int32_t(k) : -1;
      auto keyOf = [&](int32_t o) {
        uint64_t mask = 0;
        for (size_t k = 0; k < K; ++k)
          if (bitOf[k] >= 0)
            mask |= uint64_t(table[o * K + k] >= 0) << bitOf[k];
        return plain ? mask : grayPosition(mask);
      };
      auto lowMaskOf = [&](int32_t o) {
        uint32_t mask = 0;
        for (size_t k = 0; k < std::min<size_t>(K, 32); ++k)
          mask |= uint32_t(table[o * K + k] >= 0) << k;
        return int32_t(mask);
      };
      const int64_t n = int64_t(table.size() / K);
      std::vector<int32_t> sorted(order, order + n);
      std::vector<int32_t> expected(n);
      std::iota(expected.begin(), expected.end(), 0);
      std::stable_sort(expected.begin(), expected.end(),
                       [&](int32_t a, int32_t b) { return keyOf(a) < keyOf(b); });
      if (!keyCuts && K <= 32 && n > 64) {
        std::vector<int32_t> packed = packedInChunks(expected, lowMaskOf);
        packingsThatMoved += packed != expected;
        expected = packed;
      }
      if (!keyBlocks && K <= 32) {
        std::vector<int32_t> byBlocks = heaviestBlocksFirst(expected, lowMaskOf);
        blockOrdersThatMoved += byBlocks != expected;
        expected = byBlocks;
      }
      EXPECT_EQ(sorted, expected);
      const int32_t *masks = nullptr;
      ASSERT_EQ(scn_kmap_get_row_masks(map.map, &masks), SCN_OK) << scn_last_error_message();
      std::vector<int32_t> expectedMasks(n);
      for (int64_t i = 0; i < n; ++i)
        expectedMasks[i] = lowMaskOf(order[i]);
      EXPECT_EQ(std::vector<int32_t>(masks, masks + n), expectedMasks);
      const int32_t *rowTable = nullptr;
      ASSERT_EQ(scn_kmap_get_row_table(map.map, &rowTable), SCN_OK) << scn_last_error_message();
      std::vector<int32_t> expectedTable;
      for (int64_t i = 0; i < n; ++i)
        expectedTable.insert(expectedTable.end(), table.begin() + order[i] * K,
                             table.begin() + (order[i] + 1) * K);
      EXPECT_EQ(std::vector<int32_t>(rowTable, rowTable + n * K), expectedTable);
    }
  }
  // The cases have blocks of different weights in key order, and chunks the
  // packing changes (else neither step is tested).
  EXPECT_GT(blockOrdersThatMoved, 0);
  EXPECT_GT(packingsThatMoved, 0);
  // Any other choice is an error that names the variable.
  ScopedEnv env("SCN_RUNTIME_ROW_ORDER", "sorted");
  SitesGuard sites{inputSites(submanifoldCases()[4].grid,
                              {1, 1, 1, 0, 1, 2, 1, 0}, 3)};
  KmapGuard map{nullptr};
  const int64_t three[3] = {3, 3, 3};
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, sites.sites, three, nullptr,
                           &map.map),
            SCN_OK);
  const int32_t *order = nullptr;
  EXPECT_EQ(scn_kmap_get_row_order(map.map, &order), SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(scn_last_error_message()),
            "scn_kmap_get_row_order: SCN_RUNTIME_ROW_ORDER = \"sorted\" is neither \"gray\" "
            "(the default) nor \"mask\"");
  // As is any other block order or packing, on a map of one partial block
  // as on one of several whole blocks (the variables are read for every
  // order).
  ScopedEnv keyEnv("SCN_RUNTIME_ROW_ORDER", nullptr);
  struct BadChoice {
    const char *variable, *value, *choices;
  };
  for (const BadChoice &bad :
       {BadChoice{"SCN_RUNTIME_BLOCK_ORDER", "lightest", "\"heaviest\" (the default) nor \"key\""},
        BadChoice{"SCN_RUNTIME_ROW_PACKING", "greedy", "\"chunks\" (the default) nor \"key\""}}) {
    ScopedEnv badEnv(bad.variable, bad.value);
    for (int64_t rows : {2, 300}) {
      SCOPED_TRACE(std::string(bad.variable) + ", " + std::to_string(rows) + " rows");
      std::vector<int64_t> line;
      for (int64_t x = 0; x < rows; ++x)
        line.insert(line.end(), {x, 0, 0, 0});
      SitesGuard lineSites{inputSites(Grid{3, {300, 3, 3}, 1}, line, 3)};
      KmapGuard lineMap{nullptr};
      ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, lineSites.sites, lineSites.sites, three,
                               nullptr, &lineMap.map),
                SCN_OK)
          << scn_last_error_message();
      EXPECT_EQ(scn_kmap_get_row_order(lineMap.map, &order), SCN_ERROR_INVALID_ARGUMENT);
      EXPECT_EQ(std::string(scn_last_error_message()),
                std::string("scn_kmap_get_row_order: ") + bad.variable + " = \"" + bad.value +
                    "\" is neither " + bad.choices);
    }
  }
}

TEST(KernelMap, SubmanifoldBetweenTwoSetsMatchesReference) {
  std::mt19937_64 rng(22);
  for (const SubmanifoldCase &c : submanifoldCases()) {
    SCOPED_TRACE(describe(c.grid, c.filter));
    SitesGuard in{inputSites(c.grid, randomRows(rng, c.grid, 300, 0.1, -1), 1)};
    SitesGuard out{inputSites(c.grid, randomRows(rng, c.grid, 200, 0.1, -1), 1)};
    scn_kmap_t map = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, in.sites, out.sites,
                             c.filter.data(), nullptr, &map),
              SCN_OK)
        << scn_last_error_message();
    KmapGuard guard{map};
    EXPECT_EQ(neighborsOf(map), referenceSubmanifold(c.grid, sitesOf(in.sites),
                                                     sitesOf(out.sites),
                                                     c.filter));
    expectPairListsMatchTable(map);
  }
}

/// The sort-merge join (chunked over threads) and the hash lookups give the
/// same table: on sets large enough for several chunks, with a filter wider
/// than 3, and on a grid too large for 62-bit padded keys (hash only).
TEST(KernelMap, SubmanifoldSortedJoinAndHashLookupsAgree) {
  std::mt19937_64 rng(23);
  const std::vector<SubmanifoldCase> cases = {
      {{3, {48, 40, 44}, 3}, {3, 3, 3}},
      {{3, {48, 40, 44}, 2}, {5, 3, 4}},
      {{2, {200, 180}, 2}, {3, 3}},
      {{3, {int64_t(1) << 30, int64_t(1) << 30, 64}, 2}, {3, 3, 3}},
  };
  for (const SubmanifoldCase &c : cases) {
    SCOPED_TRACE(describe(c.grid, c.filter));
    std::vector<int64_t> rows;
    if (c.grid.size[0] > (int64_t(1) << 20)) {
      // A clustered set on a huge grid: random sites would have no neighbours.
      for (int64_t i = 0; i < 3000; ++i)
        rows.insert(rows.end(), {int64_t((int64_t(1) << 29) + rng() % 12),
                                 int64_t(5 + rng() % 14), int64_t(rng() % 64),
                                 int64_t(rng() % 2)});
    } else {
      rows = randomRows(rng, c.grid, 9000, 0.1, -1);
    }
    SitesGuard in{inputSites(c.grid, rows, 3)};
    auto build = [&](const char *algorithm) {
      scn_kmap_t map = nullptr;
      scn_status_t status;
      {
        ScopedEnv env("SCN_RUNTIME_ALGORITHMS", algorithm);
        status = scn_kmap_build(SCN_KMAP_SUBMANIFOLD, in.sites, in.sites, c.filter.data(),
                                nullptr, &map);
      }
      EXPECT_EQ(status, SCN_OK) << scn_last_error_message();
      KmapGuard guard{map};
      return neighborsOf(map);
    };
    std::vector<int32_t> sorted = build("sort"), hashed = build("hash");
    EXPECT_EQ(sorted, hashed);
    if (c.grid.size[0] <= 200)
      EXPECT_EQ(sorted, referenceSubmanifold(c.grid, sitesOf(in.sites),
                                             sitesOf(in.sites), c.filter));
  }
}

struct StridedCase {
  Grid grid;
  std::vector<int64_t> filter, stride;
};

std::vector<StridedCase> stridedCases() {
  return {
      {{1, {41}, 3}, {3}, {2}},
      {{1, {37}, 2}, {1}, {3}},
      {{2, {17, 16}, 3}, {3, 2}, {2, 2}},
      {{2, {16, 13}, 2}, {4, 1}, {4, 3}},
      {{3, {16, 16, 16}, 2}, {2, 2, 2}, {2, 2, 2}},
      {{3, {15, 15, 15}, 3}, {3, 3, 3}, {2, 2, 2}},
      {{3, {9, 10, 11}, 2}, {3, 2, 5}, {3, 4, 2}},
      {{4, {7, 6, 7, 5}, 2}, {3, 2, 3, 1}, {2, 2, 1, 1}},
      {{5, {5, 5, 4, 5, 3}, 2}, {3, 1, 2, 3, 3}, {2, 1, 2, 1, 1}},
      {{6, {4, 5, 4, 3, 4, 5}, 2}, {2, 3, 2, 1, 2, 3}, {2, 2, 1, 1, 2, 1}},
      {{10, {3, 4, 3, 2, 3, 2, 3, 2, 3, 4}, 2},
       {3, 2, 1, 2, 3, 1, 1, 2, 1, 2},
       {1, 2, 1, 1, 1, 1, 2, 1, 2, 1}},
  };
}

Grid smallGrid(const StridedCase &c) {
  Grid g = c.grid;
  for (int32_t i = 0; i < g.dim; ++i)
    g.size[i] = (g.size[i] - c.filter[i]) / c.stride[i] + 1;
  return g;
}

TEST(KernelMap, StridedTransposedAndFullMatchReference) {
  std::mt19937_64 rng(23);
  for (const StridedCase &c : stridedCases()) {
    SCOPED_TRACE(describe(c.grid, c.filter));
    SitesGuard big{inputSites(c.grid, randomRows(rng, c.grid, 300, 0.1, 0), 4)};
    scn_sites_t down = nullptr;
    ASSERT_EQ(scn_sites_downsample(big.sites, c.filter.data(), c.stride.data(),
                                   &down),
              SCN_OK);
    SitesGuard small{down};
    std::vector<Site> bigSites = sitesOf(big.sites), smallSites = sitesOf(down);

    scn_kmap_t strided = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_STRIDED, big.sites, down, c.filter.data(),
                             c.stride.data(), &strided),
              SCN_OK)
        << scn_last_error_message();
    KmapGuard g1{strided};
    EXPECT_EQ(neighborsOf(strided),
              referenceStrided(bigSites, smallSites, c.filter, c.stride));
    expectPairListsMatchTable(strided);

    scn_kmap_t transposed = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_TRANSPOSED, down, big.sites,
                             c.filter.data(), c.stride.data(), &transposed),
              SCN_OK)
        << scn_last_error_message();
    KmapGuard g2{transposed};
    std::vector<int32_t> expected = referenceTransposed(
        smallGrid(c), smallSites, bigSites, c.filter, c.stride);
    EXPECT_EQ(neighborsOf(transposed), expected);
    expectPairListsMatchTable(transposed);

    scn_kmap_t derived = nullptr;
    ASSERT_EQ(scn_kmap_transpose(strided, &derived), SCN_OK);
    KmapGuard g3{derived};
    EXPECT_EQ(neighborsOf(derived), expected);
    expectPairListsMatchTable(derived);
    scn_kmap_info_t info;
    ASSERT_EQ(scn_kmap_get_info(derived, &info), SCN_OK);
    EXPECT_EQ(info.kind, SCN_KMAP_TRANSPOSED);
    EXPECT_EQ(info.num_in, int64_t(smallSites.size()));
    EXPECT_EQ(info.num_out, int64_t(bigSites.size()));

    // Full convolution from the small set back up to the big grid.
    scn_sites_t full = nullptr;
    ASSERT_EQ(scn_sites_full(down, c.filter.data(), c.stride.data(), &full),
              SCN_OK);
    SitesGuard fullGuard{full};
    scn_kmap_t fullMap = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_FULL, down, full, c.filter.data(),
                             c.stride.data(), &fullMap),
              SCN_OK)
        << scn_last_error_message();
    KmapGuard g4{fullMap};
    EXPECT_EQ(neighborsOf(fullMap),
              referenceTransposed(smallGrid(c), smallSites, sitesOf(full),
                                  c.filter, c.stride));
    expectPairListsMatchTable(fullMap);
    // Every full-set site is reached by some input.
    std::vector<int32_t> table = neighborsOf(fullMap);
    const int64_t numFull = int64_t(sitesOf(full).size());
    const int64_t volume = int64_t(table.size()) / std::max<int64_t>(numFull, 1);
    for (int64_t o = 0; o < numFull; ++o) {
      bool reached = false;
      for (int64_t k = 0; k < volume; ++k)
        reached |= table[o * volume + k] >= 0;
      EXPECT_TRUE(reached) << "full site " << o;
    }
  }
}

TEST(KernelMap, MapsIndependentOfThreadCount) {
  Grid grid{3, {96, 96, 48}, 2};
  std::mt19937_64 rng(24);
  std::vector<int64_t> rows = randomRows(rng, grid, 50000, 0.05, -1);
  int64_t three[3] = {3, 3, 3}, two[3] = {2, 2, 2}, even[3] = {2, 4, 2};
  std::vector<std::vector<int32_t>> tables[2];
  for (int32_t t = 0; t < 2; ++t) {
    scn_set_num_threads(t + 1);
    SitesGuard in{inputSites(grid, rows, 0 + 3)};
    scn_sites_t down = nullptr;
    ASSERT_EQ(scn_sites_downsample(in.sites, two, two, &down), SCN_OK);
    SitesGuard small{down};
    for (auto [kind, a, b, f, s] :
         {std::make_tuple(SCN_KMAP_SUBMANIFOLD, in.sites, in.sites, three, two),
          std::make_tuple(SCN_KMAP_SUBMANIFOLD, in.sites, in.sites, even, two),
          std::make_tuple(SCN_KMAP_STRIDED, in.sites, down, two, two),
          std::make_tuple(SCN_KMAP_TRANSPOSED, down, in.sites, two, two)}) {
      scn_kmap_t map = nullptr;
      ASSERT_EQ(scn_kmap_build(kind, a, b, f, s, &map), SCN_OK);
      KmapGuard guard{map};
      tables[t].push_back(neighborsOf(map));
      scn_kmap_info_t info;
      ASSERT_EQ(scn_kmap_get_info(map, &info), SCN_OK);
      tables[t].emplace_back(info.pair_in_rows,
                             info.pair_in_rows + info.num_pairs);
    }
  }
  scn_set_num_threads(0);
  ASSERT_EQ(tables[0].size(), tables[1].size());
  for (size_t i = 0; i < tables[0].size(); ++i)
    EXPECT_EQ(tables[0][i], tables[1][i]) << "array " << i;
}

TEST(KernelMap, MapOutlivesItsSites) {
  Grid grid{2, {8, 8}, 1};
  scn_sites_t sites = inputSites(grid, {1, 1, 0, 1, 2, 0}, 0);
  int64_t filter[2] = {3, 3};
  scn_kmap_t map = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, nullptr, filter,
                           nullptr, &map),
            SCN_OK);
  scn_sites_free(sites);
  std::vector<int32_t> table = neighborsOf(map);
  // Site (1,1) meets (1,2) through offset (1,2) = k 5, and back through k 3.
  EXPECT_EQ(table[0 * 9 + 5], 1);
  EXPECT_EQ(table[1 * 9 + 3], 0);
  EXPECT_EQ(table[0 * 9 + 4], 0);
  scn_kmap_free(map);
}

} // namespace
