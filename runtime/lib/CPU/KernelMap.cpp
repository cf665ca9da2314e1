//===- KernelMap.cpp - Kernel map construction, pair lists, accessors -----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "KernelMap.h"
#include "RadixSort.h"
#include "RowOrderKey.h"
#include "RowPacking.h"

#include <algorithm>
#include <vector>

using namespace scn::rt;

/// Cuts rows [0, n) into blocks of at least `pairsPerBlock` pairs each (the
/// last may have fewer; a block of rows without pairs only when every row
/// lacks them): returns each block's first row.
static std::vector<int64_t> cutPairBlocks(const Array<int32_t> &rowPairs, int64_t n,
                                          int64_t pairsPerBlock) {
  std::vector<int64_t> firstRows;
  int64_t held = pairsPerBlock;
  for (int64_t o = 0; o < n; ++o) {
    if (held >= pairsPerBlock) {
      firstRows.push_back(o);
      held = 0;
    }
    held += rowPairs[o];
  }
  return firstRows;
}

void scn::rt::buildPairLists(scn_kmap &map) {
  const int64_t K = map.volume, rows = map.numOut;
  const int32_t *neighbors = map.neighbors.data();
  const int64_t chunks = numChunks(rows, kGrain / 4);
  // counts[c * K + k]: pairs of offset k in chunk c, then chunk c's cursor.
  std::vector<int64_t> counts(chunks * K, 0);
  Array<int32_t> rowPairs(rows);
  // The loops read K, the table and the outputs' addresses from locals:
  // captured by reference, they would be read again after every store to a
  // count or a cursor, which may alias them (2x slower on W3's map).
  forEachChunk(rows, chunks, [&, K](int64_t c, int64_t b, int64_t e) {
    int64_t *count = &counts[c * K];
    int32_t *pairsOfRow = rowPairs.data();
    for (int64_t o = b; o < e; ++o) {
      const int32_t *row = neighbors + o * K;
      int32_t here = 0;
      for (int64_t k = 0; k < K; ++k) {
        bool pair = row[k] >= 0;
        count[k] += pair;
        here += pair;
      }
      pairsOfRow[o] = here;
    }
  });
  map.pairOffsets.resize(K + 1);
  int64_t total = 0;
  for (int64_t k = 0; k < K; ++k) {
    map.pairOffsets[k] = total;
    for (int64_t c = 0; c < chunks; ++c) {
      int64_t n = counts[c * K + k];
      counts[c * K + k] = total;
      total += n;
    }
  }
  map.pairOffsets[K] = total;
  checkRowCount(total, "number of kernel map pairs");
  map.pairIn.resize(total);
  map.pairOut.resize(total);
  // Each block's first row, then where each offset's pairs of the block
  // start: the cursors when the block's first row comes.
  const std::vector<int64_t> firstRows = cutPairBlocks(rowPairs, rows, kPairsPerBlock);
  const int64_t blocks = static_cast<int64_t>(firstRows.size());
  map.numPairBlocks = blocks;
  map.pairBlocks.resize((blocks + 1) * (K + 1));
  // A row's present offsets, gathered without a branch an offset (a LiDAR
  // row has 3-4 of 27, in no predictable pattern); a chunk's room is
  // allocated here, where running out of memory is an error, not in the
  // parallel region.
  std::vector<int32_t> presentOffsets(chunks * K);
  forEachChunk(rows, chunks, [&, K](int64_t c, int64_t b, int64_t e) {
    int64_t *cursor = &counts[c * K];
    int32_t *present = &presentOffsets[c * K];
    int32_t *pairIn = map.pairIn.data(), *pairOut = map.pairOut.data();
    auto next = std::lower_bound(firstRows.begin(), firstRows.end(), b);
    for (int64_t o = b; o < e; ++o) {
      if (next != firstRows.end() && *next == o) {
        int64_t *block = &map.pairBlocks[(next - firstRows.begin()) * (K + 1)];
        block[0] = o;
        std::copy(cursor, cursor + K, block + 1);
        ++next;
      }
      const int32_t *row = neighbors + o * K;
      int64_t n = 0;
      for (int64_t k = 0; k < K; ++k) {
        present[n] = static_cast<int32_t>(k);
        n += row[k] >= 0;
      }
      for (int64_t i = 0; i < n; ++i) {
        int32_t k = present[i];
        int64_t p = cursor[k]++;
        pairIn[p] = row[k];
        pairOut[p] = static_cast<int32_t>(o);
      }
    }
  });
  int64_t *end = &map.pairBlocks[blocks * (K + 1)];
  end[0] = rows;
  std::copy(map.pairOffsets.data() + 1, map.pairOffsets.data() + K + 1, end + 1);
}

