//===- SubmanifoldMap.cpp - Submanifold convolution neighbour tables ------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// For every output site and offset, look up the shifted site in the input
/// table. Keys of shifted sites are the site's key plus a per-offset
/// constant. When the map is from a set to itself and the filter is odd on
/// every axis, the relation is symmetric (a meets b through k iff b meets a
/// through K-1-k), so only offsets before the centre are looked up and each
/// hit fills two cells: half the lookups. Keys are packed from the shifted
/// coordinates; the block layout of the keys keeps them in nearby slots.
///
/// When a padded row-major key of the grid fits 62 bits (every grid of the
/// workloads), a sort-merge join replaces the hash lookups: both sets are
/// radix sorted by that key, in which a neighbour's key is the site's key
/// plus a per-offset constant, and offsets that differ only in the last
/// axis are consecutive keys. So one forward-moving cursor per "column" of
/// the filter (all axes but the last) finds every neighbour with sequential
/// reads: about 9 short scans per site in 3-D instead of 13 random probes
/// into a table of several MiB. bench/runtime compares the two
/// (SCN_RUNTIME_ALGORITHMS=hash forces the lookups).
///
//===----------------------------------------------------------------------===//

#include "KernelMap.h"
#include "RadixSort.h"
#include "SortedNumbering.h"

#include <algorithm>
#include <cstring>
#include <vector>

using namespace scn::rt;

namespace {

/// Per-offset shifts (delta - floor(s/2)).
struct Shifts {
  int32_t dim;
  int64_t volume;
  std::vector<int64_t> shift; // [K, D]
  int64_t below[SCN_MAX_DIMENSION], above[SCN_MAX_DIMENSION];

  explicit Shifts(const Window &w)
      : dim(w.dim), volume(w.volume), shift(w.volume * w.dim) {
    for (int32_t i = 0; i < dim; ++i) {
      below[i] = w.filter[i] / 2;
      above[i] = w.filter[i] - 1 - below[i];
    }
    for (int64_t k = 0; k < volume; ++k) {
      int64_t *d = &shift[k * dim];
      w.offset(k, d);
      for (int32_t i = 0; i < dim; ++i)
        d[i] -= below[i];
    }
  }

  /// True when every shift of x stays in the grid (no per-offset checks).
  bool interior(const int64_t *x, const int64_t *size) const {
    for (int32_t i = 0; i < dim; ++i)
      if (x[i] < below[i] || x[i] + above[i] >= size[i])
        return false;
    return true;
  }
  /// Writes x shifted by offset k to y.
  void apply(int64_t k, const int64_t *x, int64_t *y) const {
    const int64_t *d = &shift[k * dim];
    for (int32_t i = 0; i < dim; ++i)
      y[i] = x[i] + d[i];
  }
  bool inside(int64_t k, const int64_t *x, const int64_t *size) const {
    const int64_t *d = &shift[k * dim];
    for (int32_t i = 0; i < dim; ++i) {
      int64_t y = x[i] + d[i];
      if (y < 0 || y >= size[i])
        return false;
    }
    return true;
  }
};

/// Lookups per batch: keys are computed and prefetched first so that the
/// cache misses of one site overlap.
constexpr int64_t kLookupBatch = 32;

template <typename KeyT>
void buildGeneral(const scn_sites &in, const SiteTable<KeyT> &table,
                  const scn_sites &out, const Window &w, int32_t *neighbors) {
  Shifts shifts(w);
  const int64_t K = w.volume;
  parallelFor(out.numSites, kGrain / 16, [&](int64_t o) {
    const int64_t *x = out.siteCoords(o);
    bool interior = shifts.interior(x, in.spatialSize);
    int32_t *row = neighbors + o * K;
    for (int64_t k0 = 0; k0 < K; k0 += kLookupBatch) {
      int64_t k1 = std::min(K, k0 + kLookupBatch);
      KeyT keys[kLookupBatch];
      bool valid[kLookupBatch];
      for (int64_t k = k0; k < k1; ++k) {
        valid[k - k0] = interior || shifts.inside(k, x, in.spatialSize);
        if (!valid[k - k0])
          continue;
        int64_t y[SCN_MAX_DIMENSION];
        shifts.apply(k, x, y);
        keys[k - k0] = in.layout.pack<KeyT>(y, x[out.dim]);
        table.prefetch(keys[k - k0]);
      }
      for (int64_t k = k0; k < k1; ++k)
        row[k] = valid[k - k0] ? static_cast<int32_t>(table.find(keys[k - k0]))
                               : -1;
    }
  });
}

template <typename KeyT>
void buildSymmetric(const scn_sites &sites, const SiteTable<KeyT> &table,
                    const Window &w, int32_t *neighbors) {
  Shifts shifts(w);
  const int64_t K = w.volume, centre = (K - 1) / 2;
  parallelFor(sites.numSites * K, 1 << 16, [&](int64_t i) { neighbors[i] = -1; });
  parallelFor(sites.numSites, kGrain / 16, [&](int64_t a) {
    const int64_t *x = sites.siteCoords(a);
    bool interior = shifts.interior(x, sites.spatialSize);
    neighbors[a * K + centre] = static_cast<int32_t>(a);
    for (int64_t k0 = 0; k0 < centre; k0 += kLookupBatch) {
      int64_t k1 = std::min(centre, k0 + kLookupBatch);
      KeyT keys[kLookupBatch];
      bool valid[kLookupBatch];
      for (int64_t k = k0; k < k1; ++k) {
        valid[k - k0] = interior || shifts.inside(k, x, sites.spatialSize);
        if (!valid[k - k0])
          continue;
        int64_t y[SCN_MAX_DIMENSION];
        shifts.apply(k, x, y);
        keys[k - k0] = sites.layout.pack<KeyT>(y, x[sites.dim]);
        table.prefetch(keys[k - k0]);
      }
      for (int64_t k = k0; k < k1; ++k) {
        if (!valid[k - k0])
          continue;
        int64_t b = table.find(keys[k - k0]);
        if (b < 0)
          continue;
        // Distinct (row, offset) cells: no two iterations write the same one.
        neighbors[a * K + k] = static_cast<int32_t>(b);
        neighbors[b * K + (K - 1 - k)] = static_cast<int32_t>(a);
      }
    }
  });
}

/// The padded row-major key of a grid for one filter: axis i holds
/// x_i + below_i in [0, size_i + filter_i - 1), so a shift by any offset of
/// the filter never wraps into another row or batch.
struct PaddedKeys {
  int32_t dim = 0;
  int64_t below[SCN_MAX_DIMENSION] = {};
  int64_t stride[SCN_MAX_DIMENSION] = {}; // per axis; the batch above
  int32_t bits = 0;                        // of the largest key

