//===- DeviceSites.h - Site sets and kernel maps, data-parallel -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The builders behind GpuSites.h, written once over a backend `B` of
/// data-parallel primitives:
///   B::Stream, B::Array<T> (owning device memory), B::forEach(stream, n, f)
///   (f(i) for i in [0, n), one GPU thread each), B::forEachGroup(stream, n,
///   f) (f(group, i) for i in [0, n), one GPU warp each, `group` its lanes
///   as RowPacking.h's packChunk takes them), B::sortPairs (stable radix
///   sort of (key, id)), B::inclusiveSum, B::readBack, B::copyToHost,
///   B::checkLaunches, device-side atomics B::atomicMinU64 /
///   atomicMinI64 / atomicMaxI64 / atomicAddI32 / atomicCasU64, and
///   B::CountWord (a site count that kernels write and the host reads
///   later: B::countWord, B::countQueued, B::readCount, and
///   B::countOrders, whether work on a stream runs after the count's).
/// CudaBackend (GpuSites.cu) runs them on the GPU with CUB; HostBackend
/// (HostBackend.h) runs them sequentially on the CPU, so that the unit tests
/// check every builder's logic against the CPU runtime on machines without
/// a GPU.
///
/// The algorithms are the sorted ones of the CPU runtime (SortedNumbering.h,
/// SubmanifoldMap.cpp, Downsample.cpp, StridedMap.cpp): candidate sites are
/// packed row-major (KeyLayout::packLinear) with the CPU's candidate ids,
/// sorted, and each group of equal keys becomes the site numbered by its
/// smallest candidate, so rows equal the CPU runtime's. Maps look sites up
/// by binary search in a set's sorted keys, or in a hash table with
/// SCN_RUNTIME_ALGORITHMS=hash (DeviceKeyTable.h).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CUDA_DEVICESITES_H
#define SCN_RUNTIME_LIB_CUDA_DEVICESITES_H

#include "DeviceKeyTable.h"
#include "Error.h"
#include "Geometry.h"
#include "InputRules.h"
#include "KeyPacking.h"
#include "RowOrderKey.h"
#include "RowPacking.h"

#include "scn/Runtime/KernelMap.h"
#include "scn/Runtime/Sites.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>


namespace scn::rt::device {

//===----------------------------------------------------------------------===//
// Keys and windows, by value for kernels
//===----------------------------------------------------------------------===//

/// KeyLayout::packLinear's fields.
struct Linear {
  int32_t dim;
  int32_t batchShift;
  int32_t shift[SCN_MAX_DIMENSION];
  uint64_t mask[SCN_MAX_DIMENSION];

  static Linear of(const KeyLayout &layout) {
    Linear l{};
    l.dim = layout.dim();
    l.batchShift = layout.batchShiftOf();
    for (int32_t i = 0; i < l.dim; ++i) {
      l.shift[i] = layout.linearShiftOf(i);
      l.mask[i] = layout.linearMaskOf(i);
    }
    return l;
  }
  SCN_DEVICE uint64_t pack(const int64_t *x, int64_t b) const {
    uint64_t key = batchShift >= 64 ? 0 : uint64_t(b) << batchShift;
    for (int32_t i = 0; i < dim; ++i)
      key |= uint64_t(x[i]) << shift[i];
    return key;
  }
  SCN_DEVICE int64_t unpack(uint64_t key, int64_t *x) const {
    for (int32_t i = 0; i < dim; ++i)
      x[i] = int64_t((key >> shift[i]) & mask[i]);
    return batchShift >= 64 ? 0 : int64_t(key >> batchShift);
  }
};

struct Grid {
  int32_t dim;
  int64_t size[SCN_MAX_DIMENSION];
  static Grid of(int32_t dim, const int64_t *size) {
    Grid g{};
    g.dim = dim;
    std::copy(size, size + dim, g.size);
    return g;
  }
};

constexpr uint64_t kNoCandidate = ~uint64_t(0);

/// Input rows: InputLayer's [n, D+1] (batch last), or BLInputLayer's
/// [B, L, D] (row b * L + l has batch b; in modes 1-4 a position whose
/// first coordinate is negative is empty padding).
struct Rows {
  const int64_t *data;
  int32_t dim;
  int64_t length;  // 0: InputLayer rows
  bool skipPadding;
  SCN_DEVICE int64_t width() const { return length ? dim : dim + 1; }
  SCN_DEVICE bool isEmpty(int64_t r) const { return skipPadding && data[r * dim] < 0; }
  SCN_DEVICE const int64_t *coords(int64_t r) const { return data + r * width(); }
  SCN_DEVICE int64_t batch(int64_t r) const { return length ? r / length : data[r * (dim + 1) + dim]; }
};

//===----------------------------------------------------------------------===//
// The objects
//===----------------------------------------------------------------------===//

template <typename B> struct SiteSet {
  /// The stream it was built on (set by the C ABI, GpuSites.cu): parts
  /// built on first use (its count's read, rows by site) are queued there.
  typename B::Stream builtOn{};
  int32_t dim = 0;
  int64_t spatialSize[SCN_MAX_DIMENSION] = {};
  int64_t batchSize = 1;
  /// -1 while the count is known to the GPU alone (a derived set, whose
  /// build does not wait for it): siteCount reads it. Until then the arrays
  /// have room for every candidate, and kernels over them read
  /// `deviceCount`. Atomic, with `lazyParts` held while it is read back:
  /// threads may ask a built set for its count (get_info) at once.
  mutable std::atomic<int64_t> numSites{0};
  /// Held while a part built on first use (the count, rows by site) is.
  mutable std::mutex lazyParts;
  typename B::template Array<int32_t> deviceCount;
  mutable typename B::CountWord hostCount;
  int64_t numRows = 0;
  KeyLayout layout;
  uint64_t id = 0;
  typename B::template Array<int64_t> coords;
  typename B::template Array<int32_t> sortedRows;
  typename B::template Array<uint64_t> sortedKeys;
  typename B::template Array<int32_t> rowToSite, siteSourceRow, siteRowCount;
  // The rows merged into each site, ascending, as CSR (buildRowsBySite).
  bool rowsBySiteBuilt = false;
  typename B::template Array<int32_t> siteRowStart, rowsBySite;
  // Provenance of a filter == stride downsample (see SiteSet.h).
  uint64_t parentSetId = 0;
  int64_t parentFilter[SCN_MAX_DIMENSION] = {};
  typename B::template Array<int32_t> parentOfInput;
};

template <typename B> struct KernelMap {
  /// The stream it was built on (set by the C ABI): its pair lists and row
  /// order are built there.
  typename B::Stream builtOn{};
  int32_t kind = 0;
  int64_t volume = 0;
  int64_t numOut = 0;
  Window window;
  typename B::template Array<int32_t> neighbors;
  // Pair lists (buildPairLists): offsets [K + 1] on the host, where the
  // generated code reads them; the rows on the device.
  bool pairsBuilt = false;
  std::vector<int64_t> pairOffsets;
  typename B::template Array<int32_t> pairIn, pairOut;
  // Rows sorted by the key of their neighbour masks (RowOrderKey.h), their
  // masks' low 32 bits and their table rows in that order (buildRowOrder).
  bool rowOrderBuilt = false;
  typename B::template Array<int32_t> rowOrder, rowMasks, rowTable;
  /// Held while the pair lists or the row order are built: maps are shared
  /// across threads, which may ask for them at once (as the CPU runtime's
  /// once_flags guard its).
  std::mutex lazyParts;
};

//===----------------------------------------------------------------------===//
// Per-element steps (one GPU thread each)
//===----------------------------------------------------------------------===//

template <typename T> struct Fill {
  T *data;
  T value;
  SCN_DEVICE void operator()(int64_t i) const { data[i] = value; }
};

/// data[0] = first, data[1] = second: two words in one launch.
template <typename T> struct FillTwo {
  T *data;
  T first, second;
  SCN_DEVICE void operator()(int64_t) const {
    data[0] = first;
    data[1] = second;
  }
};

/// First bad coordinate row (summary[0], LLONG_MAX: none) and the largest
/// batch index (summary[1], -1: none), next to each other so that the host
/// reads both with one copy (one wait).
template <typename B> struct ValidateRows {
  Rows rows;
  Grid g;
  long long *summary;
  SCN_DEVICE void operator()(int64_t r) const {
    if (rows.isEmpty(r))
      return;
    const int64_t *x = rows.coords(r);
    bool bad = rows.batch(r) < 0;
    for (int32_t i = 0; i < g.dim; ++i)
      bad |= x[i] < 0 || x[i] >= g.size[i];
    if (bad)
      B::atomicMinI64(summary, (long long)r);
    else
      B::atomicMaxI64(summary + 1, (long long)rows.batch(r));
  }
};

struct RowKeys {
  Rows rows;
  Linear l;
  uint64_t *keys;
  int32_t *ids;
  /// -1 until MergeMap writes the row's site (padding rows keep it).
  int32_t *rowToSite;
  SCN_DEVICE void operator()(int64_t r) const {
    keys[r] = rows.isEmpty(r) ? kNoCandidate : l.pack(rows.coords(r), rows.batch(r));
    ids[r] = int32_t(r);
    rowToSite[r] = -1;
  }
};

/// Downsample with filter == stride: the one window of x is x / stride.
/// Over the rows allocated for an input whose count is on the device
/// (`count` not null), rows past it are none.
struct ParentKeys {
  const int64_t *coords;
  Linear l;
  Grid out, stride;
  uint64_t *keys;
  int32_t *ids;
  const int32_t *count;
  /// Each row's parent: -1 here, then ParentOf writes every row that has a
  /// candidate (rows past a pending count keep -1); no fill of its own.
  int32_t *parentOfInput;
  SCN_DEVICE void operator()(int64_t r) const {
    parentOfInput[r] = -1;
    if (count && r >= *count) {
      keys[r] = kNoCandidate;
      ids[r] = int32_t(r);
      return;
    }
    const int64_t *x = coords + r * (l.dim + 1);
    int64_t j[SCN_MAX_DIMENSION];
    bool inside = true;
    for (int32_t i = 0; i < l.dim; ++i) {
      j[i] = x[i] / stride.size[i];
      inside &= j[i] < out.size[i];
    }
    keys[r] = inside ? l.pack(j, x[l.dim]) : kNoCandidate;
    ids[r] = int32_t(r);
  }
};

/// Any downsample: the `perInput` candidate windows of input r, ids
/// r * perInput + local in odometer order (as Downsample.cpp).
struct WindowKeys {
  const int64_t *coords;
  Linear l;
  Window w;
  Grid out;
  int64_t perInput;
  uint64_t *keys;
  int32_t *ids;
  SCN_DEVICE void operator()(int64_t r) const {
    uint64_t *mine = keys + r * perInput;
    for (int64_t i = 0; i < perInput; ++i) {
      mine[i] = kNoCandidate;
      ids[r * perInput + i] = int32_t(r * perInput + i);
    }
    const int64_t *x = coords + r * (l.dim + 1);
    int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], j[SCN_MAX_DIMENSION];
    if (!windowRange(w, out.size, x, lo, hi))
      return;
    for (int32_t i = 0; i < l.dim; ++i)
      j[i] = lo[i];
    do {
      *mine++ = l.pack(j, x[l.dim]);
    } while (nextInBox(l.dim, lo, hi, j));
  }
};

