/*===- scn/Runtime/LayerMaps.h - Maps of the non-convolution layers -*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* Index maps for SparseConvNet's SparseToDense and DenseToSparse layers.     *|
|* InputLayer, OutputLayer, BLInputLayer and BLOutputLayer use the merge map *|
|* of their input set (scn_sites_get_merge_map in Sites.h): OutputLayer       *|
|* writes output row r from site row_to_site[r] (zero when -1), BLOutputLayer *|
|* does the same for row r = b * length + l of its [B, L, C] output.          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_LAYERMAPS_H
#define SCN_RUNTIME_LAYERMAPS_H

#include "scn/Runtime/Sites.h"

#ifdef __cplusplus
extern "C" {
#endif

/// SparseToDense map: for a dense output [B, n_planes, *spatial_size] writes
/// `dense_index[r]` = the linear index of (batch b, plane 0, x) of site r;
/// plane c of the site is at dense_index[r] + c * prod(spatial_size).
/// `capacity` is the length of `dense_index`, which must be >= N. Fails with
/// SCN_ERROR_OVERFLOW when B * n_planes * prod(spatial) exceeds INT64_MAX.
SCN_RUNTIME_API scn_status_t scn_sparse_to_dense_map(scn_sites_t sites,
                                                     int64_t n_planes,
                                                     int64_t *dense_index,
                                                     int64_t capacity);

/// DenseToSparse: builds the set of the sites of a dense float32 array
/// [batch_size, n_planes, *spatial_size] (row-major) that have a nonzero
/// value (NaN counts as nonzero) in any plane. Rows are in row-major order
/// of [B, *spatial]. The row -> dense index map is scn_sparse_to_dense_map
/// with the same n_planes.
SCN_RUNTIME_API scn_status_t
scn_sites_from_dense(int32_t dim, const int64_t *spatial_size,
                     int64_t batch_size, int64_t n_planes, const float *dense,
                     scn_sites_t *out);

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_LAYERMAPS_H
