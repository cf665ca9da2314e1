//===- GpuSitesTest.cpp - GPU site sets and maps against the CPU runtime --===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The device builders (GpuSites.h) must give the CPU runtime's results row
/// for row: coordinates, merge map, and the neighbour tables of the UNet
/// pyramid's maps. Needs a GPU (skipped otherwise, with the reason); without
/// one, the calls must fail with SCN_ERROR_NO_DEVICE.
///
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include "scn/Runtime/Codegen.h"
#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/GpuSites.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

using namespace scn::test;

namespace {

/// A host copy of `n` device elements (through the mgpu* layer).
template <typename T> std::vector<T> toHost(const T *device, int64_t n) {
  std::vector<T> host(size_t(std::max<int64_t>(n, 0)));
  if (n > 0) {
    mgpuMemcpy(host.data(), const_cast<T *>(device), size_t(n) * sizeof(T), nullptr);
    mgpuStreamSynchronize(nullptr);
  }
  return host;
}

template <typename T> std::vector<T> fromInfo(const T *p, int64_t n) {
  return std::vector<T>(p, p + n);
}

/// `rows` (of `width` columns) without the repeats of earlier rows.
std::vector<int64_t> firstOccurrences(const std::vector<int64_t> &rows, int64_t width) {
  std::set<std::vector<int64_t>> seen;
  std::vector<int64_t> unique;
  for (size_t r = 0; r < rows.size(); r += size_t(width)) {
    std::vector<int64_t> row(rows.begin() + r, rows.begin() + r + width);
    if (seen.insert(row).second)
      unique.insert(unique.end(), row.begin(), row.end());
  }
  return unique;
}

std::vector<int32_t> cpuNeighbors(scn_kmap_t map) { return neighborsOf(map); }

std::vector<int32_t> gpuNeighbors(scn_gpu_kmap_t map) {
  const int32_t *table = nullptr;
  int64_t rows = 0, volume = 0;
  EXPECT_EQ(scn_gpu_kmap_get_neighbors(map, &table, &rows, &volume), SCN_OK);
  return toHost(table, rows * volume);
}

TEST(GpuSites, WithoutADeviceTheBuildersFailCleanly) {
  if (scn_gpu_init(0) == SCN_OK)
    GTEST_SKIP() << "a GPU is present";
  const int64_t size[2] = {8, 8};
  scn_gpu_sites_t sites = nullptr;
  EXPECT_EQ(scn_gpu_sites_from_coords(2, size, reinterpret_cast<const int64_t *>(16), 4, 3, 1,
                                      nullptr, &sites),
            SCN_ERROR_NO_DEVICE);
  EXPECT_EQ(sites, nullptr);
}

TEST(GpuSites, PyramidMatchesTheCpuRuntime) {
  if (scn_gpu_init(0) != SCN_OK)
    GTEST_SKIP() << "no GPU: " << scn_last_error_message();
  std::mt19937_64 rng(41);
  for (int32_t mode = 0; mode <= 4; ++mode) {
    SCOPED_TRACE("mode " + std::to_string(mode));
    Grid grid{3, {64, 48, 40}, 3};
    std::vector<int64_t> rows = randomRows(rng, grid, 20000, mode == 0 ? 0.0 : 0.2, -1);
    // Independent draws collide too (about 500 of 20000 here): mode 0
    // takes unique sites only.
    if (mode == 0)
      rows = firstOccurrences(rows, grid.dim + 1);
    const int64_t n = int64_t(rows.size()) / 4;
    SitesGuard cpu{inputSites(grid, rows, mode)};
    ASSERT_NE(cpu.sites, nullptr);

    void *deviceRows = mgpuMemAlloc(rows.size() * sizeof(int64_t), nullptr, false);
    mgpuMemcpy(deviceRows, rows.data(), rows.size() * sizeof(int64_t), nullptr);
    scn_gpu_sites_t gpu = nullptr;
    ASSERT_EQ(scn_gpu_sites_from_coords(3, grid.size.data(),
                                        static_cast<const int64_t *>(deviceRows), n, mode,
                                        grid.batch, nullptr, &gpu),
              SCN_OK)
        << scn_last_error_message();
    ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();

    scn_sites_info_t c;
    ASSERT_EQ(scn_sites_get_info(cpu.sites, &c), SCN_OK);
    scn_gpu_sites_info_t g;
    ASSERT_EQ(scn_gpu_sites_get_info(gpu, &g), SCN_OK);
    ASSERT_EQ(g.num_sites, c.num_sites);
    EXPECT_EQ(toHost(g.coords, g.num_sites * 4), fromInfo(c.coords, c.num_sites * 4));
    scn_merge_map_t merge;
    ASSERT_EQ(scn_sites_get_merge_map(cpu.sites, &merge), SCN_OK);
    EXPECT_EQ(toHost(g.row_to_site, n), fromInfo(merge.row_to_site, n));
    EXPECT_EQ(toHost(g.site_source_row, g.num_sites),
              fromInfo(merge.site_source_row, g.num_sites));
    EXPECT_EQ(toHost(g.site_row_count, g.num_sites),
              fromInfo(merge.site_row_count, g.num_sites));
    const int32_t *start = nullptr, *bySite = nullptr, *cpuStart = nullptr, *cpuBySite = nullptr;
    ASSERT_EQ(scn_gpu_sites_get_rows_by_site(gpu, &start, &bySite), SCN_OK)
        << scn_last_error_message();
    ASSERT_EQ(scn_sites_get_rows_by_site(cpu.sites, &cpuStart, &cpuBySite), SCN_OK);
    EXPECT_EQ(toHost(start, g.num_sites + 1), fromInfo(cpuStart, g.num_sites + 1));
    EXPECT_EQ(toHost(bySite, n), fromInfo(cpuBySite, n));

    // Submanifold map, then one 2/2 level down with its strided and
    // transposed maps.
    const int64_t three[3] = {3, 3, 3}, two[3] = {2, 2, 2};
    scn_kmap_t cpuSub = nullptr;
    scn_gpu_kmap_t gpuSub = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, cpu.sites, cpu.sites, three, nullptr, &cpuSub),
              SCN_OK);
    ASSERT_EQ(scn_gpu_kmap_build(SCN_KMAP_SUBMANIFOLD, gpu, gpu, three, nullptr, nullptr, &gpuSub),
              SCN_OK)
        << scn_last_error_message();
    EXPECT_EQ(gpuNeighbors(gpuSub), cpuNeighbors(cpuSub));

