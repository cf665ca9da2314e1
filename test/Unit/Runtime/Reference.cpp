//===- Reference.cpp - Brute-force references for the runtime tests -------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include "KernelMap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

using namespace scn::test;

namespace {

int64_t volumeOf(const std::vector<int64_t> &filter) {
  int64_t v = 1;
  for (int64_t f : filter)
    v *= f;
  return v;
}

/// Offset vector of row-major index k.
std::vector<int64_t> offsetOf(int64_t k, const std::vector<int64_t> &filter) {
  std::vector<int64_t> d(filter.size());
  for (size_t i = filter.size(); i-- > 0;) {
    d[i] = k % filter[i];
    k /= filter[i];
  }
  return d;
}

std::map<Site, int32_t> indexOf(const std::vector<Site> &sites) {
  std::map<Site, int32_t> index;
  for (size_t r = 0; r < sites.size(); ++r)
    index.emplace(sites[r], int32_t(r));
  return index;
}

/// Every cell of the box [lo, hi] in row-major order.
std::vector<Site> boxCells(const std::vector<int64_t> &lo,
                           const std::vector<int64_t> &hi) {
  std::vector<Site> cells;
  for (size_t i = 0; i < lo.size(); ++i)
    if (lo[i] > hi[i])
      return cells;
  Site j = lo;
  for (;;) {
    cells.push_back(j);
    size_t i = lo.size();
    while (i-- > 0) {
      if (j[i] < hi[i]) {
        ++j[i];
        break;
      }
      j[i] = lo[i];
    }
    if (i == size_t(-1))
      return cells;
  }
}

} // namespace

RefInput scn::test::referenceInput(int32_t dim, const std::vector<int64_t> &rows,
                                   int32_t mode) {
  RefInput ref;
  std::map<Site, int32_t> index;
  size_t n = rows.size() / size_t(dim + 1);
  std::vector<int32_t> siteOfRow(n);
  for (size_t r = 0; r < n; ++r) {
    Site s(rows.begin() + r * (dim + 1), rows.begin() + (r + 1) * (dim + 1));
    auto [it, inserted] = index.emplace(s, int32_t(ref.sites.size()));
    if (inserted) {
      ref.sites.push_back(s);
      ref.sourceRow.push_back(int32_t(r));
      ref.rowCount.push_back(0);
    }
    siteOfRow[r] = it->second;
    ++ref.rowCount[it->second];
    if (mode == SCN_INPUT_KEEP_LAST)
      ref.sourceRow[it->second] = int32_t(r);
  }
  for (size_t r = 0; r < n; ++r) {
    int32_t s = siteOfRow[r];
    bool kept = mode == SCN_INPUT_KEEP_FIRST || mode == SCN_INPUT_KEEP_LAST
                    ? ref.sourceRow[s] == int32_t(r)
                    : true;
    ref.rowToSite.push_back(kept ? s : -1);
  }
  return ref;
}

std::vector<Site> scn::test::referenceDownsample(
    const Grid &in, const std::vector<Site> &sites,
    const std::vector<int64_t> &filter, const std::vector<int64_t> &stride) {
  size_t dim = filter.size();
  std::vector<Site> out;
  std::map<Site, int32_t> seen;
  for (const Site &x : sites) {
    // Every j with j*t <= x <= j*t + s - 1, inside the output grid.
    std::vector<int64_t> lo(dim), hi(dim);
    for (size_t i = 0; i < dim; ++i) {
      int64_t outSize = (in.size[i] - filter[i]) / stride[i] + 1;
      lo[i] = 0;
      while (lo[i] * stride[i] + filter[i] - 1 < x[i])
        ++lo[i];
      hi[i] = std::min(x[i] / stride[i], outSize - 1);
    }
    for (Site j : boxCells(lo, hi)) {
      j.push_back(x[dim]);
      if (seen.emplace(j, 0).second)
        out.push_back(j);
    }
  }
  return out;
}

std::vector<Site> scn::test::referenceFull(const std::vector<Site> &sites,
                                           const std::vector<int64_t> &filter,
                                           const std::vector<int64_t> &stride) {
  size_t dim = filter.size();
  std::vector<Site> out;
  std::map<Site, int32_t> seen;
  for (const Site &j : sites)
    for (int64_t k = 0; k < volumeOf(filter); ++k) {
      std::vector<int64_t> d = offsetOf(k, filter);
      Site i(dim + 1);
      for (size_t a = 0; a < dim; ++a)
        i[a] = j[a] * stride[a] + d[a];
      i[dim] = j[dim];
      if (seen.emplace(i, 0).second)
        out.push_back(i);
    }
  return out;
}