/// FullConvolution: the K cells of x's window [x*t, x*t + s - 1], ids
/// r * K + k (as Downsample.cpp's fillFull).
struct FullKeys {
  const int64_t *coords;
  Linear l;
  Window w;
  int64_t volume;
  uint64_t *keys;
  int32_t *ids;
  SCN_DEVICE void operator()(int64_t r) const {
    const int64_t *x = coords + r * (l.dim + 1);
    int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], c[SCN_MAX_DIMENSION];
    for (int32_t a = 0; a < l.dim; ++a) {
      lo[a] = x[a] * w.stride[a];
      hi[a] = lo[a] + w.filter[a] - 1;
      c[a] = lo[a];
    }
    int64_t k = 0;
    do {
      keys[r * volume + k] = l.pack(c, x[l.dim]);
      ids[r * volume + k] = int32_t(r * volume + k);
      ++k;
    } while (nextInBox(l.dim, lo, hi, c));
  }
};

/// The two flags a numbering counts, in one 64-bit word an entry so that one
/// inclusive sum counts both (neither half's sum reaches 2^32, so no carry
/// crosses): the high half of word i, whether sorted candidate i heads its
/// group; the low half of word j, whether candidate id j does (the group's
/// smallest id). Each half is written as a 32-bit word of its own, as
/// different threads write the two halves of an entry.
struct HeadWords {
  uint64_t *words;
  /// A 32-bit store into one half of word i (memcpy: the word is a
  /// uint64_t object; little-endian, as x86-64, aarch64 and the GPU are, so
  /// the low half comes first).
  SCN_DEVICE void setHalf(int64_t i, bool high, bool v) const {
    const uint32_t value = v;
    memcpy(reinterpret_cast<char *>(words + i) + (high ? 4 : 0), &value, sizeof value);
  }
  SCN_DEVICE void setIsHead(int64_t i, bool v) const { setHalf(i, true, v); }
  SCN_DEVICE void setHeadOfId(int64_t id, bool v) const { setHalf(id, false, v); }
};

/// The inclusive sum of HeadWords: group(i), the groups up to sorted
/// candidate i; site(j), the sites whose smallest id is at most j.
struct HeadCounts {
  const uint64_t *incl;
  SCN_DEVICE int32_t group(int64_t i) const { return int32_t(incl[i] >> 32); }
  SCN_DEVICE int32_t site(int64_t j) const { return int32_t(incl[j] & 0xffffffffu); }
  SCN_DEVICE bool isHead(int64_t i) const { return group(i) != (i == 0 ? 0 : group(i - 1)); }
};

/// Marks the first candidate of each group of equal keys. Where duplicates
/// are errors (`summary` set), the smallest id that is not first in its
/// group, with its predecessor (the group's first id: ids ascend within a
/// group, the sort being stable), goes to summary[1] as (id << 32 | first
/// id); elsewhere most candidates are repeats and would contend for it.
template <typename B> struct MarkHeads {
  const uint64_t *keys;
  const int32_t *ids;
  HeadWords heads;
  unsigned long long *summary;
  SCN_DEVICE void operator()(int64_t i) const {
    bool valid = keys[i] != kNoCandidate;
    bool head = valid && (i == 0 || keys[i] != keys[i - 1]);
    heads.setIsHead(i, head);
    // Every producer of candidates gives candidate r the id r, so the ids
    // are [0, m) in some order and this writes every entry: no fill first.
    heads.setHeadOfId(ids[i], head);
    if (!head && valid && summary)
      B::atomicMinU64(summary + 1,
                      ((unsigned long long)(unsigned)ids[i] << 32) | (unsigned)ids[i - 1]);
  }
};

/// summary[0] = the number of sites, the last of their inclusive sum, for
/// the host to read now (Count::Now).
struct CountSites {
  HeadCounts counts;
  int64_t m;
  unsigned long long *summary;
  SCN_DEVICE void operator()(int64_t) const {
    summary[0] = (unsigned long long)counts.site(m - 1);
  }
};

/// Words of another summary into the one a numbering reads back, so that
/// one copy brings both (an input's validation with its count).
struct CopyWords {
  const long long *from;
  unsigned long long *to;
  SCN_DEVICE void operator()(int64_t i) const { to[i] = (unsigned long long)from[i]; }
};

/// Where a count left on the GPU goes (Count::Later): the set's device word
/// and its mapped host word, from the last of `m` candidates' numbering.
struct LaterCount {
  int64_t m = 0;
  int32_t *deviceCount = nullptr, *hostCount = nullptr;
};

