//===- BenchRuntimeMaps.cpp - Site sets and kernel maps on a LiDAR scan ---===//
//
// Part of the SCN compiler benchmarks.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Workload W1 geometry: the real KITTI-like scan (198,130 points) voxelised
/// at 0.05 m (about 173k sites), then a five-level UNet pyramid: a 3x3x3
/// submanifold map per level, a 2/2 downsample plus its strided map between
/// levels, and the transposed map of each for the way up. Every step runs
/// with 1 and 2 threads (second argument). Counters:
///   lookups/s  hash-table probes per second (inserts for set builders,
///              neighbour queries N_out * K for submanifold maps, one per
///              input site for strided / transposed maps)
///   B/site     bytes the result holds per output site.
/// BM_HashTable_* compares the runtime's concurrent open-addressing table
/// with std::unordered_map on the same keys (one thread), which is why the
/// runtime does not use a general-purpose map.
///
//===----------------------------------------------------------------------===//

#include "NpyReader.h"

#include "scn/Runtime/Runtime.h"
#ifdef SCN_BENCH_HAVE_GPU
#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/GpuSites.h"
#endif

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kLevels = 5;

void check(scn_status_t status) {
  if (status != SCN_OK) {
    std::fprintf(stderr, "runtime call failed: %s\n", scn_last_error_message());
    std::abort();
  }
}

/// The voxelised scan: int64 rows [N, 4] (x, y, z, batch 0), grid size.
struct Scan {
  std::vector<int64_t> rows;
  int64_t numRows = 0;
  int64_t size[3] = {};
};

const Scan &scan() {
  static const Scan result = [] {
    const char *env = std::getenv("SCN_BENCH_DATA_DIR");
    std::string dir = env ? env : SCN_BENCH_DATA_DIR;
    scn::bench::NpyArray pc =
        scn::bench::readNpzArray(dir + "/kitti-lidar-scan.npz", "pc");
    if (pc.descr != "<f4" || pc.shape.size() != 2 || pc.shape[1] != 3)
      std::abort();
    const float *p = reinterpret_cast<const float *>(pc.bytes.data());
    Scan s;
    s.numRows = pc.shape[0];
    float lo[3] = {p[0], p[1], p[2]};
    for (int64_t r = 0; r < s.numRows; ++r)
      for (int i = 0; i < 3; ++i)
        lo[i] = std::min(lo[i], p[r * 3 + i]);
    int64_t hi[3] = {0, 0, 0};
    s.rows.resize(s.numRows * 4);
    for (int64_t r = 0; r < s.numRows; ++r) {
      for (int i = 0; i < 3; ++i) {
        int64_t v = int64_t(std::floor((p[r * 3 + i] - lo[i]) / 0.05f));
        s.rows[r * 4 + i] = v;
        hi[i] = std::max(hi[i], v);
      }
      s.rows[r * 4 + 3] = 0;
    }
    // Round up so that four 2/2 downsamples divide exactly.
    for (int i = 0; i < 3; ++i)
      s.size[i] = (hi[i] + 1 + 15) / 16 * 16;
    return s;
  }();
  return result;
}

/// The pyramid's site sets, built once (shared by the per-step benchmarks).
struct Pyramid {
  scn_sites_t levels[kLevels] = {};
  ~Pyramid() {
    for (scn_sites_t s : levels)
      scn_sites_free(s);
  }
};

const Pyramid &pyramid() {
  static const Pyramid *result = [] {
    auto *p = new Pyramid;
    const Scan &s = scan();
    check(scn_sites_from_coords(3, s.size, s.rows.data(), SCN_INDEX_INT64,
                                s.numRows, 4, SCN_INPUT_AVERAGE, 1,
                                &p->levels[0]));
    int64_t two[3] = {2, 2, 2};
    for (int l = 1; l < kLevels; ++l)
      check(scn_sites_downsample(p->levels[l - 1], two, two, &p->levels[l]));
    return p;
  }();
  return *result;
}

int64_t numSites(scn_sites_t s) {
  scn_sites_info_t info;
  check(scn_sites_get_info(s, &info));
  return info.num_sites;
}

const int64_t kThree[3] = {3, 3, 3};
const int64_t kTwo[3] = {2, 2, 2};

