//===- DeviceSitesHostTest.cpp - the GPU builders' logic, on the CPU ------===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The builders of GpuSites.h (runtime/lib/CUDA/DeviceSites.h) run with the
/// sequential HostBackend must give the CPU runtime's results row for row:
/// input sets in every mode and dimension, downsamples with any filter and
/// stride, FullConvolution sets, and every kind of map, through both the
/// provenance path and the general binary-search path. Runs everywhere; the
/// same builders on CUDA are checked by GpuSitesTest where a GPU is.
///
//===----------------------------------------------------------------------===//

#include "DeviceSites.h"
#include "HostBackend.h"
#include "Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace scn::test;
namespace device = scn::rt::device;

namespace {

using HostSites = device::SiteSet<device::HostBackend>;
using HostMap = device::KernelMap<device::HostBackend>;

template <typename T> std::vector<T> fromInfo(const T *p, int64_t n) {
  return std::vector<T>(p, p + n);
}

std::vector<int64_t> coordsOf(const HostSites &s) {
  return fromInfo(s.coords.data(), device::siteCount(s, nullptr) * (s.dim + 1));
}

std::vector<int64_t> coordsOf(scn_sites_t s) {
  scn_sites_info_t info;
  EXPECT_EQ(scn_sites_get_info(s, &info), SCN_OK);
  return fromInfo(info.coords, info.num_sites * (info.dim + 1));
}

/// Bad input throws the error that the C ABI turns into a status and
/// message (the same text as the CPU runtime's).
template <typename Body> std::string errorOf(Body &&body) {
  try {
    body();
  } catch (const scn::rt::Error &e) {
    return e.message;
  }
  return "";
}

/// Random rows as randomRows gives, each site once when `unique` (mode 0
/// refuses duplicates, and random sites can collide).
std::vector<int64_t> testRows(std::mt19937_64 &rng, const Grid &grid, int64_t n, bool unique,
                              int64_t emptyBatch) {
  std::vector<int64_t> rows = randomRows(rng, grid, n, unique ? 0.0 : 0.3, emptyBatch);
  if (!unique)
    return rows;
  std::set<std::vector<int64_t>> seen;
  std::vector<int64_t> kept;
  for (size_t r = 0; r < rows.size(); r += grid.dim + 1) {
    std::vector<int64_t> site(rows.begin() + r, rows.begin() + r + grid.dim + 1);
    if (seen.insert(site).second)
      kept.insert(kept.end(), site.begin(), site.end());
  }
  return kept;
}

/// The host builder's input set from `rows`, checked against the CPU's.
/// `batchSize` is what the caller tells the device builder (-1: the
/// grid's); below the largest batch index + 1, the builder numbers the rows
/// again with the layout that index needs.
void expectSameInput(const Grid &grid, const std::vector<int64_t> &rows, int32_t mode,
                     HostSites &host, SitesGuard &cpu, int64_t batchSize = -1) {
  const int64_t n = int64_t(rows.size()) / (grid.dim + 1);
  std::string error = errorOf([&] {
    device::sitesFromCoords(host, grid.dim, grid.size.data(), rows.data(), n, mode,
                            batchSize < 0 ? grid.batch : batchSize, nullptr);
  });
  ASSERT_EQ(error, "");
  cpu.sites = inputSites(grid, rows, mode);
  ASSERT_NE(cpu.sites, nullptr);
  ASSERT_EQ(coordsOf(host), coordsOf(cpu.sites));
  scn_merge_map_t merge;
  ASSERT_EQ(scn_sites_get_merge_map(cpu.sites, &merge), SCN_OK);
  EXPECT_EQ(fromInfo(host.rowToSite.data(), n), fromInfo(merge.row_to_site, n));
  EXPECT_EQ(fromInfo(host.siteSourceRow.data(), host.numSites),
            fromInfo(merge.site_source_row, host.numSites));
  EXPECT_EQ(fromInfo(host.siteRowCount.data(), host.numSites),
            fromInfo(merge.site_row_count, host.numSites));
  // The rows grouped by site, from the device builder's sort.
  device::buildRowsBySite(host, nullptr);
  const int32_t *start = nullptr, *bySite = nullptr;
  ASSERT_EQ(scn_sites_get_rows_by_site(cpu.sites, &start, &bySite), SCN_OK);
  EXPECT_EQ(fromInfo(host.siteRowStart.data(), host.numSites + 1),
            fromInfo(start, host.numSites + 1));
  EXPECT_EQ(fromInfo(host.rowsBySite.data(), n), fromInfo(bySite, n));
}

/// The host map of `kind` between host sets equals the CPU's between the
/// matching CPU sets.
void expectSameMap(int32_t kind, const HostSites &hin, const HostSites &hout, scn_sites_t cin,
                   scn_sites_t cout, const std::vector<int64_t> &filter,
                   const std::vector<int64_t> &stride, const std::string &what) {
  HostMap host;
  device::buildKernelMap(host, kind, hin, hout, filter.data(),
                         stride.empty() ? nullptr : stride.data(), nullptr);
  KmapGuard cpu{nullptr};
  ASSERT_EQ(scn_kmap_build(kind, cin, cout, filter.data(),
                           stride.empty() ? nullptr : stride.data(), &cpu.map),
            SCN_OK)
      << scn_last_error_message();
  EXPECT_EQ(fromInfo(host.neighbors.data(), host.numOut * host.volume), neighborsOf(cpu.map))
      << what;
}

struct Level {
  std::vector<int64_t> filter, stride;
};

TEST(DeviceSitesOnHost, InputSetsMatchTheCpuRuntime) {
  std::mt19937_64 rng(7);
  for (int32_t dim = 1; dim <= 4; ++dim)
    for (int32_t mode = 0; mode <= 4; ++mode) {
      SCOPED_TRACE("dim " + std::to_string(dim) + " mode " + std::to_string(mode));
      Grid grid{dim, std::vector<int64_t>(dim, dim == 1 ? 200 : dim == 4 ? 7 : 24), 3};
      std::vector<int64_t> rows = testRows(rng, grid, 500, mode == 0, 1);
      // The caller's batch size, and none (0) or too few (1): the rows'
      // batch indices (up to 2) then set the layout.
      for (int64_t batchSize : {int64_t(-1), int64_t(0), int64_t(1)}) {
        SCOPED_TRACE("batch size " + std::to_string(batchSize));
        HostSites host;
        SitesGuard cpu{nullptr};
        expectSameInput(grid, rows, mode, host, cpu, batchSize);
        EXPECT_EQ(host.batchSize, grid.batch);
      }
    }
}

void checkPyramids();

TEST(DeviceSitesOnHost, DownsamplesFullSetsAndEveryMapMatchTheCpuRuntime) {
  EXPECT_EQ(errorOf(checkPyramids), "");
}

/// Input sets in modes 0 and 3, each with a submanifold map per filter and,
/// per (filter, stride), its downsample, STRIDED and TRANSPOSED maps (by
/// provenance, and by lookups from a copy of the set without provenance),
/// and the FullConvolution set of the downsample with its FULL map.
void checkPyramids() {
  std::mt19937_64 rng(11);
  const std::vector<Level> levels = {
      {{2, 2, 2}, {2, 2, 2}},   // provenance path
      {{3, 3, 3}, {2, 2, 2}},   // overlapping windows
      {{3, 1, 3}, {2, 1, 2}},   // anisotropic
      {{3, 3, 3}, {1, 1, 1}},   // stride 1
  };
  for (int32_t mode : {0, 3})
    for (const Level &l : levels) {
      // Sides of 16 or 17, whichever the window fits exactly.
      Grid grid{3, {16, 16, 16}, 2};
      for (int32_t i = 0; i < 3; ++i)
        grid.size[i] += (grid.size[i] - l.filter[i]) % l.stride[i];
      std::vector<int64_t> rows = testRows(rng, grid, 900, mode == 0, -1);
      HostSites host;
      SitesGuard cpu{nullptr};
      expectSameInput(grid, rows, mode, host, cpu);
      if (::testing::Test::HasFatalFailure())
        return;
      for (const std::vector<int64_t> &f : {std::vector<int64_t>{3, 3, 3},
                                             std::vector<int64_t>{2, 2, 2},
                                             std::vector<int64_t>{3, 1, 2}})
        expectSameMap(SCN_KMAP_SUBMANIFOLD, host, host, cpu.sites, cpu.sites, f, {},
                      "submanifold");
      std::string what = "filter " + std::to_string(l.filter[0]) + std::to_string(l.filter[1]) +
                         " stride " + std::to_string(l.stride[0]) + std::to_string(l.stride[1]);
      SCOPED_TRACE(what);
      HostSites down;
      device::downsample(down, host, l.filter.data(), l.stride.data(), nullptr);
      SitesGuard cpuDown{nullptr};
      ASSERT_EQ(scn_sites_downsample(cpu.sites, l.filter.data(), l.stride.data(), &cpuDown.sites),
                SCN_OK);
      ASSERT_EQ(coordsOf(down), coordsOf(cpuDown.sites));
      expectSameMap(SCN_KMAP_STRIDED, host, down, cpu.sites, cpuDown.sites, l.filter, l.stride,
                    "strided");
      expectSameMap(SCN_KMAP_TRANSPOSED, down, host, cpuDown.sites, cpu.sites, l.filter,
                    l.stride, "transposed");

      // The general path: the same sites, but a set without provenance.
      HostSites rebuilt;
      SitesGuard cpuRebuilt{nullptr};
      Grid small{3, std::vector<int64_t>(down.spatialSize, down.spatialSize + 3), 2};
      expectSameInput(small, coordsOf(down), 0, rebuilt, cpuRebuilt);
      if (::testing::Test::HasFatalFailure())
        return;
      expectSameMap(SCN_KMAP_STRIDED, host, rebuilt, cpu.sites, cpuRebuilt.sites, l.filter,
                    l.stride, "strided, by lookups");
      expectSameMap(SCN_KMAP_TRANSPOSED, rebuilt, host, cpuRebuilt.sites, cpu.sites, l.filter,
                    l.stride, "transposed, by lookups");

      // FullConvolution from the downsampled set back to a big grid.
      HostSites full;
      device::fullSites(full, down, l.filter.data(), l.stride.data(), nullptr);
      SitesGuard cpuFull{nullptr};
      ASSERT_EQ(scn_sites_full(cpuDown.sites, l.filter.data(), l.stride.data(), &cpuFull.sites),
                SCN_OK);
      ASSERT_EQ(coordsOf(full), coordsOf(cpuFull.sites));
      expectSameMap(SCN_KMAP_FULL, down, full, cpuDown.sites, cpuFull.sites, l.filter, l.stride,
                    "full");
    }
}

// A pyramid is built without reading a count back: each downsample reads
// the rows allocated for its input up to the input's count on the device
// (past it the rows are garbage, HostBackend's poison), and the counts are
// read when asked, as the CPU runtime's.
/// Writes a site into the rows allocated past the count of `s` (on the
/// device, garbage may be anything), inside its grid, whose 2x2x2 parent
/// cell holds none of its sites, so that a downsample that read past the
/// count would make that parent a site. False when every parent cell
/// holds a site.
bool plantSitesPastTheCount(HostSites &s) {
  const int64_t count = *s.deviceCount.data(), rows = s.sortedKeys.size();
  if (count >= rows)
    return false;
  std::set<std::vector<int64_t>> parents;
  for (int64_t r = 0; r < count; ++r) {
    const int64_t *x = s.coords.data() + r * 4;
    parents.insert({x[0] / 2, x[1] / 2, x[2] / 2, x[3]});
  }
  for (int64_t b = 0; b < s.batchSize; ++b)
    for (int64_t x = 0; x < s.spatialSize[0] / 2; ++x)
      for (int64_t y = 0; y < s.spatialSize[1] / 2; ++y)
        for (int64_t z = 0; z < s.spatialSize[2] / 2; ++z) {
          if (parents.count({x, y, z, b}))
            continue;
          for (int64_t r = count; r < rows; ++r) {
            int64_t *row = s.coords.data() + r * 4;
            row[0] = 2 * x, row[1] = 2 * y, row[2] = 2 * z, row[3] = b;
          }
          return true;
        }
  return false;
}

void checkPendingCounts();

TEST(DeviceSitesOnHost, APyramidLeavesItsCountsOnTheDeviceUntilAsked) {
  EXPECT_EQ(errorOf(checkPendingCounts), "");
}

void checkPendingCounts() {
  std::mt19937_64 rng(5);
  Grid grid{3, {32, 32, 32}, 2};
  std::vector<int64_t> rows = testRows(rng, grid, 3000, false, -1);
  HostSites input;
  SitesGuard cpu{nullptr};
  expectSameInput(grid, rows, 4, input, cpu);
  if (::testing::Test::HasFatalFailure())
    return;
  const std::vector<int64_t> two = {2, 2, 2}, three = {3, 3, 3};
  HostSites levels[3];
  SitesGuard cpuLevels[3] = {{nullptr}, {nullptr}, {nullptr}};
  int planted = 0;
  for (int i = 0; i < 3; ++i) {
    if (i > 0)
      planted += plantSitesPastTheCount(levels[i - 1]);
    device::downsample(levels[i], i ? levels[i - 1] : input, two.data(), two.data(), nullptr);
    ASSERT_EQ(scn_sites_downsample(i ? cpuLevels[i - 1].sites : cpu.sites, two.data(),
                                   two.data(), &cpuLevels[i].sites),
              SCN_OK);
  }
  ASSERT_GT(planted, 0) << "no level had rows past its count: the test would check nothing";
  for (const HostSites &level : levels)
    EXPECT_EQ(level.numSites, -1) << "a downsample read its count back";
  // Counts asked from the last level up.
  for (int i = 2; i >= 0; --i) {
    SCOPED_TRACE("level " + std::to_string(i + 1));
    EXPECT_EQ(coordsOf(levels[i]), coordsOf(cpuLevels[i].sites));
    expectSameMap(SCN_KMAP_STRIDED, i ? levels[i - 1] : input, levels[i],
                  i ? cpuLevels[i - 1].sites : cpu.sites, cpuLevels[i].sites, two, two,
                  "strided, from provenance");
    expectSameMap(SCN_KMAP_SUBMANIFOLD, levels[i], levels[i], cpuLevels[i].sites,
                  cpuLevels[i].sites, three, {}, "submanifold");
  }
  // With overlapping windows the input's count is read first.
  HostSites overlapping;
  SitesGuard cpuOverlapping{nullptr};
  HostSites pending;
  device::downsample(pending, input, two.data(), two.data(), nullptr);
  ASSERT_EQ(pending.numSites, -1);
  const std::vector<int64_t> four = {4, 4, 4};
  device::downsample(overlapping, pending, four.data(), two.data(), nullptr);
  EXPECT_EQ(pending.numSites, levels[0].numSites);
  ASSERT_EQ(scn_sites_downsample(cpuLevels[0].sites, four.data(), two.data(),
                                 &cpuOverlapping.sites),
            SCN_OK);
  EXPECT_EQ(coordsOf(overlapping), coordsOf(cpuOverlapping.sites));
  // Asked to read its count at once (SCN_GPU_GEOMETRY_WAIT=host on a GPU).
  HostSites atOnce;
  device::downsample(atOnce, input, two.data(), two.data(), nullptr, device::Count::Now);
  EXPECT_EQ(atOnce.numSites, levels[0].numSites);
  EXPECT_EQ(coordsOf(atOnce), coordsOf(cpuLevels[0].sites));
}

TEST(DeviceSitesOnHost, BatchLengthInputsMatchTheCpuRuntime) {
  std::mt19937_64 rng(5);
  for (int32_t mode = 0; mode <= 4; ++mode) {
    SCOPED_TRACE("mode " + std::to_string(mode));
    const int32_t dim = 2;
    const int64_t size[2] = {6, 7}, batch = 3, length = 40;
    // Few cells: duplicates; in modes 1-4 some positions are padding (a
    // negative first coordinate, the rest anything).
    std::vector<int64_t> coords;
    std::set<std::vector<int64_t>> seen;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t l = 0; l < length; ++l) {
        int64_t x = int64_t(rng() % 6), y = int64_t(rng() % 7);
        if (mode == 0)
          while (!seen.insert({x, y, b}).second)
            x = int64_t(rng() % 6), y = int64_t(rng() % 7);
        else if (rng() % 5 == 0)
          x = -1, y = 99;
        coords.insert(coords.end(), {x, y});
      }
    HostSites host;
    std::string error = errorOf([&] {
      device::sitesFromBatchLength(host, dim, size, coords.data(), batch, length, mode, nullptr);
    });
    ASSERT_EQ(error, "");
    SitesGuard cpu{nullptr};
    ASSERT_EQ(scn_sites_from_bl_coords(dim, size, coords.data(), SCN_INDEX_INT64, batch, length,
                                       mode, &cpu.sites),
              SCN_OK)
        << scn_last_error_message();
    ASSERT_EQ(coordsOf(host), coordsOf(cpu.sites));
    EXPECT_EQ(host.batchSize, batch);
    scn_merge_map_t merge;
    ASSERT_EQ(scn_sites_get_merge_map(cpu.sites, &merge), SCN_OK);
    const int64_t n = batch * length;
    EXPECT_EQ(fromInfo(host.rowToSite.data(), n), fromInfo(merge.row_to_site, n));
    EXPECT_EQ(fromInfo(host.siteSourceRow.data(), host.numSites),
              fromInfo(merge.site_source_row, host.numSites));
    EXPECT_EQ(fromInfo(host.siteRowCount.data(), host.numSites),
              fromInfo(merge.site_row_count, host.numSites));
  }
  // A bad position is named as the CPU runtime names it.
  const int64_t size[2] = {6, 7};
  std::vector<int64_t> bad = {1, 1, 2, 9};
  HostSites host;
  scn_sites_t cpu = nullptr;
  ASSERT_NE(scn_sites_from_bl_coords(2, size, bad.data(), SCN_INDEX_INT64, 1, 2, 3, &cpu),
            SCN_OK);
  EXPECT_EQ("scn_sites_from_bl_coords: " + errorOf([&] {
              device::sitesFromBatchLength(host, 2, size, bad.data(), 1, 2, 3, nullptr);
            }),
            std::string(scn_last_error_message()));
}

