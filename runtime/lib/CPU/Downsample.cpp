//===- Downsample.cpp - Strided and full-convolution site sets ------------===//
//
// Part of the SCN compiler runtime (libscn_runtime).
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Output sets of strided layers (every j whose window holds an input) and
/// of FullConvolution (the union of the windows of the inputs). Both insert
/// candidate outputs generated from each input site, with the candidate id
/// (input row, local index), and number outputs by their first candidate.
///
//===----------------------------------------------------------------------===//

#include "Geometry.h"
#include "SiteSet.h"
#include "SortedNumbering.h"

using namespace scn::rt;

namespace {

/// min(a * b, INT64_MAX) for non-negative a and b.
int64_t saturatingMul(int64_t a, int64_t b) {
  __int128 p = __int128(a) * b;
  return p > INT64_MAX ? INT64_MAX : static_cast<int64_t>(p);
}

/// Number of grid cells (batch included) of a set: a bound on its sites.
int64_t gridCells(const scn_sites &s) {
  int64_t cells = s.batchSize;
  for (int32_t i = 0; i < s.dim; ++i)
    cells = saturatingMul(cells, s.spatialSize[i]);
  return cells;
}

/// Sizes the table for at most min(candidates, grid cells) distinct sites;
/// refuses bounds past INT32_MAX (rows are int32) so the table never fills.
template <typename KeyT>
void reserveSites(SiteTable<KeyT> &table, int64_t numCandidates,
                  const scn_sites &out, const char *what) {
  int64_t bound = std::min(numCandidates, gridCells(out));
  if (bound > INT32_MAX)
    fail(SCN_ERROR_OVERFLOW, what, " = ", numCandidates,
         " candidate sites could exceed 32-bit row indices (max ", INT32_MAX,
         ")");
  table.reset(bound, out.layout.localBits());
}

template <typename KeyT>
void fillDownsampled(scn_sites &out, SiteTable<KeyT> &table,
                     const scn_sites &in, const Window &w) {
  int64_t perInput = 1;
  for (int32_t i = 0; i < w.dim; ++i)
    perInput *= (w.filter[i] + w.stride[i] - 1) / w.stride[i];
  const int64_t numCandidates = in.numSites * perInput;
  reserveSites(table, numCandidates, out, "sites * windows per site");
  parallelFor(in.numSites, kGrain, [&](int64_t r) {
    const int64_t *x = in.siteCoords(r);
    int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], j[SCN_MAX_DIMENSION];
    if (!windowRange(w, out.spatialSize, x, lo, hi))
      return;
    std::copy(lo, lo + w.dim, j);
    int64_t local = 0;
    do {
      table.insertMin(out.layout.pack<KeyT>(j, x[in.dim]),
                      r * perInput + local++);
    } while (nextInBox(w.dim, lo, hi, j));
  });
  numberSitesByFirstCandidate(out, numCandidates);
  compactTable(out);
}

/// The sorted way (SortedNumbering.h), same candidates and ids as
/// fillDownsampled. With filter == stride every input site has at most one
/// window, and the set records which (its provenance, see SiteSet.h).
void fillDownsampledBySorting(scn_sites &out, const scn_sites &in,
                              const Window &w, int64_t perInput) {
  const int64_t numCandidates = in.numSites * perInput;
  Array<uint64_t> keys(numCandidates);
  bool oneWindow = perInput == 1;
  for (int32_t i = 0; i < w.dim; ++i)
    oneWindow &= w.filter[i] == w.stride[i];
  if (oneWindow) {
    // The common 2/2 case: the one window of x is x / stride, if inside.
    parallelFor(in.numSites, kGrain, [&](int64_t r) {
      const int64_t *x = in.siteCoords(r);
      int64_t j[SCN_MAX_DIMENSION];
      bool inside = true;
      for (int32_t i = 0; i < w.dim; ++i) {
        j[i] = x[i] / w.stride[i];
        inside &= j[i] < out.spatialSize[i];
      }
      keys[r] = inside ? out.layout.packLinear(j, x[in.dim]) : kNoCandidate;
    });
  } else {
    parallelFor(in.numSites, kGrain, [&](int64_t r) {
      uint64_t *mine = keys.data() + r * perInput;
      for (int64_t i = 0; i < perInput; ++i)
        mine[i] = kNoCandidate;
      const int64_t *x = in.siteCoords(r);
      int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], j[SCN_MAX_DIMENSION];
      if (!windowRange(w, out.spatialSize, x, lo, hi))
        return;
      for (int32_t i = 0; i < w.dim; ++i)
        j[i] = lo[i];
      do {
        *mine++ = out.layout.packLinear(j, x[in.dim]);
      } while (nextInBox(w.dim, lo, hi, j));
    });
  }
  if (oneWindow) {
    out.parentSetId = in.id;
    std::copy(w.filter, w.filter + w.dim, out.parentFilter);
    out.parentOfInput.resize(in.numSites);
    parallelFor(in.numSites, kGrain, [&](int64_t r) { out.parentOfInput[r] = -1; });
  }
  numberBySorting(
      out, keys.data(), numCandidates, [](int64_t) {},
      [&](const CandidateGroup &g) {
        if (oneWindow)
          for (int64_t i = 0; i < g.size; ++i)
            out.parentOfInput[g.ids[i]] = g.site;
      });
}