  /// False when the keys would need more than 62 bits.
  bool init(const scn_sites &sites, int64_t batchSize, const Window &w) {
    dim = w.dim;
    unsigned __int128 span = 1;
    for (int32_t i = dim - 1; i >= 0; --i) {
      below[i] = w.filter[i] / 2;
      stride[i] = static_cast<int64_t>(span);
      span *= static_cast<unsigned __int128>(sites.spatialSize[i] + w.filter[i] - 1);
      if (span >> 62)
        return false;
    }
    span *= static_cast<unsigned __int128>(batchSize);
    if (span >> 62)
      return false;
    bits = bitWidthOfRange(static_cast<int64_t>(span));
    batchStride = static_cast<int64_t>(span / static_cast<unsigned __int128>(batchSize));
    return true;
  }
  uint64_t of(const int64_t *x) const {
    int64_t key = x[dim] * batchStride;
    for (int32_t i = 0; i < dim; ++i)
      key += (x[i] + below[i]) * stride[i];
    return static_cast<uint64_t>(key);
  }
  int64_t batchStride = 0;
};

/// Sentinel entries after the sorted keys, so that scans need no bounds
/// checks: more than the longest last-axis run a join reads past a cursor.
constexpr int64_t kSentinels = 8;

/// Keys of every site of `sites`, sorted, with their rows, followed by
/// kSentinels entries of key UINT64_MAX (above every key) and row -1.
void sortedKeys(const scn_sites &sites, const PaddedKeys &pk,
                Array<uint64_t> &keys, Array<int32_t> &rows) {
  int64_t n = sites.numSites;
  keys.resize(n + kSentinels);
  rows.resize(n + kSentinels);
  if (sites.sortedRows.size() == n) {
    // Sorted by the set's builder: padded keys grow in the same order.
    parallelFor(n, kGrain, [&](int64_t i) {
      int64_t x[SCN_MAX_DIMENSION + 1];
      x[sites.dim] = sites.layout.unpackLinear(sites.sortedKeys[i], x);
      rows[i] = sites.sortedRows[i];
      keys[i] = pk.of(x);
    });
  } else {
    parallelFor(n, kGrain, [&](int64_t r) {
      keys[r] = pk.of(sites.siteCoords(r));
      rows[r] = static_cast<int32_t>(r);
    });
    radixSortPairs(keys, rows, n, pk.bits);
  }
  for (int64_t i = n; i < n + kSentinels; ++i) {
    keys[i] = ~uint64_t(0);
    rows[i] = -1;
  }
}

/// Neighbours of the sorted output sites [b, e). FL: the filter size on the
/// last axis when known at compile time (the common 3), else 0 and `fl`;
/// COLUMNS likewise (9 for 3x3x3: the row stores become fixed-size copies).
/// Sites go in blocks of kJoinBlock; within a block, one column at a time
/// (one forward scan of S per column, which the prefetcher follows; nine
/// interleaved scans measured 1.5x slower): move the column's cursor to the
/// first key >= the column's lowest neighbour key, then the next FL keys
/// within FL of it are the hits. Rows are assembled in a block buffer and
/// stored once each.
constexpr int64_t kJoinBlock = 128;

template <int FL, int COLUMNS>
void joinChunk(const uint64_t *T, const int32_t *tRows, const uint64_t *S,
               const int32_t *sRows, int64_t nS, const int64_t *columnOffset,
               int64_t cols, int64_t fl, int64_t b, int64_t e,
               int32_t *neighbors) {
  const int64_t fLast = FL ? FL : fl;
  const int64_t columns = COLUMNS ? COLUMNS : cols;
  const int64_t K = columns * fLast;
  std::vector<int64_t> cursor(static_cast<size_t>(columns));
  for (int64_t c = 0; c < columns; ++c)
    cursor[size_t(c)] =
        std::lower_bound(S, S + nS, T[b] + static_cast<uint64_t>(columnOffset[c])) - S;
  // One spare cell at the end takes the stores of the misses (no branch).
  std::vector<int32_t> buffer(static_cast<size_t>(kJoinBlock * K + 1));
  int32_t *block = buffer.data();
  const int64_t spare = kJoinBlock * K;
  for (int64_t b0 = b; b0 < e; b0 += kJoinBlock) {
    const int64_t n = std::min(kJoinBlock, e - b0);
    std::fill(block, block + n * K, -1);
    for (int64_t c = 0; c < columns; ++c) {
      const uint64_t off = static_cast<uint64_t>(columnOffset[c]);
      int64_t p = cursor[size_t(c)];
      for (int64_t i = 0; i < n; ++i) {
        // Padding keeps the lowest neighbour key >= 0 for in-grid sites.
        const uint64_t lo = T[b0 + i] + off;
        p += S[p] < lo; // usually enough: about one key per site
        while (S[p] < lo)
          ++p;
        int32_t *row = block + i * K + c * fLast;
        for (int64_t j = 0; j < fLast; ++j) {
          const uint64_t d = S[p + j] - lo;
          int32_t *cell = d < static_cast<uint64_t>(fLast) ? row + d : block + spare;
          *cell = sRows[p + j];
        }
      }
      cursor[size_t(c)] = p;
    }
    // Rows land at random places of a table much larger than the cache:
    // ask for the lines a few rows ahead (write intent) so the stores of
    // several rows overlap their misses.
    constexpr int64_t kAhead = 8;
    for (int64_t i = 0; i < std::min(n, kAhead); ++i) {
      int32_t *dst = neighbors + int64_t(tRows[b0 + i]) * K;
      __builtin_prefetch(dst, 1);
      __builtin_prefetch(dst + K - 1, 1);
    }
    for (int64_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        int32_t *ahead = neighbors + int64_t(tRows[b0 + i + kAhead]) * K;
        __builtin_prefetch(ahead, 1);
        __builtin_prefetch(ahead + K - 1, 1);
      }
      std::copy(block + i * K, block + (i + 1) * K,
                neighbors + int64_t(tRows[b0 + i]) * K);
    }
  }
}