TEST(DeviceSitesOnHost, DenseInputsMatchTheCpuRuntime) {
  std::mt19937_64 rng(9);
  const int64_t size[3] = {5, 4, 6}, batch = 2, planes = 3, volume = 5 * 4 * 6;
  std::vector<float> dense(size_t(batch * planes * volume), 0.0f);
  for (float &v : dense)
    if (rng() % 7 == 0)
      v = float(int64_t(rng() % 5) - 2);  // zeros too
  dense[7] = std::nanf("");
  HostSites host;
  device::sitesFromDense(host, 3, size, batch, planes, dense.data(), nullptr);
  SitesGuard cpu{nullptr};
  ASSERT_EQ(scn_sites_from_dense(3, size, batch, planes, dense.data(), &cpu.sites), SCN_OK);
  ASSERT_EQ(coordsOf(host), coordsOf(cpu.sites));
  EXPECT_GT(host.numSites, 10);
  // Its maps search its sorted keys: they must be sorted, with their rows.
  const std::vector<int64_t> three = {3, 3, 3};
  expectSameMap(SCN_KMAP_SUBMANIFOLD, host, host, cpu.sites, cpu.sites, three, {},
                "submanifold on a dense input");
}

TEST(DeviceSitesOnHost, PairListsAndRowOrdersMatchTheCpuRuntime) {
  std::mt19937_64 rng(13);
  Grid grid{3, {12, 12, 12}, 2};
  std::vector<int64_t> rows = testRows(rng, grid, 700, false, -1);
  HostSites host;
  SitesGuard cpu{nullptr};
  ASSERT_NO_FATAL_FAILURE(expectSameInput(grid, rows, 3, host, cpu));
  const std::vector<int64_t> three = {3, 3, 3}, two = {2, 2, 2}, five = {5, 5, 5};
  HostSites down;
  device::downsample(down, host, two.data(), two.data(), nullptr);
  SitesGuard cpuDown{nullptr};
  ASSERT_EQ(scn_sites_downsample(cpu.sites, two.data(), two.data(), &cpuDown.sites), SCN_OK);
  struct Case {
    int32_t kind;
    const HostSites *hin, *hout;
    scn_sites_t cin, cout;
    const std::vector<int64_t> *filter;
  } cases[] = {{SCN_KMAP_SUBMANIFOLD, &host, &host, cpu.sites, cpu.sites, &three},
               {SCN_KMAP_STRIDED, &host, &down, cpu.sites, cpuDown.sites, &two},
               {SCN_KMAP_TRANSPOSED, &down, &host, cpuDown.sites, cpu.sites, &two},
               // 125 offsets: key bits from a kernel, not passed by value;
               // no masks of every offset, so no packing or block order.
               {SCN_KMAP_SUBMANIFOLD, &host, &host, cpu.sites, cpu.sites, &five}};
  // Both row orders, the Gray code key and the plain mask
  // (SCN_RUNTIME_ROW_ORDER), packed within chunks or cut where the key's
  // order falls (SCN_RUNTIME_ROW_PACKING), with whole blocks heaviest first
  // or in key order (SCN_RUNTIME_BLOCK_ORDER).
  std::map<int32_t, std::map<std::string, std::vector<int32_t>>> orders;
  for (const char *choice : {"gray", "mask"})
  for (const char *packing : {"chunks", "key"})
  for (const char *blocks : {"heaviest", "key"}) {
    SCOPED_TRACE(choice);
    SCOPED_TRACE(packing);
    SCOPED_TRACE(blocks);
    ScopedEnv env("SCN_RUNTIME_ROW_ORDER", choice);
    ScopedEnv packingEnv("SCN_RUNTIME_ROW_PACKING", packing);
    ScopedEnv blockEnv("SCN_RUNTIME_BLOCK_ORDER", blocks);
    for (const Case &c : cases) {
      HostMap map;
      device::buildKernelMap(map, c.kind, *c.hin, *c.hout, c.filter->data(), two.data(), nullptr);
      device::buildPairLists(map, nullptr);
      KmapGuard cm{nullptr};
      ASSERT_EQ(scn_kmap_build(c.kind, c.cin, c.cout, c.filter->data(), two.data(), &cm.map),
                SCN_OK);
      scn_kmap_info_t info;
      ASSERT_EQ(scn_kmap_get_info(cm.map, &info), SCN_OK);
      ASSERT_GT(info.num_pairs, 0);
      EXPECT_EQ(map.pairOffsets, fromInfo(info.pair_offsets, info.volume + 1)) << c.kind;
      EXPECT_EQ(fromInfo(map.pairIn.data(), map.pairIn.size()),
                fromInfo(info.pair_in_rows, info.num_pairs))
          << c.kind;
      EXPECT_EQ(fromInfo(map.pairOut.data(), map.pairOut.size()),
                fromInfo(info.pair_out_rows, info.num_pairs))
          << c.kind;
      // The tensor-core row order, too.
      device::buildRowOrder(map, nullptr);
      const int32_t *order = nullptr;
      ASSERT_EQ(scn_kmap_get_row_order(cm.map, &order), SCN_OK);
      EXPECT_EQ(fromInfo(map.rowOrder.data(), map.numOut), fromInfo(order, info.num_out))
          << c.kind;
      if (c.filter != &five)
        orders[c.kind][std::string(choice) + " " + packing + " " + blocks] =
            fromInfo(map.rowOrder.data(), map.numOut);
      const int32_t *masks = nullptr;
      ASSERT_EQ(scn_kmap_get_row_masks(cm.map, &masks), SCN_OK);
      EXPECT_EQ(fromInfo(map.rowMasks.data(), map.numOut), fromInfo(masks, info.num_out))
          << c.kind;
      const int32_t *rowTable = nullptr;
      ASSERT_EQ(scn_kmap_get_row_table(cm.map, &rowTable), SCN_OK);
      EXPECT_EQ(fromInfo(map.rowTable.data(), map.numOut * info.volume),
                fromInfo(rowTable, info.num_out * info.volume))
          << c.kind;
    }
  }
  // The case's blocks differ in weight, so the two block orders differ, and
  // its chunks (700 rows: two whole, one partial) pack differently from the
  // key's cuts; only submanifold maps are packed.
  std::map<std::string, std::vector<int32_t>> &submanifold = orders[SCN_KMAP_SUBMANIFOLD];
  for (const char *choice : {"gray", "mask"})
    for (const char *packing : {"chunks", "key"}) {
      std::string prefix = std::string(choice) + " " + packing + " ";
      EXPECT_NE(submanifold[prefix + "heaviest"], submanifold[prefix + "key"]);
      std::string other = std::string(choice) + " " +
                          (std::string(packing) == "key" ? "chunks" : "key") + " heaviest";
      EXPECT_NE(submanifold[prefix + "heaviest"], submanifold[other]);
      for (int32_t kind : {SCN_KMAP_STRIDED, SCN_KMAP_TRANSPOSED})
        EXPECT_EQ(orders[kind][prefix + "heaviest"], orders[kind][other]) << kind;
    }
}