void scn::rt::buildKeyOrder(scn_kmap &map) {
  const int64_t K = map.volume, rows = map.numOut;
  map.rowOrder.resize(rows);
  map.rowMasks.resize(rows);
  // No rows, no key bits to rank (K may be large).
  if (rows == 0)
    return;
  const int32_t bits = static_cast<int32_t>(std::min<int64_t>(K, kRowKeyBits));
  const Window w = makeWindow(map.dim, map.filter, nullptr);
  const bool plainMask = plainMaskRowOrder();
  std::vector<int32_t> bitOf(K);
  for (int64_t k = 0; k < K; ++k)
    bitOf[k] = rowKeyBit(w, k, plainMask);
  Array<uint64_t> keys(rows);
  Array<int32_t> lowMasks(rows);
  const int32_t *neighbors = map.neighbors.data();
  parallelFor(rows, kGrain, [&](int64_t o) {
    uint32_t low = 0;
    keys[o] = rowOrderKey(neighbors + o * K, K, bitOf.data(), plainMask, low);
    lowMasks[o] = static_cast<int32_t>(low);
    map.rowOrder[o] = static_cast<int32_t>(o);
  });
  radixSortPairs(keys, map.rowOrder, rows, bits);
  // Kernels that take rows in tiles read a tile's masks here, one word a
  // row, instead of each row's K table entries.
  parallelFor(rows, kGrain, [&](int64_t i) { map.rowMasks[i] = lowMasks[map.rowOrder[i]]; });
}

namespace {

/// Sorts map.rowOrder's whole blocks heaviest first, moving their masks
/// with them (RowOrderKey.h).
void sortBlocksHeaviestFirst(scn_kmap &map) {
  const int64_t rows = map.numOut;
  const int64_t blocks = rows / kRowOrderBlockRows;
  if (!heaviestBlocksFirst() || blocks < 2 || map.volume > kRowMaskBits)
    return;
  Array<uint64_t> blockKeys(blocks);
  Array<int32_t> blockOrder(blocks);
  parallelFor(blocks, kGrain, [&](int64_t block) {
    blockKeys[block] = blockOrderKey(map.rowMasks.data(), block);
    blockOrder[block] = static_cast<int32_t>(block);
  });
  radixSortPairs(blockKeys, blockOrder, blocks, kBlockKeyBits);
  Array<int32_t> keyOrder(std::move(map.rowOrder)), keyMasks(std::move(map.rowMasks));
  map.rowOrder = Array<int32_t>(rows);
  map.rowMasks = Array<int32_t>(rows);
  parallelFor(rows, kGrain, [&](int64_t i) {
    int64_t from = keyPositionOf(blockOrder.data(), blocks, i);
    map.rowOrder[i] = keyOrder[from];
    map.rowMasks[i] = keyMasks[from];
  });
}

/// Packs map.rowOrder's chunks into blocks by their masks (RowPacking.h),
/// the chunks in parallel.
void packRowChunks(scn_kmap &map) {
  const int64_t rows = map.numOut;
  if (!packsRows(map.kind, map.volume, rows))
    return;
  Array<int32_t> keyOrder(std::move(map.rowOrder)), keyMasks(std::move(map.rowMasks));
  Array<int32_t> rowBlock(rows);
  map.rowOrder = Array<int32_t>(rows);
  map.rowMasks = Array<int32_t>(rows);
  const int64_t chunks = (rows + kPackChunkRows - 1) / kPackChunkRows;
  parallelFor(chunks, 16, [&](int64_t chunk) {
    packChunk(SerialGroup{}, chunk, rows, keyOrder.data(), keyMasks.data(), rowBlock.data(),
              map.rowOrder.data(), map.rowMasks.data());
  });
}

} // namespace

