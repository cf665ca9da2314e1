//===- Codegen.cpp - ABI of compiled networks -----------------------------===//
//
// A thin layer over the runtime's C API for generated code: it owns what a
// run builds and turns the first error into a sticky state (see Codegen.h).
//
//===----------------------------------------------------------------------===//

#include "scn/Runtime/Codegen.h"

#include "Run.h"

#include "KernelMap.h"

#include "scn/Runtime/KernelMap.h"
#include "scn/Runtime/LayerMaps.h"
#include "scn/Runtime/Sites.h"

#include "scn/Runtime/Gpu.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

/// The bytes of `n` values, as part of a cache key.
template <typename T>
static void appendBytes(std::string &key, const T *values, size_t n) {
  if (values && n)
    key.append(reinterpret_cast<const char *>(values), n * sizeof(T));
}

/// Key of a call on handles with per-axis filter and stride.
static std::string geometryKey(const char *what, int32_t kind, void *a, void *b,
                               const int64_t *filter, const int64_t *stride,
                               void *dimSource) {
  std::string key(what);
  key.push_back('\0');
  appendBytes(key, &kind, 1);
  appendBytes(key, &a, 1);
  appendBytes(key, &b, 1);
  scn_sites_info_t info;
  if (dimSource && scn_sites_get_info(static_cast<scn_sites_t>(dimSource), &info) == SCN_OK) {
    appendBytes(key, filter, info.dim);
    appendBytes(key, stride, info.dim);
  }
  return key;
}

/// The run's word for (op, message), armed: zeroed for the kernels of this
/// call. Null, with the run failed, when no word can be had.
static scn_run::CheckFlag *checkFlag(scn_run_t run, const char *op, const char *message,
                                     bool gpu) {
  if (!run)
    return nullptr;
  std::string opText = op ? op : "scn op", messageText = message ? message : "";
  scn_run::CheckFlag *flag = nullptr;
  try {
    std::lock_guard<std::mutex> lock(run->mutex);
    for (auto &f : run->checkFlags)
      if (f->gpu == gpu && f->op == opText && f->message == messageText)
        flag = f.get();
    if (!flag) {
      auto fresh = std::make_unique<scn_run::CheckFlag>();
      fresh->op = opText;
      fresh->message = messageText;
      fresh->gpu = gpu;
      if (gpu) {
        scn_status_t status = scn_gpu_mapped_word(&fresh->word, &fresh->kernelView);
        if (status != SCN_OK) {
          std::string reason = scn_last_error_message();
          if (run->status == SCN_OK) {
            run->status = status;
            run->message = opText + ": checking the input on the GPU: " + reason;
          }
          return nullptr;
        }
      } else {
        fresh->word = &fresh->hostWord;
        fresh->kernelView = fresh->word;
      }
      run->checkFlags.push_back(std::move(fresh));
      flag = run->checkFlags.back().get();
    }
    // Zeroed once per call: written before the kernels that may set it are
    // queued (the previous call's kernels are done: its status was read
    // after them, which disarmed the word). Another op of this call with
    // the same description and message shares the word and must not zero
    // it again, or a kernel of the first op that already set it would be
    // forgotten.
    if (!flag->armed) {
      *flag->word = 0;
      flag->armed = true;
    }
  } catch (const std::bad_alloc &) {
    run->fail(SCN_ERROR_OUT_OF_MEMORY, opText + ": out of memory");
    return nullptr;
  }
  return flag;
}

/// Reads the armed words: a set one fails the run with its op's message.
/// Words a GPU kernel may have written are read after waiting for the GPU
/// (the compiled function has waited for its results already, so this
/// costs no more than a call).
static void settleCheckFlags(scn_run &run) {
  std::vector<scn_run::CheckFlag *> armed;
  bool anyGpu = false;
  {
    std::lock_guard<std::mutex> lock(run.mutex);
    for (auto &flag : run.checkFlags)
      if (flag->armed) {
        armed.push_back(flag.get());
        anyGpu |= flag->gpu;
      }
  }
  if (armed.empty())
    return;
  if (anyGpu && scn_gpu_synchronize() != SCN_OK)
    run.fail(SCN_ERROR_DEVICE,
             std::string("waiting for the GPU to read its input checks: ") +
                 scn_last_error_message());
  for (scn_run::CheckFlag *flag : armed) {
    bool set = *flag->word != 0;
    {
      std::lock_guard<std::mutex> lock(run.mutex);
      flag->armed = false;
    }
    if (set)
      run.fail(SCN_ERROR_INVALID_ARGUMENT, flag->op + ": " + flag->message);
  }
}