void setRate(benchmark::State &state, double lookups, double bytes,
             double sites) {
  state.counters["lookups/s"] = benchmark::Counter(
      lookups, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["B/site"] = sites > 0 ? bytes / sites : 0;
  state.counters["sites"] = sites;
}

void BM_InputSites(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(0))));
  const Scan &s = scan();
  int64_t bytes = 0, sites = 0;
  for (auto _ : state) {
    scn_sites_t out = nullptr;
    check(scn_sites_from_coords(3, s.size, s.rows.data(), SCN_INDEX_INT64,
                                s.numRows, 4, SCN_INPUT_AVERAGE, 1, &out));
    check(scn_sites_memory_bytes(out, &bytes));
    sites = numSites(out);
    scn_sites_free(out);
  }
  setRate(state, double(s.numRows), double(bytes), double(sites));
}

void BM_Submanifold3(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(1))));
  scn_sites_t sites = pyramid().levels[state.range(0)];
  int64_t bytes = 0, pairs = 0;
  for (auto _ : state) {
    scn_kmap_t map = nullptr;
    check(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, kThree, nullptr,
                         &map));
    scn_kmap_free(map);
  }
  // Outside the timing: the pair lists are built on first request (below).
  scn_kmap_t map = nullptr;
  check(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, kThree, nullptr, &map));
  scn_kmap_info_t info;
  check(scn_kmap_get_info(map, &info));
  pairs = info.num_pairs;
  check(scn_kmap_memory_bytes(map, &bytes));
  scn_kmap_free(map);
  int64_t n = numSites(sites);
  setRate(state, double(n) * 27, double(bytes), double(n));
  state.counters["pairs"] = double(pairs);
}

/// The per-offset pair lists of a submanifold map, built on the first
/// scn_kmap_get_info (per-offset dataflows need them; the CPU kernels do not).
void BM_PairLists3(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(1))));
  scn_sites_t sites = pyramid().levels[state.range(0)];
  for (auto _ : state) {
    state.PauseTiming();
    scn_kmap_t map = nullptr;
    check(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, kThree, nullptr,
                         &map));
    state.ResumeTiming();
    scn_kmap_info_t info;
    check(scn_kmap_get_info(map, &info));
    state.PauseTiming();
    scn_kmap_free(map);
    state.ResumeTiming();
  }
}

void BM_Downsample2(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(1))));
  scn_sites_t in = pyramid().levels[state.range(0)];
  int64_t bytes = 0, sites = 0;
  for (auto _ : state) {
    scn_sites_t out = nullptr;
    check(scn_sites_downsample(in, kTwo, kTwo, &out));
    check(scn_sites_memory_bytes(out, &bytes));
    sites = numSites(out);
    scn_sites_free(out);
  }
  setRate(state, double(numSites(in)), double(bytes), double(sites));
}

void BM_Strided2(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(1))));
  scn_sites_t in = pyramid().levels[state.range(0)];
  scn_sites_t out = pyramid().levels[state.range(0) + 1];
  int64_t bytes = 0;
  for (auto _ : state) {
    scn_kmap_t map = nullptr;
    check(scn_kmap_build(SCN_KMAP_STRIDED, in, out, kTwo, kTwo, &map));
    check(scn_kmap_memory_bytes(map, &bytes));
    scn_kmap_free(map);
  }
  setRate(state, double(numSites(in)), double(bytes), double(numSites(out)));
}

/// The way up: the transposed map derived from the strided one (no lookups).
void BM_TransposeOfStrided2(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(1))));
  scn_sites_t big = pyramid().levels[state.range(0)];
  scn_sites_t small = pyramid().levels[state.range(0) + 1];
  scn_kmap_t strided = nullptr;
  check(scn_kmap_build(SCN_KMAP_STRIDED, big, small, kTwo, kTwo, &strided));
  int64_t bytes = 0;
  for (auto _ : state) {
    scn_kmap_t map = nullptr;
    check(scn_kmap_transpose(strided, &map));
    check(scn_kmap_memory_bytes(map, &bytes));
    scn_kmap_free(map);
  }
  scn_kmap_free(strided);
  setRate(state, 0, double(bytes), double(numSites(big)));
}

/// The same map built directly with hash lookups (for comparison).
void BM_TransposedBuild2(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(1))));
  scn_sites_t big = pyramid().levels[state.range(0)];
  scn_sites_t small = pyramid().levels[state.range(0) + 1];
  int64_t bytes = 0;
  for (auto _ : state) {
    scn_kmap_t map = nullptr;
    check(scn_kmap_build(SCN_KMAP_TRANSPOSED, small, big, kTwo, kTwo, &map));
    check(scn_kmap_memory_bytes(map, &bytes));
    scn_kmap_free(map);
  }
  setRate(state, double(numSites(big)), double(bytes), double(numSites(big)));
}

