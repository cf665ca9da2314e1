//===- GpuSites.cu - Site sets and kernel maps built on the GPU -----------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The C ABI of GpuSites.h over the builders of DeviceSites.h, run on the
/// GPU by CudaBackend: memory from the stream-ordered pool, one thread per
/// element, and CUB's stable radix sort and inclusive scan.
///
//===----------------------------------------------------------------------===//

#include "CudaDriver.h"
#include "DeviceSites.h"
#include "GeometryWaits.h"
#include "KernelProfile.h"

#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/GpuSites.h"

#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>
#include <cuda_runtime.h>

#include <memory>

using namespace scn::rt;

namespace scn::rt::gpu {

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

constexpr int kThreads = 256;

// __grid_constant__: a functor whose array member a thread indexes at run
// time (KeyBitTable) is read where the parameters are, not copied to each
// thread's stack first (ptxas: 112 bytes of stack a thread without it).
template <typename F> __global__ void forEachKernel(int64_t n, const __grid_constant__ F f) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n)
    f(i);
}

/// A warp as RowPacking.h's group of lanes: its collectives are shuffles and
/// warp reductions, so every lane must reach each of them (packChunk's steps
/// are uniform).
struct WarpGroup {
  static constexpr int32_t kLanes = 32;
  __device__ int32_t lane() const { return int32_t(threadIdx.x % 32); }
  __device__ uint32_t allMin(uint32_t v) const {
#if __CUDA_ARCH__ >= 800
    return __reduce_min_sync(0xffffffffu, v);
#else
    for (int delta = 16; delta > 0; delta /= 2) {
      uint32_t other = __shfl_xor_sync(0xffffffffu, v, delta);
      v = other < v ? other : v;
    }
    return v;
#endif
  }
  __device__ uint32_t allOr(uint32_t v) const {
#if __CUDA_ARCH__ >= 800
    return __reduce_or_sync(0xffffffffu, v);
#else
    for (int delta = 16; delta > 0; delta /= 2)
      v |= __shfl_xor_sync(0xffffffffu, v, delta);
    return v;
#endif
  }
  __device__ uint32_t minAfter(uint32_t v) const {
    // The minimum over this lane and those above, then the next lane's.
    for (int delta = 1; delta < 32; delta *= 2) {
      uint32_t above = __shfl_down_sync(0xffffffffu, v, delta);
      if (lane() + delta < 32)
        v = above < v ? above : v;
    }
    uint32_t after = __shfl_down_sync(0xffffffffu, v, 1);
    return lane() == 31 ? ~0u : after;
  }
  __device__ int32_t exclusiveSum(int32_t v, int32_t &total) const {
    int32_t inclusive = v;
    for (int delta = 1; delta < 32; delta *= 2) {
      int32_t below = __shfl_up_sync(0xffffffffu, inclusive, delta);
      if (lane() >= delta)
        inclusive += below;
    }
    total = __shfl_sync(0xffffffffu, inclusive, 31);
    return inclusive - v;
  }
  __device__ void sync() const { __syncwarp(); }
};

constexpr int kWarpsPerBlock = 4;

