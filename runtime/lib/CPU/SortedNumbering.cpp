//===- SortedNumbering.cpp - Site sets numbered by sorting candidates -----===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//

#include "SortedNumbering.h"
#include "RadixSort.h"

#include <vector>

using namespace scn::rt;

bool scn::rt::canNumberBySorting(const scn_sites &sites, int64_t numCandidates) {
  return sortedAlgorithmsAllowed() && sites.layout.totalBits() <= 63 &&
         numCandidates <= INT32_MAX;
}

void scn::rt::numberBySorting(
    scn_sites &sites, const uint64_t *keys, int64_t n,
    const std::function<void(int64_t)> &onCount,
    const std::function<void(const CandidateGroup &)> &onGroup) {
  // The real candidates, in id order.
  Array<uint64_t> sorted(n);
  Array<int32_t> ids(n);
  auto countReal = [&](int64_t b, int64_t e) {
    int64_t c = 0;
    for (int64_t i = b; i < e; ++i)
      c += keys[i] != kNoCandidate;
    return c;
  };
  const int64_t m = parallelCompact(n, kGrain, countReal,
                                    [&](int64_t b, int64_t e, int64_t at) {
    for (int64_t i = b; i < e; ++i)
      if (keys[i] != kNoCandidate) {
        sorted[at] = keys[i];
        ids[at++] = static_cast<int32_t>(i);
      }
  });
  radixSortPairs(sorted, ids, m, sites.layout.totalBits());

  // siteOfHead[id]: the site row of a group whose smallest id is `id`, in
  // increasing order of those ids; -1 for every other id.
  Array<int32_t> siteOfHead(n);
  parallelFor(n, 1 << 15, [&](int64_t i) { siteOfHead[i] = 0; });
  parallelFor(m, kGrain, [&](int64_t i) {
    if (i == 0 || sorted[i] != sorted[i - 1])
      siteOfHead[ids[i]] = 1;
  });
  const int64_t numSites = parallelCompact(
      n, 1 << 15,
      [&](int64_t b, int64_t e) {
        int64_t c = 0;
        for (int64_t i = b; i < e; ++i)
          c += siteOfHead[i];
        return c;
      },
      [&](int64_t b, int64_t e, int64_t next) {
        for (int64_t i = b; i < e; ++i)
          siteOfHead[i] = siteOfHead[i] ? static_cast<int32_t>(next++) : -1;
      });
  checkRowCount(numSites, "number of sites");
  sites.numSites = numSites;
  sites.coords.resize(numSites * sites.width());
  onCount(numSites);

  // Each chunk of sorted positions handles the groups that start in it;
  // a chunk's first group is numbered after the groups of earlier chunks.
  sites.sortedRows.resize(numSites);
  sites.sortedKeys.resize(numSites);
  const int64_t chunks = numChunks(m, kGrain);
  auto firstHead = [&](int64_t b, int64_t e) {
    int64_t head = b;
    while (head < e && head > 0 && sorted[head] == sorted[head - 1])
      ++head;
    return head;
  };
  std::vector<int64_t> groupStart(size_t(chunks) + 1, 0);
  forEachChunk(m, chunks, [&](int64_t c, int64_t b, int64_t e) {
    int64_t groups = 0;
    for (int64_t i = firstHead(b, e); i < e; ++i)
      groups += i == 0 || sorted[i] != sorted[i - 1];
    groupStart[size_t(c) + 1] = groups;
  });
  for (int64_t c = 0; c < chunks; ++c)
    groupStart[size_t(c) + 1] += groupStart[size_t(c)];
  forEachChunk(m, chunks, [&](int64_t c, int64_t b, int64_t e) {
    int64_t group = groupStart[size_t(c)];
    int64_t head = firstHead(b, e);
    while (head < e) {
      int64_t end = head + 1;
      while (end < m && sorted[end] == sorted[head])
        ++end;
      int32_t site = siteOfHead[ids[head]];
      sites.sortedKeys[group] = sorted[head];
      sites.sortedRows[group++] = site;
      int64_t *x = sites.coords.data() + int64_t(site) * sites.width();
      x[sites.dim] = sites.layout.unpackLinear(sorted[head], x);
      onGroup(CandidateGroup{site, &ids[head], end - head});
      head = end;
    }
  });
}