/// Per group (at its head): site row, sorted order, coordinates; and the
/// count, where it is left on the GPU (no kernel of its own).
struct NumberGroups {
  const uint64_t *keys;
  const int32_t *ids;
  HeadCounts counts;
  Linear l;
  int32_t *groupSite, *sortedRows;
  uint64_t *sortedKeys;
  int64_t *coords;
  LaterCount later;
  SCN_DEVICE void operator()(int64_t i) const {
    if (later.deviceCount && i == later.m - 1) {
      *later.deviceCount = counts.site(i);
      *later.hostCount = counts.site(i);
    }
    if (!counts.isHead(i))
      return;
    int32_t g = counts.group(i) - 1;
    int32_t site = counts.site(ids[i]) - 1;
    groupSite[g] = site;
    sortedRows[g] = site;
    sortedKeys[g] = keys[i];
    int64_t *x = coords + int64_t(site) * (l.dim + 1);
    x[l.dim] = l.unpack(keys[i], x);
  }
};

/// Per candidate: the merge map of an input set (as fillInputSetBySorting).
template <typename B> struct MergeMap {
  const uint64_t *keys;
  const int32_t *ids;
  int64_t m;
  HeadCounts counts;
  const int32_t *groupSite;
  int32_t mode;
  int32_t *rowToSite, *siteSourceRow, *siteRowCount;
  SCN_DEVICE void operator()(int64_t i) const {
    if (keys[i] == kNoCandidate)
      return;
    int32_t g = counts.group(i) - 1;
    int32_t site = groupSite[g];
    bool first = i == 0 || keys[i - 1] != keys[i];
    bool last = i + 1 == m || keys[i + 1] != keys[i];
    B::atomicAddI32(&siteRowCount[site], 1);
    if (mode == SCN_INPUT_KEEP_LAST ? last : first)
      siteSourceRow[site] = ids[i];
    bool kept = mode == SCN_INPUT_KEEP_FIRST ? first : mode == SCN_INPUT_KEEP_LAST ? last : true;
    rowToSite[ids[i]] = kept ? site : -1;
  }
};

struct ParentOf {
  const uint64_t *keys;
  const int32_t *ids;
  HeadCounts counts;
  const int32_t *groupSite;
  int32_t *parent;
  SCN_DEVICE void operator()(int64_t i) const {
    if (keys[i] != kNoCandidate)
      parent[ids[i]] = groupSite[counts.group(i) - 1];
  }
};

/// Padded row-major keys (as SubmanifoldMap.cpp): axis i holds
/// x_i + below_i in [0, size_i + filter_i - 1).
struct Padded {
  int32_t dim;
  int64_t below[SCN_MAX_DIMENSION];
  int64_t stride[SCN_MAX_DIMENSION];
  int64_t batchStride;
  SCN_DEVICE uint64_t of(const int64_t *x, int64_t b) const {
    int64_t key = b * batchStride;
    for (int32_t i = 0; i < dim; ++i)
      key += (x[i] + below[i]) * stride[i];
    return uint64_t(key);
  }
  /// How far filter offset k of `w` moves a padded key (row-major, last
  /// axis fastest), computed where it is used: a table of K offsets would
  /// cost a host-to-device copy, and a wait for it, per map.
  SCN_DEVICE int64_t shiftOf(const Window &w, int64_t k) const {
    int64_t delta[SCN_MAX_DIMENSION];
    w.offset(k, delta);
    int64_t shift = 0;
    for (int32_t i = 0; i < dim; ++i)
      shift += (delta[i] - below[i]) * stride[i];
    return shift;
  }
};

struct PaddedKeys {
  const uint64_t *linearKeys;
  Linear l;
  Padded p;
  uint64_t *keys;
  SCN_DEVICE void operator()(int64_t i) const {
    int64_t x[SCN_MAX_DIMENSION];
    int64_t b = l.unpack(linearKeys[i], x);
    keys[i] = p.of(x, b);
  }
};

/// One thread per (sorted output site, offset): one lookup of the
/// neighbour's padded key among the input's (DeviceKeyTable.h).
template <typename Lookup> struct SubmanifoldJoin {
  const uint64_t *T;
  const int32_t *tRows;
  Lookup input;
  Window w;
  Padded p;
  int32_t *neighbors;
  SCN_DEVICE void operator()(int64_t t) const {
    const int64_t K = w.volume;
    int64_t i = t / K, k = t % K;
    neighbors[int64_t(tRows[i]) * K + k] = input.find(T[i] + uint64_t(p.shiftOf(w, k)));
  }
};

/// STRIDED / TRANSPOSED between a set and its filter == stride downsample,
/// from the downsample's provenance: no lookups.
struct StridedFromParents {
  const int64_t *bigCoords;
  int32_t dim;
  Grid filter;
  const int32_t *parent;
  int64_t K;
  bool smallIsOutput;
  int32_t *neighbors;
  SCN_DEVICE void operator()(int64_t r) const {
    int64_t k = -1;
    if (parent[r] >= 0) {
      const int64_t *x = bigCoords + r * (dim + 1);
      k = 0;
      for (int32_t i = 0; i < dim; ++i)
        k = k * filter.size[i] + x[i] % filter.size[i];
    }
    if (smallIsOutput) {
      if (k >= 0)
        neighbors[int64_t(parent[r]) * K + k] = int32_t(r);
      return;
    }
    // Row r is this thread's alone: all of it, no fill first.
    for (int64_t c = 0; c < K; ++c)
      neighbors[r * K + c] = c == k ? parent[r] : -1;
  }
};

/// STRIDED, TRANSPOSED and FULL in general (as StridedMap.cpp): one thread
/// per site x of the big set, one lookup among the small set's keys per
/// window j holding x; k = index(x - j*t). Each (row, k) cell has exactly
/// one candidate, so no two threads write the same cell.
template <typename Lookup> struct FromBigSide {
  const int64_t *bigCoords;
  Linear smallKeys;
  Grid smallSize;
  Lookup small;
  Window w;
  int64_t K;
  bool smallIsOutput;
  int32_t *neighbors;
  SCN_DEVICE void operator()(int64_t r) const {
    const int32_t dim = w.dim;
    const int64_t *x = bigCoords + r * (dim + 1);
    // Output row r is this thread's alone: -1 first, no fill of the table.
    if (!smallIsOutput)
      for (int64_t c = 0; c < K; ++c)
        neighbors[r * K + c] = -1;
    int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], j[SCN_MAX_DIMENSION];
    if (!windowRange(w, smallSize.size, x, lo, hi))
      return;
    for (int32_t i = 0; i < dim; ++i)
      j[i] = lo[i];
    do {
      const int32_t row = small.find(smallKeys.pack(j, x[dim]));
      if (row >= 0) {
        int64_t k = 0;
        for (int32_t i = 0; i < dim; ++i)
          k = k * w.filter[i] + (x[i] - j[i] * w.stride[i]);
        if (smallIsOutput)
          neighbors[int64_t(row) * K + k] = int32_t(r);
        else
          neighbors[r * K + k] = row;
      }
    } while (nextInBox(dim, lo, hi, j));
  }
};

/// Whether table cell (o, k) has a pair, in offset-major order t = k * n + o.
struct PairFlags {
  const int32_t *neighbors;
  int64_t numOut, K;
  int32_t *flags;
  SCN_DEVICE void operator()(int64_t t) const {
    flags[t] = neighbors[(t % numOut) * K + t / numOut] >= 0;
  }
};

struct PairEnds {
  const int32_t *incl;
  int64_t numOut;
  int32_t *ends;
  SCN_DEVICE void operator()(int64_t k) const { ends[k] = incl[(k + 1) * numOut - 1]; }
};

/// Offset k's bit in the row-order key (rowKeyBit), for windows of more
/// than kRowKeyBits offsets; smaller ones take KeyBitTable by value.
struct RowKeyBits {
  Window w;
  bool plainMask;
  int32_t *bitOf;
  SCN_DEVICE void operator()(int64_t k) const { bitOf[k] = rowKeyBit(w, k, plainMask); }
};