void scn::rt::buildRowOrder(scn_kmap &map) {
  buildKeyOrder(map);
  packRowChunks(map);
  sortBlocksHeaviestFirst(map);
  // The table's rows in the final order: a tile of rows reads its entries
  // from consecutive rows, without first waiting for the order's entry.
  const int64_t K = map.volume;
  map.rowTable.resize(map.numOut * K);
  parallelFor(map.numOut, kGrain, [&](int64_t i) {
    std::copy_n(map.neighbors.data() + int64_t(map.rowOrder[i]) * K, K,
                map.rowTable.data() + i * K);
  });
}

namespace {

std::unique_ptr<scn_kmap> makeMap(int32_t kind, const Window &w,
                                  int64_t numIn, int64_t numOut) {
  auto map = std::make_unique<scn_kmap>();
  map->kind = kind;
  map->dim = w.dim;
  map->volume = w.volume;
  map->numIn = numIn;
  map->numOut = numOut;
  std::copy(w.filter, w.filter + w.dim, map->filter);
  std::copy(w.stride, w.stride + w.dim, map->stride);
  map->neighbors.resize(numOut * w.volume);
  return map;
}

const char *kindName(int32_t kind) {
  switch (kind) {
  case SCN_KMAP_SUBMANIFOLD:
    return "SUBMANIFOLD";
  case SCN_KMAP_STRIDED:
    return "STRIDED";
  case SCN_KMAP_TRANSPOSED:
    return "TRANSPOSED";
  default:
    return "FULL";
  }
}

} // namespace

extern "C" scn_status_t scn_kmap_build(int32_t kind, scn_sites_t in,
                                       scn_sites_t out, const int64_t *filter,
                                       const int64_t *stride, scn_kmap_t *map) {
  return guardCall("scn_kmap_build", [&] {
    requireNonNull(map, "map");
    if (kind < SCN_KMAP_SUBMANIFOLD || kind > SCN_KMAP_FULL)
      fail(SCN_ERROR_INVALID_ARGUMENT, "kind = ", kind,
           " is outside [0, 3]");
    requireNonNull(in, "in");
    if (kind == SCN_KMAP_SUBMANIFOLD && !out)
      out = in;
    requireNonNull(out, "out");
    if (kind != SCN_KMAP_SUBMANIFOLD)
      requireNonNull(stride, "stride");
    if (in->dim != out->dim)
      fail(SCN_ERROR_INVALID_ARGUMENT, "in dim = ", in->dim,
           " differs from out dim = ", out->dim);
    if (in->batchSize != out->batchSize)
      fail(SCN_ERROR_INVALID_ARGUMENT, "in batch size = ", in->batchSize,
           " differs from out batch size = ", out->batchSize);
    const int32_t dim = in->dim;
    Window w = makeWindow(dim, filter,
                          kind == SCN_KMAP_SUBMANIFOLD ? nullptr : stride);
    int64_t expected[SCN_MAX_DIMENSION];
    std::unique_ptr<scn_kmap> result;
    if (kind == SCN_KMAP_SUBMANIFOLD) {
      requireSize(out->spatialSize, in->spatialSize, dim, "out",
                  "the in spatial size");
      for (int32_t i = 0; i < dim; ++i)
        if (w.filter[i] > in->spatialSize[i])
          fail(SCN_ERROR_OUT_OF_RANGE, "filter[", i, "] = ", w.filter[i],
               " is larger than the spatial size ", in->spatialSize[i]);
      result = makeMap(kind, w, in->numSites, out->numSites);
      buildSubmanifoldNeighbors(*in, *out, w, result->neighbors.data());
    } else if (kind == SCN_KMAP_STRIDED) {
      stridedOutputSize(w, in->spatialSize, expected);
      requireSize(out->spatialSize, expected, dim, "out",
                  "(in - filter) / stride + 1");
      result = makeMap(kind, w, in->numSites, out->numSites);
      buildStridedNeighbors(*in, *out, w, /*smallIsOutput=*/true,
                            result->neighbors.data());
    } else {
      stridedOutputSize(w, out->spatialSize, expected);
      requireSize(in->spatialSize, expected, dim, "in",
                  "(out - filter) / stride + 1, i.e. out = (in - 1) * stride "
                  "+ filter,");
      result = makeMap(kind, w, in->numSites, out->numSites);
      buildStridedNeighbors(*out, *in, w, /*smallIsOutput=*/false,
                            result->neighbors.data());
    }
    *map = result.release();
  });
}