/// Everything the UNet's geometry needs, from raw rows, per forward pass.
void BM_UNetGeometryTotal(benchmark::State &state) {
  check(scn_set_num_threads(int32_t(state.range(0))));
  const Scan &s = scan();
  int64_t lookups = 0, held = 0;
  for (auto _ : state) {
    scn_sites_t levels[kLevels] = {};
    std::vector<scn_kmap_t> maps;
    check(scn_sites_from_coords(3, s.size, s.rows.data(), SCN_INDEX_INT64,
                                s.numRows, 4, SCN_INPUT_AVERAGE, 1,
                                &levels[0]));
    lookups = s.numRows;
    for (int l = 0; l < kLevels; ++l) {
      scn_kmap_t subm = nullptr;
      check(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, levels[l], levels[l], kThree,
                           nullptr, &subm));
      maps.push_back(subm);
      lookups += numSites(levels[l]) * 27;
      if (l + 1 == kLevels)
        break;
      check(scn_sites_downsample(levels[l], kTwo, kTwo, &levels[l + 1]));
      scn_kmap_t strided = nullptr, transposed = nullptr;
      check(scn_kmap_build(SCN_KMAP_STRIDED, levels[l], levels[l + 1], kTwo,
                           kTwo, &strided));
      check(scn_kmap_transpose(strided, &transposed));
      maps.push_back(strided);
      maps.push_back(transposed);
      lookups += 2 * numSites(levels[l]);
    }
    // What the pyramid holds once built (sets and maps; hash tables and
    // pair lists are not built by this work).
    held = 0;
    for (scn_sites_t l : levels) {
      int64_t bytes = 0;
      check(scn_sites_memory_bytes(l, &bytes));
      held += bytes;
    }
    for (scn_kmap_t m : maps) {
      int64_t bytes = 0;
      check(scn_kmap_memory_bytes(m, &bytes));
      held += bytes;
    }
    for (scn_kmap_t m : maps)
      scn_kmap_free(m);
    for (scn_sites_t l : levels)
      scn_sites_free(l);
  }
  setRate(state, double(lookups), 0, double(numSites(pyramid().levels[0])));
  state.counters["held_MiB"] = double(held) / (1 << 20);
  // The process's peak resident memory (the scan and every benchmark so
  // far included): an upper bound of the pyramid's peak.
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_RSS_MiB"] = double(usage.ru_maxrss) / 1024;
}

#ifdef SCN_BENCH_HAVE_GPU
/// The GPU maps' lookups for one benchmark (DeviceKeyTable.h): argument 0
/// binary search in sorted keys (the default), 1 a hash table
/// (SCN_RUNTIME_ALGORITHMS=hash, which the builders read at each call).
class GpuLookups {
public:
  explicit GpuLookups(benchmark::State &state) {
    const char *was = std::getenv("SCN_RUNTIME_ALGORITHMS");
    saved = was ? std::optional<std::string>(was) : std::nullopt;
    if (state.range(0))
      setenv("SCN_RUNTIME_ALGORITHMS", "hash", 1);
    else
      unsetenv("SCN_RUNTIME_ALGORITHMS");
    state.SetLabel(state.range(0) ? "hash-table lookups" : "sorted lookups");
  }
  ~GpuLookups() {
    if (saved)
      setenv("SCN_RUNTIME_ALGORITHMS", saved->c_str(), 1);
    else
      unsetenv("SCN_RUNTIME_ALGORITHMS");
  }

private:
  std::optional<std::string> saved;
};

/// Whether a GPU is there; if not, the benchmark is skipped with the reason.
bool gpuReady(benchmark::State &state) {
  if (scn_gpu_init(0) == SCN_OK)
    return true;
  state.SkipWithError(scn_last_error_message());
  return false;
}

