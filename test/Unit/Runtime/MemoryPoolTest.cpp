//===- MemoryPoolTest.cpp - Reuse of freed blocks -------------------------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"
#include "Sanitizers.h"

#include <gtest/gtest.h>

using namespace scn::test;

namespace {

/// A set and map big enough for pooled blocks (>= 1 MiB), built twice: the
/// second build reuses the first one's freed blocks (uninitialised memory
/// with old contents) and must give the same result; releasing the cache
/// afterwards returns those blocks.
TEST(MemoryPool, ReusedBlocksGiveTheSameMapsAndCanBeReleased) {
  std::mt19937_64 rng(31);
  Grid grid{3, {64, 64, 64}, 2};
  std::vector<int64_t> rows = randomRows(rng, grid, 150000, 0.2, -1);
  const int64_t filter[3] = {3, 3, 3};
  std::vector<int32_t> first;
  for (int round = 0; round < 2; ++round) {
    SitesGuard sites{inputSites(grid, rows, 4)};
    scn_kmap_t map = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, sites.sites, filter,
                             nullptr, &map),
              SCN_OK)
        << scn_last_error_message();
    KmapGuard guard{map};
    if (round == 0)
      first = neighborsOf(map);
    else
      EXPECT_EQ(neighborsOf(map), first);
  }
  int64_t freed = -1;
  ASSERT_EQ(scn_release_cached_memory(&freed), SCN_OK);
#ifdef SCN_UNDER_ADDRESS_SANITIZER
  EXPECT_EQ(freed, 0); // the pool is off under AddressSanitizer
#else
  EXPECT_GT(freed, int64_t(1) << 20);
#endif
  ASSERT_EQ(scn_release_cached_memory(&freed), SCN_OK);
  EXPECT_EQ(freed, 0);
  EXPECT_EQ(scn_release_cached_memory(nullptr), SCN_OK);
}

} // namespace