/// The symmetric join of a set with itself for odd filters: a meets b
/// through k iff b meets a through K-1-k, so only the lower half of the
/// offsets (neighbour keys below the site's: the columns before the middle
/// one and the lower cells of the middle one) is scanned, and each hit also
/// fills the mirrored cell of the neighbour's row. That row belongs to a
/// site a little earlier in sorted order, still in cache. No two hits write
/// the same cell, so chunks run in parallel without synchronisation.
void symmetricJoinChunk(const uint64_t *S, const int32_t *sRows, int64_t nS,
                        const int64_t *columnOffset, int64_t columns, int64_t fLast,
                        int64_t b, int64_t e, int32_t *neighbors) {
  const int64_t K = columns * fLast, centre = (K - 1) / 2;
  const int64_t middle = (columns - 1) / 2;
  const uint64_t lowerCells = static_cast<uint64_t>(fLast / 2);
  std::vector<int64_t> cursor(static_cast<size_t>(middle + 1));
  for (int64_t c = 0; c <= middle; ++c)
    cursor[size_t(c)] =
        std::lower_bound(S, S + nS, S[b] + static_cast<uint64_t>(columnOffset[c])) - S;
  for (int64_t b0 = b; b0 < e; b0 += kJoinBlock) {
    const int64_t n = std::min(kJoinBlock, e - b0);
    for (int64_t c = 0; c <= middle; ++c) {
      const uint64_t off = static_cast<uint64_t>(columnOffset[c]);
      const uint64_t cells = c < middle ? static_cast<uint64_t>(fLast) : lowerCells;
      int64_t p = cursor[size_t(c)];
      for (int64_t i = b0; i < b0 + n; ++i) {
        const uint64_t lo = S[i] + off;
        p += S[p] < lo;
        while (S[p] < lo)
          ++p;
        for (int64_t q = p; S[q] - lo < cells; ++q) {
          const int64_t k = c * fLast + static_cast<int64_t>(S[q] - lo);
          neighbors[int64_t(sRows[i]) * K + k] = sRows[q];
          neighbors[int64_t(sRows[q]) * K + (K - 1 - k)] = sRows[i];
        }
      }
      cursor[size_t(c)] = p;
    }
    for (int64_t i = b0; i < b0 + n; ++i)
      neighbors[int64_t(sRows[i]) * K + centre] = sRows[i];
  }
}