    scn_sites_t cpuDown = nullptr;
    scn_gpu_sites_t gpuDown = nullptr;
    ASSERT_EQ(scn_sites_downsample(cpu.sites, two, two, &cpuDown), SCN_OK);
    ASSERT_EQ(scn_gpu_sites_downsample(gpu, two, two, nullptr, &gpuDown), SCN_OK)
        << scn_last_error_message();
    scn_sites_info_t cd;
    scn_gpu_sites_info_t gd;
    ASSERT_EQ(scn_sites_get_info(cpuDown, &cd), SCN_OK);
    ASSERT_EQ(scn_gpu_sites_get_info(gpuDown, &gd), SCN_OK);
    ASSERT_EQ(gd.num_sites, cd.num_sites);
    EXPECT_EQ(toHost(gd.coords, gd.num_sites * 4), fromInfo(cd.coords, cd.num_sites * 4));
    for (int32_t kind : {SCN_KMAP_STRIDED, SCN_KMAP_TRANSPOSED}) {
      scn_kmap_t cm = nullptr;
      scn_gpu_kmap_t gm = nullptr;
      bool strided = kind == SCN_KMAP_STRIDED;
      ASSERT_EQ(scn_kmap_build(kind, strided ? cpu.sites : cpuDown,
                               strided ? cpuDown : cpu.sites, two, two, &cm),
                SCN_OK);
      ASSERT_EQ(scn_gpu_kmap_build(kind, strided ? gpu : gpuDown, strided ? gpuDown : gpu, two,
                                   two, nullptr, &gm),
                SCN_OK)
          << scn_last_error_message();
      EXPECT_EQ(gpuNeighbors(gm), cpuNeighbors(cm)) << (strided ? "strided" : "transposed");
      scn_kmap_free(cm);
      scn_gpu_kmap_free(gm);
    }
    scn_kmap_free(cpuSub);
    scn_gpu_kmap_free(gpuSub);
    scn_sites_free(cpuDown);
    scn_gpu_sites_free(gpuDown);
    scn_gpu_sites_free(gpu);
    mgpuMemFree(deviceRows, nullptr);
    ASSERT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();
  }
}

