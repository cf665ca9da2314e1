//===- RowOrderKey.h - The sort key of a map's row order -------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// scn_kmap_get_row_order sorts a map's output rows by a key made from their
/// neighbour masks, so that a tile of consecutive rows (the CUDA tensor-core
/// convolution's 16 rows) shares as many offsets as it can: the kernel runs
/// an offset when any row of the tile has it, and the rows without it
/// multiply zeros. Two choices make the key, both measured on W1's five
/// levels with bench/gpu/tile_occupancy.py:
/// - the offsets far from the window's centre (a 3x3x3 filter's corners,
///   then its edges) are the key's high bits: they are the rare ones, and
///   grouping the rows that have them keeps them out of the other tiles;
/// - the key is the mask's position in the reflected Gray code, so that
///   masks next to each other in the order differ in fewer bits than in
///   numeric order.
/// Equal masks still get equal keys (for up to 64 offsets), so rows with
/// the same neighbours stay together, in row order (the sort is stable).
/// SCN_RUNTIME_ROW_ORDER=mask gives the order before this key (the plain
/// mask, bit k for offset k, in numeric order), to time the two.
/// Shared by the CPU runtime (KernelMap.cpp) and the GPU builders
/// (runtime/lib/CUDA/DeviceSites.h), whose orders tests compare.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ROWORDERKEY_H
#define SCN_RUNTIME_LIB_CPU_ROWORDERKEY_H

#include "EnvironmentChoice.h"
#include "Error.h"
#include "Geometry.h"

#include <cstdint>

