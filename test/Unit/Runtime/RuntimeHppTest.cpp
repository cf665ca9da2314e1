//===- RuntimeHppTest.cpp - The C++ RAII layer ----------------------------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Runtime.hpp"

#include <gtest/gtest.h>

using namespace scn::runtime;

namespace {

TEST(RuntimeHpp, BuildsAPyramidWithOwningHandles) {
  std::vector<int64_t> rows{0, 0, 0, 0, 1, 1, 0, 0, 2, 2, 3, 0,
                            5, 5, 5, 0, 1, 1, 0, 0, 7, 7, 7, 1};
  Sites in = Sites::fromCoords(3, {8, 8, 8}, rows.data(), SCN_INDEX_INT64, 6,
                               SCN_INPUT_SUM);
  EXPECT_EQ(in.size(), 5);
  EXPECT_EQ(in.info().batch_size, 2);
  EXPECT_EQ(in.mergeMap().site_row_count[1], 2);
  Sites down = in.downsample({2, 2, 2}, {2, 2, 2});
  EXPECT_EQ(down.size(), 4);
  KernelMap conv =
      KernelMap::build(SCN_KMAP_STRIDED, in, down, {2, 2, 2}, {2, 2, 2});
  KernelMap deconv = conv.transpose();
  EXPECT_EQ(deconv.info().num_pairs, conv.info().num_pairs);
  EXPECT_EQ(conv.info().num_pairs, 5);
  KernelMap subm = KernelMap::build(SCN_KMAP_SUBMANIFOLD, in, in, {3, 3, 3});
  EXPECT_EQ(subm.info().volume, 27);
  EXPECT_EQ(in.find({1, 1, 0, 0, 4, 4, 4, 0}), (std::vector<int32_t>{1, -1}));
  Sites moved = std::move(down);
  EXPECT_EQ(down.get(), nullptr);
  EXPECT_EQ(moved.size(), 4);
}

TEST(RuntimeHpp, ErrorsThrowOrComeBackAsExpected) {
  std::vector<int64_t> rows{9, 0};
  try {
    Sites::fromCoords(1, {8}, rows.data(), SCN_INDEX_INT64, 1, 0);
    FAIL() << "no exception";
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), SCN_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("coords row 0 column 0 = 9"),
              std::string::npos);
  }
  Expected<Sites> bad =
      Sites::tryFromCoords(1, {8}, rows.data(), SCN_INDEX_INT64, 1, 0);
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.status(), SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_THROW(bad.value(), Error);
  rows[0] = 3;
  Expected<Sites> good =
      Sites::tryFromCoords(1, {8}, rows.data(), SCN_INDEX_INT64, 1, 0);
  ASSERT_TRUE(good);
  Expected<Sites> down = good->tryDownsample({3}, {2});
  EXPECT_FALSE(down);
  EXPECT_NE(down.message().find("stride[0] = 2"), std::string::npos);
}

} // namespace
