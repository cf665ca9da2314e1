//===- KernelMap.h - The kernel map object and its builders ---*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// struct scn_kmap (the object behind scn_kmap_t). Builders fill the
/// output-stationary neighbour table; the per-offset pair lists are derived
/// from it by buildPairLists() the first time someone asks for them
/// (scn_kmap_get_info), so both views always agree, neither depends on the
/// thread count, and compiled code that only reads the table (the CPU
/// kernels do) never pays for the lists (about a quarter of a submanifold
/// map's build time).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_KERNELMAP_H
#define SCN_RUNTIME_LIB_CPU_KERNELMAP_H

#include "Array.h"
#include "Geometry.h"
#include "SiteSet.h"

#include "scn/Runtime/KernelMap.h"

#include <mutex>

struct scn_kmap {
  int32_t kind = 0;
  int32_t dim = 0;
  int64_t volume = 0;
  int64_t numIn = 0;
  int64_t numOut = 0;
  int64_t filter[SCN_MAX_DIMENSION] = {};
  int64_t stride[SCN_MAX_DIMENSION] = {};
  /// [numOut, volume]: input row or -1.
  scn::rt::Array<int32_t> neighbors;
  /// [volume + 1] CSR starts of the pair lists.
  scn::rt::Array<int64_t> pairOffsets;
  scn::rt::Array<int32_t> pairIn;
  scn::rt::Array<int32_t> pairOut;
  /// The output rows cut into blocks of about kPairsPerBlock pairs, built
  /// with the pair lists: [(numPairBlocks + 1) * (volume + 1)], block b's
  /// first row at b * (volume + 1), then the first pair of each offset k
  /// among the block's rows; block numPairBlocks ends them (numOut, then the
  /// offsets' ends). Weight-stationary kernels run a block's offsets one
  /// after another while its output rows stay in cache.
  scn::rt::Array<int64_t> pairBlocks;
  int64_t numPairBlocks = 0;
  /// Guards the lazy pair-list build (maps are shared across threads).
  std::once_flag pairListsBuilt;
  /// [numOut] rows sorted by a key of their neighbour masks, then whole
  /// blocks of them heaviest first (scn_kmap_get_row_order, RowOrderKey.h),
  /// built on first request.
  scn::rt::Array<int32_t> rowOrder;
  /// [numOut] the neighbour masks of the rows in that order, first 32
  /// offsets (scn_kmap_get_row_masks), built with it.
  scn::rt::Array<int32_t> rowMasks;
  /// [numOut, volume] the neighbour table's rows in that order
  /// (scn_kmap_get_row_table), built with it.
  scn::rt::Array<int32_t> rowTable;
  std::once_flag rowOrderBuilt;
};

namespace scn::rt {

/// Fills `neighbors` [out.numSites, K] of a submanifold map: out row o, offset
/// k gets the row of in-site x_o + delta_k - floor(s/2), or -1.
void buildSubmanifoldNeighbors(const scn_sites &in, const scn_sites &out,
                               const Window &w, int32_t *neighbors);

/// Fills the neighbour table of a strided relation between a `big` set and
/// the `small` set on grid (big - s)/t + 1. With `smallIsOutput` (STRIDED)
/// the table is [small, K] of big rows, else (TRANSPOSED, FULL) it is
/// [big, K] of small rows. Each big site visits the few small sites whose
/// windows hold it, so the work is one lookup per (big site, window).
void buildStridedNeighbors(const scn_sites &big, const scn_sites &small,
                           const Window &w, bool smallIsOutput,
                           int32_t *neighbors);

/// Pairs a block of pairBlocks holds at least (the last block, fewer). A
/// block's output rows are in cache while its offsets run: about 300 rows on
/// W3's scan (3.45 pairs a row), 75-300 KiB of f32 rows at 64-256 channels.
constexpr int64_t kPairsPerBlock = 1024;

/// Derives pairOffsets / pairIn / pairOut from the neighbour table: pairs
/// grouped by offset, sorted by output row within an offset; and
/// pairBlocks. Throws OVERFLOW past INT32_MAX pairs.
void buildPairLists(scn_kmap &map);

/// Fills rowOrder, rowMasks and rowTable: output rows stably sorted by the
/// key of their neighbour masks (RowOrderKey.h), packed into blocks within
/// chunks (RowPacking.h), then whole blocks heaviest first.
void buildRowOrder(scn_kmap &map);

/// Fills rowOrder and rowMasks in the key's order alone (buildRowOrder's
/// first step).
void buildKeyOrder(scn_kmap &map);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_KERNELMAP_H