namespace scn::rt {

/// Bits of a row-order key: at most 64 offsets take part.
inline constexpr int64_t kRowKeyBits = 64;
/// Offsets a row's mask holds (scn_kmap_get_row_masks: offsets 0..31, one
/// word a row).
inline constexpr int64_t kRowMaskBits = 32;

/// Whether SCN_RUNTIME_ROW_ORDER=mask asks for the plain mask order instead
/// of the Gray code key ("gray", the default). Host only.
inline bool plainMaskRowOrder() {
  return environmentAsksFor("SCN_RUNTIME_ROW_ORDER", "gray", "mask");
}

/// Twice the L1 distance of offset k of `w` from the window's centre (twice,
/// so that even filters' centres are whole numbers).
SCN_HOST_DEVICE inline int64_t twiceCentreDistance(const Window &w, int64_t k) {
  int64_t delta[SCN_MAX_DIMENSION];
  w.offset(k, delta);
  int64_t distance = 0;
  for (int32_t i = 0; i < w.dim; ++i) {
    int64_t d = 2 * delta[i] - (w.filter[i] - 1);
    distance += d < 0 ? -d : d;
  }
  return distance;
}

/// Windows up to this volume rank their offsets by distance (O(K^2) work a
/// map); larger ones, which no network of ours has, keep index order.
inline constexpr int64_t kMostRankedOffsets = 1024;

/// The key bit of offset k: offsets ranked by (distance from the centre, k),
/// nearest first (by k alone past kMostRankedOffsets), and the farthest 64
/// of them keep their rank (less K - 64) as their bit; -1 for the nearest
/// K - 64 of a larger window. O(K) a call: called once per offset and map.
/// `plainMask`: bit k for the first 64 offsets.
SCN_HOST_DEVICE inline int32_t rowKeyBit(const Window &w, int64_t k, bool plainMask = false) {
  if (plainMask)
    return k < kRowKeyBits ? int32_t(k) : -1;
  int64_t rank = k;
  if (w.volume <= kMostRankedOffsets) {
    const int64_t mine = twiceCentreDistance(w, k);
    rank = 0;
    for (int64_t j = 0; j < w.volume; ++j) {
      int64_t theirs = twiceCentreDistance(w, j);
      rank += theirs < mine || (theirs == mine && j < k);
    }
  }
  int64_t dropped = w.volume > kRowKeyBits ? w.volume - kRowKeyBits : 0;
  return rank < dropped ? -1 : int32_t(rank - dropped);
}

/// The position of `gray` in the reflected binary Gray code sequence (the b
/// with b ^ (b >> 1) == gray): each bit of b is the parity of the bits of
/// `gray` at and above it.
SCN_HOST_DEVICE inline uint64_t grayCodeRank(uint64_t gray) {
  for (int shift = 1; shift < 64; shift *= 2)
    gray ^= gray >> shift;
  return gray;
}

/// The row-order key of a row of a neighbour table (`neighbors`, its K
/// entries; `bitOf[k]`, rowKeyBit of each offset: an array, or a struct that
/// a GPU kernel takes by value), and in `lowMask` its plain mask of offsets
/// 0..31, which tiles of rows read. `plainMask`: the mask itself, not its
/// Gray code rank.
template <typename BitOf>
SCN_HOST_DEVICE inline uint64_t rowOrderKey(const int32_t *neighbors, int64_t K,
                                            const BitOf &bitOf, bool plainMask,
                                            uint32_t &lowMask) {
  uint64_t key = 0;
  lowMask = 0;
  for (int64_t k = 0; k < K; ++k) {
    bool has = neighbors[k] >= 0;
    if (bitOf[k] >= 0)
      key |= uint64_t(has) << bitOf[k];
    if (k < kRowMaskBits)
      lowMask |= uint32_t(has) << k;
  }
  return plainMask ? key : grayCodeRank(key);
}

/// The offsets a row mask holds.
SCN_HOST_DEVICE inline int32_t maskBitCount(uint32_t mask) {
#ifdef __CUDA_ARCH__
  return __popc(mask);
#else
  return __builtin_popcount(mask);
#endif
}

/// After the key sort and the packing of chunks (RowPacking.h), which keeps
/// whole blocks, the row order's whole blocks of kRowOrderBlockRows
/// rows (a tensor-core block: 4 warps of 16 rows) are stably sorted by the
/// number of offsets their rows have between them, most first; a last,
/// partial block stays last, so every block keeps its rows. The key puts
/// the rows with the most offsets last, and the GPU starts blocks in index
/// order: heaviest first, the last wave runs light blocks instead of the
/// heaviest ones on a few SMs while the rest idle (bench/gpu/block_order.py;
/// ncu on W3 C64 in the key's order: SMs active 83% of the kernel). Only
/// for windows of up to 32 offsets, whose rows' masks (scn_kmap_get_row_masks)
/// are whole; SCN_RUNTIME_BLOCK_ORDER=key keeps the key's order, to time the
/// two.
inline constexpr int64_t kRowOrderBlockRows = 64;
/// Bits of a block's sort key (32 - its offsets, 0 to 32).
inline constexpr int32_t kBlockKeyBits = 6;

/// Whether the row order's blocks go heaviest first: SCN_RUNTIME_BLOCK_ORDER
/// unset or "heaviest", not "key". Host only.
inline bool heaviestBlocksFirst() {
  return !environmentAsksFor("SCN_RUNTIME_BLOCK_ORDER", "heaviest", "key");
}

/// The sort key of whole block `block` of rows whose masks in key order are
/// `masks[i]` (an array, or a GPU builder's gather through the order): 32
/// less the offsets any of its rows has, so that an ascending stable sort
/// puts the heaviest blocks first.
template <typename Masks>
SCN_HOST_DEVICE inline uint64_t blockOrderKey(const Masks &masks, int64_t block) {
  uint32_t any = 0;
  for (int64_t i = 0; i < kRowOrderBlockRows; ++i)
    any |= uint32_t(masks[block * kRowOrderBlockRows + i]);
  return uint64_t(kRowMaskBits - maskBitCount(any));
}

/// The position in key order of the row at `position` of the final order,
/// whose first `blocks` whole blocks are key-order blocks `blockOrder`.
SCN_HOST_DEVICE inline int64_t keyPositionOf(const int32_t *blockOrder, int64_t blocks,
                                             int64_t position) {
  int64_t block = position / kRowOrderBlockRows;
  return block < blocks ? blockOrder[block] * kRowOrderBlockRows +
                              position % kRowOrderBlockRows
                        : position;
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ROWORDERKEY_H
