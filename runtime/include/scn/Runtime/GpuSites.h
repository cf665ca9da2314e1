/*===- scn/Runtime/GpuSites.h - Site sets and kernel maps on the GPU -*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* The GPU versions of the builders of Sites.h and KernelMap.h, with the same *|
|* results (rows, coordinates, neighbour tables) as the CPU runtime: every    *|
|* array lives in device memory and every step runs on the given stream       *|
|* (null: the CUDA default stream); what is built later from a set or a map   *|
|* (its count's read, rows by site, pair lists, row order) goes on the        *|
|* stream it was built on. Compiled networks use scn_gpu_geometry_stream.     *|
|* They use the sorted algorithms of the CPU runtime (SortedNumbering.h) with *|
|* CUB's device radix sort and scan (runtime/lib/CUDA/DeviceSites.h). An      *|
|* input or FullConvolution build reads its number of sites back to the host  *|
|* (to size its arrays, with an input's first bad row); a downsampled set     *|
|* leaves it on the device until it is asked (scn_gpu_sites_get_info, a map   *|
|* built from the set). Maps never travel between host and device.            *|
|*                                                                            *|
|* Covered: every builder of the CPU runtime: input sets (InputLayer and      *|
|* BLInputLayer, modes 0-4, int64 coordinates), dense inputs, downsampled     *|
|* sets (any filter and stride), FullConvolution sets, every kind of map,     *|
|* and pair lists. Built only when the CUDA toolkit (nvcc) was found;         *|
|* otherwise every call fails with SCN_ERROR_NO_DEVICE.                       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_GPUSITES_H
#define SCN_RUNTIME_GPUSITES_H

#include "scn/Runtime/Status.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scn_gpu_sites *scn_gpu_sites_t;
typedef struct scn_gpu_kmap *scn_gpu_kmap_t;

/// Read-only view of a device site set; pointers are device memory.
typedef struct scn_gpu_sites_info {
  int32_t dim;
  int64_t batch_size;
  int64_t num_sites;
  int64_t num_rows;               ///< Input rows (input sets), else 0.
  const int64_t *spatial_size;    ///< [dim], host memory.
  const int64_t *coords;          ///< [num_sites, dim + 1], batch last.
  const int32_t *row_to_site;     ///< [num_rows] or null (as scn_merge_map_t).
  const int32_t *site_source_row; ///< [num_sites] or null.
  const int32_t *site_row_count;  ///< [num_sites] or null.
} scn_gpu_sites_info_t;

/// As scn_sites_get_rows_by_site: `*start` [num_sites + 1] and `*rows` in
/// device memory.
SCN_RUNTIME_API scn_status_t scn_gpu_sites_get_rows_by_site(scn_gpu_sites_t sites,
                                                            const int32_t **start,
                                                            const int32_t **rows);

/// As scn_sites_from_coords, from device int64 coordinates [n_rows, dim+1].
SCN_RUNTIME_API scn_status_t scn_gpu_sites_from_coords(
    int32_t dim, const int64_t *spatial_size, const int64_t *coords,
    int64_t n_rows, int32_t mode, int64_t batch_size, void *stream,
    scn_gpu_sites_t *out);

/// As scn_sites_from_bl_coords, from device int64 coordinates
/// [batch, length, dim].
SCN_RUNTIME_API scn_status_t scn_gpu_sites_from_bl_coords(
    int32_t dim, const int64_t *spatial_size, const int64_t *coords, int64_t batch,
    int64_t length, int32_t mode, void *stream, scn_gpu_sites_t *out);

/// As scn_sites_from_dense, from a device (or managed) float array
/// [batch_size, n_planes, *spatial_size]. The set has no merge map.
SCN_RUNTIME_API scn_status_t scn_gpu_sites_from_dense(int32_t dim, const int64_t *spatial_size,
                                                      int64_t batch_size, int64_t n_planes,
                                                      const float *dense, void *stream,
                                                      scn_gpu_sites_t *out);

/// As scn_sites_downsample. With filter == stride the set records each
/// input's window, so maps to it need no lookups.
SCN_RUNTIME_API scn_status_t scn_gpu_sites_downsample(scn_gpu_sites_t in,
                                                      const int64_t *filter,
                                                      const int64_t *stride,
                                                      void *stream,
                                                      scn_gpu_sites_t *out);

/// As scn_sites_full (FullConvolution's output set).
SCN_RUNTIME_API scn_status_t scn_gpu_sites_full(scn_gpu_sites_t in,
                                                const int64_t *filter,
                                                const int64_t *stride,
                                                void *stream,
                                                scn_gpu_sites_t *out);

/// As scn_kmap_build, for every kind (SUBMANIFOLD with odd or even filters,
/// STRIDED, TRANSPOSED, FULL).
/// `*neighbors` receives the device table [num_out, K].
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_build(int32_t kind, scn_gpu_sites_t in,
                                                scn_gpu_sites_t out,
                                                const int64_t *filter,
                                                const int64_t *stride, void *stream,
                                                scn_gpu_kmap_t *map);

SCN_RUNTIME_API scn_status_t scn_gpu_sites_get_info(scn_gpu_sites_t sites,
                                                    scn_gpu_sites_info_t *info);
/// A set's first get_info after a downsample stores the count it reads in
/// the set, under a lock: threads may ask one set at once. (A caller that
/// uses the set's arrays on another stream than its build's orders that
/// stream after the build itself.)
///
/// As scn_gpu_sites_get_info, but never waits: `num_sites` is -1 while a
/// downsampled set's count is still on the GPU (it stays there until first
/// asked, by get_info or a map built from the set, so that the sets of a
/// pyramid cost one wait between them).
SCN_RUNTIME_API scn_status_t scn_gpu_sites_peek_info(scn_gpu_sites_t sites,
                                                     scn_gpu_sites_info_t *info);
/// Device table [*num_out, *volume] of a map.
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_get_neighbors(scn_gpu_kmap_t map,
                                                        const int32_t **neighbors,
                                                        int64_t *num_out,
                                                        int64_t *volume);
/// The per-offset pair lists of a map (built on the first call): offsets
/// [*volume + 1] in HOST memory, the pairs' input and output rows [*count]
/// in device memory; within an offset output rows increase.
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_get_pairs(scn_gpu_kmap_t map,
                                                    const int64_t **offsets,
                                                    const int32_t **in_rows,
                                                    const int32_t **out_rows,
                                                    int64_t *count);

/// As scn_kmap_get_row_order: `*order` [num_out] in device memory.
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_get_row_order(scn_gpu_kmap_t map,
                                                        const int32_t **order);

/// As scn_kmap_get_row_masks: `*masks` [num_out] in device memory.
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_get_row_masks(scn_gpu_kmap_t map,
                                                        const int32_t **masks);

/// As scn_kmap_get_row_table: `*table` [num_out, volume] in device memory.
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_get_row_table(scn_gpu_kmap_t map,
                                                        const int32_t **table);

/// Waits for the builders' work on `stream` (null: the CUDA runtime's default
/// stream; compiled networks build on scn_gpu_geometry_stream's) and reports
/// its failure. Work on other streams (the kernels of a compiled network)
/// goes on.
SCN_RUNTIME_API scn_status_t scn_gpu_sites_wait(void *stream);

SCN_RUNTIME_API scn_status_t scn_gpu_sites_free(scn_gpu_sites_t sites);
SCN_RUNTIME_API scn_status_t scn_gpu_kmap_free(scn_gpu_kmap_t map);

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_GPUSITES_H