/// Coordinates of a device set, on the host.
std::vector<int64_t> gpuCoords(scn_gpu_sites_t sites) {
  scn_gpu_sites_info_t info;
  EXPECT_EQ(scn_gpu_sites_get_info(sites, &info), SCN_OK);
  return toHost(info.coords, info.num_sites * (info.dim + 1));
}

std::vector<int64_t> cpuCoords(scn_sites_t sites) {
  scn_sites_info_t info;
  EXPECT_EQ(scn_sites_get_info(sites, &info), SCN_OK);
  return fromInfo(info.coords, info.num_sites * (info.dim + 1));
}

/// Overlapping windows (filter 3, stride 2) have no provenance: the
/// downsample, its STRIDED and TRANSPOSED maps by lookups, and the
/// FullConvolution set with its FULL map (DeviceSitesHostTest checks the
/// same builders' logic without a GPU).
TEST(GpuSites, OverlappingWindowsAndFullSetsMatchTheCpuRuntime) {
  if (scn_gpu_init(0) != SCN_OK)
    GTEST_SKIP() << "no GPU: " << scn_last_error_message();
  std::mt19937_64 rng(43);
  Grid grid{3, {33, 33, 17}, 2};
  std::vector<int64_t> rows = randomRows(rng, grid, 5000, 0.2, -1);
  const int64_t n = int64_t(rows.size()) / 4;
  SitesGuard cpu{inputSites(grid, rows, 3)};
  ASSERT_NE(cpu.sites, nullptr);
  void *deviceRows = mgpuMemAlloc(rows.size() * sizeof(int64_t), nullptr, false);
  mgpuMemcpy(deviceRows, rows.data(), rows.size() * sizeof(int64_t), nullptr);
  scn_gpu_sites_t gpu = nullptr, gpuDown = nullptr, gpuFull = nullptr;
  ASSERT_EQ(scn_gpu_sites_from_coords(3, grid.size.data(), static_cast<const int64_t *>(deviceRows),
                                      n, 3, grid.batch, nullptr, &gpu),
            SCN_OK)
      << scn_last_error_message();
  const int64_t three[3] = {3, 3, 3}, two[3] = {2, 2, 2};
  SitesGuard cpuDown{nullptr}, cpuFull{nullptr};
  ASSERT_EQ(scn_sites_downsample(cpu.sites, three, two, &cpuDown.sites), SCN_OK);
  ASSERT_EQ(scn_gpu_sites_downsample(gpu, three, two, nullptr, &gpuDown), SCN_OK)
      << scn_last_error_message();
  EXPECT_EQ(gpuCoords(gpuDown), cpuCoords(cpuDown.sites));
  ASSERT_EQ(scn_sites_full(cpuDown.sites, three, two, &cpuFull.sites), SCN_OK);
  ASSERT_EQ(scn_gpu_sites_full(gpuDown, three, two, nullptr, &gpuFull), SCN_OK)
      << scn_last_error_message();
  EXPECT_EQ(gpuCoords(gpuFull), cpuCoords(cpuFull.sites));
  struct Case {
    int32_t kind;
    scn_sites_t cin, cout;
    scn_gpu_sites_t gin, gout;
  } cases[] = {{SCN_KMAP_STRIDED, cpu.sites, cpuDown.sites, gpu, gpuDown},
               {SCN_KMAP_TRANSPOSED, cpuDown.sites, cpu.sites, gpuDown, gpu},
               {SCN_KMAP_FULL, cpuDown.sites, cpuFull.sites, gpuDown, gpuFull}};
  for (const Case &c : cases) {
    KmapGuard cm{nullptr};
    scn_gpu_kmap_t gm = nullptr;
    ASSERT_EQ(scn_kmap_build(c.kind, c.cin, c.cout, three, two, &cm.map), SCN_OK);
    ASSERT_EQ(scn_gpu_kmap_build(c.kind, c.gin, c.gout, three, two, nullptr, &gm), SCN_OK)
        << scn_last_error_message();
    EXPECT_EQ(gpuNeighbors(gm), cpuNeighbors(cm.map)) << "kind " << c.kind;
    scn_gpu_kmap_free(gm);
  }
  scn_gpu_sites_free(gpuFull);
  scn_gpu_sites_free(gpuDown);
  scn_gpu_sites_free(gpu);
  mgpuMemFree(deviceRows, nullptr);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();
}

