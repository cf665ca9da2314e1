//===- Reference.h - Brute-force references for the runtime tests -*- C++ -*-===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Slow, obviously-correct versions of every builder (std::map and nested
/// loops) and helpers that copy runtime results into plain vectors.
///
//===----------------------------------------------------------------------===//

#ifndef SCN_TEST_UNIT_RUNTIME_REFERENCE_H
#define SCN_TEST_UNIT_RUNTIME_REFERENCE_H

#include "scn/Runtime/Runtime.h"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace scn::test {

/// A site as (x0, ..., x{D-1}, batch), the runtime's row layout.
using Site = std::vector<int64_t>;

/// A grid: dimension, spatial size, batch size.
struct Grid {
  int32_t dim;
  std::vector<int64_t> size;
  int64_t batch;
};

/// Expected input set: sites in order of first row plus the merge map.
struct RefInput {
  std::vector<Site> sites;
  std::vector<int32_t> rowToSite, sourceRow, rowCount;
};

RefInput referenceInput(int32_t dim, const std::vector<int64_t> &rows,
                        int32_t mode);

/// Output set of a strided layer, in the documented order.
std::vector<Site> referenceDownsample(const Grid &in,
                                      const std::vector<Site> &sites,
                                      const std::vector<int64_t> &filter,
                                      const std::vector<int64_t> &stride);

/// Output set of a FullConvolution, in the documented order.
std::vector<Site> referenceFull(const std::vector<Site> &sites,
                                const std::vector<int64_t> &filter,
                                const std::vector<int64_t> &stride);

/// Neighbour tables [N_out * K] by direct enumeration of each definition.
std::vector<int32_t> referenceSubmanifold(const Grid &grid,
                                          const std::vector<Site> &in,
                                          const std::vector<Site> &out,
                                          const std::vector<int64_t> &filter);
std::vector<int32_t> referenceStrided(const std::vector<Site> &in,
                                      const std::vector<Site> &out,
                                      const std::vector<int64_t> &filter,
                                      const std::vector<int64_t> &stride);
/// TRANSPOSED and FULL: `small` is the map input, `big` its output.
std::vector<int32_t> referenceTransposed(const Grid &small,
                                         const std::vector<Site> &smallSites,
                                         const std::vector<Site> &big,
                                         const std::vector<int64_t> &filter,
                                         const std::vector<int64_t> &stride);

/// Random coordinate rows [n, D+1]: batches 0..batch-1 with sample
/// `emptyBatch` left empty (-1: none), each row repeated with probability
/// `dupProbability` somewhere later (so modes 1-4 have work).
std::vector<int64_t> randomRows(std::mt19937_64 &rng, const Grid &grid,
                                int64_t n, double dupProbability,
                                int64_t emptyBatch);

/// Builds an input set from int64 rows (ADD_FAILURE and null on error).
scn_sites_t inputSites(const Grid &grid, const std::vector<int64_t> &rows,
                       int32_t mode);

/// Sets an environment variable for a scope (null: unsets it), and
/// restores what it was.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv &) = delete;
  ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
  const char *name_;
  std::string old_;
  bool hadOld_;
};

/// Frees a set or map at scope exit.
struct SitesGuard {
  scn_sites_t sites;
  ~SitesGuard() { scn_sites_free(sites); }
};
struct KmapGuard {
  scn_kmap_t map;
  ~KmapGuard() { scn_kmap_free(map); }
};

/// Copies of runtime results.
std::vector<Site> sitesOf(scn_sites_t sites);
std::vector<int32_t> neighborsOf(scn_kmap_t map);

/// Checks that the pair lists of `map` hold exactly the table's entries,
/// grouped by offset and sorted by output row (gtest failures otherwise).
void expectPairListsMatchTable(scn_kmap_t map);
/// The map's blocks of output rows (scn_cg_pair_blocks) cover its rows in
/// order, start each offset at the block's first pair of it, and hold
/// scn::rt::kPairsPerBlock pairs or more each but the last, cut at the row that
/// reaches it. Called by expectPairListsMatchTable.
void expectPairBlocksCutTheRows(scn_kmap_t map);

} // namespace scn::test

#endif // SCN_TEST_UNIT_RUNTIME_REFERENCE_H