TEST(DeviceSitesOnHost, EmptySetsGiveEmptyMaps) {
  Grid grid{2, {9, 9}, 2};
  HostSites host;
  SitesGuard cpu{nullptr};
  ASSERT_NO_FATAL_FAILURE(expectSameInput(grid, {}, 4, host, cpu));
  EXPECT_EQ(host.numSites, 0);
  EXPECT_EQ(host.batchSize, 2);
  const std::vector<int64_t> three = {3, 3}, two = {2, 2}, one = {1, 1};
  HostSites down, full;
  device::downsample(down, host, three.data(), two.data(), nullptr);
  device::fullSites(full, host, three.data(), one.data(), nullptr);
  EXPECT_EQ(down.numSites, 0);
  EXPECT_EQ(full.numSites, 0);
  HostMap sub, strided;
  device::buildKernelMap(sub, SCN_KMAP_SUBMANIFOLD, host, host, three.data(), nullptr, nullptr);
  device::buildKernelMap(strided, SCN_KMAP_STRIDED, host, down, three.data(), two.data(),
                         nullptr);
  EXPECT_EQ(sub.numOut, 0);
  EXPECT_EQ(strided.numOut, 0);
}

/// The maps' hash table (DeviceKeyTable.h) finds every key it holds, at its
/// row, and no other: keys in runs along the last axis (which share runs
/// of slots), scattered keys, keys near 2^63, tables small enough that
/// probes wrap around, and an empty one. The whole builders run on it in
/// RuntimeHashPathTests (SCN_RUNTIME_ALGORITHMS=hash).
TEST(DeviceSitesOnHost, KeyTableFindsEveryKeyItHoldsAndNoOther) {
  std::mt19937_64 rng(5);
  for (int64_t n : {0, 1, 3, 8, 100, 5000}) {
    std::set<uint64_t> distinct;
    while (int64_t(distinct.size()) < n) {
      uint64_t base = rng() >> (rng() % 2 ? 1 : 40);
      for (uint64_t run = 0; run < 1 + rng() % 6 && int64_t(distinct.size()) < n; ++run)
        distinct.insert(std::min(base + run, (uint64_t(1) << 63) - 1));
    }
    std::vector<uint64_t> keys(distinct.begin(), distinct.end());
    std::vector<int32_t> rows(keys.size());
    for (size_t i = 0; i < rows.size(); ++i)
      rows[i] = int32_t(rng() % 1000000);
    device::KeyTable<device::HostBackend> table;
    table.build(keys.data(), rows.data(), n, nullptr);
    device::SortedLookup sorted{keys.data(), rows.data(), n};
    for (int64_t i = 0; i < n; ++i)
      ASSERT_EQ(table.lookup.find(keys[i]), rows[i]) << "n = " << n << ", key " << keys[i];
    for (int probe = 0; probe < 2000; ++probe) {
      uint64_t key = probe % 2 && n ? keys[rng() % n] + 1 : rng() >> 1;
      ASSERT_EQ(table.lookup.find(key), sorted.find(key)) << "n = " << n << ", key " << key;
    }
  }
}

