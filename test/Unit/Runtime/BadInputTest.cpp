//===- BadInputTest.cpp - Errors: status, message, untouched outputs ------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <thread>

using namespace scn::test;

namespace {

/// A handle value no call may overwrite when it fails.
scn_sites_t const kUntouchedSites = reinterpret_cast<scn_sites_t>(0x1234);
scn_kmap_t const kUntouchedMap = reinterpret_cast<scn_kmap_t>(0x5678);

/// Expects `status` and a message that contains every piece.
void expectError(scn_status_t status, scn_status_t expected,
                 std::initializer_list<std::string> pieces) {
  EXPECT_EQ(status, expected) << scn_status_name(status);
  std::string message = scn_last_error_message();
  for (const std::string &piece : pieces)
    EXPECT_NE(message.find(piece), std::string::npos)
        << "message \"" << message << "\" lacks \"" << piece << "\"";
}

scn_status_t fromCoords(int32_t dim, std::vector<int64_t> spatial,
                        const std::vector<int64_t> &rows, int64_t nCols,
                        int32_t mode, scn_sites_t *out) {
  return scn_sites_from_coords(dim, spatial.data(), rows.data(),
                               SCN_INDEX_INT64,
                               int64_t(rows.size()) / std::max<int64_t>(nCols, 1),
                               nCols, mode, 0, out);
}

TEST(BadInput, CoordinateOutsideGrid) {
  scn_sites_t out = kUntouchedSites;
  std::vector<int64_t> rows(18 * 4, 1);
  rows[17 * 4 + 2] = -3;
  expectError(fromCoords(3, {32, 32, 32}, rows, 4, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_from_coords: coords row 17 column 2 = -3 is outside "
               "[0, 32)"});
  EXPECT_EQ(out, kUntouchedSites);
  rows[17 * 4 + 2] = 1;
  rows[5 * 4 + 0] = 32;
  expectError(fromCoords(3, {32, 32, 32}, rows, 4, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_from_coords", "row 5 column 0 = 32", "[0, 32)"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, FirstBadRowIsReportedWithAnyThreadCount) {
  std::vector<int64_t> rows(100000 * 3, 0);
  rows[70001 * 3 + 1] = 99;
  rows[90000 * 3 + 0] = -1;
  for (int32_t threads : {1, 2, 4}) {
    scn_set_num_threads(threads);
    scn_sites_t out = kUntouchedSites;
    expectError(fromCoords(2, {10, 10}, rows, 3, 3, &out),
                SCN_ERROR_INVALID_ARGUMENT, {"row 70001 column 1 = 99"});
    EXPECT_EQ(out, kUntouchedSites);
  }
  scn_set_num_threads(0);
}

TEST(BadInput, NegativeBatchIndex) {
  scn_sites_t out = kUntouchedSites;
  expectError(fromCoords(2, {8, 8}, {1, 1, 0, 2, 2, -4}, 3, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_from_coords", "row 1 column 2 (batch index) = -4"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, WrongColumnCount) {
  scn_sites_t out = kUntouchedSites;
  expectError(fromCoords(3, {8, 8, 8}, {1, 1, 1, 1, 1, 1}, 3, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_from_coords", "n_cols = 3", "dim + 1 = 4"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, BadSpatialSizeAndDimension) {
  scn_sites_t out = kUntouchedSites;
  expectError(fromCoords(2, {8, 0}, {1, 1, 0}, 3, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_from_coords", "spatial_size[1] = 0"});
  expectError(fromCoords(2, {-5, 8}, {1, 1, 0}, 3, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"spatial_size[0] = -5"});
  std::vector<int64_t> spatial(11, 4);
  expectError(fromCoords(0, spatial, {0}, 1, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_from_coords", "dim = 0", "[1, 10]"});
  expectError(fromCoords(11, spatial, std::vector<int64_t>(12, 0), 12, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"dim = 11"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, ModeAndIndexType) {
  scn_sites_t out = kUntouchedSites;
  expectError(fromCoords(1, {8}, {1, 0}, 2, 5, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"mode = 5"});
  int64_t size = 8, rows[2] = {1, 0};
  expectError(scn_sites_from_coords(1, &size, rows, 7, 1, 2,
                                    0, 0, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"coord_type = 7"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, DuplicateInModeZeroNamesBothRows) {
  scn_sites_t out = kUntouchedSites;
  expectError(
      fromCoords(2, {8, 8}, {1, 1, 0, 2, 3, 1, 4, 4, 0, 2, 3, 1}, 3, 0, &out),
      SCN_ERROR_INVALID_ARGUMENT,
      {"scn_sites_from_coords", "rows 1 and 3", "(2, 3, batch 1)"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, NullPointers) {
  int64_t size[2] = {8, 8}, rows[3] = {1, 1, 0};
  scn_sites_t out = kUntouchedSites;
  expectError(scn_sites_from_coords(2, size, rows, SCN_INDEX_INT64, 1, 3, 0, 0,
                                    nullptr),
              SCN_ERROR_INVALID_ARGUMENT, {"scn_sites_from_coords", "out is null"});
  expectError(scn_sites_from_coords(2, nullptr, rows, SCN_INDEX_INT64, 1, 3, 0,
                                    0, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"spatial_size is null"});
  expectError(scn_sites_from_coords(2, size, nullptr, SCN_INDEX_INT64, 1, 3, 0,
                                    0, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"coords is null"});
  EXPECT_EQ(out, kUntouchedSites);
  int64_t f[2] = {2, 2};
  expectError(scn_sites_downsample(nullptr, f, f, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"scn_sites_downsample", "in is null"});
  scn_kmap_t map = kUntouchedMap;
  expectError(scn_kmap_build(SCN_KMAP_STRIDED, nullptr, nullptr, f, f, &map),
              SCN_ERROR_INVALID_ARGUMENT, {"scn_kmap_build", "in is null"});
  expectError(scn_kmap_get_info(nullptr, nullptr), SCN_ERROR_INVALID_ARGUMENT,
              {"scn_kmap_get_info", "map is null"});
  expectError(scn_sites_get_info(nullptr, nullptr), SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_get_info", "sites is null"});
  EXPECT_EQ(map, kUntouchedMap);
  EXPECT_EQ(out, kUntouchedSites);
  EXPECT_EQ(scn_sites_free(nullptr), SCN_OK);
  EXPECT_EQ(scn_kmap_free(nullptr), SCN_OK);
}

TEST(BadInput, FilterAndStrideRules) {
  Grid grid{3, {31, 31, 31}, 1};
  SitesGuard sites{inputSites(grid, {1, 2, 3, 0, 4, 5, 6, 0}, 0)};
  scn_sites_t out = kUntouchedSites;
  int64_t tooBig[3] = {3, 32, 3}, two[3] = {2, 2, 2}, three[3] = {3, 3, 3};
  int64_t zero[3] = {3, 0, 3}, negative[3] = {1, 1, -2};
  expectError(scn_sites_downsample(sites.sites, tooBig, two, &out),
              SCN_ERROR_OUT_OF_RANGE,
              {"scn_sites_downsample", "filter[1] = 32", "spatial size 31"});
  expectError(scn_sites_downsample(sites.sites, two, two, &out),
              SCN_ERROR_OUT_OF_RANGE,
              {"scn_sites_downsample", "stride[0] = 2", "31 - 2 = 29"});
  expectError(scn_sites_downsample(sites.sites, zero, two, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"filter[1] = 0", ">= 1"});
  expectError(scn_sites_full(sites.sites, three, negative, &out),
              SCN_ERROR_INVALID_ARGUMENT, {"scn_sites_full", "stride[2] = -2"});
  EXPECT_EQ(out, kUntouchedSites);

  scn_kmap_t map = kUntouchedMap;
  expectError(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites.sites, nullptr,
                             tooBig, nullptr, &map),
              SCN_ERROR_OUT_OF_RANGE, {"scn_kmap_build", "filter[1] = 32"});
  scn_sites_t down = nullptr;
  ASSERT_EQ(scn_sites_downsample(sites.sites, three, two, &down), SCN_OK);
  SitesGuard downGuard{down};
  // The 3/2 set has size 15: a 2/2 strided map from 31 does not divide, and
  // a 3/4 map would need size 8.
  expectError(scn_kmap_build(SCN_KMAP_STRIDED, sites.sites, down, two, two,
                             &map),
              SCN_ERROR_OUT_OF_RANGE, {"scn_kmap_build", "stride[0] = 2"});
  int64_t four[3] = {4, 4, 4};
  expectError(scn_kmap_build(SCN_KMAP_STRIDED, sites.sites, down, three, four,
                             &map),
              SCN_ERROR_OUT_OF_RANGE,
              {"out spatial size [15, 15, 15]", "[8, 8, 8]"});
  // Transposed maps go from the small set to the big one, not back.
  expectError(scn_kmap_build(SCN_KMAP_TRANSPOSED, sites.sites, down, three,
                             two, &map),
              SCN_ERROR_OUT_OF_RANGE,
              {"scn_kmap_build", "in spatial size [31, 31, 31]", "[7, 7, 7]"});
  expectError(scn_kmap_build(9, sites.sites, down, three, two,
                             &map),
              SCN_ERROR_INVALID_ARGUMENT, {"kind = 9"});
  expectError(scn_kmap_build(SCN_KMAP_STRIDED, sites.sites, down, three,
                             nullptr, &map),
              SCN_ERROR_INVALID_ARGUMENT, {"stride is null"});
  EXPECT_EQ(map, kUntouchedMap);
}

TEST(BadInput, MismatchedSets) {
  SitesGuard a{inputSites({2, {8, 8}, 1}, {1, 1, 0}, 0)};
  SitesGuard b{inputSites({2, {8, 8}, 3}, {1, 1, 2}, 0)};
  SitesGuard c{inputSites({3, {8, 8, 8}, 1}, {1, 1, 1, 0}, 0)};
  int64_t f[3] = {3, 3, 3};
  scn_kmap_t map = kUntouchedMap;
  expectError(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, a.sites, b.sites, f,
                             nullptr, &map),
              SCN_ERROR_INVALID_ARGUMENT, {"batch size = 1", "batch size = 3"});
  expectError(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, a.sites, c.sites, f,
                             nullptr, &map),
              SCN_ERROR_INVALID_ARGUMENT, {"in dim = 2", "out dim = 3"});
  scn_kmap_t submanifold = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, a.sites, nullptr, f, nullptr,
                           &submanifold),
            SCN_OK);
  expectError(scn_kmap_transpose(submanifold, &map), SCN_ERROR_INVALID_ARGUMENT,
              {"scn_kmap_transpose", "SUBMANIFOLD"});
  scn_kmap_free(submanifold);
  EXPECT_EQ(map, kUntouchedMap);
  scn_merge_map_t merge{};
  scn_sites_t down = nullptr;
  int64_t two[2] = {2, 2};
  ASSERT_EQ(scn_sites_downsample(a.sites, two, two, &down), SCN_OK);
  expectError(scn_sites_get_merge_map(down, &merge), SCN_ERROR_INVALID_ARGUMENT,
              {"scn_sites_get_merge_map", "no merge map"});
  scn_sites_free(down);
}

TEST(BadInput, KeysWiderThan128BitsOverflow) {
  // 10 axes of 2^20 cells need 200 key bits.
  std::vector<int64_t> spatial(10, int64_t(1) << 20), rows(11, 0);
  scn_sites_t out = kUntouchedSites;
  expectError(fromCoords(10, spatial, rows, 11, 0, &out), SCN_ERROR_OVERFLOW,
              {"scn_sites_from_coords", "200-bit", "128"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, RowCountsBeyondInt32Overflow) {
  int64_t size = 8, row[2] = {0, 0};
  scn_sites_t out = kUntouchedSites;
  expectError(scn_sites_from_coords(1, &size, row, SCN_INDEX_INT64,
                                    int64_t(INT32_MAX) + 1, 2, 0, 0, &out),
              SCN_ERROR_OVERFLOW, {"n_rows = 2147483648", "32-bit"});
  expectError(scn_sites_from_bl_coords(1, &size, row, SCN_INDEX_INT64, 1 << 20,
                                       1 << 12, 0, &out),
              SCN_ERROR_OVERFLOW, {"scn_sites_from_bl_coords", "batch * length"});
  EXPECT_EQ(out, kUntouchedSites);
}

TEST(BadInput, MessageIsPerThreadAndStatusNamed) {
  EXPECT_STREQ(scn_status_name(SCN_ERROR_OVERFLOW), "SCN_ERROR_OVERFLOW");
  scn_sites_t out = kUntouchedSites;
  fromCoords(1, {8}, {9, 0}, 2, 0, &out);
  std::string here = scn_last_error_message();
  std::string there;
  std::thread([&] { there = scn_last_error_message(); }).join();
  EXPECT_NE(here, "");
  EXPECT_EQ(there, "");
}

} // namespace
