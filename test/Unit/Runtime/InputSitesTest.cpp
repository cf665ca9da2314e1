//===- InputSitesTest.cpp - InputLayer site sets against a reference ------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <gtest/gtest.h>

using namespace scn::test;

namespace {

/// Grids of every tested dimension, small enough that duplicates happen.
std::vector<Grid> testGrids() {
  return {{1, {40}, 3},
          {2, {9, 13}, 4},
          {3, {8, 7, 9}, 3},
          {4, {5, 6, 4, 5}, 2},
          {5, {4, 3, 5, 4, 3}, 3},
          {6, {3, 4, 3, 2, 3, 4}, 2},
          {10, {3, 2, 3, 2, 2, 3, 2, 2, 3, 2}, 2}};
}

void expectMergeMap(scn_sites_t sites, const RefInput &ref, int32_t mode) {
  scn_merge_map_t map;
  ASSERT_EQ(scn_sites_get_merge_map(sites, &map), SCN_OK);
  EXPECT_EQ(map.mode, mode);
  EXPECT_EQ(map.num_sites, int64_t(ref.sites.size()));
  ASSERT_EQ(map.num_rows, int64_t(ref.rowToSite.size()));
  EXPECT_EQ(std::vector<int32_t>(map.row_to_site, map.row_to_site + map.num_rows),
            ref.rowToSite);
  EXPECT_EQ(std::vector<int32_t>(map.site_source_row,
                                 map.site_source_row + map.num_sites),
            ref.sourceRow);
  EXPECT_EQ(std::vector<int32_t>(map.site_row_count,
                                 map.site_row_count + map.num_sites),
            ref.rowCount);
  // The rows merged into each site, ascending (scn_sites_get_rows_by_site).
  std::vector<int32_t> expectedStart{0}, expectedRows;
  for (int32_t s = 0; s < int32_t(ref.sites.size()); ++s) {
    for (int32_t r = 0; r < int32_t(ref.rowToSite.size()); ++r)
      if (ref.rowToSite[r] == s)
        expectedRows.push_back(r);
    expectedStart.push_back(int32_t(expectedRows.size()));
  }
  const int32_t *start = nullptr, *rows = nullptr;
  ASSERT_EQ(scn_sites_get_rows_by_site(sites, &start, &rows), SCN_OK) << scn_last_error_message();
  EXPECT_EQ(std::vector<int32_t>(start, start + expectedStart.size()), expectedStart);
  // Then the dropped rows (site -1), ascending: all R entries are there.
  for (int32_t r = 0; r < int32_t(ref.rowToSite.size()); ++r)
    if (ref.rowToSite[r] < 0)
      expectedRows.push_back(r);
  EXPECT_EQ(std::vector<int32_t>(rows, rows + expectedRows.size()), expectedRows);
}

TEST(InputSites, EveryModeMatchesReference) {
  std::mt19937_64 rng(1);
  for (const Grid &grid : testGrids())
    for (int32_t mode = 0; mode <= 4; ++mode) {
      SCOPED_TRACE("dim " + std::to_string(grid.dim) + " mode " +
                   std::to_string(mode));
      // Mode 0 needs unique sites: dedupe through the reference.
      std::vector<int64_t> rows = randomRows(rng, grid, 300, 0.3, 1);
      if (mode == 0) {
        RefInput unique = referenceInput(grid.dim, rows, 1);
        rows.clear();
        for (const Site &s : unique.sites)
          rows.insert(rows.end(), s.begin(), s.end());
      }
      RefInput ref = referenceInput(grid.dim, rows, mode);
      SitesGuard sites{inputSites(grid, rows, mode)};
      ASSERT_NE(sites.sites, nullptr);
      EXPECT_EQ(sitesOf(sites.sites), ref.sites);
      expectMergeMap(sites.sites, ref, mode);
    }
}

TEST(InputSites, Int32CoordinatesGiveTheSameSet) {
  std::mt19937_64 rng(2);
  Grid grid{3, {30, 20, 10}, 2};
  std::vector<int64_t> rows = randomRows(rng, grid, 500, 0.2, -1);
  std::vector<int32_t> rows32(rows.begin(), rows.end());
  scn_sites_t sites32 = nullptr;
  ASSERT_EQ(scn_sites_from_coords(3, grid.size.data(), rows32.data(),
                                  SCN_INDEX_INT32, 500, 4, 4, 0, &sites32),
            SCN_OK);
  SitesGuard a{sites32}, b{inputSites(grid, rows, 4)};
  EXPECT_EQ(sitesOf(a.sites), sitesOf(b.sites));
}

TEST(InputSites, BatchSizeIsMaxOfArgumentAndData) {
  std::vector<int64_t> spatial{4, 4};
  std::vector<int64_t> rows{0, 0, 0, 1, 1, 3};
  for (auto [arg, expected] : std::vector<std::pair<int64_t, int64_t>>{
           {0, 4}, {-5, 4}, {2, 4}, {7, 7}}) {
    scn_sites_t sites = nullptr;
    ASSERT_EQ(scn_sites_from_coords(2, spatial.data(), rows.data(),
                                    SCN_INDEX_INT64, 2, 3, 0, arg, &sites),
              SCN_OK);
    scn_sites_info_t info;
    ASSERT_EQ(scn_sites_get_info(sites, &info), SCN_OK);
    EXPECT_EQ(info.batch_size, expected) << "batch_size argument " << arg;
    scn_sites_free(sites);
  }
}

TEST(InputSites, EmptyInputGivesEmptySet) {
  std::vector<int64_t> spatial{4, 4, 4};
  scn_sites_t sites = nullptr;
  ASSERT_EQ(scn_sites_from_coords(3, spatial.data(), nullptr, SCN_INDEX_INT64,
                                  0, 4, 3, 0, &sites),
            SCN_OK);
  scn_sites_info_t info;
  ASSERT_EQ(scn_sites_get_info(sites, &info), SCN_OK);
  EXPECT_EQ(info.num_sites, 0);
  EXPECT_EQ(info.batch_size, 1);
  int64_t filter[3] = {2, 2, 2};
  scn_sites_t down = nullptr;
  ASSERT_EQ(scn_sites_downsample(sites, filter, filter, &down), SCN_OK);
  scn_kmap_t map = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_STRIDED, sites, down, filter, filter, &map),
            SCN_OK);
  scn_kmap_free(map);
  scn_sites_free(down);
  scn_sites_free(sites);
}