std::vector<int32_t> scn::test::referenceSubmanifold(
    const Grid &grid, const std::vector<Site> &in, const std::vector<Site> &out,
    const std::vector<int64_t> &filter) {
  auto index = indexOf(in);
  int64_t K = volumeOf(filter);
  size_t dim = filter.size();
  std::vector<int32_t> table;
  for (const Site &x : out)
    for (int64_t k = 0; k < K; ++k) {
      std::vector<int64_t> d = offsetOf(k, filter);
      Site y = x;
      bool inside = true;
      for (size_t i = 0; i < dim; ++i) {
        y[i] = x[i] + d[i] - filter[i] / 2;
        inside &= y[i] >= 0 && y[i] < grid.size[i];
      }
      auto it = index.find(y);
      table.push_back(inside && it != index.end() ? it->second : -1);
    }
  return table;
}

std::vector<int32_t> scn::test::referenceStrided(
    const std::vector<Site> &in, const std::vector<Site> &out,
    const std::vector<int64_t> &filter, const std::vector<int64_t> &stride) {
  auto index = indexOf(in);
  size_t dim = filter.size();
  std::vector<int32_t> table;
  for (const Site &j : out)
    for (int64_t k = 0; k < volumeOf(filter); ++k) {
      std::vector<int64_t> d = offsetOf(k, filter);
      Site x = j;
      for (size_t i = 0; i < dim; ++i)
        x[i] = j[i] * stride[i] + d[i];
      auto it = index.find(x);
      table.push_back(it != index.end() ? it->second : -1);
    }
  return table;
}

std::vector<int32_t> scn::test::referenceTransposed(
    const Grid &small, const std::vector<Site> &smallSites,
    const std::vector<Site> &big, const std::vector<int64_t> &filter,
    const std::vector<int64_t> &stride) {
  auto index = indexOf(smallSites);
  size_t dim = filter.size();
  std::vector<int32_t> table;
  for (const Site &i : big)
    for (int64_t k = 0; k < volumeOf(filter); ++k) {
      std::vector<int64_t> d = offsetOf(k, filter);
      Site j = i;
      bool ok = true;
      for (size_t a = 0; a < dim; ++a) {
        int64_t rest = i[a] - d[a];
        ok &= rest >= 0 && rest % stride[a] == 0 &&
              rest / stride[a] < small.size[a];
        j[a] = rest >= 0 ? rest / stride[a] : -1;
      }
      auto it = ok ? index.find(j) : index.end();
      table.push_back(it != index.end() ? it->second : -1);
    }
  return table;
}

std::vector<int64_t> scn::test::randomRows(std::mt19937_64 &rng,
                                           const Grid &grid, int64_t n,
                                           double dupProbability,
                                           int64_t emptyBatch) {
  std::vector<int64_t> rows;
  std::bernoulli_distribution dup(dupProbability);
  std::vector<Site> pending;
  for (int64_t r = 0; r < n; ++r) {
    Site s(grid.dim + 1);
    if (!pending.empty() && dup(rng)) {
      std::uniform_int_distribution<size_t> pick(0, pending.size() - 1);
      s = pending[pick(rng)];
    } else {
      for (int32_t i = 0; i < grid.dim; ++i)
        s[i] = std::uniform_int_distribution<int64_t>(0, grid.size[i] - 1)(rng);
      do
        s[grid.dim] =
            std::uniform_int_distribution<int64_t>(0, grid.batch - 1)(rng);
      while (s[grid.dim] == emptyBatch && grid.batch > 1);
      pending.push_back(s);
    }
    rows.insert(rows.end(), s.begin(), s.end());
  }
  return rows;
}

std::vector<Site> scn::test::sitesOf(scn_sites_t sites) {
  scn_sites_info_t info;
  EXPECT_EQ(scn_sites_get_info(sites, &info), SCN_OK);
  std::vector<Site> result;
  for (int64_t r = 0; r < info.num_sites; ++r)
    result.emplace_back(info.coords + r * (info.dim + 1),
                        info.coords + (r + 1) * (info.dim + 1));
  return result;
}

