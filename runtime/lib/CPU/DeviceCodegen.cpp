//===- DeviceCodegen.cpp - device geometry for generated GPU code ---------===//
//
// The scn_cg_gpu_* functions of Codegen.h: the codegen ABI over the device
// builders of GpuSites.h, so that a compiled CUDA network builds its site
// sets and kernel maps on the GPU and keeps them there. The builders run on
// the geometry stream (scn_gpu_geometry_stream: of the greatest priority,
// so that the maps of deeper levels are built while earlier layers run);
// the network's kernels on streams of their own, which do not wait for it.
// A set, a map, a row order or a pair list is ordered before the kernels
// that read it by a fence (scn_gpu_fence_stream): the host goes on queueing
// while the GPU builds. Dense inputs, whose builder reads a buffer of the
// network's, wait on the host (scn_gpu_sites_wait), as every build does
// with SCN_GPU_GEOMETRY_WAIT=host (for comparing the two on a GPU). Derived
// sets leave their counts on the GPU until they are asked (DeviceSites.h).
//
//===----------------------------------------------------------------------===//

#include "GeneratedCall.h"
#include "GeometryWaits.h"
#include "Run.h"

#include "scn/Runtime/Gpu.h"
#include "scn/Runtime/GpuSites.h"

#include <memory>
#include <string>
#include <vector>

