//===- RowPacking.h - Rows packed into blocks by their masks ---*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Between a submanifold map's row-order key sort and its heaviest-first
/// block sort (RowOrderKey.h), the rows of each chunk of kPackChunkRows
/// consecutive rows are packed into the chunk's blocks of kRowOrderBlockRows
/// rows by their neighbour masks. A tensor-core block runs every offset one
/// of its rows has (its union), so cutting the sorted rows wherever 64 falls
/// puts rows with unrelated masks together at every cut. The packing, greedy
/// and the same on the CPU and the GPU:
/// - the runs of equal masks (adjacent after the key sort) are the chunk's
///   distinct masks; each run of at least 64 rows first fills whole blocks
///   of its own, in row order;
/// - each further block starts from the remaining mask with the fewest
///   offsets (most rows left, then first in row order, on ties), then takes,
///   while it has room, every remaining mask its union already holds (in
///   row order), or else the one mask that adds the fewest offsets to it
///   (most rows left, then most offsets, then first);
/// - a block's rows keep their row order, so its 16-row warps stay similar.
/// Every block but the chunk's last is full, so blocks stay aligned and the
/// block sort still sees whole blocks. On W1's five levels the blocks run
/// 6.7-9.2% fewer union steps (offsets summed over blocks) than the cuts of
/// the key order; 512-row chunks would save 1-2 points more, with longer
/// serial work a chunk (/usr/bin/python3 bench/gpu/row_packing.py --levels
/// 0 1 2 3 4 --chunks 256 512).
/// The work is serial within a chunk and the chunks are independent: a GPU
/// warp packs one chunk, each lane owning kPackChunkRows / 32 of its rows,
/// and the CPU runs the same code with one lane (a `Group`: its lanes'
/// minimum, or, minimum over the later lanes, and exclusive sum).
/// SCN_RUNTIME_ROW_PACKING=key keeps the key's cuts, to time the two.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ROWPACKING_H
#define SCN_RUNTIME_LIB_CPU_ROWPACKING_H

#include "RowOrderKey.h"

#include "scn/Runtime/KernelMap.h"

#include <cstdint>

