//===- RadixSort.h - Parallel stable LSD radix sort of keyed rows -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Sorts (key, row) pairs by key, stably, on all workers. Why not std::sort
/// or a library: the keys are dense integers of a known width (about 30
/// bits for a LiDAR grid), for which three 11-bit counting passes beat a
/// comparison sort several times over, and the chunked passes are
/// deterministic for any thread count (bench/runtime measures the map
/// builders that use it).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_RADIXSORT_H
#define SCN_RUNTIME_LIB_CPU_RADIXSORT_H

#include "Array.h"
#include "Threading.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace scn::rt {

/// Sorts keys[0, n) (each below 2^keyBits) and permutes rows[] with them.
/// Equal keys keep their input order. The arrays keep their sizes; entries
/// past n are unspecified afterwards.
inline void radixSortPairs(Array<uint64_t> &keys, Array<int32_t> &rows,
                           int64_t n, int32_t keyBits) {
  constexpr int32_t kDigitBits = 11;
  constexpr int64_t kBuckets = int64_t(1) << kDigitBits;
  if (n <= 1 || keyBits <= 0)
    return;
  Array<uint64_t> keysTmp(keys.size());
  Array<int32_t> rowsTmp(rows.size());
  int64_t chunks = numChunks(n, 1 << 14);
  std::vector<int64_t> counts(size_t(chunks * kBuckets));
  for (int32_t shift = 0; shift < keyBits; shift += kDigitBits) {
    const uint64_t *src = keys.data();
    const int32_t *srcRows = rows.data();
    forEachChunk(n, chunks, [&](int64_t c, int64_t b, int64_t e) {
      int64_t *count = &counts[size_t(c * kBuckets)];
      std::fill(count, count + kBuckets, 0);
      for (int64_t i = b; i < e; ++i)
        ++count[(src[i] >> shift) & (kBuckets - 1)];
    });
    // Exclusive prefix in (digit, chunk) order: stable across chunks.
    int64_t total = 0;
    for (int64_t d = 0; d < kBuckets; ++d)
      for (int64_t c = 0; c < chunks; ++c) {
        int64_t v = counts[size_t(c * kBuckets + d)];
        counts[size_t(c * kBuckets + d)] = total;
        total += v;
      }
    uint64_t *dst = keysTmp.data();
    int32_t *dstRows = rowsTmp.data();
    forEachChunk(n, chunks, [&](int64_t c, int64_t b, int64_t e) {
      int64_t *next = &counts[size_t(c * kBuckets)];
      for (int64_t i = b; i < e; ++i) {
        int64_t at = next[(src[i] >> shift) & (kBuckets - 1)]++;
        dst[at] = src[i];
        dstRows[at] = srcRows[i];
      }
    });
    std::swap(keys, keysTmp);
    std::swap(rows, rowsTmp);
  }
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_RADIXSORT_H