namespace {

/// A device map with what its transposed read needs.
struct DeviceMap {
  scn_gpu_kmap_t map = nullptr;
  scn_gpu_kmap_t transposed = nullptr;
  int32_t kind = 0;
  scn_gpu_sites_t in = nullptr, out = nullptr;
  std::vector<int64_t> filter, stride;
  /// The row order, masks and table handed out, read as is and transposed: every
  /// tensor-core convolution on the map asks for them in every call (W1:
  /// 88 calls for 9 maps), and only the first needs the builders and a
  /// fence.
  const int32_t *rowOrder[2] = {}, *rowMasks[2] = {}, *rowTable[2] = {};
};

scn_gpu_sites_t asSites(void *handle) { return static_cast<scn_gpu_sites_t>(handle); }

/// A device set's info without waiting for a count still on the GPU
/// (num_sites -1).
bool peekInfoOf(void *sites, scn_gpu_sites_info_t &info) {
  return sites && scn_gpu_sites_peek_info(asSites(sites), &info) == SCN_OK;
}

/// One field of a device set's info other than its count, without waiting
/// (zero or null for a null handle).
template <typename T> T infoField(void *sites, T scn_gpu_sites_info_t::*field) {
  scn_gpu_sites_info_t info;
  return peekInfoOf(sites, info) ? info.*field : T{};
}

/// `build(stream)`'s status with `stream` the geometry stream, or the
/// status of asking for it.
template <typename Build> scn_status_t onGeometryStream(void *&stream, Build &&build) {
  scn_status_t status = scn_gpu_geometry_stream(&stream);
  return status != SCN_OK ? status : build(stream);
}

/// Fails the run unless `status` is OK; else waits on the host for the
/// geometry stream. True when the result can be used.
bool settle(scn_run_t run, scn_status_t status, const char *op) {
  void *stream = nullptr;
  if (status == SCN_OK)
    status = scn_gpu_geometry_stream(&stream);
  if (status == SCN_OK)
    status = scn_gpu_sites_wait(stream);
  if (status != SCN_OK) {
    run->failFromRuntime(status, op);
    return false;
  }
  return true;
}

/// Fails the run unless `status` is OK; else orders the GPU work queued from
/// now on after the builders' on the geometry stream (a fence), without
/// waiting. True when the result can be used. What is built later from a
/// set or a map goes on the stream it was built on, the geometry stream.
bool fence(scn_run_t run, scn_status_t status, const char *op) {
  if (scn::rt::geometryWaitsOnHost())
    return settle(run, status, op);
  void *stream = nullptr;
  if (status == SCN_OK)
    status = scn_gpu_geometry_stream(&stream);
  if (status == SCN_OK)
    status = scn_gpu_fence_stream(stream);
  if (status != SCN_OK) {
    run->failFromRuntime(status, op);
    return false;
  }
  return true;
}

void *ownSites(scn_run_t run, scn_gpu_sites_t sites) {
  run->atRelease([sites] { scn_gpu_sites_free(sites); });
  return sites;
}

/// Cache key of a derived set or map (see scn_run_set_reuse_geometry).
std::string deviceKey(const char *what, int32_t kind, void *a, void *b,
                      const int64_t *filter, const int64_t *stride, int32_t dim) {
  std::string key(what);
  key.push_back('\0');
  key.append(reinterpret_cast<const char *>(&kind), sizeof kind);
  key.append(reinterpret_cast<const char *>(&a), sizeof a);
  key.append(reinterpret_cast<const char *>(&b), sizeof b);
  if (filter && stride && dim > 0) {
    key.append(reinterpret_cast<const char *>(filter), dim * sizeof(int64_t));
    key.append(reinterpret_cast<const char *>(stride), dim * sizeof(int64_t));
  }
  return key;
}

DeviceMap *asMap(void *handle) { return static_cast<DeviceMap *>(handle); }

/// The device table a reader uses: the map, or for a STRIDED map read
/// transposed (deconvolution, unpooling) the TRANSPOSED map, built once.
scn_gpu_kmap_t readMap(scn_run_t run, void *kmap, int32_t transposed) {
  if (!run || !kmap || run->failed())
    return nullptr;
  DeviceMap *m = asMap(kmap);
  if (!transposed)
    return m->map;
  if (m->transposed)
    return m->transposed;
  if (m->kind != SCN_KMAP_STRIDED) {
    run->fail(SCN_ERROR_INVALID_ARGUMENT,
              "device geometry reads only STRIDED maps transposed");
    return nullptr;
  }
  scn_gpu_kmap_t t = nullptr;
  void *stream = nullptr;
  scn_status_t st = onGeometryStream(stream, [&](void *on) {
    return scn_gpu_kmap_build(SCN_KMAP_TRANSPOSED, m->out, m->in, m->filter.data(),
                              m->stride.data(), on, &t);
  });
  if (!fence(run, st, "scn.deconv/scn.unpool (transposed map)")) {
    if (t)
      scn_gpu_kmap_free(t);
    return nullptr;
  }
  m->transposed = t;
  return t;
}

/// Uploads `count` coordinates (int32 or int64, coord_type 0 or 1) as
/// int64, which the device builders read on `stream`, where the copy is
/// queued: the host does not wait for it.
scn_status_t uploadCoords(const void *coords, int32_t coord_type, int64_t count, void *stream,
                          void **device) {
  std::vector<int64_t> wide;
  const int64_t *host = static_cast<const int64_t *>(coords);
  if (coord_type != 1) {
    const int32_t *narrow = static_cast<const int32_t *>(coords);
    wide.assign(narrow, narrow + count);
    host = wide.data();
  }
  return scn_gpu_upload_queued(host, count * 8, stream, device);
}

/// When the host waits for an input set's build.
enum class InputWait {
  /// A fence: the uploaded coordinates are freed on the builders' stream,
  /// after the kernels that read them.
  Fence,
  /// On the host: the builders read a buffer of the network's, which its
  /// stream may free.
  Host,
};

/// The device set built by `build(stream, &sites)` (which returns its
/// status) on the geometry stream, owned by the run; null after failing the
/// run. `stream` is set to the geometry stream.
template <typename Build>
void *ownBuilt(scn_run_t run, const char *op, InputWait wait, void *&stream, Build &&build) {
  scn_gpu_sites_t sites = nullptr;
  scn_status_t built =
      onGeometryStream(stream, [&](void *on) { return build(on, &sites); });
  bool ok = wait == InputWait::Fence ? fence(run, built, op) : settle(run, built, op);
  if (!ok) {
    // A build that failed early (bad rows, no memory) may leave the
    // coordinates' queued upload reading the caller's array, which a
    // page-locked one does until it runs: the caller gets it back after.
    if (built != SCN_OK)
      scn_gpu_sites_wait(stream);
    if (sites)
      scn_gpu_sites_free(sites);
    return nullptr;
  }
  return ownSites(run, sites);
}

/// The set that `build` (scn_gpu_sites_downsample or scn_gpu_sites_full)
/// derives from `in` with a window, built once per run (cached under `what`).
void *derivedSet(scn_run_t run, const char *op, const char *what, void *in,
                 const int64_t *filter, const int64_t *stride,
                 scn_status_t (*build)(scn_gpu_sites_t, const int64_t *, const int64_t *, void *,
                                       scn_gpu_sites_t *)) {
  // Without waiting: the input's count may still be on the GPU, and the
  // set is built without it.
  scn_gpu_sites_info_t info;
  if (!run || run->failed() || !peekInfoOf(in, info))
    return nullptr;
  std::string key = deviceKey(what, 0, in, nullptr, filter, stride, info.dim);
  if (void *hit = run->cached(key))
    return hit;
  scn_gpu_sites_t out = nullptr;
  void *stream = nullptr;
  scn_status_t st = onGeometryStream(
      stream, [&](void *on) { return build(asSites(in), filter, stride, on, &out); });
  if (!fence(run, st, op)) {
    if (out)
      scn_gpu_sites_free(out);
    return nullptr;
  }
  return run->remember(key, ownSites(run, out));
}

/// The pair lists of a map read as the generated code reads it; all null
/// (and count 0) after failing the run.
struct DevicePairs {
  const int64_t *offsets = nullptr;
  const int32_t *in = nullptr, *out = nullptr;
  int64_t count = 0;
};
DevicePairs pairsOf(scn_run_t run, void *kmap, int32_t transposed) {
  DevicePairs p;
  scn_gpu_kmap_t map = readMap(run, kmap, transposed);
  if (!map || !fence(run, scn_gpu_kmap_get_pairs(map, &p.offsets, &p.in, &p.out, &p.count),
                      "weight-stationary convolution (pair lists)"))
    return DevicePairs{};
  return p;
}

/// The device copy that `copy` (scn_gpu_parameter, scn_gpu_constant) hands
/// out; its failure fails the run.
void *deviceCopy(scn_run_t run, const char *what,
                 scn_status_t (*copy)(const void *, int64_t, void **), const void *host,
                 int64_t bytes) {
  void *device = nullptr;
  scn_status_t status = copy(host, bytes, &device);
  if (status != SCN_OK && run)
    run->failFromRuntime(status, what);
  return device;
}

} // namespace