/// BL inputs with padding (modes 1-4), dense inputs with a NaN, and the
/// pair lists and row order of a submanifold map, on the device against the
/// CPU runtime (DeviceSitesHostTest checks the same builders' logic without
/// a GPU).
TEST(GpuSites, BatchLengthDenseInputsPairsAndRowOrderMatchTheCpuRuntime) {
  if (scn_gpu_init(0) != SCN_OK)
    GTEST_SKIP() << "no GPU: " << scn_last_error_message();
  std::mt19937_64 rng(47);
  const int64_t size[3] = {20, 18, 16}, batch = 3, length = 2000;
  for (int32_t mode : {0, 1, 2, 3, 4}) {
    SCOPED_TRACE("BL mode " + std::to_string(mode));
    std::vector<int64_t> coords;
    for (int64_t r = 0; r < batch * length; ++r) {
      // Mode 0 needs unique sites: a different cell per position.
      int64_t x = mode == 0 ? r % 20 : int64_t(rng() % 20);
      int64_t y = mode == 0 ? (r / 20) % 18 : int64_t(rng() % 18);
      int64_t z = mode == 0 ? (r / 360) % 16 : int64_t(rng() % 16);
      if (mode != 0 && rng() % 6 == 0)
        x = -1;  // padding
      coords.insert(coords.end(), {x, y, z});
    }
    SitesGuard cpu{nullptr};
    ASSERT_EQ(scn_sites_from_bl_coords(3, size, coords.data(), SCN_INDEX_INT64, batch, length,
                                       mode, &cpu.sites),
              SCN_OK)
        << scn_last_error_message();
    void *device = mgpuMemAlloc(coords.size() * sizeof(int64_t), nullptr, false);
    mgpuMemcpy(device, coords.data(), coords.size() * sizeof(int64_t), nullptr);
    scn_gpu_sites_t gpu = nullptr;
    ASSERT_EQ(scn_gpu_sites_from_bl_coords(3, size, static_cast<const int64_t *>(device), batch,
                                           length, mode, nullptr, &gpu),
              SCN_OK)
        << scn_last_error_message();
    EXPECT_EQ(gpuCoords(gpu), cpuCoords(cpu.sites));
    scn_merge_map_t merge;
    ASSERT_EQ(scn_sites_get_merge_map(cpu.sites, &merge), SCN_OK);
    scn_gpu_sites_info_t g;
    ASSERT_EQ(scn_gpu_sites_get_info(gpu, &g), SCN_OK);
    EXPECT_EQ(toHost(g.row_to_site, batch * length), fromInfo(merge.row_to_site, batch * length));
    EXPECT_EQ(toHost(g.site_row_count, g.num_sites),
              fromInfo(merge.site_row_count, g.num_sites));

    // Pair lists and row order of the submanifold map on this set.
    const int64_t three[3] = {3, 3, 3};
    KmapGuard cm{nullptr};
    scn_gpu_kmap_t gm = nullptr;
    ASSERT_EQ(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, cpu.sites, cpu.sites, three, nullptr, &cm.map),
              SCN_OK);
    ASSERT_EQ(scn_gpu_kmap_build(SCN_KMAP_SUBMANIFOLD, gpu, gpu, three, nullptr, nullptr, &gm),
              SCN_OK)
        << scn_last_error_message();
    scn_kmap_info_t info;
    ASSERT_EQ(scn_kmap_get_info(cm.map, &info), SCN_OK);
    const int64_t *offsets = nullptr;
    const int32_t *in = nullptr, *out = nullptr, *order = nullptr, *cpuOrder = nullptr;
    int64_t count = 0;
    ASSERT_EQ(scn_gpu_kmap_get_pairs(gm, &offsets, &in, &out, &count), SCN_OK)
        << scn_last_error_message();
    ASSERT_EQ(count, info.num_pairs);
    EXPECT_EQ(fromInfo(offsets, info.volume + 1), fromInfo(info.pair_offsets, info.volume + 1));
    EXPECT_EQ(toHost(in, count), fromInfo(info.pair_in_rows, count));
    EXPECT_EQ(toHost(out, count), fromInfo(info.pair_out_rows, count));
    ASSERT_EQ(scn_gpu_kmap_get_row_order(gm, &order), SCN_OK) << scn_last_error_message();
    ASSERT_EQ(scn_kmap_get_row_order(cm.map, &cpuOrder), SCN_OK);
    EXPECT_EQ(toHost(order, info.num_out), fromInfo(cpuOrder, info.num_out));
    const int32_t *masks = nullptr, *cpuMasks = nullptr;
    ASSERT_EQ(scn_gpu_kmap_get_row_masks(gm, &masks), SCN_OK) << scn_last_error_message();
    ASSERT_EQ(scn_kmap_get_row_masks(cm.map, &cpuMasks), SCN_OK);
    EXPECT_EQ(toHost(masks, info.num_out), fromInfo(cpuMasks, info.num_out));
    const int32_t *rowTable = nullptr, *cpuRowTable = nullptr;
    ASSERT_EQ(scn_gpu_kmap_get_row_table(gm, &rowTable), SCN_OK) << scn_last_error_message();
    ASSERT_EQ(scn_kmap_get_row_table(cm.map, &cpuRowTable), SCN_OK);
    EXPECT_EQ(toHost(rowTable, info.num_out * info.volume),
              fromInfo(cpuRowTable, info.num_out * info.volume));
    scn_gpu_kmap_free(gm);
    scn_gpu_sites_free(gpu);
    mgpuMemFree(device, nullptr);
  }

  // Dense [batch, planes, *spatial] with zeros, values and a NaN.
  const int64_t planes = 2, volume = 20 * 18 * 16;
  std::vector<float> dense(size_t(batch * planes * volume), 0.0f);
  for (float &v : dense)
    if (rng() % 9 == 0)
      v = 1.5f;
  dense[123] = std::nanf("");
  SitesGuard cpuDense{nullptr};
  ASSERT_EQ(scn_sites_from_dense(3, size, batch, planes, dense.data(), &cpuDense.sites), SCN_OK);
  void *deviceDense = mgpuMemAlloc(dense.size() * sizeof(float), nullptr, false);
  mgpuMemcpy(deviceDense, dense.data(), dense.size() * sizeof(float), nullptr);
  scn_gpu_sites_t gpuDense = nullptr;
  ASSERT_EQ(scn_gpu_sites_from_dense(3, size, batch, planes,
                                     static_cast<const float *>(deviceDense), nullptr, &gpuDense),
            SCN_OK)
      << scn_last_error_message();
  EXPECT_EQ(gpuCoords(gpuDense), cpuCoords(cpuDense.sites));
  scn_gpu_sites_free(gpuDense);
  mgpuMemFree(deviceDense, nullptr);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();
}