/// The row-order key's two choices (RowOrderKey.h), which the CPU runtime
/// and the GPU builders share, on a 3x3x3 window: the centre is bit 0, the
/// six faces bits 1-6, the twelve edges 7-18, the eight corners 19-26; on
/// 3x3x3x3 (81 offsets) the 17 nearest drop out. Gray code positions: 0, 1,
/// 3, 2, 6, 7, 5, 4 are positions 0-7.
TEST(DeviceSitesOnHost, RowOrderKeyRanksOffsetsFromTheCentre) {
  const int64_t three[4] = {3, 3, 3, 3};
  const scn::rt::Window w = scn::rt::makeWindow(3, three, nullptr);
  std::vector<int32_t> bitOf(27);
  for (int64_t k = 0; k < 27; ++k)
    bitOf[k] = scn::rt::rowKeyBit(w, k);
  EXPECT_EQ(bitOf[13], 0);
  EXPECT_EQ((std::vector<int32_t>{bitOf[4], bitOf[10], bitOf[12], bitOf[14], bitOf[16],
                                  bitOf[22]}),
            (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ((std::vector<int32_t>{bitOf[1], bitOf[3], bitOf[5], bitOf[7], bitOf[9], bitOf[11],
                                  bitOf[15], bitOf[17], bitOf[19], bitOf[21], bitOf[23],
                                  bitOf[25]}),
            (std::vector<int32_t>{7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}));
  EXPECT_EQ((std::vector<int32_t>{bitOf[0], bitOf[2], bitOf[6], bitOf[8], bitOf[18], bitOf[20],
                                  bitOf[24], bitOf[26]}),
            (std::vector<int32_t>{19, 20, 21, 22, 23, 24, 25, 26}));
  const scn::rt::Window w4 = scn::rt::makeWindow(4, three, nullptr);
  int dropped = 0;
  for (int64_t k = 0; k < 81; ++k)
    dropped += scn::rt::rowKeyBit(w4, k) < 0;
  EXPECT_EQ(dropped, 17);
  EXPECT_EQ(scn::rt::rowKeyBit(w4, 40), -1);  // the centre
  EXPECT_EQ(scn::rt::rowKeyBit(w4, 80), 63);  // the last corner
  // Past kMostRankedOffsets (1024) offsets keep index order: 33 x 33 (1089)
  // keeps its last 64.
  const int64_t wide[2] = {33, 33};
  const scn::rt::Window w2 = scn::rt::makeWindow(2, wide, nullptr);
  EXPECT_EQ(scn::rt::rowKeyBit(w2, 0), -1);
  EXPECT_EQ(scn::rt::rowKeyBit(w2, 544), -1);  // the centre
  EXPECT_EQ(scn::rt::rowKeyBit(w2, 1089 - 64), 0);
  EXPECT_EQ(scn::rt::rowKeyBit(w2, 1088), 63);
  const uint64_t gray[8] = {0, 1, 3, 2, 6, 7, 5, 4};
  for (uint64_t i = 0; i < 8; ++i)
    EXPECT_EQ(scn::rt::grayCodeRank(gray[i]), i);
  EXPECT_EQ(scn::rt::grayCodeRank(uint64_t(1) << 63), ~uint64_t(0));
}

TEST(DeviceSitesOnHost, BadInputIsNamed) {
  const int64_t size[2] = {8, 8};
  std::vector<int64_t> rows = {1, 1, 0, 2, 9, 0, 3, 3, 0};
  HostSites s;
  EXPECT_EQ(errorOf([&] {
              device::sitesFromCoords(s, 2, size, rows.data(), 3, 3, 1, nullptr);
            }),
            "coords row 1 column 1 = 9 is outside [0, 8)");
  // Duplicates in mode 0: the CPU runtime's message (after its prefix),
  // which names the first repeated row and its site's first row, also
  // when sites repeat more than once and interleave.
  const std::vector<std::vector<int64_t>> duplicated = {
      {1, 1, 0, 2, 2, 0, 1, 1, 0},
      {3, 3, 0, 1, 1, 0, 4, 4, 0, 1, 1, 0, 3, 3, 0, 1, 1, 0, 4, 4, 0}};
  for (const std::vector<int64_t> &twice : duplicated) {
    const int64_t n = int64_t(twice.size()) / 3;
    HostSites u;
    scn_sites_t cpu = nullptr;
    ASSERT_EQ(scn_sites_from_coords(2, size, twice.data(), SCN_INDEX_INT64, n, 3, 0, 1, &cpu),
              SCN_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ("scn_sites_from_coords: " + errorOf([&] {
                device::sitesFromCoords(u, 2, size, twice.data(), n, 0, 1, nullptr);
              }),
              std::string(scn_last_error_message()));
  }
  HostSites ok, down;
  device::sitesFromCoords(ok, 2, size, rows.data(), 1, 3, 1, nullptr);
  const int64_t four[2] = {4, 4}, two[2] = {2, 2};
  device::downsample(down, ok, two, two, nullptr);
  HostMap map;
  // A map whose sets do not fit its window: the CPU runtime's message.
  SitesGuard cpuOk{nullptr}, cpuDown{nullptr};
  ASSERT_EQ(scn_sites_from_coords(2, size, rows.data(), SCN_INDEX_INT64, 1, 3, 3, 1,
                                  &cpuOk.sites),
            SCN_OK);
  ASSERT_EQ(scn_sites_downsample(cpuOk.sites, two, two, &cpuDown.sites), SCN_OK);
  scn_kmap_t cpuMap = nullptr;
  ASSERT_EQ(scn_kmap_build(SCN_KMAP_STRIDED, cpuOk.sites, cpuDown.sites, four, two, &cpuMap),
            SCN_ERROR_OUT_OF_RANGE);
  EXPECT_EQ("scn_kmap_build: " + errorOf([&] {
              device::buildKernelMap(map, SCN_KMAP_STRIDED, ok, down, four, two, nullptr);
            }),
            std::string(scn_last_error_message()));
  EXPECT_EQ(errorOf([&] {
              device::buildKernelMap(map, 7, ok, ok, four, two, nullptr);
            }),
            "kind = 7 is outside [0, 3]");
}

} // namespace
