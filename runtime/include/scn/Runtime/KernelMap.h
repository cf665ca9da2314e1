/*===- scn/Runtime/KernelMap.h - Convolution kernel maps ---------*- C -*-===*\
|*                                                                            *|
|* Part of the SCN compiler runtime (libscn_runtime).                         *|
|*                                                                            *|
|* A kernel map ("rulebook") says, for one filter and stride, which input     *|
|* row meets which output row through which filter offset k. Offsets are     *|
|* numbered row-major (last axis fastest) inside the filter box, so k is the *|
|* first index of SparseConvNet's weight [V, G, nIn/G, nOut/G].              *|
|*                                                                            *|
|* A map holds two views of the same relation:                               *|
|*  - an output-stationary neighbour table int32 [N_out, K]: the input row   *|
|*    that output row o meets through offset k, or -1;                        *|
|*  - per-offset pair lists (CSR by offset): for offset k the pairs           *|
|*    pair_offsets[k] .. pair_offsets[k+1]-1 of (in_rows, out_rows), sorted   *|
|*    by output row.                                                          *|
|* Both are independent of the number of threads. A map copies what it needs *|
|* and stays valid after its site sets are freed.                             *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SCN_RUNTIME_KERNELMAP_H
#define SCN_RUNTIME_KERNELMAP_H

#include "scn/Runtime/Sites.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Opaque handle of a kernel map.
typedef struct scn_kmap *scn_kmap_t;

/// Which relation a map describes; s = filter, t = stride per axis.
typedef enum scn_kmap_kind {
  /// SubmanifoldConvolution (stride ignored): out[x] gathers
  /// in[x + d - floor(s/2)] for d in [0, s); an even s has one more cell on
  /// the negative side. `in` and `out` must have the same grid (usually they
  /// are the same set).
  SCN_KMAP_SUBMANIFOLD = 0,
  /// Convolution / MaxPooling / AveragePooling: out[j] gathers in[j*t + d];
  /// out size == (in size - s)/t + 1.
  SCN_KMAP_STRIDED = 1,
  /// Deconvolution / UnPooling: `in` is the small (downsampled) set, `out`
  /// the big set it came from; out[i] gathers in[j] for every active j whose
  /// window holds i, through k = index of (i - j*t); out size ==
  /// (in size - 1)*t + s. The transpose of the STRIDED map from out to in.
  SCN_KMAP_TRANSPOSED = 2,
  /// FullConvolution: as TRANSPOSED, with `out` = scn_sites_full(in).
  SCN_KMAP_FULL = 3,
} scn_kmap_kind_t;

/// Read-only view of a map. Pointers stay valid until the map is freed.
typedef struct scn_kmap_info {
  int32_t kind;            ///< scn_kmap_kind_t.
  int32_t dim;             ///< Spatial dimension D.
  int64_t volume;          ///< K = prod(filter).
  int64_t num_in;          ///< Rows of the input set.
  int64_t num_out;         ///< Rows of the output set.
  int64_t num_pairs;       ///< P: number of (in, out, k) entries.
  const int64_t *filter;   ///< [D].
  const int64_t *stride;   ///< [D] (all 1 for SUBMANIFOLD).
  /// [num_out, K] row-major: input row or -1.
  const int32_t *neighbors;
  /// [K + 1] start of each offset's pairs; pair_offsets[K] == P.
  const int64_t *pair_offsets;
  const int32_t *pair_in_rows;  ///< [P] input row of each pair.
  const int32_t *pair_out_rows; ///< [P] output row of each pair.
} scn_kmap_info_t;

/// Builds the map of `kind` (an scn_kmap_kind_t) from `in` to `out` for per-axis `filter` and
/// `stride` (length D each; filter >= 1, stride >= 1, filter <= the grid
/// size of the bigger set). `stride` may be null for SUBMANIFOLD.
SCN_RUNTIME_API scn_status_t scn_kmap_build(int32_t kind,
                                            scn_sites_t in, scn_sites_t out,
                                            const int64_t *filter,
                                            const int64_t *stride,
                                            scn_kmap_t *map);

/// Builds the TRANSPOSED map from a STRIDED map (big -> small): the same
/// pairs with input and output swapped, without any hash lookup. This is the
/// map a Deconvolution or UnPooling uses on the way up.
SCN_RUNTIME_API scn_status_t scn_kmap_transpose(scn_kmap_t strided,
                                                scn_kmap_t *transposed);

/// Frees a map. Null is allowed.
SCN_RUNTIME_API scn_status_t scn_kmap_free(scn_kmap_t map);

/// Fills `*info` with the sizes and arrays of `map`.
SCN_RUNTIME_API scn_status_t scn_kmap_get_info(scn_kmap_t map,
                                               scn_kmap_info_t *info);

/// The output rows of `map` ordered by their neighbour masks (bit k set when
/// offset k has a neighbour), stably: rows with the same neighbours are
/// adjacent, rows that have the offsets far from the window's centre are
/// grouped, and neighbouring masks differ in few offsets (the key is a Gray
/// code rank of the mask, far offsets as its high bits; at most 64 offsets,
/// the farthest). Kernels that take output rows in tiles (the CUDA
/// tensor-core convolution) then skip more offsets that no row of a tile
/// has. Then, for windows of up to 32 offsets, a submanifold map's rows of
/// each chunk of 256 are packed into its blocks of 64 by their masks,
/// greedily, so that a block holds fewer offsets than where the key's order
/// falls (SCN_RUNTIME_ROW_PACKING=key keeps those cuts); and the order's
/// whole blocks of 64 rows are stably sorted by how many offsets their rows
/// have between
/// them, most first (the last, partial block stays last): the GPU starts a
/// kernel's blocks in index order, and the key order would leave its
/// heaviest blocks for the last wave (SCN_RUNTIME_BLOCK_ORDER=key keeps the
/// key's order). `*order` [num_out] stays valid until the map is freed;
/// built on the first call.
SCN_RUNTIME_API scn_status_t scn_kmap_get_row_order(scn_kmap_t map,
                                                    const int32_t **order);

/// The neighbour masks of the rows in scn_kmap_get_row_order's order:
/// `(*masks)[i]` has bit k set when row order[i] has a neighbour at offset k
/// (the first 32 offsets). A tile of consecutive rows in that order reads
/// its rows' masks here, one word a row. `*masks` [num_out] stays valid
/// until the map is freed; built with the order.
SCN_RUNTIME_API scn_status_t scn_kmap_get_row_masks(scn_kmap_t map,
                                                    const int32_t **masks);

/// The neighbour table's rows in scn_kmap_get_row_order's order:
/// `(*table)[i * volume + k]` is row order[i]'s entry at offset k (the
/// input row, or -1). A tile of consecutive rows in that order reads its
/// entries here without waiting for the order first, from consecutive
/// memory. `*table` [num_out, volume] stays valid until the map is freed;
/// built with the order.
SCN_RUNTIME_API scn_status_t scn_kmap_get_row_table(scn_kmap_t map,
                                                    const int32_t **table);

/// Bytes of memory a map holds (table, pair lists, bookkeeping).
SCN_RUNTIME_API scn_status_t scn_kmap_memory_bytes(scn_kmap_t map,
                                                   int64_t *bytes);

#ifdef __cplusplus
}
#endif

#endif // SCN_RUNTIME_KERNELMAP_H