void scn::rt::abandonRunCall(scn_run *run) {
  std::lock_guard<std::mutex> lock(run->mutex);
  for (const void *copy : run->hostParameterCopies)
    std::free(const_cast<void *>(copy));
  run->hostParameterCopies.clear();
  abandonPreparedValues(run);
}

extern "C" {

scn_run_t scn_run_create(void) { return new (std::nothrow) scn_run(); }

void scn_run_set_reuse_geometry(scn_run_t run, int32_t reuse) {
  if (run)
    run->reuseGeometry = reuse != 0;
}

int64_t scn_run_prepared_hits(scn_run_t run) {
  if (!run)
    return 0;
  std::lock_guard<std::mutex> lock(run->mutex);
  return run->preparedHits;
}

int64_t scn_run_geometry_hits(scn_run_t run) {
  if (!run)
    return 0;
  std::lock_guard<std::mutex> lock(run->mutex);
  return run->geometryHits;
}

void scn_run_clear_error(scn_run_t run) {
  if (!run)
    return;
  std::lock_guard<std::mutex> lock(run->mutex);
  run->status = SCN_OK;
  run->message.clear();
  // A word armed by the failed call must not fail the next one.
  for (auto &flag : run->checkFlags)
    flag->armed = false;
}

void scn_run_destroy(scn_run_t run) {
  if (!run)
    return;
  for (scn_kmap_t m : run->maps)
    scn_kmap_free(m);
  for (auto &entry : run->transposed)
    scn_kmap_free(entry.second);
  for (scn_sites_t s : run->sites)
    scn_sites_free(s);
  for (auto it = run->releases.rbegin(); it != run->releases.rend(); ++it)
    (*it)();
  for (auto &entry : run->deviceCopies)
    scn_gpu_managed_free(entry.second);
  for (auto &entry : run->hostCopies)
    std::free(entry.second);
  scn::rt::freePreparedValues(run);
  for (auto &flag : run->checkFlags)
    if (flag->gpu)
      scn_gpu_mapped_word_free(flag->word);
  delete run;
}

void *scn_cg_device_copy(scn_run_t run, const void *array, int64_t bytes) {
  // A failed run (a NaN feature, say) still runs its kernels over whatever
  // geometry it built, so the copy is made all the same: a host pointer in
  // a kernel would be an illegal address, which ruins the CUDA context.
  if (!run || !array || bytes <= 0)
    return nullptr;
  std::lock_guard<std::mutex> lock(run->mutex);
  void *&copy = run->deviceCopies[{array, bytes}];
  if (copy)
    return copy;
  scn_status_t status = scn_gpu_managed_copy(array, bytes, &copy);
  if (status != SCN_OK) {
    run->deviceCopies.erase({array, bytes});
    if (run->status == SCN_OK) {
      run->status = status;
      run->message = std::string("copying geometry to the GPU: ") +
                     scn_last_error_message();
    }
    // The failure is also the sticky GPU error, so no kernel runs; host
    // loops of the generated code may still read the array.
    return const_cast<void *>(array);
  }
  return copy;
}

void *scn_cg_parameter(scn_run_t run, const void *host, int64_t bytes) {
  if (!host || bytes <= 0)
    return nullptr;
  void *copy = std::malloc(static_cast<size_t>(bytes));
  if (!copy) {
    if (run)
      run->fail(SCN_ERROR_OUT_OF_MEMORY, "copying a parameter: out of memory");
    return const_cast<void *>(host);
  }
  std::memcpy(copy, host, static_cast<size_t>(bytes));
  if (run) {
    std::lock_guard<std::mutex> lock(run->mutex);
    run->hostParameterCopies.insert(copy);
  }
  return copy;
}

void scn_cg_parameter_done(scn_run_t run, const void *host, void *copy) {
  if (copy == host)
    return;
  if (run) {
    std::lock_guard<std::mutex> lock(run->mutex);
    run->hostParameterCopies.erase(copy);
  }
  std::free(copy);
}

void *scn_cg_constant(scn_run_t, const void *host, int64_t) {
  return const_cast<void *>(host);
}

void *scn_cg_host_copy(scn_run_t run, const void *array, int64_t bytes) {
  if (!run || !array || bytes <= 0)
    return nullptr;
  std::lock_guard<std::mutex> lock(run->mutex);
  void *&copy = run->hostCopies[{array, bytes}];
  if (!copy) {
    // Exactly `bytes`: a kernel that reads past what the lowering asked
    // for reads past the block (sanitizers and wrong results show it).
    copy = std::malloc(static_cast<size_t>(bytes));
    if (!copy) {
      run->hostCopies.erase({array, bytes});
      return const_cast<void *>(array);
    }
    std::memcpy(copy, array, static_cast<size_t>(bytes));
  }
  return copy;
}

scn_status_t scn_run_status(scn_run_t run) {
  if (!run)
    return SCN_ERROR_INVALID_ARGUMENT;
  settleCheckFlags(*run);
  return run->status;
}

const char *scn_run_error_message(scn_run_t run) {
  if (!run)
    return "scn_run_error_message: run is null";
  settleCheckFlags(*run);
  return run->message.c_str();
}

int32_t *scn_cg_check_flag(scn_run_t run, const char *op, const char *message) {
  scn_run::CheckFlag *flag = checkFlag(run, op, message, /*gpu=*/false);
  return flag ? flag->word : nullptr;
}

void *scn_cg_gpu_check_flag(scn_run_t run, const char *op, const char *message) {
  scn_run::CheckFlag *flag = checkFlag(run, op, message, /*gpu=*/true);
  return flag ? flag->kernelView : nullptr;
}

int64_t scn_cg_gpu_resident_blocks(int64_t shared_bytes, int64_t threads) {
  return scn_gpu_resident_blocks(shared_bytes, threads);
}

void scn_cg_fail(scn_run_t run, const char *op, const char *message) {
  if (run)
    run->fail(SCN_ERROR_INVALID_ARGUMENT,
              std::string(op ? op : "scn op") + ": " + (message ? message : ""));
}

void *scn_cg_input(scn_run_t run, const char *op, int32_t dim,
                   const int64_t *spatial_size, const void *coords,
                   int32_t coord_type, int64_t rows, int64_t cols,
                   int32_t mode, int64_t batch_size) {
  if (!run || run->failed())
    return nullptr;
  std::string key;
  const size_t bytes =
      rows >= 0 && cols >= 0 ? static_cast<size_t>(rows * cols) * (coord_type == 1 ? 8 : 4) : 0;
  if (run->reuseGeometry && dim > 0 && dim <= 10 && rows >= 0 && cols >= 0) {
    key = "input";
    int64_t header[] = {dim, coord_type, rows, cols, mode, batch_size};
    appendBytes(key, header, 6);
    appendBytes(key, spatial_size, dim);
    if (void *hit = run->cachedInput(key, coords, bytes))
      return hit;
  }
  scn_sites_t out = nullptr;
  scn_status_t st = scn_sites_from_coords(
      dim, spatial_size, coords, static_cast<scn_index_type_t>(coord_type),
      rows, cols, mode, batch_size, &out);
  if (st != SCN_OK) {
    run->failFromRuntime(st, op);
    return nullptr;
  }
  return key.empty() ? run->own(out) : run->rememberInput(key, coords, bytes, run->own(out));
}

void *scn_cg_bl_input(scn_run_t run, const char *op, int32_t dim,
                      const int64_t *spatial_size, const void *coords,
                      int32_t coord_type, int64_t batch, int64_t length,
                      int64_t cols, int32_t mode) {
  if (!run || run->failed())
    return nullptr;
  if (cols != dim) {
    run->fail(SCN_ERROR_INVALID_ARGUMENT,
              std::string(op) + ": coordinates have " + std::to_string(cols) +
                  " columns, expected " + std::to_string(dim));
    return nullptr;
  }
  scn_sites_t out = nullptr;
  scn_status_t st = scn_sites_from_bl_coords(
      dim, spatial_size, coords, static_cast<scn_index_type_t>(coord_type),
      batch, length, mode, &out);
  if (st != SCN_OK) {
    run->failFromRuntime(st, op);
    return nullptr;
  }
  return run->own(out);
}

void *scn_cg_dense_to_sparse(scn_run_t run, const char *op, int32_t dim,
                             const int64_t *spatial_size, int64_t batch,
                             int64_t planes, const float *dense) {
  if (!run || run->failed())
    return nullptr;
  scn_sites_t out = nullptr;
  scn_status_t st =
      scn_sites_from_dense(dim, spatial_size, batch, planes, dense, &out);
  if (st != SCN_OK) {
    run->failFromRuntime(st, op);
    return nullptr;
  }
  return run->own(out);
}

void *scn_cg_downsample(scn_run_t run, const char *op, void *in,
                        const int64_t *filter, const int64_t *stride) {
  if (!run || run->failed() || !in)
    return nullptr;
  std::string key = geometryKey("downsample", 0, in, nullptr, filter, stride, in);
  if (void *hit = run->cached(key))
    return hit;
  scn_sites_t out = nullptr;
  scn_status_t st = scn_sites_downsample(static_cast<scn_sites_t>(in), filter,
                                         stride, &out);
  if (st != SCN_OK) {
    run->failFromRuntime(st, op);
    return nullptr;
  }
  return run->remember(key, run->own(out));
}

void *scn_cg_full_sites(scn_run_t run, const char *op, void *in,
                        const int64_t *filter, const int64_t *stride) {
  if (!run || run->failed() || !in)
    return nullptr;
  std::string key = geometryKey("full", 0, in, nullptr, filter, stride, in);
  if (void *hit = run->cached(key))
    return hit;
  scn_sites_t out = nullptr;
  scn_status_t st =
      scn_sites_full(static_cast<scn_sites_t>(in), filter, stride, &out);
  if (st != SCN_OK) {
    run->failFromRuntime(st, op);
    return nullptr;
  }
  return run->remember(key, run->own(out));
}

void *scn_cg_kernel_map(scn_run_t run, const char *op, int32_t kind, void *in,
                        void *out, const int64_t *filter,
                        const int64_t *stride) {
  if (!run || run->failed() || !in || !out)
    return nullptr;
  std::string key = geometryKey("kmap", kind, in, out, filter, stride, in);
  if (void *hit = run->cached(key))
    return hit;
  scn_kmap_t map = nullptr;
  scn_status_t st = scn_kmap_build(static_cast<scn_kmap_kind_t>(kind),
                                   static_cast<scn_sites_t>(in),
                                   static_cast<scn_sites_t>(out), filter,
                                   stride, &map);
  if (st != SCN_OK) {
    run->failFromRuntime(st, op);
    return nullptr;
  }
  return run->remember(key, run->own(map));
}

static bool getInfo(void *sites, scn_sites_info_t &info) {
  return sites && scn_sites_get_info(static_cast<scn_sites_t>(sites), &info) ==
                      SCN_OK;
}

int64_t scn_cg_num_sites(scn_run_t run, void *sites) {
  scn_sites_info_t info;
  if (!sites)
    return 0;
  scn_status_t status = scn_sites_get_info(static_cast<scn_sites_t>(sites), &info);
  if (status != SCN_OK) {
    if (run)
      run->failFromRuntime(status, "reading a site count");
    return 0;
  }
  return info.num_sites;
}

int64_t scn_cg_batch_size(void *sites) {
  scn_sites_info_t info;
  return getInfo(sites, info) ? info.batch_size : 0;
}

const int64_t *scn_cg_coords(void *sites) {
  scn_sites_info_t info;
  return getInfo(sites, info) ? info.coords : nullptr;
}

static bool getMerge(void *sites, scn_merge_map_t &map) {
  return sites && scn_sites_get_merge_map(static_cast<scn_sites_t>(sites),
                                          &map) == SCN_OK;
}

int64_t scn_cg_num_input_rows(void *sites) {
  scn_merge_map_t map;
  return getMerge(sites, map) ? map.num_rows : 0;
}

const int32_t *scn_cg_row_to_site(void *sites) {
  scn_merge_map_t map;
  return getMerge(sites, map) ? map.row_to_site : nullptr;
}

const int32_t *scn_cg_site_source_row(void *sites) {
  scn_merge_map_t map;
  return getMerge(sites, map) ? map.site_source_row : nullptr;
}

const int32_t *scn_cg_site_row_count(void *sites) {
  scn_merge_map_t map;
  return getMerge(sites, map) ? map.site_row_count : nullptr;
}

/// The CSR of the input rows by site, or nulls with the run failed.
static std::pair<const int32_t *, const int32_t *> rowsBySite(scn_run_t run, void *sites) {
  const int32_t *start = nullptr, *rows = nullptr;
  if (!sites)
    return {nullptr, nullptr};
  scn_status_t st = scn_sites_get_rows_by_site(static_cast<scn_sites_t>(sites), &start, &rows);
  if (st != SCN_OK) {
    if (run)
      run->failFromRuntime(st, "input merge (rows by site)");
    return {nullptr, nullptr};
  }
  return {start, rows};
}

const int32_t *scn_cg_site_row_start(scn_run_t run, void *sites) {
  return rowsBySite(run, sites).first;
}

const int32_t *scn_cg_rows_by_site(scn_run_t run, void *sites) {
  return rowsBySite(run, sites).second;
}

/// The map whose table a reader uses: the map itself, or its transpose
/// (built once per run).
static scn_kmap_t readMap(scn_run_t run, void *kmap, int32_t transposed) {
  if (!run || !kmap || run->failed())
    return nullptr;
  auto map = static_cast<scn_kmap_t>(kmap);
  if (!transposed)
    return map;
  {
    std::lock_guard<std::mutex> lock(run->mutex);
    auto it = run->transposed.find(map);
    if (it != run->transposed.end())
      return it->second;
  }
  scn_kmap_t t = nullptr;
  scn_status_t st = scn_kmap_transpose(map, &t);
  if (st != SCN_OK) {
    run->failFromRuntime(st, "scn.deconv/scn.unpool (transposed map)");
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(run->mutex);
  run->transposed[map] = t;
  return t;
}

const int32_t *scn_cg_neighbors(scn_run_t run, void *kmap, int32_t transposed) {
  // The table itself: scn_kmap_get_info would also build the pair lists,
  // which the generated kernels do not read.
  scn_kmap_t map = readMap(run, kmap, transposed);
  return map ? map->neighbors.data() : nullptr;
}

int64_t scn_cg_neighbors_rows(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_t map = readMap(run, kmap, transposed);
  return map ? map->numOut : 0;
}

/// The map `kmap` reads with its pair lists built, or null with the run
/// failed (a map past INT32_MAX pairs): a kernel that found no pairs would
/// otherwise leave its output at the bias.
static scn_kmap_t pairListsOf(scn_run_t run, void *kmap, int32_t transposed,
                              scn_kmap_info_t &info) {
  scn_kmap_t map = readMap(run, kmap, transposed);
  if (!map)
    return nullptr;
  if (scn_status_t st = scn_kmap_get_info(map, &info); st != SCN_OK) {
    run->failFromRuntime(st, "weight-stationary convolution (pair lists)");
    return nullptr;
  }
  return map;
}

static const scn_kmap_info_t *pairsOf(scn_run_t run, void *kmap,
                                      int32_t transposed,
                                      scn_kmap_info_t &info) {
  return pairListsOf(run, kmap, transposed, info) ? &info : nullptr;
}

/// A per-row array of the map that reads `kmap` (`get`: the row order or
/// its masks), or null with the run failed as `what`.
static const int32_t *rowArray(scn_run_t run, void *kmap, int32_t transposed,
                               scn_status_t (*get)(scn_kmap_t, const int32_t **),
                               const char *what) {
  scn_kmap_t map = readMap(run, kmap, transposed);
  const int32_t *array = nullptr;
  if (!map)
    return nullptr;
  if (scn_status_t st = get(map, &array); st != SCN_OK) {
    run->failFromRuntime(st, what);
    return nullptr;
  }
  return array;
}

const int32_t *scn_cg_row_order(scn_run_t run, void *kmap, int32_t transposed) {
  return rowArray(run, kmap, transposed, scn_kmap_get_row_order,
                  "tensor-core convolution (row order)");
}

const int32_t *scn_cg_row_masks(scn_run_t run, void *kmap, int32_t transposed) {
  return rowArray(run, kmap, transposed, scn_kmap_get_row_masks,
                  "tensor-core convolution (row masks)");
}

const int32_t *scn_cg_row_table(scn_run_t run, void *kmap, int32_t transposed) {
  return rowArray(run, kmap, transposed, scn_kmap_get_row_table,
                  "tensor-core convolution (row table)");
}

const int64_t *scn_cg_pair_offsets(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_info_t info;
  return pairsOf(run, kmap, transposed, info) ? info.pair_offsets : nullptr;
}

int64_t scn_cg_pair_count(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_info_t info;
  return pairsOf(run, kmap, transposed, info) && info.pair_offsets ? info.num_pairs : 0;
}

const int32_t *scn_cg_pair_in_rows(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_info_t info;
  return pairsOf(run, kmap, transposed, info) ? info.pair_in_rows : nullptr;
}

const int32_t *scn_cg_pair_out_rows(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_info_t info;
  return pairsOf(run, kmap, transposed, info) ? info.pair_out_rows : nullptr;
}

int64_t scn_cg_pair_block_count(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_info_t info;
  scn_kmap_t map = pairListsOf(run, kmap, transposed, info);
  return map ? map->numPairBlocks : 0;
}

const int64_t *scn_cg_pair_blocks(scn_run_t run, void *kmap, int32_t transposed) {
  scn_kmap_info_t info;
  scn_kmap_t map = pairListsOf(run, kmap, transposed, info);
  return map ? map->pairBlocks.data() : nullptr;
}

} // extern "C"
