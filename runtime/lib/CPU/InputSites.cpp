//===- InputSites.cpp - InputLayer and BLInputLayer site sets -------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Builds the set of an input layer from coordinate rows: validate every
/// row, insert each row's key with its row index (the table keeps the
/// smallest), number the sites by their first row, then derive the merge map
/// the feature kernels need for the duplicate mode.
///
//===----------------------------------------------------------------------===//

#include "SiteSet.h"
#include "SortedNumbering.h"

#include <atomic>

#include <vector>

using namespace scn::rt;

namespace {

/// InputLayer rows: [n, D+1], batch last.
template <typename T> struct TableRows {
  const T *data;
  int32_t dim;
  bool isEmpty(int64_t) const { return false; }
  int64_t coord(int64_t r, int32_t i) const {
    return static_cast<int64_t>(data[r * (dim + 1) + i]);
  }
  int64_t batch(int64_t r) const {
    return static_cast<int64_t>(data[r * (dim + 1) + dim]);
  }
  [[noreturn]] void failCoord(int64_t r, int32_t i,
                              const int64_t *spatialSize) const {
    if (i == dim)
      fail(SCN_ERROR_INVALID_ARGUMENT, "coords row ", r, " column ", i,
           " (batch index) = ", batch(r), " is negative");
    fail(SCN_ERROR_INVALID_ARGUMENT, "coords row ", r, " column ", i, " = ",
         coord(r, i), " is outside [0, ", spatialSize[i], ")");
  }
};

/// BLInputLayer rows: [B, L, D]; row b * L + l has batch b. As in
/// SparseConvNet's blRules, a position whose FIRST coordinate is negative is
/// empty padding in modes 1-4; mode 0 takes every position as a site.
template <typename T> struct BatchLengthRows {
  const T *data;
  int32_t dim;
  int64_t length;
  bool skipPadding;
  bool isEmpty(int64_t r) const { return skipPadding && coord(r, 0) < 0; }
  int64_t coord(int64_t r, int32_t i) const {
    return static_cast<int64_t>(data[r * dim + i]);
  }
  int64_t batch(int64_t r) const { return r / length; }
  [[noreturn]] void failCoord(int64_t r, int32_t i,
                              const int64_t *spatialSize) const {
    fail(SCN_ERROR_INVALID_ARGUMENT, "coords[", r / length, "][", r % length,
         "][", i, "] = ", coord(r, i), " is outside [0, ", spatialSize[i],
         ") (in modes 1-4 a position is empty padding when its first "
         "coordinate is negative)");
  }
};

/// Returns the first column of row `r` that is out of range, or -1.
template <typename Rows>
int32_t firstBadColumn(const Rows &rows, int64_t r, int32_t dim,
                       const int64_t *spatialSize) {
  if (rows.isEmpty(r))
    return -1;
  for (int32_t i = 0; i < dim; ++i) {
    int64_t x = rows.coord(r, i);
    if (x < 0 || x >= spatialSize[i])
      return i;
  }
  return rows.batch(r) < 0 ? dim : -1;
}

/// Checks every row; throws for the first bad one. Returns 1 + the largest
/// batch index (0 without rows).
template <typename Rows>
int64_t validateRows(const Rows &rows, int64_t nRows, int32_t dim,
                     const int64_t *spatialSize) {
  int64_t chunks = numChunks(nRows, kGrain);
  std::vector<int64_t> firstBad(chunks, -1), maxBatch(chunks, -1);
  forEachChunk(nRows, chunks, [&](int64_t c, int64_t b, int64_t e) {
    int64_t batchMax = -1;
    for (int64_t r = b; r < e; ++r) {
      if (firstBadColumn(rows, r, dim, spatialSize) >= 0) {
        firstBad[c] = r;
        break;
      }
      if (!rows.isEmpty(r))
        batchMax = std::max(batchMax, rows.batch(r));
    }
    maxBatch[c] = batchMax;
  });
  for (int64_t c = 0; c < chunks; ++c)
    if (firstBad[c] >= 0)
      rows.failCoord(firstBad[c],
                     firstBadColumn(rows, firstBad[c], dim, spatialSize),
                     spatialSize);
  int64_t batchMax = -1;
  for (int64_t m : maxBatch)
    batchMax = std::max(batchMax, m);
  return batchMax + 1;
}

/// Atomic helpers on plain int32 arrays (written by several threads).
inline void atomicIncrement(int32_t &v) {
  __atomic_fetch_add(&v, 1, __ATOMIC_RELAXED);
}
inline void atomicMax(int32_t &v, int32_t candidate) {
  int32_t current = __atomic_load_n(&v, __ATOMIC_RELAXED);
  while (candidate > current &&
         !__atomic_compare_exchange_n(&v, &current, candidate, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
}

[[noreturn]] void failDuplicate(const scn_sites &sites, int64_t first,
                                int64_t duplicate, const int64_t *x,
                                int64_t batch) {
  fail(SCN_ERROR_INVALID_ARGUMENT, "mode 0 needs unique sites, but coords "
       "rows ", first, " and ", duplicate, " are both site ",
       formatSite(x, sites.dim, batch), "; use mode 1-4 to merge duplicates");
}

/// The sorted way (SortedNumbering.h): one key per row, sort, and read the
/// merge map off the groups of equal keys. Same result as fillInputSet.
template <typename Rows>
void fillInputSetBySorting(scn_sites &sites, const Rows &rows, int64_t nRows,
                           int32_t mode) {
  const int32_t dim = sites.dim;
  Array<uint64_t> keys(nRows);
  parallelFor(nRows, kGrain, [&](int64_t r) {
    if (rows.isEmpty(r)) {
      keys[r] = kNoCandidate;
      return;
    }
    int64_t x[SCN_MAX_DIMENSION];
    for (int32_t i = 0; i < dim; ++i)
      x[i] = rows.coord(r, i);
    keys[r] = sites.layout.packLinear(x, rows.batch(r));
  });
  sites.hasMergeMap = true;
  sites.mode = mode;
  sites.rowToSite.resize(nRows);
  parallelFor(nRows, kGrain, [&](int64_t r) { sites.rowToSite[r] = -1; });
  // Mode 0: the smallest duplicate row, with the first row of its site.
  std::atomic<int64_t> firstDuplicate{INT64_MAX};
  numberBySorting(
      sites, keys.data(), nRows,
      [&](int64_t n) {
        sites.siteSourceRow.resize(n);
        sites.siteRowCount.resize(n);
      },
      [&](const CandidateGroup &g) {
        const int32_t first = g.ids[0], last = g.ids[g.size - 1];
        sites.siteRowCount[g.site] = static_cast<int32_t>(g.size);
        sites.siteSourceRow[g.site] = mode == SCN_INPUT_KEEP_LAST ? last : first;
        if (mode == SCN_INPUT_KEEP_FIRST)
          sites.rowToSite[first] = g.site;
        else if (mode == SCN_INPUT_KEEP_LAST)
          sites.rowToSite[last] = g.site;
        else
          for (int64_t i = 0; i < g.size; ++i)
            sites.rowToSite[g.ids[i]] = g.site;
        if (mode == SCN_INPUT_UNIQUE && g.size > 1) {
          int64_t packed = (int64_t(g.ids[1]) << 32) | first;
          int64_t seen = firstDuplicate.load(std::memory_order_relaxed);
          while (packed < seen &&
                 !firstDuplicate.compare_exchange_weak(seen, packed))
            ;
        }
      });
  if (int64_t packed = firstDuplicate.load(); packed != INT64_MAX) {
    int64_t r = packed >> 32, x[SCN_MAX_DIMENSION];
    for (int32_t i = 0; i < dim; ++i)
      x[i] = rows.coord(r, i);
    failDuplicate(sites, packed & 0xFFFFFFFF, r, x, rows.batch(r));
  }
}

template <typename Rows, typename KeyT>
void fillInputSet(scn_sites &sites, SiteTable<KeyT> &table, const Rows &rows,
                  int64_t nRows, int32_t mode) {
  const int32_t dim = sites.dim;
  table.reset(nRows, sites.layout.localBits());
  // Insert every row; the table keeps the smallest row of each site.
  Array<int64_t> slotOfRow(nRows);
  parallelFor(nRows, kGrain, [&](int64_t r) {
    if (rows.isEmpty(r)) {
      slotOfRow[r] = -1;
      return;
    }
    int64_t x[SCN_MAX_DIMENSION];
    for (int32_t i = 0; i < dim; ++i)
      x[i] = rows.coord(r, i);
    slotOfRow[r] =
        table.insertMin(sites.layout.pack<KeyT>(x, rows.batch(r)), r);
  });

  // firstRow[r]: the first row of r's site (-1 for empty rows).
  Array<int32_t> firstRow(nRows);
  parallelFor(nRows, kGrain, [&](int64_t r) {
    firstRow[r] =
        slotOfRow[r] < 0 ? -1 : static_cast<int32_t>(table.tagAt(slotOfRow[r]));
  });
  if (mode == SCN_INPUT_UNIQUE) {
    int64_t chunks = numChunks(nRows, kGrain);
    std::vector<int64_t> duplicate(chunks, -1);
    forEachChunk(nRows, chunks, [&](int64_t c, int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r)
        if (firstRow[r] >= 0 && firstRow[r] != r) {
          duplicate[c] = r;
          break;
        }
    });
    for (int64_t r : duplicate) {
      if (r < 0)
        continue;
      int64_t x[SCN_MAX_DIMENSION];
      for (int32_t i = 0; i < dim; ++i)
        x[i] = rows.coord(r, i);
      failDuplicate(sites, firstRow[r], r, x, rows.batch(r));
    }
  }

  numberSitesByFirstCandidate(sites, nRows);
  const int64_t n = sites.numSites;

  sites.hasMergeMap = true;
  sites.mode = mode;
  sites.rowToSite.resize(nRows);
  sites.siteSourceRow.resize(n);
  sites.siteRowCount.resize(n);
  parallelFor(n, kGrain, [&](int64_t s) {
    sites.siteRowCount[s] = 0;
    sites.siteSourceRow[s] = -1;
  });
  // Counts, and the source row: the first row, or the last in mode 2.
  parallelFor(nRows, kGrain, [&](int64_t r) {
    if (slotOfRow[r] < 0)
      return;
    int32_t site = static_cast<int32_t>(table.tagAt(slotOfRow[r]));
    atomicIncrement(sites.siteRowCount[site]);
    if (mode == SCN_INPUT_KEEP_LAST)
      atomicMax(sites.siteSourceRow[site], static_cast<int32_t>(r));
    else if (firstRow[r] == r)
      sites.siteSourceRow[site] = static_cast<int32_t>(r);
  });
  parallelFor(nRows, kGrain, [&](int64_t r) {
    int32_t site =
        slotOfRow[r] < 0 ? -1 : static_cast<int32_t>(table.tagAt(slotOfRow[r]));
    bool kept = site >= 0;
    if (kept && mode == SCN_INPUT_KEEP_FIRST)
      kept = firstRow[r] == r;
    else if (kept && mode == SCN_INPUT_KEEP_LAST)
      kept = sites.siteSourceRow[site] == r;
    sites.rowToSite[r] = kept ? site : -1;
  });
}

template <typename Rows>
std::unique_ptr<scn_sites> buildInputSet(const Rows &rows, int64_t nRows,
                                         int32_t dim,
                                         const int64_t *spatialSize,
                                         int32_t mode, int64_t batchSize) {
  int64_t dataBatch = validateRows(rows, nRows, dim, spatialSize);
  batchSize = std::max<int64_t>({batchSize, dataBatch, 1});
  auto sites = makeEmptySet(dim, spatialSize, batchSize);
  if (canNumberBySorting(*sites, nRows)) {
    fillInputSetBySorting(*sites, rows, nRows, mode);
    return sites;
  }
  withTableToFill(*sites, [&](auto &table) {
    fillInputSet(*sites, table, rows, nRows, mode);
  });
  markTableFilled(*sites);
  return sites;
}

void validateIndexType(int32_t type) {
  if (type != SCN_INDEX_INT32 && type != SCN_INDEX_INT64)
    fail(SCN_ERROR_INVALID_ARGUMENT, "coord_type = ", type,
         " is neither SCN_INDEX_INT32 (0) nor SCN_INDEX_INT64 (1)");
}

} // namespace

extern "C" scn_status_t
scn_sites_from_coords(int32_t dim, const int64_t *spatial_size,
                      const void *coords, int32_t coord_type,
                      int64_t n_rows, int64_t n_cols, int32_t mode,
                      int64_t batch_size, scn_sites_t *out) {
  return guardCall("scn_sites_from_coords", [&] {
    requireNonNull(out, "out");
    validateGrid(dim, spatial_size);
    validateIndexType(coord_type);
    validateMode(mode);
    if (n_rows < 0)
      fail(SCN_ERROR_INVALID_ARGUMENT, "n_rows = ", n_rows, " is negative");
    checkRowCount(n_rows, "n_rows");
    if (n_cols != dim + 1)
      fail(SCN_ERROR_INVALID_ARGUMENT, "n_cols = ", n_cols,
           " must be dim + 1 = ", dim + 1,
           " (the coordinates, then the batch index)");
    if (n_rows > 0)
      requireNonNull(coords, "coords");
    std::unique_ptr<scn_sites> sites;
    if (coord_type == SCN_INDEX_INT32)
      sites = buildInputSet(
          TableRows<int32_t>{static_cast<const int32_t *>(coords), dim},
          n_rows, dim, spatial_size, mode, batch_size);
    else
      sites = buildInputSet(
          TableRows<int64_t>{static_cast<const int64_t *>(coords), dim},
          n_rows, dim, spatial_size, mode, batch_size);
    *out = sites.release();
  });
}

extern "C" scn_status_t
scn_sites_from_bl_coords(int32_t dim, const int64_t *spatial_size,
                         const void *coords, int32_t coord_type,
                         int64_t batch, int64_t length, int32_t mode,
                         scn_sites_t *out) {
  return guardCall("scn_sites_from_bl_coords", [&] {
    requireNonNull(out, "out");
    validateGrid(dim, spatial_size);
    validateIndexType(coord_type);
    validateMode(mode);
    validateBatchLength(batch, length);
    int64_t nRows = batch * length;
    if (nRows > 0)
      requireNonNull(coords, "coords");
    int32_t policy = batchLengthPolicy(mode);
    bool skipPadding = mode != 0;
    std::unique_ptr<scn_sites> sites;
    if (coord_type == SCN_INDEX_INT32)
      sites = buildInputSet(
          BatchLengthRows<int32_t>{static_cast<const int32_t *>(coords), dim,
                                   length, skipPadding},
          nRows, dim, spatial_size, policy, batch);
    else
      sites = buildInputSet(
          BatchLengthRows<int64_t>{static_cast<const int64_t *>(coords), dim,
                                   length, skipPadding},
          nRows, dim, spatial_size, policy, batch);
    *out = sites.release();
  });
}