extern "C" scn_status_t scn_kmap_transpose(scn_kmap_t strided,
                                           scn_kmap_t *transposed) {
  return guardCall("scn_kmap_transpose", [&] {
    requireNonNull(strided, "strided");
    requireNonNull(transposed, "transposed");
    if (strided->kind != SCN_KMAP_STRIDED)
      fail(SCN_ERROR_INVALID_ARGUMENT, "strided has kind ",
           kindName(strided->kind), "; only STRIDED maps can be transposed");
    Window w;
    w.dim = strided->dim;
    w.volume = strided->volume;
    std::copy(strided->filter, strided->filter + w.dim, w.filter);
    std::copy(strided->stride, strided->stride + w.dim, w.stride);
    auto result =
        makeMap(SCN_KMAP_TRANSPOSED, w, strided->numOut, strided->numIn);
    const int64_t K = w.volume;
    int32_t *neighbors = result->neighbors.data();
    parallelFor(result->numOut * K, 1 << 16,
                [&](int64_t i) { neighbors[i] = -1; });
    parallelFor(strided->numOut, kGrain / 4, [&](int64_t q) {
      for (int64_t k = 0; k < K; ++k) {
        int32_t r = strided->neighbors[q * K + k];
        if (r >= 0)
          neighbors[int64_t(r) * K + k] = static_cast<int32_t>(q);
      }
    });
    *transposed = result.release();
  });
}

extern "C" scn_status_t scn_kmap_free(scn_kmap_t map) {
  delete map;
  return SCN_OK;
}

extern "C" scn_status_t scn_kmap_get_info(scn_kmap_t map,
                                          scn_kmap_info_t *info) {
  return guardCall("scn_kmap_get_info", [&] {
    requireNonNull(map, "map");
    requireNonNull(info, "info");
    std::call_once(map->pairListsBuilt, [&] { buildPairLists(*map); });
    info->kind = map->kind;
    info->dim = map->dim;
    info->volume = map->volume;
    info->num_in = map->numIn;
    info->num_out = map->numOut;
    info->num_pairs = map->pairIn.size();
    info->filter = map->filter;
    info->stride = map->stride;
    info->neighbors = map->neighbors.data();
    info->pair_offsets = map->pairOffsets.data();
    info->pair_in_rows = map->pairIn.data();
    info->pair_out_rows = map->pairOut.data();
  });
}

/// One of the arrays built with `map`'s row order (`member`), under the
/// entry point `name`; `what` names the output argument.
static scn_status_t rowOrderArray(const char *name, scn_kmap_t map, const int32_t **array,
                                  const char *what, Array<int32_t> scn_kmap::*member) {
  return guardCall(name, [&] {
    requireNonNull(map, "map");
    requireNonNull(array, what);
    std::call_once(map->rowOrderBuilt, [&] { buildRowOrder(*map); });
    *array = (map->*member).data();
  });
}

extern "C" scn_status_t scn_kmap_get_row_order(scn_kmap_t map,
                                               const int32_t **order) {
  return rowOrderArray("scn_kmap_get_row_order", map, order, "order", &scn_kmap::rowOrder);
}

extern "C" scn_status_t scn_kmap_get_row_masks(scn_kmap_t map, const int32_t **masks) {
  return rowOrderArray("scn_kmap_get_row_masks", map, masks, "masks", &scn_kmap::rowMasks);
}

extern "C" scn_status_t scn_kmap_get_row_table(scn_kmap_t map, const int32_t **table) {
  return rowOrderArray("scn_kmap_get_row_table", map, table, "table", &scn_kmap::rowTable);
}

extern "C" scn_status_t scn_kmap_memory_bytes(scn_kmap_t map, int64_t *bytes) {
  return guardCall("scn_kmap_memory_bytes", [&] {
    requireNonNull(map, "map");
    requireNonNull(bytes, "bytes");
    *bytes = int64_t(sizeof(scn_kmap)) + map->neighbors.bytes() +
             map->pairOffsets.bytes() + map->pairIn.bytes() +
             map->pairOut.bytes() + map->rowOrder.bytes() +
             map->rowMasks.bytes() + map->rowTable.bytes();
  });
}
