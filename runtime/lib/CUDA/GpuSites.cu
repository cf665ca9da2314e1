//===- GpuSites.cu - Site sets and kernel maps built on the GPU -----------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The sorted builders of the CPU runtime (SortedNumbering.h,
/// SubmanifoldMap.cpp, the downsample provenance) on the device: keys are
/// packed row-major (KeyLayout::packLinear), sorted with CUB's stable radix
/// sort, groups of equal keys are numbered by their smallest candidate with
/// two scans, and submanifold neighbours are found by binary search of the
/// padded keys of the sorted set (one thread per output site and offset
/// column). Results equal the CPU runtime's, row for row.
///
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "Error.h"
#include "Geometry.h"
#include "KeyPacking.h"

#include "scn/Runtime/GpuSites.h"
#include "scn/Runtime/KernelMap.h"
#include "scn/Runtime/Sites.h"

#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <memory>
#include <string>
#include <vector>

using namespace scn::rt;

namespace {

//===----------------------------------------------------------------------===//
// Errors and device memory
//===----------------------------------------------------------------------===//

void cudaCheck(cudaError_t error, const char *what) {
  if (error == cudaSuccess)
    return;
  scn_status_t status = error == cudaErrorMemoryAllocation ? SCN_ERROR_OUT_OF_MEMORY
                        : error == cudaErrorNoDevice || error == cudaErrorInsufficientDriver
                            ? SCN_ERROR_NO_DEVICE
                            : SCN_ERROR_DEVICE;
  fail(status, what, " failed with ", cudaGetErrorName(error), " (",
       cudaGetErrorString(error), ")");
}

/// Loads the driver (clear NO_DEVICE message when there is none) and makes
/// the runtime API use the device of scn_gpu_init.
cudaStream_t prepare(void *stream) {
  scn::rt::driver_api::driver();
  cudaCheck(cudaSetDevice(scn::rt::driver_api::currentDevice()), "cudaSetDevice");
  return static_cast<cudaStream_t>(stream);
}

/// Device memory from the stream-ordered pool, freed on the same stream.
template <typename T> class DeviceArray {
public:
  DeviceArray() = default;
  DeviceArray(int64_t n, cudaStream_t stream) { resize(n, stream); }
  DeviceArray(const DeviceArray &) = delete;
  DeviceArray &operator=(const DeviceArray &) = delete;
  DeviceArray(DeviceArray &&o) noexcept { *this = std::move(o); }
  DeviceArray &operator=(DeviceArray &&o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(stream_, o.stream_);
    return *this;
  }
  ~DeviceArray() {
    if (data_)
      cudaFreeAsync(data_, stream_);
  }
  void resize(int64_t n, cudaStream_t stream) {
    if (data_)
      cudaFreeAsync(data_, stream_);
    data_ = nullptr;
    size_ = n;
    stream_ = stream;
    if (n > 0)
      cudaCheck(cudaMallocAsync(reinterpret_cast<void **>(&data_), size_t(n) * sizeof(T), stream),
                "cudaMallocAsync");
  }
  T *data() const { return data_; }
  int64_t size() const { return size_; }

private:
  T *data_ = nullptr;
  int64_t size_ = 0;
  cudaStream_t stream_ = nullptr;
};

template <typename T> T readBack(const T *device, cudaStream_t stream) {
  T value;
  cudaCheck(cudaMemcpyAsync(&value, device, sizeof(T), cudaMemcpyDeviceToHost, stream),
            "cudaMemcpyAsync");
  cudaCheck(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  return value;
}

constexpr int kThreads = 256;
/// At least one block: a launch of zero blocks is an error
/// (cudaErrorInvalidConfiguration), and every kernel checks its bounds, so
/// empty sets (no sites, no pairs) just launch one idle block.
unsigned blocksFor(int64_t n) {
  return unsigned(std::max<int64_t>(1, (n + kThreads - 1) / kThreads));
}

//===----------------------------------------------------------------------===//
// Keys on the device
//===----------------------------------------------------------------------===//

/// KeyLayout::packLinear's fields, by value for kernels.
struct Linear {
  int32_t dim;
  int32_t batchShift;
  int32_t shift[SCN_MAX_DIMENSION];
  uint64_t mask[SCN_MAX_DIMENSION];

  static Linear of(const KeyLayout &layout) {
    Linear l{};
    l.dim = layout.dim();
    l.batchShift = layout.batchShiftOf();
    for (int32_t i = 0; i < l.dim; ++i) {
      l.shift[i] = layout.linearShiftOf(i);
      l.mask[i] = layout.linearMaskOf(i);
    }
    return l;
  }
  __device__ uint64_t pack(const int64_t *x, int64_t b) const {
    uint64_t key = batchShift >= 64 ? 0 : uint64_t(b) << batchShift;
    for (int32_t i = 0; i < dim; ++i)
      key |= uint64_t(x[i]) << shift[i];
    return key;
  }
  __device__ int64_t unpack(uint64_t key, int64_t *x) const {
    for (int32_t i = 0; i < dim; ++i)
      x[i] = int64_t((key >> shift[i]) & mask[i]);
    return batchShift >= 64 ? 0 : int64_t(key >> batchShift);
  }
};

struct Grid {
  int32_t dim;
  int64_t size[SCN_MAX_DIMENSION];
};

constexpr uint64_t kNoCandidate = ~uint64_t(0);

__global__ void validateRows(const int64_t *coords, int64_t n, Grid g,
                             unsigned long long *firstBad, long long *maxBatch) {
  int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= n)
    return;
  const int64_t *x = coords + r * (g.dim + 1);
  bool bad = x[g.dim] < 0;
  for (int32_t i = 0; i < g.dim; ++i)
    bad |= x[i] < 0 || x[i] >= g.size[i];
  if (bad)
    atomicMin(firstBad, (unsigned long long)r);
  else
    atomicMax(maxBatch, (long long)x[g.dim]);
}

__global__ void rowKeys(const int64_t *coords, int64_t n, Linear l, uint64_t *keys,
                        int32_t *ids) {
  int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= n)
    return;
  const int64_t *x = coords + r * (l.dim + 1);
  keys[r] = l.pack(x, x[l.dim]);
  ids[r] = int32_t(r);
}