TEST(GpuSites, EmptyInputGivesEmptySetsAndMaps) {
  if (scn_gpu_init(0) != SCN_OK)
    GTEST_SKIP() << "no GPU: " << scn_last_error_message();
  const int64_t size[3] = {8, 8, 8}, three[3] = {3, 3, 3}, two[3] = {2, 2, 2};
  scn_gpu_sites_t sites = nullptr, down = nullptr;
  ASSERT_EQ(scn_gpu_sites_from_coords(3, size, nullptr, 0, 4, 2, nullptr, &sites), SCN_OK)
      << scn_last_error_message();
  scn_gpu_sites_info_t info;
  ASSERT_EQ(scn_gpu_sites_get_info(sites, &info), SCN_OK);
  EXPECT_EQ(info.num_sites, 0);
  EXPECT_EQ(info.batch_size, 2);
  scn_gpu_kmap_t sub = nullptr, strided = nullptr;
  EXPECT_EQ(scn_gpu_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, three, nullptr, nullptr, &sub),
            SCN_OK)
      << scn_last_error_message();
  ASSERT_EQ(scn_gpu_sites_downsample(sites, two, two, nullptr, &down), SCN_OK)
      << scn_last_error_message();
  EXPECT_EQ(scn_gpu_kmap_build(SCN_KMAP_STRIDED, sites, down, two, two, nullptr, &strided), SCN_OK)
      << scn_last_error_message();
  EXPECT_TRUE(gpuNeighbors(sub).empty());
  EXPECT_TRUE(gpuNeighbors(strided).empty());
  scn_gpu_kmap_free(sub);
  scn_gpu_kmap_free(strided);
  scn_gpu_sites_free(down);
  scn_gpu_sites_free(sites);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();
}