extern "C" {

void *scn_cg_gpu_parameter(scn_run_t run, const void *host, int64_t bytes) {
  void *device = deviceCopy(run, "copying a parameter to the GPU", scn_gpu_parameter, host, bytes);
  // A call abandoned for host memory (GeneratedCall.h) is done with it.
  if (device)
    scn::rt::noteHeld(
        device,
        [](void *held, const void *from) { scn_gpu_parameter_done(from, held); }, host);
  return device;
}

void *scn_cg_gpu_constant(scn_run_t run, const void *host, int64_t bytes) {
  return deviceCopy(run, "copying a constant to the GPU", scn_gpu_constant, host, bytes);
}

void scn_cg_gpu_parameter_done(scn_run_t, const void *host, void *device) {
  scn::rt::noteReleased(device);
  scn_gpu_parameter_done(host, device);
}

void *scn_cg_gpu_input(scn_run_t run, const char *op, int32_t dim,
                       const int64_t *spatial_size, const void *coords, int32_t coord_type,
                       int64_t rows, int64_t cols, int32_t mode, int64_t batch_size) {
  if (!run || run->failed())
    return nullptr;
  if (dim < 1 || dim > SCN_MAX_DIMENSION || cols != dim + 1 || rows < 0) {
    run->fail(SCN_ERROR_INVALID_ARGUMENT,
              std::string(op ? op : "scn.input") + ": coordinates [" + std::to_string(rows) +
                  ", " + std::to_string(cols) + "] for a " + std::to_string(dim) +
                  "-dimensional input; expected " + std::to_string(dim + 1) + " columns");
    return nullptr;
  }
  size_t bytes = static_cast<size_t>(rows * cols) * (coord_type == 1 ? 8 : 4);
  std::string key;
  if (run->reuseGeometry) {
    key = "gpu-input";
    int64_t header[] = {dim, coord_type, rows, cols, mode, batch_size};
    key.append(reinterpret_cast<const char *>(header), sizeof header);
    key.append(reinterpret_cast<const char *>(spatial_size), dim * sizeof(int64_t));
    if (void *hit = run->cachedInput(key, coords, bytes))
      return hit;
  }
  void *device = nullptr, *stream = nullptr;
  void *handle = ownBuilt(run, op, InputWait::Fence, stream, [&](void *on, scn_gpu_sites_t *sites) {
    scn_status_t st = uploadCoords(coords, coord_type, rows * cols, on, &device);
    return st != SCN_OK ? st
                        : scn_gpu_sites_from_coords(dim, spatial_size,
                                                    static_cast<const int64_t *>(device), rows,
                                                    mode, batch_size, on, sites);
  });
  scn_gpu_free_on(device, stream);
  return !handle || key.empty() ? handle : run->rememberInput(key, coords, bytes, handle);
}

void *scn_cg_gpu_bl_input(scn_run_t run, const char *op, int32_t dim,
                          const int64_t *spatial_size, const void *coords, int32_t coord_type,
                          int64_t batch, int64_t length, int64_t cols, int32_t mode) {
  if (!run || run->failed())
    return nullptr;
  if (cols != dim || batch < 0 || length < 0) {
    run->fail(SCN_ERROR_INVALID_ARGUMENT,
              std::string(op ? op : "scn.bl_input") + ": coordinates [" +
                  std::to_string(batch) + ", " + std::to_string(length) + ", " +
                  std::to_string(cols) + "] for a " + std::to_string(dim) +
                  "-dimensional input; expected " + std::to_string(dim) + " columns");
    return nullptr;
  }
  void *device = nullptr, *stream = nullptr;
  void *handle = ownBuilt(run, op, InputWait::Fence, stream, [&](void *on, scn_gpu_sites_t *sites) {
    scn_status_t st = uploadCoords(coords, coord_type, batch * length * dim, on, &device);
    return st != SCN_OK ? st
                        : scn_gpu_sites_from_bl_coords(dim, spatial_size,
                                                       static_cast<const int64_t *>(device),
                                                       batch, length, mode, on, sites);
  });
  scn_gpu_free_on(device, stream);
  return handle;
}

void *scn_cg_gpu_dense_to_sparse(scn_run_t run, const char *op, int32_t dim,
                                 const int64_t *spatial_size, int64_t batch, int64_t planes,
                                 const float *dense) {
  if (!run || run->failed())
    return nullptr;
  // `dense` is a buffer of the generated code that host code also reads:
  // managed memory, which the device builder reads in place.
  void *stream = nullptr;
  return ownBuilt(run, op, InputWait::Host, stream, [&](void *on, scn_gpu_sites_t *sites) {
    return scn_gpu_sites_from_dense(dim, spatial_size, batch, planes, dense, on, sites);
  });
}

void *scn_cg_gpu_downsample(scn_run_t run, const char *op, void *in, const int64_t *filter,
                            const int64_t *stride) {
  return derivedSet(run, op, "gpu-downsample", in, filter, stride, scn_gpu_sites_downsample);
}

void *scn_cg_gpu_full_sites(scn_run_t run, const char *op, void *in, const int64_t *filter,
                            const int64_t *stride) {
  return derivedSet(run, op, "gpu-full", in, filter, stride, scn_gpu_sites_full);
}

void *scn_cg_gpu_kernel_map(scn_run_t run, const char *op, int32_t kind, void *in, void *out,
                            const int64_t *filter, const int64_t *stride) {
  // The dimension only: the build reads the counts it needs, and its
  // failure to fails the run (a failed read here would not).
  scn_gpu_sites_info_t info;
  if (!run || run->failed() || !out || !peekInfoOf(in, info))
    return nullptr;
  std::string key = deviceKey("gpu-kmap", kind, in, out, filter, stride, info.dim);
  if (void *hit = run->cached(key))
    return hit;
  auto m = std::make_unique<DeviceMap>();
  m->kind = kind;
  m->in = asSites(in);
  m->out = asSites(out);
  m->filter.assign(filter, filter + info.dim);
  if (stride)
    m->stride.assign(stride, stride + info.dim);
  else
    m->stride.assign(info.dim, 1);
  void *stream = nullptr;
  scn_status_t st = onGeometryStream(stream, [&](void *on) {
    return scn_gpu_kmap_build(kind, m->in, m->out, m->filter.data(), m->stride.data(), on,
                              &m->map);
  });
  if (!fence(run, st, op)) {
    if (m->map)
      scn_gpu_kmap_free(m->map);
    return nullptr;
  }
  DeviceMap *map = m.release();
  run->atRelease([map] {
    scn_gpu_kmap_free(map->map);
    if (map->transposed)
      scn_gpu_kmap_free(map->transposed);
    delete map;
  });
  return run->remember(key, map);
}

int64_t scn_cg_gpu_num_sites(scn_run_t run, void *sites) {
  // The one field that may wait: a derived set's count, whose failed read
  // fails the run (a count of 0 alone would give empty layers).
  scn_gpu_sites_info_t info;
  if (!sites)
    return 0;
  scn_status_t status = scn_gpu_sites_get_info(asSites(sites), &info);
  if (status != SCN_OK) {
    if (run)
      run->failFromRuntime(status, "reading a site count");
    return 0;
  }
  return info.num_sites;
}
int64_t scn_cg_gpu_batch_size(void *sites) {
  return infoField(sites, &scn_gpu_sites_info_t::batch_size);
}
const int64_t *scn_cg_gpu_coords(void *sites) {
  return infoField(sites, &scn_gpu_sites_info_t::coords);
}
int64_t scn_cg_gpu_num_input_rows(void *sites) {
  return infoField(sites, &scn_gpu_sites_info_t::num_rows);
}
const int32_t *scn_cg_gpu_row_to_site(void *sites) {
  return infoField(sites, &scn_gpu_sites_info_t::row_to_site);
}
const int32_t *scn_cg_gpu_site_source_row(void *sites) {
  return infoField(sites, &scn_gpu_sites_info_t::site_source_row);
}
const int32_t *scn_cg_gpu_site_row_count(void *sites) {
  return infoField(sites, &scn_gpu_sites_info_t::site_row_count);
}

/// The CSR of the input rows by site on the device, or nulls with the run
/// failed.
static std::pair<const int32_t *, const int32_t *> gpuRowsBySite(scn_run_t run, void *sites) {
  const int32_t *start = nullptr, *rows = nullptr;
  if (!sites || !fence(run, scn_gpu_sites_get_rows_by_site(asSites(sites), &start, &rows),
                       "input merge (rows by site)"))
    return {nullptr, nullptr};
  return {start, rows};
}

const int32_t *scn_cg_gpu_site_row_start(scn_run_t run, void *sites) {
  return gpuRowsBySite(run, sites).first;
}

const int32_t *scn_cg_gpu_rows_by_site(scn_run_t run, void *sites) {
  return gpuRowsBySite(run, sites).second;
}

/// The device table of `kmap` (read transposed or not) and its rows.
static const int32_t *tableOf(scn_run_t run, void *kmap, int32_t transposed, int64_t &rows) {
  scn_gpu_kmap_t map = readMap(run, kmap, transposed);
  const int32_t *table = nullptr;
  int64_t volume = 0;
  rows = 0;
  if (!map || scn_gpu_kmap_get_neighbors(map, &table, &rows, &volume) != SCN_OK) {
    rows = 0;
    return nullptr;
  }
  return table;
}

const int32_t *scn_cg_gpu_neighbors(scn_run_t run, void *kmap, int32_t transposed) {
  int64_t rows = 0;
  return tableOf(run, kmap, transposed, rows);
}

int64_t scn_cg_gpu_neighbors_rows(scn_run_t run, void *kmap, int32_t transposed) {
  int64_t rows = 0;
  tableOf(run, kmap, transposed, rows);
  return rows;
}

/// A per-row array of the map that reads `kmap` (`get`: the row order or
/// its masks, kept in `kept`), or null with the run failed as `what`.
static const int32_t *rowArray(scn_run_t run, void *kmap, int32_t transposed,
                               const int32_t *(DeviceMap::*kept)[2],
                               scn_status_t (*get)(scn_gpu_kmap_t, const int32_t **),
                               const char *what) {
  scn_gpu_kmap_t map = readMap(run, kmap, transposed);
  if (!map)
    return nullptr;
  const int32_t *&array = (asMap(kmap)->*kept)[transposed ? 1 : 0];
  if (!array && !fence(run, get(map, &array), what))
    array = nullptr;
  return array;
}

const int32_t *scn_cg_gpu_row_order(scn_run_t run, void *kmap, int32_t transposed) {
  return rowArray(run, kmap, transposed, &DeviceMap::rowOrder, scn_gpu_kmap_get_row_order,
                  "tensor-core convolution (row order)");
}

const int32_t *scn_cg_gpu_row_masks(scn_run_t run, void *kmap, int32_t transposed) {
  return rowArray(run, kmap, transposed, &DeviceMap::rowMasks, scn_gpu_kmap_get_row_masks,
                  "tensor-core convolution (row masks)");
}

const int32_t *scn_cg_gpu_row_table(scn_run_t run, void *kmap, int32_t transposed) {
  return rowArray(run, kmap, transposed, &DeviceMap::rowTable, scn_gpu_kmap_get_row_table,
                  "tensor-core convolution (row table)");
}

const int64_t *scn_cg_gpu_pair_offsets(scn_run_t run, void *kmap, int32_t transposed) {
  return pairsOf(run, kmap, transposed).offsets;
}

int64_t scn_cg_gpu_pair_count(scn_run_t run, void *kmap, int32_t transposed) {
  return pairsOf(run, kmap, transposed).count;
}

const int32_t *scn_cg_gpu_pair_in_rows(scn_run_t run, void *kmap, int32_t transposed) {
  return pairsOf(run, kmap, transposed).in;
}

const int32_t *scn_cg_gpu_pair_out_rows(scn_run_t run, void *kmap, int32_t transposed) {
  return pairsOf(run, kmap, transposed).out;
}

} // extern "C"
