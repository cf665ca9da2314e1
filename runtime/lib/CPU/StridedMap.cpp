//===- StridedMap.cpp - Strided, transposed and full neighbour tables -----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// All three relations pair a site x of the big grid with a site j of the
/// small grid when x lies in j's window [j*t, j*t + s - 1], through offset
/// k = index(x - j*t). Looking up from the big side costs one (mostly
/// successful) lookup per window holding x, while looking up from the small
/// side would cost K mostly failing ones.
///
//===----------------------------------------------------------------------===//

#include "KernelMap.h"

using namespace scn::rt;

namespace {

template <typename KeyT>
void buildFromBigSide(const scn_sites &big, const scn_sites &small,
                      const SiteTable<KeyT> &smallTable, const Window &w,
                      bool smallIsOutput, int32_t *neighbors) {
  const int64_t K = w.volume;
  const int64_t rows = smallIsOutput ? small.numSites : big.numSites;
  parallelFor(rows * K, 1 << 16, [&](int64_t i) { neighbors[i] = -1; });
  parallelFor(big.numSites, kGrain / 4, [&](int64_t r) {
    const int64_t *x = big.siteCoords(r);
    int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], j[SCN_MAX_DIMENSION];
    if (!windowRange(w, small.spatialSize, x, lo, hi))
      return;
    std::copy(lo, lo + w.dim, j);
    do {
      int64_t q = smallTable.find(small.layout.pack<KeyT>(j, x[big.dim]));
      if (q >= 0) {
        int64_t k = 0;
        for (int32_t i = 0; i < w.dim; ++i)
          k = k * w.filter[i] + (x[i] - j[i] * w.stride[i]);
        // Each (row, k) cell has exactly one candidate site: no conflicts.
        if (smallIsOutput)
          neighbors[q * K + k] = static_cast<int32_t>(r);
        else
          neighbors[r * K + k] = static_cast<int32_t>(q);
      }
    } while (nextInBox(w.dim, lo, hi, j));
  });
}

/// The map between a set and its downsample with filter == stride, read off
/// the downsample's provenance (SiteSet.h): no lookups. False when `small`
/// was not made that way from `big` with this window.
bool buildFromProvenance(const scn_sites &big, const scn_sites &small,
                         const Window &w, bool smallIsOutput,
                         int32_t *neighbors) {
  if (small.parentSetId != big.id || small.parentOfInput.size() != big.numSites)
    return false;
  for (int32_t i = 0; i < w.dim; ++i)
    if (w.filter[i] != small.parentFilter[i] || w.stride[i] != w.filter[i])
      return false;
  const int64_t K = w.volume;
  const int64_t rows = smallIsOutput ? small.numSites : big.numSites;
  parallelFor(rows * K, 1 << 16, [&](int64_t i) { neighbors[i] = -1; });
  parallelFor(big.numSites, kGrain, [&](int64_t r) {
    int32_t q = small.parentOfInput[r];
    if (q < 0)
      return;
    const int64_t *x = big.siteCoords(r);
    int64_t k = 0;
    for (int32_t i = 0; i < w.dim; ++i)
      k = k * w.filter[i] + x[i] % w.stride[i];
    if (smallIsOutput)
      neighbors[int64_t(q) * K + k] = static_cast<int32_t>(r);
    else
      neighbors[r * K + k] = q;
  });
  return true;
}

} // namespace

void scn::rt::buildStridedNeighbors(const scn_sites &big,
                                    const scn_sites &small, const Window &w,
                                    bool smallIsOutput, int32_t *neighbors) {
  if (buildFromProvenance(big, small, w, smallIsOutput, neighbors))
    return;
  withTable(small, [&](const auto &table) {
    buildFromBigSide(big, small, table, w, smallIsOutput, neighbors);
  });
}