/// rowKeyBit of each offset of a window of at most kRowKeyBits offsets,
/// computed on the host and passed to the kernel by value: no kernel and no
/// array of its own for each row order.
struct KeyBitTable {
  int8_t bit[kRowKeyBits];
  SCN_DEVICE int32_t operator[](int64_t k) const { return bit[k]; }
};

/// Row o's row-order key, its mask of offsets 0..31, and its id.
template <typename BitOf> struct RowOrderKeys {
  const int32_t *neighbors;
  int64_t K;
  BitOf bitOf;
  bool plainMask;
  uint64_t *keys;
  int32_t *lowMasks, *rows;
  SCN_DEVICE void operator()(int64_t o) const {
    uint32_t low = 0;
    keys[o] = rowOrderKey(neighbors + o * K, K, bitOf, plainMask, low);
    lowMasks[o] = int32_t(low);
    rows[o] = int32_t(o);
  }
};

/// The masks of the rows of an order, read through it: masks[i] is
/// lowMasks[order[i]] (no array of masks in each step's order).
struct MasksThrough {
  const int32_t *order, *lowMasks;
  SCN_DEVICE int32_t operator[](int64_t i) const { return lowMasks[order[i]]; }
};

/// Chunk c of the key order packed into blocks by its masks (RowPacking.h),
/// by one warp (a group of lanes).
struct PackChunks {
  int64_t rows;
  const int32_t *keyOrder, *lowMasks;
  int32_t *rowBlock, *order;
  template <typename Group> SCN_DEVICE void operator()(const Group &group, int64_t c) const {
    packChunk(group, c, rows, keyOrder, MasksThrough{keyOrder, lowMasks}, rowBlock, order,
              nullptr);
  }
};

/// Block b's key and id, to sort the row order's whole blocks heaviest
/// first (RowOrderKey.h).
struct BlockOrderKeys {
  MasksThrough masks;
  uint64_t *keys;
  int32_t *ids;
  SCN_DEVICE void operator()(int64_t block) const {
    keys[block] = blockOrderKey(masks, block);
    ids[block] = int32_t(block);
  }
};

/// Entry e = i * K + k of the table in the final order: the row at
/// keyPositionOf(i) of `order` (its whole blocks in `blockOrder`; none:
/// `order` itself), its entry at offset k (one thread an entry, so that the
/// writes are consecutive); the entry at k = 0 also writes the row and its
/// mask.
struct RowOrderOut {
  const int32_t *blockOrder;
  int64_t blocks;
  const int32_t *order, *lowMasks, *neighbors;
  int64_t K;
  int32_t *rowOrder, *rowMasks, *rowTable;
  SCN_DEVICE void operator()(int64_t e) const {
    const int64_t i = e / K, k = e - i * K;
    const int32_t row = order[keyPositionOf(blockOrder, blocks, i)];
    rowTable[e] = neighbors[int64_t(row) * K + k];
    if (k == 0) {
      rowOrder[i] = row;
      rowMasks[i] = lowMasks[row];
    }
  }
};

/// Key site (or `numSites`, after every site, for a dropped row) and id r
/// of input row r: sorted stably, the rows grouped by site, ascending.
struct RowSiteKeys {
  const int32_t *rowToSite;
  int64_t numSites;
  uint64_t *keys;
  int32_t *rows;
  SCN_DEVICE void operator()(int64_t r) const {
    keys[r] = rowToSite[r] >= 0 ? uint64_t(rowToSite[r]) : uint64_t(numSites);
    rows[r] = int32_t(r);
  }
};

/// CSR starts from the sorted keys: at position i (0..n), every site
/// after the previous key up to this one starts at i (position n ends the
/// last site; sites without rows, if any, start where the next does).
struct SiteStarts {
  const uint64_t *sortedKeys;
  int64_t n, numSites;
  int32_t *start;
  SCN_DEVICE void operator()(int64_t i) const {
    int64_t previous = i == 0 ? -1 : int64_t(sortedKeys[i - 1]);
    int64_t current = i == n ? numSites : int64_t(sortedKeys[i]);
    for (int64_t s = previous + 1; s <= current && s <= numSites; ++s)
      start[s] = int32_t(i);
  }
};

/// Rows by site when every row is its own site (rows == sites: no row
/// merged into another's site, none dropped, as a voxelised scan's): each
/// row goes where its site is, and site s starts at s. One kernel where
/// the general case sorts.
struct OneRowASite {
  const int32_t *rowToSite;
  int64_t rows;
  int32_t *rowsBySite, *start;
  SCN_DEVICE void operator()(int64_t i) const {
    if (i < rows)
      rowsBySite[rowToSite[i]] = int32_t(i);
    start[i] = int32_t(i);
  }
};

/// Scatters each pair to its place in the lists: grouped by offset, output
/// rows increasing (as the CPU runtime's buildPairLists).
struct PairScatter {
  const int32_t *neighbors, *flags, *incl;
  int64_t numOut, K;
  int32_t *pairIn, *pairOut;
  SCN_DEVICE void operator()(int64_t t) const {
    if (!flags[t])
      return;
    int64_t o = t % numOut, k = t / numOut;
    int32_t at = incl[t] - 1;
    pairIn[at] = neighbors[o * K + k];
    pairOut[at] = int32_t(o);
  }
};

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

template <typename B> void fill(typename B::Stream stream, int32_t *data, int64_t n, int32_t v) {
  B::forEach(stream, n, Fill<int32_t>{data, v});
}

/// Sets up an empty set on a grid; refuses grids whose keys need more than
/// 63 bits (one more marks "no candidate").
template <typename B>
void initSet(SiteSet<B> &s, int32_t dim, const int64_t *size, int64_t batch) {
  static std::atomic<uint64_t> nextId{1};
  s.dim = dim;
  std::copy(size, size + dim, s.spatialSize);
  s.batchSize = batch;
  s.layout = KeyLayout(dim, size, batch);
  s.id = nextId.fetch_add(1);
  if (s.layout.totalBits() > 63)
    fail(SCN_ERROR_INVALID_ARGUMENT, "the grid needs ", s.layout.totalBits(),
         "-bit site keys; the GPU builders take at most 63 bits so far");
}

/// The number of sites of `s`; for a set whose count was left on the GPU,
/// read the first time it is asked (B::readCount: one wait for every count
/// queued before it).
template <typename B> int64_t siteCount(const SiteSet<B> &s, typename B::Stream stream) {
  if (s.numSites < 0) {
    std::lock_guard<std::mutex> lock(s.lazyParts);
    if (s.numSites < 0)
      s.numSites = B::readCount(s.hostCount, stream);
  }
  return s.numSites;
}

/// How the host learns a new set's size (numberCandidates).
enum class Count {
  /// Read back before the builder returns, with the first duplicate.
  Now,
  /// Left on the GPU (siteCount reads it): the arrays get room for every
  /// candidate, and the builder waits for nothing.
  Later,
};