std::vector<int32_t> scn::test::neighborsOf(scn_kmap_t map) {
  scn_kmap_info_t info;
  EXPECT_EQ(scn_kmap_get_info(map, &info), SCN_OK);
  return std::vector<int32_t>(info.neighbors,
                              info.neighbors + info.num_out * info.volume);
}

void scn::test::expectPairListsMatchTable(scn_kmap_t map) {
  scn_kmap_info_t info;
  ASSERT_EQ(scn_kmap_get_info(map, &info), SCN_OK);
  int64_t p = 0;
  for (int64_t k = 0; k < info.volume; ++k) {
    ASSERT_EQ(info.pair_offsets[k], p) << "offset " << k;
    for (int64_t o = 0; o < info.num_out; ++o) {
      int32_t in = info.neighbors[o * info.volume + k];
      if (in < 0)
        continue;
      ASSERT_LT(p, info.num_pairs);
      ASSERT_EQ(info.pair_in_rows[p], in);
      ASSERT_EQ(info.pair_out_rows[p], o);
      ++p;
    }
  }
  EXPECT_EQ(info.pair_offsets[info.volume], p);
  EXPECT_EQ(info.num_pairs, p);
  expectPairBlocksCutTheRows(map);
}

void scn::test::expectPairBlocksCutTheRows(scn_kmap_t map) {
  scn_kmap_info_t info;
  ASSERT_EQ(scn_kmap_get_info(map, &info), SCN_OK);
  const int64_t K = info.volume, blocks = map->numPairBlocks;
  ASSERT_EQ(map->pairBlocks.size(), size_t((blocks + 1) * (K + 1)));
  const int64_t *line = map->pairBlocks.data();
  // Rows: from 0 to the last block's end, in increasing steps.
  EXPECT_EQ(line[0], 0);
  EXPECT_EQ(line[blocks * (K + 1)], blocks ? info.num_out : 0);
  EXPECT_EQ(blocks == 0, info.num_out == 0);
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t *first = line + b * (K + 1), *next = first + K + 1;
    ASSERT_LT(first[0], next[0]) << "block " << b;
    int64_t pairs = 0;
    for (int64_t k = 0; k < K; ++k) {
      // Offset k's pairs of the block: those whose output row is among the
      // block's rows (the lists are sorted by output row within k).
      const int32_t *outs = info.pair_out_rows;
      int64_t from = info.pair_offsets[k], to = info.pair_offsets[k + 1];
      int64_t lo = std::lower_bound(outs + from, outs + to, first[0]) - outs;
      int64_t hi = std::lower_bound(outs + from, outs + to, next[0]) - outs;
      ASSERT_EQ(first[1 + k], lo) << "block " << b << " offset " << k;
      ASSERT_EQ(next[1 + k], hi) << "block " << b << " offset " << k;
      pairs += hi - lo;
    }
    // Every block but the last holds at least kPairsPerBlock pairs, and
    // would hold fewer without its last row.
    if (b + 1 < blocks) {
      EXPECT_GE(pairs, scn::rt::kPairsPerBlock) << "block " << b;
      int64_t lastRow = next[0] - 1, lastRowPairs = 0;
      for (int64_t k = 0; k < K; ++k)
        lastRowPairs += info.neighbors[lastRow * K + k] >= 0;
      EXPECT_LT(pairs - lastRowPairs, scn::rt::kPairsPerBlock) << "block " << b;
    }
  }
}

scn_sites_t scn::test::inputSites(const Grid &grid,
                                  const std::vector<int64_t> &rows,
                                  int32_t mode) {
  scn_sites_t sites = nullptr;
  scn_status_t status = scn_sites_from_coords(
      grid.dim, grid.size.data(), rows.data(), SCN_INDEX_INT64,
      int64_t(rows.size()) / (grid.dim + 1), grid.dim + 1, mode, grid.batch,
      &sites);
  if (status != SCN_OK)
    ADD_FAILURE() << scn_last_error_message();
  return sites;
}

ScopedEnv::ScopedEnv(const char *name, const char *value) : name_(name) {
  const char *old = std::getenv(name);
  hadOld_ = old != nullptr;
  if (old)
    old_ = old;
  if (value)
    setenv(name, value, 1);
  else
    unsetenv(name);
}

ScopedEnv::~ScopedEnv() {
  if (hadOld_)
    setenv(name_, old_.c_str(), 1);
  else
    unsetenv(name_);
}