/// The scan's rows in device memory, on a stream of their own, for as long
/// as a GPU benchmark runs.
struct GpuScanRows {
  GpuScanRows() {
    const size_t bytes = size_t(scan().numRows) * 4 * sizeof(int64_t);
    stream = mgpuStreamCreate();
    rows = static_cast<const int64_t *>(mgpuMemAlloc(bytes, stream, false));
    mgpuMemcpy(const_cast<int64_t *>(rows), const_cast<int64_t *>(scan().rows.data()), bytes,
               stream);
    mgpuStreamSynchronize(stream);
  }
  ~GpuScanRows() {
    mgpuMemFree(const_cast<int64_t *>(rows), stream);
    mgpuStreamSynchronize(stream);
    mgpuStreamDestroy(stream);
    check(scn_gpu_take_error());
  }
  /// The pyramid's first level: the scan's site set, averaging duplicates,
  /// built on `on` (by default this object's stream).
  scn_gpu_sites_t inputSites(void *on) const {
    const Scan &s = scan();
    scn_gpu_sites_t sites = nullptr;
    check(scn_gpu_sites_from_coords(3, s.size, rows, s.numRows, SCN_INPUT_AVERAGE, 1, on,
                                    &sites));
    return sites;
  }
  scn_gpu_sites_t inputSites() const { return inputSites(stream); }
  void *stream = nullptr;
  const int64_t *rows = nullptr;
};

/// The same pyramid on the GPU (GpuSites.h), from coordinates already in
/// device memory, synchronised at the end of each iteration. Skipped (with
/// the reason) without a GPU or a CUDA build.
/// W1's pyramid on the GPU, queued on one stream: its sets and maps, and
/// with `rowOrders` the row order and table of each submanifold and
/// transposed map, as the tensor-core layers ask for them. Freed with the
/// object (after the caller has waited for the stream).
struct GpuPyramid {
  GpuPyramid(const GpuScanRows &device, void *stream, bool rowOrders) {
    levels[0] = device.inputSites(stream);
    for (int l = 0; l < kLevels; ++l) {
      build(SCN_KMAP_SUBMANIFOLD, levels[l], levels[l], kThree, nullptr, stream, rowOrders);
      if (l + 1 == kLevels)
        break;
      check(scn_gpu_sites_downsample(levels[l], kTwo, kTwo, stream, &levels[l + 1]));
      build(SCN_KMAP_STRIDED, levels[l], levels[l + 1], kTwo, kTwo, stream, false);
      build(SCN_KMAP_TRANSPOSED, levels[l + 1], levels[l], kTwo, kTwo, stream, rowOrders);
    }
  }
  ~GpuPyramid() {
    for (scn_gpu_kmap_t m : maps)
      scn_gpu_kmap_free(m);
    for (scn_gpu_sites_t l : levels)
      scn_gpu_sites_free(l);
  }
  scn_gpu_sites_t levels[kLevels] = {};
  std::vector<scn_gpu_kmap_t> maps;

private:
  void build(int32_t kind, scn_gpu_sites_t in, scn_gpu_sites_t out, const int64_t *filter,
             const int64_t *stride, void *stream, bool rowOrder) {
    scn_gpu_kmap_t map = nullptr;
    check(scn_gpu_kmap_build(kind, in, out, filter, stride, stream, &map));
    maps.push_back(map);
    const int32_t *order = nullptr, *table = nullptr;
    if (rowOrder) {
      check(scn_gpu_kmap_get_row_order(map, &order));
      check(scn_gpu_kmap_get_row_table(map, &table));
    }
  }
};

void BM_UNetGeometryTotalGpu(benchmark::State &state) {
  if (!gpuReady(state))
    return;
  GpuLookups lookups(state);
  GpuScanRows device;
  for (auto _ : state) {
    GpuPyramid pyramid(device, device.stream, /*rowOrders=*/false);
    mgpuStreamSynchronize(device.stream);
  }
}

/// A kernel that holds its SM for `cycles` clocks a block (PTX, JIT-compiled
/// by the driver): with 64 KiB of dynamic shared memory each, three blocks
/// an SM, like W1's tensor-core convolutions.
constexpr char kSpinPtx[] = R"(.version 7.0
.target sm_80
.address_size 64
.visible .entry spin(.param .u64 cycles)
{
  .reg .u64 %rd<5>;
  .reg .pred %p;
  ld.param.u64 %rd1, [cycles];
  mov.u64 %rd2, %clock64;
WAIT:
  mov.u64 %rd3, %clock64;
  sub.u64 %rd4, %rd3, %rd2;
  setp.lt.u64 %p, %rd4, %rd1;
  @%p bra WAIT;
  ret;
}
)";