/// Sorts candidates (keys, ids: candidate ids in [0, m)) and numbers their
/// groups into `s`, each by its smallest id; then calls
/// perCandidate(keys, ids, m, counts, groupSite) on the
/// sorted candidates. With Count::Now, returns the first duplicate,
/// (id << 32 | first id of its site), or ULLONG_MAX, when `findDuplicates`:
/// it comes back with the site count, in the one wait such a set costs,
/// and so do the two device words `alsoRead` (into `alsoReadOut`).
template <typename B, typename PerCandidate>
unsigned long long numberCandidates(SiteSet<B> &s, typename B::template Array<uint64_t> &keys,
                                    typename B::template Array<int32_t> &ids, int64_t m,
                                    typename B::Stream stream, PerCandidate &&perCandidate,
                                    bool findDuplicates = false, Count count = Count::Now,
                                    const long long *alsoRead = nullptr,
                                    long long *alsoReadOut = nullptr) {
  if (m == 0) {
    s.numSites = 0;
    if (alsoRead)
      B::copyToHost(alsoReadOut, alsoRead, 2 * sizeof(long long), stream);
    return ULLONG_MAX;
  }
  typename B::template Array<uint64_t> sortedKeys(m, stream);
  typename B::template Array<int32_t> sortedIds(m, stream);
  // Keys of kNoCandidate sort last: one bit more than the layout's.
  int endBit = std::min(64, s.layout.totalBits() + 1);
  B::sortPairs(keys.data(), sortedKeys.data(), ids.data(), sortedIds.data(), m, endBit, stream);
  typename B::template Array<uint64_t> heads(m, stream), incl(m, stream);
  const HeadCounts counts{incl.data()};
  typename B::template Array<unsigned long long> summary(4, stream);
  if (findDuplicates)
    B::forEach(stream, 1, Fill<unsigned long long>{summary.data() + 1, ULLONG_MAX});
  B::forEach(stream, m,
             MarkHeads<B>{sortedKeys.data(), sortedIds.data(), HeadWords{heads.data()},
                          findDuplicates ? summary.data() : nullptr});
  B::inclusiveSum(heads.data(), incl.data(), m, stream);
  unsigned long long found[4] = {0, ULLONG_MAX, 0, 0};
  int64_t numSites = m; // Count::Later: room for every candidate
  // Count::Later: NumberGroups' last candidate writes the count.
  LaterCount later;
  if (count == Count::Later) {
    s.deviceCount.resize(1, stream);
    later = {m, s.deviceCount.data(), B::countWord(s.hostCount)};
    s.numSites = -1;
  } else {
    B::forEach(stream, 1, CountSites{counts, m, summary.data()});
    if (alsoRead)
      B::forEach(stream, 2, CopyWords{alsoRead, summary.data() + 2});
    // found[0]: the site count; found[1]: the first duplicate (or none);
    // found[2..3]: alsoRead.
    B::copyToHost(found, summary.data(), (alsoRead ? 4 : 2) * sizeof found[0], stream);
    numSites = int64_t(found[0]);
    s.numSites = numSites;
    if (alsoRead) {
      alsoReadOut[0] = (long long)found[2];
      alsoReadOut[1] = (long long)found[3];
    }
  }
  s.coords.resize(numSites * (s.dim + 1), stream);
  s.sortedRows.resize(numSites, stream);
  s.sortedKeys.resize(numSites, stream);
  typename B::template Array<int32_t> groupSite(numSites, stream);
  B::forEach(stream, m,
             NumberGroups{sortedKeys.data(), sortedIds.data(), counts, Linear::of(s.layout),
                          groupSite.data(),
                          s.sortedRows.data(), s.sortedKeys.data(), s.coords.data(), later});
  // The count's event says the count is written, not what perCandidate
  // writes next (a downsample's parents): other streams order after the
  // whole build by a fence, not by this event.
  if (count == Count::Later)
    B::countQueued(s.hostCount, stream);
  perCandidate(sortedKeys.data(), sortedIds.data(), m, counts, groupSite.data());
  B::checkLaunches("a numbering kernel launch");
  // summary[1] is set (and read back) only when duplicates are looked for.
  return findDuplicates ? found[1] : ULLONG_MAX;
}

/// Candidate ids are int32 (as the CPU runtime's rows).
inline void requireCandidateIds(int64_t m, const char *what) {
  if (m > INT32_MAX)
    fail(SCN_ERROR_OVERFLOW, what, " = ", m, " candidate sites exceed 32-bit ids (max ",
         INT32_MAX, ")");
}

/// The coordinates and batch of input row `r`, on the host.
template <typename B>
std::vector<int64_t> hostRow(const Rows &rows, int64_t r, typename B::Stream stream) {
  std::vector<int64_t> row(rows.dim + 1);
  B::copyToHost(row.data(), rows.data + r * (rows.length ? rows.dim : rows.dim + 1),
                rows.dim * sizeof(int64_t), stream);
  if (rows.length)
    row[rows.dim] = r / rows.length;
  else
    B::copyToHost(&row[rows.dim], rows.data + r * (rows.dim + 1) + rows.dim, sizeof(int64_t),
                  stream);
  return row;
}

/// Fails for the bad row `bad` of `rows` (found by ValidateRows), naming
/// its column as the CPU runtime does.
template <typename B>
[[noreturn]] void failForRow(const Rows &rows, const int64_t *spatialSize, int64_t bad,
                             typename B::Stream stream) {
  const int32_t dim = rows.dim;
  std::vector<int64_t> row = hostRow<B>(rows, bad, stream);
  for (int32_t i = 0; i <= dim; ++i) {
    if (i < dim ? row[i] >= 0 && row[i] < spatialSize[i] : row[i] >= 0)
      continue;
    if (rows.length)
      fail(SCN_ERROR_INVALID_ARGUMENT, "coords[", bad / rows.length, "][", bad % rows.length,
           "][", i, "] = ", row[i], " is outside [0, ", spatialSize[i],
           ") (in modes 1-4 a position is empty padding when its first coordinate is "
           "negative)");
    if (i == dim)
      fail(SCN_ERROR_INVALID_ARGUMENT, "coords row ", bad, " column ", i,
           " (batch index) = ", row[i], " is negative");
    fail(SCN_ERROR_INVALID_ARGUMENT, "coords row ", bad, " column ", i, " = ", row[i],
         " is outside [0, ", spatialSize[i], ")");
  }
  fail(SCN_ERROR_INVALID_ARGUMENT, "coords row ", bad, " is invalid");
}

/// The input set of `rows` (InputLayer or BLInputLayer) under merge policy
/// `mode` (an scn_input_mode_t), with its merge map; the CPU runtime's
/// errors for bad rows and mode-0 duplicates.
///
/// The keys' layout needs the batch count, the largest batch index + 1
/// unless `batchSize` is larger, which the validation finds on the GPU.
/// So that one wait brings the validation, that index and the site count,
/// the rows are numbered with `batchSize` batches (at least 1) as a guess;
/// a larger index found then numbers them again with its layout (a second
/// wait). A grid too large for the guess is validated first, so that a bad
/// row is named before the grid.
template <typename B>
void sitesFromRows(SiteSet<B> &s, const int64_t *spatialSize, const Rows &rows, int64_t nRows,
                   int32_t mode, int64_t batchSize, typename B::Stream stream) {
  const int32_t dim = rows.dim;
  if (nRows > 0)
    requireNonNull(rows.data, "coords");
  // Validate every row, and find the largest batch index.
  typename B::template Array<long long> summary(2, stream);
  B::forEach(stream, 1, FillTwo<long long>{summary.data(), LLONG_MAX, -1});
  B::forEach(stream, nRows, ValidateRows<B>{rows, Grid::of(dim, spatialSize), summary.data()});
  // Numbers the rows into `s` with `batches` batches, reading `validation`
  // back with the site count when given; returns the first duplicate.
  long long found[2];
  auto numberRows = [&](int64_t batches, const long long *validation) {
    initSet(s, dim, spatialSize, batches);
    s.numRows = nRows;
    typename B::template Array<uint64_t> keys(nRows, stream);
    typename B::template Array<int32_t> ids(nRows, stream);
    s.rowToSite.resize(nRows, stream);
    B::forEach(stream, nRows,
               RowKeys{rows, Linear::of(s.layout), keys.data(), ids.data(), s.rowToSite.data()});
    return numberCandidates(
        s, keys, ids, nRows, stream,
        [&](const uint64_t *k, const int32_t *id, int64_t m, HeadCounts counts,
            const int32_t *gSite) {
          s.siteSourceRow.resize(s.numSites, stream);
          s.siteRowCount.resize(s.numSites, stream);
          fill<B>(stream, s.siteRowCount.data(), s.numSites, 0);
          B::forEach(stream, m,
                     MergeMap<B>{k, id, m, counts, gSite, mode, s.rowToSite.data(),
                                 s.siteSourceRow.data(), s.siteRowCount.data()});
        },
        /*findDuplicates=*/mode == SCN_INPUT_UNIQUE, Count::Now, validation, found);
  };
  const int64_t guess = std::max<int64_t>(batchSize, 1);
  unsigned long long dup;
  if (KeyLayout(dim, spatialSize, guess).totalBits() > 63) {
    B::copyToHost(found, summary.data(), sizeof found, stream);
    if (found[0] != LLONG_MAX)
      failForRow<B>(rows, spatialSize, int64_t(found[0]), stream);
    dup = numberRows(std::max<int64_t>({batchSize, found[1] + 1, 1}), nullptr);
  } else {
    dup = numberRows(guess, summary.data());
    // Numbered from bad rows, the set is garbage: the row is named.
    if (found[0] != LLONG_MAX)
      failForRow<B>(rows, spatialSize, int64_t(found[0]), stream);
    const int64_t batches = std::max<int64_t>({batchSize, found[1] + 1, 1});
    if (batches > guess)
      dup = numberRows(batches, nullptr);
  }
  if (mode == SCN_INPUT_UNIQUE && dup != ULLONG_MAX) {
    int64_t first = int64_t(dup & 0xFFFFFFFFu);
    std::vector<int64_t> row = hostRow<B>(rows, first, stream);
    fail(SCN_ERROR_INVALID_ARGUMENT, "mode 0 needs unique sites, but coords rows ", first,
         " and ", dup >> 32, " are both site ", formatSite(row.data(), dim, row[dim]),
         "; use mode 1-4 to merge duplicates");
  }
}

