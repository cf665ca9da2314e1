//===- Threading.h - Deterministic parallel loops -------------*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Parallel loops over [0, n) split into contiguous chunks, one per worker.
/// Algorithms only rely on "each index is visited once" and on chunk c
/// covering a range before chunk c+1's range, so their results do not depend
/// on the number of threads. Bodies must not throw.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_THREADING_H
#define SCN_RUNTIME_LIB_CPU_THREADING_H

#include <algorithm>
#include <cstdint>
#include <vector>

namespace scn::rt {

/// Number of workers the next parallel loop may use (>= 1).
int numThreads();

/// Number of chunks parallelChunks() splits `n` items into: one per worker,
/// but no chunk smaller than `grain` items, and at least one.
inline int64_t numChunks(int64_t n, int64_t grain) {
  int64_t byGrain = std::max<int64_t>(1, n / std::max<int64_t>(1, grain));
  return std::max<int64_t>(1, std::min<int64_t>(numThreads(), byGrain));
}

/// Bounds of chunk `c` of `chunks` over [0, n).
inline int64_t chunkBegin(int64_t n, int64_t chunks, int64_t c) {
  return static_cast<int64_t>((static_cast<__int128>(n) * c) / chunks);
}

/// Runs body(chunk, begin, end) for `chunks` contiguous chunks of [0, n).
template <typename Body>
void forEachChunk(int64_t n, int64_t chunks, Body &&body) {
  if (chunks <= 1) {
    body(int64_t(0), int64_t(0), n);
    return;
  }
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c)
    body(c, chunkBegin(n, chunks, c), chunkBegin(n, chunks, c + 1));
}

/// Runs body(i) for every i in [0, n), in parallel when n >= 2 * grain.
template <typename Body>
void parallelFor(int64_t n, int64_t grain, Body &&body) {
  forEachChunk(n, numChunks(n, grain), [&](int64_t, int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      body(i);
  });
}

/// Order-preserving parallel compaction: count(begin, end) returns how many
/// items of a range survive; emit(begin, end, firstOutputIndex) writes them.
/// Returns the total.
template <typename Count, typename Emit>
int64_t parallelCompact(int64_t n, int64_t grain, Count &&count, Emit &&emit) {
  int64_t chunks = numChunks(n, grain);
  std::vector<int64_t> starts(chunks + 1, 0);
  forEachChunk(n, chunks, [&](int64_t c, int64_t b, int64_t e) {
    starts[c + 1] = count(b, e);
  });
  for (int64_t c = 0; c < chunks; ++c)
    starts[c + 1] += starts[c];
  forEachChunk(n, chunks, [&](int64_t c, int64_t b, int64_t e) {
    emit(b, e, starts[c]);
  });
  return starts[chunks];
}

/// Grain sizes: below this many items per worker, threads cost more than
/// they save.
constexpr int64_t kGrain = 4096;

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_THREADING_H