TEST(GpuSites, BadCoordinatesNameTheRow) {
  if (scn_gpu_init(0) != SCN_OK)
    GTEST_SKIP() << "no GPU: " << scn_last_error_message();
  const int64_t size[2] = {8, 8};
  std::vector<int64_t> rows = {1, 1, 0, 2, 9, 0, 3, 3, 0};
  void *device = mgpuMemAlloc(rows.size() * sizeof(int64_t), nullptr, false);
  mgpuMemcpy(device, rows.data(), rows.size() * sizeof(int64_t), nullptr);
  scn_gpu_sites_t sites = nullptr;
  EXPECT_EQ(scn_gpu_sites_from_coords(2, size, static_cast<const int64_t *>(device), 3, 3, 1,
                                      nullptr, &sites),
            SCN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(scn_last_error_message()).find("coords row 1 column 1 = 9"),
            std::string::npos)
      << scn_last_error_message();
  EXPECT_EQ(sites, nullptr);
  mgpuMemFree(device, nullptr);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK);
}

} // namespace

//===----------------------------------------------------------------------===//
// Device geometry of generated code (scn_cg_gpu_*, DeviceCodegen.cpp)
//===----------------------------------------------------------------------===//

namespace {

/// A 3-D scan-like set: two batches, duplicates (mode 4 sums them).
std::vector<int64_t> codegenCoords(int64_t &rows) {
  std::vector<int64_t> coords;
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 300; ++i) {
      int64_t x = (i * 7 + b) % 16, y = (i * 3) % 16, z = (i * 5 + 2 * b) % 16;
      coords.insert(coords.end(), {x, y, z, b});
    }
  rows = int64_t(coords.size() / 4);
  return coords;
}

} // namespace

