//===- ArenaPlan.h - Offsets for buffers of known lifetimes -----*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime). Private.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Places buffers whose sizes and lifetimes are known (a call of a compiled
/// network, recorded) in one block, so that buffers alive at the same time
/// never overlap and the block is as small as a greedy can make it: the
/// largest buffers first, each in the smallest gap that fits it among the
/// buffers already placed that live at the same time ("greedy by size", as
/// TensorFlow Lite's and ONNX Runtime's arena planners do). Header-only and
/// free of the runtime's state, so the unit tests check it directly.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_ARENAPLAN_H
#define SCN_RUNTIME_LIB_CPU_ARENAPLAN_H

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace scn::rt {

/// A buffer to place: `bytes` (> 0), live from event `first` to event
/// `last` (inclusive: its allocation and its free), at an offset that is a
/// multiple of `alignment` (a power of two).
struct ArenaRequest {
  int64_t bytes = 0;
  int64_t alignment = 64;
  int64_t first = 0, last = 0;
};

struct ArenaLayout {
  std::vector<int64_t> offsets; // by request
  int64_t bytes = 0;            // the block's size
};

inline int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Offsets for `requests`: no two requests whose lifetimes overlap share a
/// byte. O(n^2) in the number of requests (a W1 call has a few hundred).
inline ArenaLayout planArena(const std::vector<ArenaRequest> &requests) {
  const size_t n = requests.size();
  ArenaLayout layout;
  layout.offsets.assign(n, 0);
  std::vector<size_t> bySize(n);
  std::iota(bySize.begin(), bySize.end(), 0);
  std::stable_sort(bySize.begin(), bySize.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  std::vector<size_t> placed; // kept in offset order
  std::vector<size_t> overlapping;
  for (size_t r : bySize) {
    const ArenaRequest &request = requests[r];
    overlapping.clear();
    for (size_t p : placed)
      if (requests[p].first <= request.last && request.first <= requests[p].last)
        overlapping.push_back(p);
    // The smallest gap between the overlapping buffers (in offset order)
    // that holds this one, else the end of the last of them.
    int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
    for (size_t p : overlapping) {
      const int64_t start = alignUp(cursor, request.alignment);
      const int64_t gap = layout.offsets[p] - start;
      if (gap >= request.bytes && gap < bestGap) {
        best = start;
        bestGap = gap;
      }
      cursor = std::max(cursor, layout.offsets[p] + requests[p].bytes);
    }
    if (best < 0)
      best = alignUp(cursor, request.alignment);
    layout.offsets[r] = best;
    layout.bytes = std::max(layout.bytes, best + request.bytes);
    placed.insert(std::upper_bound(placed.begin(), placed.end(), r,
                                   [&](size_t a, size_t b) {
                                     return layout.offsets[a] < layout.offsets[b];
                                   }),
                  r);
  }
  return layout;
}

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_ARENAPLAN_H
