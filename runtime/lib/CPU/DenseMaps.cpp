//===- DenseMaps.cpp - SparseToDense and DenseToSparse maps ---------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The dense layout is [B, C, *spatial], row-major: coordinate column i is
/// dense axis 2 + i. Every index product is checked against INT64_MAX before
/// anything is written.
///
//===----------------------------------------------------------------------===//

#include "SiteSet.h"

#include "scn/Runtime/LayerMaps.h"

#include <climits>

using namespace scn::rt;

extern "C" scn_status_t scn_sparse_to_dense_map(scn_sites_t sites,
                                                int64_t n_planes,
                                                int64_t *dense_index,
                                                int64_t capacity) {
  return guardCall("scn_sparse_to_dense_map", [&] {
    requireNonNull(sites, "sites");
    if (n_planes < 1)
      fail(SCN_ERROR_INVALID_ARGUMENT, "n_planes = ", n_planes,
           " must be >= 1");
    if (capacity < sites->numSites)
      fail(SCN_ERROR_INVALID_ARGUMENT, "capacity = ", capacity,
           " is less than the number of sites ", sites->numSites);
    if (sites->numSites > 0)
      requireNonNull(dense_index, "dense_index");
    const scn_sites &s = *sites;
    const int64_t volume =
        checkedDenseVolume(s.dim, s.spatialSize, s.batchSize, n_planes);
    parallelFor(s.numSites, kGrain, [&](int64_t r) {
      const int64_t *x = s.siteCoords(r);
      int64_t linear = 0;
      for (int32_t i = 0; i < s.dim; ++i)
        linear = linear * s.spatialSize[i] + x[i];
      dense_index[r] = x[s.dim] * n_planes * volume + linear;
    });
  });
}

extern "C" scn_status_t scn_sites_from_dense(int32_t dim,
                                             const int64_t *spatial_size,
                                             int64_t batch_size,
                                             int64_t n_planes,
                                             const float *dense,
                                             scn_sites_t *out) {
  return guardCall("scn_sites_from_dense", [&] {
    requireNonNull(out, "out");
    const int64_t volume = validateDense(dim, spatial_size, batch_size, n_planes);
    requireNonNull(dense, "dense");
    auto sites = makeEmptySet(dim, spatial_size, batch_size);
    const int64_t cells = batch_size * volume;
    auto isActive = [&](int64_t cell) {
      const float *v = dense + (cell / volume) * n_planes * volume +
                       cell % volume;
      for (int64_t c = 0; c < n_planes; ++c)
        if (v[c * volume] != 0.0f || v[c * volume] != v[c * volume])
          return true;
      return false;
    };
    // Active cells in row-major order of [B, *spatial]: count, then fill.
    const int64_t grain = 1 << 16;
    auto countActive = [&](int64_t b, int64_t e) {
      int64_t n = 0;
      for (int64_t cell = b; cell < e; ++cell)
        n += isActive(cell);
      return n;
    };
    const int64_t active =
        parallelCompact(cells, grain, countActive, [](int64_t, int64_t, int64_t) {});
    checkRowCount(active, "number of active sites");
    Array<int64_t> activeCells(active);
    parallelCompact(
        cells, grain, countActive,
        [&](int64_t b, int64_t e, int64_t first) {
          for (int64_t cell = b; cell < e; ++cell)
            if (isActive(cell))
              activeCells[first++] = cell;
        });
    scn_sites &s = *sites;
    s.numSites = active;
    s.coords.resize(s.numSites * s.width());
    parallelFor(s.numSites, kGrain, [&](int64_t r) {
      int64_t *x = s.coords.data() + r * s.width();
      int64_t cell = activeCells[r];
      x[dim] = cell / volume;
      int64_t linear = cell % volume;
      for (int32_t i = dim - 1; i >= 0; --i) {
        x[i] = linear % spatial_size[i];
        linear /= spatial_size[i];
      }
    });
    // The table is filled on first lookup (ensureTable).
    *out = sites.release();
  });
}