TEST(GpuSites, CodegenAbiMatchesTheCpuOne) {
  int64_t rows = 0;
  std::vector<int64_t> coords = codegenCoords(rows);
  const int64_t size[] = {16, 16, 16}, three[] = {3, 3, 3}, two[] = {2, 2, 2};
  scn_run_t run = scn_run_create();
  ASSERT_NE(run, nullptr);
  if (scn_gpu_init(0) != SCN_OK) {
    // Without a GPU the run fails with the reason; nothing crashes.
    EXPECT_EQ(scn_cg_gpu_input(run, "scn.input", 3, size, coords.data(), 1, rows, 4, 4, 0),
              nullptr);
    EXPECT_NE(scn_run_status(run), SCN_OK);
    EXPECT_NE(std::string(scn_run_error_message(run)).find("scn.input: "), std::string::npos)
        << scn_run_error_message(run);
    EXPECT_EQ(scn_cg_gpu_num_sites(nullptr, nullptr), 0);
    EXPECT_EQ(scn_cg_gpu_neighbors(run, nullptr, 0), nullptr);
    std::string reason = scn_run_error_message(run);
    scn_run_destroy(run);
    scn_gpu_take_error();
    GTEST_SKIP() << "no GPU: " << reason;
  }
  scn_run_t cpu = scn_run_create();
  void *c = scn_cg_input(cpu, "scn.input", 3, size, coords.data(), 1, rows, 4, 4, 0);
  void *g = scn_cg_gpu_input(run, "scn.input", 3, size, coords.data(), 1, rows, 4, 4, 0);
  ASSERT_NE(c, nullptr) << scn_run_error_message(cpu);
  ASSERT_NE(g, nullptr) << scn_run_error_message(run);
  int64_t n = scn_cg_num_sites(nullptr, c);
  ASSERT_EQ(scn_cg_gpu_num_sites(nullptr, g), n);
  EXPECT_EQ(scn_cg_gpu_batch_size(g), scn_cg_batch_size(c));
  EXPECT_EQ(scn_cg_gpu_num_input_rows(g), rows);
  EXPECT_EQ(toHost(scn_cg_gpu_coords(g), n * 4), fromInfo(scn_cg_coords(c), n * 4));
  EXPECT_EQ(toHost(scn_cg_gpu_row_to_site(g), rows), fromInfo(scn_cg_row_to_site(c), rows));
  EXPECT_EQ(toHost(scn_cg_gpu_site_row_count(g), n), fromInfo(scn_cg_site_row_count(c), n));

  // The pyramid's maps, and the strided map read transposed (deconvolution).
  void *cd = scn_cg_downsample(cpu, "scn.downsample", c, two, two);
  void *gd = scn_cg_gpu_downsample(run, "scn.downsample", g, two, two);
  ASSERT_NE(gd, nullptr) << scn_run_error_message(run);
  // A second level before either count is asked: built from the first's
  // rows up to its count on the device.
  void *cd2 = scn_cg_downsample(cpu, "scn.downsample", cd, two, two);
  void *gd2 = scn_cg_gpu_downsample(run, "scn.downsample", gd, two, two);
  ASSERT_NE(gd2, nullptr) << scn_run_error_message(run);
  int64_t m2 = scn_cg_num_sites(nullptr, cd2);
  ASSERT_EQ(scn_cg_gpu_num_sites(nullptr, gd2), m2);
  EXPECT_EQ(toHost(scn_cg_gpu_coords(gd2), m2 * 4), fromInfo(scn_cg_coords(cd2), m2 * 4));
  int64_t m = scn_cg_num_sites(nullptr, cd);
  ASSERT_EQ(scn_cg_gpu_num_sites(nullptr, gd), m);
  EXPECT_EQ(toHost(scn_cg_gpu_coords(gd), m * 4), fromInfo(scn_cg_coords(cd), m * 4));
  struct Case {
    int32_t kind;
    void *cin, *cout, *gin, *gout;
    const int64_t *filter, *stride;
    int64_t volume;
  } cases[] = {{SCN_KMAP_SUBMANIFOLD, c, c, g, g, three, nullptr, 27},
               {SCN_KMAP_STRIDED, c, cd, g, gd, two, two, 8}};
  for (const Case &k : cases) {
    void *cm = scn_cg_kernel_map(cpu, "scn.kernel_map", k.kind, k.cin, k.cout, k.filter, k.stride);
    void *gm = scn_cg_gpu_kernel_map(run, "scn.kernel_map", k.kind, k.gin, k.gout, k.filter,
                                     k.stride);
    ASSERT_NE(gm, nullptr) << scn_run_error_message(run);
    for (int32_t transposed : {0, 1}) {
      if (transposed && k.kind != SCN_KMAP_STRIDED)
        continue;
      int64_t r = scn_cg_neighbors_rows(cpu, cm, transposed);
      ASSERT_EQ(scn_cg_gpu_neighbors_rows(run, gm, transposed), r) << k.kind << transposed;
      EXPECT_EQ(toHost(scn_cg_gpu_neighbors(run, gm, transposed), r * k.volume),
                fromInfo(scn_cg_neighbors(cpu, cm, transposed), r * k.volume))
          << "kind " << k.kind << (transposed ? " transposed" : "");
    }
  }
  EXPECT_EQ(scn_run_status(run), SCN_OK) << scn_run_error_message(run);
  scn_run_destroy(cpu);
  scn_run_destroy(run);
}

