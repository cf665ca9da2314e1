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
//===----------------------------------------------------------------------===//

#include "KernelMap.h"

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

} // namespace

void scn::rt::buildSubmanifoldNeighbors(const scn_sites &in,
                                        const scn_sites &out, const Window &w,
                                        int32_t *neighbors) {
  bool allOdd = true;
  for (int32_t i = 0; i < w.dim; ++i)
    allOdd &= (w.filter[i] % 2) == 1;
  withTable(in, [&](const auto &table) {
    if (&in == &out && allOdd)
      buildSymmetric(in, table, w, neighbors);
    else
      buildGeneral(in, table, out, w, neighbors);
  });
}