/// As scn_sites_from_coords, from device coordinates [n_rows, dim + 1].
template <typename B>
void sitesFromCoords(SiteSet<B> &s, int32_t dim, const int64_t *spatialSize,
                     const int64_t *coords, int64_t nRows, int32_t mode, int64_t batchSize,
                     typename B::Stream stream) {
  validateGrid(dim, spatialSize);
  validateMode(mode);
  if (nRows < 0 || nRows > INT32_MAX)
    fail(SCN_ERROR_INVALID_ARGUMENT, "n_rows = ", nRows, " is outside [0, INT32_MAX]");
  sitesFromRows(s, spatialSize, Rows{coords, dim, 0, false}, nRows, mode, batchSize, stream);
}

/// As scn_sites_from_bl_coords, from device coordinates [batch, length, dim].
template <typename B>
void sitesFromBatchLength(SiteSet<B> &s, int32_t dim, const int64_t *spatialSize,
                          const int64_t *coords, int64_t batch, int64_t length, int32_t mode,
                          typename B::Stream stream) {
  validateGrid(dim, spatialSize);
  validateMode(mode);
  validateBatchLength(batch, length);
  int32_t policy = batchLengthPolicy(mode);
  // Rows of an empty batch (length 0) never read `coords`.
  sitesFromRows(s, spatialSize, Rows{coords, dim, std::max<int64_t>(length, 1), mode != 0},
                batch * length, policy, batch, stream);
}

/// Whether cell c of a dense [B, C, *spatial] array has a nonzero (or NaN)
/// channel, as scn_sites_from_dense.
struct DenseActive {
  const float *dense;
  int64_t volume, planes;
  int32_t *active;
  SCN_DEVICE void operator()(int64_t cell) const {
    const float *v = dense + (cell / volume) * planes * volume + cell % volume;
    bool any = false;
    for (int64_t c = 0; c < planes && !any; ++c)
      any = v[c * volume] != 0.0f || v[c * volume] != v[c * volume];
    active[cell] = any;
  }
};

/// Active cell `cell` becomes site incl[cell] - 1: row-major order of
/// [B, *spatial], which is also the order of its linear keys.
struct DenseSites {
  const int32_t *active, *incl;
  Grid grid;
  int64_t volume;
  Linear l;
  int64_t *coords;
  int32_t *sortedRows;
  uint64_t *sortedKeys;
  SCN_DEVICE void operator()(int64_t cell) const {
    if (!active[cell])
      return;
    int32_t site = incl[cell] - 1;
    int64_t *x = coords + int64_t(site) * (grid.dim + 1);
    x[grid.dim] = cell / volume;
    int64_t linear = cell % volume;
    for (int32_t i = grid.dim - 1; i >= 0; --i) {
      x[i] = linear % grid.size[i];
      linear /= grid.size[i];
    }
    sortedRows[site] = site;
    sortedKeys[site] = l.pack(x, x[grid.dim]);
  }
};

/// As scn_sites_from_dense: the cells of a device (or managed) dense
/// [batch, planes, *spatial] array with a nonzero or NaN channel.
template <typename B>
void sitesFromDense(SiteSet<B> &s, int32_t dim, const int64_t *spatialSize, int64_t batchSize,
                    int64_t planes, const float *dense, typename B::Stream stream) {
  const int64_t volume = validateDense(dim, spatialSize, batchSize, planes);
  requireNonNull(dense, "dense");
  const int64_t cells = batchSize * volume;
  if (cells > INT32_MAX)
    fail(SCN_ERROR_OVERFLOW, "batch * prod(spatial size) = ", cells,
         " cells exceed what the GPU builder scans (max ", INT32_MAX, ")");
  initSet(s, dim, spatialSize, batchSize);
  typename B::template Array<int32_t> active(cells, stream), incl(cells, stream);
  B::forEach(stream, cells, DenseActive{dense, volume, planes, active.data()});
  B::inclusiveSum(active.data(), incl.data(), cells, stream);
  // The one wait of a dense input: its site count sizes the set.
  s.numSites = B::readBack(incl.data() + (cells - 1), stream);
  s.coords.resize(s.numSites * (dim + 1), stream);
  s.sortedRows.resize(s.numSites, stream);
  s.sortedKeys.resize(s.numSites, stream);
  B::forEach(stream, cells,
             DenseSites{active.data(), incl.data(), Grid::of(dim, spatialSize), volume,
                        Linear::of(s.layout), s.coords.data(), s.sortedRows.data(),
                        s.sortedKeys.data()});
  B::checkLaunches("a dense-input kernel launch");
}

/// As scn_sites_downsample: every output j whose window holds an input
/// site. With filter == stride each input has one window, and the set
/// records which (its provenance, for maps without lookups). Its count is
/// left on the GPU (Count::Later) unless `count` says otherwise.
template <typename B>
void downsample(SiteSet<B> &s, const SiteSet<B> &in, const int64_t *filter,
                const int64_t *stride, typename B::Stream stream, Count count = Count::Later) {
  requireNonNull(stride, "stride");
  Window w = makeWindow(in.dim, filter, stride);
  int64_t outSize[SCN_MAX_DIMENSION];
  stridedOutputSize(w, in.spatialSize, outSize);
  initSet(s, in.dim, outSize, in.batchSize);
  bool oneWindow = true;
  int64_t perInput = 1;
  for (int32_t i = 0; i < w.dim; ++i) {
    oneWindow &= w.filter[i] == w.stride[i];
    perInput *= (w.filter[i] + w.stride[i] - 1) / w.stride[i];
  }
  // An input whose count is still on the GPU is read over the rows
  // allocated for it, up to its device count, where each row has one
  // window, on the stream it was built on. With more windows a row, its
  // count is read first, so that the candidates do not multiply the rows
  // allocated; on another stream too, for the count. (Reading the count
  // does not order the rest of the input's build, queued after it, before
  // this stream's kernels: a caller building on another stream orders the
  // streams itself. The codegen builds every set on the geometry stream.)
  if (!oneWindow || !B::countOrders(in.hostCount, stream))
    siteCount(in, stream);
  const bool countOnDevice = in.numSites < 0;
  const int64_t n = countOnDevice ? in.sortedKeys.size() : in.numSites.load(), m = n * perInput;
  requireCandidateIds(m, "sites * windows per site");
  typename B::template Array<uint64_t> keys(m, stream);
  typename B::template Array<int32_t> ids(m, stream);
  if (oneWindow) {
    s.parentOfInput.resize(n, stream);
    B::forEach(stream, n,
               ParentKeys{in.coords.data(), Linear::of(s.layout), Grid::of(in.dim, outSize),
                          Grid::of(in.dim, w.stride), keys.data(), ids.data(),
                          countOnDevice ? in.deviceCount.data() : nullptr,
                          s.parentOfInput.data()});
    s.parentSetId = in.id;
    std::copy(w.filter, w.filter + w.dim, s.parentFilter);
  } else {
    B::forEach(stream, n,
               WindowKeys{in.coords.data(), Linear::of(s.layout), w,
                          Grid::of(in.dim, outSize), perInput, keys.data(), ids.data()});
  }
  numberCandidates(s, keys, ids, m, stream,
                   [&](const uint64_t *k, const int32_t *id, int64_t count,
                       HeadCounts counts, const int32_t *gSite) {
                     if (oneWindow)
                       B::forEach(stream, count,
                                  ParentOf{k, id, counts, gSite, s.parentOfInput.data()});
                   },
                   false, count);
}