/// Downsample with filter == stride: the one window of x is x / stride.
__global__ void parentKeys(const int64_t *coords, int64_t n, Linear l, Grid out,
                           Grid stride, uint64_t *keys, int32_t *ids) {
  int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= n)
    return;
  const int64_t *x = coords + r * (l.dim + 1);
  int64_t j[SCN_MAX_DIMENSION];
  bool inside = true;
  for (int32_t i = 0; i < l.dim; ++i) {
    j[i] = x[i] / stride.size[i];
    inside &= j[i] < out.size[i];
  }
  keys[r] = inside ? l.pack(j, x[l.dim]) : kNoCandidate;
  ids[r] = int32_t(r);
}

//===----------------------------------------------------------------------===//
// Numbering sorted candidates (SortedNumbering.h on the device)
//===----------------------------------------------------------------------===//

__global__ void markHeads(const uint64_t *keys, const int32_t *ids, int64_t m,
                          int32_t *isHead, int32_t *headOfId) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= m)
    return;
  bool head = keys[i] != kNoCandidate && (i == 0 || keys[i] != keys[i - 1]);
  isHead[i] = head;
  if (head)
    headOfId[ids[i]] = 1;
}

/// Per group (at its head): site row, sorted order, coordinates.
__global__ void numberGroups(const uint64_t *keys, const int32_t *ids, int64_t m,
                             const int32_t *isHead, const int32_t *groupIncl,
                             const int32_t *siteIncl, Linear l, int32_t *groupSite,
                             int32_t *groupHeadId, int32_t *sortedRows,
                             uint64_t *sortedKeys, int64_t *coords) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= m || !isHead[i])
    return;
  int32_t g = groupIncl[i] - 1;
  int32_t site = siteIncl[ids[i]] - 1;
  groupSite[g] = site;
  groupHeadId[g] = ids[i];
  sortedRows[g] = site;
  sortedKeys[g] = keys[i];
  int64_t *x = coords + int64_t(site) * (l.dim + 1);
  x[l.dim] = l.unpack(keys[i], x);
}

