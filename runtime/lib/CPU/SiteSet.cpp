//===- SiteSet.cpp - Site set numbering, accessors and lookups ------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "SiteSet.h"

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

using namespace scn::rt;

void scn::rt::checkRowCount(int64_t count, const char *what) {
  if (count > INT32_MAX)
    fail(SCN_ERROR_OVERFLOW, what, " = ", count,
         " does not fit 32-bit row indices (max ", INT32_MAX, ")");
}

std::unique_ptr<scn_sites> scn::rt::makeEmptySet(int32_t dim,
                                                 const int64_t *spatialSize,
                                                 int64_t batchSize) {
  static std::atomic<uint64_t> nextId{1};
  auto sites = std::make_unique<scn_sites>();
  sites->id = nextId.fetch_add(1, std::memory_order_relaxed);
  sites->dim = dim;
  std::copy(spatialSize, spatialSize + dim, sites->spatialSize);
  sites->batchSize = batchSize;
  sites->layout = KeyLayout(dim, spatialSize, batchSize);
  return sites;
}

namespace {

/// Writes site row `row` of `sites` from a packed key and sets the slot tag.
template <typename KeyT>
void publishSite(scn_sites &sites, SiteTable<KeyT> &table, int64_t slot,
                 int64_t row) {
  table.setTagAt(slot, row);
  int64_t *x = sites.coords.data() + row * sites.width();
  x[sites.dim] = sites.layout.unpack(table.keyAt(slot), x);
}

/// Numbering through a dense array over candidate ids: linear time, used
/// when there are not many more candidates than table slots.
template <typename KeyT>
void numberByCandidateArray(scn_sites &sites, SiteTable<KeyT> &table,
                            int64_t numCandidates) {
  Array<int32_t> siteOf(numCandidates);
  parallelFor(numCandidates, 1 << 15, [&](int64_t c) { siteOf[c] = -1; });
  parallelFor(table.capacity(), 1 << 15, [&](int64_t i) {
    int64_t tag = table.tagAt(i);
    if (tag >= 0)
      siteOf[tag] = 0;
  });
  int64_t chunks = numChunks(numCandidates, 1 << 15);
  std::vector<int64_t> starts(chunks + 1, 0);
  forEachChunk(numCandidates, chunks, [&](int64_t c, int64_t b, int64_t e) {
    int64_t n = 0;
    for (int64_t i = b; i < e; ++i)
      n += siteOf[i] == 0;
    starts[c + 1] = n;
  });
  for (int64_t c = 0; c < chunks; ++c)
    starts[c + 1] += starts[c];
  checkRowCount(starts[chunks], "number of sites");
  forEachChunk(numCandidates, chunks, [&](int64_t c, int64_t b, int64_t e) {
    int64_t next = starts[c];
    for (int64_t i = b; i < e; ++i)
      if (siteOf[i] == 0)
        siteOf[i] = static_cast<int32_t>(next++);
  });
  sites.numSites = starts[chunks];
  sites.coords.resize(sites.numSites * sites.width());
  parallelFor(table.capacity(), 1 << 14, [&](int64_t i) {
    int64_t tag = table.tagAt(i);
    if (tag >= 0)
      publishSite(sites, table, i, siteOf[tag]);
  });
}

/// Numbering by sorting the occupied slots by candidate id: used when the
/// candidate id space is much larger than the table (big filters).
template <typename KeyT>
void numberBySorting(scn_sites &sites, SiteTable<KeyT> &table) {
  std::vector<std::pair<int64_t, int64_t>> order; // (candidate, slot)
  for (int64_t i = 0; i < table.capacity(); ++i)
    if (table.tagAt(i) >= 0)
      order.emplace_back(table.tagAt(i), i);
  checkRowCount(int64_t(order.size()), "number of sites");
  std::sort(order.begin(), order.end());
  sites.numSites = int64_t(order.size());
  sites.coords.resize(sites.numSites * sites.width());
  parallelFor(sites.numSites, 1 << 14, [&](int64_t row) {
    publishSite(sites, table, order[row].second, row);
  });
}

} // namespace

void scn::rt::numberSitesByFirstCandidate(scn_sites &sites,
                                          int64_t numCandidates) {
  withTableToFill(sites, [&](auto &table) {
    if (numCandidates <= 8 * table.capacity())
      numberByCandidateArray(sites, table, numCandidates);
    else
      numberBySorting(sites, table);
  });
}

void scn::rt::ensureTable(const scn_sites &sites) {
  std::call_once(sites.tableReady, [&] {
    auto fill = [&](auto &table) {
      using KeyT = typename std::decay_t<decltype(table)>::KeyType;
      table.reset(sites.numSites, sites.layout.localBits());
      parallelFor(sites.numSites, kGrain, [&](int64_t r) {
        const int64_t *x = sites.siteCoords(r);
        table.insertMin(sites.layout.pack<KeyT>(x, x[sites.dim]), r);
      });
    };
    if (sites.layout.isNarrow())
      fill(sites.narrowTable);
    else
      fill(sites.wideTable);
  });
}

void scn::rt::compactTable(scn_sites &sites) {
  withTableToFill(sites, [&](auto &table) {
    using Table = std::decay_t<decltype(table)>;
    Table compact;
    compact.reset(sites.numSites, sites.layout.localBits());
    if (compact.capacity() * 4 > table.capacity())
      return;
    parallelFor(table.capacity(), 1 << 14, [&](int64_t i) {
      int64_t tag = table.tagAt(i);
      if (tag >= 0)
        compact.insertMin(table.keyAt(i), tag);
    });
    table = std::move(compact);
  });
}