/// As scn_sites_full: the union of the windows [x*t, x*t + s - 1] of the
/// input sites, on the grid (in - 1) * t + s.
template <typename B>
void fullSites(SiteSet<B> &s, const SiteSet<B> &in, const int64_t *filter,
               const int64_t *stride, typename B::Stream stream) {
  requireNonNull(stride, "stride");
  Window w = makeWindow(in.dim, filter, stride);
  int64_t outSize[SCN_MAX_DIMENSION];
  transposedOutputSize(w, in.spatialSize, outSize);
  initSet(s, in.dim, outSize, in.batchSize);
  const int64_t m = siteCount(in, stream) * w.volume;
  requireCandidateIds(m, "sites * filter volume");
  typename B::template Array<uint64_t> keys(m, stream);
  typename B::template Array<int32_t> ids(m, stream);
  B::forEach(stream, in.numSites,
             FullKeys{in.coords.data(), Linear::of(s.layout), w, w.volume,
                      keys.data(), ids.data()});
  // Read back now: its candidates, filter volume times its input's sites,
  // would be the rows kept for it.
  numberCandidates(s, keys, ids, m, stream,
                   [](const uint64_t *, const int32_t *, int64_t, HeadCounts, const int32_t *) {});
}

/// As scn_kmap_build: SUBMANIFOLD by a lookup of each output site's
/// neighbours' padded keys among the input's; STRIDED and TRANSPOSED
/// between a set and its filter == stride downsample from provenance;
/// STRIDED, TRANSPOSED and FULL otherwise by lookups from the big side.
template <typename B>
void buildKernelMap(KernelMap<B> &map, int32_t kind, const SiteSet<B> &in,
                    const SiteSet<B> &out, const int64_t *filter, const int64_t *stride,
                    typename B::Stream stream) {
  if (kind < SCN_KMAP_SUBMANIFOLD || kind > SCN_KMAP_FULL)
    fail(SCN_ERROR_INVALID_ARGUMENT, "kind = ", kind, " is outside [0, 3]");
  if (kind != SCN_KMAP_SUBMANIFOLD)
    requireNonNull(stride, "stride");
  if (in.dim != out.dim)
    fail(SCN_ERROR_INVALID_ARGUMENT, "in dim = ", in.dim, " differs from out dim = ", out.dim);
  if (in.batchSize != out.batchSize)
    fail(SCN_ERROR_INVALID_ARGUMENT, "in batch size = ", in.batchSize,
         " differs from out batch size = ", out.batchSize);
  siteCount(in, stream);
  siteCount(out, stream);
  Window w = makeWindow(in.dim, filter, kind == SCN_KMAP_SUBMANIFOLD ? nullptr : stride);
  map.kind = kind;
  map.volume = w.volume;
  map.window = w;
  const int64_t K = w.volume;
  if (kind == SCN_KMAP_SUBMANIFOLD) {
    requireSize(out.spatialSize, in.spatialSize, in.dim, "out", "the in spatial size");
    Padded p{};
    p.dim = w.dim;
    unsigned __int128 span = 1;
    for (int32_t i = w.dim - 1; i >= 0; --i) {
      if (w.filter[i] > in.spatialSize[i])
        fail(SCN_ERROR_OUT_OF_RANGE, "filter[", i, "] = ", w.filter[i],
             " is larger than the spatial size ", in.spatialSize[i]);
      p.below[i] = w.filter[i] / 2;
      p.stride[i] = int64_t(span);
      span *= (unsigned __int128)(in.spatialSize[i] + w.filter[i] - 1);
    }
    p.batchStride = int64_t(span);
    if ((span * (unsigned __int128)in.batchSize) >> 62)
      fail(SCN_ERROR_OVERFLOW, "padded site keys need more than 62 bits on the GPU");
    typename B::template Array<uint64_t> S(in.numSites, stream), T;
    B::forEach(stream, in.numSites,
               PaddedKeys{in.sortedKeys.data(), Linear::of(in.layout), p, S.data()});
    const uint64_t *tKeys = S.data();
    if (&out != &in) {
      T.resize(out.numSites, stream);
      B::forEach(stream, out.numSites,
                 PaddedKeys{out.sortedKeys.data(), Linear::of(out.layout), p, T.data()});
      tKeys = T.data();
    }
    map.numOut = out.numSites;
    map.neighbors.resize(out.numSites * K, stream);
    withLookup<B>(S.data(), in.sortedRows.data(), in.numSites, stream, [&](auto input) {
      B::forEach(stream, out.numSites * K,
                 SubmanifoldJoin<decltype(input)>{tKeys, out.sortedRows.data(), input, w, p,
                                                  map.neighbors.data()});
    });
    B::checkLaunches("a kernel map launch");
    return;
  }
  // STRIDED: in is the big set; TRANSPOSED and FULL: out is.
  const SiteSet<B> &big = kind == SCN_KMAP_STRIDED ? in : out;
  const SiteSet<B> &small = kind == SCN_KMAP_STRIDED ? out : in;
  int64_t expected[SCN_MAX_DIMENSION];
  stridedOutputSize(w, big.spatialSize, expected);
  if (kind == SCN_KMAP_STRIDED)
    requireSize(out.spatialSize, expected, w.dim, "out", "(in - filter) / stride + 1");
  else
    requireSize(in.spatialSize, expected, w.dim, "in",
                "(out - filter) / stride + 1, i.e. out = (in - 1) * stride + filter,");
  bool smallIsOutput = kind == SCN_KMAP_STRIDED;
  map.numOut = out.numSites;
  map.neighbors.resize(map.numOut * K, stream);
  // Where the big set is the output, each thread writes its whole row.
  if (smallIsOutput)
    fill<B>(stream, map.neighbors.data(), map.numOut * K, -1);
  // parentOfInput has a row for each row allocated for `big` when it was
  // downsampled: at least its sites.
  bool provenance = small.parentSetId == big.id && small.parentOfInput.size() >= big.numSites;
  for (int32_t i = 0; i < w.dim; ++i)
    provenance &= w.filter[i] == small.parentFilter[i] && w.stride[i] == w.filter[i];
  if (provenance)
    B::forEach(stream, big.numSites,
               StridedFromParents{big.coords.data(), big.dim, Grid::of(w.dim, w.filter),
                                  small.parentOfInput.data(), K, smallIsOutput,
                                  map.neighbors.data()});
  else
    withLookup<B>(small.sortedKeys.data(), small.sortedRows.data(), small.numSites, stream,
                  [&](auto lookup) {
                    B::forEach(stream, big.numSites,
                               FromBigSide<decltype(lookup)>{
                                   big.coords.data(), Linear::of(small.layout),
                                   Grid::of(w.dim, small.spatialSize), lookup, w, K,
                                   smallIsOutput, map.neighbors.data()});
                  });
  B::checkLaunches("a kernel map launch");
}