/// Per candidate: the merge map of an input set (as fillInputSetBySorting).
__global__ void mergeMap(const uint64_t *keys, const int32_t *ids, int64_t m,
                         const int32_t *groupIncl, const int32_t *groupSite,
                         const int32_t *groupHeadId, int32_t mode, int32_t *rowToSite,
                         int32_t *siteSourceRow, int32_t *siteRowCount,
                         unsigned long long *firstDuplicate) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= m || keys[i] == kNoCandidate)
    return;
  int32_t g = groupIncl[i] - 1;
  int32_t site = groupSite[g];
  bool first = i == 0 || keys[i - 1] != keys[i];
  bool last = i + 1 == m || keys[i + 1] != keys[i];
  atomicAdd(&siteRowCount[site], 1);
  if (mode == SCN_INPUT_KEEP_LAST ? last : first)
    siteSourceRow[site] = ids[i];
  bool kept = mode == SCN_INPUT_KEEP_FIRST ? first : mode == SCN_INPUT_KEEP_LAST ? last : true;
  rowToSite[ids[i]] = kept ? site : -1;
  if (mode == SCN_INPUT_UNIQUE && !first)
    atomicMin(firstDuplicate,
              ((unsigned long long)(unsigned)ids[i] << 32) | (unsigned)groupHeadId[g]);
}

__global__ void parentOf(const uint64_t *keys, const int32_t *ids, int64_t m,
                         const int32_t *groupIncl, const int32_t *groupSite,
                         int32_t *parent) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= m || keys[i] == kNoCandidate)
    return;
  parent[ids[i]] = groupSite[groupIncl[i] - 1];
}

template <typename T> __global__ void fill(T *data, int64_t n, T value) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n)
    data[i] = value;
}

} // namespace

//===----------------------------------------------------------------------===//
// The objects behind the handles
//===----------------------------------------------------------------------===//

struct scn_gpu_sites {
  int32_t dim = 0;
  int64_t spatialSize[SCN_MAX_DIMENSION] = {};
  int64_t batchSize = 1;
  int64_t numSites = 0;
  int64_t numRows = 0;
  KeyLayout layout;
  uint64_t id = 0;
  DeviceArray<int64_t> coords;
  DeviceArray<int32_t> sortedRows;
  DeviceArray<uint64_t> sortedKeys;
  DeviceArray<int32_t> rowToSite, siteSourceRow, siteRowCount;
  // Provenance of a filter == stride downsample (see SiteSet.h).
  uint64_t parentSetId = 0;
  int64_t parentFilter[SCN_MAX_DIMENSION] = {};
  DeviceArray<int32_t> parentOfInput;
};

struct scn_gpu_kmap {
  int32_t kind = 0;
  int64_t volume = 0;
  int64_t numOut = 0;
  DeviceArray<int32_t> neighbors;
};

