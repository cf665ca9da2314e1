//===- SortedNumbering.h - Site sets numbered by sorting candidates -*- C++ -*-===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The sort-based way to turn candidate sites into a site set, used when
/// keys fit 63 bits and candidates fit int32 (the hash-table way in
/// SiteSet.h handles the rest). Candidates are (key, id) with ids in the
/// caller's order; a stable radix sort groups equal keys with their
/// smallest id first, the groups are numbered in order of that id ("first
/// appearance", the same rows as the hash path for any thread count), and
/// the caller sees each group once. Every pass is sequential or a radix
/// scatter, so it needs no table of several MiB probed at random: on the
/// LiDAR scan it builds the input set and the downsampled sets several
/// times faster (bench/runtime). The set's hash table is left empty; the
/// first lookup fills it (ensureTable).
///
//===----------------------------------------------------------------------===//

#ifndef SCN_RUNTIME_LIB_CPU_SORTEDNUMBERING_H
#define SCN_RUNTIME_LIB_CPU_SORTEDNUMBERING_H

#include "AlgorithmChoice.h"

#include "SiteSet.h"

#include <functional>

namespace scn::rt {

/// Key of a candidate that is not a site (an empty row, no window).
constexpr uint64_t kNoCandidate = ~uint64_t(0);

/// True when `sites` (its key layout) and `numCandidates` suit the sorted
/// numbering (and sortedAlgorithmsAllowed()).
bool canNumberBySorting(const scn_sites &sites, int64_t numCandidates);

/// One group of equal keys: the site row it became and its candidate ids
/// in increasing order.
struct CandidateGroup {
  int32_t site;
  const int32_t *ids;
  int64_t size;
};

/// Numbers the distinct keys of candidates [0, n) (keys[i] from
/// sites.layout.packLinear, or kNoCandidate) into `sites`: sets numSites,
/// coords and sortedRows (the rows in lexicographic order of their sites),
/// then calls onCount(numSites) once and onGroup for every group (in
/// parallel, each group once). Throws SCN_ERROR_OVERFLOW past INT32_MAX
/// sites.
void numberBySorting(scn_sites &sites, const uint64_t *keys, int64_t n,
                     const std::function<void(int64_t)> &onCount,
                     const std::function<void(const CandidateGroup &)> &onGroup);

} // namespace scn::rt

#endif // SCN_RUNTIME_LIB_CPU_SORTEDNUMBERING_H