/// The sort-merge join (see the file comment). Offsets k = column * fLast + j.
void buildBySortedJoin(const scn_sites &in, const scn_sites &out,
                       const Window &w, const PaddedKeys &pk,
                       int32_t *neighbors) {
  Array<uint64_t> inKeys, outKeys;
  Array<int32_t> inRows, outRows;
  sortedKeys(in, pk, inKeys, inRows);
  const bool sameSet = &in == &out;
  if (!sameSet)
    sortedKeys(out, pk, outKeys, outRows);
  const uint64_t *T = sameSet ? inKeys.data() : outKeys.data();
  const int32_t *tRows = sameSet ? inRows.data() : outRows.data();
  const int64_t nS = in.numSites, nT = out.numSites;
  const int32_t last = w.dim - 1;
  const int64_t fLast = w.filter[last], K = w.volume, columns = K / fLast;
  // Key offset of the first (lowest) cell of each column.
  std::vector<int64_t> columnOffset(size_t(columns), 0);
  for (int64_t c = 0; c < columns; ++c) {
    int64_t delta[SCN_MAX_DIMENSION];
    w.offset(c * fLast, delta);
    int64_t off = -pk.below[last];
    for (int32_t i = 0; i < last; ++i)
      off += (delta[i] - pk.below[i]) * pk.stride[i];
    columnOffset[size_t(c)] = off;
  }
  bool allOdd = true;
  for (int32_t i = 0; i < w.dim; ++i)
    allOdd &= (w.filter[i] % 2) == 1;
  if (sameSet && allOdd) {
    if (nT > 0) // (an empty set has no table: memset of null is undefined)
      std::memset(neighbors, 0xFF, size_t(nT) * size_t(K) * sizeof(int32_t)); // all -1
    forEachChunk(nT, numChunks(nT, kGrain / 4), [&](int64_t, int64_t b, int64_t e) {
      if (b < e)
        symmetricJoinChunk(inKeys.data(), inRows.data(), nS, columnOffset.data(), columns,
                           fLast, b, e, neighbors);
    });
    return;
  }
  forEachChunk(nT, numChunks(nT, kGrain / 4), [&](int64_t, int64_t b, int64_t e) {
    if (b == e)
      return;
    auto join = [&](auto kernel) {
      kernel(T, tRows, inKeys.data(), inRows.data(), nS, columnOffset.data(),
             columns, fLast, b, e, neighbors);
    };
    if (fLast == 3 && columns == 9)
      join(joinChunk<3, 9>);
    else if (fLast == 3)
      join(joinChunk<3, 0>);
    else
      join(joinChunk<0, 0>);
  });
}

} // namespace

void scn::rt::buildSubmanifoldNeighbors(const scn_sites &in,
                                        const scn_sites &out, const Window &w,
                                        int32_t *neighbors) {
  bool allOdd = true;
  for (int32_t i = 0; i < w.dim; ++i)
    allOdd &= (w.filter[i] % 2) == 1;
  PaddedKeys pk;
  if (sortedAlgorithmsAllowed() && w.filter[w.dim - 1] <= kSentinels &&
      pk.init(in, std::max(in.batchSize, out.batchSize), w)) {
    buildBySortedJoin(in, out, w, pk, neighbors);
    return;
  }
  withTable(in, [&](const auto &table) {
    if (&in == &out && allOdd)
      buildSymmetric(in, table, w, neighbors);
    else
      buildGeneral(in, table, out, w, neighbors);
  });
}