namespace {

std::unique_ptr<scn_gpu_sites> makeSet(int32_t dim, const int64_t *size, int64_t batch) {
  static std::atomic<uint64_t> nextId{1};
  auto s = std::make_unique<scn_gpu_sites>();
  s->dim = dim;
  std::copy(size, size + dim, s->spatialSize);
  s->batchSize = batch;
  s->layout = KeyLayout(dim, size, batch);
  s->id = nextId.fetch_add(1);
  if (s->layout.totalBits() > 63)
    fail(SCN_ERROR_INVALID_ARGUMENT, "the grid needs ", s->layout.totalBits(),
         "-bit site keys; the GPU builders take at most 63 bits so far");
  return s;
}

Grid gridOf(int32_t dim, const int64_t *size) {
  Grid g{};
  g.dim = dim;
  std::copy(size, size + dim, g.size);
  return g;
}

/// Sorts candidates (keys, ids) and numbers their groups into `s`; calls
/// perCandidate(keys, ids, m, groupIncl, groupSite, groupHeadId) after.
template <typename PerCandidate>
void numberCandidates(scn_gpu_sites &s, DeviceArray<uint64_t> &keys,
                      DeviceArray<int32_t> &ids, int64_t m, cudaStream_t stream,
                      PerCandidate &&perCandidate) {
  if (m == 0) {
    s.numSites = 0;
    return;
  }
  DeviceArray<uint64_t> sortedKeys(m, stream);
  DeviceArray<int32_t> sortedIds(m, stream);
  size_t tempBytes = 0;
  // Keys of kNoCandidate sort last: one bit more than the layout's.
  int endBit = std::min(64, s.layout.totalBits() + 1);
  cudaCheck(cub::DeviceRadixSort::SortPairs(nullptr, tempBytes, keys.data(), sortedKeys.data(),
                                            ids.data(), sortedIds.data(), m, 0, endBit, stream),
            "cub::DeviceRadixSort::SortPairs");
  DeviceArray<unsigned char> temp(int64_t(tempBytes), stream);
  cudaCheck(cub::DeviceRadixSort::SortPairs(temp.data(), tempBytes, keys.data(), sortedKeys.data(),
                                            ids.data(), sortedIds.data(), m, 0, endBit, stream),
            "cub::DeviceRadixSort::SortPairs");
  DeviceArray<int32_t> isHead(m, stream), groupIncl(m, stream), headOfId(m, stream),
      siteIncl(m, stream);
  fill<<<blocksFor(m), kThreads, 0, stream>>>(headOfId.data(), m, 0);
  markHeads<<<blocksFor(m), kThreads, 0, stream>>>(sortedKeys.data(), sortedIds.data(), m,
                                                   isHead.data(), headOfId.data());
  auto inclusiveSum = [&](const int32_t *in, int32_t *out) {
    size_t bytes = 0;
    cudaCheck(cub::DeviceScan::InclusiveSum(nullptr, bytes, in, out, m, stream),
              "cub::DeviceScan::InclusiveSum");
    DeviceArray<unsigned char> scratch(int64_t(bytes), stream);
    cudaCheck(cub::DeviceScan::InclusiveSum(scratch.data(), bytes, in, out, m, stream),
              "cub::DeviceScan::InclusiveSum");
  };
  inclusiveSum(isHead.data(), groupIncl.data());
  inclusiveSum(headOfId.data(), siteIncl.data());
  int32_t numSites = readBack(siteIncl.data() + (m - 1), stream);
  s.numSites = numSites;
  s.coords.resize(int64_t(numSites) * (s.dim + 1), stream);
  s.sortedRows.resize(numSites, stream);
  s.sortedKeys.resize(numSites, stream);
  DeviceArray<int32_t> groupSite(numSites, stream), groupHeadId(numSites, stream);
  numberGroups<<<blocksFor(m), kThreads, 0, stream>>>(
      sortedKeys.data(), sortedIds.data(), m, isHead.data(), groupIncl.data(), siteIncl.data(),
      Linear::of(s.layout), groupSite.data(), groupHeadId.data(), s.sortedRows.data(),
      s.sortedKeys.data(), s.coords.data());
  perCandidate(sortedKeys.data(), sortedIds.data(), m, groupIncl.data(), groupSite.data(),
               groupHeadId.data());
  cudaCheck(cudaGetLastError(), "a numbering kernel launch");
}

} // namespace

//===----------------------------------------------------------------------===//
// C ABI: site sets
//===----------------------------------------------------------------------===//