namespace {

/// A host copy of `n` device elements queued on `stream`, a network's
/// non-blocking stream, with the host waiting for that stream alone.
template <typename T> std::vector<T> toHostOn(void *stream, const T *device, int64_t n) {
  std::vector<T> host(size_t(std::max<int64_t>(n, 0)));
  if (n > 0) {
    mgpuMemcpy(host.data(), const_cast<T *>(device), size_t(n) * sizeof(T), stream);
    mgpuStreamSynchronize(stream);
  }
  return host;
}

} // namespace

// Maps and row orders come back from the codegen ABI before the GPU has
// built them (a fence, not a host wait): work queued on a network's stream
// must still see them whole. The set is large enough (a million sites) that
// the build is still running when the copy is queued.
TEST(GpuSites, WorkOnTheNetworksStreamSeesMapsTheHostDidNotWaitFor) {
  if (scn_gpu_init(0) != SCN_OK) {
    std::string reason = scn_last_error_message();
    scn_gpu_take_error();
    GTEST_SKIP() << "no GPU: " << reason;
  }
  std::vector<int64_t> coords;
  uint64_t state = 12345;
  for (int64_t i = 0; i < (int64_t(1) << 20); ++i) {
    for (int d = 0; d < 3; ++d) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      coords.push_back(int64_t(state >> 56)); // [0, 256)
    }
    coords.push_back(0);
  }
  const int64_t rows = int64_t(coords.size() / 4), size[] = {256, 256, 256},
                three[] = {3, 3, 3};
  scn_run_t run = scn_run_create();
  void *stream = mgpuStreamCreate();
  void *sites = scn_cg_gpu_input(run, "scn.input", 3, size, coords.data(), 1, rows, 4, 4, 0);
  ASSERT_NE(sites, nullptr) << scn_run_error_message(run);
  const int64_t n = scn_cg_gpu_num_sites(nullptr, sites);
  void *map = scn_cg_gpu_kernel_map(run, "scn.kernel_map", SCN_KMAP_SUBMANIFOLD, sites, sites,
                                    three, nullptr);
  ASSERT_NE(map, nullptr) << scn_run_error_message(run);
  std::vector<int32_t> table = toHostOn(stream, scn_cg_gpu_neighbors(run, map, 0), n * 27);
  std::vector<int32_t> order = toHostOn(stream, scn_cg_gpu_row_order(run, map, 0), n);
  // The builders' own stream, where the codegen ABI queued them.
  void *geometry = nullptr;
  ASSERT_EQ(scn_gpu_geometry_stream(&geometry), SCN_OK) << scn_last_error_message();
  ASSERT_EQ(scn_gpu_sites_wait(geometry), SCN_OK) << scn_last_error_message();
  EXPECT_EQ(table, toHostOn(stream, scn_cg_gpu_neighbors(run, map, 0), n * 27));
  EXPECT_EQ(order, toHostOn(stream, scn_cg_gpu_row_order(run, map, 0), n));
  EXPECT_EQ(scn_run_status(run), SCN_OK) << scn_run_error_message(run);
  EXPECT_EQ(scn_gpu_take_error(), SCN_OK) << scn_last_error_message();
  mgpuStreamDestroy(stream);
  scn_run_destroy(run);
}
