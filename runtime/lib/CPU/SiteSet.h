//===- SiteSet.h - The site set object and its construction ---*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// struct scn_sites (the object behind scn_sites_t) and the steps every
/// builder shares: validating grids, inserting candidate sites into the
/// table, and numbering distinct sites in order of first appearance.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_SITESET_H
#define SCN_RUNTIME_LIB_CPU_SITESET_H

#include "Array.h"
#include "Error.h"
#include "InputRules.h"
#include "KeyPacking.h"
#include "SiteTable.h"

#include "scn/Runtime/Sites.h"

#include <climits>
#include <mutex>

struct scn_sites {
  int32_t dim = 0;
  int64_t spatialSize[SCN_MAX_DIMENSION] = {};
  int64_t batchSize = 1;
  int64_t numSites = 0;
  scn::rt::KeyLayout layout;
  /// [numSites, dim + 1], batch last.
  scn::rt::Array<int64_t> coords;
  /// Identifies the set (never reused), for the provenance below.
  uint64_t id = 0;
  /// The table in use is the one that matches layout.isNarrow(). Sets
  /// built by sorting (SortedNumbering.h) leave it empty until a lookup
  /// needs it: withTable() fills it once, from the site coordinates.
  mutable scn::rt::SiteTable<uint64_t> narrowTable;
  mutable scn::rt::SiteTable<scn::rt::Key128> wideTable;
  mutable std::once_flag tableReady;

  /// The rows in lexicographic order of their sites (batch, x0, x1, ...),
  /// with their layout.packLinear keys, when the builder sorted them anyway
  /// (SortedNumbering.h); empty otherwise. Submanifold maps then skip their
  /// own sort and read keys sequentially instead of gathering coordinates.
  scn::rt::Array<int32_t> sortedRows;
  scn::rt::Array<uint64_t> sortedKeys;

  /// Provenance of a set made by scn_sites_downsample with filter ==
  /// stride, where every input site lies in at most one window: the set it
  /// came from (its id), the window, and the output row of each input site
  /// (-1 outside every window). The STRIDED and TRANSPOSED maps between the
  /// two sets are then read off this array, without lookups.
  uint64_t parentSetId = 0;
  int64_t parentFilter[SCN_MAX_DIMENSION] = {};
  scn::rt::Array<int32_t> parentOfInput;

  /// Merge map (sets built from input rows only).
  bool hasMergeMap = false;
  int32_t mode = 0;
  scn::rt::Array<int32_t> rowToSite;
  scn::rt::Array<int32_t> siteSourceRow;
  scn::rt::Array<int32_t> siteRowCount;
  /// The rows merged into each site (rowToSite[r] == site), ascending, as
  /// CSR: site s has rowsBySite[siteRowStart[s] .. siteRowStart[s + 1]).
  /// Built on first request (scn_sites_get_rows_by_site).
  scn::rt::Array<int32_t> siteRowStart;
  scn::rt::Array<int32_t> rowsBySite;
  mutable std::once_flag rowsBySiteBuilt;

  int64_t width() const { return dim + 1; }
  const int64_t *siteCoords(int64_t row) const {
    return coords.data() + row * width();
  }
};

namespace scn::rt {

/// Fills the table of a set built without one (once; thread-safe).
void ensureTable(const scn_sites &sites);

/// Marks the table of a set as filled by its builder (hash-built sets).
inline void markTableFilled(const scn_sites &sites) {
  std::call_once(sites.tableReady, [] {});
}

/// Calls fn(table) with the table of `sites` that matches its key width,
/// filling it first if the set was built without one.
template <typename Fn> decltype(auto) withTable(const scn_sites &sites, Fn &&fn) {
  ensureTable(sites);
  if (sites.layout.isNarrow())
    return fn(sites.narrowTable);
  return fn(sites.wideTable);
}
/// For builders filling the table of a new set (then markTableFilled()).
template <typename Fn> decltype(auto) withTableToFill(scn_sites &sites, Fn &&fn) {
  if (sites.layout.isNarrow())
    return fn(sites.narrowTable);
  return fn(sites.wideTable);
}

/// Throws SCN_ERROR_OVERFLOW when `count` rows do not fit int32.
void checkRowCount(int64_t count, const char *what);

/// Makes a set with grid (dim, spatialSize, batchSize) and no sites yet.
std::unique_ptr<scn_sites> makeEmptySet(int32_t dim, const int64_t *spatialSize,
                                        int64_t batchSize);

/// After candidates [0, numCandidates) were inserted with insertMin(),
/// renumbers the table tags from candidate ids to site rows, in order of the
/// smallest candidate id of each site, writes the site coordinates and sets
/// numSites. Throws SCN_ERROR_OVERFLOW past INT32_MAX sites.
void numberSitesByFirstCandidate(scn_sites &sites, int64_t numCandidates);

/// Rebuilds the table of a finished set when it is much larger than its
/// site count needs (downsampling shrinks sets), to keep lookups in cache.
void compactTable(scn_sites &sites);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_SITESET_H