extern "C" scn_status_t scn_gpu_sites_from_coords(int32_t dim, const int64_t *spatial_size,
                                                  const int64_t *coords, int64_t n_rows,
                                                  int32_t mode, int64_t batch_size,
                                                  void *stream_handle, scn_gpu_sites_t *out) {
  return guardCall("scn_gpu_sites_from_coords", [&] {
    requireNonNull(out, "out");
    requireNonNull(spatial_size, "spatial_size");
    if (dim < 1 || dim > SCN_MAX_DIMENSION)
      fail(SCN_ERROR_INVALID_ARGUMENT, "dim = ", dim, " is outside [1, ", SCN_MAX_DIMENSION, "]");
    for (int32_t i = 0; i < dim; ++i)
      if (spatial_size[i] < 1)
        fail(SCN_ERROR_INVALID_ARGUMENT, "spatial_size[", i, "] = ", spatial_size[i],
             " must be >= 1");
    if (mode < SCN_INPUT_UNIQUE || mode > SCN_INPUT_AVERAGE)
      fail(SCN_ERROR_INVALID_ARGUMENT, "mode = ", mode, " is outside [0, 4]");
    if (n_rows < 0 || n_rows > INT32_MAX)
      fail(SCN_ERROR_INVALID_ARGUMENT, "n_rows = ", n_rows, " is outside [0, INT32_MAX]");
    if (n_rows > 0)
      requireNonNull(coords, "coords");
    cudaStream_t stream = prepare(stream_handle);
    // Validate every row, and find the largest batch index.
    DeviceArray<unsigned long long> firstBad(1, stream);
    DeviceArray<long long> maxBatch(1, stream);
    fill<<<1, 1, 0, stream>>>(firstBad.data(), 1, (unsigned long long)ULLONG_MAX);
    fill<<<1, 1, 0, stream>>>(maxBatch.data(), 1, (long long)-1);
    Grid grid = gridOf(dim, spatial_size);
    validateRows<<<blocksFor(n_rows), kThreads, 0, stream>>>(coords, n_rows, grid,
                                                             firstBad.data(), maxBatch.data());
    unsigned long long bad = readBack(firstBad.data(), stream);
    if (bad != ULLONG_MAX) {
      std::vector<int64_t> row(dim + 1);
      cudaCheck(cudaMemcpy(row.data(), coords + bad * (dim + 1), row.size() * sizeof(int64_t),
                           cudaMemcpyDeviceToHost),
                "cudaMemcpy");
      for (int32_t i = 0; i <= dim; ++i)
        if (i == dim ? row[i] < 0 : row[i] < 0 || row[i] >= spatial_size[i])
          fail(SCN_ERROR_INVALID_ARGUMENT, "coords row ", bad, " column ", i, " = ", row[i],
               i == dim ? " (batch index) is negative"
                        : " is outside [0, " + std::to_string(spatial_size[i]) + ")");
    }
    int64_t batches = std::max<int64_t>({batch_size, readBack(maxBatch.data(), stream) + 1, 1});
    auto sites = makeSet(dim, spatial_size, batches);
    sites->numRows = n_rows;
    DeviceArray<uint64_t> keys(n_rows, stream);
    DeviceArray<int32_t> ids(n_rows, stream);
    rowKeys<<<blocksFor(n_rows), kThreads, 0, stream>>>(coords, n_rows, Linear::of(sites->layout),
                                                       keys.data(), ids.data());
    DeviceArray<unsigned long long> firstDuplicate(1, stream);
    fill<<<1, 1, 0, stream>>>(firstDuplicate.data(), 1, (unsigned long long)ULLONG_MAX);
    scn_gpu_sites &s = *sites;
    numberCandidates(s, keys, ids, n_rows, stream,
                     [&](const uint64_t *k, const int32_t *id, int64_t m, const int32_t *gIncl,
                         const int32_t *gSite, const int32_t *gHead) {
                       s.rowToSite.resize(n_rows, stream);
                       s.siteSourceRow.resize(s.numSites, stream);
                       s.siteRowCount.resize(s.numSites, stream);
                       fill<<<blocksFor(s.numSites), kThreads, 0, stream>>>(
                           s.siteRowCount.data(), s.numSites, 0);
                       mergeMap<<<blocksFor(m), kThreads, 0, stream>>>(
                           k, id, m, gIncl, gSite, gHead, mode, s.rowToSite.data(),
                           s.siteSourceRow.data(), s.siteRowCount.data(),
                           firstDuplicate.data());
                     });
    if (mode == SCN_INPUT_UNIQUE) {
      unsigned long long dup = readBack(firstDuplicate.data(), stream);
      if (dup != ULLONG_MAX)
        fail(SCN_ERROR_INVALID_ARGUMENT, "mode 0 needs unique sites, but coords rows ",
             dup & 0xFFFFFFFFu, " and ", dup >> 32,
             " are the same site; use mode 1-4 to merge duplicates");
    }
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_gpu_sites_downsample(scn_gpu_sites_t in, const int64_t *filter,
                                                 const int64_t *stride, void *stream_handle,
                                                 scn_gpu_sites_t *out) {
  return guardCall("scn_gpu_sites_downsample", [&] {
    requireNonNull(in, "in");
    requireNonNull(out, "out");
    requireNonNull(stride, "stride");
    Window w = makeWindow(in->dim, filter, stride);
    for (int32_t i = 0; i < w.dim; ++i)
      if (w.filter[i] != w.stride[i])
        fail(SCN_ERROR_INVALID_ARGUMENT, "filter[", i, "] = ", w.filter[i], " differs from stride[",
             i, "] = ", w.stride[i], "; the GPU builds only filter == stride so far");
    int64_t outSize[SCN_MAX_DIMENSION];
    stridedOutputSize(w, in->spatialSize, outSize);
    cudaStream_t stream = prepare(stream_handle);
    auto sites = makeSet(in->dim, outSize, in->batchSize);
    const int64_t n = in->numSites;
    DeviceArray<uint64_t> keys(n, stream);
    DeviceArray<int32_t> ids(n, stream);
    parentKeys<<<blocksFor(n), kThreads, 0, stream>>>(
        in->coords.data(), n, Linear::of(sites->layout), gridOf(in->dim, outSize),
        gridOf(in->dim, w.stride), keys.data(), ids.data());
    scn_gpu_sites &s = *sites;
    s.parentSetId = in->id;
    std::copy(w.filter, w.filter + w.dim, s.parentFilter);
    s.parentOfInput.resize(n, stream);
    fill<<<blocksFor(n), kThreads, 0, stream>>>(s.parentOfInput.data(), n, -1);
    numberCandidates(s, keys, ids, n, stream,
                     [&](const uint64_t *k, const int32_t *id, int64_t m, const int32_t *gIncl,
                         const int32_t *gSite, const int32_t *) {
                       parentOf<<<blocksFor(m), kThreads, 0, stream>>>(k, id, m, gIncl, gSite,
                                                                       s.parentOfInput.data());
                     });
    *out = sites.release();
  });
}

//===----------------------------------------------------------------------===//
// Kernel maps
//===----------------------------------------------------------------------===//

namespace {

/// Padded row-major keys (as SubmanifoldMap.cpp): axis i holds
/// x_i + below_i in [0, size_i + filter_i - 1).
struct Padded {
  int32_t dim;
  int64_t below[SCN_MAX_DIMENSION];
  int64_t stride[SCN_MAX_DIMENSION];
  int64_t batchStride;
  __device__ uint64_t of(const int64_t *x, int64_t b) const {
    int64_t key = b * batchStride;
    for (int32_t i = 0; i < dim; ++i)
      key += (x[i] + below[i]) * stride[i];
    return uint64_t(key);
  }
};

__global__ void paddedKeys(const uint64_t *linearKeys, int64_t n, Linear l, Padded p,
                           uint64_t *keys) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  int64_t x[SCN_MAX_DIMENSION];
  int64_t b = l.unpack(linearKeys[i], x);
  keys[i] = p.of(x, b);
}

/// One thread per (sorted output site, offset): binary search of the input's
/// sorted padded keys.
__global__ void submanifoldJoin(const uint64_t *T, const int32_t *tRows, int64_t nT,
                                const uint64_t *S, const int32_t *sRows, int64_t nS,
                                const int64_t *offsets, int64_t K, int32_t *neighbors) {
  int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= nT * K)
    return;
  int64_t i = t / K, k = t % K;
  uint64_t key = T[i] + uint64_t(offsets[k]);
  int64_t lo = 0, hi = nS;
  while (lo < hi) {
    int64_t mid = (lo + hi) / 2;
    if (S[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  neighbors[int64_t(tRows[i]) * K + k] = lo < nS && S[lo] == key ? sRows[lo] : -1;
}

__global__ void stridedFromParents(const int64_t *bigCoords, int64_t nBig, int32_t dim,
                                   Grid filter, const int32_t *parent, int64_t K,
                                   bool smallIsOutput, int32_t *neighbors) {
  int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= nBig || parent[r] < 0)
    return;
  const int64_t *x = bigCoords + r * (dim + 1);
  int64_t k = 0;
  for (int32_t i = 0; i < dim; ++i)
    k = k * filter.size[i] + x[i] % filter.size[i];
  if (smallIsOutput)
    neighbors[int64_t(parent[r]) * K + k] = int32_t(r);
  else
    neighbors[r * K + k] = parent[r];
}

} // namespace

extern "C" scn_status_t scn_gpu_kmap_build(int32_t kind, scn_gpu_sites_t in, scn_gpu_sites_t out,
                                           const int64_t *filter, const int64_t *stride,
                                           void *stream_handle, scn_gpu_kmap_t *map) {
  return guardCall("scn_gpu_kmap_build", [&] {
    requireNonNull(map, "map");
    requireNonNull(in, "in");
    if (kind == SCN_KMAP_SUBMANIFOLD && !out)
      out = in;
    requireNonNull(out, "out");
    if (in->dim != out->dim || in->batchSize != out->batchSize)
      fail(SCN_ERROR_INVALID_ARGUMENT, "in and out differ in dimension or batch size");
    Window w = makeWindow(in->dim, filter, kind == SCN_KMAP_SUBMANIFOLD ? nullptr : stride);
    cudaStream_t stream = prepare(stream_handle);
    auto result = std::make_unique<scn_gpu_kmap>();
    result->kind = kind;
    result->volume = w.volume;
    const int64_t K = w.volume;
    if (kind == SCN_KMAP_SUBMANIFOLD) {
      if (!std::equal(in->spatialSize, in->spatialSize + in->dim, out->spatialSize))
        fail(SCN_ERROR_OUT_OF_RANGE, "out spatial size must be the in spatial size");
      Padded p{};
      p.dim = w.dim;
      unsigned __int128 span = 1;
      for (int32_t i = w.dim - 1; i >= 0; --i) {
        if (w.filter[i] > in->spatialSize[i])
          fail(SCN_ERROR_OUT_OF_RANGE, "filter[", i, "] = ", w.filter[i],
               " is larger than the spatial size ", in->spatialSize[i]);
        p.below[i] = w.filter[i] / 2;
        p.stride[i] = int64_t(span);
        span *= (unsigned __int128)(in->spatialSize[i] + w.filter[i] - 1);
      }
      p.batchStride = int64_t(span);
      if ((span * (unsigned __int128)in->batchSize) >> 62)
        fail(SCN_ERROR_OVERFLOW, "padded site keys need more than 62 bits on the GPU");
      // Key offset of every filter offset (row-major, last axis fastest).
      std::vector<int64_t> offsets(K);
      for (int64_t k = 0; k < K; ++k) {
        int64_t delta[SCN_MAX_DIMENSION];
        w.offset(k, delta);
        int64_t off = 0;
        for (int32_t i = 0; i < w.dim; ++i)
          off += (delta[i] - p.below[i]) * p.stride[i];
        offsets[k] = off;
      }
      DeviceArray<int64_t> deviceOffsets(K, stream);
      cudaCheck(cudaMemcpyAsync(deviceOffsets.data(), offsets.data(), K * sizeof(int64_t),
                                cudaMemcpyHostToDevice, stream),
                "cudaMemcpyAsync");
      DeviceArray<uint64_t> S(in->numSites, stream), T;
      paddedKeys<<<blocksFor(in->numSites), kThreads, 0, stream>>>(
          in->sortedKeys.data(), in->numSites, Linear::of(in->layout), p, S.data());
      const uint64_t *tKeys = S.data();
      if (out != in) {
        T.resize(out->numSites, stream);
        paddedKeys<<<blocksFor(out->numSites), kThreads, 0, stream>>>(
            out->sortedKeys.data(), out->numSites, Linear::of(out->layout), p, T.data());
        tKeys = T.data();
      }
      result->numOut = out->numSites;
      result->neighbors.resize(out->numSites * K, stream);
      submanifoldJoin<<<blocksFor(out->numSites * K), kThreads, 0, stream>>>(
          tKeys, out->sortedRows.data(), out->numSites, S.data(), in->sortedRows.data(),
          in->numSites, deviceOffsets.data(), K, result->neighbors.data());
      // The offsets array is freed on this stream after the kernel.
    } else if (kind == SCN_KMAP_STRIDED || kind == SCN_KMAP_TRANSPOSED) {
      scn_gpu_sites_t big = kind == SCN_KMAP_STRIDED ? in : out;
      scn_gpu_sites_t small = kind == SCN_KMAP_STRIDED ? out : in;
      bool provenance = small->parentSetId == big->id;
      for (int32_t i = 0; i < w.dim; ++i)
        provenance &= w.filter[i] == small->parentFilter[i] && w.stride[i] == w.filter[i];
      if (!provenance)
        fail(SCN_ERROR_INVALID_ARGUMENT,
             "on the GPU, STRIDED and TRANSPOSED maps are built only between a set and its "
             "scn_gpu_sites_downsample with the same filter (== stride)");
      result->numOut = kind == SCN_KMAP_STRIDED ? small->numSites : big->numSites;
      result->neighbors.resize(result->numOut * K, stream);
      fill<<<blocksFor(result->numOut * K), kThreads, 0, stream>>>(result->neighbors.data(),
                                                                  result->numOut * K, -1);
      stridedFromParents<<<blocksFor(big->numSites), kThreads, 0, stream>>>(
          big->coords.data(), big->numSites, big->dim, gridOf(w.dim, w.filter),
          small->parentOfInput.data(), K, kind == SCN_KMAP_STRIDED, result->neighbors.data());
    } else {
      fail(SCN_ERROR_INVALID_ARGUMENT, "kind = ", kind,
           " is not built on the GPU yet (SUBMANIFOLD, STRIDED, TRANSPOSED are)");
    }
    cudaCheck(cudaGetLastError(), "a kernel map launch");
    *map = result.release();
  });
}

extern "C" scn_status_t scn_gpu_sites_get_info(scn_gpu_sites_t sites, scn_gpu_sites_info_t *info) {
  return guardCall("scn_gpu_sites_get_info", [&] {
    requireNonNull(sites, "sites");
    requireNonNull(info, "info");
    info->dim = sites->dim;
    info->batch_size = sites->batchSize;
    info->num_sites = sites->numSites;
    info->num_rows = sites->numRows;
    info->spatial_size = sites->spatialSize;
    info->coords = sites->coords.data();
    info->row_to_site = sites->rowToSite.data();
    info->site_source_row = sites->siteSourceRow.data();
    info->site_row_count = sites->siteRowCount.data();
  });
}

extern "C" scn_status_t scn_gpu_kmap_get_neighbors(scn_gpu_kmap_t map, const int32_t **neighbors,
                                                   int64_t *num_out, int64_t *volume) {
  return guardCall("scn_gpu_kmap_get_neighbors", [&] {
    requireNonNull(map, "map");
    requireNonNull(neighbors, "neighbors");
    requireNonNull(num_out, "num_out");
    requireNonNull(volume, "volume");
    *neighbors = map->neighbors.data();
    *num_out = map->numOut;
    *volume = map->volume;
  });
}

extern "C" scn_status_t scn_gpu_sites_free(scn_gpu_sites_t sites) {
  delete sites;
  return SCN_OK;
}

extern "C" scn_status_t scn_gpu_kmap_free(scn_gpu_kmap_t map) {
  delete map;
  return SCN_OK;
}