//===----------------------------------------------------------------------===//
// C ABI: accessors and lookups
//===----------------------------------------------------------------------===//

extern "C" scn_status_t scn_sites_free(scn_sites_t sites) {
  delete sites;
  return SCN_OK;
}

extern "C" scn_status_t scn_sites_get_info(scn_sites_t sites,
                                           scn_sites_info_t *info) {
  return guardCall("scn_sites_get_info", [&] {
    requireNonNull(sites, "sites");
    requireNonNull(info, "info");
    info->dim = sites->dim;
    info->key_bits = sites->layout.totalBits();
    info->batch_size = sites->batchSize;
    info->num_sites = sites->numSites;
    info->spatial_size = sites->spatialSize;
    info->coords = sites->coords.data();
  });
}

extern "C" scn_status_t scn_sites_get_merge_map(scn_sites_t sites,
                                                scn_merge_map_t *map) {
  return guardCall("scn_sites_get_merge_map", [&] {
    requireNonNull(sites, "sites");
    requireNonNull(map, "map");
    if (!sites->hasMergeMap)
      fail(SCN_ERROR_INVALID_ARGUMENT,
           "sites has no merge map (it was not built from input rows)");
    map->mode = sites->mode;
    map->num_rows = sites->rowToSite.size();
    map->num_sites = sites->numSites;
    map->row_to_site = sites->rowToSite.data();
    map->site_source_row = sites->siteSourceRow.data();
    map->site_row_count = sites->siteRowCount.data();
  });
}

extern "C" scn_status_t scn_sites_get_rows_by_site(scn_sites_t sites,
                                                   const int32_t **start,
                                                   const int32_t **rows) {
  return guardCall("scn_sites_get_rows_by_site", [&] {
    requireNonNull(sites, "sites");
    requireNonNull(start, "start");
    requireNonNull(rows, "rows");
    if (!sites->hasMergeMap)
      fail(SCN_ERROR_INVALID_ARGUMENT,
           "sites has no merge map (it was not built from input rows)");
    std::call_once(sites->rowsBySiteBuilt, [&] {
      // A counting sort by site, rows in ascending order: O(rows + sites),
      // sequential (it runs once per set, after the parallel build).
      scn_sites &s = *sites;
      const int64_t n = s.numSites, r = s.rowToSite.size();
      s.siteRowStart.resize(n + 1);
      for (int64_t i = 0; i <= n; ++i)
        s.siteRowStart[i] = 0;
      for (int64_t i = 0; i < r; ++i)
        if (s.rowToSite[i] >= 0)
          ++s.siteRowStart[s.rowToSite[i] + 1];
      for (int64_t i = 0; i < n; ++i)
        s.siteRowStart[i + 1] += s.siteRowStart[i];
      // Every row, the dropped ones (site -1) after the last site's, as
      // the device builder's sort leaves them: readers may take all R.
      s.rowsBySite.resize(r);
      std::vector<int32_t> next(s.siteRowStart.data(), s.siteRowStart.data() + n);
      int32_t dropped = s.siteRowStart[n];
      for (int64_t i = 0; i < r; ++i) {
        int32_t site = s.rowToSite[i];
        s.rowsBySite[site >= 0 ? next[site]++ : dropped++] = static_cast<int32_t>(i);
      }
    });
    *start = sites->siteRowStart.data();
    *rows = sites->rowsBySite.data();
  });
}

extern "C" scn_status_t scn_sites_find(scn_sites_t sites, const int64_t *coords,
                                       int64_t n, int32_t *rows) {
  return guardCall("scn_sites_find", [&] {
    requireNonNull(sites, "sites");
    if (n < 0)
      fail(SCN_ERROR_INVALID_ARGUMENT, "n = ", n, " is negative");
    if (n == 0)
      return;
    requireNonNull(coords, "coords");
    requireNonNull(rows, "rows");
    const scn_sites &s = *sites;
    withTable(s, [&](const auto &table) {
      using KeyT = typename std::decay_t<decltype(table)>::KeyType;
      parallelFor(n, kGrain, [&](int64_t q) {
        const int64_t *x = coords + q * s.width();
        bool inside = x[s.dim] >= 0 && x[s.dim] < s.batchSize;
        for (int32_t i = 0; i < s.dim && inside; ++i)
          inside = x[i] >= 0 && x[i] < s.spatialSize[i];
        rows[q] = inside ? static_cast<int32_t>(
                               table.find(s.layout.pack<KeyT>(x, x[s.dim])))
                         : -1;
      });
    });
  });
}

extern "C" scn_status_t scn_sites_memory_bytes(scn_sites_t sites,
                                               int64_t *bytes) {
  return guardCall("scn_sites_memory_bytes", [&] {
    requireNonNull(sites, "sites");
    requireNonNull(bytes, "bytes");
    *bytes = int64_t(sizeof(scn_sites)) + sites->coords.bytes() +
             sites->narrowTable.memoryBytes() + sites->wideTable.memoryBytes() +
             sites->rowToSite.bytes() + sites->siteSourceRow.bytes() +
             sites->siteRowCount.bytes() + sites->parentOfInput.bytes() +
             sites->sortedRows.bytes() + sites->sortedKeys.bytes();
  });
}