TEST(InputSites, FindReturnsRowsAndMinusOne) {
  Grid grid{2, {10, 10}, 2};
  std::vector<int64_t> rows{3, 4, 0, 5, 5, 1, 3, 4, 1};
  SitesGuard sites{inputSites(grid, rows, 0)};
  std::vector<int64_t> queries{5, 5, 1, 3, 4, 1, 3, 4, 0, 4, 4, 0, -1, 2, 0,
                               3, 4, 7, 10, 0, 0};
  std::vector<int32_t> found(7);
  ASSERT_EQ(scn_sites_find(sites.sites, queries.data(), 7, found.data()),
            SCN_OK);
  EXPECT_EQ(found, (std::vector<int32_t>{1, 2, 0, -1, -1, -1, -1}));
}

TEST(InputSites, WideKeysBeyond64Bits) {
  // 10 axes of 2^12 cells need 120 key bits: the 128-bit path.
  Grid grid{10, std::vector<int64_t>(10, 4096), 3};
  std::mt19937_64 rng(3);
  std::vector<int64_t> rows = randomRows(rng, grid, 400, 0.3, -1);
  SitesGuard sites{inputSites(grid, rows, 3)};
  scn_sites_info_t info;
  ASSERT_EQ(scn_sites_get_info(sites.sites, &info), SCN_OK);
  EXPECT_GT(info.key_bits, 64);
  EXPECT_EQ(sitesOf(sites.sites), referenceInput(10, rows, 3).sites);
  std::vector<int32_t> found(400);
  ASSERT_EQ(scn_sites_find(sites.sites, rows.data(), 400, found.data()), SCN_OK);
  scn_merge_map_t merge;
  ASSERT_EQ(scn_sites_get_merge_map(sites.sites, &merge), SCN_OK);
  EXPECT_EQ(found, std::vector<int32_t>(merge.row_to_site,
                                        merge.row_to_site + 400));
}

TEST(InputSites, RowOrderIndependentOfThreadCount) {
  Grid grid{3, {64, 64, 32}, 4};
  std::mt19937_64 rng(4);
  std::vector<int64_t> rows = randomRows(rng, grid, 60000, 0.3, 2);
  std::vector<std::vector<Site>> results;
  std::vector<std::vector<int32_t>> rowMaps;
  for (int32_t threads : {1, 2, 3}) {
    ASSERT_EQ(scn_set_num_threads(threads), SCN_OK);
    SitesGuard sites{inputSites(grid, rows, 2)};
    results.push_back(sitesOf(sites.sites));
    scn_merge_map_t merge;
    ASSERT_EQ(scn_sites_get_merge_map(sites.sites, &merge), SCN_OK);
    rowMaps.emplace_back(merge.row_to_site, merge.row_to_site + merge.num_rows);
  }
  scn_set_num_threads(0);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
  EXPECT_EQ(rowMaps[0], rowMaps[1]);
  EXPECT_EQ(rowMaps[0], rowMaps[2]);
  EXPECT_EQ(results[0], referenceInput(3, rows, 2).sites);
}

} // namespace
