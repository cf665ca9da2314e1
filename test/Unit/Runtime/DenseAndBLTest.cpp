//===- DenseAndBLTest.cpp - Dense maps and BL input layers ----------------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace scn::test;

namespace {

TEST(DenseMaps, SparseToDenseIndexMatchesLayout) {
  Grid grid{3, {5, 6, 7}, 3};
  std::mt19937_64 rng(31);
  SitesGuard sites{inputSites(grid, randomRows(rng, grid, 200, 0.2, 1), 4)};
  std::vector<Site> s = sitesOf(sites.sites);
  const int64_t planes = 4;
  std::vector<int64_t> index(s.size());
  ASSERT_EQ(scn_sparse_to_dense_map(sites.sites, planes, index.data(),
                                    int64_t(index.size())),
            SCN_OK);
  for (size_t r = 0; r < s.size(); ++r)
    // [B, C, s0, s1, s2]: coordinate column i is axis 2 + i.
    EXPECT_EQ(index[r], (((s[r][3] * planes) * 5 + s[r][0]) * 6 + s[r][1]) * 7 +
                            s[r][2]);
}

TEST(DenseMaps, SparseToDenseOverflowAndCapacity) {
  std::vector<int64_t> spatial(3, int64_t(1) << 20);
  std::vector<int64_t> rows{1, 2, 3, 0};
  SitesGuard sites{inputSites({3, spatial, 1}, rows, 0)};
  int64_t index = 77;
  EXPECT_EQ(scn_sparse_to_dense_map(sites.sites, 1 << 5, &index, 1),
            SCN_ERROR_OVERFLOW);
  EXPECT_NE(std::string(scn_last_error_message()).find("scn_sparse_to_dense_map"),
            std::string::npos);
  EXPECT_EQ(scn_sparse_to_dense_map(sites.sites, 1, &index, 0),
            SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(index, 77);
}

TEST(DenseMaps, DenseToSparseFindsNonzeroSites) {
  const int64_t batch = 2, planes = 3;
  std::vector<int64_t> spatial{4, 5};
  std::vector<float> dense(batch * planes * 20, 0.0f);
  std::mt19937_64 rng(32);
  std::vector<Site> expected;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t x = 0; x < 4; ++x)
      for (int64_t y = 0; y < 5; ++y) {
        if (rng() % 3 != 0)
          continue;
        int64_t plane = int64_t(rng() % planes);
        dense[(b * planes + plane) * 20 + x * 5 + y] =
            rng() % 5 == 0 ? std::numeric_limits<float>::quiet_NaN() : -0.5f;
        expected.push_back({x, y, b});
      }
  scn_sites_t sites = nullptr;
  ASSERT_EQ(scn_sites_from_dense(2, spatial.data(), batch, planes,
                                 dense.data(), &sites),
            SCN_OK);
  SitesGuard guard{sites};
  EXPECT_EQ(sitesOf(sites), expected);
  std::vector<int64_t> index(expected.size());
  ASSERT_EQ(scn_sparse_to_dense_map(sites, planes, index.data(),
                                    int64_t(index.size())),
            SCN_OK);
  for (size_t r = 0; r < expected.size(); ++r) {
    bool anyNonzero = false;
    for (int64_t c = 0; c < planes; ++c)
      anyNonzero |= dense[index[r] + c * 20] != 0.0f ||
                    std::isnan(dense[index[r] + c * 20]);
    EXPECT_TRUE(anyNonzero) << "row " << r;
  }
  // Lookups work on the dense-built set.
  std::vector<int32_t> rows(expected.size());
  std::vector<int64_t> flat;
  for (const Site &s : expected)
    flat.insert(flat.end(), s.begin(), s.end());
  ASSERT_EQ(scn_sites_find(sites, flat.data(), int64_t(rows.size()),
                           rows.data()),
            SCN_OK);
  for (size_t r = 0; r < rows.size(); ++r)
    EXPECT_EQ(rows[r], int32_t(r));
}

TEST(BLInput, MatchesFlattenedInputLayer) {
  // [B=3, L=6, D=2]; a negative first coordinate marks an empty position
  // (SparseConvNet's blRules), whatever the other coordinates are.
  const int64_t B = 3, L = 6;
  std::vector<int64_t> spatial{6, 6};
  std::mt19937_64 rng(33);
  std::vector<int64_t> bl(B * L * 2);
  for (auto &v : bl)
    v = int64_t(rng() % 4);
  for (int64_t r : {2, 7, 8, 17})
    bl[r * 2] = -1;
  bl[8 * 2 + 1] = -1; // both negative: empty too
  for (int32_t mode = 0; mode <= 4; ++mode) {
    SCOPED_TRACE("mode " + std::to_string(mode));
    // The same rows as InputLayer coordinates (empty positions left out).
    std::vector<int64_t> rows;
    std::vector<int64_t> rowOf;
    for (int64_t r = 0; r < B * L; ++r)
      if (bl[r * 2] >= 0) {
        rows.insert(rows.end(), {bl[r * 2], bl[r * 2 + 1], r / L});
        rowOf.push_back(r);
      }
    // BL modes 1/2 are InputLayer's 2/1 (blRules: 1 overwrites, 2 keeps).
    int32_t inputMode = mode == 1 ? 2 : mode == 2 ? 1 : mode == 0 ? 1 : mode;
    RefInput ref = referenceInput(2, rows, inputMode);
    scn_sites_t sites = nullptr;
    scn_status_t status = scn_sites_from_bl_coords(
        2, spatial.data(), bl.data(), SCN_INDEX_INT64, B, L, mode, &sites);
    if (mode == 0) {
      // Random positions repeat sites: mode 0 refuses them.
      EXPECT_EQ(status, SCN_ERROR_INVALID_ARGUMENT);
      continue;
    }
    ASSERT_EQ(status, SCN_OK) << scn_last_error_message();
    SitesGuard guard{sites};
    EXPECT_EQ(sitesOf(sites), ref.sites);
    scn_merge_map_t merge;
    ASSERT_EQ(scn_sites_get_merge_map(sites, &merge), SCN_OK);
    ASSERT_EQ(merge.num_rows, B * L);
    std::vector<int32_t> expected(B * L, -1);
    for (size_t i = 0; i < rowOf.size(); ++i)
      expected[rowOf[i]] = ref.rowToSite[i];
    EXPECT_EQ(std::vector<int32_t>(merge.row_to_site, merge.row_to_site + B * L),
              expected);
    for (int64_t s = 0; s < merge.num_sites; ++s) {
      EXPECT_EQ(merge.site_row_count[s], ref.rowCount[s]);
      EXPECT_EQ(merge.site_source_row[s], rowOf[ref.sourceRow[s]]);
    }
  }
}

TEST(BLInput, NegativeLaterCoordinateIsAnError) {
  // Only a negative FIRST coordinate marks padding.
  std::vector<int64_t> spatial{6, 6};
  std::vector<int32_t> bl{1, 1, 3, -1};
  scn_sites_t out = nullptr;
  EXPECT_EQ(scn_sites_from_bl_coords(2, spatial.data(), bl.data(),
                                     SCN_INDEX_INT32, 1, 2, 1, &out),
            SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(scn_last_error_message())
                .find("scn_sites_from_bl_coords: coords[0][1][1] = -1"),
            std::string::npos)
      << scn_last_error_message();
  EXPECT_EQ(out, nullptr);
}

} // namespace