template <typename KeyT>
void fillFull(scn_sites &out, SiteTable<KeyT> &table, const scn_sites &in,
              const Window &w) {
  const int64_t numCandidates = saturatingMul(in.numSites, w.volume);
  if (numCandidates == INT64_MAX)
    fail(SCN_ERROR_OVERFLOW, "sites * filter volume = ", in.numSites, " * ",
         w.volume, " overflows");
  reserveSites(table, numCandidates, out, "sites * filter volume");
  parallelFor(in.numSites, kGrain / 8, [&](int64_t r) {
    const int64_t *x = in.siteCoords(r);
    int64_t lo[SCN_MAX_DIMENSION], hi[SCN_MAX_DIMENSION], i[SCN_MAX_DIMENSION];
    for (int32_t a = 0; a < w.dim; ++a) {
      lo[a] = x[a] * w.stride[a];
      hi[a] = lo[a] + w.filter[a] - 1;
    }
    std::copy(lo, lo + w.dim, i);
    int64_t k = 0;
    do {
      table.insertMin(out.layout.pack<KeyT>(i, x[in.dim]),
                      r * w.volume + k++);
    } while (nextInBox(w.dim, lo, hi, i));
  });
  numberSitesByFirstCandidate(out, numCandidates);
  compactTable(out);
}

} // namespace

extern "C" scn_status_t scn_sites_downsample(scn_sites_t in,
                                             const int64_t *filter,
                                             const int64_t *stride,
                                             scn_sites_t *out) {
  return guardCall("scn_sites_downsample", [&] {
    requireNonNull(in, "in");
    requireNonNull(out, "out");
    requireNonNull(stride, "stride");
    Window w = makeWindow(in->dim, filter, stride);
    int64_t outSize[SCN_MAX_DIMENSION];
    stridedOutputSize(w, in->spatialSize, outSize);
    auto sites = makeEmptySet(in->dim, outSize, in->batchSize);
    int64_t perInput = 1;
    for (int32_t i = 0; i < w.dim; ++i)
      perInput *= (w.filter[i] + w.stride[i] - 1) / w.stride[i];
    if (canNumberBySorting(*sites, saturatingMul(in->numSites, perInput))) {
      fillDownsampledBySorting(*sites, *in, w, perInput);
    } else {
      withTableToFill(*sites, [&](auto &table) {
        fillDownsampled(*sites, table, *in, w);
      });
      markTableFilled(*sites);
    }
    *out = sites.release();
  });
}

extern "C" scn_status_t scn_sites_full(scn_sites_t in, const int64_t *filter,
                                       const int64_t *stride,
                                       scn_sites_t *out) {
  return guardCall("scn_sites_full", [&] {
    requireNonNull(in, "in");
    requireNonNull(out, "out");
    requireNonNull(stride, "stride");
    Window w = makeWindow(in->dim, filter, stride);
    int64_t outSize[SCN_MAX_DIMENSION];
    transposedOutputSize(w, in->spatialSize, outSize);
    auto sites = makeEmptySet(in->dim, outSize, in->batchSize);
    withTableToFill(*sites, [&](auto &table) { fillFull(*sites, table, *in, w); });
    markTableFilled(*sites);
    *out = sites.release();
  });
}