/// The whole pyramid, row orders included, built while another stream runs
/// a chain of kernels that fill the GPU with blocks (50 launches of 8 waves
/// of 10 us blocks: about 4 ms by those numbers, not yet timed; W1's layers
/// with maps prebuilt took 5.97 ms on the H200), against the same pyramid
/// on an idle GPU. First argument: the
/// builders' stream, 0 the CUDA default stream, 1 scn_gpu_geometry_stream's
/// (the greatest priority); second: 1 with the chain, 0 without. The time
/// is from queueing the chain to the builders' stream finishing; `chain_ms`
/// when the chain finished. At equal priorities the GPU starts a kernel of
/// one stream only after every block of a kernel queued before it on
/// another, so the builders should finish near the chain's end on the
/// default stream, and near their idle time on the priority stream: the
/// reason compiled networks build on the latter (GeometryStream.cpp).
void BM_GeometryBesideKernelsGpu(benchmark::State &state) {
  if (!gpuReady(state))
    return;
  GpuScanRows device;
  void *geometry = nullptr;
  if (state.range(0))
    check(scn_gpu_geometry_stream(&geometry));
  const bool busy = state.range(1) != 0;
  state.SetLabel(std::string(state.range(0) ? "priority stream" : "default stream") +
                 (busy ? ", beside kernels" : ", idle GPU"));
  char ptx[sizeof kSpinPtx];
  std::copy(std::begin(kSpinPtx), std::end(kSpinPtx), ptx);
  void *module = mgpuModuleLoadJIT(ptx, 3);
  void *spin = mgpuModuleGetFunction(module, "spin");
  if (scn_gpu_take_error() != SCN_OK) {
    // Skipped, not aborted: the benchmarks after this one still run.
    state.SkipWithError(scn_last_error_message());
    return;
  }
  constexpr int32_t kSpinShared = 64 << 10;
  constexpr int kLaunches = 50, kWaves = 8;
  const int64_t grid = scn_gpu_resident_blocks(kSpinShared, 128) * kWaves;
  uint64_t cycles = 20000; // about 10 us at 2 GHz
  void *chain = mgpuStreamCreate();
  double chainMs = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    if (busy)
      for (int i = 0; i < kLaunches; ++i) {
        void *params[] = {&cycles};
        mgpuLaunchKernel(spin, grid, 1, 1, 128, 1, 1, kSpinShared, chain, params, nullptr, 1);
      }
    {
      GpuPyramid pyramid(device, geometry, /*rowOrders=*/true);
      check(scn_gpu_sites_wait(geometry));
      state.SetIterationTime(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    mgpuStreamSynchronize(chain);
    chainMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count();
  }
  mgpuStreamDestroy(chain);
  mgpuModuleUnload(module);
  if (scn_gpu_take_error() != SCN_OK) {
    state.SkipWithError(scn_last_error_message());
    return;
  }
  state.counters["chain_ms"] = busy ? chainMs : 0;
  state.counters["spin_grid"] = double(grid);
}

/// The pyramid's five submanifold maps alone on the GPU (its sets built
/// once, outside the timing): the work the two lookups differ on.
void BM_SubmanifoldMapsGpu(benchmark::State &state) {
  if (!gpuReady(state))
    return;
  GpuLookups lookups(state);
  GpuScanRows device;
  void *stream = device.stream;
  scn_gpu_sites_t levels[kLevels] = {device.inputSites()};
  for (int l = 0; l + 1 < kLevels; ++l)
    check(scn_gpu_sites_downsample(levels[l], kTwo, kTwo, stream, &levels[l + 1]));
  mgpuStreamSynchronize(stream);
  int64_t lookupsDone = 0;
  for (auto _ : state) {
    scn_gpu_kmap_t maps[kLevels] = {};
    for (int l = 0; l < kLevels; ++l)
      check(scn_gpu_kmap_build(SCN_KMAP_SUBMANIFOLD, levels[l], levels[l], kThree, nullptr,
                               stream, &maps[l]));
    mgpuStreamSynchronize(stream);
    for (scn_gpu_kmap_t m : maps)
      scn_gpu_kmap_free(m);
  }
  for (int l = 0; l < kLevels; ++l)
    lookupsDone += numSites(pyramid().levels[l]) * 27;
  setRate(state, double(lookupsDone), 0, double(numSites(pyramid().levels[0])));
  for (scn_gpu_sites_t l : levels)
    scn_gpu_sites_free(l);
}
#endif

/// Level-0 site keys, packed as the runtime packs them (batch 0).
std::vector<uint64_t> levelZeroKeys() {
  scn_sites_info_t info;
  check(scn_sites_get_info(pyramid().levels[0], &info));
  std::vector<uint64_t> keys(info.num_sites);
  for (int64_t r = 0; r < info.num_sites; ++r) {
    const int64_t *x = info.coords + r * 4;
    keys[r] = (uint64_t(x[0]) << 42) | (uint64_t(x[1]) << 21) | uint64_t(x[2]);
  }
  return keys;
}

/// std::unordered_map: build from the level-0 sites, then 27 queries per site.
void BM_HashTable_StdUnorderedMap(benchmark::State &state) {
  std::vector<uint64_t> keys = levelZeroKeys();
  for (auto _ : state) {
    std::unordered_map<uint64_t, int32_t> map;
    map.reserve(keys.size());
    for (size_t r = 0; r < keys.size(); ++r)
      map.emplace(keys[r], int32_t(r));
    int64_t hits = 0;
    for (uint64_t key : keys)
      for (int64_t dx = -1; dx <= 1; ++dx)
        for (int64_t dy = -1; dy <= 1; ++dy)
          for (int64_t dz = -1; dz <= 1; ++dz)
            hits += map.count(key + uint64_t(dx << 42) + uint64_t(dy << 21) +
                              uint64_t(dz));
    benchmark::DoNotOptimize(hits);
  }
  setRate(state, double(keys.size()) * 28, 0, double(keys.size()));
}

/// The runtime on the same work: set from unique rows + submanifold map.
void BM_HashTable_ScnRuntime(benchmark::State &state) {
  check(scn_set_num_threads(1));
  scn_sites_info_t info;
  check(scn_sites_get_info(pyramid().levels[0], &info));
  for (auto _ : state) {
    scn_sites_t sites = nullptr;
    check(scn_sites_from_coords(3, info.spatial_size, info.coords,
                                SCN_INDEX_INT64, info.num_sites, 4,
                                SCN_INPUT_UNIQUE, 1, &sites));
    scn_kmap_t map = nullptr;
    check(scn_kmap_build(SCN_KMAP_SUBMANIFOLD, sites, sites, kThree, nullptr,
                         &map));
    scn_kmap_free(map);
    scn_sites_free(sites);
  }
  setRate(state, double(info.num_sites) * 28, 0, double(info.num_sites));
}

void levelArgs(benchmark::internal::Benchmark *b, int levels) {
  for (int threads : {1, 2})
    for (int l = 0; l < levels; ++l)
      b->Args({l, threads});
}

} // namespace

