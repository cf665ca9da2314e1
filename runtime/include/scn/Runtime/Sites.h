/*===- scn/Runtime/Sites.h - Active site sets --------------------*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* An scn_sites_t is the active set of one scale (SparseConvNet's Metadata    *|
|* for one spatial size): dimension D in 1..10, spatial size [D], batch size, *|
|* N sites with int64 coordinates [N, D+1] (batch index LAST), and a hash map *|
|* from packed (batch, coordinates) to row.                                   *|
|*                                                                            *|
|* Row order (the same for every thread count): sites are numbered in order   *|
|* of FIRST APPEARANCE.                                                       *|
|*  - Input sets: by the earliest input row of the site (in every mode).      *|
|*  - Downsampled sets: by the earliest input site whose window contributes   *|
|*    the output; one input contributing several outputs (filter > stride)   *|
|*    adds them in row-major order of the output coordinates.                 *|
|*  - Full-convolution sets: by the earliest input site j that covers the    *|
|*    output, then by the row-major offset index k of (i - j * stride).      *|
|*  - Dense sets: in row-major order of [B, *spatial] (that is, sorted by     *|
|*    (batch, x0, x1, ...)).                                                  *|
|* So a sorted input gives a sorted input set, and the same input always     *|
|* gives the same rows.                                                       *|
|*                                                                            *|
|* Sets are immutable after construction; any number of threads may read    *|
|* them and build maps from them at once.                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_SITES_H
#define SCN_RUNTIME_SITES_H

#include "scn/Runtime/Status.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Largest supported spatial dimension.
#define SCN_MAX_DIMENSION 10

/// Opaque handle of an active site set.
typedef struct scn_sites *scn_sites_t;

/// Duplicate policy of SparseConvNet's InputLayer (the behaviour of
/// SparseConvNet itself; its docstring swaps modes 1 and 2).
typedef enum scn_input_mode {
  /// Every row is its own site; a duplicated site is an error.
  SCN_INPUT_UNIQUE = 0,
  /// A duplicated site keeps its FIRST row; the other rows are dropped.
  SCN_INPUT_KEEP_FIRST = 1,
  /// A duplicated site keeps its LAST row; the other rows are dropped.
  SCN_INPUT_KEEP_LAST = 2,
  /// The features of duplicated rows are summed.
  SCN_INPUT_SUM = 3,
  /// The features of duplicated rows are averaged.
  SCN_INPUT_AVERAGE = 4,
} scn_input_mode_t;

/// Read-only view of a site set. Pointers stay valid until the set is freed.
typedef struct scn_sites_info {
  int32_t dim;                 ///< Spatial dimension D.
  int32_t key_bits;            ///< Bits of a packed (batch, coords) key.
  int64_t batch_size;          ///< Number of samples B (>= 1).
  int64_t num_sites;           ///< Number of sites N.
  const int64_t *spatial_size; ///< [D] grid size per axis.
  const int64_t *coords;       ///< [N, D+1] row-major, batch index last.
} scn_sites_info_t;

/// How input rows land on sites: what InputLayer/OutputLayer (and the BL
/// layers) need to move features. Pointers stay valid until the set is freed.
typedef struct scn_merge_map {
  int32_t mode;       ///< The scn_input_mode_t the set was built with.
  int64_t num_rows;   ///< Number of input rows R (B * L for BL input).
  int64_t num_sites;  ///< Number of sites N.
  /// [R] site row of each input row; -1 for rows that were dropped (a
  /// duplicate in modes 1/2, an empty BL position).
  const int32_t *row_to_site;
  /// [N] the input row whose features a site takes in modes 0/1/2 (mode 1:
  /// the first row of the site, mode 2: the last), and the site's first row
  /// in modes 3/4.
  const int32_t *site_source_row;
  /// [N] number of input rows of each site, dropped duplicates included
  /// (the divisor of mode 4).
  const int32_t *site_row_count;
} scn_merge_map_t;

/// The rows of a set built from input rows grouped by the site they merge
/// into: site s has rows[start[s] .. start[s + 1]), ascending, the rows r
/// with row_to_site[r] == s (so dropped duplicates are not there). What a
/// gather over each site's rows needs (the CUDA merge of modes 3/4, which
/// then sums each site's rows in the CPU's order). `*start` has num_sites
/// + 1 entries; `*rows` has all num_rows, the dropped ones after
/// start[num_sites]; both stay valid until the set is freed; built on the
/// first call.
SCN_RUNTIME_API scn_status_t scn_sites_get_rows_by_site(scn_sites_t sites,
                                                        const int32_t **start,
                                                        const int32_t **rows);

/// Builds the input set of SparseConvNet's InputLayer.
///
/// `coords` is a row-major [n_rows, n_cols] array of `coord_type` (an
/// scn_index_type_t: SCN_INDEX_INT32 or SCN_INDEX_INT64) with n_cols == dim + 1: columns 0..dim-1 are spatial coordinates in
/// [0, spatial_size[i]), the LAST column is the batch index (>= 0).
/// `mode` is an scn_input_mode_t. The batch size is max(batch_size, 1 +
/// largest batch index); pass batch_size <= 0 to take it from the data.
/// `n_rows == 0` gives an empty set (coords may then be null).
/// On success `*out` owns a new set (free it with scn_sites_free) with a
/// merge map (scn_sites_merge_map).
SCN_RUNTIME_API scn_status_t
scn_sites_from_coords(int32_t dim, const int64_t *spatial_size,
                      const void *coords, int32_t coord_type,
                      int64_t n_rows, int64_t n_cols, int32_t mode,
                      int64_t batch_size, scn_sites_t *out);

/// Builds the input set of SparseConvNet's BLInputLayer (its blRules).
///
/// `coords` is a row-major [batch, length, dim] array of `coord_type`; sample
/// b, position l is input row b * length + l and has batch index b. In modes
/// 1-4 a position whose FIRST coordinate is negative is empty padding
/// (dropped, row_to_site -1); any other coordinate outside the grid is an
/// error. Mode 0 takes every position as its own site (duplicates and
/// negative coordinates are errors). As in SparseConvNet, the batch-length
/// modes 1 and 2 are the other way round from InputLayer's: mode 1 keeps
/// the LAST row of a duplicated site, mode 2 the FIRST; 3 sums, 4 averages.
/// The merge map records the InputLayer policy applied. The batch size is
/// `batch`.
SCN_RUNTIME_API scn_status_t
scn_sites_from_bl_coords(int32_t dim, const int64_t *spatial_size,
                         const void *coords, int32_t coord_type,
                         int64_t batch, int64_t length, int32_t mode,
                         scn_sites_t *out);

/// Builds the output set of a strided Convolution, MaxPooling or
/// AveragePooling with per-axis `filter` s and `stride` t (arrays of length
/// D): every j whose window [j*t, j*t+s-1] holds an active site of `in`.
/// The output size is (in - s)/t + 1 per axis; the division must be exact.
/// The batch size is kept.
SCN_RUNTIME_API scn_status_t scn_sites_downsample(scn_sites_t in,
                                                  const int64_t *filter,
                                                  const int64_t *stride,
                                                  scn_sites_t *out);

/// Builds the output set of a FullConvolution: the union of the windows
/// [j*t, j*t+s-1] over every site j of `in`, on a grid of size
/// (in - 1)*t + s per axis.
SCN_RUNTIME_API scn_status_t scn_sites_full(scn_sites_t in,
                                            const int64_t *filter,
                                            const int64_t *stride,
                                            scn_sites_t *out);

/// Frees a set. Null is allowed. Maps built from the set stay valid.
SCN_RUNTIME_API scn_status_t scn_sites_free(scn_sites_t sites);

/// Fills `*info` with the dimension, sizes and coordinates of `sites`.
SCN_RUNTIME_API scn_status_t scn_sites_get_info(scn_sites_t sites,
                                                scn_sites_info_t *info);

/// Fills `*map` with the merge map of a set built from input rows
/// (scn_sites_from_coords, scn_sites_from_bl_coords). Other sets have no
/// merge map: SCN_ERROR_INVALID_ARGUMENT.
SCN_RUNTIME_API scn_status_t scn_sites_get_merge_map(scn_sites_t sites,
                                                     scn_merge_map_t *map);

/// Looks up `n` sites given as int64 [n, D+1] (batch last) and writes their
/// rows to `rows` [n]: -1 when a site is not active or lies outside the grid.
SCN_RUNTIME_API scn_status_t scn_sites_find(scn_sites_t sites,
                                            const int64_t *coords, int64_t n,
                                            int32_t *rows);

/// Bytes of memory a site set holds (hash table, coordinates, merge map).
SCN_RUNTIME_API scn_status_t scn_sites_memory_bytes(scn_sites_t sites,
                                                    int64_t *bytes);

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_SITES_H