/// The per-offset pair lists of `map` (weight-stationary kernels), once:
/// a scan over the table in offset-major order numbers the pairs.
template <typename B> void buildPairLists(KernelMap<B> &map, typename B::Stream stream) {
  std::lock_guard<std::mutex> lock(map.lazyParts);
  if (map.pairsBuilt)
    return;
  const int64_t K = map.volume, cells = map.numOut * K;
  if (cells > INT32_MAX)
    fail(SCN_ERROR_OVERFLOW, "rows * filter volume = ", cells,
         " table cells exceed what the GPU pair lists number (max ", INT32_MAX, ")");
  map.pairOffsets.assign(K + 1, 0);
  if (cells > 0) {
    typename B::template Array<int32_t> flags(cells, stream), incl(cells, stream);
    B::forEach(stream, cells, PairFlags{map.neighbors.data(), map.numOut, K, flags.data()});
    B::inclusiveSum(flags.data(), incl.data(), cells, stream);
    // Offset k's pairs end with the count of cells up to (k + 1) * n; one
    // copy brings the K ends to the host.
    typename B::template Array<int32_t> deviceEnds(K, stream);
    B::forEach(stream, K, PairEnds{incl.data(), map.numOut, deviceEnds.data()});
    std::vector<int32_t> ends(K);
    B::copyToHost(ends.data(), deviceEnds.data(), K * sizeof(int32_t), stream);
    for (int64_t k = 0; k < K; ++k)
      map.pairOffsets[k + 1] = ends[k];
    const int64_t pairs = map.pairOffsets[K];
    map.pairIn.resize(pairs, stream);
    map.pairOut.resize(pairs, stream);
    B::forEach(stream, cells,
               PairScatter{map.neighbors.data(), flags.data(), incl.data(), map.numOut, K,
                           map.pairIn.data(), map.pairOut.data()});
    B::checkLaunches("a pair-list kernel launch");
  }
  map.pairsBuilt = true;
}

/// The rows of input set `s` grouped by the site they merge into, as CSR,
/// once (as the CPU runtime's scn_sites_get_rows_by_site): a stable radix
/// sort of the rows by site, dropped rows last, or one scatter when each
/// row is a site of its own (every site has a row, so rows == sites means
/// no row was merged or dropped).
template <typename B> void buildRowsBySite(SiteSet<B> &s, typename B::Stream stream) {
  const int64_t sites = siteCount(s, stream); // before the lock, which it takes
  std::lock_guard<std::mutex> lock(s.lazyParts);
  if (s.rowsBySiteBuilt)
    return;
  const int64_t rows = s.rowToSite.size();
  s.siteRowStart.resize(sites + 1, stream);
  s.rowsBySite.resize(rows, stream);
  if (rows == 0) {
    fill<B>(stream, s.siteRowStart.data(), sites + 1, 0);
  } else if (rows == sites) {
    B::forEach(stream, rows + 1,
               OneRowASite{s.rowToSite.data(), rows, s.rowsBySite.data(), s.siteRowStart.data()});
    B::checkLaunches("a rows-by-site kernel launch");
  } else {
    typename B::template Array<uint64_t> keys(rows, stream), sortedKeys(rows, stream);
    typename B::template Array<int32_t> ids(rows, stream);
    B::forEach(stream, rows, RowSiteKeys{s.rowToSite.data(), sites, keys.data(), ids.data()});
    int bits = 1;
    while (bits < 63 && (int64_t(1) << bits) <= sites)
      ++bits;
    B::sortPairs(keys.data(), sortedKeys.data(), ids.data(), s.rowsBySite.data(), rows, bits,
                 stream);
    B::forEach(stream, rows + 1, SiteStarts{sortedKeys.data(), rows, sites, s.siteRowStart.data()});
    B::checkLaunches("a rows-by-site kernel launch");
  }
  s.rowsBySiteBuilt = true;
}

/// The output rows of `map` stably sorted by the key of their neighbour
/// masks, packed into blocks within chunks, then whole blocks heaviest
/// first, their masks and their table rows in that order, once (as the CPU
/// runtime's scn_kmap_get_row_order). Each step reads the masks through the
/// order before it, and one kernel writes the map's three arrays: 4 kernels
/// and the two sorts' for a submanifold map of up to 32 offsets (keys,
/// packing, block keys, arrays), 3 for a strided or transposed one (6 each
/// before the twenty-second session, without the packing).
template <typename B> void buildRowOrder(KernelMap<B> &map, typename B::Stream stream) {
  std::lock_guard<std::mutex> lock(map.lazyParts);
  if (map.rowOrderBuilt)
    return;
  const int64_t rows = map.numOut;
  const int64_t K = map.volume;
  const int32_t bits = int32_t(std::min<int64_t>(K, kRowKeyBits));
  map.rowOrder.resize(rows, stream);
  map.rowMasks.resize(rows, stream);
  map.rowTable.resize(rows * K, stream);
  if (rows > 0) {
    typename B::template Array<uint64_t> keys(rows, stream), sortedKeys(rows, stream);
    typename B::template Array<int32_t> lowMasks(rows, stream), ids(rows, stream),
        keyOrder(rows, stream);
    const bool plainMask = plainMaskRowOrder();
    // The variables are read for every map, so that a bad value fails on
    // any.
    const bool packs = packsRows(map.kind, K, rows);
    const int64_t blocks = rows / kRowOrderBlockRows;
    const bool byBlocks = heaviestBlocksFirst() && blocks >= 2 && K <= kRowMaskBits;
    if (K <= kRowKeyBits) {
      KeyBitTable table{};
      for (int64_t k = 0; k < K; ++k)
        table.bit[k] = int8_t(rowKeyBit(map.window, k, plainMask));
      B::forEach(stream, rows,
                 RowOrderKeys<KeyBitTable>{map.neighbors.data(), K, table, plainMask,
                                           keys.data(), lowMasks.data(), ids.data()});
    } else {
      typename B::template Array<int32_t> bitOf(K, stream);
      B::forEach(stream, K, RowKeyBits{map.window, plainMask, bitOf.data()});
      B::forEach(stream, rows,
                 RowOrderKeys<const int32_t *>{map.neighbors.data(), K, bitOf.data(), plainMask,
                                               keys.data(), lowMasks.data(), ids.data()});
    }
    B::sortPairs(keys.data(), sortedKeys.data(), ids.data(), keyOrder.data(), rows, bits,
                 stream);
    const int32_t *order = keyOrder.data();
    typename B::template Array<int32_t> packedOrder(packs ? rows : 0, stream),
        rowBlock(packs ? rows : 0, stream);
    if (packs) {
      B::forEachGroup(stream, (rows + kPackChunkRows - 1) / kPackChunkRows,
                      PackChunks{rows, order, lowMasks.data(), rowBlock.data(),
                                 packedOrder.data()});
      order = packedOrder.data();
    }
    typename B::template Array<int32_t> blockIds(byBlocks ? blocks : 0, stream),
        blockOrder(byBlocks ? blocks : 0, stream);
    if (byBlocks) {
      B::forEach(stream, blocks,
                 BlockOrderKeys{MasksThrough{order, lowMasks.data()}, keys.data(),
                                blockIds.data()});
      B::sortPairs(keys.data(), sortedKeys.data(), blockIds.data(), blockOrder.data(), blocks,
                   kBlockKeyBits, stream);
    }
    B::forEach(stream, rows * K,
               RowOrderOut{blockOrder.data(), byBlocks ? blocks : 0, order, lowMasks.data(),
                           map.neighbors.data(), K, map.rowOrder.data(), map.rowMasks.data(),
                           map.rowTable.data()});
    B::checkLaunches("a row-order kernel launch");
  }
  map.rowOrderBuilt = true;
}

} // namespace scn::rt::device

#endif // SCN_RUNTIME_LIB_CUDA_DEVICESITES_H
