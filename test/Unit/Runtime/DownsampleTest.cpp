//===- DownsampleTest.cpp - Strided and full site sets vs a reference -----===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <gtest/gtest.h>

using namespace scn::test;

namespace {

/// A grid plus a filter/stride whose size arithmetic is exact on it.
struct StridedCase {
  Grid grid;
  std::vector<int64_t> filter, stride;
};

std::vector<StridedCase> stridedCases() {
  return {
      {{1, {41}, 3}, {3}, {2}},
      {{1, {40}, 2}, {2}, {2}},
      {{1, {37}, 2}, {1}, {3}},                 // filter < stride: gaps
      {{2, {17, 16}, 3}, {3, 2}, {2, 2}},        // anisotropic filter
      {{2, {16, 13}, 2}, {4, 1}, {4, 3}},        // anisotropic stride
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

std::string describe(const StridedCase &c) {
  std::string s = "dim " + std::to_string(c.grid.dim) + " filter";
  for (int64_t f : c.filter)
    s += " " + std::to_string(f);
  s += " stride";
  for (int64_t t : c.stride)
    s += " " + std::to_string(t);
  return s;
}

TEST(Downsample, MatchesReferenceSetAndOrder) {
  std::mt19937_64 rng(11);
  for (const StridedCase &c : stridedCases()) {
    SCOPED_TRACE(describe(c));
    std::vector<int64_t> rows = randomRows(rng, c.grid, 250, 0.1, 1);
    SitesGuard in{inputSites(c.grid, rows, 4)};
    scn_sites_t down = nullptr;
    ASSERT_EQ(scn_sites_downsample(in.sites, c.filter.data(), c.stride.data(),
                                   &down),
              SCN_OK)
        << scn_last_error_message();
    SitesGuard out{down};
    EXPECT_EQ(sitesOf(down),
              referenceDownsample(c.grid, sitesOf(in.sites), c.filter,
                                  c.stride));
    scn_sites_info_t info;
    ASSERT_EQ(scn_sites_get_info(down, &info), SCN_OK);
    for (int32_t i = 0; i < c.grid.dim; ++i)
      EXPECT_EQ(info.spatial_size[i],
                (c.grid.size[i] - c.filter[i]) / c.stride[i] + 1);
    EXPECT_EQ(info.batch_size, c.grid.batch);
  }
}

TEST(Downsample, FullConvolutionSetMatchesReference) {
  std::mt19937_64 rng(12);
  for (const StridedCase &c : stridedCases()) {
    SCOPED_TRACE(describe(c));
    std::vector<int64_t> rows = randomRows(rng, c.grid, 60, 0.1, -1);
    SitesGuard in{inputSites(c.grid, rows, 1)};
    scn_sites_t full = nullptr;
    ASSERT_EQ(scn_sites_full(in.sites, c.filter.data(), c.stride.data(), &full),
              SCN_OK)
        << scn_last_error_message();
    SitesGuard out{full};
    EXPECT_EQ(sitesOf(full), referenceFull(sitesOf(in.sites), c.filter,
                                           c.stride));
    scn_sites_info_t info;
    ASSERT_EQ(scn_sites_get_info(full, &info), SCN_OK);
    for (int32_t i = 0; i < c.grid.dim; ++i)
      EXPECT_EQ(info.spatial_size[i],
                (c.grid.size[i] - 1) * c.stride[i] + c.filter[i]);
  }
}

TEST(Downsample, PyramidOrderIndependentOfThreadCount) {
  Grid grid{3, {130, 130, 34}, 2}; // 2/2, 3/2, 2/2 divide exactly
  std::mt19937_64 rng(13);
  std::vector<int64_t> rows = randomRows(rng, grid, 40000, 0.1, -1);
  std::vector<std::vector<Site>> levels[2];
  for (int32_t t = 0; t < 2; ++t) {
    scn_set_num_threads(t + 1);
    scn_sites_t current = inputSites(grid, rows, 4);
    int64_t two[3] = {2, 2, 2}, three[3] = {3, 3, 3};
    for (int level = 0; level < 3; ++level) {
      levels[t].push_back(sitesOf(current));
      scn_sites_t next = nullptr;
      ASSERT_EQ(scn_sites_downsample(current, level == 1 ? three : two, two,
                                     &next),
                SCN_OK)
          << scn_last_error_message();
      scn_sites_free(current);
      current = next;
    }
    levels[t].push_back(sitesOf(current));
    scn_sites_t full = nullptr;
    ASSERT_EQ(scn_sites_full(current, three, two, &full), SCN_OK);
    levels[t].push_back(sitesOf(full));
    scn_sites_free(full);
    scn_sites_free(current);
  }
  scn_set_num_threads(0);
  ASSERT_EQ(levels[0].size(), levels[1].size());
  for (size_t i = 0; i < levels[0].size(); ++i)
    EXPECT_EQ(levels[0][i], levels[1][i]) << "level " << i;
}

} // namespace