#define SCN_BENCH(fn) BENCHMARK(fn)->Unit(benchmark::kMillisecond)->UseRealTime()

SCN_BENCH(BM_InputSites)->Arg(1)->Arg(2);
SCN_BENCH(BM_Submanifold3)->Apply([](auto *b) { levelArgs(b, kLevels); });
SCN_BENCH(BM_PairLists3)->Apply([](auto *b) { levelArgs(b, 1); });
SCN_BENCH(BM_Downsample2)->Apply([](auto *b) { levelArgs(b, kLevels - 1); });
SCN_BENCH(BM_Strided2)->Apply([](auto *b) { levelArgs(b, kLevels - 1); });
SCN_BENCH(BM_TransposeOfStrided2)->Apply([](auto *b) {
  levelArgs(b, kLevels - 1);
});
SCN_BENCH(BM_TransposedBuild2)->Apply([](auto *b) {
  levelArgs(b, kLevels - 1);
});
SCN_BENCH(BM_UNetGeometryTotal)->Arg(1)->Arg(2);
#ifdef SCN_BENCH_HAVE_GPU
SCN_BENCH(BM_UNetGeometryTotalGpu)->Arg(0)->Arg(1);
SCN_BENCH(BM_SubmanifoldMapsGpu)->Arg(0)->Arg(1);
// Last: it launches kernels of its own, whose failure it reports as a skip.
BENCHMARK(BM_GeometryBesideKernelsGpu)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(20)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Args({1, 1});
#endif
SCN_BENCH(BM_HashTable_StdUnorderedMap);
SCN_BENCH(BM_HashTable_ScnRuntime);

BENCHMARK_MAIN();