namespace scn::rt {

/// Rows a packing chunk holds: a whole number of blocks, each row's place in
/// the chunk in the low 8 bits of packChunk's 32-bit keys.
inline constexpr int64_t kPackChunkRows = 256;
static_assert(kPackChunkRows % kRowOrderBlockRows == 0, "a chunk holds whole blocks");
static_assert(kPackChunkRows <= 256 && kRowOrderBlockRows < 256 && kRowMaskBits < 64,
              "packChunk's keys hold a row in 8 bits and a count in 6");

/// Whether the row order packs its chunks (SCN_RUNTIME_ROW_PACKING unset or
/// "chunks"), not "key". Host only.
inline bool packRowsInChunks() {
  return !environmentAsksFor("SCN_RUNTIME_ROW_PACKING", "chunks", "key");
}

/// Whether a map of `kind` with `volume` offsets and `rows` rows is packed:
/// a submanifold map (a strided or transposed map's rows have one or two of
/// their 8 offsets, and the key's cuts already group them: 0.2-2.7% fewer
/// union steps on W1's strided maps by the model, `row_packing.py
/// --strided`), whose masks
/// are whole (scn_kmap_get_row_masks holds offsets 0..31), with more than
/// one block. The variable is read for every map, so that a bad value fails
/// on small maps too.
inline bool packsRows(int32_t kind, int64_t volume, int64_t rows) {
  return packRowsInChunks() && kind == SCN_KMAP_SUBMANIFOLD && volume <= kRowMaskBits &&
         rows > kRowOrderBlockRows;
}

/// One lane: the CPU's group, and the host backend's.
struct SerialGroup {
  static constexpr int32_t kLanes = 1;
  int32_t lane() const { return 0; }
  uint32_t allMin(uint32_t v) const { return v; }
  uint32_t allOr(uint32_t v) const { return v; }
  /// The minimum over the lanes after this one (none: ~0).
  uint32_t minAfter(uint32_t) const { return ~uint32_t(0); }
  /// The sum over the lanes before this one; `total` gets the sum over all.
  int32_t exclusiveSum(int32_t v, int32_t &total) const {
    total = v;
    return 0;
  }
  /// Every lane's writes to memory are seen by every lane after it.
  void sync() const {}
};

/// Packs chunk `chunk` of a row order: `keyOrder` and `keyMasks[i]` (an
/// array, or a GPU builder's gather through the order), the rows in key
/// order and their masks, to `order` and `masks` (the same rows in packed
/// order; no masks when null). `rowBlock` is scratch, one entry per row.
/// Every lane of `group` calls it with the same arguments.
template <typename Group, typename Masks>
SCN_HOST_DEVICE void packChunk(const Group &group, int64_t chunk, int64_t rows,
                               const int32_t *keyOrder, const Masks &keyMasks,
                               int32_t *rowBlock, int32_t *order, int32_t *masks) {
  constexpr int32_t kSlots = int32_t(kPackChunkRows) / Group::kLanes;
  constexpr int32_t kBlock = int32_t(kRowOrderBlockRows);
  constexpr uint32_t kNone = ~uint32_t(0);
  const int64_t base = chunk * kPackChunkRows;
  const int32_t n = int32_t(rows - base < kPackChunkRows ? rows - base : kPackChunkRows);
  const int32_t first = group.lane() * kSlots;
  const auto chunkMask = [&](int32_t r) { return keyMasks[base + r]; };
  int32_t *chunkBlock = rowBlock + base;
  // Slot s is row first + s of the chunk: its mask (rowMask), and where it
  // heads a run of equal masks, the run's mask, length and the rows it has
  // not placed (left). Each lane loads its own rows' masks once; a run that
  // goes on past the lane ends at the first head of a later lane.
  uint32_t rowMask[kSlots], mask[kSlots];
  int32_t left[kSlots], length[kSlots];
  const uint32_t before = first > 0 && first < n ? uint32_t(chunkMask(first - 1)) : 0;
  int32_t firstHead = n;
  for (int32_t s = 0; s < kSlots; ++s) {
    const int32_t r = first + s;
    rowMask[s] = r < n ? uint32_t(chunkMask(r)) : 0;
    const uint32_t previous = s > 0 ? rowMask[s - 1] : before;
    const bool head = r < n && (r == 0 || rowMask[s] != previous);
    mask[s] = head ? rowMask[s] : 0;
    left[s] = length[s] = head ? 1 : 0; // a head; its length below
    if (head && r < firstHead)
      firstHead = r;
  }
  const uint32_t later = group.minAfter(uint32_t(firstHead));
  int32_t next = later < uint32_t(n) ? int32_t(later) : n;
  int32_t fullBlocks = 0;
  for (int32_t s = kSlots - 1; s >= 0; --s)
    if (length[s]) {
      left[s] = length[s] = next - (first + s);
      next = first + s;
      fullBlocks += length[s] / kBlock;
    }
  // Places the next `count` rows of the run at slot s in `block`.
  auto take = [&](int32_t s, int32_t count, int32_t block) {
    const int32_t from = first + s + (length[s] - left[s]);
    for (int32_t i = 0; i < count; ++i)
      chunkBlock[from + i] = block;
    left[s] -= count;
  };
  // Whole blocks of the long runs, in row order.
  int32_t blocks = 0;
  int32_t block = group.exclusiveSum(fullBlocks, blocks);
  for (int32_t s = 0; s < kSlots; ++s)
    while (left[s] >= kBlock)
      take(s, kBlock, block++);
  block = blocks;
  // The greedy blocks. Keys are unique (they end with the row) and every
  // lane decodes the same minimum, so the lanes agree on every step; 32
  // bits, so that a warp takes their minimum in one instruction.
  const auto owned = [&](int32_t r) { return r >= first && r < first + kSlots; };
  // The lowest key of the group's slots with rows left (kNone: none), and
  // the mask of the slot that has it, which its lane gives the others (an
  // allOr of it and zeros): no step waits for a load of the order and the
  // masks in memory.
  struct Lowest {
    uint32_t key, mask;
  };
  const auto lowest = [&](auto keyOf) {
    uint32_t best = kNone, bestMask = 0;
    for (int32_t s = 0; s < kSlots; ++s)
      if (left[s] > 0) {
        const uint32_t key = keyOf(s);
        if (key < best) {
          best = key;
          bestMask = mask[s];
        }
      }
    const uint32_t all = group.allMin(best);
    return Lowest{all, group.allOr(best == all ? bestMask : 0u)};
  };
  for (;;) {
    const Lowest seed = lowest([&](int32_t s) {
      return uint32_t(maskBitCount(mask[s])) << 16 | uint32_t(kBlock - left[s]) << 8 |
             uint32_t(first + s);
    });
    if (seed.key == kNone)
      break;
    const int32_t seedRow = int32_t(seed.key & 0xff);
    int32_t room = kBlock;
    uint32_t blockUnion = seed.mask;
    int32_t count = kBlock - int32_t(seed.key >> 8 & 0xff);
    if (owned(seedRow))
      take(seedRow - first, count, block);
    room -= count;
    while (room > 0) {
      const int32_t held = maskBitCount(blockUnion);
      const Lowest pick = lowest([&](int32_t s) {
        const uint32_t added = uint32_t(maskBitCount(mask[s] | blockUnion) - held);
        return added << 24 | uint32_t(kBlock - left[s]) << 16 |
               uint32_t(kRowMaskBits - maskBitCount(mask[s])) << 8 | uint32_t(first + s);
      });
      const uint32_t best = pick.key;
      if (best == kNone)
        break;
      if (best >> 24 == 0) {
        // Every mask the union holds, in row order, while there is room.
        int32_t mine = 0, all = 0;
        for (int32_t s = 0; s < kSlots; ++s)
          if (left[s] > 0 && (mask[s] & ~blockUnion) == 0)
            mine += left[s];
        int32_t before = group.exclusiveSum(mine, all);
        for (int32_t s = 0; s < kSlots; ++s)
          if (left[s] > 0 && (mask[s] & ~blockUnion) == 0) {
            int32_t rest = left[s];
            int32_t fits = room - before;
            if (fits > 0)
              take(s, rest < fits ? rest : fits, block);
            before += rest;
          }
        room -= all < room ? all : room;
        continue;
      }
      const int32_t pickRow = int32_t(best & 0xff);
      count = kBlock - int32_t(best >> 16 & 0xff);
      count = count < room ? count : room;
      if (owned(pickRow))
        take(pickRow - first, count, block);
      blockUnion |= pick.mask;
      room -= count;
    }
    ++block;
  }
  group.sync();
  // Block b holds positions [b * 64, b * 64 + its rows) of the chunk; its
  // rows keep their order.
  constexpr int32_t kBlocks = int32_t(kPackChunkRows / kRowOrderBlockRows);
  int32_t start[kBlocks];
  for (int32_t b = 0; b < kBlocks; ++b) {
    int32_t mine = 0, all = 0;
    for (int32_t s = 0; s < kSlots; ++s)
      mine += first + s < n && chunkBlock[first + s] == b;
    start[b] = b * kBlock + group.exclusiveSum(mine, all);
  }
  for (int32_t s = 0; s < kSlots; ++s) {
    const int32_t r = first + s;
    if (r >= n)
      continue;
    const int64_t to = base + start[chunkBlock[r]]++;
    order[to] = keyOrder[base + r];
    if (masks)
      masks[to] = int32_t(rowMask[s]);
  }
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ROWPACKING_H