/// f(group, i) for i in [0, n), one warp each; a warp past n leaves whole.
template <typename F> __global__ void forEachWarpKernel(int64_t n, F f) {
  int64_t i = int64_t(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  if (i < n)
    f(WarpGroup{}, i);
}

/// Device memory from the stream-ordered pool, freed on the same stream.
template <typename T> class DeviceArray {
public:
  DeviceArray() = default;
  DeviceArray(int64_t n, cudaStream_t stream) { resize(n, stream); }
  DeviceArray(const DeviceArray &) = delete;
  DeviceArray &operator=(const DeviceArray &) = delete;
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

/// A site count that a kernel writes to page-locked host memory (a mapped
/// word, scn_gpu_mapped_word) and the host reads when it is asked, after an
/// event recorded behind that kernel: a count whose kernel has run costs no
/// wait, so the counts of a pyramid queued together cost one between them,
/// on any stream and device.
class CountWord {
public:
  CountWord() = default;
  CountWord(const CountWord &) = delete;
  CountWord &operator=(const CountWord &) = delete;
  ~CountWord() {
    if (written_) {
      // The kernel may still write the word: it must not go to its next
      // owner before.
      cudaEventSynchronize(written_);
      cudaEventDestroy(written_);
    }
    if (host_)
      scn_gpu_mapped_word_free(host_);
  }
  /// The word for the kernel that writes the count, with its event
  /// created before that kernel is queued: were the event to fail after,
  /// the word could go back to the pool while the kernel may still write it.
  int32_t *device() {
    if (!host_) {
      void *device = nullptr;
      scn_status_t status = scn_gpu_mapped_word(&host_, &device);
      if (status != SCN_OK)
        fail(status, "a host word for a site count: ", scn_last_error_message());
      device_ = static_cast<int32_t *>(device);
    }
    if (!written_)
      cudaCheck(cudaEventCreateWithFlags(&written_, cudaEventDisableTiming), "cudaEventCreate");
    return device_;
  }
  /// After the kernel that writes the count is queued on `stream`.
  void queued(cudaStream_t stream) {
    cudaError_t recorded = cudaEventRecord(written_, stream);
    if (recorded != cudaSuccess) {
      // No event behind the kernel: wait for it here, so that the word is
      // not handed on while it may still be written.
      cudaStreamSynchronize(stream);
      cudaCheck(recorded, "cudaEventRecord");
    }
    stream_ = stream;
    unread_ = true;
  }
  /// Whether `stream` runs after the count's kernel without waiting: the
  /// stream it was queued on.
  bool orders(cudaStream_t stream) const { return !unread_ || stream == stream_; }
  int64_t read() {
    if (unread_) {
      cudaCheck(cudaEventSynchronize(written_), "cudaEventSynchronize (a site count)");
      unread_ = false;
    }
    return *host_;
  }

private:
  int32_t *host_ = nullptr;
  int32_t *device_ = nullptr;
  cudaEvent_t written_ = nullptr;
  cudaStream_t stream_ = nullptr;
  bool unread_ = false;
};

/// What the builders queued on this thread: kernels of their own (one a
/// forEach or forEachGroup) and CUB's sorts and scans (several kernels
/// each). geometryCall puts a call's counts in its profile row.
struct LaunchCount {
  int64_t kernels = 0, sorts = 0, scans = 0;
};
thread_local LaunchCount launches;

/// The primitives of DeviceSites.h on the GPU.
struct CudaBackend {
  using Stream = cudaStream_t;
  template <typename T> using Array = DeviceArray<T>;

  template <typename F> static void forEach(Stream stream, int64_t n, F f) {
    if (n <= 0)
      return;
    forEachKernel<<<unsigned((n + kThreads - 1) / kThreads), kThreads, 0, stream>>>(n, f);
    ++launches.kernels;
  }
  template <typename F> static void forEachGroup(Stream stream, int64_t n, F f) {
    if (n <= 0)
      return;
    forEachWarpKernel<<<unsigned((n + kWarpsPerBlock - 1) / kWarpsPerBlock),
                        32 * kWarpsPerBlock, 0, stream>>>(n, f);
    ++launches.kernels;
  }
  static void sortPairs(const uint64_t *keysIn, uint64_t *keysOut, const int32_t *idsIn,
                        int32_t *idsOut, int64_t m, int endBit, Stream stream) {
    size_t bytes = 0;
    cudaCheck(cub::DeviceRadixSort::SortPairs(nullptr, bytes, keysIn, keysOut, idsIn, idsOut, m,
                                              0, endBit, stream),
              "cub::DeviceRadixSort::SortPairs");
    DeviceArray<unsigned char> temp(int64_t(bytes), stream);
    cudaCheck(cub::DeviceRadixSort::SortPairs(temp.data(), bytes, keysIn, keysOut, idsIn,
                                              idsOut, m, 0, endBit, stream),
              "cub::DeviceRadixSort::SortPairs");
    ++launches.sorts;
  }
  template <typename T>
  static void inclusiveSum(const T *in, T *out, int64_t m, Stream stream) {
    size_t bytes = 0;
    cudaCheck(cub::DeviceScan::InclusiveSum(nullptr, bytes, in, out, m, stream),
              "cub::DeviceScan::InclusiveSum");
    DeviceArray<unsigned char> scratch(int64_t(bytes), stream);
    cudaCheck(cub::DeviceScan::InclusiveSum(scratch.data(), bytes, in, out, m, stream),
              "cub::DeviceScan::InclusiveSum");
    ++launches.scans;
  }
  template <typename T> static T readBack(const T *device, Stream stream) {
    T value;
    copyToHost(&value, device, sizeof(T), stream);
    return value;
  }
  static void copyToHost(void *host, const void *device, size_t bytes, Stream stream) {
    cudaCheck(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, stream),
              "cudaMemcpyAsync");
    cudaCheck(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  }
  using CountWord = gpu::CountWord;
  static int32_t *countWord(CountWord &word) { return word.device(); }
  static void countQueued(CountWord &word, Stream stream) { word.queued(stream); }
  static int64_t readCount(CountWord &word, Stream) { return word.read(); }
  static bool countOrders(const CountWord &word, Stream stream) { return word.orders(stream); }
  static void checkLaunches(const char *what) { cudaCheck(cudaGetLastError(), what); }

  __device__ static void atomicMinU64(unsigned long long *p, unsigned long long v) {
    atomicMin(p, v);
  }
  __device__ static void atomicMaxI64(long long *p, long long v) { atomicMax(p, v); }
  __device__ static void atomicMinI64(long long *p, long long v) { atomicMin(p, v); }
  __device__ static void atomicAddI32(int32_t *p, int32_t v) { atomicAdd(p, v); }
  __device__ static unsigned long long atomicCasU64(unsigned long long *p,
                                                    unsigned long long expected,
                                                    unsigned long long desired) {
    return atomicCAS(p, expected, desired);
  }
};

/// Loads the driver (clear NO_DEVICE message when there is none) and makes
/// the runtime API use the device of scn_gpu_init.
cudaStream_t prepare(void *stream) {
  scn::rt::driver_api::driver();
  cudaCheck(cudaSetDevice(scn::rt::driver_api::currentDevice()), "cudaSetDevice");
  return static_cast<cudaStream_t>(stream);
}

} // namespace scn::rt::gpu

using scn::rt::gpu::CudaBackend;
using scn::rt::gpu::prepare;

struct scn_gpu_sites : device::SiteSet<CudaBackend> {};
struct scn_gpu_kmap : device::KernelMap<CudaBackend> {};

//===----------------------------------------------------------------------===//
// C ABI
//===----------------------------------------------------------------------===//

namespace {

/// guardCall for the builders' entry points, which under SCN_GPU_PROFILE
/// also put in the profile the call's host time (a host line under its
/// name) and the device time of what it queued on `stream` (for a call on
/// a set or a map, the stream it was built on; compiled networks build on
/// scn_gpu_geometry_stream's): a row "geometry <name>", from the stream
/// reaching the call's first work to its last, idle gaps between its
/// launches included, with what the call launched (its last call's, in the
/// row's last column). A network's end to end time less its time with maps
/// prebuilt is then split into these.
template <typename Body>
scn_status_t geometryCall(const char *name, void *stream, Body &&body) {
  return guardCall(name, [&] {
    scn::rt::profile::HostSpan host(name);
    // No event before the first call has made the context current: the
    // profile misses that call (profile_one warms up first).
    auto on = static_cast<CUstream>(stream);
    CUevent start = scn::rt::profile::begin(on);
    const scn::rt::gpu::LaunchCount before = scn::rt::gpu::launches;
    try {
      body();
    } catch (...) {
      scn::rt::profile::abandon(start);
      throw;
    }
    if (start) {
      const scn::rt::gpu::LaunchCount &after = scn::rt::gpu::launches;
      scn::rt::profile::end(start, on, std::string("geometry ") + name,
                            std::to_string(after.kernels - before.kernels) + " kernels, " +
                                std::to_string(after.sorts - before.sorts) + " sorts, " +
                                std::to_string(after.scans - before.scans) + " scans");
    }
  });
}

} // namespace

extern "C" scn_status_t scn_gpu_sites_from_coords(int32_t dim, const int64_t *spatial_size,
                                                  const int64_t *coords, int64_t n_rows,
                                                  int32_t mode, int64_t batch_size,
                                                  void *stream, scn_gpu_sites_t *out) {
  return geometryCall("scn_gpu_sites_from_coords", stream, [&] {
    requireNonNull(out, "out");
    requireNonNull(spatial_size, "spatial_size");
    auto sites = std::make_unique<scn_gpu_sites>();
    sites->builtOn = prepare(stream);
    device::sitesFromCoords<CudaBackend>(*sites, dim, spatial_size, coords, n_rows, mode,
                                         batch_size, sites->builtOn);
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_gpu_sites_from_bl_coords(int32_t dim, const int64_t *spatial_size,
                                                     const int64_t *coords, int64_t batch,
                                                     int64_t length, int32_t mode, void *stream,
                                                     scn_gpu_sites_t *out) {
  return geometryCall("scn_gpu_sites_from_bl_coords", stream, [&] {
    requireNonNull(out, "out");
    requireNonNull(spatial_size, "spatial_size");
    auto sites = std::make_unique<scn_gpu_sites>();
    sites->builtOn = prepare(stream);
    device::sitesFromBatchLength<CudaBackend>(*sites, dim, spatial_size, coords, batch, length,
                                              mode, sites->builtOn);
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_gpu_sites_from_dense(int32_t dim, const int64_t *spatial_size,
                                                 int64_t batch_size, int64_t n_planes,
                                                 const float *dense, void *stream,
                                                 scn_gpu_sites_t *out) {
  return geometryCall("scn_gpu_sites_from_dense", stream, [&] {
    requireNonNull(out, "out");
    requireNonNull(spatial_size, "spatial_size");
    auto sites = std::make_unique<scn_gpu_sites>();
    sites->builtOn = prepare(stream);
    device::sitesFromDense<CudaBackend>(*sites, dim, spatial_size, batch_size, n_planes, dense,
                                        sites->builtOn);
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_gpu_sites_downsample(scn_gpu_sites_t in, const int64_t *filter,
                                                 const int64_t *stride, void *stream,
                                                 scn_gpu_sites_t *out) {
  return geometryCall("scn_gpu_sites_downsample", stream, [&] {
    requireNonNull(in, "in");
    requireNonNull(out, "out");
    auto sites = std::make_unique<scn_gpu_sites>();
    sites->builtOn = prepare(stream);
    device::downsample<CudaBackend>(*sites, *in, filter, stride, sites->builtOn,
                                    geometryWaitsOnHost() ? device::Count::Now
                                                          : device::Count::Later);
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_gpu_sites_full(scn_gpu_sites_t in, const int64_t *filter,
                                           const int64_t *stride, void *stream,
                                           scn_gpu_sites_t *out) {
  return geometryCall("scn_gpu_sites_full", stream, [&] {
    requireNonNull(in, "in");
    requireNonNull(out, "out");
    auto sites = std::make_unique<scn_gpu_sites>();
    sites->builtOn = prepare(stream);
    device::fullSites<CudaBackend>(*sites, *in, filter, stride, sites->builtOn);
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_gpu_kmap_build(int32_t kind, scn_gpu_sites_t in, scn_gpu_sites_t out,
                                           const int64_t *filter, const int64_t *stride,
                                           void *stream, scn_gpu_kmap_t *map) {
  return geometryCall("scn_gpu_kmap_build", stream, [&] {
    requireNonNull(map, "map");
    requireNonNull(in, "in");
    if (kind == SCN_KMAP_SUBMANIFOLD && !out)
      out = in;
    requireNonNull(out, "out");
    auto result = std::make_unique<scn_gpu_kmap>();
    result->builtOn = prepare(stream);
    device::buildKernelMap<CudaBackend>(*result, kind, *in, *out, filter, stride,
                                        result->builtOn);
    *map = result.release();
  });
}

/// The stream `object` (a set or a map) was built on, where what is built
/// from it later goes; null for a null handle (which the call then refuses).
template <typename T> void *streamOf(const T *object) {
  return object ? object->builtOn : nullptr;
}

/// The fields of `info`, with `numSites` as the count.
static void fillInfo(const scn_gpu_sites &sites, int64_t numSites, scn_gpu_sites_info_t *info) {
  info->dim = sites.dim;
  info->batch_size = sites.batchSize;
  info->num_sites = numSites;
  info->num_rows = sites.numRows;
  info->spatial_size = sites.spatialSize;
  info->coords = sites.coords.data();
  info->row_to_site = sites.rowToSite.data();
  info->site_source_row = sites.siteSourceRow.data();
  info->site_row_count = sites.siteRowCount.data();
}

extern "C" scn_status_t scn_gpu_sites_get_info(scn_gpu_sites_t sites, scn_gpu_sites_info_t *info) {
  return geometryCall("scn_gpu_sites_get_info", streamOf(sites), [&] {
    requireNonNull(sites, "sites");
    requireNonNull(info, "info");
    // The device is set up only when a count is still to be read.
    int64_t numSites = sites->numSites;
    fillInfo(*sites,
             numSites >= 0 ? numSites : device::siteCount(*sites, prepare(sites->builtOn)),
             info);
  });
}

extern "C" scn_status_t scn_gpu_sites_peek_info(scn_gpu_sites_t sites,
                                                scn_gpu_sites_info_t *info) {
  // No GPU work, so a host span only: geometryCall's events on the set's
  // stream would make every field a compiled network asks for a row of the
  // profile, and that stream busy to the fences.
  return guardCall("scn_gpu_sites_peek_info", [&] {
    scn::rt::profile::HostSpan host("scn_gpu_sites_peek_info");
    requireNonNull(sites, "sites");
    requireNonNull(info, "info");
    fillInfo(*sites, sites->numSites, info);
  });
}

extern "C" scn_status_t scn_gpu_sites_get_rows_by_site(scn_gpu_sites_t sites,
                                                       const int32_t **start,
                                                       const int32_t **rows) {
  return geometryCall("scn_gpu_sites_get_rows_by_site", streamOf(sites), [&] {
    requireNonNull(sites, "sites");
    requireNonNull(start, "start");
    requireNonNull(rows, "rows");
    cudaStream_t on = prepare(sites->builtOn);
    if (!sites->rowToSite.size() && device::siteCount(*sites, on))
      fail(SCN_ERROR_INVALID_ARGUMENT,
           "sites has no merge map (it was not built from input rows)");
    device::buildRowsBySite<CudaBackend>(*sites, on);
    *start = sites->siteRowStart.data();
    *rows = sites->rowsBySite.data();
  });
}

extern "C" scn_status_t scn_gpu_kmap_get_neighbors(scn_gpu_kmap_t map, const int32_t **neighbors,
                                                   int64_t *num_out, int64_t *volume) {
  return geometryCall("scn_gpu_kmap_get_neighbors", streamOf(map), [&] {
    requireNonNull(map, "map");
    requireNonNull(neighbors, "neighbors");
    requireNonNull(num_out, "num_out");
    requireNonNull(volume, "volume");
    *neighbors = map->neighbors.data();
    *num_out = map->numOut;
    *volume = map->volume;
  });
}

extern "C" scn_status_t scn_gpu_kmap_get_pairs(scn_gpu_kmap_t map, const int64_t **offsets,
                                               const int32_t **in_rows, const int32_t **out_rows,
                                               int64_t *count) {
  return geometryCall("scn_gpu_kmap_get_pairs", streamOf(map), [&] {
    requireNonNull(map, "map");
    requireNonNull(offsets, "offsets");
    requireNonNull(in_rows, "in_rows");
    requireNonNull(out_rows, "out_rows");
    requireNonNull(count, "count");
    device::buildPairLists<CudaBackend>(*map, prepare(map->builtOn));
    *offsets = map->pairOffsets.data();
    *in_rows = map->pairIn.data();
    *out_rows = map->pairOut.data();
    *count = map->pairOffsets.back();
  });
}

/// One of the arrays built with `map`'s row order (`member`), under the
/// entry point `name`; `what` names the output argument.
static scn_status_t rowOrderArray(const char *name, scn_gpu_kmap_t map, const int32_t **array,
                                  const char *what,
                                  CudaBackend::Array<int32_t> scn_gpu_kmap::*member) {
  return geometryCall(name, streamOf(map), [&] {
    requireNonNull(map, "map");
    requireNonNull(array, what);
    device::buildRowOrder<CudaBackend>(*map, prepare(map->builtOn));
    *array = (map->*member).data();
  });
}

extern "C" scn_status_t scn_gpu_kmap_get_row_order(scn_gpu_kmap_t map,
                                                   const int32_t **order) {
  return rowOrderArray("scn_gpu_kmap_get_row_order", map, order, "order",
                       &scn_gpu_kmap::rowOrder);
}

extern "C" scn_status_t scn_gpu_kmap_get_row_masks(scn_gpu_kmap_t map,
                                                   const int32_t **masks) {
  return rowOrderArray("scn_gpu_kmap_get_row_masks", map, masks, "masks",
                       &scn_gpu_kmap::rowMasks);
}

extern "C" scn_status_t scn_gpu_kmap_get_row_table(scn_gpu_kmap_t map,
                                                   const int32_t **table) {
  return rowOrderArray("scn_gpu_kmap_get_row_table", map, table, "table",
                       &scn_gpu_kmap::rowTable);
}

extern "C" scn_status_t scn_gpu_sites_free(scn_gpu_sites_t sites) {
  delete sites;
  return SCN_OK;
}

extern "C" scn_status_t scn_gpu_sites_wait(void *stream) {
  return geometryCall("scn_gpu_sites_wait", stream, [&] {
    scn::rt::gpu::cudaCheck(cudaStreamSynchronize(prepare(stream)), "cudaStreamSynchronize");
  });
}

extern "C" scn_status_t scn_gpu_kmap_free(scn_gpu_kmap_t map) {
  delete map;
  return SCN_OK;
}
